import PlateauCore

/// Draws one chart into a frame the size of its rectangle (see `Chart.draw`).
struct ChartRenderer {
    /// What occupies a plot cell, for the drawing order: lines go behind the series' outline
    /// but across its interior; labels avoid each other and hide as little data as they can.
    enum Kind { case empty, edge, full, line, marker, label }

    static let seriesStyle = Style(color: .accent)
    static let weekendStyle = Style(color: .muted)
    static let baselineStyle = Style(color: .good)
    static let plateauStyle = Style(color: .warning)
    static let capacityStyle = Style(color: .critical, bold: true)
    static let onsetStyle = Style(color: .normal, bold: true)
    static let axisStyle = Style(color: .muted)
    static let titleStyle = Style(color: .title, bold: true)

    let m: ChartModel
    let g: ChartGlyphs
    var out: Frame
    let showAxes: Bool
    /// The plot: columns `plotX ..< plotX + cols`, rows `plotY ..< plotY + rows`.
    let plotX, plotY, cols, rows: Int
    let scale: ChartScale
    let gutterLabels: [(row: Int, text: String)]
    let xmap: ChartXMap
    /// Per dot column: its value (the maximum of its days), whether all its days are days off.
    let dotValue: [Double?]
    let dotWeekend: [Bool]
    var kind: [Kind]

    init(model m: ChartModel, width: Int, height: Int, glyphs g: ChartGlyphs) {
        self.m = m
        self.g = g
        out = Frame(width: width, height: height)
        let lastDay = m.firstDay + m.values.count - 1
        var all = m.values.compactMap { $0 }.filter(\.isFinite)
        let integral = !all.isEmpty && all.allSatisfy { $0 == $0.rounded() }
        all += [m.baseline, m.plateau].compactMap { $0 }.filter(\.isFinite)
        // The capacities in force over the range (not those replaced before it).
        all += ([m.capacity(on: m.firstDay)].compactMap { $0 } + m.capacity.filter { $0.from > m.firstDay && $0.from <= lastDay }.map(\.value)).filter(\.isFinite)
        let lo = all.min() ?? 0, hi = all.max() ?? 0

        // Axes and title when there is room for them and for a plot worth reading.
        func makeScale(rows: Int) -> ChartScale {
            ChartScale(min: lo, max: hi, maxIntervals: max(1, rows * 2 / 5), integral: integral, fromZero: m.fromZero)
        }
        let titleRows = m.title.isEmpty ? 0 : 1
        let axedRows = height - titleRows - 2
        let axed = makeScale(rows: axedRows)
        let labelWidth = axed.ticks.map { axed.label($0).count }.max() ?? 1
        showAxes = axedRows >= 4 && width - (labelWidth + 2) >= 12
        if showAxes {
            plotX = labelWidth + 2; plotY = titleRows; rows = axedRows
            scale = axed
        } else {
            plotX = 0; plotY = 0; rows = height
            scale = makeScale(rows: height)
        }
        cols = width - plotX
        xmap = ChartXMap(days: m.values.count, columns: cols, perCell: g.dotsPerCell)
        dotValue = xmap.ranges.map { r in m.values[r].compactMap { $0 }.filter(\.isFinite).max() }
        dotWeekend = xmap.ranges.map { r in r.allSatisfy { m.isWeekend(m.firstDay + $0) } }
        kind = Array(repeating: .empty, count: cols * rows)
        var labels: [(row: Int, text: String)] = []
        if showAxes {
            let s = scale
            for t in s.ticks {
                let row = t == s.lo ? plotY + rows : plotY + rows - 1 - ChartRenderer.row(ofLevel: ChartRenderer.level(t, s, rows * g.levelsPerCell), g)
                if labels.last?.row != row { labels.append((row, s.label(t))) }
            }
        }
        gutterLabels = labels
    }

    // MARK: Geometry

    var totalLevels: Int { rows * g.levelsPerCell }

    /// A value's height in levels, 1 (a value of 0 still shows, unlike a gap) to `levels`.
    static func level(_ v: Double, _ s: ChartScale, _ levels: Int) -> Int {
        let u = (v - s.lo) / (s.hi - s.lo) * Double(levels)
        return max(1, min(levels, Int(u.isFinite ? u.rounded() : 0)))
    }

    /// The plot row (from the bottom) holding a level's top.
    static func row(ofLevel l: Int, _ g: ChartGlyphs) -> Int { (l - 1) / g.levelsPerCell }

    /// The frame row of a value's line.
    func screenRow(_ v: Double) -> Int {
        plotY + rows - 1 - ChartRenderer.row(ofLevel: ChartRenderer.level(v, scale, totalLevels), g)
    }

    func kind(_ c: Int, _ y: Int) -> Kind { kind[(y - plotY) * cols + c] }

