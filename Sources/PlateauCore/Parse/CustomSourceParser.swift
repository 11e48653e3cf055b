/// The parser of a plateau.toml `[[source]]`: maps a CSV's columns (by header name,
/// case-insensitive) or a JSON-lines object's keys onto one record kind.
public struct CustomSourceParser: RecordParser {
    public let source: CustomSource
    private var fields = CSVFields()
    private var haveHeader = false
    /// Role → column index (CSV).
    private var index: [String: Int] = [:]
    private let zone: TimeZoneRules
    /// The source's feed (`Feeds` slot): its records' freshness is its own.
    private let feed: Int

    static let noTime = Reasons.noTime
    static let endsBeforeStart = Reason("ends before it starts")

    public init(_ source: CustomSource, settings: IngestSettings) {
        self.source = source
        zone = source.timezone.flatMap(TimeZoneRules.init(identifier:)) ?? settings.timezone
        feed = Feeds.builtIn.count + (settings.customSources.firstIndex(of: source) ?? settings.customSources.count)
    }

    public mutating func adoptHeader(_ line: Line, _ ctx: ParseContext) { _ = readHeader(line) }

    private mutating func readHeader(_ line: Line) -> Bool {
        guard fields.split(line) else { return false }
        let h = CSVHeader(fields)
        index = [:]
        for (role, column) in source.columns { if let i = h.index(column) { index[role] = i } }
        haveHeader = true
        return CustomSource.roles(source.kind).required.allSatisfy { index[$0] != nil }
    }

    public mutating func parse(_ line: Line, number: Int, _ ctx: ParseContext) -> LineOutcome {
        if Bytes(line).trimmed().count == 0 { return .header }
        switch source.shape {
        case .csv:
            if !haveHeader { return readHeader(line) ? .header : .skipped(Reasons.noHeader) }
            guard fields.split(line) else { return .skipped(Reasons.unterminatedQuote) }
            let f = fields, idx = index
            return row(ctx) { role in idx[role].flatMap { $0 < f.count ? f[$0] : nil } }
        case .jsonl:
            guard let object = JSONObjectFields(line) else { return .skipped(Reasons.malformedJSON) }
            if let problem = object.problem { return .skipped(problem) }
            let cols = source.columns
            return row(ctx) { role in cols[role].flatMap { object.value(forKey: $0) } }
        }
    }

    /// One row, whatever its shape: `get(role)` gives the field mapped to a role.
    private func row(_ ctx: ParseContext, _ get: (String) -> Bytes?) -> LineOutcome {
        guard let user = get("user")?.trimmed(), user.count > 0 else { return .skipped(Reasons.missingUser) }
        switch source.kind {
        case .proxy:
            guard let tb = get("time"), tb.trimmed().count > 0 else { return .skipped(Reasons.noTime) }
            let t: Int64
            do { t = try TimeParsing.any(tb, zone: zone) } catch { return .skipped(error.reason) }
            if let r = ctx.stampProblem(t) { return .skipped(r) }
            if NSSLogin.isAnonymous(user) { return .ignored(NSSCSVRows.unauthenticated) }
            let p = ctx.resolver.resolve(user, department: get("department"))
            let day = ctx.day(t)
            ctx.acc.user(.proxyUsers, at: t, day: day, p)
            let remote = source.allRemote || (get("location").map { ctx.settings.remoteLocations.contains(ctx.settings.hasher.hash($0.trimmed())) } ?? false)
            if remote { ctx.acc.user(.proxyRemoteUsers, at: t, day: day, p) }
            ctx.acc.saw(t, feed: feed, unit: p.bu)
            return .record
        case .session:
            guard let start = get("start") else { return .skipped(Reasons.noTime) }
            let tag = get("id").map { ctx.settings.hasher.hash($0.trimmed(), lowercase: false) } ?? 0
            return SessionRow.add(user: user, start: start, end: get("end"), department: get("department"),
                                  family: source.family, feed: feed, zone: zone, tag: tag, ctx)
        case .meeting:
            guard let tb = get("time") ?? get("start"), tb.trimmed().count > 0 else { return .skipped(Reasons.noTime) }
            let t: Int64
            do { t = try TimeParsing.any(tb, zone: zone) } catch { return .skipped(error.reason) }
            var end: Int64?
            if let eb = get("end"), eb.trimmed().count > 0 {
                do { end = try TimeParsing.any(eb, zone: zone) } catch { return .skipped(error.reason) }
                if end! < t { return .skipped(CustomSourceParser.endsBeforeStart) }
                if end! - t > Reasons.maxClosedSession { return .skipped(Reasons.sessionTooLong) }
            }
            if let r = ctx.stampProblem(end ?? t, from: t) { return .skipped(r) }
            let p = ctx.resolver.resolve(user, department: get("department"))
            let day = ctx.day(t)
            ctx.acc.user(.meetingsUsers, at: t, day: day, p)
            ctx.acc.saw(t, feed: feed, unit: p.bu)
            if let idb = get("meeting")?.trimmed(), idb.count > 0 {
                let organizer = get("organizer").map { $0.trimmed() }.flatMap { $0.count > 0 ? ctx.resolver.resolve($0) : nil }
                let fact = MeetingFact(day: Int32(day), bu: organizer?.bu ?? p.bu,
                                       seconds: Int32(clamping: max(0, (end ?? t) - t)), participants: 0, start: t)
                ctx.acc.participation(id: ctx.settings.hasher.hash(idb, lowercase: false), fact, person: p.key, start: t)
            }
            return .record
        }
    }
}
