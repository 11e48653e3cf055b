import Foundation
import Testing
@testable import PlateauCore
@testable import PlateauTUI

/// A small organisation over ten weeks: three BUs whose meeting users step up ×5 on day 35,
/// VPN peaks with a licence capacity, one BU named with an escape sequence from a log.
enum Fixture {
    static let first = CivilDate(year: 2020, month: 1, day: 6).day  // a Monday
    static let days = 68  // ends on a Friday
    static let names = ["ALL", "UNASSIGNED", "Iberia", "Benelux", "Evil\u{1B}[31mCorp", "Tiny"]

    static func rollups() -> Rollups {
        var r = Rollups(units: names)
        r.firstDay = first
        r.lastDay = first + days - 1
        r.metrics = [.meetingsUsers, .vpnPeakSessions]
        let base: [UInt16: Double] = [2: 40, 3: 20, 4: 12, 5: 3]
        for d in 0..<days {
            let weekend = CivilDate(daysSinceEpoch: first + d).isWeekend
            let lift = d >= 35 ? 5.0 : 1.0
            var all = 0.0
            for (bu, b) in base {
                // A small deterministic wobble so the series are not flat.
                let v = bu == 5 ? (weekend ? 0 : 2) : weekend ? 2 : (b * lift + Double((d * 7 + Int(bu) * 3) % 5))
                r.values[.meetingsUsers, default: [:]][bu, default: [:]][first + d] = v
                all += v
            }
            r.values[.meetingsUsers, default: [:]][0, default: [:]][first + d] = all
            r.values[.vpnPeakSessions, default: [:]][0, default: [:]][first + d] = weekend ? 10 : (d >= 35 ? 2_300 : 400)
        }
        r.newestRecord = Int64(first + days) * 86_400 - 14
        return r
    }

    static func model(alerts: [DashboardModel.Alert] = []) -> DashboardModel {
        var o = SnapshotOptions()
        o.organisation = "Aurore Energy Group"
        o.timezone = "Europe/Paris"
        var stats = DashboardModel.Stats()
        stats.files = 12; stats.records = 123_456; stats.skipped = 3; stats.rate = 2_500
        stats.newestRecord = Int64(first + days) * 86_400 - 14
        stats.now = Int64(first + days) * 86_400
        let cap = PlateauConfig.Capacity(metric: .vpnPeakSessions, from: CivilDate(daysSinceEpoch: first), value: 2_500, bu: "ALL")
        return DashboardModel.build(rollups(), options: o, capacity: [cap], stats: stats, alerts: alerts)
    }
}

struct DashboardStateTests {
    let model = Fixture.model()

    func press(_ keys: [DashboardState.Key], _ s: DashboardState = DashboardState()) -> DashboardState {
        var s = s
        for k in keys { s.apply(.key(k), model: model) }
        return s
    }

    @Test func selectionMovesThroughTheVisibleUnitsAndStopsAtTheEnds() {
        #expect(press([.down]).selectedBU == "Benelux")  // ALL first, then by name
        #expect(press([.char("j"), .char("j")]).selectedBU == "Evil?[31mCorp")  // names arrive sanitised
        #expect(press([.up]).selectedBU == "ALL")
        let rows = DashboardState().visibleRows(model).map(\.name)
        #expect(press(Array(repeating: .down, count: 20)).selectedBU == rows.last)
    }

    @Test func metricsCycleBothWaysAndWrap() {
        #expect(press([]).metric(model) == .meetingsUsers)
        #expect(press([.right]).metric(model) == .vpnPeakSessions)
        #expect(press([.tab, .char("l")]).metric(model) == .meetingsUsers)
        #expect(press([.left]).metric(model) == .vpnPeakSessions)
        #expect(press([.char("h"), .backTab]).metric(model) == .meetingsUsers)
    }

    @Test func zoomHalvesDownToTwoWeeksAndZeroShowsAll() {
        let s = press([.char("+")])
        #expect(s.zoomDays == 34)
        #expect(s.visibleDays(model) == (Fixture.first + 34)...(Fixture.first + 67))
        #expect(press([.char("+"), .char("+"), .char("+"), .char("+")]).zoomDays == DashboardState.minimumZoom)
        #expect(press([.char("+"), .char("-")]).zoomDays == nil)
        #expect(press([.char("+"), .char("+"), .char("0")]).visibleDays(model) == Fixture.first...(Fixture.first + 67))
    }

