/// `asa-syslog`: Cisco ASA / Firepower (FTD) syslog, the AnyConnect session messages
/// (FORMATS.md §5). One line at a time, bytes only.
///
/// - `113039` (`Group <GP> User <jdoe> IP <1.2.3.4> AnyConnect parent session started.`) opens
///   a session: a start in `vpnStarts`, paired with its end later by the engine.
/// - `113019` (`Group = GP, Username = jdoe, IP = 1.2.3.4, Session disconnected. Session Type: SSL,
///   Duration: 1d 7h:32m:15s, ...`) is a whole session, [end − Duration, end); a `LAN-to-LAN`
///   one is a site-to-site tunnel, not a person, and is ignored.
/// - `722022`/`722023` (tunnel up/down, once per reconnect), `113029` (session refused: licence
///   limit) and every other message are ignored, not skipped.
///
/// What a line looks like (all of these occur on real devices):
/// `[<PRI>][Www ]Mmm [ ]d [yyyy ]hh:mm:ss[.fff][:] [host[:] | host : | prog[pid]: ...]%ASA-[class-]6-113039[:] message`,
/// or an ISO-8601 stamp (`2020-03-25T18:04:33+01:00`, RFC 5424's `<PRI>1 ` allowed before it).
/// A stamp without an offset is the device's wall clock, read in the `vpn` source zone.
///
/// The year of a year-less stamp: the configured year (`--year`, config) for the first line,
/// rolling over to the next year when the month jumps back by more than six (December →
/// January), and a line whose month jumps forward by more than six right after a rollover
/// (a late December line after January) taken as the previous year without moving the state.
/// With no configured year: the file's modification time — a stamp later than one day after
/// the modification time's local date and time belongs to the previous year (a day of slack
/// for clock skew between the device and the file system), and a `Jan 1` stamp of a file
/// modified on `Dec 31` to the next one. That rule is per line, so chunks of a split file agree.
public struct ASASyslogParser: RecordParser {
    // Ignored (readable, nothing to count): a small static set, tallied per file.
    public static let lanToLan = Reason("LAN-to-LAN tunnel")
    public static let tunnel = Reason("tunnel message, not a session")
    public static let sessionLimit = Reason("session refused: session limit reached")
    public static let otherMessage = Reason("other syslog message")
    public static let notASA = Reason("syslog line without an ASA/FTD message")
    // Skipped (unreadable).
    public static let noYear = Reason("year-less time stamp and no year known (set --year)")
    public static let badTag = Reason("malformed %ASA- message tag")
    public static let noSessionFields = Reason("session message without its User and IP fields")
    public static let badDuration = Reason("session end without a readable Duration")

    private let zone: TimeZoneRules
    private let hasher: IdentityHasher
    private let configuredYear: Int?
    private var fileModified: Int64?
    /// The modification time as a local wall clock (seconds since 1970 local) and its year.
    private var mtimeLocal: Int64 = 0, mtimeYear = 0
    private var mtimeKnown = false
    /// Rollover state of year-less stamps under a configured year.
    private var rollYear = 0, lastMonth = 0

    /// - Parameters:
    ///   - settings: the `vpn` source's zone and year are read from them.
    ///   - fileModified: the file's modification time (UTC epoch seconds), for year-less
    ///     stamps when no year is configured. nil: `ParseContext.fileModified` is used.
    public init(settings: IngestSettings, fileModified: Int64? = nil) {
        zone = settings.zone(for: "vpn")
        hasher = settings.hasher
        configuredYear = settings.year(for: "vpn")
        rollYear = configuredYear ?? 0
        self.fileModified = fileModified
    }

    /// The year state a store keeps between runs (the modification time first seen, the
    /// rollover), and its restoration.
    public var yearState: [Int64] {
        get { [fileModified ?? Int64.min, mtimeLocal, Int64(mtimeYear), mtimeKnown ? 1 : 0, Int64(rollYear), Int64(lastMonth)] }
        set {
            guard newValue.count == 6 else { return }
            fileModified = newValue[0] == Int64.min ? nil : newValue[0]
            mtimeLocal = newValue[1]; mtimeYear = Int(newValue[2]); mtimeKnown = newValue[3] != 0
            rollYear = Int(newValue[4]); lastMonth = Int(newValue[5])
        }
    }

