import Foundation
import Testing
@testable import PlateauCore
@testable import PlateauTUI

/// A realistic series for `vpn.peak_sessions · ALL`: fourteen weeks from Monday 2020-01-06,
/// ~190 on business days and ~50 at weekends, the onset on Tuesday 2020-03-17 ramping to
/// ~1,000 (weekends ~270), three days of collector outage (nil) in February, and licences
/// going from 1,500 to 2,500 on 2020-03-30.
enum ChartFixture {
    static let first = CivilDate(year: 2020, month: 1, day: 6).day
    static let onset = CivilDate(year: 2020, month: 3, day: 17).day
    static let gap = CivilDate(year: 2020, month: 2, day: 12).day...CivilDate(year: 2020, month: 2, day: 14).day
    static let licences = CivilDate(year: 2020, month: 3, day: 30).day

    static func value(_ day: Int) -> Double? {
        if gap.contains(day) { return nil }
        let weekend = CivilDate(daysSinceEpoch: day).isWeekend
        let wiggle = Double((day * 37) % 23) - 11           // deterministic noise, -11 … 11
        let after = day - onset
        if after < 0 { return weekend ? 50 + wiggle : 189 + wiggle }
        let ramp = [450.0, 750, 900]
        if after < ramp.count { return ramp[after] }
        return weekend ? 270 + wiggle : 1_013 + 3 * wiggle
    }

    static var model: ChartModel {
        ChartModel(firstDay: first, values: (0..<98).map { value(first + $0) }, baseline: 189, plateau: 1_013,
                   onsetDay: onset, capacity: [(CivilDate(year: 2020, month: 1, day: 1).day, 1_500), (licences, 2_500)],
                   title: "vpn.peak_sessions · ALL")
    }
}

func render(_ m: ChartModel, _ w: Int, _ h: Int, _ g: GlyphMode) -> Frame {
    var f = Frame(width: w, height: h)
    Chart.draw(m, into: &f, x: 0, y: 0, width: w, height: h, glyphs: g)
    return f
}

/// The frame as text, then a map of its styles (a letter a colour, capital when bold).
func snapshotText(_ f: Frame) -> String {
    let letters: [Color: Character] = [.normal: "n", .accent: "a", .muted: "m", .good: "g", .warning: "w", .critical: "c", .title: "t"]
    var styles: [String] = []
    for y in 0..<f.height {
        styles.append(String((0..<f.width).map { x -> Character in
            let c = f[x, y]
            if c.scalar == " " && c.style == .plain { return " " }
            let l = letters[c.style.color]!
            return c.style.bold ? Character(l.uppercased()) : l
        }))
    }
    return f.lines.joined(separator: "\n") + "\n\n" + styles.joined(separator: "\n") + "\n"
}

@Suite(.serialized) struct ChartSnapshotTests {
    static let snapshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots").path

    static let cases: [String] = GlyphMode.allCases.flatMap { g in ["80x18", "156x40"].map { "chart-\(g.rawValue)-\($0).txt" } }

