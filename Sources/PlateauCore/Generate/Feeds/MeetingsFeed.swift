import Foundation

/// Teams-like meeting data:
/// - `teams/callrecords/callrecords-YYYY-Www.jsonl`: Graph callRecords, one per line, for every
///   BU on the main tenant (plus peer-to-peer calls, which are not meetings);
/// - `teams/callrecords/graph-page-2020-03-17.json`: a Graph page re-exporting some records of
///   that day, so the same meetings appear twice (ingest must count them once);
/// - `teams/activity/TeamsUserActivityUserDetail_YYYY-MM-DD.csv`: the per-user usage report
///   (BOM, CRLF) of Africa, which runs its own tenant and exports nothing else;
/// - `teams/TeamsUserActivityUserCounts.csv`: organisation-wide meeting users per day.
final class MeetingsFeed: DailyFeed {
    let g: Generator
    let pop: Population
    let b: Behaviour
    var bitset: [UInt64]
    var meetingUsersPerDay: [(CivilDate, Int)] = []
    var weekFile: LogFile?
    var weekKey = ""
    let scratchOut = MemoryOutput()
    lazy var scratch = ByteWriter(scratchOut)
    let pageDay = CivilDate(year: 2020, month: 3, day: 17)
    let truncatedDay = CivilDate(year: 2020, month: 3, day: 26)
    let tenant: String

    struct Meeting {
        var id: Int
        var peerToPeer = false
        var start: Int64
        var end: Int64
        var participants: [Int]
        var v2 = false
        var fraction = 0
    }

    init(_ g: Generator) {
        self.g = g
        pop = g.population
        b = g.behaviour
        bitset = [UInt64](repeating: 0, count: (g.population.count + 63) / 64)
        tenant = g.population.guid(-1)
    }

    func write(day: CivilDate) throws {
        for i in bitset.indices { bitset[i] = 0 }
        let key = "\(day.isoWeek.year)-W\(day.isoWeek.week < 10 ? "0" : "")\(day.isoWeek.week)"
        if key != weekKey, let f = weekFile { try g.files.close(f); weekFile = nil }
        weekKey = key
        let sunday = day.adding(days: 7 - day.isoWeekday)
        let file = try weekFile ?? g.files.file("teams/callrecords/callrecords-\(key).jsonl", format: "teams-callrecords",
                                               gzip: g.gzip(day.adding(days: 1 - day.isoWeekday), sunday))
        weekFile = file
        var page: [Meeting] = []
        for bu in pop.units.indices {
            let meetings = meetingsOf(bu, day)
            let unit = pop.units[bu]
            for m in meetings { for p in m.participants { bitset[p >> 6] |= 1 << UInt64(p & 63) } }
            switch unit.meetingFeed {
            case .callRecords:
                for (k, m) in meetings.enumerated() {
                    if g.options.plantDefects && day == truncatedDay && bu == 1 && k == 10 {
                        g.plant(file, "a call record cut off in the middle (truncated JSON)")
                        render(m, scratch)
                        try scratch.flush()
                        file.w.bytes(Array(scratchOut.bytes.prefix(scratchOut.bytes.count / 2)))
                        scratchOut.reset()
                        try file.w.endLine()
                    }
                    render(m, file.w); try file.w.endLine()
                    file.saw(m.end)
                    if day == pageDay && bu == 1 && page.count < 25 { page.append(m) }
                }
                for m in peerToPeerCalls(bu, day) { render(m, file.w); try file.w.endLine(); file.saw(m.end) }
            case .activityReport:
                try writeActivityReport(bu, day, meetings)
            }
        }
        if !page.isEmpty { try writeGraphPage(day, page) }
        meetingUsersPerDay.append((day, bitset.reduce(0) { $0 + $1.nonzeroBitCount }))
    }

    // MARK: Who meets whom

