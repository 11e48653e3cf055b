/// `teams-attendance`: a Teams meeting attendance report as the organizer downloads it — one
/// meeting per file, UTF-16LE with a byte-order mark and tab-separated as Teams writes it, or
/// re-saved (Excel) as UTF-8 with `,` or `;`. Three layouts, in the Teams UI's language
/// (English and French headers are known, matched case-insensitively):
/// - 2020 list: `Full Name / User Action / Timestamp`, one row per join or leave;
/// - 2021 report: a summary (`Meeting Summary` / `*Résumé de la réunion`, start and end time)
///   then `Full Name / Join Time / Leave Time / Duration / Email / Role`;
/// - 2022 report: `1. Summary` (title, start, end), `2. Participants` (`Name / First Join /
///   Last Leave / ... / Email / Participant ID (UPN) / Role`), `3. In-Meeting Activities`.
///
/// Each participant row makes its person (UPN, else e-mail, else the name as written) a
/// `meetings.users` user of the local day they joined; the report is one meeting, counted on
/// the day it starts for its organizer's BU (the `Role` organizer, else the first row), lasting
/// from the summary's start to its end (without a summary: the first to the last time in the
/// rows), with its distinct participants. The meeting id is the summary's (meeting id, else
/// start time, title and organizer), else the first row (the meeting's first join): the same
/// report read twice, or downloaded again later, is one meeting.
///
/// Dates have no zone: they are read in the zone of the `meetings` source (default `--tz`).
/// Their order (day/month or month/day) is the file's: a field above 12 decides it; otherwise
/// a 12-hour clock (`AM`/`PM`) means month first (en-US) and a 24-hour clock day first.
public struct TeamsAttendanceParser: RecordParser {
    static let badRow = Reason("attendance row without a participant")
    static let noHeader = Reasons.noHeader
    static let activityRow = Reason("in-meeting activity of a participant listed above")

    enum Role { case name, action, timestamp, join, leave, email, upn, role }

    private var columns: [Role: Int] = [:]
    private var separator: UInt8 = ASCII.tab
    /// Day first (`13/04/2021`) or month first (`4/13/2021`), decided for the whole file.
    public var dayFirst = true

    // The meeting, as the file tells it.
    private var summaryStart: Int64?
    private var summaryEnd: Int64?
    private var summaryID: UInt64?
    private var titleHash: UInt64?
    private var startHash: UInt64?
    private var firstRowHash: UInt64?
    /// The participant rows read: who (and the hash of how the row names them), when, organizer.
    private var rows: [(person: Person, who: UInt64, t0: Int64, t1: Int64, organizer: Bool)] = []
    /// In the 2022 layout's third section, which details the participants of the second.
    private var inActivities = false

    public init(dayFirst: Bool = true) { self.dayFirst = dayFirst }

    public mutating func parse(_ line: Line, number: Int, _ ctx: ParseContext) -> LineOutcome {
        let text = Bytes(line).trimmedAll()
        if text.count == 0 { return .header }
        if let sep = TeamsAttendanceParser.headerSeparator(text) {
            let fields = TeamsAttendanceParser.split(text, sep)
            if let roles = TeamsAttendanceParser.roles(fields.map { text.slice($0) }) {
                columns = roles
                separator = sep
                return .header
            }
        }
        if columns.isEmpty {
            // The report's heading: a summary, section titles.
            return summaryLine(text, ctx) ? .header : .skipped(TeamsAttendanceParser.noHeader)
        }
        if TeamsAttendanceParser.firstSeparator(text) == nil && TeamsAttendanceParser.isHeading(text) {
            // `3. In-Meeting Activities`: each join and leave of the participants listed above.
            if text.string.lowercased().contains("activit") { inActivities = true }
            return .header
        }
        if inActivities && !rows.isEmpty { return .ignored(TeamsAttendanceParser.activityRow) }
        return row(text, ctx)
    }

    /// A summary line (`Meeting Start Time<TAB>...`) or a section heading: noted, and true.
    mutating func summaryLine(_ text: Bytes, _ ctx: ParseContext) -> Bool {
        guard let sep = TeamsAttendanceParser.firstSeparator(text) else { return TeamsAttendanceParser.isHeading(text) }
        let fields = TeamsAttendanceParser.split(text, sep)
        guard fields.count >= 2 else { return false }
        let key = TeamsAttendanceParser.unquote(text.slice(fields[0])).string.lowercased()
        let value = TeamsAttendanceParser.unquote(text.slice(fields[1])).trimmedAll()
        switch TeamsAttendanceParser.summaryKey(key) {
        case .start?:
            if let t = try? AttendanceStamp.parse(value, dayFirst: dayFirst, zone: ctx.settings.zone(for: "meetings")) { summaryStart = t }
            startHash = ctx.settings.hasher.hash(value)
        case .end?:
            if let t = try? AttendanceStamp.parse(value, dayFirst: dayFirst, zone: ctx.settings.zone(for: "meetings")) { summaryEnd = t }
        case .title?:
            titleHash = ctx.settings.hasher.hash(value)
        case .id?:
            if value.count > 0 { summaryID = ctx.settings.hasher.hash(value) }
        case .other?:
            break
        case nil:
            return false
        }
        return true
    }

