/// Time stamps of the input formats, parsed from bytes. Every parser returns seconds since
/// the epoch (UTC), or a `TimeError` saying why not.
public enum TimeError: Error, Equatable {
    case malformed, impossible
    public var reason: Reason { self == .impossible ? Reasons.impossibleDate : Reasons.badTime }
}

public enum TimeParsing {
    /// Years plateau accepts; anything else is a garbled stamp.
    public static let plausibleYears = 1971...2149

    @inline(__always)
    static func digits(_ b: Bytes, _ i: Int, _ n: Int) -> Int? {
        guard i + n <= b.count else { return nil }
        var v = 0
        for k in i..<(i + n) { let c = b[k]; guard ASCII.isDigit(c) else { return nil }; v = v * 10 + Int(c - 48) }
        return v
    }

    /// Seconds since the epoch of a local civil time (no zone applied).
    @inline(__always)
    static func civil(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int) throws(TimeError) -> Int64 {
        guard plausibleYears.contains(y), (1...12).contains(mo) else { throw .malformed }
        guard d >= 1, d <= CivilDate.daysIn(month: mo, year: y), h < 24, mi < 60, s < 61 else { throw .impossible }
        return Int64(CivilDate(year: y, month: mo, day: d).day) * 86_400 + Int64(h * 3600 + mi * 60 + min(s, 59))
    }