    func meetingsOf(_ bu: Int, _ day: CivilDate) -> [Meeting] {
        let f = b.scenario.shift(bu, day), a = b.scenario.activity(bu, day)
        let people = pop.people(of: bu)
        let unit = pop.units[bu]
        let outage = unit.name == Scenario.meetingOutage.bu && day == Scenario.meetingOutage.day
        var users: [Int] = []
        for p in people where b.inMeetings(p, day, shift: f, activity: a) {
            if outage && b.draws.unit(.outage, p, day.day) >= Scenario.meetingOutage.keep { continue }
            users.append(p)
        }
        var rng = SplitMix64(seed: b.draws.bits(.meetingPlan, bu, day.day))
        let expected = Scenario.meetings.at(f) * a * Double(people.count) * (outage ? Scenario.meetingOutage.keep : 1)
        var count = Int(expected + rng.unit())
        if users.count < 2 { users = []; count = 0 } else if count == 0 { count = 1 }
        users.shuffle(using: &rng)
        var sizes = (0..<count).map { _ in min(users.count, 2 + Int(-log(max(rng.unit(), 1e-12)) * 1.3)) }
        var total = sizes.reduce(0, +)
        var k = 0
        while total < users.count { if sizes[k] < users.count { sizes[k] += 1; total += 1 }; k = (k + 1) % count }
        let zone = b.zones[bu]
        let median = Scenario.meetingMinutes.at(f)
        var meetings: [Meeting] = []
        meetings.reserveCapacity(count + 1)
        var cursor = 0
        for i in 0..<count {
            var ps: [Int] = []
            ps.reserveCapacity(sizes[i])
            for j in 0..<sizes[i] { ps.append(users[(cursor + j) % users.count]) }
            cursor += sizes[i]
            let startLocal = 28_800 + 1_800 * rng.below(20) + rng.below(180) - 60
            let minutes = min(240, max(5, median * exp(0.45 * rng.normal())))
            let start = zone.utc(day, startLocal)
            meetings.append(Meeting(id: i, start: start, end: start + Int64(minutes * 60) + Int64(rng.below(120)),
                                    participants: ps, v2: day >= CivilDate(year: 2020, month: 4, day: 1) && rng.unit() < 0.3,
                                    fraction: rng.unit() < 0.4 ? rng.below(10_000_000) : -1))
        }
        if let live = liveEvent(bu, day, f, a, &rng) { meetings.append(live) }
        return meetings
    }

    /// Town halls: Corporate on Thursdays for all of France (1,500–2,000 people), and
    /// about 1,000 people every other Tuesday in the BUs that hold them; plus the planted
    /// 2,000-person town hall.
    func liveEvent(_ bu: Int, _ day: CivilDate, _ f: Double, _ a: Double, _ rng: inout SplitMix64) -> Meeting? {
        let unit = pop.units[bu]
        guard unit.liveEventSize > 0, a == 1 else { return nil }
        let planted = unit.name == Scenario.townHall.bu && day == Scenario.townHall.day
        var size: Double
        if planted {
            size = Double(Scenario.townHall.size)
        } else if f >= 0.99 && (bu == 0 ? day.isoWeekday == 4 : day.isoWeekday == 2 && day.isoWeek.week % 2 == 0) {
            size = Double(unit.liveEventSize) * (bu == 0 ? 0.86 + 0.28 * rng.unit() : 0.9 + 0.2 * rng.unit())
        } else {
            return nil
        }
        let pool = bu == 0 ? pop.firstPerson[0]..<pop.firstPerson[6] : pop.people(of: bu)
        let n = min(pool.count, Int((size * g.options.scale).rounded()))
        guard n >= 2 else { return nil }
        // Floyd's algorithm: n distinct people of the pool; the organizer (of this BU) first.
        let organizer = pop.firstPerson[bu] + rng.below(pop.people(of: bu).count)
        var chosen = Set<Int>()
        chosen.reserveCapacity(n)
        for j in (pool.count - n)..<pool.count {
            let t = rng.below(j + 1)
            chosen.insert(chosen.contains(pool.lowerBound + t) ? pool.lowerBound + j : pool.lowerBound + t)
        }
        chosen.remove(organizer)
        var list = [organizer]
        list.append(contentsOf: chosen.sorted().prefix(n - 1))
        let start = b.zones[bu].utc(day, (rng.unit() < 0.5 ? 10 : 16) * 3600)
        if planted {
            g.events.append("\(day.iso): a \(list.count)-person live event organised by \(unit.name) (\(Scenario.townHall.size) people at --scale 1; a town hall, the largest meeting of the range).")
        }
        return Meeting(id: 2_000_000, start: start, end: start + Int64(3_600 + rng.below(1_800)), participants: list)
    }