    mutating func set(_ c: Int, _ y: Int, _ s: String, _ style: Style, _ k: Kind) {
        guard c >= 0, c < cols, y >= plotY, y < plotY + rows else { return }
        out.put(s, x: plotX + c, y: y, style: style, maxWidth: 1)
        kind[(y - plotY) * cols + c] = k
    }

    // MARK: Drawing

    mutating func render() -> Frame {
        guard cols > 0, rows > 0 else { return out }
        drawSeries()
        if let b = m.baseline, b.isFinite { drawLevel(b, g.baseline, ChartRenderer.baselineStyle) }
        if let p = m.plateau, p.isFinite { drawLevel(p, g.plateau, ChartRenderer.plateauStyle) }
        let capacityRows = drawCapacity()
        let onsetColumn = drawOnset()
        // Labels, most important first: each takes the place that hides the least. A chart too
        // small for axes is too small for labels: it shows the series and its lines only.
        if showAxes { placeLabels(onsetColumn: onsetColumn, capacityRows: capacityRows) }
        if dotValue.allSatisfy({ $0 == nil }) {
            let t = "no data"
            if t.count <= cols { out.put(t, x: plotX + (cols - t.count) / 2, y: plotY + (rows - 1) / 2, style: ChartRenderer.axisStyle) }
        }
        if showAxes { drawAxes() }
        if !m.title.isEmpty && plotY > 0 {
            out.put(g.mode == .ascii ? ChartFormat.ascii(m.title) : m.title, x: 0, y: 0, style: ChartRenderer.titleStyle)
        }
        return out
    }

    mutating func placeLabels(onsetColumn: Int?, capacityRows: [Int?]) {
        if let c = onsetColumn, let d = m.onsetDay {
            let lastDay = m.firstDay + m.values.count - 1
            let years = CivilDate(daysSinceEpoch: m.firstDay).components.year != CivilDate(daysSinceEpoch: lastDay).components.year
            let t = "onset " + (years ? CivilDate(daysSinceEpoch: d).iso : ChartFormat.monthDay(d))
            placeLabel([(rows - 1, c + 1, " " + t, 0), (rows - 1, c - t.count - 1, t + " ", 0),
                        (rows - 2, c + 1, " " + t, 1), (rows - 2, c - t.count - 1, t + " ", 1)], ChartRenderer.onsetStyle)
        }
        if let p = m.plateau, p.isFinite { labelLevel("plat " + ChartFormat.level(p), row: screenRow(p), from: 0, to: cols, ChartRenderer.plateauStyle) }
        if let b = m.baseline, b.isFinite { labelLevel("base " + ChartFormat.level(b), row: screenRow(b), from: 0, to: cols, ChartRenderer.baselineStyle) }
        labelCapacity(capacityRows)
    }

    /// The area: each dot column filled from the bottom to its value's level.
    mutating func drawSeries() {
        let levels = dotValue.map { $0.map { ChartRenderer.level($0, scale, totalLevels) } }
        let per = g.dotsPerCell, step = g.levelsPerCell
        guard levels.count == cols * per else { return }     // no days
        for c in 0..<cols {
            let dots = (c * per)..<(c * per + per)
            let tops = dots.map { levels[$0] ?? 0 }
            let weekend = dots.map { dotWeekend[$0] }
            let shown = dots.filter { levels[$0] != nil }
            let style = !shown.isEmpty && shown.allSatisfy({ dotWeekend[$0] }) ? ChartRenderer.weekendStyle : ChartRenderer.seriesStyle
            for b in 0..<rows {
                let filled = tops.map { min(step, max(0, $0 - b * step)) }
                guard let glyph = g.series(filled: filled, base: b * step, top: tops, weekend: weekend) else { continue }
                let full = shown.count == per && filled.allSatisfy { $0 == step }
                set(c, plotY + rows - 1 - b, String(Character(glyph)), style, full ? .full : .edge)
            }
        }
    }

    /// A dashed level line: drawn in empty cells, and as a tint of the series' filled interior
    /// (its glyphs kept), never over the series' outline.
    mutating func drawLevel(_ v: Double, _ glyph: String, _ style: Style) {
        let y = screenRow(v)
        for c in 0..<cols { line(c, y, glyph, style) }
    }

    mutating func line(_ c: Int, _ y: Int, _ glyph: String, _ style: Style) {
        switch kind(c, y) {
        case .empty, .line: set(c, y, glyph, style, .line)
        case .full: set(c, y, String(Character(out[plotX + c, y].scalar)), style, .full)
        case .edge, .marker, .label: break
        }
    }