    /// A later chunk of a split file gets the file's first line: it seeds the year rollover
    /// state, so a chunk that starts in January after a December first line rolls over.
    public mutating func adoptHeader(_ line: Line, _ ctx: ParseContext) {
        guard configuredYear != nil, lastMonth == 0 else { return }
        var s = Stamp()
        if case .ok = readStamp(Bytes(line), &s), s.year == nil, s.month > 0 { lastMonth = s.month }
    }

    public mutating func parse(_ line: Line, number: Int, _ ctx: ParseContext) -> LineOutcome {
        let b = Bytes(line)
        var s = Stamp()
        switch readStamp(b, &s) {
        case .blank: return .header
        case .failed(let r): return .skipped(r)
        case .ok: break
        }
        let t: Int64
        if let instant = s.instant {
            t = instant
        } else {
            var year = s.year ?? 0
            if s.year == nil {
                guard let y = yearOfYearless(s, ctx) else { return .skipped(ASASyslogParser.noYear) }
                year = y
            }
            let local: Int64
            do { local = try TimeParsing.civil(year, s.month, s.day, s.hour, s.minute, s.second) } catch {
                return .skipped(error.reason)
            }
            t = zone.utc(localSeconds: local)
        }

        // The message tag: `%ASA-6-113039:` / `%FTD-6-113039:` / `%ASA-vpn-6-113039:`.
        let n = b.count
        guard var i = ASASyslogParser.findTag(b, from: s.end) else { return .ignored(ASASyslogParser.notASA) }
        if let r = ctx.stampProblem(t, modified: fileModified) { return .skipped(r) }
        i += 5
        if i < n, !ASCII.isDigit(b[i]) {  // a message class (`vpn`, `session`) before the level
            while i < n, !ASCII.isDigit(b[i]), b[i] != 0x2D { i += 1 }
            guard i < n, b[i] == 0x2D else { return .skipped(ASASyslogParser.badTag) }
            i += 1
        }
        let sevStart = i
        while i < n, ASCII.isDigit(b[i]) { i += 1 }
        guard i > sevStart, i - sevStart <= 2, i < n, b[i] == 0x2D else { return .skipped(ASASyslogParser.badTag) }
        i += 1
        var id = 0
        let idStart = i
        while i < n, ASCII.isDigit(b[i]), i - idStart < 7 { id = id * 10 + Int(b[i] &- 48); i += 1 }
        guard i > idStart, i == n || b[i] == ASCII.colon || b[i] == ASCII.space else { return .skipped(ASASyslogParser.badTag) }
        if i < n, b[i] == ASCII.colon { i += 1 }
        while i < n, b[i] == ASCII.space { i += 1 }
        let msg = b.slice(i..<n)

        switch id {
        case 113_039: return sessionStart(msg, at: t, ctx)
        case 113_019: return sessionEnd(msg, at: t, ctx)
        case 722_022, 722_023: return .ignored(ASASyslogParser.tunnel)
        case 113_029: return .ignored(ASASyslogParser.sessionLimit)
        default: return .ignored(ASASyslogParser.otherMessage)
        }
    }

    /// The instant of the syslog header at the start of `b` and where the rest of the line starts,
    /// by the rules above (year-less stamps included): for other syslog parsers (OpenVPN).
    mutating func headerInstant(_ b: Bytes, _ ctx: ParseContext) -> Result<(Int64, Int), HeaderFailure> {
        var s = Stamp()
        switch readStamp(b, &s) {
        case .blank: return .failure(.blank)
        case .failed(let r): return .failure(.failed(r))
        case .ok: break
        }
        if let instant = s.instant { return .success((instant, s.end)) }
        var year = s.year ?? 0
        if s.year == nil {
            guard let y = yearOfYearless(s, ctx) else { return .failure(.failed(ASASyslogParser.noYear)) }
            year = y
        }
        do { return .success((zone.utc(localSeconds: try TimeParsing.civil(year, s.month, s.day, s.hour, s.minute, s.second)), s.end)) } catch {
            return .failure(.failed(error.reason))
        }
    }

    enum HeaderFailure: Error { case blank, failed(Reason) }

    // MARK: messages