    /// Golden text of the chart (re-record with PLATEAU_RECORD=1 after a deliberate change,
    /// and read the diff).
    @Test(arguments: cases)
    func matchesItsSnapshot(_ name: String) throws {
        let parts = name.dropFirst("chart-".count).dropLast(".txt".count).split(separator: "-")
        let g = GlyphMode(rawValue: String(parts[0]))!
        let size = parts[1].split(separator: "x").map { Int($0)! }
        let text = snapshotText(render(ChartFixture.model, size[0], size[1], g))
        let path = Self.snapshots + "/" + name
        if ProcessInfo.processInfo.environment["PLATEAU_RECORD"] != nil {
            try FileManager.default.createDirectory(atPath: Self.snapshots, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == expected, "\(name) differs from its snapshot (PLATEAU_RECORD=1 re-records)")
    }
}

struct ChartScaleTests {
    /// Ticks are 0, then round multiples of a 1-2-5 step, increasing, and the last one is the
    /// first above the data: the largest value lies in the top band.
    @Test func ticksAreRoundIncreasingAndCoverTheMaximum() {
        let maxima: [Double] = [0, 0.3, 1, 4, 7, 9.5, 10, 99.5, 100, 189, 999, 1_000, 1_013, 2_500, 2_999, 3_000, 40_512, 1e6, 123_456_789]
        for max in maxima {
            for intervals in 1...16 {
                for integral in [true, false] where !(integral && max != max.rounded()) {
                    let s = ChartScale(min: 0, max: max, maxIntervals: intervals, integral: integral)
                    let t = s.ticks
                    let exponent = log10(s.step).rounded(.down)
                    let mantissa = (s.step / pow(10, exponent) * 1e6).rounded() / 1e6
                    #expect([1, 2, 5].contains(mantissa), "step \(s.step)")
                    if integral { #expect(s.step >= 1) }
                    #expect(t.first == 0, "max \(max)")
                    #expect(t.count >= 2 && t.count - 1 <= intervals, "max \(max), \(intervals) intervals: \(t)")
                    #expect(zip(t, t.dropFirst()).allSatisfy { $1 > $0 })
                    for v in t { #expect(abs(v / s.step - (v / s.step).rounded()) < 1e-6, "\(v) is not a multiple of \(s.step)") }
                    #expect(t.last! > max && t[t.count - 2] <= max, "max \(max), \(intervals) intervals, integral \(integral): \(t)")
                    // The labels read as the values they stand for.
                    let labels = t.map(s.label)
                    for (v, l) in zip(t, labels) { #expect(abs(Double(l.replacingOccurrences(of: ",", with: ""))! - v) < s.step / 1000, "\(l) for \(v)") }
                }
            }
        }
    }

    /// Not from zero: the smallest value lies in the bottom band, the largest in the top one.
    @Test func aScaleFittedToTheValuesHasThemInItsEndBands() {
        for (lo, hi) in [(30.0, 36.5), (0.2, 0.9), (189, 1_013), (-40, -3), (999, 1_001), (5, 5), (1e6, 1.3e6)] {
            for intervals in 1...12 {
                let s = ChartScale(min: lo, max: hi, maxIntervals: intervals, integral: false, fromZero: false)
                let t = s.ticks
                #expect(t.count >= 2 && t.count - 1 <= intervals && zip(t, t.dropFirst()).allSatisfy { $1 > $0 })
                #expect(t.last! > hi && t[t.count - 2] <= hi, "\((lo, hi)) \(intervals): \(t)")
                if hi > lo { #expect(t[0] < lo && t[1] >= lo, "\((lo, hi)) \(intervals): \(t)") } else { #expect(t[0] <= min(0, lo)) }
            }
        }
        let minutes = ChartModel(firstDay: ChartFixture.first, values: (0..<60).map { Double(($0 * 7) % 13) * 0.5 + 30 }, title: "m", fromZero: false)
        let f = render(minutes, 60, 12, .blocks)
        #expect(f.lines[1].hasPrefix("40 ┤") && f.lines[10].hasPrefix("25 ┼"), "\(f.lines.joined(separator: "\n"))")
    }

    @Test func nothingButZerosScalesFromZeroToOne() {
        for integral in [true, false] {
            let s = ChartScale(min: 0, max: 0, maxIntervals: 6, integral: integral)
            #expect(s.ticks == [0, 1] && s.ticks.map(s.label) == ["0", "1"])
        }
    }

    /// A licence count replaced before the range does not stretch the scale.
    @Test func onlyCapacitiesInForceOverTheRangeScaleTheChart() {
        var m = ChartFixture.model
        m.capacity.insert((ChartFixture.first - 400, 90_000), at: 0)
        let text = render(m, 80, 18, .braille).lines.joined(separator: "\n")
        #expect(text.contains("3,000 ┤") && !text.contains("90,000"))
    }

    @Test func negativeValuesGetARoundFloor() {
        let s = ChartScale(min: -150, max: 420, maxIntervals: 6, integral: true)
        #expect(s.ticks == [-200, 0, 200, 400, 600])
        #expect(s.ticks.map(s.label) == ["-200", "0", "200", "400", "600"])
    }

    @Test func labelsHaveThousandsSeparatorsAndJustTheDecimalsTheStepNeeds() {
        #expect(ChartFormat.number(1_234_567, decimals: 0) == "1,234,567")
        #expect(ChartFormat.number(2.5, decimals: 1) == "2.5")
        #expect(ChartFormat.number(0.05, decimals: 2) == "0.05")
        #expect(ChartFormat.number(-0.0001, decimals: 0) == "0")
        #expect(ChartFormat.level(1_013.4) == "1,013" && ChartFormat.level(12.5) == "12.5" && ChartFormat.level(189) == "189")
        let s = ChartScale(min: 0, max: 2.2, maxIntervals: 5, integral: false)
        #expect(s.ticks.map(s.label) == ["0.0", "0.5", "1.0", "1.5", "2.0", "2.5"])
    }
}

struct ChartPropertyTests {
    static let sizes = [(80, 18), (156, 40), (100, 30), (40, 12), (33, 9), (60, 7), (120, 20), (25, 10)]

    /// The layout the chart uses for a rectangle (plot origin and size, days onto columns).
    func layout(_ m: ChartModel, _ w: Int, _ h: Int, _ g: GlyphMode) -> ChartRenderer {
        ChartRenderer(model: m, width: w, height: h, glyphs: ChartGlyphs(mode: g))
    }

    func isSeriesGlyph(_ s: Unicode.Scalar) -> Bool {
        (0x2801...0x28FF).contains(s.value) || (0x2581...0x2588).contains(s.value) || s == "#" || s == ":" || s == "."
    }

    /// The highest value's top is drawn between the top tick and the one below it.
    @Test func theHighestPointIsInTheTopTickBand() {
        var m = ChartFixture.model
        m.capacity = []
        m.plateau = nil
        for g in GlyphMode.allCases {
            for (w, h) in Self.sizes {
                let f = render(m, w, h, g)
                let l = layout(m, w, h, g)
                guard l.showAxes else { continue }
                let tickRows = (0..<h).filter { [g == .ascii ? "+" : "┤", g == .ascii ? "+" : "┼"].contains(f[l.plotX - 1, $0].scalar) }
                let seriesRows = (l.plotY..<(l.plotY + l.rows)).filter { y in (0..<l.cols).contains { isSeriesGlyph(f[l.plotX + $0, y].scalar) } }
                let top = try! #require(seriesRows.first)
                #expect(tickRows.first == l.plotY, "\(g) \(w)×\(h)")
                #expect(tickRows.count >= 2 && top >= tickRows[0] && top <= tickRows[1], "\(g) \(w)×\(h): top \(top), ticks \(tickRows)\n\(f.lines.joined(separator: "\n"))")
                // … and the top tick is the first round value above the highest point.
                let label = f.lines[tickRows[0]].prefix(l.plotX - 1).trimmingCharacters(in: .whitespaces)
                let maxValue = m.values.compactMap { $0 }.max()!
                let topTick = Double(label.replacingOccurrences(of: ",", with: ""))!
                #expect(topTick > maxValue && topTick - l.scale.step <= maxValue)
            }
        }
    }

    /// Columns whose days are all missing draw nothing; columns with a value always draw.
    @Test func missingDaysAreGapsAndValuesAreNot() {
        let first = ChartFixture.first
        for count in [9, 30, 98, 130, 400] {
            // Zeros, gaps of one and of several days, a value between gaps.
            let values: [Double?] = (0..<count).map { (i: Int) -> Double? in
                let missing = i % 11 == 3 || (5...8).contains(i % 17)
                if missing { return nil }
                return i % 13 == 0 ? 0 : Double((i * 29) % 300 + 10)
            }
            for withLines in [false, true] {
                var m = ChartModel(firstDay: first, values: values, title: "gaps")
                if withLines { m.baseline = 50; m.plateau = 250; m.capacity = [(first, 330)]; m.onsetDay = first + count / 2 }
                for g in GlyphMode.allCases {
                    for (w, h) in Self.sizes + [(20, 5), (60, 4)] {
                        let f = render(m, w, h, g)
                        let l = layout(m, w, h, g)
                        for c in 0..<l.cols {
                            let days = l.xmap.days(ofColumn: c)
                            let column = (l.plotY..<(l.plotY + l.rows)).map { f[l.plotX + c, $0] }
                            let drawn = column.contains { isSeriesGlyph($0.scalar) && ($0.style.color == .accent || $0.style.color == .muted) }
                            if days.allSatisfy({ values[$0] == nil }) {
                                #expect(!drawn, "\(g) \(w)×\(h) \(count) days: column \(c) (days \(days)) should be a gap")
                                if !withLines { #expect(column.allSatisfy { $0.scalar == " " }) }
                            } else if !withLines {
                                #expect(drawn, "\(g) \(w)×\(h) \(count) days: column \(c) (days \(days)) has a value")
                            }
                        }
                    }
                }
            }
        }
    }

    /// The onset line stands in its day's column, and nowhere else.
    @Test func theOnsetMarkerIsInTheColumnOfItsDay() {
        for onset in [0, 1, 40, 70, 71, 97] {
            var m = ChartFixture.model
            m.onsetDay = ChartFixture.first + onset
            for g in GlyphMode.allCases {
                for (w, h) in Self.sizes + [(20, 5)] {
                    let f = render(m, w, h, g)
                    let l = layout(m, w, h, g)
                    let expected = try! #require(l.xmap.column(ofDay: onset))
                    #expect(l.xmap.days(ofColumn: expected).contains(onset))
                    var columns = Set<Int>()
                    for y in l.plotY..<(l.plotY + l.rows) {
                        for c in 0..<l.cols where f[l.plotX + c, y].style == ChartRenderer.onsetStyle && f[l.plotX + c, y].scalar == Unicode.Scalar(g == .ascii ? "|" : "│") {
                            columns.insert(c)
                        }
                    }
                    #expect(columns == [expected], "\(g) \(w)×\(h) onset day \(onset): \(columns) not \(expected)")
                }
            }
        }
    }

    /// Drawing touches every cell of its rectangle (blanks included) and nothing else, even
    /// where the rectangle leaves the frame.
    @Test func nothingOutsideTheRectangleIsTouched() {
        let sentinel = Cell(scalar: "@", style: Style(color: .critical, bold: true, reverse: true))
        let rects = [(5, 3, 80, 18), (0, 0, 100, 40), (10, 10, 20, 5), (90, 35, 30, 10), (-5, -3, 40, 12), (50, 20, 0, 10), (3, 4, 1, 1), (0, 39, 100, 1),
                     (-10, 5, 8, 8), (100, 0, 5, 5), (0, 40, 5, 5), (7, 7, Int.max, Int.max), (Int.min, Int.min, Int.max, Int.max), (Int.max, 3, Int.max, 9), (2, 2, -5, Int.min)]
        for g in GlyphMode.allCases {
            for (x, y, w, h) in rects {
                var f = Frame(width: 100, height: 40)
                for yy in 0..<40 { for xx in 0..<100 { f[xx, yy] = sentinel } }
                Chart.draw(ChartFixture.model, into: &f, x: x, y: y, width: w, height: h, glyphs: g)
                for yy in 0..<40 {
                    for xx in 0..<100 {
                        func within(_ v: Int, _ a: Int, _ n: Int) -> Bool {
                            let (end, overflow) = a.addingReportingOverflow(n)
                            return n > 0 && v >= a && (overflow || v < end)
                        }
                        let inside = within(xx, x, w) && within(yy, y, h)
                        #expect((f[xx, yy] == sentinel) == !inside, "\(g) rect \((x, y, w, h)): cell \((xx, yy))")
                    }
                }
            }
        }
    }

    /// Tiny, zero and odd rectangles and models draw what fits and never trap.
    @Test func tinyRectanglesAndOddModelsDoNotCrash() {
        let first = ChartFixture.first
        var models = [ChartFixture.model,
                      ChartModel(firstDay: first, values: []),
                      ChartModel(firstDay: first, values: [nil, nil, nil], baseline: 5, title: "all withheld"),
                      ChartModel(firstDay: first, values: [7]),
                      ChartModel(firstDay: first, values: Array(repeating: 0, count: 50)),
                      ChartModel(firstDay: first, values: [1e15, 3, .infinity, .nan, -.infinity, -40], plateau: .nan, onsetDay: first + 99),
                      ChartModel(firstDay: first, values: (0..<5_000).map { Double($0 % 97) }, businessDays: [], onsetDay: first - 3,
                                 capacity: [(first + 4_000, 50), (first + 10, 90), (first + 10, 20)])]
        models[0].title = "\u{1B}[31mred\u{7}"
        for m in models {
            for g in GlyphMode.allCases {
                for (w, h) in [(0, 0), (0, 10), (10, 0), (1, 1), (2, 1), (1, 5), (3, 3), (7, 2), (20, 5), (12, 7), (19, 7), (30, 7), (80, 18), (-4, -4)] {
                    var f = Frame(width: 90, height: 20)
                    Chart.draw(m, into: &f, x: 1, y: 1, width: w, height: h, glyphs: g)
                    if w <= 0 || h <= 0 { #expect(f == Frame(width: 90, height: 20)) }
                    #expect(!f.lines.joined().unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{7F}" })
                }
            }
        }
        // 20×5: no axes or title, just the series.
        let small = render(ChartFixture.model, 20, 5, .braille)
        #expect(!small.lines.joined().contains { $0.isNumber || $0 == "┤" || $0 == "─" })
        #expect(small.lines.joined().unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) })
    }

    @Test func asciiModeEmitsOnlyASCII() {
        var m = ChartFixture.model
        m.title = "remote.users · Île-de-France – ×2 …"
        for (w, h) in Self.sizes + [(20, 5), (200, 60)] {
            let f = render(m, w, h, .ascii)
            #expect(f.lines.allSatisfy { $0.unicodeScalars.allSatisfy(\.isASCII) }, "\(w)×\(h)")
        }
        #expect(render(m, 80, 18, .ascii).lines[0].hasPrefix("remote.users - ?le-de-France - x2 ~"))
    }

    /// Date labels are whole `MM-DD`s, never touching, inside the rectangle, each under a tick.
    @Test func dateLabelsNeverOverlapAndFit() {
        for days in [5, 14, 30, 98, 200, 400, 1_200] {
            let m = ChartModel(firstDay: ChartFixture.first + 3, values: (0..<days).map { Double($0 % 50) })
            for w in stride(from: 20, through: 200, by: 7) {
                let l = layout(m, w, 12, .braille)
                guard l.showAxes else { continue }
                let f = render(m, w, 12, .braille)
                let row = f.lines[11]
                let words = row.split(separator: " ", omittingEmptySubsequences: true)
                let dateLike = /\d\d-\d\d|\d{4}-\d\d|\d{4}|\d{4}-\d\d-\d\d/
                #expect(!words.isEmpty && words.allSatisfy { (try? dateLike.wholeMatch(in: $0)) != nil }, "\(days) days at \(w): \(row)")
                let ticks = f.lines[10].unicodeScalars.filter { $0 == "┴" }.count
                #expect(ticks == words.count, "\(days) days at \(w)")
                let starts = row.unicodeScalars.indices.filter { i in row.unicodeScalars[i] != " " && (i == row.unicodeScalars.startIndex || row.unicodeScalars[row.unicodeScalars.index(before: i)] == " ") }
                #expect(starts.count == words.count, "labels run together: \(row)")
                if days >= 14 && w >= 60 { #expect(words.count >= 2, "\(days) days at \(w): \(row)") }
            }
        }
    }

    @Test func modelsCompareByEveryField() {
        let a = ChartFixture.model
        var b = a
        #expect(a == b)
        b.capacity[1].value = 2_600
        #expect(a != b)
        b = a; b.values[5] = nil
        #expect(a != b)
    }

    @Test func drawingIsDeterministicAndWeekendsAreMuted() {
        for g in GlyphMode.allCases {
            let a = render(ChartFixture.model, 156, 40, g), b = render(ChartFixture.model, 156, 40, g)
            #expect(a == b)
            // Every column showing only a weekend draws its data muted, the others accent.
            let l = layout(ChartFixture.model, 156, 40, g)
            for c in 0..<l.cols {
                let days = l.xmap.days(ofColumn: c)
                let weekend = days.allSatisfy { CivilDate(daysSinceEpoch: ChartFixture.first + $0).isWeekend }
                for y in l.plotY..<(l.plotY + l.rows) {
                    let cell = a[l.plotX + c, y]
                    guard isSeriesGlyph(cell.scalar), cell.style.color == .accent || cell.style.color == .muted else { continue }
                    #expect((cell.style.color == .muted) == weekend, "\(g) column \(c)")
                }
                #expect(a[l.plotX + c, l.plotY + l.rows].scalar == (weekend ? Unicode.Scalar(g == .ascii ? "." : "┈") : Unicode.Scalar(g == .ascii ? "-" : "─"))
                        || a[l.plotX + c, l.plotY + l.rows].scalar == Unicode.Scalar(g == .ascii ? "+" : "┴"))
            }
        }
    }

    @Test func referenceLinesAreLabelledWithTheirValues() {
        for g in GlyphMode.allCases {
            for (w, h) in [(80, 18), (156, 40), (100, 30)] {
                let text = render(ChartFixture.model, w, h, g).lines.joined(separator: "\n")
                for label in ["base 189", "plat 1,013", "cap 2,500", "onset 03-17"] { #expect(text.contains(label), "\(g) \(w)×\(h): \(label)") }
            }
        }
    }

    @Test func longRangesAreLabelledByMonthOrYear() {
        let m = ChartModel(firstDay: ChartFixture.first, values: (0..<800).map { Double($0 % 50) })
        let row = render(m, 120, 12, .blocks).lines[11]
        #expect(row.split(separator: " ").allSatisfy { $0.count == 7 && $0.hasPrefix("202") }, "\(row)")
        let narrow = render(m, 40, 12, .blocks).lines[11]
        #expect(narrow.split(separator: " ").map(String.init) == ["2021", "2022"], "\(narrow)")
    }
}