    @Test func filterNarrowsTheListKeepsALLAndEscapeClearsIt() {
        let s = press([.char("/"), .char("b"), .char("E"), .char("n")])
        #expect(s.editingFilter && s.filter == "bEn")
        #expect(s.visibleRows(model).map(\.name) == ["ALL", "Benelux"])
        // Keys typed into the filter are text, not commands.
        #expect(!press([.char("/"), .char("q")]).quit)
        let kept = press([.char("/"), .char("i"), .char("b"), .enter])
        #expect(!kept.editingFilter && kept.visibleRows(model).map(\.name) == ["ALL", "Iberia"])
        #expect(press([.escape], kept).filter.isEmpty)
        #expect(press([.char("/"), .char("x"), .backspace]).filter.isEmpty)
    }

    @Test func selectionFollowsTheFilter() {
        var s = press([.down, .down])  // Evil…Corp
        s = press([.char("/"), .char("i"), .char("b")], s)
        #expect(s.selectedBU == "ALL" || s.selectedBU == "Iberia")
        #expect(s.visibleRows(model).contains { $0.name == s.selectedBU })
    }

    @Test func sortCyclesNameRatioValue() {
        #expect(press([.char("s")]).sort == .ratio)
        #expect(press([.char("s"), .char("s")]).sort == .value)
        #expect(press([.char("s"), .char("s"), .char("s")]).sort == .name)
        let byValue = press([.char("s"), .char("s")]).visibleRows(model)
        let todays = byValue.dropFirst().map { $0.today ?? -1 }
        #expect(byValue.first?.name == "ALL")
        #expect(todays == todays.sorted(by: >))
    }

    @Test func glyphsAlertsHelpAndQuit() {
        #expect(press([.char("g")]).glyphs == .blocks)
        #expect(press([.char("g"), .char("g"), .char("g")]).glyphs == .braille)
        #expect(!press([.char("a")]).showAlerts)
        let help = press([.char("?")])
        #expect(help.showHelp)
        // Any key closes help without acting; q still quits.
        let closed = press([.down], help)
        #expect(!closed.showHelp && closed.selectedBU == "ALL")
        #expect(press([.char("q")], help).quit)
        #expect(press([.char("q")]).quit && press([.ctrlC]).quit)
        #expect(press([.char("/"), .ctrlC]).quit)
    }

    @Test func clicksSelectTheUnitDrawnOnThatRow() {
        let (_, layout) = DashboardView.render(model, DashboardState(), width: 100, height: 30)
        let row = layout.listRows.first { $0.value == "Iberia" }!.key
        var s = DashboardState()
        s.apply(.click(x: 3, y: row), model: model, layout: layout)
        #expect(s.selectedBU == "Iberia")
        // A click on the chart changes nothing.
        s.apply(.click(x: 90, y: row), model: model, layout: layout)
        #expect(s.selectedBU == "Iberia")
        // Under the help overlay, a click closes it and selects nothing beneath.
        let other = layout.listRows.first { $0.value != "Iberia" && $0.value != "ALL" }!
        s.apply(.key(.char("?")), model: model, layout: layout)
        s.apply(.click(x: 3, y: other.key), model: model, layout: layout)
        #expect(!s.showHelp && s.selectedBU == "Iberia")
        s.apply(.click(x: 3, y: other.key), model: model, layout: layout)
        #expect(s.selectedBU == other.value)
    }

    @Test func replaySpeedParsesAndRevealsADayAtATime() {
        #expect(ReplaySpeed("2d/s")?.daysPerSecond == 2)
        #expect(ReplaySpeed("12h/s")?.daysPerSecond == 0.5)
        #expect(ReplaySpeed("3")?.daysPerSecond == 3)
        #expect(ReplaySpeed("fast") == nil && ReplaySpeed("-1d/s") == nil && ReplaySpeed("0") == nil)
        let s = ReplaySpeed("2d/s")!
        #expect(s.lastDay(first: 100, last: 200, elapsed: 0) == 100)
        #expect(s.lastDay(first: 100, last: 200, elapsed: 0.49) == 100)
        #expect(s.lastDay(first: 100, last: 200, elapsed: 0.5) == 101)
        #expect(s.lastDay(first: 100, last: 200, elapsed: 10) == 120)
        #expect(s.lastDay(first: 100, last: 200, elapsed: 1_000) == 200)
    }
}

