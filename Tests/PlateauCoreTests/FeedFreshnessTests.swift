import Foundation
import Testing
@testable import PlateauCore

/// Each feed's freshness (its newest record, per BU too), the stale rules that judge it against
/// the clock, and the rules that could never be right.
@Suite struct FeedFreshnessTests {
    static let paris = TimeZoneRules(identifier: "Europe/Paris")!

    @Test func durationsReadEveryUnitAndRefuseTheRest() {
        #expect(Durations.parse("15m") == 900 && Durations.parse("15min") == 900)
        #expect(Durations.parse("2h") == 7_200 && Durations.parse("1d") == 86_400 && Durations.parse("1w") == 604_800)
        #expect(Durations.parse("90s") == 90 && Durations.parse("1h30m") == 5_400 && Durations.parse("1.5h") == 5_400)
        #expect(Durations.parse("1h 30m") == 5_400 && Durations.parse("2H") == 7_200)
        for bad in ["", "15", "m", "2 hours", "1y", "-1h", "1h-"] { #expect(Durations.parse(bad) == nil, "\(bad)") }
        #expect(Durations.format(45) == "45 s" && Durations.format(14 * 60 + 59) == "14 min")
        #expect(Durations.format(3 * 3600 + 12 * 60) == "3 h 12 min" && Durations.format(2 * 86_400 + 4 * 3600) == "2 d 4 h")
        #expect(Durations.format(2_400 * 86_400 + 5) == "2,400 d")
        #expect(Durations.short(3 * 3600 + 12 * 60) == "3 h" && Durations.short(47 * 3600) == "47 h" && Durations.short(49 * 3600) == "2 d")
    }

    @Test func anAccumulatorKeepsEachFeedsNewestRecordPerBUAndMerges() {
        let a = Accumulator(), b = Accumulator()
        a.saw(100, feed: Feeds.proxy, unit: 2)
        a.saw(300, feed: Feeds.proxy, unit: 3)
        b.saw(200, feed: Feeds.proxy, unit: 2)
        b.saw(50, family: .vpn, feed: Feeds.byFamily, unit: 3)   // a sessions CSV row: its family's feed
        b.saw(70, family: .vdi, feed: Feeds.builtIn.count, unit: 2)  // a custom session source: its own feed
        a.merge(b)
        #expect(a.newestRecord == 300 && a.newest[SessionFamily.vpn.rawValue] == 50)
        let feeds = a.feedTimes.byName(Feeds.names([CustomSource(name: "citrix", kind: .session, shape: .csv, columns: [:])]))
        #expect(feeds["proxy"] == FeedFreshness(newestRecord: 300, units: [2: 200, 3: 300]))
        #expect(feeds["vpn"] == FeedFreshness(newestRecord: 50, units: [3: 50]))
        #expect(feeds["citrix"] == FeedFreshness(newestRecord: 70, units: [2: 70]))
        #expect(feeds["vdi"] == nil && feeds["meetings"] == nil)
    }

    /// Files of three feeds, one of them a `[[source]]`: each feed's newest record is its own,
    /// a sessions CSV row counts for the family it names, and a BU's newest record for its BU.
    @Test func everyFeedOfAnIngestHasItsOwnNewestRecord() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        try write(dir.path + "/directory/people.csv", "user_id,upn,display_name,business_unit,country\nu1,a@x.example,A,Iberia,ES\nu2,b@x.example,B,Benelux,BE\n")
        try write(dir.path + "/proxy.jsonl", """
            {"time":"Mon Mar 23 09:14:02 2020","login":"a@x.example","location":"HQ","dept":"Ops"}
            {"time":"Mon Mar 23 11:00:00 2020","login":"b@x.example","location":"HQ","dept":"Ops"}

            """)
        try write(dir.path + "/sessions.csv", """
            user,start,end,source
            a@x.example,2020-03-23T08:00:00Z,2020-03-23T09:00:00Z,vdi
            b@x.example,2020-03-23T10:00:00Z,2020-03-23T12:30:00Z,vpn

            """)
        try write(dir.path + "/webex.csv", "Attendee Email,Join Time\na@x.example,2020-03-23T13:45:00Z\n")
        var settings = IngestSettings()
        settings.customSources = [CustomSource(name: "webex", kind: .meeting, shape: .csv, columns: ["user": "Attendee Email", "start": "Join Time"])]
        let (result, r) = try ingest([dir.path], settings: settings)
        let t = { (s: String) in Int64(ISO8601DateFormatter().date(from: s)!.timeIntervalSince1970) }
        #expect(Set(r.feeds.keys) == ["proxy", "vdi", "vpn", "webex"])
        #expect(r.feeds["proxy"]?.newestRecord == t("2020-03-23T11:00:00Z"))
        #expect(r.feeds["vdi"]?.newestRecord == t("2020-03-23T09:00:00Z"))
        #expect(r.feeds["vpn"]?.newestRecord == t("2020-03-23T12:30:00Z"))
        #expect(r.feeds["webex"]?.newestRecord == t("2020-03-23T13:45:00Z"))
        let iberia = UInt16(r.units.firstIndex(of: "Iberia")!), benelux = UInt16(r.units.firstIndex(of: "Benelux")!)
        #expect(r.feeds["proxy"]?.units == [iberia: t("2020-03-23T09:14:02Z"), benelux: t("2020-03-23T11:00:00Z")])
        #expect(r.newestRecord == t("2020-03-23T13:45:00Z"))
        #expect(result.inputs.count == 4)
    }

