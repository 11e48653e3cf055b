/// `sessions-csv`: session tables exported by virtual-desktop gateways (FORMATS.md §6):
/// user, start, end (empty while open), optional host and `source` (metric family).
public typealias SessionsCSVParser = CSVParser<SessionsCSVRows>

extension CSVParser where Reader == SessionsCSVRows {
    public init() { self.init(SessionsCSVRows()) }
}

public struct SessionsCSVRows: CSVRowReader {
    private var user = -1, start = -1, end = -1, source = -1, department = -1
    public private(set) var fieldsNeeded = 0
    /// The optional trailing `source` and `department` may be left out of a row.
    public private(set) var fieldsRequired = 0

    static let endsBeforeStart = Reason("session ends before it starts")
    static let unknownSource = Reason("unknown session source")

    public init() {}

    public mutating func columns(_ h: CSVHeader) -> Bool {
        user = h.index("user", "username", "upn") ?? -1
        start = h.index("start", "logon_start", "logonstartdate") ?? -1
        end = h.index("end", "logoff", "logonenddate") ?? -1
        source = h.index("source") ?? -1
        department = h.index("department", "dept", "business_unit") ?? -1
        fieldsNeeded = max(user, start, end, source, department) + 1
        fieldsRequired = max(user, start, end) + 1  // an open session has an empty end, not none
        return user >= 0 && start >= 0
    }

    public mutating func row(_ fields: CSVFields, _ ctx: ParseContext) -> LineOutcome {
        guard user >= 0, start >= 0 else { return .skipped(Reasons.missingColumns) }
        var family = SessionFamily.vdi
        if source >= 0 {
            let s = fields[source].trimmed()
            if s.count > 0 {
                guard let f = SessionFamily(name: s.string) else { return .skipped(SessionsCSVRows.unknownSource) }
                family = f
            }
        }
        return SessionRow.add(user: fields[user], start: fields[start], end: end >= 0 ? fields[end] : nil,
                              department: department >= 0 ? fields[department] : nil, family: family,
                              feed: Feeds.slot(family), zone: ctx.settings.zone(for: "vdi"), ctx)
    }
}

/// One session row (sessions CSV and custom session sources).
enum SessionRow {
    /// `feed`: the `Feeds` slot of the row's source (its family's, or a custom source's).
    static func add(user: Bytes, start: Bytes, end: Bytes?, department: Bytes?, family: SessionFamily, feed: Int,
                    zone: TimeZoneRules, tag: UInt64 = 0, _ ctx: ParseContext) -> LineOutcome {
        let u = user.trimmed()
        guard u.count > 0 else { return .skipped(Reasons.missingUser) }
        let s: Int64
        do { s = try TimeParsing.any(start, zone: zone) } catch { return .skipped(error.reason) }
        var e: Int64?
        if let end, end.trimmed().count > 0 {
            do { e = try TimeParsing.any(end, zone: zone) } catch { return .skipped(error.reason) }
            if e! < s { return .skipped(SessionsCSVRows.endsBeforeStart) }
            if e! - s > Reasons.maxClosedSession { return .skipped(Reasons.sessionTooLong) }
        }
        if let r = ctx.stampProblem(e ?? s, from: s) { return .skipped(r) }
        let p = ctx.resolver.resolve(u, department: department)
        ctx.acc.session(family, SessionFact(person: p.key, bu: p.bu, start: s, end: e, tag: tag))
        ctx.acc.saw(s, family: family, feed: feed, unit: p.bu)
        if let e { ctx.acc.saw(e, family: family, feed: feed, unit: p.bu) }
        return .record
    }
}
