import PlateauCore

/// How the chart draws: braille (2 × 4 dots a cell), block glyphs (`▁▂▃▄▅▆▇█`) for fonts that
/// lack braille, or plain ASCII for terminals that lack both.
public enum GlyphMode: String, CaseIterable, Sendable {
    case braille, blocks, ascii
}

/// What the main chart shows: one metric of one BU (or ALL), a value a day.
public struct ChartModel: Sendable {
    /// The first day shown, in days since 1970-01-01 (`CivilDate.day`).
    public var firstDay: Int
    /// One value a day from `firstDay`; nil (suppressed or missing) is drawn as a gap, not as 0.
    public var values: [Double?]
    /// ISO weekdays (1 = Monday) counted as business days; the others are drawn as weekend.
    public var businessDays: Set<Int>
    /// The reference levels, drawn as dashed lines with their values.
    public var baseline: Double?
    public var plateau: Double?
    /// The day of the onset, marked by a vertical line.
    public var onsetDay: Int?
    /// A step line: each value is in force from its day (`vpn.peak_sessions`' licences).
    public var capacity: [(from: Int, value: Double)]
    /// Shown above the chart, e.g. `remote.users · ALL`.
    public var title: String
    /// The y scale starts at 0 (counts); false fits it to the values (e.g. meeting minutes).
    public var fromZero: Bool

    public init(firstDay: Int, values: [Double?], businessDays: Set<Int> = [1, 2, 3, 4, 5],
                baseline: Double? = nil, plateau: Double? = nil, onsetDay: Int? = nil,
                capacity: [(from: Int, value: Double)] = [], title: String = "", fromZero: Bool = true) {
        self.firstDay = firstDay
        self.values = values
        self.businessDays = businessDays
        self.baseline = baseline
        self.plateau = plateau
        self.onsetDay = onsetDay
        self.capacity = capacity
        self.title = title
        self.fromZero = fromZero
    }

    /// The capacity in force on `day`, nil before the first.
    public func capacity(on day: Int) -> Double? {
        capacity.filter { $0.from <= day }.max { $0.from < $1.from }?.value
    }

    func isWeekend(_ day: Int) -> Bool { !businessDays.contains(CivilDate(daysSinceEpoch: day).isoWeekday) }
}

/// Equal models draw equal charts: the dashboard can skip a redraw when nothing changed.
extension ChartModel: Equatable {
    public static func == (a: ChartModel, b: ChartModel) -> Bool {
        a.firstDay == b.firstDay && a.values == b.values && a.businessDays == b.businessDays
            && a.baseline == b.baseline && a.plateau == b.plateau && a.onsetDay == b.onsetDay && a.title == b.title && a.fromZero == b.fromZero
            && a.capacity.count == b.capacity.count && zip(a.capacity, b.capacity).allSatisfy { $0.from == $1.from && $0.value == $1.value }
    }
}

/// The main chart: a pure function of the model, a rectangle and a glyph mode into a `Frame`.
///
/// Layout (when the rectangle has room): the title on the first row; a gutter of y labels,
/// right-aligned, with round ticks; the plot; an x-axis row (weekend columns dotted) and a row of
/// date labels. Smaller rectangles lose the title and axes and show only the plot (and its
/// lines). Every cell of the rectangle is written (blanks included), nothing outside it.
///
/// The series is an area: each dot column filled from 0 to its value, weekends lighter and
/// muted. With more days than dots each dot shows the *maximum* of its days (see `ChartXMap`).
/// Reference lines pass behind the series' outline but tint its filled interior, so a level
/// stays readable under a surge: baseline `┈` (good), plateau `╌` (warning), capacity `━` as a
/// step line (critical), onset `│` (bold) — ASCII `-`, `~`, `=`, `|`. Their labels (`base 189`,
/// `plat 1,013`, `cap 2,500`, `onset 03-17`) sit at an end of their line, or just above or below
/// it, wherever they hide the least data, and never on one another.
public enum Chart {
    public static func draw(_ m: ChartModel, into f: inout Frame, x: Int, y: Int, width: Int, height: Int, glyphs: GlyphMode) {
        // Only the part of the rectangle inside the frame is laid out and drawn.
        guard width > 0, height > 0, x < f.width, y < f.height else { return }
        func end(_ a: Int, _ n: Int, _ limit: Int) -> Int {
            let (sum, overflow) = a.addingReportingOverflow(n)
            return overflow ? limit : min(sum, limit)
        }
        let x0 = max(x, 0), y0 = max(y, 0)
        let w = end(x, width, f.width) - x0, h = end(y, height, f.height) - y0
        guard w > 0, h > 0 else { return }
        var r = ChartRenderer(model: m, width: w, height: h, glyphs: ChartGlyphs(mode: glyphs))
        let local = r.render()
        for j in 0..<h {
            for i in 0..<w {
                let c = local[i, j]
                f.put(String(Character(c.scalar)), x: x0 + i, y: y0 + j, style: c.style, maxWidth: 1)
            }
        }
    }
}