    // MARK: stale rules

    func rules(_ text: String, config: PlateauConfig? = nil) throws -> AlertRules { try AlertRules.parse(text, path: "rules.toml", config: config) }

    @Test func staleRulesTakeAgesInAnyUnitAndNameTheirFeed() throws {
        let r = try rules("""
            [[rule]]
            name = "proxy"
            kind = "stale"
            feed = "proxy"
            warning = "15m"
            critical = "2h"

            [[rule]]
            name = "vpn"
            kind = "stale"
            metric = "vpn.peak_sessions"
            warning = 2
            critical = 3.5

            [[rule]]
            name = "vdi"
            kind = "stale"
            feed = "vdi"
            older_than = "1d"
            severity = "critical"
            """).rules
        #expect(r[0].feed == "proxy" && r[0].metric == .proxyUsers && r[0].warning == 900 && r[0].critical == 7_200)
        // A bare number is days, as stale rules took before ages; the metric names its built-in feed.
        #expect(r[1].feed == "vpn" && r[1].metric == .vpnPeakSessions && r[1].warning == 2 * 86_400 && r[1].critical == 3.5 * 86_400)
        #expect(r[2].feed == "vdi" && r[2].warning == nil && r[2].critical == 86_400 && r[2].judgesFeed)
        // A [[source]] of the config is a feed of its own.
        var config = PlateauConfig()
        config.customSources = [CustomSource(name: "citrix", kind: .session, shape: .csv, columns: [:])]
        config.customSources[0].family = .vdi
        let custom = try rules("[[rule]]\nname = \"c\"\nkind = \"stale\"\nfeed = \"citrix\"\nolder_than = \"30m\"", config: config).rules[0]
        #expect(custom.feed == "citrix" && custom.metric == .vdiUsers && custom.warning == 1_800)
    }

