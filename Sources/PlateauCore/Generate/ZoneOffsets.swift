import Foundation

/// UTC offsets of one IANA zone, tabulated per UTC hour over a range of days, so hot loops
/// convert instants without calling into Foundation (DST changes fall on hour boundaries in
/// every zone the generator uses).
public struct ZoneOffsets: Sendable {
    public let identifier: String
    private let firstHour: Int64
    private let offsets: [Int32]

    public init(_ identifier: String, from: CivilDate, to: CivilDate) {
        self.identifier = identifier
        let zone = TimeZone(identifier: identifier) ?? TimeZone(secondsFromGMT: 0)!
        let start = from.adding(days: -2).epochSecondsUTC / 3600
        let hours = Int((to.adding(days: 3).epochSecondsUTC / 3600) - start)
        firstHour = start
        offsets = (0..<hours).map { h in
            Int32(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval((start + Int64(h)) * 3600))))
        }
    }

    /// Seconds to add to a UTC instant to get local wall-clock time.
    @inline(__always)
    public func offset(atUTC epoch: Int64) -> Int {
        let i = Int(epoch / 3600 - firstHour)
        return Int(offsets[min(max(i, 0), offsets.count - 1)])
    }

    /// The UTC instant of `seconds` after local midnight of `day` (the offset in force at
    /// local noon, which is right for every working hour).
    @inline(__always)
    public func utc(_ day: CivilDate, _ seconds: Int) -> Int64 {
        let noon = day.epochSecondsUTC + 12 * 3600
        return day.epochSecondsUTC + Int64(seconds) - Int64(offset(atUTC: noon - 12 * 3600))
    }

    /// The local calendar date of a UTC instant.
    @inline(__always)
    public func localDate(ofUTC epoch: Int64) -> CivilDate {
        WallClock(epochSeconds: epoch + Int64(offset(atUTC: epoch))).date
    }
}
