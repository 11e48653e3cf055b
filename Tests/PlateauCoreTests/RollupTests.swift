import Foundation
import Testing
@testable import PlateauCore

@Suite struct PeakSweepTests {
    let tz = TimeZoneRules.utc
    let d0 = CivilDate(year: 2020, month: 3, day: 25)
    func t(_ day: Int, _ h: Int, _ m: Int = 0) -> Int64 { d0.adding(days: day).epochSecondsUTC + Int64(h * 3600 + m * 60) }
    func s(_ bu: UInt16, _ a: Int64, _ b: Int64, _ p: UInt64 = 1) -> ClosedSession { ClosedSession(person: p, bu: bu, start: a, end: b) }

    @Test func touchingSessionsDoNotOverlap() {
        let peaks = PeakSweep.peaks([s(2, t(0, 9), t(0, 10)), s(2, t(0, 10), t(0, 11)), s(3, t(0, 9, 30), t(0, 9, 45))], tz: tz)
        #expect(peaks[.init(day: d0.day, bu: 2)] == 1)
        #expect(peaks[.init(day: d0.day, bu: 3)] == 1)
        #expect(peaks[.init(day: d0.day, bu: BusinessUnits.all)] == 2)
    }

    @Test func aSessionOverMidnightCountsOnBothDaysAndDaysBetween() {
        let peaks = PeakSweep.peaks([s(2, t(0, 22), t(3, 1)), s(2, t(3, 0, 30), t(3, 2))], tz: tz)
        #expect(peaks[.init(day: d0.day, bu: 2)] == 1)
        #expect(peaks[.init(day: d0.day + 1, bu: 2)] == 1)
        #expect(peaks[.init(day: d0.day + 2, bu: 2)] == 1)
        #expect(peaks[.init(day: d0.day + 3, bu: 2)] == 2)
        #expect(peaks[.init(day: d0.day + 4, bu: 2)] == nil)
    }

    @Test func peakAgainstABruteForceCount() {
        var rng = SplitMix64(seed: 11)
        var sessions: [ClosedSession] = []
        for i in 0..<300 {
            let a = t(0, 0) + Int64(rng.below(3 * 86_400))
            sessions.append(s(UInt16(2 + rng.below(3)), a, a + 1 + Int64(rng.below(20_000)), UInt64(i)))
        }
        let peaks = PeakSweep.peaks(sessions, tz: tz)
        // Brute force: the level just after every start, and at every midnight.
        for day in 0..<4 {
            for bu in [UInt16(2), 3, 4, BusinessUnits.all] {
                var best = 0
                let dayStart = t(day, 0), dayEnd = t(day + 1, 0)
                let instants = [dayStart] + sessions.map(\.start).filter { $0 >= dayStart && $0 < dayEnd }
                for x in instants {
                    best = max(best, sessions.filter { (bu == BusinessUnits.all || $0.bu == bu) && $0.start <= x && x < $0.end }.count)
                }
                #expect((peaks[.init(day: d0.day + day, bu: bu)] ?? 0) == best, "day \(day) bu \(bu)")
            }
        }
    }
}

@Suite struct SessionAssemblyTests {
    @Test func openSessionsStopAtTheNewestStampOrTheMaximum() {
        let acc = Accumulator()
        acc.session(.vdi, SessionFact(person: 1, bu: 2, start: 1000, end: nil))
        acc.session(.vdi, SessionFact(person: 2, bu: 2, start: 500, end: 900))
        acc.saw(5000, family: .vdi)
        acc.session(.vpn, SessionFact(person: 3, bu: 2, start: 100, end: nil))
        acc.saw(1_000_000, family: .vpn)
        let vdi = SessionAssembly.sessions(.vdi, acc, maxOpen: 36_000).sorted { $0.person < $1.person }
        #expect(vdi.map(\.end) == [5000, 900])
        // The maximum session length wins over the newest stamp.
        #expect(SessionAssembly.sessions(.vdi, acc, maxOpen: 3600).map(\.end).max() == 4600)
        let vpn = SessionAssembly.sessions(.vpn, acc, maxOpen: 3600)
        #expect(vpn.map(\.end) == [100 + 3600])
    }