struct DashboardViewTests {
    let model = Fixture.model(alerts: [
        .init(severity: .warning, day: Fixture.first + 60, text: "vpn.peak_sessions ALL at 92% of 2,500"),
        .init(severity: .critical, day: Fixture.first + 64, text: "meetings.users Iberia dropped to 8%"),
    ])

    func text(_ f: Frame) -> String { f.lines.joined(separator: "\n") }

    @Test func eightyByTwentyFourShowsHeaderListChartAlertsAndStatus() {
        let (f, layout) = DashboardView.render(model, DashboardState(), width: 80, height: 24)
        let l = f.lines
        #expect(l.count == 24 && l.allSatisfy { $0.unicodeScalars.count == 80 })
        #expect(l[0].contains("Aurore Energy Group") && l[0].contains("Europe/Paris"))
        #expect(l[1].contains("newest record 14 s ago") && l[1].contains("2,500 records/s") && l[1].contains("3 skipped") && l[1].contains("12 files followed"))
        // The least important figure waits for a wider screen.
        #expect(!l[1].contains("123,456 records"))
        #expect(DashboardView.render(model, DashboardState(), width: 160, height: 48).0.lines[1].contains("123,456 records"))
        #expect(l[2].contains("meetings.users") && l[2].contains("vpn.peak_sessions"))
        #expect(layout.list != nil && layout.chart != nil && layout.alerts != nil)
        #expect(text(f).contains("Iberia") && text(f).contains("Benelux"))
        #expect(text(f).contains("meetings.users · ALL"))
        #expect(l[23].contains("q quit"))
    }

    @Test func alertsAreListedNewestFirstWithTheirSeverity() {
        let (f, layout) = DashboardView.render(model, DashboardState(), width: 100, height: 30)
        let panel = layout.alerts!
        let lines = f.lines[(panel.y + 1)..<(panel.y + panel.height)]
        #expect(lines.first!.contains("CRIT") && lines.first!.contains("Iberia dropped"))
        #expect(lines.dropFirst().first!.contains("WARN"))
        #expect(f.lines[panel.y].contains("alerts: 2 (1 critical)"))
        let crit = lines.first!.range(of: "CRIT")!
        let x = lines.first!.distance(from: lines.first!.startIndex, to: crit.lowerBound)
        #expect(f[x, panel.y + 1].style.color == .critical)
    }

    @Test func panelsAreDroppedNotGarbledWhenSmall() {
        var s = DashboardState()
        let (_, l1) = DashboardView.render(model, s, width: 80, height: 18)
        #expect(l1.alerts == nil && l1.list != nil && l1.chart != nil)
        let (_, l2) = DashboardView.render(model, s, width: 50, height: 12)
        #expect(l2.list == nil && l2.chart != nil && l2.headerRows == 1)
        let (f3, l3) = DashboardView.render(model, s, width: 20, height: 5)
        #expect(l3.chart == nil && f3.lines[0].hasPrefix("plateau: window too"))
        let (f4, _) = DashboardView.render(model, s, width: 0, height: 0)
        #expect(f4.cells.isEmpty)
        s.showAlerts = false
        let (_, l5) = DashboardView.render(model, s, width: 80, height: 24)
        #expect(l5.alerts == nil)
        let (_, wide) = DashboardView.render(model, DashboardState(), width: 160, height: 48)
        #expect(wide.list!.width == 54 && wide.alerts!.height == 10)
    }

    @Test func everySizeFillsTheFrameExactly() {
        for (w, h) in [(40, 10), (59, 15), (60, 16), (80, 24), (100, 30), (133, 41), (160, 48), (250, 70)] {
            for glyphs in GlyphMode.allCases {
                var s = DashboardState()
                s.glyphs = glyphs
                s.showHelp = w == 100
                let (f, layout) = DashboardView.render(model, s, width: w, height: h)
                // The header on the first row, the status bar on the last, panels that do not overlap.
                #expect(f.lines[0].hasPrefix(" plateau"), "\(w)x\(h)")
                #expect(f.lines[h - 1].hasSuffix("? help "), "\(w)x\(h): \(f.lines[h - 1])")
                let rects = [layout.tabs, layout.list, layout.chart, layout.alerts, layout.status].compactMap { $0 }
                for (i, a) in rects.enumerated() {
                    #expect(a.x >= 0 && a.y >= layout.headerRows && a.x + a.width <= w && a.y + a.height <= h, "\(w)x\(h)")
                    for b in rects[(i + 1)...] {
                        let apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y
                        #expect(apart, "\(w)x\(h): \(a) overlaps \(b)")
                    }
                }
            }
        }
    }

