/// `teams-user-activity`: the Microsoft 365 per-user Teams activity report (FORMATS.md §2b).
/// A row with meetings makes its person a meeting user on `Last Activity Date`; meetings
/// organised add to that day's meeting count for the person's BU.
public typealias TeamsUserActivityParser = CSVParser<TeamsUserActivityRows>

extension CSVParser where Reader == TeamsUserActivityRows {
    public init() { self.init(TeamsUserActivityRows()) }
}

public struct TeamsUserActivityRows: CSVRowReader {
    private var userID = -1, upn = -1, lastActivity = -1, meetingCount = -1, attended = -1, organized = -1
    public private(set) var fieldsNeeded = 0

    static let noMeetings = Reason("no meeting activity")
    static let badCount = Reason("bad meeting count")

    public init() {}

    public mutating func columns(_ h: CSVHeader) -> Bool {
        userID = h.index("user id") ?? -1
        upn = h.index("user principal name") ?? -1
        lastActivity = h.index("last activity date") ?? -1
        meetingCount = h.index("meeting count") ?? -1
        attended = h.index("meetings attended count") ?? -1
        organized = h.index("meetings organized count") ?? -1
        fieldsNeeded = max(userID, upn, lastActivity, meetingCount, attended, organized) + 1
        return (userID >= 0 || upn >= 0) && lastActivity >= 0
    }

    @inline(__always)
    private func count(_ fields: CSVFields, _ i: Int) -> Int? {
        guard i >= 0 else { return 0 }
        let f = fields[i].trimmed()
        if f.count == 0 { return 0 }
        // A person's meetings of one day: anything beyond this is a garbled field.
        guard let v = f.parseInt(), v <= 100_000 else { return nil }
        return v
    }

    public mutating func row(_ fields: CSVFields, _ ctx: ParseContext) -> LineOutcome {
        guard lastActivity >= 0 else { return .skipped(Reasons.missingColumns) }
        let dateText = fields[lastActivity].trimmed()
        if dateText.count == 0 { return .ignored(TeamsUserActivityRows.noMeetings) }
        let date: CivilDate
        switch ReportDate.parse(dateText) {
        case .success(let d): date = d
        case .failure(let r): return .skipped(r)
        }
        if let r = ctx.stampProblem(date: date) { return .skipped(r) }
        guard let m = count(fields, meetingCount), let a = count(fields, attended), let o = count(fields, organized) else {
            return .skipped(TeamsUserActivityRows.badCount)
        }
        if m == 0 && a == 0 && o == 0 { return .ignored(TeamsUserActivityRows.noMeetings) }
        var ids: [Bytes] = []
        if userID >= 0 { ids.append(fields[userID].trimmed()) }
        if upn >= 0 { ids.append(fields[upn].trimmed()) }
        guard let p = ctx.resolver.resolve(any: ids) else { return .skipped(Reasons.missingUser) }
        ctx.acc.user(.meetingsUsers, day: date.day, p)  // organising a meeting is taking part in it
        if o > 0 { ctx.acc.organized(day: date.day, p, count: o) }
        return .record
    }
}

/// `teams-user-counts`: organisation-wide distinct users per activity and day; `Meetings` is
/// `meetings.users` for ALL on `Report Date` (FORMATS.md §2c).
public typealias TeamsUserCountsParser = CSVParser<TeamsUserCountsRows>

extension CSVParser where Reader == TeamsUserCountsRows {
    public init() { self.init(TeamsUserCountsRows()) }
}

public struct TeamsUserCountsRows: CSVRowReader {
    private var reportDate = -1, meetings = -1
    public private(set) var fieldsNeeded = 0

    public init() {}

    public mutating func columns(_ h: CSVHeader) -> Bool {
        reportDate = h.index("report date") ?? -1
        meetings = h.index("meetings") ?? -1
        fieldsNeeded = max(reportDate, meetings) + 1
        return reportDate >= 0 && meetings >= 0
    }

    public mutating func row(_ fields: CSVFields, _ ctx: ParseContext) -> LineOutcome {
        guard reportDate >= 0, meetings >= 0 else { return .skipped(Reasons.missingColumns) }
        let date: CivilDate
        switch ReportDate.parse(fields[reportDate].trimmed()) {
        case .success(let d): date = d
        case .failure(let r): return .skipped(r)
        }
        if let r = ctx.stampProblem(date: date) { return .skipped(r) }
        guard let v = fields[meetings].trimmed().parseInt(), v <= 100_000_000 else { return .skipped(TeamsUserActivityRows.badCount) }
        ctx.acc.orgMeetingUsers[date.day] = max(ctx.acc.orgMeetingUsers[date.day] ?? 0, v)
        return .record
    }
}

/// A usage report's `YYYY-MM-DD` date, within the years plateau stores.
enum ReportDate {
    static func parse(_ b: Bytes) -> Result<CivilDate, Reason> {
        guard let d = CivilDate(iso: b.string), TimeParsing.plausibleYears.contains(d.components.year) else {
            return .failure(b.count == 10 ? Reasons.impossibleDate : Reasons.badTime)
        }
        return .success(d)
    }
}

extension Reason: Error {}