    func peerToPeerCalls(_ bu: Int, _ day: CivilDate) -> [Meeting] {
        let people = pop.people(of: bu)
        guard people.count >= 2 else { return [] }
        var rng = SplitMix64(seed: b.draws.bits(.peerCalls, bu, day.day))
        let f = b.scenario.shift(bu, day), a = b.scenario.activity(bu, day)
        let n = Int(Scenario.meetings.at(f) * a * Double(people.count) * 0.15 + rng.unit())
        return (0..<n).map { i in
            let x = people.lowerBound + rng.below(people.count)
            var y = people.lowerBound + rng.below(people.count)
            if y == x { y = x == people.lowerBound ? x + 1 : x - 1 }
            let start = b.zones[bu].utc(day, 32_400 + rng.below(28_800))
            return Meeting(id: 1_000_000 + i, peerToPeer: true, start: start, end: start + Int64(60 + rng.below(1_500)),
                           participants: [x, y], fraction: -1)
        }
    }

    // MARK: Writing

    func meetingGUID(_ m: Meeting, _ bu: Int, _ w: ByteWriter) {
        let a = b.draws.bits(.meetingId, m.participants[0], m.id, Int(m.start))
        let c = b.draws.bits(.meetingId, Int(m.start), m.id)
        w.hex(a >> 32, digits: 8); w.byte(45); w.hex(a >> 16, digits: 4); w.byte(45)
        w.byte(UInt8(ascii: "4")); w.hex(a, digits: 3); w.byte(45)
        w.hex(0x8 | ((c >> 62) & 3), digits: 1); w.hex(c >> 48, digits: 3); w.byte(45); w.hex(c, digits: 12)
    }

    func render(_ m: Meeting, _ w: ByteWriter) {
        w.ascii("{\"id\":\""); meetingGUID(m, 0, w)
        w.ascii("\",\"version\":1,\"type\":\""); w.ascii(m.peerToPeer ? "peerToPeer" : "groupCall")
        w.ascii("\",\"modalities\":[\"audio\",\"video\"],\"lastModifiedDateTime\":\""); w.isoUTC(m.end + 300)
        w.ascii("\",\"startDateTime\":\"")
        if m.fraction >= 0 { w.isoUTC(m.start, fraction: 7, fractionValue: m.fraction) } else { w.isoUTC(m.start) }
        w.ascii("\",\"endDateTime\":\""); w.isoUTC(m.end)
        w.ascii("\",\"joinWebUrl\":")
        if !m.peerToPeer {
            w.ascii("\"https://teams.microsoft.com/l/meetup-join/19%3ameeting_"); w.hex(UInt64(bitPattern: m.start) &* 2_654_435_761, digits: 16)
            w.ascii("%40thread.v2/0\"")
        } else { w.ascii("null") }
        if m.v2 {
            w.ascii(",\"organizer_v2\":{\"id\":\""); pop.guid(m.participants[0], into: w)
            w.ascii("\",\"identity\":{\"user\":{\"id\":\""); pop.guid(m.participants[0], into: w)
            w.ascii("\",\"displayName\":null,\"tenantId\":\""); w.text(tenant); w.ascii("\"}}},\"participants_v2\":[")
            for (i, p) in m.participants.enumerated() {
                if i > 0 { w.byte(44) }
                w.ascii("{\"id\":\""); pop.guid(p, into: w); w.ascii("\",\"identity\":{\"user\":{\"id\":\""); pop.guid(p, into: w)
                w.ascii("\",\"displayName\":null}}}")
            }
            w.ascii("]}")
        } else {
            w.ascii(",\"organizer\":{\"user\":{\"id\":\""); pop.guid(m.participants[0], into: w)
            w.ascii("\",\"displayName\":null,\"tenantId\":\""); w.text(tenant); w.ascii("\"}},\"participants\":[")
            for (i, p) in m.participants.enumerated() {
                if i > 0 { w.byte(44) }
                w.ascii("{\"user\":{\"id\":\""); pop.guid(p, into: w); w.ascii("\",\"displayName\":null}}")
            }
            w.ascii("]}")
        }
    }