    @Test func nothingFromALogReachesTheScreenAsAControlCharacter() {
        var s = DashboardState()
        s.selectedBU = "Evil?[31mCorp"
        let (f, _) = DashboardView.render(model, s, width: 120, height: 40)
        #expect(!f.cells.contains { $0.scalar.value < 0x20 || (0x7F..<0xA0).contains($0.scalar.value) })
        #expect(text(f).contains("Evil?[31mCorp"))
    }

    @Test func asciiModeDrawsOnlyASCII() {
        var s = DashboardState()
        s.glyphs = .ascii
        s.showHelp = true
        for (w, h) in [(80, 24), (160, 48)] {
            let (f, _) = DashboardView.render(model, s, width: w, height: h)
            let bad = f.cells.first { !$0.scalar.isASCII }
            #expect(bad == nil, "non-ASCII \(bad.map { String($0.scalar) } ?? "") at \(w)x\(h)")
        }
    }

    @Test func helpOverlayListsEveryKey() {
        var s = DashboardState()
        s.showHelp = true
        let (f, _) = DashboardView.render(model, s, width: 100, height: 30)
        let t = text(f)
        for key in ["quit", "help", "business unit", "metric", "zoom", "whole range", "filter", "sort", "glyphs", "alerts panel", "mouse"] {
            #expect(t.contains(key), "help lacks \(key)")
        }
    }

    @Test func selectedUnitIsHighlightedAndChartedWithItsFigures() {
        var s = DashboardState()
        s.selectedBU = "Iberia"
        let (f, layout) = DashboardView.render(model, s, width: 100, height: 30)
        let y = layout.listRows.first { $0.value == "Iberia" }!.key
        #expect(f[1, y].style.reverse)
        #expect(!f[1, layout.listRows.first { $0.value == "Benelux" }!.key].style.reverse)
        let t = text(f)
        #expect(t.contains("meetings.users · Iberia"))
        let row = model.row(.meetingsUsers, bu: "Iberia")!
        #expect(row.analysis.verdict == .change)
        #expect(t.contains("onset \(CivilDate(daysSinceEpoch: row.analysis.onset!))"))
    }

    @Test func smallGroupsAreWithheldInTheList() {
        // Tiny has 2 people on business days: its values are withheld (<5), never drawn.
        let row = model.row(.meetingsUsers, bu: "Tiny")!
        #expect(row.values.allSatisfy { $0 == nil || $0 == 0 })
        #expect(row.todayWithheld && row.today == nil)
        let (f, layout) = DashboardView.render(model, DashboardState(), width: 100, height: 30)
        let y = layout.listRows.first { $0.value == "Tiny" }!.key
        #expect(!f.lines[y].contains(" 2 ") && f.lines[y].contains("<5"))
    }

    @Test func freshnessReadsLikeAClock() {
        var s = DashboardModel.Stats()
        #expect(DashboardView.freshness(s) == "no records yet")
        s.now = 1_000_000
        s.newestRecord = 1_000_000 - 14
        #expect(DashboardView.freshness(s) == "newest record 14 s ago")
        s.newestRecord = 1_000_000 - 600
        #expect(DashboardView.freshness(s) == "newest record 10 min ago")
        s.newestRecord = 1_000_000 - 7_200
        #expect(DashboardView.freshness(s) == "newest record 2 h ago")
        s.newestRecord = 1_000_000 - 86_400 * 2_396
        #expect(DashboardView.freshness(s) == "newest record 2,396 d ago")
    }
}

extension DashboardViewTests {
    @Test func aReplaySaysSoInsteadOfAFreshness() {
        var m = model
        m.stats.replay = 2
        let (f, _) = DashboardView.render(m, DashboardState(), width: 100, height: 30)
        #expect(f.lines[1].hasPrefix(" replaying 2 days a second · 3 skipped"))
        m.stats.replay = 0.5
        #expect(DashboardView.render(m, DashboardState(), width: 100, height: 30).0.lines[1].hasPrefix(" replaying 0.5 days a second"))
    }
}

