import Foundation
import Testing
@testable import PlateauCore
@testable import PlateauTUI

/// The feeds in the header: each feed's age, coloured by its stale rule, and a stale feed an
/// alert on the first row at every size the header shows.
enum FeedFixture {
    /// The clock of `Fixture.model()`.
    static let now = Int64(Fixture.first + Fixture.days) * 86_400

    /// proxy: warning at 15 min, critical at 1 h; vpn: 1 h / 2 h; vdi: critical once a day old;
    /// meetings: no rule.
    static let rules: [AlertRule] = {
        let text = """
            [[rule]]
            name = "proxy-stale"
            kind = "stale"
            feed = "proxy"
            warning = "15m"
            critical = "1h"

            [[rule]]
            name = "vpn-stale"
            kind = "stale"
            feed = "vpn"
            warning = "1h"
            critical = "2h"

            [[rule]]
            name = "vdi-stale"
            kind = "stale"
            feed = "vdi"
            older_than = "1d"
            severity = "critical"
            """
        return try! AlertRules.parse(text, path: "rules.toml").rules
    }()

    /// The dashboard fixture with feeds: meetings 14 s old, proxy `proxyAge` old, vpn 3 h old,
    /// vdi without any record.
    static func model(proxyAge: Int64, now: Int64 = now, arrival: Bool = true, meetingsAge: Int64 = 14) -> DashboardModel {
        var r = Fixture.rollups()
        r.feeds = ["meetings": FeedFreshness(newestRecord: FeedFixture.now - meetingsAge),
                   "proxy": FeedFreshness(newestRecord: FeedFixture.now - proxyAge, lastArrival: arrival ? FeedFixture.now - 2 : nil),
                   "vpn": FeedFreshness(newestRecord: FeedFixture.now - 3 * 3600)]
        var o = SnapshotOptions()
        o.organisation = "Aurore Energy Group"
        o.timezone = "Europe/Paris"
        var stats = DashboardModel.Stats()
        stats.files = 12; stats.records = 123_456; stats.skipped = 3; stats.rate = 2_500
        stats.newestRecord = FeedFixture.now - 14
        stats.now = now
        return DashboardModel.build(r, options: o, stats: stats, feedRules: rules)
    }

    /// The column where `text` starts on row `y` of `f`.
    static func column(_ f: Frame, _ y: Int, _ text: String) -> Int? {
        let line = f.lines[y]
        guard let r = line.range(of: text) else { return nil }
        return line.unicodeScalars.distance(from: line.unicodeScalars.startIndex, to: r.lowerBound.samePosition(in: line.unicodeScalars)!)
    }
}

