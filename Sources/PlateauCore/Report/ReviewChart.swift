import Foundation

/// One series of the review as an SVG chart (issue 18): the business days' values as shown (a
/// withheld day breaks the line, a day its feed delivered nothing is a grey band — a gap, not a
/// zero), the baseline level up to the onset, the plateau level from the end of the ramp, the
/// onset and the end as verticals, and the capacity in force where `[[capacity]]` names the
/// series. Classes, not colours: the page's style sheet (or the standalone chart's own) colours
/// them, light and dark.
public struct ReviewChart {
    public var width: Double
    public var height: Double
    /// The top of the y scale (a grid's shared scale); nil: the chart's own.
    public var yTop: Double?
    public var title: String
    /// A file of its own (`--format svg`): the SVG namespace, a style sheet and a background.
    public var standalone = false

    public init(width: Double = 220, height: Double = 128, title: String, yTop: Double? = nil, standalone: Bool = false) {
        self.width = width; self.height = height; self.title = title; self.yTop = yTop; self.standalone = standalone
    }

    /// The style of the chart classes; `--fg` … come from the page (or `standaloneStyle`).
    public static let style = """
    .chart text{fill:var(--muted);font-family:system-ui,-apple-system,Segoe UI,Roboto,DejaVu Sans,sans-serif}
    .chart .t{fill:var(--fg);font-weight:600}
    .chart .grid{stroke:var(--grid);stroke-width:1}
    .chart .gap{fill:var(--gap)}
    .chart .wk{fill:var(--week)}
    .chart .series{fill:none;stroke:var(--line);stroke-width:1.6;stroke-linejoin:round;stroke-linecap:round}
    .chart .dot{fill:var(--line)}
    .chart .base{stroke:var(--base);stroke-width:1.2;stroke-dasharray:4 3}
    .chart .plat{stroke:var(--plat);stroke-width:2.4;stroke-opacity:.85}
    .chart .on{stroke:var(--onset);stroke-width:1;stroke-dasharray:2 2}
    .chart .end{stroke:var(--end);stroke-width:1;stroke-dasharray:2 2}
    .chart .cap{fill:none;stroke:var(--cap);stroke-width:1.4;stroke-dasharray:6 3}
    """

    /// The colours, light and dark (the page's `:root`, a standalone chart's `svg`).
    public static func palette(_ selector: String) -> String {
        """
        \(selector){--bg:#ffffff;--fg:#1b1f24;--muted:#57606a;--grid:#e4e8ec;--frame:#b7c0c9;--panel:#fbfcfd;--gap:#e9ecef;--line:#1f63c6;--base:#6e7781;--plat:#d97706;--onset:#8250df;--end:#1a7f37;--cap:#cf222e;--warn:#9a6700;--crit:#cf222e;--stripe:#f3f5f7;--week:#fdf1c7}
        @media (prefers-color-scheme:dark){\(selector){--bg:#0d1117;--fg:#e6edf3;--muted:#9da7b3;--grid:#262c34;--frame:#3d4752;--panel:#121821;--gap:#1f252d;--line:#58a6ff;--base:#8b949e;--plat:#f0a030;--onset:#bc8cff;--end:#3fb950;--cap:#ff7b72;--warn:#d29922;--crit:#ff7b72;--stripe:#161b22;--week:#2e2a17}}
        """
    }

    /// The highest thing a chart of `row` draws: its values, its levels as shown, its capacity.
    public static func highest(_ row: Review.Row, _ review: Review) -> Double {
        var top = row.trend.compactMap { $0 }.max() ?? 0
        if let b = row.baseline.value { top = max(top, b) }
        if let p = row.plateau.value { top = max(top, p) }
        for d in review.trendDays {
            if let c = capacity(row, review, day: d) { top = max(top, c) }
        }
        return top
    }

    /// The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10ⁿ at or above `v` (1 for nothing to
    /// draw): a round top whose half is round too.
    public static func niceCeiling(_ v: Double) -> Double {
        guard v > 0, v.isFinite else { return 1 }
        let p = pow(10, floor(log10(v)))
        for f in [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10] as [Double] where f * p >= v * (1 - 1e-12) { return (f * p * 1e6).rounded() / 1e6 }
        return 10 * p
    }

    /// A chart's own top: room above its highest point (the line does not run along the frame).
    public static func top(_ highest: Double) -> Double { niceCeiling(highest * 1.08) }