/// Whole screens as text plus a map of their colours (see `snapshotText`), at the two sizes
/// the ops room uses; PLATEAU_RECORD=1 re-records after a deliberate change (read the diff).
@Suite(.serialized) struct DashboardSnapshotTests {
    static let cases = ["dashboard-80x24.txt", "dashboard-160x48.txt", "dashboard-100x30-vpn-ascii.txt", "dashboard-100x30-help.txt"]

    @Test(arguments: cases)
    func matchesItsSnapshot(_ name: String) throws {
        let model = Fixture.model(alerts: [
            .init(severity: .warning, day: Fixture.first + 60, text: "vpn.peak_sessions ALL at 92% of 2,500"),
            .init(severity: .critical, day: Fixture.first + 64, text: "meetings.users Iberia dropped to 8%"),
        ])
        var state = DashboardState()
        if name.contains("vpn") { state.metric = .vpnPeakSessions; state.glyphs = .ascii }
        if name.contains("help") { state.showHelp = true }
        if name.contains("160") { state.selectedBU = "Iberia"; state.sort = .ratio }
        let size = name.dropLast(4).split(separator: "-")[1].split(separator: "x").map { Int($0)! }
        let (frame, _) = DashboardView.render(model, state, width: size[0], height: size[1])
        let text = snapshotText(frame)
        let path = ChartSnapshotTests.snapshots + "/" + name
        if ProcessInfo.processInfo.environment["PLATEAU_RECORD"] != nil {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == expected, "\(name) differs from its snapshot (PLATEAU_RECORD=1 re-records)")
    }
}

extension DashboardStateTests {
    /// The alerts are judged on the model's own analysis (one analysis per rebuild, not two).
    @Test func alertsAreJudgedOnTheModelsOwnAnalysis() {
        var o = SnapshotOptions()
        o.timezone = "Europe/Paris"
        let m = DashboardModel.build(Fixture.rollups(), options: o, alertSource: { _, analyses in
            analyses.compactMap { key, a in
                key.metric == .meetingsUsers && key.bu == BusinessUnits.all
                    ? DashboardModel.Alert(severity: .warning, day: a.onset ?? 0, text: "onset") : nil
            }
        })
        let all = m.row(.meetingsUsers, bu: "ALL")!
        #expect(m.alerts == [DashboardModel.Alert(severity: .warning, day: all.analysis.onset!, text: "onset")])
    }
}

/// The dashboard rounds as the review does (issue 14): a plateau of 18.5 people is `19` in the
/// list's ratio, the figures line and the chart's label alike, and the ratio is that of the
/// figures shown (19 / 14, not 18.5 / 13.5).
struct DashboardRoundingTests {
    @Test func levelsAndRatioAreTheFiguresAsShown() {
        var r = Rollups(units: ["ALL", "UNASSIGNED", "Iberia"])
        var business = 0
        for i in 0..<56 {
            let d = Fixture.first + i
            let weekend = CivilDate(daysSinceEpoch: d).isWeekend
            let v: Double = weekend ? 0 : business < 20 ? (business % 2 == 0 ? 13 : 14) : (business % 2 == 0 ? 18 : 19)
            if !weekend { business += 1 }
            r.values[.remoteUsers, default: [:]][2, default: [:]][d] = v
            r.values[.remoteUsers, default: [:]][0, default: [:]][d] = v + 100
            r.values[.proxyRemoteUsers, default: [:]][0, default: [:]][d] = v + 100
        }
        r.fillRange(present: [.proxyUsers, .proxyRemoteUsers, .remoteUsers])
        var o = SnapshotOptions()
        o.minGroup = 5
        let model = DashboardModel.build(r, options: o)
        let row = model.row(.remoteUsers, bu: "Iberia")!
        #expect(row.analysis.baseline == 13.5 && row.analysis.plateau == 18.5)
        #expect(row.baseline == 14 && row.plateau == 19 && row.shownRatio == 19.0 / 14)
        var s = DashboardState()
        s.metric = .remoteUsers
        s.selectedBU = "Iberia"
        let screen = DashboardView.render(model, s, width: 120, height: 40).0.lines.joined(separator: "\n")
        #expect(screen.contains("baseline 14 · plateau 19 · ×1.4"), "\(screen)")
        #expect(screen.contains("plat 19") && screen.contains("base 14") && !screen.contains("18.5"), "\(screen)")
    }
}