    @Test(arguments: [
        ("feed = \"fax\"\nwarning = \"1h\"", "feed: no feed 'fax' (feeds: meetings, proxy, private_access, vpn, vdi, signins)"),
        ("metric = \"remote.users\"\nwarning = \"1h\"", "metric: remote.users comes from several feeds: name one with feed"),
        ("feed = \"proxy\"\nmetric = \"proxy.users\"\nwarning = \"1h\"", "feed: give feed or metric, not both (feed names the feed; a metric, its built-in feed)"),
        ("warning = \"1h\"", "feed: missing (the feed whose newest record is judged: meetings, proxy, private_access, vpn, vdi, signins)"),
        ("feed = \"proxy\"\nwarning = \"soon\"", "warning: 'soon' is not an age like \"15m\", \"2h\", \"1d\" (units s, m, h, d, w)"),
        ("feed = \"proxy\"\nwarning = \"15\"", "warning: '15' is not an age like \"15m\", \"2h\", \"1d\" (units s, m, h, d, w)"),
        ("feed = \"proxy\"\nwarning = 0", "warning: must be an age above 0 (\"15m\", \"2h\", \"1d\"; a bare number is days)"),
        ("feed = \"proxy\"\nwarning = \"2h\"\ncritical = \"1h\"", "critical: must be at least warning (a feed is critical when older)"),
        ("feed = \"proxy\"\nolder_than = \"1h\"\nwarning = \"2h\"", "older_than: give older_than (one level, at severity) or warning and critical, not both"),
        ("feed = \"proxy\"", "warning: missing (the age of the feed's newest record: older_than, or warning and critical, e.g. \"15m\", \"2h\", \"1d\")"),
        ("feed = \"proxy\"\nwarning = \"1h\"\nmin_value = 3", "min_value: not for a stale rule of ALL (it judges the age of a feed)"),
        ("metric = \"proxy.users\"\nbu = \"*\"\nfeed = \"proxy\"", "feed: only for stale rules of ALL (the others judge a metric)"),
        ("metric = \"proxy.users\"\nbu = \"*\"\nolder_than = \"1d\"", "older_than: only for stale rules of ALL (an age of the feed's newest record)"),
    ] as [(String, String)])
    func aBadStaleRuleNamesItsKey(_ body: String, _ expected: String) {
        do {
            _ = try rules("[[rule]]\nname = \"x\"\nkind = \"stale\"\n" + body)
            Issue.record("no error for \(body)")
        } catch { #expect("\(error)" == "rules.toml: rule 'x': " + expected) }
    }

    /// Thresholds outside their kind's range would be quietly wrong: 50 where 0.5 was meant.
    @Test(arguments: [
        ("drop", "warning = 50", "warning: must be a fraction of the usual level above 0 and at most 1 (0.5 is half of it), not 50"),
        ("drop", "critical = 0", "critical: must be a fraction of the usual level above 0 and at most 1 (0.5 is half of it), not 0"),
        ("capacity", "warning = 90", "warning: must be a fraction of the capacity above 0 and at most 2 (0.9 is 90 %), not 90"),
        ("capacity", "critical = -1", "critical: must be a fraction of the capacity above 0 and at most 2 (0.9 is 90 %), not -1"),
        ("surge", "warning = 0", "warning: must be a z-score above 0, not 0"),
        ("surge", "warning = 5\ncritical = 3", "critical: must be at least warning"),
        ("capacity", "warning = 0.9\ncritical = 0.8", "critical: must be at least warning"),
        ("surge", "warning = 5\nmin_value = -2", "min_value: must be 0 or more"),
    ] as [(String, String, String)])
    func aThresholdOutsideItsKindsRangeIsAnError(_ kind: String, _ body: String, _ expected: String) {
        do {
            _ = try rules("[[rule]]\nname = \"x\"\nkind = \"\(kind)\"\nmetric = \"vpn.peak_sessions\"\n" + body)
            Issue.record("no error for \(kind) \(body)")
        } catch { #expect("\(error)" == "rules.toml: rule 'x': " + expected) }
    }

    @Test func aCapacityRuleWithoutItsCapacityIsAnError() throws {
        let rule = "[[rule]]\nname = \"vpn\"\nkind = \"capacity\"\nmetric = \"vpn.peak_sessions\"\ncritical = 1\n"
        var config = PlateauConfig()
        config.path = "plateau.toml"
        do {
            _ = try rules(rule, config: config)
            Issue.record("no error")
        } catch {
            #expect("\(error)" == "rules.toml: rule 'vpn': metric: no [[capacity]] of vpn.peak_sessions in plateau.toml: the rule could never fire")
        }
        config.capacity = [.init(metric: .vpnPeakSessions, from: CivilDate(year: 2020, month: 1, day: 1), value: 250, bu: "ALL")]
        #expect(try rules(rule, config: config).rules.count == 1)
        // One BU's rule needs that BU's capacity.
        #expect(throws: AlertRulesError.self) { try rules(rule + "bu = \"Iberia\"\n", config: config) }
    }

    /// A BU or a metric the data lacks: the rule could never fire, so the run fails naming it.
    @Test func aRuleNamingWhatTheDataLacksIsAnError() throws {
        var r = Rollups(units: ["ALL", "UNASSIGNED", "Iberia", "Benelux"])
        r.metrics = [.proxyUsers, .proxyRemoteUsers, .remoteUsers]
        let atlantis = try rules("[[rule]]\nname = \"x\"\nkind = \"drop\"\nmetric = \"proxy.users\"\nbu = \"Atlantis\"\nwarning = 0.5")
        do { try atlantis.check(against: r); Issue.record("no error") } catch {
            #expect("\(error)" == "rules.toml: rule 'x': bu: no business unit 'Atlantis' in the data (closest first: Iberia, Benelux)")
        }
        let vdi = try rules("[[rule]]\nname = \"v\"\nkind = \"surge\"\nmetric = \"vdi.users\"\nwarning = 3")
        do { try vdi.check(against: r); Issue.record("no error") } catch {
            #expect("\(error)" == "rules.toml: rule 'v': metric: no vdi.users in the data: no input holds its records, so the rule could never fire")
        }
        // A feed without records is no error: its stale rule fires (the feed is dead).
        try rules("[[rule]]\nname = \"f\"\nkind = \"stale\"\nfeed = \"vdi\"\nwarning = \"1d\"").check(against: r)
    }

    // MARK: judging feeds

    /// Ten days of proxy and meetings records from 2020-03-02 (a Monday); the proxy feed stops
    /// on day 6 at 10:00 Paris time; meetings go on to the end.
    func tenDays() -> Rollups {
        let first = CivilDate(year: 2020, month: 3, day: 2).day
        var r = Rollups(units: ["ALL", "UNASSIGNED", "Iberia"])
        r.firstDay = first
        r.lastDay = first + 9
        r.metrics = [.meetingsUsers, .proxyUsers]
        for i in 0..<10 {
            r.values[.meetingsUsers, default: [:]][BusinessUnits.all, default: [:]][first + i] = 40
            r.values[.proxyUsers, default: [:]][BusinessUnits.all, default: [:]][first + i] = i <= 6 ? 60 : 0
        }
        let stop = Self.paris.startOfDay(first + 6) + 10 * 3600
        r.feeds = ["proxy": FeedFreshness(newestRecord: stop, units: [2: stop - 600]),
                   "meetings": FeedFreshness(newestRecord: Self.paris.startOfDay(first + 10) - 60)]
        r.newestRecord = r.feeds["meetings"]?.newestRecord
        return r
    }

    let feedRules = """
        [[rule]]
        name = "proxy-stale"
        kind = "stale"
        feed = "proxy"
        warning = "2h"
        critical = "1d"

        [[rule]]
        name = "vpn-stale"
        kind = "stale"
        feed = "vpn"
        older_than = "1h"
        severity = "critical"
        """

    func judge(_ r: Rollups, _ rules: AlertRules, days: ClosedRange<Int>, now: Int64?, feedsAt: Int64?) -> [Alert] {
        var c = AlertContext()
        c.timezone = Self.paris
        c.now = now
        c.feedsAt = feedsAt
        c.minGroup = 1
        return AlertEvaluator.evaluate(rollups: r, analyses: [:], rules: rules, context: c, on: days)
    }

    @Test func aFeedIsJudgedAgainstTheClockNotAgainstTheData() throws {
        let r = tenDays()
        let rules = try rules(feedRules)
        let last = r.lastDay!
        let stop = r.feeds["proxy"]!.newestRecord!
        // Fresh two hours minus a second after the stop; a warning at two hours; critical a day on.
        #expect(judge(r, rules, days: last...last, now: stop + 7_199, feedsAt: stop + 7_199).filter { $0.rule == "proxy-stale" }.isEmpty)
        let warn = try #require(judge(r, rules, days: last...last, now: stop + 7_200, feedsAt: stop + 7_200).first { $0.rule == "proxy-stale" })
        #expect(warn.severity == .warning && warn.value == 7_200 && warn.threshold == 7_200 && warn.bu == "ALL" && warn.metric == .proxyUsers)
        #expect(warn.message == "proxy feed: newest record 2 h old (2020-03-08 10:00)")
        let now = stop + 30 * 86_400
        let alerts = judge(r, rules, days: last...last, now: now, feedsAt: now)
        let crit = try #require(alerts.first { $0.rule == "proxy-stale" })
        #expect(crit.severity == .critical && crit.day == Self.paris.localDay(now) && crit.message == "proxy feed: newest record 30 d old (2020-03-08 10:00)")
        // A feed a rule names and the inputs lack has no record at all: its rule's highest level.
        let vpn = try #require(alerts.first { $0.rule == "vpn-stale" })
        #expect(vpn.severity == .critical && vpn.value == nil && vpn.message == "vpn feed: no records in the inputs")
    }

    /// A replay (--date, --since) judges each day at its end, as if run then: before the newest
    /// record, a feed is known to the day by its daily counts.
    @Test func aReplayJudgesEachDayAtItsEnd() throws {
        let r = tenDays()
        let rules = try rules(feedRules)
        let first = r.firstDay!
        let alerts = judge(r, rules, days: first...(first + 9), now: Self.paris.startOfDay(first + 40), feedsAt: nil).filter { $0.rule == "proxy-stale" }
        // Day 6 ends 14 h after the stop: a warning; from day 7 on, a day old or more: critical.
        let byDay = Dictionary(uniqueKeysWithValues: alerts.map { ($0.day - first, $0) })
        #expect(Set(byDay.keys) == Set(6...9))
        #expect(byDay[6]?.severity == .warning && byDay[6]?.value == 14 * 3600)
        #expect(byDay[7]?.severity == .critical && byDay[9]?.value == Double(3 * 86_400 + 14 * 3600))
        // No day judged past the run's instant: judged at noon of day 6, the feed is 2 h old.
        let noon = Self.paris.startOfDay(first + 6) + 12 * 3600
        let early = judge(r, rules, days: (first + 6)...(first + 6), now: noon, feedsAt: nil).filter { $0.rule == "proxy-stale" }
        #expect(early.map(\.value) == [7_200])
        // Before the stop, a day with proxy records is fresh at its end.
        #expect(judge(r, rules, days: (first + 3)...(first + 5), now: nil, feedsAt: nil).filter { $0.rule == "proxy-stale" }.isEmpty)
        // A day-level age says it is a lower bound.
        var silent = r
        silent.values[.proxyUsers]![BusinessUnits.all]![first + 3] = 0
        let gap = judge(silent, rules, days: (first + 3)...(first + 3), now: nil, feedsAt: nil).first { $0.rule == "proxy-stale" }
        #expect(gap?.message == "proxy feed: newest record at least 1 d old (2020-03-04)")
    }

    /// The perfdata of a feed's age: seconds, alerting at or above each level.
    @Test func nagiosGivesEachFeedsAgeInSeconds() throws {
        let r = tenDays()
        var c = AlertContext()
        c.timezone = Self.paris
        let stop = r.feeds["proxy"]!.newestRecord!
        c.now = stop + 3_600
        c.feedsAt = stop + 3_600
        let rules = try rules(feedRules)
        let readings = AlertEvaluator.readings(rollups: r, analyses: [:], rules: rules, context: c, on: r.lastDay!...r.lastDay!)
        let report = AlertReport(alerts: [], readings: readings, rules: 2, days: r.lastDay!...r.lastDay!)
        #expect(AlertOutput.nagios(report).hasSuffix("| 'proxy feed age'=3600s;@7200:;@86400:;0\n"), "\(AlertOutput.nagios(report))")
    }

    /// Prometheus: the feeds' newest records, and gauges that count the alerts the exit code is
    /// made of (with --since, every day's — not only the last day's).
    @Test func prometheusGaugesTellTheExitCodesStory() throws {
        let r = tenDays()
        let rules = try rules(feedRules)
        let first = r.firstDay!
        let since = judge(r, rules, days: first...(first + 9), now: nil, feedsAt: nil)
        var report = AlertReport(alerts: since, readings: [], rules: 2, days: first...(first + 9))
        // The last day judged has a critical; make the story harder: only days before have warnings.
        report.alerts = since.filter { $0.severity == .warning }
        #expect(report.exitCode == 1 && !report.alerts.contains { $0.day == first + 9 })
        report.feeds = AlertReport.feedTimestamps(r, feeds: Feeds.known([]), timezone: Self.paris, minGroup: 1)
        let text = AlertOutput.prometheus(report)
        #expect(text.contains("plateau_alerts{severity=\"warning\"} \(report.count(.warning))\n") && report.count(.warning) > 0)
        #expect(text.contains("plateau_alerts{severity=\"critical\"} 0\n"))
        #expect(text.contains("plateau_alert{rule=\"proxy-stale\",metric=\"proxy.users\",bu=\"ALL\",severity=\"warning\"} 1\n"))
        #expect(text.contains("plateau_feed_last_record_timestamp_seconds{feed=\"proxy\"} \(r.feeds["proxy"]!.newestRecord!)\n"))
        #expect(text.contains("plateau_feed_last_record_timestamp_seconds{feed=\"proxy\",bu=\"Iberia\"} \(r.feeds["proxy"]!.newestRecord! - 600)\n"))
        // A BU's stamp of a small group is withheld (it would tell when one person was last seen).
        var small = r
        small.values[.proxyUsers]![2] = [:]
        for d in first...(first + 9) { small.values[.proxyUsers]![2]![d] = 2 }
        let withheld = AlertReport.feedTimestamps(small, feeds: Feeds.known([]), timezone: Self.paris, minGroup: 5)
        #expect(!withheld.contains { $0.bu == "Iberia" } && withheld.contains { $0.feed == "proxy" && $0.bu == nil })
    }

    // MARK: documents and arrivals

    @Test func documentsBesideTheLogsAreNotInputs() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        try write(dir.path + "/README.md", "# notes\nsome text\n")
        try write(dir.path + "/notes.txt", "nothing to see\n")
        try write(dir.path + "/LICENSE", "MIT\n")
        try write(dir.path + "/mystery.bin", "\u{01}\u{02}binary\n")
        // Content decides first: a proxy export named .txt is a log.
        try write(dir.path + "/proxy-export.txt", "{\"time\":\"Mon Mar 23 09:14:02 2020\",\"login\":\"c@x.example\",\"location\":\"HQ\",\"dept\":\"Ops\"}\n")
        let (inputs, documents) = try InputDiscovery.discoverAll([dir.path])
        #expect(documents.map { ($0 as NSString).lastPathComponent } == ["LICENSE", "README.md", "notes.txt"])
        #expect(inputs.map { ($0.path as NSString).lastPathComponent } == ["mystery.bin", "proxy-export.txt"])
        #expect(inputs.first { $0.path.hasSuffix(".txt") }?.format == .zscalerNSSJSON)
        let result = Ingest(settings: IngestSettings()).run(inputs)
        #expect(result.inputs.compactMap(\.account.fileError) == [InputDiscovery.unknownFormat])
        // The dashboard's follower says the same: the README is no input, the unknown file is.
        let live = LiveIngest(roots: [dir.path], settings: IngestSettings())
        _ = live.poll()
        #expect(live.inputs.map { ($0.path as NSString).lastPathComponent } == ["mystery.bin", "proxy-export.txt"])
    }

    @Test func theFollowerNotesWhenBytesArrivePerFeed() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let clock = ManualClock(1_000)
        let live = LiveIngest(roots: [dir.path], settings: IngestSettings())
        live.clock = { clock.now }
        let line = "{\"time\":\"Mon Mar 23 09:14:02 2020\",\"login\":\"c@x.example\",\"location\":\"HQ\",\"dept\":\"Ops\"}\n"
        try write(dir.path + "/proxy.jsonl", line)
        _ = live.poll()
        #expect(live.lastArrivals == ["proxy": 1_000])
        clock.now = 1_060
        _ = live.poll()  // nothing new: the arrival stays where it was
        #expect(live.lastArrivals == ["proxy": 1_000])
        try append(dir.path + "/proxy.jsonl", Array(line.utf8))
        _ = live.poll()
        #expect(live.lastArrivals == ["proxy": 1_060])
        #expect(live.rollups().feeds["proxy"]?.lastArrival == 1_060)
    }
}

/// A clock a test moves by hand.
final class ManualClock: @unchecked Sendable {
    var now: Int64
    init(_ now: Int64) { self.now = now }
}