    static func capacity(_ row: Review.Row, _ review: Review, day: Int) -> Double? {
        guard !review.options.capacities.isEmpty else { return nil }
        return PlateauConfig.Capacity.inForce(review.options.capacities, row.metric, bu: review.rollups.units[Int(row.bu)], day: day)
    }

    public func svg(_ row: Review.Row, _ review: Review) -> String {
        let r = review.rollups
        guard let first = r.firstDay, let last = r.lastDay else { return "" }
        let m = row.metric
        let fs = standalone ? 14.0 : 9.5
        let left = fs * 3.4, right = width - fs * 0.7
        let top = fs * 2.3, bottom = height - fs * 1.7
        let yMax = yTop ?? Self.top(Self.highest(row, review))
        let span = Double(last - first + 1)
        func x(_ day: Int) -> Double { left + (Double(day - first) + 0.5) / span * (right - left) }
        func y(_ v: Double) -> Double { bottom - min(max(v / yMax, 0), 1) * (bottom - top) }
        let dayWidth = (right - left) / span
        let n = Markup.number

        var s = Markup()
        var root: [(String, String?)] = []
        if standalone { root.append(("xmlns", "http://www.w3.org/2000/svg")) }
        root += [("class", "chart"), ("viewBox", "0 0 \(n(width)) \(n(height))"), ("width", standalone ? n(width) : nil),
                 ("height", standalone ? n(height) : nil), ("role", "img"), ("font-size", n(fs))]
        s.open("svg", root)
        s.element("title", [], description(row, review))
        if standalone {
            // (A style sheet has no `<` or `&`: it goes in as it is.)
            s.open("style")
            s.raw(Self.palette("svg") + "\n.bg{fill:var(--bg)}\n" + Self.style.replacingOccurrences(of: ".chart ", with: ""))
            s.close("style")
            s.empty("rect", [("class", "bg"), ("width", "100%"), ("height", "100%")])
        }
        // Title (clipped to the width) and, on the right, the ratio as the table shows it.
        let note = row.ratio.map { "×" + String(format: "%.1f", $0) } ?? ""
        let room = Int((width - fs * 1.4 - Double(note.count) * fs * 0.62 - fs) / (fs * 0.6))
        let name = title.count > room ? String(title.prefix(max(1, room - 1))) + "…" : title
        s.element("text", [("class", "t"), ("x", n(fs * 0.7)), ("y", n(fs * 1.4)), ("font-size", n(fs * 1.1))], name)
        if !note.isEmpty {
            s.element("text", [("x", n(width - fs * 0.7)), ("y", n(fs * 1.4)), ("text-anchor", "end")], note)
        }
        // The review week, behind everything.
        if let w = review.week, w.monday.day <= last, w.sunday.day >= first {
            let from = max(w.monday.day, first), to = min(w.sunday.day, last)
            s.empty("rect", [("class", "wk"), ("x", n(x(from) - dayWidth / 2)), ("y", n(top)),
                             ("width", n(Double(to - from + 1) * dayWidth)), ("height", n(bottom - top))])
        }
        // Days the feed delivered nothing: bands, merged over consecutive days.
        var band: (from: Int, to: Int)?
        func flush() {
            if let b = band {
                s.empty("rect", [("class", "gap"), ("x", n(x(b.from) - dayWidth / 2)), ("y", n(top)),
                                 ("width", n(Double(b.to - b.from + 1) * dayWidth)), ("height", n(bottom - top))])
            }
            band = nil
        }
        // (Not a day without a value only: a median of no meetings is none, yet the feed delivered.)
        for d in first...last where r.value(m, bu: row.bu, day: d) == nil && !r.covers(m, day: d) {
            if let b = band, b.to == d - 1 { band = (b.from, d) } else { flush(); band = (d, d) }
        }
        flush()
        // The scale: 0, half and the top, with their figures.
        for v in [0, yMax / 2, yMax] {
            s.empty("line", [("class", "grid"), ("x1", n(left)), ("x2", n(right)), ("y1", n(y(v))), ("y2", n(y(v)))])
        }
        for v in [0, yMax] {
            s.element("text", [("x", n(left - fs * 0.3)), ("y", n(y(v) + fs * 0.35)), ("text-anchor", "end")], Self.tick(v, m))
        }
        // Month starts along the bottom (a label where there is room for it).
        var lastLabel = -Double.infinity
        for d in first...last {
            let c = CivilDate(daysSinceEpoch: d).components
            guard c.day == 1 || d == first else { continue }
            let px = d == first ? left : x(d) - dayWidth / 2
            if d != first { s.empty("line", [("class", "grid"), ("x1", n(px)), ("x2", n(px)), ("y1", n(top)), ("y2", n(bottom))]) }
            if px - lastLabel >= fs * 2.6 && px + fs * 1.6 <= right + fs * 0.5 {
                s.element("text", [("x", n(px)), ("y", n(bottom + fs * 1.25))], monthAbbreviations[c.month - 1])
                lastLabel = px
            }
        }
        // Levels and dates of the analysis, as shown.
        let a = row.analysis
        if let b = row.baseline.value {
            s.empty("line", [("class", "base"), ("x1", n(left)), ("x2", n(a.onset.map(x) ?? right)), ("y1", n(y(b))), ("y2", n(y(b)))])
        }
        if let p = row.plateau.value, let onset = a.onset {
            let from = min(onset + (a.rampDays ?? 0), last)
            s.empty("line", [("class", "plat"), ("x1", n(x(from))), ("x2", n(a.end.map(x) ?? right)), ("y1", n(y(p))), ("y2", n(y(p)))])
        }
        if let onset = a.onset { s.empty("line", [("class", "on"), ("x1", n(x(onset))), ("x2", n(x(onset))), ("y1", n(top)), ("y2", n(bottom))]) }
        if let end = a.end { s.empty("line", [("class", "end"), ("x1", n(x(end))), ("x2", n(x(end))), ("y1", n(top)), ("y2", n(bottom))]) }
        // The capacity in force, as steps where it changes.
        var steps = ""
        var held: Double?
        for d in first...last {
            let c = Self.capacity(row, review, day: d)
            guard c != held else { continue }
            let edge = n(x(d) - dayWidth / 2)
            if let h = held { steps += "L\(edge) \(n(y(h)))" }
            if let c { steps += "\(held == nil ? "M" : "L")\(edge) \(n(y(c)))" }
            held = c
        }
        if let h = held { steps += "L\(n(right)) \(n(y(h)))" }
        if !steps.isEmpty { s.empty("path", [("class", "cap"), ("d", steps)]) }
        // The values of business days, a line broken where a day has none to show.
        var path = "", run: [(Double, Double)] = []
        func end() {
            if run.count == 1 {
                s.empty("circle", [("class", "dot"), ("cx", n(run[0].0)), ("cy", n(run[0].1)), ("r", n(fs * 0.16))])
            } else if run.count > 1 {
                path += "M" + run.map { "\(n($0.0)) \(n($0.1))" }.joined(separator: "L")
            }
            run = []
        }
        for (d, v) in zip(review.trendDays, row.trend) {
            if let v { run.append((x(d), y(v))) } else { end() }
        }
        end()
        if !path.isEmpty { s.empty("path", [("class", "series"), ("d", path)]) }
        s.close("svg")
        return s.text
    }