/// Issue 14: a terminal whose locale cannot show UTF-8 gets ASCII glyphs, and is told so.
struct LocaleTests {
    @Test func codesetsThatAreUTF8() {
        for c in ["UTF-8", "utf8", "utf-8", "UTF_8"] { #expect(NcursesTerminal.isUTF8(c), "\(c)") }
        for c in ["ANSI_X3.4-1968", "ISO-8859-1", ""] { #expect(!NcursesTerminal.isUTF8(c), "\(c)") }
    }

    @Test func keptToASCIITheScreenIsASCIIAndGlyphsStay() {
        var s = DashboardState()
        s.keepToASCII()
        s.apply(.key(.char("g")), model: Fixture.model())
        #expect(s.glyphs == .ascii)
        let f = DashboardView.render(Fixture.model(), s, width: 100, height: 30).0
        #expect(f.lines.allSatisfy { $0.unicodeScalars.allSatisfy(\.isASCII) })
        #expect(f.lines.last!.contains("locale not UTF-8"))
    }
}

/// Issue 18: the capacity forecast under the chart of a series with licences.
@Suite struct DashboardForecastTests {
    /// The fixture's VPN peaks rising by 20 a business day from day 35 (2,000 then), 2,500 licences.
    func model(rising: Bool) -> DashboardModel {
        var r = Fixture.rollups()
        var k = 0.0
        for d in 35..<Fixture.days where !CivilDate(daysSinceEpoch: Fixture.first + d).isWeekend {
            r.values[.vpnPeakSessions]![0]![Fixture.first + d] = rising ? 2_000 + 20 * k : 2_300
            k += 1
        }
        var o = SnapshotOptions()
        o.timezone = "Europe/Paris"
        let cap = PlateauConfig.Capacity(metric: .vpnPeakSessions, from: CivilDate(daysSinceEpoch: Fixture.first), value: 2_500, bu: "ALL")
        return DashboardModel.build(r, options: o, capacity: [cap])
    }

    func screen(_ m: DashboardModel, _ width: Int, _ height: Int) -> Frame {
        var s = DashboardState()
        s.metric = .vpnPeakSessions
        return DashboardView.render(m, s, width: width, height: height).0
    }

    @Test func aRisingPeakSaysWhenTheLicencesFill() throws {
        let m = model(rising: true)
        let row = try #require(m.row(.vpnPeakSessions, bu: "ALL"))
        let c = try #require(row.capacityReading)
        // 25 business days from day 35 (a Monday) to the last (a Friday): the last is 2,000 + 20 × 24
        // = 2,480, and the line through the last 10 meets 2,500 in 1 business day.
        #expect(c.value == 2_480 && c.capacity == 2_500)
        #expect(c.forecast?.businessDays == 1)
        // On a wall screen, every word; at 100 columns, the date and the slope give way.
        #expect(screen(m, 160, 48).lines.contains { $0.contains("licences 2,480 of 2,500 (99 %) on 03-13 · trend +20.0 a business day: saturates in 1 business day") })
        let f = screen(m, 100, 30)
        let line = try #require(f.lines.firstIndex { $0.contains("licences 2,480 of 2,500 (99 %) · saturates in 1 business day") })
        // Within 10 business days: the warning colour; and the chart ends above it.
        let x = try #require(f.lines[line].range(of: "licences").map { f.lines[line].distance(from: f.lines[line].startIndex, to: $0.lowerBound) })
        #expect(f[x, line].style.color == .warning)
        #expect(f.lines[(line + 1)...].allSatisfy { !$0.contains("┤") && !$0.contains("┼") })
        // At 80 columns the phrase still fits.
        #expect(screen(m, 80, 24).lines.contains { $0.contains("saturates in 1 business day") })
    }

    @Test func aFlatPeakIsNotAtThisTrendAndOtherSeriesHaveNoLine() throws {
        let m = model(rising: false)
        let f = screen(m, 100, 30)
        let line = try #require(f.lines.first { $0.contains("licences 2,300 of 2,500 (92 %)") })
        #expect(line.contains("not at this trend"))
        // Meeting users have no capacity: no such line.
        #expect(m.rows[.meetingsUsers]!.allSatisfy { $0.capacityReading == nil })
        #expect(!DashboardView.render(m, DashboardState(), width: 100, height: 30).0.lines.contains { $0.contains("licences") })
    }
}