    mutating func row(_ text: Bytes, _ ctx: ParseContext) -> LineOutcome {
        let fields = TeamsAttendanceParser.split(text, separator)
        func field(_ r: Role) -> Bytes? {
            guard let i = columns[r], i < fields.count else { return nil }
            let v = TeamsAttendanceParser.unquote(text.slice(fields[i])).trimmedAll()
            return v.count > 0 ? v : nil
        }
        let zone = ctx.settings.zone(for: "meetings")
        guard let first = field(.timestamp) ?? field(.join) else { return .skipped(Reasons.noTime) }
        let t0: Int64, t1: Int64
        do throws(TimeError) {
            t0 = try AttendanceStamp.parse(first, dayFirst: dayFirst, zone: zone)
            t1 = try field(.leave).map { l throws(TimeError) in try AttendanceStamp.parse(l, dayFirst: dayFirst, zone: zone) } ?? t0
        } catch {
            return .skipped(error.reason)
        }
        guard t1 >= t0 else { return .skipped(CallRecordsParser.endsBeforeStart) }
        if let r = ctx.stampProblem(t1, from: t0) { return .skipped(r) }
        let p: Person
        guard let named = field(.upn) ?? field(.email) ?? field(.name) else { return .skipped(TeamsAttendanceParser.badRow) }
        if let id = field(.upn) ?? field(.email) {
            // An e-mail the directory does not know (not the UPN) may still be a display name it does.
            if ctx.resolver.directory.lookup(id) == nil, let name = field(.name), let q = ctx.resolver.displayNamed(name) {
                p = q
            } else {
                p = ctx.resolver.resolve(id)
            }
        } else {
            p = ctx.resolver.resolveName(named)  // the directory's display_name, when one person has it
        }
        let organizer = field(.role).map(TeamsAttendanceParser.isOrganizer) ?? false
        if firstRowHash == nil { firstRowHash = ctx.settings.hasher.hash(text) }
        rows.append((p, ctx.settings.hasher.hash(named), t0, t1, organizer))
        return .record
    }

    /// Adds the meeting and its people once every line is read.
    public mutating func finish(_ ctx: ParseContext) {
        guard !rows.isEmpty else { return }
        // The summary's times, unless they are far from the rows' (a misread summary).
        let first = rows.map(\.t0).min()!, last = rows.map(\.t1).max()!
        let start = summaryStart.flatMap { abs($0 - first) <= 86_400 ? $0 : nil } ?? first
        var end = max(summaryEnd.flatMap { abs($0 - last) <= 86_400 ? $0 : nil } ?? last, start)
        if end - start > Reasons.maxClosedSession { end = max(last, start) }
        // The summary's id; else its start time (and title); else the first row.
        // Two meetings may start in the same second under the same title: the organizer too.
        let organizer = rows.first(where: \.organizer) ?? rows[0]
        let fromSummary = startHash.map { (($0 &* 31 &+ (titleHash ?? 0)) &* 31 &+ organizer.who) ^ 0x7465_616D_7361_7474 }
        guard let id = summaryID ?? fromSummary ?? firstRowHash else { return }
        let day = ctx.day(start)
        var people = Set<UInt64>()
        for r in rows {
            ctx.acc.user(.meetingsUsers, at: r.t0, day: ctx.day(r.t0), r.person)
            people.insert(r.person.key)
            ctx.acc.saw(r.t1, feed: Feeds.meetings, unit: r.person.bu)
        }
        let m = MeetingFact(day: Int32(truncatingIfNeeded: day), bu: organizer.person.bu,
                            seconds: Int32(clamping: end - start), participants: Int32(clamping: people.count), start: start)
        for k in people.sorted() { ctx.acc.participation(id: id, m, person: k, start: start) }
        rows = []
    }

    // MARK: Layout

    static func isOrganizer(_ b: Bytes) -> Bool {
        let s = b.string.lowercased()
        return s.hasPrefix("organi")  // Organizer, Organiser, Organisateur, Organisator, Organizador
    }