    /// The capacity in force in each column as a step line; returns each column's row.
    mutating func drawCapacity() -> [Int?] {
        guard !m.capacity.isEmpty else { return [] }
        let rowOf: [Int?] = (0..<cols).map { c in
            let days = xmap.days(ofColumn: c)
            let caps = days.compactMap { m.capacity(on: m.firstDay + $0) }.filter(\.isFinite)
            return caps.max().map(screenRow)
        }
        let st = ChartRenderer.capacityStyle
        func draw(_ c: Int, _ y: Int, _ s: String) { line(c, y, s, st) }
        for c in 0..<cols {
            guard let y = rowOf[c] else { continue }
            guard c > 0, let p = rowOf[c - 1], p != y else { draw(c, y, g.capacity); continue }
            if y < p {          // rising
                draw(c, p, g.capacityLeftUp); draw(c, y, g.capacityDownRight)
            } else {            // falling
                draw(c, p, g.capacityLeftDown); draw(c, y, g.capacityUpRight)
            }
            for r in (min(p, y) + 1)..<max(p, y) { draw(c, r, g.capacityRise) }
        }
        return rowOf
    }

    /// The onset's vertical marker above (and through the gaps of) the data; returns its column.
    mutating func drawOnset() -> Int? {
        guard let d = m.onsetDay, let c = xmap.column(ofDay: d - m.firstDay) else { return nil }
        for y in plotY..<(plotY + rows) where kind(c, y) == .empty || kind(c, y) == .line {
            set(c, y, g.onset, ChartRenderer.onsetStyle, .marker)
        }
        return c
    }

    /// A level's label on its line between columns `a` and `b` (right end, else left end),
    /// leaving some of the line in view; else just above (or below) one of the line's ends.
    mutating func labelLevel(_ text: String, row y: Int, from a: Int, to b: Int, _ style: Style) {
        let r = plotY + rows - 1 - y, n = text.count
        var candidates: [(row: Int, col: Int, text: String, penalty: Int)] = []
        if b - a >= n + 3 { candidates += [(r, b - n - 1, " " + text, 0), (r, a, text + " ", 0)] }
        for off in [1, -1] { candidates += [(r + off, b - n, text, 1), (r + off, a, text, 1)] }
        placeLabel(candidates, style)
    }

    /// Each capacity segment labelled within its span (`cap 2,500`).
    mutating func labelCapacity(_ rowOf: [Int?]) {
        var c = 0
        while c < rowOf.count {
            guard let y = rowOf[c] else { c += 1; continue }
            var e = c + 1
            while e < rowOf.count, rowOf[e] == y { e += 1 }
            let days = xmap.days(ofColumn: c)
            if let v = days.compactMap({ m.capacity(on: m.firstDay + $0) }).filter(\.isFinite).max() {
                // A segment after a step starts with its corner: the label keeps off it.
                let stepped = c > 0 && rowOf[c - 1] != nil
                labelLevel("cap " + ChartFormat.level(v), row: y, from: stepped ? c + 1 : c, to: e, ChartRenderer.capacityStyle)
            }
            c = e
        }
    }

    /// Writes `text` at the first candidate (plot row from the bottom, column) that stays in
    /// the plot, overlaps no other label and hides the least data (the outline counts most).
    mutating func placeLabel(_ candidates: [(row: Int, col: Int, text: String, penalty: Int)], _ style: Style) {
        var best: (score: Int, row: Int, col: Int, text: String)?
        for cand in candidates {
            let n = cand.text.count
            guard cand.row >= 0, cand.row < rows, cand.col >= 0, cand.col + n <= cols else { continue }
            let y = plotY + rows - 1 - cand.row
            let ks = (cand.col..<(cand.col + n)).map { kind($0, y) }
            if ks.contains(.label) { continue }
            let score = cand.penalty + ks.reduce(0) { s, k in s + (k == .edge ? 3 : k == .marker ? 2 : k == .full ? 1 : 0) }
            if best == nil || score < best!.score { best = (score, cand.row, cand.col, cand.text) }
        }
        guard let b = best else { return }
        let y = plotY + rows - 1 - b.row
        for (i, ch) in b.text.enumerated() { set(b.col + i, y, String(ch), style, .label) }
    }

    /// The y gutter (labels right-aligned against the axis) and the date axis below the plot.
    mutating func drawAxes() {
        let axisY = plotY + rows
        let st = ChartRenderer.axisStyle
        for y in plotY..<axisY { out.put(g.yAxis, x: plotX - 1, y: y, style: st) }
        out.put(g.origin, x: plotX - 1, y: axisY, style: st)
        for (y, text) in gutterLabels {
            out.put(text, x: plotX - 2 - text.count, y: y)
            if y < axisY { out.put(g.yTick, x: plotX - 1, y: y, style: st) }
        }
        for c in 0..<cols {
            let days = xmap.days(ofColumn: c)
            let weekend = !days.isEmpty && days.allSatisfy { m.isWeekend(m.firstDay + $0) }
            out.put(weekend ? g.xAxisWeekend : g.xAxis, x: plotX + c, y: axisY, style: st)
        }
        for l in ChartDates.labels(firstDay: m.firstDay, map: xmap, columns: cols) {
            out.put(g.xTick, x: plotX + l.tick, y: axisY, style: st)
            out.put(l.text, x: plotX + l.start, y: axisY + 1)
        }
    }
}
