#if canImport(Glibc)
import Glibc
#endif

/// `zscaler-nss-csv`: a quoted CSV with a header of NSS field names or their SIEM spellings
/// (FORMATS.md §3a). The hot path of a large organisation: one in-place split of the fields
/// it needs, one time parse (cached per second), one hash of the login and one fact insert
/// per line.
public typealias NSSCSVParser = CSVParser<NSSCSVRows>

extension CSVParser where Reader == NSSCSVRows {
    public init() { self.init(NSSCSVRows()) }
}

public struct NSSCSVRows: CSVRowReader {
    private var time = -1, epoch = -1, user = -1, dept = -1, location = -1, tzColumn = -1
    public private(set) var fieldsNeeded = 0
    // The previous line's time text and instant: NSS lines come in time order, many per second.
    private var lastTime: [UInt8] = []
    private var lastInstant: Int64 = 0
    private var lastDay = 0
    /// Lines whose person is being looked up (`UserPipeline`).
    private var pipeline = UserPipeline()

    public static let unauthenticated = Reason("unauthenticated transaction")

    public init() {}

    public mutating func columns(_ h: CSVHeader) -> Bool {
        time = h.index("time", "datetime") ?? -1
        epoch = h.index("epochtime") ?? -1
        user = h.index("login", "user", "elogin") ?? -1
        dept = h.index("dept", "department", "edepartment") ?? -1
        location = h.index("location", "elocation") ?? -1
        tzColumn = h.index("tz") ?? -1
        fieldsNeeded = max(time, epoch, user, dept, location, tzColumn) + 1
        return (time >= 0 || epoch >= 0) && user >= 0
    }

    public mutating func row(_ fields: CSVFields, _ ctx: ParseContext) -> LineOutcome {
        let t: Int64
        if time >= 0 && fields[time].count > 0 {
            let text = fields[time]
            // (With a `tz` column the same text may mean another instant: no cache.)
            if tzColumn < 0, text.count == lastTime.count, text.count > 0,
               lastTime.withUnsafeBytes({ memcmp($0.baseAddress!, text.baseAddress!, text.count) }) == 0 {
                t = lastInstant
            } else {
                var zone = ctx.settings.sourceZones["proxy"] ?? TimeZoneRules.utc  // NSS stamps are UTC unless configured
                if tzColumn >= 0, let z = NSSZone.parse(fields[tzColumn]) { zone = z }
                do { t = try TimeParsing.nss(text, zone: zone) } catch { return .skipped(error.reason) }
                lastTime.removeAll(keepingCapacity: true)
                lastTime.append(contentsOf: text)
                lastInstant = t
                lastDay = ctx.day(t)
            }
        } else if epoch >= 0 && fields[epoch].count > 0 {
            do { t = try TimeParsing.epoch(fields[epoch]) } catch { return .skipped(error.reason) }
            lastTime.removeAll(keepingCapacity: true)
            lastInstant = t
            lastDay = ctx.day(t)
        } else {
            return .skipped(Reasons.noTime)
        }
        if let r = ctx.stampProblem(t) { return .skipped(r) }
        let login = NSSText.decoded(fields[user].trimmed())
        if NSSLogin.isAnonymous(login) { return .ignored(NSSCSVRows.unauthenticated) }
        let remote = location >= 0
            && ctx.settings.remoteLocations.contains(ctx.settings.hasher.hash(NSSText.decoded(fields[location]).trimmed()))
        pipeline.add(login: login, department: dept >= 0 ? NSSText.decoded(fields[dept]) : nil,
                     .init(t: t, day: lastDay, remote: remote), ctx)
        return .record
    }

    public mutating func flush(_ ctx: ParseContext) { pipeline.flush(ctx) }
}

/// NSS writes a field URL-encoded when the feed names its `e…` spelling (`%s{elocation}`,
/// `%s{edepartment}`, `%s{elogin}`), and SIEM feeds often do: `Road%20Warrior`,
/// `Financial%20Dept`, `jdoe%40corp.example`. A login, department or location holding a `%XX`
/// escape is decoded in place (the line's bytes belong to the parser while it reads the line;
/// a `%` not followed by two hex digits stays as it is). Fields without `%` cost one `memchr`.
public enum NSSText {
    @inline(__always)
    public static func decoded(_ b: Bytes) -> Bytes {
        guard b.count >= 3, let base = b.baseAddress, memchr(base, 0x25, b.count) != nil else { return b }
        return decode(b)
    }

    static func decode(_ b: Bytes) -> Bytes {
        let m = UnsafeMutableRawBufferPointer(mutating: b)
        var r = 0, w = 0
        let n = b.count
        while r < n {
            let c = b[r]
            if c == 0x25, r + 2 < n, let hi = hex(b[r + 1]), let lo = hex(b[r + 2]) {
                m[w] = hi << 4 | lo
                r += 3
            } else {
                m[w] = c
                r += 1
            }
            w += 1
        }
        return Bytes(rebasing: b[0..<w])
    }

    @inline(__always)
    static func hex(_ c: UInt8) -> UInt8? {
        if ASCII.isDigit(c) { return c - 48 }
        let l = ASCII.lower(c)
        return l &- 97 < 6 ? l - 87 : nil
    }
}

/// Logins that are not people (FORMATS.md §3).
public enum NSSLogin {
    @inline(__always)
    public static func isAnonymous(_ login: Bytes) -> Bool {
        login.count == 0 || login.equalsIgnoringCase("unknown") || login.equalsIgnoringCase("not available")
    }
}

/// The zone of an NSS record's `tz` field: an IANA name, `UTC`/`GMT`, or an offset
/// (`+0100`, `-05:00`, `GMT+01:00`).
public enum NSSZone {
    public static func parse(_ b: Bytes) -> TimeZoneRules? {
        let t = b.trimmed()
        guard t.count > 0 else { return nil }
        var s = t.string
        if s.uppercased().hasPrefix("GMT") || s.uppercased().hasPrefix("UTC") { s = String(s.dropFirst(3)) }
        if s.isEmpty { return .utc }
        if let f = s.first, f == "+" || f == "-" {
            let digits = s.dropFirst().filter(\.isNumber)
            guard digits.count == 4 || digits.count == 2, let v = Int(digits) else { return nil }
            let secs = digits.count == 4 ? (v / 100) * 3600 + (v % 100) * 60 : v * 3600
            return TimeZoneRules(fixedOffset: f == "-" ? -secs : secs)
        }
        return TimeZoneRules(identifier: s)
    }
}