    static func isHeading(_ b: Bytes) -> Bool {
        let s = b.string.lowercased()
        return s.contains("summary") || s.contains("résumé") || s.contains("participants") || s.contains("activities")
            || s.contains("activités")
    }

    enum SummaryKey { case start, end, title, id, other }

    static func summaryKey(_ k: String) -> SummaryKey? {
        let key = k.trimmingCharacters(in: .whitespaces)
        switch key {
        case "meeting start time", "start time", "heure de début de la réunion", "heure de début", "startzeit", "hora de inicio":
            return .start
        case "meeting end time", "end time", "heure de fin de la réunion", "heure de fin", "endzeit", "hora de finalización":
            return .end
        case "meeting title", "titre de la réunion", "besprechungstitel", "título de la reunión": return .title
        case "meeting id", "id de la réunion", "id de réunion", "besprechungs-id": return .id
        default:
            // Counts and durations of the summary (`Total Number of Participants`, `Meeting
            // duration`, `Average attendance time`, ...).
            let known = ["participant", "duration", "durée", "attendance", "participation", "nombre", "number", "dauer", "teilnehmer"]
            return known.contains(where: key.contains) ? .other : nil
        }
    }

    /// The role of each header field, when the line is a participants' header: a name and
    /// either a timestamp or a join time.
    static func roles(_ fields: [Bytes]) -> [Role: Int]? {
        var out: [Role: Int] = [:]
        for (i, f) in fields.enumerated() {
            let name = unquote(f).string.lowercased().trimmingCharacters(in: .whitespaces)
            let role: Role?
            switch name {
            case "full name", "name", "nom complet", "nom", "nama", "vollständiger name", "nombre completo", "nome completo":
                role = .name
            case "user action", "action", "action de l'utilisateur", "action de l’utilisateur", "benutzeraktion", "acción del usuario":
                role = .action
            case "timestamp", "horodatage", "zeitstempel", "marca de tiempo", "date et heure":
                role = .timestamp
            case "join time", "first join", "heure d'arrivée", "heure d’arrivée", "première arrivée", "première participation",
                 "beitrittszeit", "erster beitritt", "hora de unión", "join":
                role = .join
            case "leave time", "last leave", "heure de départ", "dernier départ", "verlassenszeit", "letztes verlassen",
                 "hora de salida", "leave":
                role = .leave
            case "email", "e-mail", "adresse e-mail", "courrier", "correo electrónico":
                role = .email
            case "role", "rôle", "rolle", "rol", "ruolo":
                role = .role
            default:
                role = name.contains("(upn)") ? .upn : nil
            }
            if let role, out[role] == nil { out[role] = i }
        }
        guard out[.name] != nil, out[.timestamp] != nil || out[.join] != nil else { return nil }
        return out
    }

    /// The separator of a line that may be a header: a tab, else `;`, else `,`.
    static func headerSeparator(_ b: Bytes) -> UInt8? { firstSeparator(b) }

    static func firstSeparator(_ b: Bytes) -> UInt8? {
        if b.firstIndex(of: ASCII.tab) != nil { return ASCII.tab }
        if b.firstIndex(of: UInt8(ascii: ";")) != nil { return UInt8(ascii: ";") }
        if b.firstIndex(of: ASCII.comma) != nil { return ASCII.comma }
        return nil
    }

    /// Field ranges of a line, `sep` outside double quotes.
    static func split(_ b: Bytes, _ sep: UInt8) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var from = 0, quoted = false
        for i in 0..<b.count {
            let c = b[i]
            if c == ASCII.quote { quoted.toggle() }
            else if c == sep && !quoted { out.append(from..<i); from = i + 1 }
        }
        out.append(from..<b.count)
        return out
    }

    /// A field without its surrounding quotes and blanks (a doubled quote inside stays).
    static func unquote(_ b: Bytes) -> Bytes {
        let t = b.trimmedAll()
        if t.count >= 2, t[0] == ASCII.quote, t[t.count - 1] == ASCII.quote { return t.slice(1..<(t.count - 1)).trimmedAll() }
        return t
    }

    // MARK: Date order

    /// Day first (true) or month first (false), from every `a/b/yyyy` date of the (UTF-8)
    /// text: a first field above 12 means day first, a second above 12 month first; else a
    /// 12-hour clock means month first; else day first.
    public static func dayFirst(_ text: [UInt8]) -> Bool {
        var nums: [Int] = []
        var cur = -1
        var twelveHour = false
        var i = 0
        func flush() {
            if cur >= 0 { nums.append(cur) }
            cur = -1
        }
        while i < text.count {
            let c = text[i]
            if ASCII.isDigit(c) {
                cur = min((cur < 0 ? 0 : cur) * 10 + Int(c - 48), 100_000)
            } else if c == UInt8(ascii: "/") || c == UInt8(ascii: ".") {
                flush()
                if nums.count > 3 { nums.removeFirst(nums.count - 3) }
            } else {
                flush()
                if nums.count >= 3 {
                    let a = nums[nums.count - 3], b = nums[nums.count - 2]
                    if a > 12 && a <= 31 && b <= 12 { return true }
                    if b > 12 && b <= 31 && a <= 12 { return false }
                }
                nums = []
                if (c == UInt8(ascii: "M") || c == UInt8(ascii: "m")) && i > 0 {
                    let p = ASCII.lower(text[i - 1])
                    if (p == UInt8(ascii: "a") || p == UInt8(ascii: "p")) && (i + 1 == text.count || !isLetter(text[i + 1]))
                        && (i < 2 || !isLetter(text[i - 2])) { twelveHour = true }
                }
            }
            i += 1
        }
        return !twelveHour
    }

    @inline(__always) static func isLetter(_ c: UInt8) -> Bool { ASCII.lower(c) &- 97 < 26 || c >= 0x80 }
}