    @Test func vpnStartsPairWithTheirEnds() {
        let acc = Accumulator()
        // Ended session 1000..5000 (from a 113019) and its own 113039 at 1001: one session.
        acc.session(.vpn, SessionFact(person: 7, bu: 2, start: 1000, end: 5000, tag: 42))
        acc.vpnStarts.insert(SessionFact(person: 7, bu: 2, start: 1001, end: nil, tag: 42))
        // A start with no end yet: open until the newest stamp.
        acc.vpnStarts.insert(SessionFact(person: 8, bu: 2, start: 6000, end: nil, tag: 43))
        acc.saw(9000, family: .vpn)
        let s = SessionAssembly.sessions(.vpn, acc, maxOpen: 86_400).sorted { $0.start < $1.start }
        #expect(s.map { [$0.start, $0.end] } == [[1000, 5000], [6000, 9000]])
    }

    @Test func zpaSessionsComeFromStatusOrConnections() {
        let acc = Accumulator()
        acc.zpaSession(id: 1, ZPASession(person: 1, bu: 2, authenticated: 100, unauthenticated: 900))
        acc.zpaSession(id: 1, ZPASession(person: 1, bu: 2, firstConnection: 150, lastConnectionEnd: 800))
        acc.zpaSession(id: 2, ZPASession(person: 2, bu: 2, firstConnection: 300, lastConnectionEnd: 700))
        let s = SessionAssembly.sessions(.privateAccess, acc, maxOpen: 86_400).sorted { $0.start < $1.start }
        #expect(s.map { [$0.start, $0.end] } == [[100, 900], [300, 700]])
    }
}

@Suite struct SuppressionTests {
    func rollups(_ cells: [(UInt16, Double)]) -> Rollups {
        var r = Rollups(units: ["ALL", "UNASSIGNED", "A", "B", "C"])
        r.metrics = [.vpnUsers]
        r.firstDay = 0; r.lastDay = 0
        for (bu, v) in cells { r.values[.vpnUsers, default: [:]][bu, default: [:]][0] = v }
        return r
    }

    /// Equal candidates: the complement is the first by name, whatever ids the units got (a
    /// store or a database meets them in another order than a batch read).
    @Test func aTieForTheComplementGoesToTheFirstName() {
        for names in [["ALL", "UNASSIGNED", "Zed", "Alpha", "Small"], ["ALL", "UNASSIGNED", "Alpha", "Zed", "Small"]] {
            var r = Rollups(units: names)
            r.metrics = [.vpnUsers]
            r.firstDay = 0; r.lastDay = 0
            for (bu, v) in [(UInt16(0), 22.0), (2, 10), (3, 10), (4, 2)] { r.values[.vpnUsers, default: [:]][bu, default: [:]][0] = v }
            let s = Suppression(r, minGroup: 5)
            let alpha = UInt16(names.firstIndex(of: "Alpha")!), zed = UInt16(names.firstIndex(of: "Zed")!)
            #expect(s.isSuppressed(.vpnUsers, bu: alpha, day: 0) && !s.isSuppressed(.vpnUsers, bu: zed, day: 0), "\(names)")
        }
    }

    @Test func smallCellsAndOneComplementAreWithheld() {
        let r = rollups([(0, 33), (2, 3), (3, 20), (4, 10)])
        let s = Suppression(r, minGroup: 5)
        #expect(s.isSuppressed(.vpnUsers, bu: 2, day: 0))
        #expect(s.isSuppressed(.vpnUsers, bu: 4, day: 0))  // the next smallest, or ALL − B − C reveals A
        #expect(!s.isSuppressed(.vpnUsers, bu: 3, day: 0))
        #expect(!s.isSuppressed(.vpnUsers, bu: 0, day: 0))
        #expect(!Suppression(r, minGroup: 1).isSuppressed(.vpnUsers, bu: 2, day: 0))
    }

    @Test func zeroIsNotASmallGroup() {
        let r = rollups([(0, 30), (2, 0), (3, 20), (4, 10)])
        let s = Suppression(r, minGroup: 5)
        #expect(!s.isSuppressed(.vpnUsers, bu: 2, day: 0))
        #expect(!s.isSuppressed(.vpnUsers, bu: 4, day: 0))
    }
}

