/// Broken-down UTC (or local wall-clock) time of an epoch second count.
public struct WallClock: Sendable, Equatable {
    public var date: CivilDate
    public var hour: Int, minute: Int, second: Int

    public init(epochSeconds s: Int64) {
        let days = Int(s >= 0 ? s / 86_400 : (s - 86_399) / 86_400)
        let rem = Int(s - Int64(days) * 86_400)
        date = CivilDate(daysSinceEpoch: days)
        hour = rem / 3600
        minute = (rem / 60) % 60
        second = rem % 60
    }
}

/// The time-stamp spellings of the formats plateau reads, written in place.
extension ByteWriter {

    func hms(_ w: WallClock) {
        padded(w.hour, 2); byte(58); padded(w.minute, 2); byte(58); padded(w.second, 2)
    }

    /// `2020-03-25T09:00:12Z`, with `fraction` digits of sub-second when > 0.
    public func isoUTC(_ epoch: Int64, fraction: Int = 0, fractionValue: Int = 0) {
        let w = WallClock(epochSeconds: epoch)
        isoDate(w.date); byte(UInt8(ascii: "T")); hms(w)
        if fraction > 0 { byte(UInt8(ascii: ".")); padded(fractionValue, fraction) }
        byte(UInt8(ascii: "Z"))
    }

    /// `2020-03-25T08:02:11+01:00`: the local wall clock at `offsetSeconds` from UTC.
    public func isoOffset(_ epoch: Int64, offsetSeconds: Int) {
        let w = WallClock(epochSeconds: epoch + Int64(offsetSeconds))
        isoDate(w.date); byte(UInt8(ascii: "T")); hms(w)
        let o = abs(offsetSeconds)
        byte(offsetSeconds < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        padded(o / 3600, 2); byte(58); padded((o / 60) % 60, 2)
    }

    public func isoDate(_ d: CivilDate) {
        let (y, m, dd) = d.components
        padded(y, 4); byte(45); padded(m, 2); byte(45); padded(dd, 2)
    }

    /// NSS / ZPA text stamp: `Mon Mar 23 09:14:02 2020`.
    public func nssTime(_ epoch: Int64) {
        let w = WallClock(epochSeconds: epoch)
        let (y, m, d) = w.date.components
        text(weekdayAbbreviations[w.date.isoWeekday - 1]); byte(32)
        text(monthAbbreviations[m - 1]); byte(32); padded(d, 2); byte(32)
        hms(w); byte(32); int(y)
    }

    /// RFC 3164 syslog stamp of a local wall clock: `Mar 25 2020 18:04:33`, or year-less
    /// `Mar  5 18:04:33` (day padded with a space, as syslog daemons write it).
    public func syslogTime(_ localEpoch: Int64, withYear: Bool) {
        let w = WallClock(epochSeconds: localEpoch)
        let (y, m, d) = w.date.components
        text(monthAbbreviations[m - 1]); byte(32)
        if withYear { padded(d, 2) } else { if d < 10 { byte(32) }; int(d) }
        byte(32)
        if withYear { int(y); byte(32) }
        hms(w)
    }
}