    /// `Group <GP> User <jdoe> IP <1.2.3.4> AnyConnect parent session started.`, angle brackets
    /// optional (a bare group name may hold spaces: it ends at ` User `).
    private func sessionStart(_ m: Bytes, at t: Int64, _ ctx: ParseContext) -> LineOutcome {
        let n = m.count
        var i = 0
        if m.hasPrefix("Group ") {
            i = 6
            if i < n, m[i] == UInt8(ascii: "<") {
                guard let e = m.find("> User ", from: i + 1) else { return .skipped(ASASyslogParser.noSessionFields) }
                i = e + 2
            } else {
                guard let e = m.find(" User ", from: i) else { return .skipped(ASASyslogParser.noSessionFields) }
                i = e + 1
            }
        }
        guard m.slice(i..<n).hasPrefix("User ") else { return .skipped(ASASyslogParser.noSessionFields) }
        i += 5
        let user: Bytes
        if i < n, m[i] == UInt8(ascii: "<") {
            guard let e = m.find("> IP ", from: i + 1) ?? m.firstIndex(of: UInt8(ascii: ">"), from: i + 1) else {
                return .skipped(ASASyslogParser.noSessionFields)
            }
            user = m.slice((i + 1)..<e)
            i = e + 1
        } else {
            guard let e = m.find(" IP ", from: i) else { return .skipped(ASASyslogParser.noSessionFields) }
            user = m.slice(i..<e)
            i = e
        }
        guard let ip = ASASyslogParser.ipAfterUser(m, from: i) else { return .skipped(ASASyslogParser.noSessionFields) }
        let u = user.trimmed()
        guard u.count > 0 else { return .skipped(Reasons.missingUser) }
        let p = ctx.resolver.resolveAccount(u)
        ctx.acc.vpnStarts.insert(SessionFact(person: p.key, bu: p.bu, start: t, end: nil, tag: hasher.hash(ip)))
        ctx.acc.saw(t, family: .vpn, feed: Feeds.vpn, unit: p.bu)
        return .record
    }

    /// ` IP <1.2.3.4>` or ` IP 1.2.3.4` at `i`: the address.
    private static func ipAfterUser(_ m: Bytes, from start: Int) -> Bytes? {
        let n = m.count
        var i = start
        while i < n, m[i] == ASCII.space { i += 1 }
        guard m.slice(i..<n).hasPrefix("IP ") else { return nil }
        i += 3
        while i < n, m[i] == ASCII.space { i += 1 }
        if i < n, m[i] == UInt8(ascii: "<") {
            guard let e = m.firstIndex(of: UInt8(ascii: ">"), from: i + 1), e > i + 1 else { return nil }
            return m.slice((i + 1)..<e)
        }
        var e = i
        while e < n, m[e] != ASCII.space, m[e] != ASCII.comma { e += 1 }
        return e > i ? m.slice(i..<e) : nil
    }

    /// `Group = GP, Username = jdoe, IP = 1.2.3.4, Session disconnected. Session Type: SSL,
    /// Duration: 1d 7h:32m:15s, Bytes xmt: ..., Reason: ...`
    private func sessionEnd(_ m: Bytes, at t: Int64, _ ctx: ParseContext) -> LineOutcome {
        let n = m.count
        // Fields in the order the device writes them, each search starting where the last ended.
        let uk = m.find("Username = ")
        let ipk = uk.flatMap { m.find(", IP = ", from: $0 + 11) }
        let tk = m.find("Session Type: ", from: ipk ?? 0)
        if let tk, ASASyslogParser.upTo(ASCII.comma, m, from: tk + 14).trimmed().equalsIgnoringCase("LAN-to-LAN") {
            return .ignored(ASASyslogParser.lanToLan)
        }
        guard let uk, let ipk else { return .skipped(ASASyslogParser.noSessionFields) }
        let user = m.slice((uk + 11)..<ipk).trimmed()
        let ip = ASASyslogParser.upTo(ASCII.comma, m, from: ipk + 7).trimmed()
        guard user.count > 0 else { return .skipped(Reasons.missingUser) }
        guard ip.count > 0 else { return .skipped(ASASyslogParser.noSessionFields) }
        guard let dk = m.find("Duration: ", from: tk ?? ipk), let d = ASASyslogParser.duration(m.slice((dk + 10)..<n)) else {
            return .skipped(ASASyslogParser.badDuration)
        }
        if d > Reasons.maxClosedSession { return .skipped(Reasons.sessionTooLong) }
        let p = ctx.resolver.resolveAccount(user)
        ctx.acc.session(.vpn, SessionFact(person: p.key, bu: p.bu, start: t - d, end: t, tag: hasher.hash(ip)))
        ctx.acc.saw(t, family: .vpn, feed: Feeds.vpn, unit: p.bu)
        return .record
    }