    /// ISO-8601 / RFC 3339: `2020-03-25T09:00:12Z`, `...12.5628089Z`, `...12+01:00`, `...12+0100`,
    /// a space for `T`, or no zone (then read in `zone`). A bare date is midnight.
    public static func iso8601(_ b: Bytes, zone: TimeZoneRules) throws(TimeError) -> Int64 {
        guard b.count >= 10, let y = digits(b, 0, 4), b[4] == 0x2D, let mo = digits(b, 5, 2), b[7] == 0x2D,
              let d = digits(b, 8, 2) else { throw .malformed }
        if b.count == 10 { return zone.utc(localSeconds: try civil(y, mo, d, 0, 0, 0)) }
        guard b.count >= 16, b[10] == UInt8(ascii: "T") || b[10] == 0x20 || b[10] == UInt8(ascii: "t"),
              let h = digits(b, 11, 2), b[13] == 0x3A, let mi = digits(b, 14, 2) else { throw .malformed }
        var i = 16, s = 0
        if i < b.count, b[i] == 0x3A {
            guard let ss = digits(b, 17, 2) else { throw .malformed }
            s = ss; i = 19
            if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
                i += 1
                let f = i
                while i < b.count, ASCII.isDigit(b[i]) { i += 1 }
                guard i > f else { throw .malformed }
            }
        }
        let local = try civil(y, mo, d, h, mi, s)
        if i == b.count { return zone.utc(localSeconds: local) }
        let z = b[i]
        if z == UInt8(ascii: "Z") || z == UInt8(ascii: "z") {
            guard i + 1 == b.count else { throw .malformed }
            return local
        }
        guard z == UInt8(ascii: "+") || z == UInt8(ascii: "-"), let oh = digits(b, i + 1, 2) else { throw .malformed }
        var om = 0
        if i + 3 == b.count { om = 0 }
        else if b[i + 3] == 0x3A, let m = digits(b, i + 4, 2), i + 6 == b.count { om = m }
        else if let m = digits(b, i + 3, 2), i + 5 == b.count { om = m }
        else { throw .malformed }
        guard oh <= 18, om < 60 else { throw .malformed }
        let off = Int64(oh * 3600 + om * 60)
        return z == UInt8(ascii: "+") ? local - off : local + off
    }

    /// A month abbreviation (`Jan` … `Dec`, any case) at `i`: 1…12, or nil.
    @inline(__always)
    static func month(_ b: Bytes, _ i: Int) -> Int? {
        guard i + 3 <= b.count else { return nil }
        let k = UInt32(ASCII.lower(b[i])) << 16 | UInt32(ASCII.lower(b[i + 1])) << 8 | UInt32(ASCII.lower(b[i + 2]))
        switch k {
        case 0x6A616E: return 1; case 0x666562: return 2; case 0x6D6172: return 3; case 0x617072: return 4
        case 0x6D6179: return 5; case 0x6A756E: return 6; case 0x6A756C: return 7; case 0x617567: return 8
        case 0x736570: return 9; case 0x6F6374: return 10; case 0x6E6F76: return 11; case 0x646563: return 12
        default: return nil
        }
    }

    /// The NSS/ZPA text stamp `Mon Mar 23 09:14:02 2020` (the day may be space-padded),
    /// read in `zone` (UTC unless the record says otherwise).
    public static func nss(_ b: Bytes, zone: TimeZoneRules) throws(TimeError) -> Int64 {
        // Www Mmm dd hh:mm:ss yyyy
        guard b.count >= 23, b[3] == 0x20, let mo = month(b, 4), b[7] == 0x20 else { throw .malformed }
        var i = 8
        if b[i] == 0x20 { i += 1 }
        var d = 0
        while i < b.count, i < 10, ASCII.isDigit(b[i]) { d = d * 10 + Int(b[i] - 48); i += 1 }
        // The rest is exactly ` hh:mm:ss yyyy`.
        guard i + 14 == b.count, b[i] == 0x20, let h = digits(b, i + 1, 2), b[i + 3] == 0x3A, let mi = digits(b, i + 4, 2),
              b[i + 6] == 0x3A, let s = digits(b, i + 7, 2), i + 9 < b.count, b[i + 9] == 0x20,
              let y = digits(b, i + 10, 4) else { throw .malformed }
        let local = try civil(y, mo, d, h, mi, s)
        return zone.utc(localSeconds: local)
    }

    /// Epoch seconds (or milliseconds, when the number is that large).
    public static func epoch(_ b: Bytes) throws(TimeError) -> Int64 {
        var i = 0, v: Int64 = 0
        while i < b.count, ASCII.isDigit(b[i]), i < 16 { v = v * 10 + Int64(b[i] - 48); i += 1 }
        if i < b.count, b[i] == UInt8(ascii: ".") { i += 1; while i < b.count, ASCII.isDigit(b[i]) { i += 1 } }
        guard i > 0, i == b.count else { throw .malformed }
        if v > 100_000_000_000 { v /= 1000 }
        guard v > 0, v < 7_258_118_400 else { throw .malformed }
        return v
    }

    /// Any of the spellings above, tried in turn (custom sources, sessions CSV).
    public static func any(_ b: Bytes, zone: TimeZoneRules) throws(TimeError) -> Int64 {
        let t = b.trimmed()
        guard t.count > 0 else { throw .malformed }
        if ASCII.isDigit(t[0]) {
            if t.count >= 10, t[4] == 0x2D { return try iso8601(t, zone: zone) }
            if t.count >= 10, t.count <= 10 || t[10] == UInt8(ascii: ".") || t.allSatisfy(ASCII.isDigit) { return try epoch(t) }
            // `3/25/2020 08:02:11` style (month/day/year) from console exports.
            return try slashed(t, zone: zone)
        }
        return try nss(t, zone: zone)
    }

    /// `M/D/YYYY H:MM[:SS][ AM|PM]` — the US spelling some gateways' exports use.
    static func slashed(_ b: Bytes, zone: TimeZoneRules) throws(TimeError) -> Int64 {
        var nums: [Int] = []
        var i = 0, cur = -1
        var pm = false, am = false
        while i < b.count {
            let c = b[i]
            if ASCII.isDigit(c) { cur = (cur < 0 ? 0 : cur) * 10 + Int(c - 48); if cur > 9999 { throw .malformed } }
            else {
                if cur >= 0 { nums.append(cur); cur = -1 }
                if c == UInt8(ascii: "P") || c == UInt8(ascii: "p") { pm = true }
                else if c == UInt8(ascii: "A") || c == UInt8(ascii: "a") { am = true }
                else if c != UInt8(ascii: "/") && c != 0x3A && c != 0x20 && c != UInt8(ascii: "M") && c != UInt8(ascii: "m") { throw .malformed }
            }
            i += 1
        }
        if cur >= 0 { nums.append(cur) }
        guard nums.count >= 5, nums.count <= 6 else { throw .malformed }
        var h = nums[3]
        if pm && h < 12 { h += 12 }
        if am && h == 12 { h = 0 }
        return zone.utc(localSeconds: try civil(nums[2], nums[0], nums[1], h, nums[4], nums.count > 5 ? nums[5] : 0))
    }
}