/// The time stamps of attendance reports: `13/04/2021 à 09:01:31`, `11/12/2020, 12:27:24`,
/// `3/4/22, 9:01:31 AM`, `13.4.2021 09:01`, or ISO `2021-04-13 09:01:31`; no zone.
enum AttendanceStamp {
    static func parse(_ b: Bytes, dayFirst: Bool, zone: TimeZoneRules) throws(TimeError) -> Int64 {
        let t = b.trimmedAll()
        if t.count >= 10, ASCII.isDigit(t[0]), t[4] == 0x2D { return try TimeParsing.iso8601(t, zone: zone) }
        var nums: [Int] = []
        var cur = -1, digits = 0
        var pm = false, am = false
        var firstDigits = 0
        var i = 0
        while i < t.count {
            let c = t[i]
            if ASCII.isDigit(c) {
                cur = (cur < 0 ? 0 : cur) * 10 + Int(c - 48); digits += 1
                if digits > 4 { throw .malformed }
            } else {
                if cur >= 0 {
                    if nums.isEmpty { firstDigits = digits }
                    nums.append(cur); cur = -1; digits = 0
                }
                let l = ASCII.lower(c)
                if (l == UInt8(ascii: "a") || l == UInt8(ascii: "p")) && i + 1 < t.count && ASCII.lower(t[i + 1]) == UInt8(ascii: "m") {
                    if l == UInt8(ascii: "p") { pm = true } else { am = true }
                    i += 1
                }
            }
            i += 1
        }
        if cur >= 0 { if nums.isEmpty { firstDigits = digits }; nums.append(cur) }
        guard nums.count == 5 || nums.count == 6, firstDigits <= 2 else { throw .malformed }
        var y = nums[2]
        if y < 100 { y += 2000 }
        let d = dayFirst ? nums[0] : nums[1], mo = dayFirst ? nums[1] : nums[0]
        var h = nums[3]
        if pm || am {
            guard (1...12).contains(h) else { throw .malformed }
            if pm && h < 12 { h += 12 }
            if am && h == 12 { h = 0 }
        }
        return zone.utc(localSeconds: try TimeParsing.civil(y, mo, d, h, nums[4], nums.count > 5 ? nums[5] : 0))
    }
}

extension UnsafeRawBufferPointer {
    /// The slice without leading and trailing blanks: spaces, tabs, CR, and U+00A0 (no-break
    /// space, which localised reports put in durations and dates).
    func trimmedAll() -> UnsafeRawBufferPointer {
        var s = 0, e = count
        while s < e {
            if self[s] == ASCII.space || self[s] == ASCII.tab || self[s] == ASCII.cr { s += 1; continue }
            if self[s] == 0xC2 && s + 1 < e && self[s + 1] == 0xA0 { s += 2; continue }
            break
        }
        while e > s {
            if self[e - 1] == ASCII.space || self[e - 1] == ASCII.tab || self[e - 1] == ASCII.cr { e -= 1; continue }
            if e - 2 >= s && self[e - 2] == 0xC2 && self[e - 1] == 0xA0 { e -= 2; continue }
            break
        }
        return UnsafeRawBufferPointer(rebasing: self[s..<e])
    }
}

