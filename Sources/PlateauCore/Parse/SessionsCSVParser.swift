/// `sessions-csv`: session tables exported by virtual-desktop gateways (FORMATS.md §6):
/// user, start, end (empty while open), optional host and `source` (metric family).
public struct SessionsCSVParser: RecordParser {
    private var fields = CSVFields()
    private var haveHeader = false
    private var user = -1, start = -1, end = -1, source = -1, department = -1

    static let endsBeforeStart = Reason("session ends before it starts")
    static let unknownSource = Reason("unknown session source")

    public init() {}

    public mutating func adoptHeader(_ line: Line, _ ctx: ParseContext) { _ = readHeader(line) }

    private mutating func readHeader(_ line: Line) -> Bool {
        guard fields.split(line) else { return false }
        let h = CSVHeader(fields)
        user = h.index("user", "username", "upn") ?? -1
        start = h.index("start", "logon_start", "logonstartdate") ?? -1
        end = h.index("end", "logoff", "logonenddate") ?? -1
        source = h.index("source") ?? -1
        department = h.index("department", "dept", "business_unit") ?? -1
        haveHeader = true
        return user >= 0 && start >= 0
    }

    public mutating func parse(_ line: Line, number: Int, _ ctx: ParseContext) -> LineOutcome {
        if line.count == 0 { return .header }
        if !haveHeader { return readHeader(line) ? .header : .skipped(Reasons.noHeader) }
        guard fields.split(line) else { return .skipped(Reasons.unterminatedQuote) }
        guard fields.count > max(user, start) else { return .skipped(Reasons.missingColumns) }
        var family = SessionFamily.vdi
        if source >= 0 {
            let s = fields[source].trimmed()
            if s.count > 0 {
                guard let f = SessionFamily(name: s.string) else { return .skipped(SessionsCSVParser.unknownSource) }
                family = f
            }
        }
        return SessionRow.add(user: fields[user], start: fields[start], end: end >= 0 ? fields[end] : nil,
                              department: department >= 0 ? fields[department] : nil, family: family,
                              zone: ctx.settings.zone(for: "vdi"), ctx)
    }
}

/// One session row (sessions CSV and custom session sources).
enum SessionRow {
    static func add(user: Bytes, start: Bytes, end: Bytes?, department: Bytes?, family: SessionFamily,
                    zone: TimeZoneRules, tag: UInt64 = 0, _ ctx: ParseContext) -> LineOutcome {
        let u = user.trimmed()
        guard u.count > 0 else { return .skipped(Reasons.missingUser) }
        let s: Int64
        do { s = try TimeParsing.any(start, zone: zone) } catch { return .skipped(error.reason) }
        var e: Int64?
        if let end, end.trimmed().count > 0 {
            do { e = try TimeParsing.any(end, zone: zone) } catch { return .skipped(error.reason) }
            if e! < s { return .skipped(SessionsCSVParser.endsBeforeStart) }
        }
        let p = ctx.resolver.resolve(u, department: department)
        ctx.acc.session(family, SessionFact(person: p.key, bu: p.bu, start: s, end: e, tag: tag))
        ctx.acc.saw(s, family: family)
        if let e { ctx.acc.saw(e, family: family) }
        return .record
    }
}
