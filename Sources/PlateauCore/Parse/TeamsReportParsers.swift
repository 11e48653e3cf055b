/// `teams-user-activity`: the Microsoft 365 per-user Teams activity report (FORMATS.md §2b).
/// A row with meetings makes its person a meeting user on `Last Activity Date`; meetings
/// organised add to that day's meeting count for the person's BU.
public struct TeamsUserActivityParser: RecordParser {
    private var fields = CSVFields()
    private var haveHeader = false
    private var userID = -1, upn = -1, lastActivity = -1, meetingCount = -1, attended = -1, organized = -1
    private var width = 0

    static let noMeetings = Reason("no meeting activity")
    static let badCount = Reason("bad meeting count")

    public init() {}

    public mutating func adoptHeader(_ line: Line, _ ctx: ParseContext) { _ = readHeader(line) }

    private mutating func readHeader(_ line: Line) -> Bool {
        guard fields.split(line) else { return false }
        let h = CSVHeader(fields)
        userID = h.index("user id") ?? -1
        upn = h.index("user principal name") ?? -1
        lastActivity = h.index("last activity date") ?? -1
        meetingCount = h.index("meeting count") ?? -1
        attended = h.index("meetings attended count") ?? -1
        organized = h.index("meetings organized count") ?? -1
        width = max(userID, upn, lastActivity, meetingCount, attended, organized) + 1
        haveHeader = true
        return (userID >= 0 || upn >= 0) && lastActivity >= 0
    }

    @inline(__always)
    private func count(_ i: Int) -> Int? {
        guard i >= 0 else { return 0 }
        let f = fields[i].trimmed()
        return f.count == 0 ? 0 : f.parseInt()
    }

    public mutating func parse(_ line: Line, number: Int, _ ctx: ParseContext) -> LineOutcome {
        if line.count == 0 { return .header }
        if !haveHeader { return readHeader(line) ? .header : .skipped(Reasons.noHeader) }
        guard fields.split(line) else { return .skipped(Reasons.unterminatedQuote) }
        guard fields.count >= width else { return .skipped(Reasons.missingColumns) }
        let dateText = fields[lastActivity].trimmed()
        if dateText.count == 0 { return .ignored(TeamsUserActivityParser.noMeetings) }
        guard let date = CivilDate(iso: dateText.string), TimeParsing.plausibleYears.contains(date.components.year) else {
            return .skipped(dateText.count == 10 ? Reasons.impossibleDate : Reasons.badTime)
        }
        guard let m = count(meetingCount), let a = count(attended), let o = count(organized) else {
            return .skipped(TeamsUserActivityParser.badCount)
        }
        if m == 0 && a == 0 && o == 0 { return .ignored(TeamsUserActivityParser.noMeetings) }
        var ids: [Bytes] = []
        if userID >= 0 { ids.append(fields[userID].trimmed()) }
        if upn >= 0 { ids.append(fields[upn].trimmed()) }
        guard let p = ctx.resolver.resolve(any: ids) else { return .skipped(Reasons.missingUser) }
        if m > 0 || a > 0 { ctx.acc.user(.meetingsUsers, day: date.day, p) }
        if o > 0 { ctx.acc.organized(day: date.day, p, count: o) }
        return .record
    }
}

/// `teams-user-counts`: organisation-wide distinct users per activity and day; `Meetings` is
/// `meetings.users` for ALL on `Report Date` (FORMATS.md §2c).
public struct TeamsUserCountsParser: RecordParser {
    private var fields = CSVFields()
    private var haveHeader = false
    private var reportDate = -1, meetings = -1

    public init() {}

    public mutating func adoptHeader(_ line: Line, _ ctx: ParseContext) { _ = readHeader(line) }

    private mutating func readHeader(_ line: Line) -> Bool {
        guard fields.split(line) else { return false }
        let h = CSVHeader(fields)
        reportDate = h.index("report date") ?? -1
        meetings = h.index("meetings") ?? -1
        haveHeader = true
        return reportDate >= 0 && meetings >= 0
    }

    public mutating func parse(_ line: Line, number: Int, _ ctx: ParseContext) -> LineOutcome {
        if line.count == 0 { return .header }
        if !haveHeader { return readHeader(line) ? .header : .skipped(Reasons.noHeader) }
        guard fields.split(line) else { return .skipped(Reasons.unterminatedQuote) }
        guard reportDate >= 0, meetings >= 0, fields.count > max(reportDate, meetings) else { return .skipped(Reasons.missingColumns) }
        let d = fields[reportDate].trimmed()
        guard let date = CivilDate(iso: d.string), TimeParsing.plausibleYears.contains(date.components.year) else { return .skipped(d.count == 10 ? Reasons.impossibleDate : Reasons.badTime) }
        guard let v = fields[meetings].trimmed().parseInt() else { return .skipped(TeamsUserActivityParser.badCount) }
        ctx.acc.orgMeetingUsers[date.day] = max(ctx.acc.orgMeetingUsers[date.day] ?? 0, v)
        return .record
    }
}
