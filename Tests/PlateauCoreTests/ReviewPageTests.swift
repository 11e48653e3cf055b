import Foundation
import Testing
@testable import PlateauCore

/// Issue 18: the review as a page — the markup writer, the charts' geometry (levels, gaps,
/// withheld days, capacity, scales), the page's safety and determinism, and the words of the
/// text review (display names, the legend, markdown's every column).
@Suite struct ReviewPageTests {
    static let monday = CivilDate(year: 2020, month: 3, day: 2).day
    static let names = ["ALL", "UNASSIGNED", "Big", "Small", "Tiny"]
    static let big: UInt16 = 2, small: UInt16 = 3, tiny: UInt16 = 4
    static let weeks = 6

    /// Six weeks of remote users: Big 40 a business day for three weeks then 120, Small 10 then
    /// 30, Tiny 6 (3 on the last Monday to Wednesday: withheld at 5, and so is that week); weekends 0. `drop` removes every
    /// value of a day (its feed delivered nothing).
    func rollups(drop: Int? = nil, evilName: Bool = false) -> Rollups {
        var names = Self.names
        if evilName { names[3] = "<b>Small</b> & \"co\" 'x'\u{1B}[2J\u{7}" }
        var r = Rollups(units: names)
        for i in 0..<(7 * Self.weeks) where i != drop {
            let d = Self.monday + i
            let weekend = CivilDate(daysSinceEpoch: d).isWeekend
            let late = i >= 21
            let big: Double = weekend ? 0 : late ? 120 : 40
            let small: Double = weekend ? 0 : late ? 30 : 10
            let tiny: Double = weekend ? 0 : (7 * (Self.weeks - 1)...(7 * (Self.weeks - 1) + 2)).contains(i) ? 3 : 6
            for (bu, v) in [(Self.big, big), (Self.small, small), (Self.tiny, tiny), (BusinessUnits.all, big + small + tiny)] {
                r.values[.remoteUsers, default: [:]][bu, default: [:]][d] = v
            }
        }
        r.fillRange(present: [.remoteUsers])
        return r
    }

    func review(_ r: Rollups, minGroup: Int = 5, capacities: [PlateauConfig.Capacity] = []) -> Review {
        var o = SnapshotOptions()
        o.minGroup = minGroup
        o.timezone = "UTC"
        o.capacities = capacities
        return Review(r, options: o)
    }

    func row(_ review: Review, _ bu: UInt16) -> Review.Row { review.rows.first { $0.metric == .remoteUsers && $0.bu == bu }! }

    /// The numbers of every `attribute="…"` of the elements of `cls` in `svg`, in order.
    func values(_ svg: String, _ cls: String, _ attribute: String) -> [Double] {
        var out: [Double] = []
        var rest = Substring(svg)
        while let r = rest.range(of: "class=\"\(cls)\"") {
            let tail = rest[r.upperBound...]
            let element = tail[..<(tail.firstIndex(of: ">") ?? tail.endIndex)]
            if let a = element.range(of: " \(attribute)=\"") {
                let v = element[a.upperBound...].prefix { $0 != "\"" }
                if let d = Double(v) { out.append(d) }
            }
            rest = tail
        }
        return out
    }

    func count(_ text: String, _ needle: String) -> Int { text.components(separatedBy: needle).count - 1 }

    // MARK: the writer

    @Test func markupEscapesTextAndAttributesAndReplacesControls() {
        #expect(Markup.escape("<b a=\"1\">&'x'</b>") == "&lt;b a=&quot;1&quot;&gt;&amp;&#39;x&#39;&lt;/b&gt;")
        #expect(Markup.escape("a\u{1B}[2Jb\u{7}c\u{85}d") == "a?[2Jb?c?d")
        #expect(Markup.escape("tab\tand\nline") == "tab\tand\nline")
        var m = Markup()
        m.element("text", [("x", "1"), ("title", "a\"b"), ("skip", nil)], "<5")
        #expect(m.text == "<text x=\"1\" title=\"a&quot;b\">&lt;5</text>")
    }

