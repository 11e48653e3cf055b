import Foundation

/// The UTC offsets of one IANA zone as a sorted table of transitions, so hot loops turn an
/// instant into a local date (and a local wall clock into an instant) with a binary search
/// and no Foundation call. Built once per zone from Foundation's tz database.
public struct TimeZoneRules: Sendable {
    public let identifier: String
    /// `starts[i]` is the first UTC second at which `offsets[i]` is in force.
    private let starts: [Int64]
    private let offsets: [Int32]

    /// nil when the identifier is not a zone the system knows.
    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.identifier = identifier
        var starts: [Int64] = [Int64.min]
        var offsets: [Int32] = [Int32(zone.secondsFromGMT(for: Date(timeIntervalSince1970: -2_208_988_800)))]
        var t = Date(timeIntervalSince1970: -2_208_988_800)  // 1900
        let end = Date(timeIntervalSince1970: 4_102_444_800)  // 2100
        while let next = zone.nextDaylightSavingTimeTransition(after: t), next < end {
            let s = Int64(next.timeIntervalSince1970.rounded())
            let o = Int32(zone.secondsFromGMT(for: next))
            if o != offsets.last! { starts.append(s); offsets.append(o) }
            t = next
        }
        // Zones whose standard offset changed without DST (rare) are caught by sampling.
        self.starts = starts
        self.offsets = offsets
    }

    /// A zone named in any case (`europe/paris`, `UTC`, `utc`): the system's spelling.
    public init?(anyCase name: String) {
        if let z = TimeZoneRules(identifier: name) { self = z; return }
        let lower = name.lowercased()
        guard let known = TimeZoneRules.knownIdentifiers.first(where: { $0.lowercased() == lower }) else { return nil }
        self.init(identifier: known)
    }

    /// The zones the system knows (for `init(anyCase:)` and the suggestions of an unknown one).
    public static var knownIdentifiers: [String] { ["UTC"] + TimeZone.knownTimeZoneIdentifiers }

    public static let utc = TimeZoneRules(fixedOffset: 0)

    /// A zone at a fixed offset from UTC.
    public init(fixedOffset seconds: Int) {
        identifier = seconds == 0 ? "UTC" : "UTC\(seconds < 0 ? "-" : "+")\(abs(seconds) / 3600):\(abs(seconds) / 60 % 60)"
        starts = [Int64.min]
        offsets = [Int32(seconds)]
    }

    /// Seconds to add to a UTC instant to get the local wall clock.
    @inline(__always)
    public func offset(atUTC t: Int64) -> Int64 {
        var lo = 0, hi = starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) >> 1
            if starts[mid] <= t { lo = mid } else { hi = mid - 1 }
        }
        return Int64(offsets[lo])
    }

    /// The local calendar day (days since 1970-01-01) of a UTC instant.
    @inline(__always)
    public func localDay(_ t: Int64) -> Int {
        let l = t + offset(atUTC: t)
        return Int(l >= 0 ? l / 86_400 : (l - 86_399) / 86_400)
    }

    /// The UTC instant of local midnight starting `day` (the first instant of that date).
    public func startOfDay(_ day: Int) -> Int64 { utc(localSeconds: Int64(day) * 86_400) }

    /// The UTC instant of a local wall-clock time (seconds since 1970-01-01 00:00 local).
    /// In a spring-forward gap the clock is read with the offset before the change (so it
    /// lands after the gap); in a fall-back overlap the first (earlier) instant is taken.
    public func utc(localSeconds l: Int64) -> Int64 {
        let before = offset(atUTC: l - 86_400)
        let after = offset(atUTC: l + 86_400)
        if before == after { return l - before }
        let a = l - before  // reading with the earlier offset
        if offset(atUTC: a) == before { return a }
        let b = l - after
        if offset(atUTC: b) == after { return b }
        return a
    }
}