    @inline(__always)
    private static func upTo(_ stop: UInt8, _ m: Bytes, from: Int) -> Bytes {
        let s = min(from, m.count)
        return m.slice(s..<(m.firstIndex(of: stop, from: s) ?? m.count))
    }

    /// Longer than any session (a hundred years): the Duration is junk.
    static let longestDuration: Int64 = 100 * 366 * 86_400

    /// `7h:32m:15s`, `1d 19h:41m:14s`, `0h:00m:12s` (each number at most nine digits, the
    /// last one seconds) up to the next comma: seconds, or nil.
    static func duration(_ b: Bytes) -> Int64? {
        let n = b.count
        var i = 0, total: Int64 = 0, lastUnit: UInt8 = 0
        while i < n {
            let c = b[i]
            if c == ASCII.comma { break }
            if c == ASCII.space || c == ASCII.colon { i += 1; continue }
            let s = i
            var v: Int64 = 0
            while i < n, ASCII.isDigit(b[i]), i - s < 9 { v = v * 10 + Int64(b[i] &- 48); i += 1 }
            guard i > s, i < n else { return nil }
            lastUnit = ASCII.lower(b[i])
            switch lastUnit {
            case UInt8(ascii: "d"): total += v * 86_400
            case UInt8(ascii: "h"): total += v * 3600
            case UInt8(ascii: "m"): total += v * 60
            case UInt8(ascii: "s"): total += v
            default: return nil
            }
            guard total <= ASASyslogParser.longestDuration else { return nil }  // no overflow on junk
            i += 1
        }
        return lastUnit == UInt8(ascii: "s") ? total : nil  // ASA always ends with seconds: else cut short
    }

    /// The first `%ASA-` or `%FTD-` at or after `from`.
    @inline(__always)
    static func findTag(_ b: Bytes, from: Int) -> Int? {
        let n = b.count
        var i = from
        while i + 5 <= n {
            if b[i] == 0x25 {  // %
                let a = b[i + 1], s = b[i + 2], c = b[i + 3]
                if b[i + 4] == 0x2D,
                   (a == UInt8(ascii: "A") && s == UInt8(ascii: "S") && c == UInt8(ascii: "A"))
                    || (a == UInt8(ascii: "F") && s == UInt8(ascii: "T") && c == UInt8(ascii: "D")) { return i }
            }
            i += 1
        }
        return nil
    }

    // MARK: time stamps

    struct Stamp {
        var month = 0, day = 0, hour = 0, minute = 0, second = 0
        var year: Int?
        /// Set when the stamp was exact (ISO-8601 with an offset) or already read in the zone.
        var instant: Int64?
        /// Where the rest of the line starts.
        var end = 0
    }

    enum StampResult { case ok, blank, failed(Reason) }