    @Test func numbersAreWrittenTheSameWayEverywhere() {
        let cases: [(Double, String)] = [(0, "0"), (-0.001, "0"), (12, "12"), (12.5, "12.5"), (12.50001, "12.5"),
                                         (3.14159, "3.14"), (-3.005, "-3.01"), (0.07, "0.07"), (100.1, "100.1"), (.nan, "0")]
        for (v, s) in cases { #expect(Markup.number(v) == s, "\(v)") }
    }

    @Test func theScaleEndsOnARoundNumber() {
        let cases: [(Double, Double)] = [(0, 1), (-3, 1), (7, 8), (10, 10), (11, 12), (13, 15), (21, 25), (240, 250), (250, 250),
                                         (251, 300), (0.3, 0.3), (0.35, 0.4), (1940, 2000), (2001, 2500), (7000, 8000)]
        for (v, top) in cases { #expect(ReviewChart.niceCeiling(v) == top, "\(v)") }
    }

    // MARK: the chart

    @Test func levelsSitWhereTheirValuesAreOnTheScale() throws {
        let rv = review(rollups())
        let big = row(rv, Self.big)
        #expect(big.baseline == .value(40) && big.plateau == .value(120))
        let svg = ReviewChart(title: "Big", yTop: 200).svg(big, rv)
        // The grid lines at 0, 100 and 200 give the scale.
        let grid = values(svg, "grid", "y1")
        let y0 = try #require(grid.max()), yTop = try #require(grid.min())
        func at(_ v: Double) -> Double { y0 - v / 200 * (y0 - yTop) }
        #expect(values(svg, "base", "y1").count == 1)
        #expect(abs(values(svg, "base", "y1")[0] - at(40)) < 0.02)
        #expect(abs(values(svg, "plat", "y1")[0] - at(120)) < 0.02)
        // The baseline stops at the onset, where the onset's vertical is.
        let onset = try #require(values(svg, "on", "x1").first)
        #expect(abs(values(svg, "base", "x2")[0] - onset) < 0.02)
        #expect(values(svg, "plat", "x1")[0] >= onset)
        // No gap, no withheld day: one unbroken line; no capacity line.
        #expect(count(svg, "class=\"series\"") == 1)
        #expect(count(svg, "class=\"gap\"") == 0)
        #expect(!svg.contains("class=\"cap\""))
        // Its own scale: the smallest round number above 120.
        let own = ReviewChart(title: "Big").svg(big, rv)
        #expect(own.contains(">150</text>"))
        #expect(svg.contains(">200</text>"))
    }

    @Test func aDayWithoutRecordsIsABandAndBreaksTheLine() throws {
        let wednesday = 7 * 2 + 2
        let rv = review(rollups(drop: wednesday))
        let svg = ReviewChart(title: "Big").svg(row(rv, Self.big), rv)
        #expect(count(svg, "class=\"gap\"") == 1)
        let path = try #require(svg.range(of: "class=\"series\" d=\"").map { svg[$0.upperBound...].prefix { $0 != "\"" } })
        #expect(path.filter { $0 == "M" }.count == 2)
        // The band covers that day's place: between Tuesday's and Thursday's points.
        let gapX = try #require(values(svg, "gap", "x").first), gapW = try #require(values(svg, "gap", "width").first)
        let xs = path.split(whereSeparator: { $0 == "M" || $0 == "L" }).compactMap { Double($0.split(separator: " ")[0]) }
        let tuesday = xs[wednesday - 1 - 4], thursday = xs[wednesday - 1 - 4 + 1]   // (business days before it: 11)
        #expect(tuesday < gapX && gapX + gapW < thursday)
        #expect(abs(gapW - (thursday - tuesday) / 2) < 0.02)
    }

    @Test func aDayWithoutAMedianIsNoGapWhenTheFeedDelivered() throws {
        // Meetings every day, but one BU's median length has none on a Wednesday and at weekends
        // (it had no meeting): its line breaks, but the feed delivered, so there is no band.
        var r = Rollups(units: Self.names)
        for i in 0..<21 {
            let d = Self.monday + i
            // A few people at weekends (the feed delivers), no median length for Big.
            guard !CivilDate(daysSinceEpoch: d).isWeekend else { r.values[.meetingsUsers, default: [:]][BusinessUnits.all, default: [:]][d] = 2; continue }
            r.values[.meetingsUsers, default: [:]][BusinessUnits.all, default: [:]][d] = 50
            r.values[.meetingsUsers, default: [:]][Self.big, default: [:]][d] = 50
            r.values[.meetingsMedianMinutes, default: [:]][BusinessUnits.all, default: [:]][d] = 30
            if i != 9 { r.values[.meetingsMedianMinutes, default: [:]][Self.big, default: [:]][d] = 30 }
        }
        r.fillRange(present: [.meetingsUsers, .meetingsMedianMinutes])
        let rv = review(r)
        let row = try #require(rv.rows.first { $0.metric == .meetingsMedianMinutes && $0.bu == Self.big })
        let svg = ReviewChart(title: "Big").svg(row, rv)
        #expect(count(svg, "class=\"gap\"") == 0)
        let path = try #require(svg.range(of: "class=\"series\" d=\"").map { svg[$0.upperBound...].prefix { $0 != "\"" } })
        #expect(path.filter { $0 == "M" }.count == 2)
    }

    @Test func aWithheldDayBreaksTheLineWithoutABand() throws {
        let rv = review(rollups())
        let tiny = row(rv, Self.tiny)
        #expect(tiny.trend.contains { $0 == nil })
        let svg = ReviewChart(title: "Tiny").svg(tiny, rv)
        #expect(count(svg, "class=\"gap\"") == 0)
        let path = try #require(svg.range(of: "class=\"series\" d=\"").map { svg[$0.upperBound...].prefix { $0 != "\"" } })
        #expect(path.filter { $0 == "M" }.count == 2)
        // Shown at 1, the same day is a point of the line.
        let one = review(rollups(), minGroup: 1)
        let all = ReviewChart(title: "Tiny").svg(row(one, Self.tiny), one)
        #expect(all.range(of: "class=\"series\" d=\"").map { all[$0.upperBound...].prefix { $0 != "\"" } }?.filter { $0 == "M" }.count == 1)
    }

    @Test func theCapacityInForceIsDrawnAsSteps() throws {
        let caps = [PlateauConfig.Capacity(metric: .remoteUsers, from: CivilDate(daysSinceEpoch: Self.monday), value: 100, bu: "Big"),
                    PlateauConfig.Capacity(metric: .remoteUsers, from: CivilDate(daysSinceEpoch: Self.monday + 21), value: 160, bu: "Big")]
        let rv = review(rollups(), capacities: caps)
        let svg = ReviewChart(title: "Big").svg(row(rv, Self.big), rv)
        // 160 raises the chart's own scale to 200.
        #expect(svg.contains(">200</text>"))
        let d = try #require(svg.range(of: "class=\"cap\" d=\"").map { svg[$0.upperBound...].prefix { $0 != "\"" } })
        let ys = Set(d.split(whereSeparator: { $0 == "M" || $0 == "L" }).compactMap { Double($0.split(separator: " ")[1]) })
        let grid = values(svg, "grid", "y1")
        let y0 = try #require(grid.max()), yTop = try #require(grid.min())
        #expect(ys == Set([y0 - 0.5 * (y0 - yTop), y0 - 0.8 * (y0 - yTop)].map { Double(Markup.number($0))! }))
        // Another BU has no capacity line.
        #expect(!ReviewChart(title: "Small").svg(row(rv, Self.small), rv).contains("class=\"cap\""))
    }

    // MARK: the page

    @Test func thePageIsSelfContainedEscapedAndDeterministic() {
        let rv = review(rollups(evilName: true))
        var page = ReviewHTML()
        page.metrics = [.remoteUsers]
        let html = page.render(rv, inputs: [])
        #expect(html == page.render(review(rollups(evilName: true)), inputs: []))
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(html.hasSuffix("</html>\n"))
        // Nothing runs, nothing is fetched.
        for banned in ["<script", "src=", "href=", "url(", "@import", "http:", "https:"] { #expect(!html.contains(banned), "\(banned)") }
        // The BU's name is text, its controls are gone.
        #expect(!html.contains("<b>Small"))
        #expect(html.contains("&lt;b&gt;Small&lt;/b&gt; &amp; &quot;co&quot; &#39;x&#39;?[2J?"))
        #expect(!html.contains("\u{1B}") && !html.contains("\u{7}"))
        // Light and dark, A4 landscape on paper.
        #expect(html.contains("@media (prefers-color-scheme:dark)") && html.contains("@page{size:A4 landscape"))
        // What the page is about, first.
        #expect(html.contains("<p class=\"lede\">How many people used the company&#39;s services, day by day, in the group and in each of its 3 business units"))
        // One panel per metric at a glance (one here) and per BU.
        #expect(count(html, "<figure class=\"panel\">") == 1 + 3)
        // `<5` as in the text review: Tiny's week is withheld at 5.
        #expect(html.contains("<td class=\"n\">&lt;5</td>"))
    }

    @Test func aSharedScaleGivesEveryPanelTheLargestTop() {
        let rv = review(rollups())
        var page = ReviewHTML()
        page.metrics = [.remoteUsers]
        let own = page.render(rv, inputs: [])
        page.sharedScale = true
        let shared = page.render(rv, inputs: [])
        let section = { (html: String) in String(html[html.range(of: "<section class=\"metric\"")!.lowerBound...]) }
        // Big (120) tops at 150; alone, Small (30) at 40 and Tiny (6) at 8; shared, each at 150.
        #expect(count(section(own), ">150</text>") == 1)
        #expect(count(section(shared), ">150</text>") == 3)
        #expect(section(own).contains(">40</text>") && section(own).contains(">8</text>"))
        #expect(!section(shared).contains(">40</text>") && !section(shared).contains(">8</text>"))
    }

    @Test func theGroupTableNamesMetricsForPeopleAndKeepsTheIdentifier() {
        let rv = review(rollups())
        let html = ReviewHTML().render(rv, inputs: [])
        #expect(html.contains("<th scope=\"row\" title=\"remote.users\">Remote workers</th>"))
        #expect(html.contains("Remote workers by business unit"))
    }

    // MARK: the words of the text review

    @Test func textTablesUseDisplayNamesAndCarryTheirLegend() {
        let rv = review(rollups())
        var t = ReviewText()
        t.metrics = [.remoteUsers]
        let text = t.render(rv, inputs: [])
        #expect(text.contains("\nRemote workers ") && text.contains("Remote workers by business unit"))
        #expect(!text.contains("remote.users"))
        // Under each of the two tables, the two lines of the legend.
        #expect(count(text, "median business day, not a total; <5: fewer than 5 people; –: no data.") == 2)
        #expect(count(text, "baseline, plateau: median business day before onset and after ramp; ratio = plateau ÷ baseline.") == 2)
        t.ascii = true
        #expect(t.render(rv, inputs: []).contains("ratio = plateau / baseline."))
    }

    @Test func markdownKeepsEveryColumnAtAnyWidth() {
        let rv = review(rollups())
        var t = ReviewText()
        t.metrics = [.remoteUsers]
        t.width = 60
        let narrow = t.render(rv, inputs: [])
        t.markdown = true
        let md = t.render(rv, inputs: [])
        let header = md.split(separator: "\n").first { $0.hasPrefix("| business unit") }.map(String.init) ?? ""
        for column in ["baseline", "plateau", "ratio", "onset", "ramp", "this week", "last week", "change", "trend"] {
            #expect(header.contains(" \(column) "), "\(column)")
        }
        // The text review at 60 columns drops some of them.
        #expect(!(narrow.contains("last week") && narrow.contains("ramp")))
    }
}
