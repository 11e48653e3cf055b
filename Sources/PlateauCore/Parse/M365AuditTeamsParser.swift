/// `m365-audit-teams`: Microsoft 365 unified audit log records of the Teams workload (the
/// Office 365 Management Activity API's `Audit.General` content, `RecordType` 25), one record
/// object as `JSONDocumentSplitter` cuts it out of a JSON array, a `{"value":[...]}` /
/// `{"records":[...]}` / `{"events":[...]}` page, or one object per line. A record may come
/// wrapped as an exported event whose `event.original` holds it as a JSON string (Elastic
/// Common Schema): the string is decoded and read as the record.
///
/// What counts (keys matched case-insensitively):
/// - `TeamsSessionStarted` — a person started a Teams client session (signed in to Teams): a
///   `signins.users` and `signins.teams_users` user of the local day of `CreationTime`. It says
///   nothing of meetings, so it is no `meetings.users` fact.
/// - `MeetingParticipantDetail` — a person took part in a meeting: a `meetings.users` user of
///   the local day of `JoinTime` (else `CreationTime`); the person is the attendee
///   (`Attendees[].UPN`, else `Attendees[].UserObjectId`), else `UserId`. The record does not
///   say who organised the meeting nor how long it lasted, so no meeting is counted from it.
/// - Everything else (team and channel management, chats, messages, `MeetingDetail`, ...) is
///   ignored, as are records whose `UserId` is `Application` or whose `UserType` is a
///   service (4 System, 5 Application, ...), and repeats of a record `Id` already read.
///
/// `CreationTime` and `JoinTime` are UTC and carry no zone designator.
public struct M365AuditTeamsParser: RecordParser {
    static let application = Reason("done by an application or the service, not a person")
    static let otherOperation = Reason("Teams activity that is neither a session nor a meeting participation")
    static let otherWorkload = Reason("audit record of another workload")
    static let duplicate = Reason("duplicate record id")
    static let noOperation = Reason("no operation")
    static let wrappedNotObject = Reason("event.original holds no JSON object")

    /// Record ids read so far (a unit's; across units the facts are sets anyway).
    private var seen = Set<UInt64>()

    public init() {}

    struct Fields {
        var creation: Bytes?, id: Bytes?, operation: Bytes?, userID: Bytes?, userType: Bytes?, workload: Bytes?
        var join: Bytes?, attendee: Bytes?, attendeeID: Bytes?
        var original: Bytes?
    }

    public mutating func parse(_ line: Line, number: Int, _ ctx: ParseContext) -> LineOutcome {
        var f = Fields()
        do throws(JSONError) {
            var s = JSONScanner(line)
            try s.enterRoot()
            try M365AuditTeamsParser.read(&s, &f, wrapper: true)
            try s.finish()
            if let o = f.original {
                // The record as a JSON string: decoded in place; read as a record of its own.
                var inner = JSONScanner(UnsafeMutableRawBufferPointer(mutating: o))
                var g = Fields()
                do throws(JSONError) {
                    try inner.enterRoot()
                } catch {
                    return .skipped(error == .notAnObject ? M365AuditTeamsParser.wrappedNotObject : error.reason)
                }
                try M365AuditTeamsParser.read(&inner, &g, wrapper: false)
                try inner.finish()
                f = g
            }
        } catch {
            return .skipped(error.reason)
        }
        return count(f, ctx)
    }

    /// Reads the fields of the object the scanner is in (up to its end). In a wrapper, an
    /// `event` object's `original` string is kept for a second reading.
    static func read(_ s: inout JSONScanner, _ f: inout Fields, wrapper: Bool) throws(JSONError) {
        let base = s.depth
        while true {
            guard let k = try s.nextKey() else {
                if s.depth < base { break }
                continue  // the end of `event`
            }
            let top = s.depth == base
            switch k.count {
            case 2 where top && k.equalsIgnoringCase("Id"): f.id = try s.string()
            case 5 where wrapper && top && k.equalsIgnoringCase("event"): _ = try s.enterObject()
            case 6 where k.equalsIgnoringCase("UserId"): if top { f.userID = try s.string() }
            case 8 where wrapper && !top && k.equalsIgnoringCase("original"): f.original = try s.string()
            case 8 where top && k.equalsIgnoringCase("UserType"): f.userType = try EntraSignInParser.code(&s)
            case 8 where top && k.equalsIgnoringCase("Workload"): f.workload = try s.string()
            case 8 where top && k.equalsIgnoringCase("JoinTime"): f.join = try s.string()
            case 9 where top && k.equalsIgnoringCase("Operation"): f.operation = try s.string()
            case 9 where top && k.equalsIgnoringCase("Attendees"): try attendees(&s, &f)
            case 12 where top && k.equalsIgnoringCase("CreationTime"): f.creation = try s.string()
            default: break
            }
        }
    }