/// Reads a whole attendance report: collects its bytes (fed in chunks split anywhere), decodes
/// UTF-16 (LE or BE, by its byte-order mark, or LE by the zero bytes of ASCII text) into
/// UTF-8, drops a UTF-8 byte-order mark, decides the file's date order, then parses it line by
/// line with `TeamsAttendanceParser` and adds the meeting.
public struct TeamsAttendanceReader {
    /// Larger files are not attendance reports (a meeting of 2,000 people is ~200 KB).
    public static let maxBytes = 64 << 20
    static let tooLarge = Reason("attendance report larger than 64 MiB")

    private var bytes: [UInt8] = []
    private var overflow = false

    public init() {}

    public mutating func feed(_ chunk: UnsafeRawBufferPointer) {
        guard !overflow else { return }
        if bytes.count + chunk.count > TeamsAttendanceReader.maxBytes { overflow = true; bytes = []; return }
        bytes.append(contentsOf: chunk)
    }

    /// Parses what was fed; every line accounted for.
    public mutating func finish(_ ctx: ParseContext) -> FileAccount {
        var account = FileAccount()
        if overflow { account.fileError = TeamsAttendanceReader.tooLarge.text; return account }
        var text = TextDecoding.utf8(bytes)
        var parser = TeamsAttendanceParser(dayFirst: TeamsAttendanceParser.dayFirst(text))
        var framer = LineFramer()
        text.withUnsafeMutableBytes { raw in
            framer.feed(raw, { line, n in account.count(parser.parse(line, number: n, ctx), line: n) },
                        overlong: { n in account.count(.skipped(Reasons.lineTooLong), line: n) })
        }
        framer.finish({ line, n in account.count(parser.parse(line, number: n, ctx), line: n) },
                      overlong: { n in account.count(.skipped(Reasons.lineTooLong), line: n) })
        parser.finish(ctx)
        return account
    }
}

/// Text files in other encodings, as UTF-8 bytes.
public enum TextDecoding {
    /// UTF-16 by its byte-order mark (`FF FE` little-endian, `FE FF` big-endian), or
    /// little-endian without one when most odd bytes of the start are zero (ASCII text); a
    /// UTF-8 byte-order mark dropped; anything else as it is. Unpaired surrogates become U+FFFD;
    /// an odd last byte is dropped.
    public static func utf8(_ b: [UInt8]) -> [UInt8] {
        if b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF { return Array(b[3...]) }
        if b.count >= 2 && b[0] == 0xFF && b[1] == 0xFE { return fromUTF16(b, from: 2, littleEndian: true) }
        if b.count >= 2 && b[0] == 0xFE && b[1] == 0xFF { return fromUTF16(b, from: 2, littleEndian: false) }
        if looksUTF16LE(b) { return fromUTF16(b, from: 0, littleEndian: true) }
        return b
    }

    /// No byte-order mark, but ASCII text in UTF-16LE: most odd bytes of the first 64 are 0
    /// and no even one is.
    static func looksUTF16LE(_ b: [UInt8]) -> Bool {
        let n = min(b.count, 64) & ~1
        guard n >= 8 else { return false }
        var zeroOdd = 0
        for i in stride(from: 0, to: n, by: 2) {
            if b[i] == 0 { return false }
            if b[i + 1] == 0 { zeroOdd += 1 }
        }
        return zeroOdd * 4 >= (n / 2) * 3
    }

    public static func fromUTF16(_ b: [UInt8], from: Int, littleEndian: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((b.count - from) / 2 + 16)
        var i = from
        @inline(__always) func unit(_ k: Int) -> UInt32 {
            littleEndian ? UInt32(b[k]) | UInt32(b[k + 1]) << 8 : UInt32(b[k]) << 8 | UInt32(b[k + 1])
        }
        func put(_ v: UInt32) {
            switch v {
            case 0..<0x80: out.append(UInt8(v))
            case 0x80..<0x800: out.append(UInt8(0xC0 | v >> 6)); out.append(UInt8(0x80 | v & 0x3F))
            case 0x800..<0x10000:
                out.append(UInt8(0xE0 | v >> 12)); out.append(UInt8(0x80 | (v >> 6) & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
            default:
                out.append(UInt8(0xF0 | v >> 18)); out.append(UInt8(0x80 | (v >> 12) & 0x3F))
                out.append(UInt8(0x80 | (v >> 6) & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
            }
        }
        while i + 1 < b.count {
            let u = unit(i)
            i += 2
            if u >= 0xD800 && u < 0xDC00 {
                if i + 1 < b.count {
                    let low = unit(i)
                    if low >= 0xDC00 && low < 0xE000 {
                        i += 2
                        put(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00))
                        continue
                    }
                }
                put(0xFFFD)
            } else if u >= 0xDC00 && u < 0xE000 {
                put(0xFFFD)
            } else {
                put(u)
            }
        }
        return out
    }
}