struct FeedHeaderTests {
    @Test(arguments: [(80, 24), (60, 15), (160, 48), (40, 10)])
    func aStaleFeedIsAnAlertOnTheFirstRowAtEverySize(_ width: Int, _ height: Int) throws {
        let model = FeedFixture.model(proxyAge: 4 * 60)
        let (f, layout) = DashboardView.render(model, DashboardState(), width: width, height: height)
        let first = f.lines[0]
        #expect(first.hasPrefix(" plateau"), "\(first)")
        // The textual marker says it without colour (NO_COLOR), and the colour says it too.
        let x = try #require(FeedFixture.column(f, 0, "CRIT"), "\(width)x\(height): \(first)")
        #expect(f[x, 0].style.color == .critical && f[x, 0].style.bold)
        if width >= 80 { #expect(first.contains("vpn") && first.contains("vdi"), "\(first)") }
        if width >= 160 { #expect(first.contains("CRIT vpn 3 h · vdi no records") && first.contains("Europe/Paris"), "\(first)") }
        // Nothing in the layout hides it: the first row is the header's at every size.
        #expect(layout.headerRows >= 1)
    }

    @Test func theSecondRowGivesEveryFeedItsAgeColouredByItsRule() throws {
        let model = FeedFixture.model(proxyAge: 20 * 60)
        let (f, _) = DashboardView.render(model, DashboardState(), width: 160, height: 48)
        let row = f.lines[1]
        // Stale feeds first (critical, then warning), then the fresh ones in feed order.
        #expect(row.hasPrefix(" CRIT vpn 3 h · vdi no records · WARN proxy 20 min · meetings 14 s · 2,500 records/s"), "\(row)")
        let vdi = try #require(FeedFixture.column(f, 1, "vdi no records"))
        #expect(f[vdi, 1].style.color == .critical)
        let vpn = try #require(FeedFixture.column(f, 1, "CRIT vpn"))
        let proxy = try #require(FeedFixture.column(f, 1, "WARN proxy"))
        let meetings = try #require(FeedFixture.column(f, 1, "meetings 14 s"))
        #expect(f[vpn, 1].style.color == .critical)
        #expect(f[proxy, 1].style.color == .warning)
        #expect(f[meetings, 1].style.color == .muted)
        // A feed under its thresholds is muted, with no marker.
        let fresh = DashboardView.render(FeedFixture.model(proxyAge: 60), DashboardState(), width: 160, height: 48).0
        let p = try #require(FeedFixture.column(fresh, 1, "proxy 1 min"))
        #expect(fresh[p, 1].style.color == .muted && !fresh.lines[1].contains("WARN"))
    }

    /// A feed that stops: nothing new arrives and nothing is rebuilt, yet the screen says so
    /// within one tick of the clock crossing the rule's threshold.
    @Test func aFeedCrossingItsThresholdIsOnScreenWithinOneTick() throws {
        let before = FeedFixture.model(proxyAge: 15 * 60 - 1, arrival: false, meetingsAge: 120)
        #expect(!DashboardView.render(before, DashboardState(), width: 60, height: 15).0.lines[0].contains("proxy"))
        var stats = before.stats
        stats.now += 1
        let after = try #require(DashboardFeed.clockMoved(before, to: stats))
        let first = DashboardView.render(after, DashboardState(), width: 60, height: 15).0.lines[0]
        #expect(first.contains("CRIT") && first.contains("WARN"), "\(first)")
        let wide = DashboardView.render(after, DashboardState(), width: 160, height: 48).0.lines[0]
        #expect(wide.contains("WARN proxy 15 min"), "\(wide)")
        // A tick that changes nothing shown hands nothing over.
        var same = after.stats
        same.now += 1
        #expect(DashboardFeed.clockMoved(after, to: same) == nil, "a tick that moves nothing on screen")
    }

    @Test func theAlertsPanelListsTheStaleFeedsFirst() throws {
        let model = FeedFixture.model(proxyAge: 30 * 60)
        let (f, layout) = DashboardView.render(model, DashboardState(), width: 100, height: 30)
        let panel = try #require(layout.alerts)
        let lines = Array(f.lines[(panel.y + 1)..<(panel.y + panel.height)])
        #expect(f.lines[panel.y].contains("alerts: 3 (2 critical)"))
        #expect(lines[0].contains("CRIT") && lines[0].contains("vpn-stale: vpn feed: newest record 3 h old"), "\(lines[0])")
        #expect(lines[1].contains("CRIT") && lines[1].contains("vdi-stale: vdi feed: no records"), "\(lines[1])")
        #expect(lines[2].contains("WARN") && lines[2].contains("proxy-stale: proxy feed: newest record 30 min old; bytes arrived 2 s ago"), "\(lines[2])")
    }

    /// A replay's clock is before the newest records: a feed is as fresh as its records up to
    /// the clock's day say (the daily counts), not as its newest record overall.
    @Test func aReplayJudgesTheFeedsAtItsOwnClock() throws {
        var r = Fixture.rollups()
        let end = FeedFixture.now
        r.feeds = ["meetings": FeedFreshness(newestRecord: end - 14)]
        let rules = try AlertRules.parse("[[rule]]\nname = \"m\"\nkind = \"stale\"\nfeed = \"meetings\"\nwarning = \"1d\"", path: "r.toml").rules
        let zone = TimeZoneRules(identifier: "Europe/Paris")!
        // Day 20 has meetings: at its end the feed is fresh.
        let day20 = zone.startOfDay(Fixture.first + 21)
        let fresh = DashboardModel.feeds(r, rules: rules, now: day20, zone: zone)
        #expect(fresh.first?.newestRecord == day20 && fresh.first?.level(at: day20) == nil)
        // Without meetings for two days up to the clock, the feed is two days old.
        r.values[.meetingsUsers]![BusinessUnits.all]![Fixture.first + 19] = 0
        r.values[.meetingsUsers]![BusinessUnits.all]![Fixture.first + 20] = 0
        let stale = DashboardModel.feeds(r, rules: rules, now: day20, zone: zone)
        #expect(stale.first?.newestRecord == zone.startOfDay(Fixture.first + 19))
        #expect(stale.first?.level(at: day20) == .warning)
        // Before the feed's first records (the first frames of `make run`'s replay) it has not
        // started: neither fresh nor stale.
        for d in 0...5 { r.values[.meetingsUsers]![BusinessUnits.all]![Fixture.first + d] = 0 }
        let day3 = zone.startOfDay(Fixture.first + 4)
        let early = try #require(DashboardModel.feeds(r, rules: rules, now: day3, zone: zone).first)
        #expect(!early.started && early.level(at: day3) == nil && early.age(at: day3) == "not yet")
    }
}