@Suite struct ConfigTests {
    func error(_ toml: String) -> ConfigError? {
        do { _ = try PlateauConfig.parse(toml, path: "p.toml"); return nil } catch { return error as? ConfigError }
    }

    @Test func theSampleConfigReads() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../SampleLogs/plateau.toml").path
        let c = try PlateauConfig.load(path: path)
        #expect(c.timezone == "Europe/Paris")
        #expect(c.sources["vpn"]?.year == 2020)
        #expect(c.capacity.map(\.value) == [63, 250])
        #expect(c.businessDays == [1, 2, 3, 4, 5])
    }

    @Test func badKeysAreNamed() {
        #expect(error("timezone = \"Mars/Olympus\"")?.key == "timezone")
        #expect(error("colour = 3")?.key == "colour")
        #expect(error("[sources.vpn]\nyaer = 2020")?.key == "sources.vpn.yaer")
        #expect(error("[sources.fax]\nyear = 2020")?.key == "sources.fax")
        #expect(error("business_days = [\"Mon\", \"Fun\"]")?.key == "business_days[1]")
        #expect(error("[[capacity]]\nmetric = \"vpn.peaks\"\nvalue = 3")?.key == "capacity[0].metric")
        #expect(error("[[source]]\nname = \"webex\"\nkind = \"meeting\"\n[source.columns]\nuser = \"Email\"")?.key == "source[0].columns.time")
        #expect(error("[[source]]\nname = \"x\"\nkind = \"proxy\"\n[source.columns]\nuser = \"u\"\ntime = \"t\"\nspeed = \"s\"")?.key == "source[0].columns.speed")
        #expect(error("timezone = ")?.message.contains("line 1") == true)
    }

    @Test func theConfigIsFoundWhereTheReadmeSays() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let logs = dir.path + "/logs", xdg = dir.path + "/xdg"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: xdg + "/plateau", withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: logs + "/a.csv"))
        let env = ["XDG_CONFIG_HOME": xdg, "HOME": dir.path]
        #expect(PlateauConfig.locate(explicit: nil, paths: [logs], environment: env) == nil)
        try Data().write(to: URL(fileURLWithPath: xdg + "/plateau/plateau.toml"))
        #expect(PlateauConfig.locate(explicit: nil, paths: [logs], environment: env) == xdg + "/plateau/plateau.toml")
        try Data().write(to: URL(fileURLWithPath: logs + "/plateau.toml"))
        #expect(PlateauConfig.locate(explicit: nil, paths: [logs], environment: env) == logs + "/plateau.toml")
        #expect(PlateauConfig.locate(explicit: nil, paths: [logs + "/a.csv"], environment: env) == logs + "/plateau.toml")
        #expect(PlateauConfig.locate(explicit: "/x.toml", paths: [logs], environment: env) == "/x.toml")
    }

    @Test func analysisWindowsRead() throws {
        let c = try PlateauConfig.parse("[analysis]\nbaseline = [\"2020-01-06\", \"2020-02-28\"]\ncrisis = [2020-04-14, 2020-05-08]\n", path: "p.toml")
        #expect(c.windows == AnalysisWindows(baseline: CivilDate(year: 2020, month: 1, day: 6).day...CivilDate(year: 2020, month: 2, day: 28).day,
                                             crisis: CivilDate(year: 2020, month: 4, day: 14).day...CivilDate(year: 2020, month: 5, day: 8).day))
        #expect(error("[analysis]\nbaseline = [\"2020-01-06\", \"2020-02-28\"]")?.key == "analysis.crisis")
        #expect(error("[analysis]\nbaseline = [\"2020-03-06\", \"2020-02-28\"]\ncrisis = [\"2020-04-01\", \"2020-04-02\"]")?.key == "analysis.baseline")
        #expect(error("[analysis]\nwindow = 3")?.key == "analysis.window")
    }

    @Test func customSourcesRead() throws {
        let c = try PlateauConfig.parse("""
        [[source]]
        name = "webex"
        kind = "meeting"
        format = "csv"
        [source.columns]
        user = "Attendee Email"
        start = "Join Time"
        end = "Leave Time"
        meeting = "Meeting Number"
        """, path: "p.toml")
        #expect(c.customSources.count == 1)
        #expect(c.customSources[0].columns["meeting"] == "Meeting Number")
    }
}