    func writeGraphPage(_ day: CivilDate, _ page: [Meeting]) throws {
        let f = try g.files.file("teams/callrecords/graph-page-\(day.iso).json", format: "teams-callrecords", gzip: false)
        f.w.ascii("{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#communications/callRecords\",\"value\":[")
        for (i, m) in page.enumerated() { if i > 0 { f.w.byte(44) }; render(m, f.w); f.saw(m.end) }
        f.w.ascii("]}")
        try f.w.endLine()
        try g.files.close(f)
        g.events.append("\(f.relativePath) re-exports \(page.count) call records of \(day.iso) that are also in the weekly file: each must count once.")
    }

    func writeActivityReport(_ bu: Int, _ day: CivilDate, _ meetings: [Meeting]) throws {
        var attended: [Int: Int] = [:], organized: [Int: Int] = [:]
        for m in meetings {
            organized[m.participants[0], default: 0] += 1
            for p in m.participants { attended[p, default: 0] += 1 }
        }
        let f = try g.files.file("teams/activity/TeamsUserActivityUserDetail_\(day.iso).csv", format: "teams-user-activity",
                                 gzip: g.gzip(day, day)) { w in
            w.bytes([0xEF, 0xBB, 0xBF])
            w.ascii("Report Refresh Date,User Id,User Principal Name,Last Activity Date,Is Deleted,Deleted Date,Assigned Products,Team Chat Message Count,Private Chat Message Count,Call Count,Meeting Count,Meetings Organized Count,Meetings Attended Count,Report Period")
            try w.endLine(crlf: true)
        }
        let w = f.w
        let concealed = day >= CivilDate(year: 2020, month: 5, day: 1)
        var rng = SplitMix64(seed: b.draws.bits(.activityReport, bu, day.day))
        for p in pop.people(of: bu) {
            let total = attended[p] ?? 0
            let chats = rng.unit() < 0.25 * b.scenario.activity(bu, day)
            guard total > 0 || chats else { continue }
            w.isoDate(day.adding(days: 1)); w.byte(44); pop.guid(p, into: w); w.byte(44)
            if concealed { w.hex(b.draws.bits(.concealed, p), digits: 16); w.hex(b.draws.bits(.concealed, p, 1), digits: 16) } else { w.text(pop.upn(p)) }
            w.byte(44); w.isoDate(day); w.ascii(",False,,\"OFFICE 365 E3,MICROSOFT TEAMS\",")
            w.int(rng.below(40)); w.byte(44); w.int(rng.below(90)); w.byte(44); w.int(rng.below(5)); w.byte(44)
            let org = organized[p] ?? 0
            w.int(total); w.byte(44); w.int(org); w.byte(44); w.int(total - org); w.ascii(",1")
            try w.endLine(crlf: true)
        }
        f.saw(b.zones[bu].utc(day, 64_800))
        try g.files.close(f)
    }

    func finish() throws {
        if let f = weekFile { try g.files.close(f); weekFile = nil }
        let f = try g.files.file("teams/TeamsUserActivityUserCounts.csv", format: "teams-user-counts", gzip: false) { w in
            w.bytes([0xEF, 0xBB, 0xBF])
            w.ascii("Report Refresh Date,Report Date,Team Chat Messages,Private Chat Messages,Calls,Meetings,Other Actions,Report Period")
            try w.endLine(crlf: true)
        }
        let refresh = g.options.to.adding(days: 1)
        let period = g.options.to - g.options.from + 1
        for (day, users) in meetingUsersPerDay.reversed() {
            let w = f.w
            w.isoDate(refresh); w.byte(44); w.isoDate(day); w.byte(44)
            w.int(users * 3 / 2); w.byte(44); w.int(users * 2); w.byte(44); w.int(users / 4); w.byte(44)
            w.int(users); w.byte(44); w.int(users / 3); w.byte(44); w.int(period)
            try w.endLine(crlf: true)
        }
        f.saw(refresh.epochSecondsUTC)
        try g.files.close(f)
    }
}

extension Draws.Stream {
    static let outage = Self("outage")
    static let meetingPlan = Self("meeting-plan")
    static let meetingId = Self("meeting-id")
    static let peerCalls = Self("peer-calls")
    static let activityReport = Self("activity-report")
    static let concealed = Self("concealed")
}