    /// "Iberia, Remote workers: baseline 20, plateau 74 (×3.7), onset 2020-03-16" (a tooltip
    /// and what a screen reader says).
    func description(_ row: Review.Row, _ review: Review) -> String {
        let k = review.options.minGroup
        func f(_ x: Figure) -> String {
            switch x {
            case .value(let v): return Figures.text(v, row.metric)
            case .withheld: return "<\(k)"
            case .missing: return "–"
            }
        }
        var s = "\(row.name), \(row.metric.displayName): baseline \(f(row.baseline)), plateau \(f(row.plateau))"
        if let ratio = row.ratio { s += " (×" + String(format: "%.1f", ratio) + ")" }
        if let o = row.analysis.onset { s += ", onset \(CivilDate(daysSinceEpoch: o).iso)" }
        if let e = row.analysis.end { s += ", end \(CivilDate(daysSinceEpoch: e).iso)" }
        s += "; this week \(f(row.week))"
        return s
    }

    /// A scale figure: `1,500`, `12k` when long, `80` minutes, `0.5`.
    static func tick(_ v: Double, _ m: Metric) -> String {
        if v >= 10_000 { return Markup.number(v / 1000) + "k" }
        return v == v.rounded() ? groupedDigits(Int(v)) : Markup.number(v)
    }
}