    /// Reads the syslog header up to the end of the time stamp.
    private func readStamp(_ b: Bytes, _ s: inout Stamp) -> StampResult {
        let n = b.count
        var i = 0
        while i < n, b[i] == ASCII.space || b[i] == ASCII.tab { i += 1 }
        if i == n { return .blank }
        if b[i] == UInt8(ascii: "<") {  // <PRI>
            var j = i + 1
            while j < n, j - i <= 3, ASCII.isDigit(b[j]) { j += 1 }
            if j > i + 1, j < n, b[j] == UInt8(ascii: ">") { i = j + 1 }
        }
        if i + 1 < n, b[i] == UInt8(ascii: "1"), b[i + 1] == ASCII.space { i += 2 }  // RFC 5424 version
        guard i < n else { return .failed(Reasons.noTime) }
        if ASCII.isDigit(b[i]) { return readISO(b, from: i, &s) }
        // An optional weekday (`Wed Mar 25 ...`).
        if TimeParsing.month(b, i) == nil, ASASyslogParser.isWeekday(b, i), i + 4 < n, b[i + 3] == ASCII.space { i += 4 }
        guard let mo = TimeParsing.month(b, i), i + 3 < n, b[i + 3] == ASCII.space else { return .failed(Reasons.noTime) }
        i += 4
        if i < n, b[i] == ASCII.space { i += 1 }  // `Mar  5`
        var d = 0
        let ds = i
        while i < n, ASCII.isDigit(b[i]), i - ds < 2 { d = d * 10 + Int(b[i] &- 48); i += 1 }
        guard i > ds, i < n, b[i] == ASCII.space else { return .failed(Reasons.noTime) }
        i += 1
        // From here on it is a stamp, malformed or not.
        if let y = TimeParsing.digits(b, i, 4), i + 4 < n, b[i + 4] == ASCII.space {
            s.year = y
            i += 5
        }
        var h = 0
        let hs = i
        while i < n, ASCII.isDigit(b[i]), i - hs < 2 { h = h * 10 + Int(b[i] &- 48); i += 1 }
        guard i > hs, i < n, b[i] == ASCII.colon, let mi = TimeParsing.digits(b, i + 1, 2), i + 3 < n, b[i + 3] == ASCII.colon,
              let sec = TimeParsing.digits(b, i + 4, 2) else { return .failed(Reasons.badTime) }
        i += 6
        if i < n, b[i] == UInt8(ascii: ".") {  // fractional seconds
            i += 1
            while i < n, ASCII.isDigit(b[i]) { i += 1 }
        }
        if i < n, b[i] == ASCII.colon { i += 1 }  // `May  5 17:51:17: %ASA-...`
        guard i == n || b[i] == ASCII.space else { return .failed(Reasons.badTime) }
        guard d >= 1, d <= 31 else { return .failed(Reasons.impossibleDate) }
        s.month = mo; s.day = d; s.hour = h; s.minute = mi; s.second = sec
        s.end = i
        return .ok
    }

    /// `2020-03-25T18:04:33[.fff][Z|±hh:mm]` up to the next space (a trailing `:` dropped).
    private func readISO(_ b: Bytes, from start: Int, _ s: inout Stamp) -> StampResult {
        let n = b.count
        var e = start
        while e < n, b[e] != ASCII.space { e += 1 }
        var tokenEnd = e
        if tokenEnd > start, b[tokenEnd - 1] == ASCII.colon { tokenEnd -= 1 }
        let token = b.slice(start..<tokenEnd)
        guard token.count >= 10, token[4] == 0x2D else { return .failed(Reasons.noTime) }
        do { s.instant = try TimeParsing.iso8601(token, zone: zone) } catch { return .failed(error.reason) }
        s.end = e
        return .ok
    }

    @inline(__always)
    private static func isWeekday(_ b: Bytes, _ i: Int) -> Bool {
        guard i + 3 <= b.count else { return false }
        let k = UInt32(ASCII.lower(b[i])) << 16 | UInt32(ASCII.lower(b[i + 1])) << 8 | UInt32(ASCII.lower(b[i + 2]))
        switch k {
        case 0x6D6F6E, 0x747565, 0x776564, 0x746875, 0x667269, 0x736174, 0x73756E: return true  // mon … sun
        default: return false
        }
    }

    /// The year of a stamp that carries none (see the type's documentation), or nil when
    /// neither a year nor the file's modification time is known.
    private mutating func yearOfYearless(_ s: Stamp, _ ctx: ParseContext) -> Int? {
        if configuredYear != nil {
            if lastMonth == 0 {
                lastMonth = s.month
            } else if s.month < lastMonth - 6 {
                rollYear += 1
                lastMonth = s.month
            } else if s.month > lastMonth + 6 {
                return rollYear - 1  // a straggler from before the rollover
            } else {
                lastMonth = s.month
            }
            return rollYear
        }
        if !mtimeKnown {
            guard let m = fileModified ?? ctx.fileModified else { return nil }
            mtimeLocal = m + zone.offset(atUTC: m)
            let day = mtimeLocal >= 0 ? mtimeLocal / 86_400 : (mtimeLocal - 86_399) / 86_400
            mtimeYear = CivilDate(daysSinceEpoch: Int(day)).components.year
            mtimeKnown = true
        }
        let limit = mtimeLocal + 86_400
        let sod = Int64(s.hour * 3600 + s.minute * 60 + s.second)
        func local(_ y: Int) -> Int64 { Int64(CivilDate(year: y, month: s.month, day: s.day).day) * 86_400 + sod }
        if local(mtimeYear) > limit { return mtimeYear - 1 }
        if local(mtimeYear + 1) <= limit { return mtimeYear + 1 }
        return mtimeYear
    }
}