    /// The first attendee's `UPN` and `UserObjectId` (a participation record names one).
    static func attendees(_ s: inout JSONScanner, _ f: inout Fields) throws(JSONError) {
        guard try s.enterArray() else { return }
        while try s.nextElement() {
            guard try s.enterObject() else { continue }
            var upn: Bytes?, oid: Bytes?
            while let k = try s.nextKey() {
                if k.equalsIgnoringCase("UPN") { upn = try s.string() }
                else if k.equalsIgnoringCase("UserObjectId") { oid = try s.string() }
            }
            if f.attendee == nil && f.attendeeID == nil { f.attendee = upn; f.attendeeID = oid }
        }
    }

    mutating func count(_ f: Fields, _ ctx: ParseContext) -> LineOutcome {
        if let w = f.workload?.trimmed(), w.count > 0, !w.equalsIgnoringCase("MicrosoftTeams") {
            return .ignored(M365AuditTeamsParser.otherWorkload)
        }
        guard let op = f.operation?.trimmed(), op.count > 0 else { return .skipped(M365AuditTeamsParser.noOperation) }
        if let id = f.id?.trimmed(), id.count > 0, !seen.insert(ctx.settings.hasher.hash(id)).inserted {
            return .ignored(M365AuditTeamsParser.duplicate)
        }
        let session = op.equalsIgnoringCase("TeamsSessionStarted")
        let participation = op.equalsIgnoringCase("MeetingParticipantDetail")
        guard session || participation else { return .ignored(M365AuditTeamsParser.otherOperation) }
        if let u = f.userID?.trimmed(), u.equalsIgnoringCase("Application") { return .ignored(M365AuditTeamsParser.application) }
        // UserType: 0 regular, 1 reserved, 2 admin, 3 Microsoft datacenter admin, 4 system,
        // 5 application, 6 service principal, 7 custom policy, 8 system policy.
        if let t = f.userType?.trimmed().parseInt(), t >= 4 { return .ignored(M365AuditTeamsParser.application) }

        let stampText = participation ? (nonEmpty(f.join) ?? nonEmpty(f.creation)) : nonEmpty(f.creation)
        guard let stamp = stampText else { return .skipped(Reasons.noTime) }
        let t: Int64
        do throws(TimeError) { t = try TimeParsing.iso8601(stamp, zone: .utc) } catch { return .skipped(error.reason) }
        if let r = ctx.stampProblem(t) { return .skipped(r) }

        let ids = participation ? [nonEmpty(f.attendee), nonEmpty(f.attendeeID), nonEmpty(f.userID)].compactMap { $0 }
                                : [nonEmpty(f.userID)].compactMap { $0 }
        guard let p = ctx.resolver.resolve(any: ids) else { return .skipped(Reasons.missingUser) }
        let day = ctx.day(t)
        if session {
            ctx.acc.user(.signinsUsers, at: t, day: day, p)
            ctx.acc.user(.signinsTeamsUsers, at: t, day: day, p)
            ctx.acc.saw(t, feed: Feeds.signins, unit: p.bu)
        } else {
            ctx.acc.user(.meetingsUsers, at: t, day: day, p)
            ctx.acc.saw(t, feed: Feeds.meetings, unit: p.bu)
        }
        return .record
    }

    @inline(__always)
    func nonEmpty(_ b: Bytes?) -> Bytes? {
        guard let t = b?.trimmed(), t.count > 0 else { return nil }
        return t
    }
}

/// `m365-audit-csv`: the audit log search exported as CSV (Purview: `RecordId, CreationDate,
/// RecordType, Operation, UserId, AuditData, ...`; the classic portal: `CreationDate, UserIds,
/// Operations, AuditData`). Each row's `AuditData` is the record as JSON, read as
/// `m365-audit-teams` reads it (records of other workloads are ignored).
public typealias M365AuditCSVParser = CSVParser<M365AuditCSVRows>

extension CSVParser where Reader == M365AuditCSVRows {
    public init() { self.init(M365AuditCSVRows()) }
}

public struct M365AuditCSVRows: CSVRowReader {
    private var auditData = -1
    private var record = M365AuditTeamsParser()
    public private(set) var fieldsNeeded = 0

    public init() {}

    public mutating func columns(_ h: CSVHeader) -> Bool {
        auditData = h.index("auditdata") ?? -1
        fieldsNeeded = auditData + 1
        return auditData >= 0
    }

    public mutating func row(_ fields: CSVFields, _ ctx: ParseContext) -> LineOutcome {
        guard auditData >= 0 else { return .skipped(Reasons.missingColumns) }
        // The field is a slice of the line buffer (quotes collapsed in place): decoded in place too.
        let json = fields[auditData].trimmed()
        return record.parse(UnsafeMutableRawBufferPointer(mutating: json), number: 0, ctx)
    }
}
