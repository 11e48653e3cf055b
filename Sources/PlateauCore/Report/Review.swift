import Foundation

/// The weekly review's numbers, computed once and shared by every format (text, markdown,
/// JSON) and the dashboard: per metric × BU, the analysis, its levels, this week's and last
/// week's values, and the series.
///
/// Everything is computed from the data as it is; suppression decides only what is *shown*
/// (a figure of a small group becomes `<5`), never what is computed, so every figure shown at
/// `--min-group 5` is the same at `--min-group 1`. Days on which a feed delivered nothing are
/// missing, not zeros, and stay out of every median.
public struct Review: Sendable {
    public struct Row: Sendable {
        public var metric: Metric
        public var bu: UInt16
        public var name: String
        public var analysis: PlateauAnalysis
        /// The levels of the analysis as they may be shown.
        public var baseline: Figure
        public var plateau: Figure
        /// Median business-day value of the review week and of the week before.
        public var week: Figure
        public var previousWeek: Figure
        /// Business-day values over the range (nil: withheld or missing).
        public var trend: [Double?]

        /// plateau ÷ baseline as shown; nil when either level is not shown.
        public var ratio: Double? {
            guard let b = baseline.value, let p = plateau.value else { return nil }
            return Figures.ratio(p, over: b, metric)
        }
        /// This week against last week, as shown; nil when either is not shown.
        public var change: Double? {
            guard let w = week.value, let p = previousWeek.value else { return nil }
            return Figures.change(from: p, to: w, metric)
        }
    }

    public var rollups: Rollups
    public var options: SnapshotOptions
    public var week: ReviewWeek?
    public var suppression: Suppression
    public var rows: [Row] = []
    /// The business days of the range, oldest first: the days of every row's `trend`.
    public var trendDays: [Int] = []
    /// Each `[[capacity]]` series on the review's last day: its value, the capacity in force
    /// and when the trend reaches it.
    public var capacities: [CapacityReading] = []

    public struct CapacityReading: Sendable {
        public var metric: Metric
        public var bu: UInt16
        public var name: String
        /// The last business day with a value, up to the review week's Sunday.
        public var day: Int
        public var value: Figure
        public var capacity: Double
        /// Nil with fewer than `CapacityForecast.minimumPoints` business days shown.
        public var forecast: CapacityForecast?
    }

    public init(_ r: Rollups, options o: SnapshotOptions) {
        rollups = r
        options = o
        suppression = Suppression(r, minGroup: o.minGroup)
        week = o.week ?? r.firstDay.flatMap { f in r.lastDay.flatMap { ReviewWeek.lastFull(first: f, last: $0) } }
        guard let first = r.firstDay, let last = r.lastDay else { return }
        // The rows of population metrics come first (contract order): the figures of the
        // metrics they count people for are withheld with theirs.
        var byKey: [AlertEvaluator.SeriesKey: Row] = [:]
        trendDays = (first...last).filter { o.businessDays.contains(CivilDate(daysSinceEpoch: $0).isoWeekday) }
        for m in r.metrics {
            for bu in r.businessUnits(m) {
                let series = (first...last).map { d in (day: d, value: r.value(m, bu: bu, day: d)) }
                let a = PlateauFinder.analyse(series, businessDays: o.businessDays, windows: o.windows)
                let trend = trendDays.map { suppression.value(r, m, bu: bu, day: $0) }
                let population = m.countsPeople ? nil : byKey[AlertEvaluator.SeriesKey(m.population, bu)]
                func level(_ v: Double?, _ people: Figure?) -> Figure {
                    guard let v else { return .missing }
                    if people == .withheld || (m.countsPeople && small(v)) { return .withheld }
                    return .value(v)
                }
                func weekly(_ monday: CivilDate?, _ people: Figure?) -> Figure {
                    guard let monday else { return .missing }
                    return level(Review.weekValue(r, m, bu, monday, o.businessDays), people)
                }
                let row = Row(metric: m, bu: bu, name: Sanitize.text(r.units[Int(bu)]), analysis: a,
                              baseline: level(a.baseline, population?.baseline),
                              plateau: level(a.plateau, population?.plateau),
                              week: weekly(week?.monday, population?.week),
                              previousWeek: weekly(week?.monday.adding(days: -7), population?.previousWeek),
                              trend: trend)
                byKey[AlertEvaluator.SeriesKey(m, bu)] = row
                rows.append(row)
            }
        }
        capacities = Review.capacityReadings(r, o, suppression, until: min(last, week?.sunday.day ?? last))
    }

    /// The forecast of every (metric, BU) a `[[capacity]]` names, on its last business day with
    /// a value up to `end`, from the values as shown (a withheld day is left out of the line).
    static func capacityReadings(_ r: Rollups, _ o: SnapshotOptions, _ s: Suppression, until end: Int) -> [CapacityReading] {
        guard let first = r.firstDay else { return [] }
        var out: [CapacityReading] = []
        var seen = Set<String>()
        for c in o.capacities where r.metrics.contains(c.metric) && seen.insert("\(c.metric.rawValue)\u{1F}\(c.bu)").inserted {
            guard let id = r.units.firstIndex(of: c.bu), first <= end else { continue }
            let bu = UInt16(id)
            let points = (first...end).filter { o.businessDays.contains(CivilDate(daysSinceEpoch: $0).isoWeekday) }
                .compactMap { d in s.value(r, c.metric, bu: bu, day: d).map { (day: d, value: $0) } }
            guard let day = (first...end).reversed().first(where: { d in
                o.businessDays.contains(CivilDate(daysSinceEpoch: d).isoWeekday) && r.value(c.metric, bu: bu, day: d) != nil
            }) else { continue }
            guard let capacity = PlateauConfig.Capacity.inForce(o.capacities, c.metric, bu: c.bu, day: day) else { continue }
            let shown = s.value(r, c.metric, bu: bu, day: day)
            out.append(CapacityReading(metric: c.metric, bu: bu, name: Sanitize.text(c.bu), day: day,
                                       value: shown.map { .value($0) } ?? .withheld, capacity: capacity,
                                       forecast: CapacityForecast.make(points.filter { $0.day <= day }, capacity: capacity,
                                                                       businessDays: o.businessDays)))
        }
        return out
    }

    /// A count of 1 … K−1 people: a small group.
    func small(_ v: Double) -> Bool { v > 0 && v < Double(options.minGroup) }

    /// The median business-day value of the week starting `monday`, over the days with data
    /// (missing days left out; withheld days count: suppression hides, it does not change).
    public static func weekValue(_ r: Rollups, _ m: Metric, _ bu: UInt16, _ monday: CivilDate, _ business: Set<Int>) -> Double? {
        var xs: [Double] = []
        for i in 0..<7 {
            let d = monday.adding(days: i)
            guard business.contains(d.isoWeekday), let v = r.value(m, bu: bu, day: d.day) else { continue }
            xs.append(v)
        }
        return xs.isEmpty ? nil : RollupBuilder.median(xs)
    }
}

/// Text from logs (BU names, paths) made safe for a terminal: C0/C1 controls, DEL and the ESC
/// of an escape sequence become `?`; combining and zero-width scalars are dropped so that one
/// scalar is one column (the review's tables and the dashboard's cells count on it).
public enum Sanitize {
    public static func scalars(_ text: String) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        for s in text.unicodeScalars {
            switch s.value {
            case 0..<0x20, 0x7F..<0xA0: out.append("?")
            case 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2064, 0xFEFF: continue
            default:
                if s.properties.generalCategory == .nonspacingMark || s.properties.generalCategory == .enclosingMark { continue }
                out.append(s)
            }
        }
        return out
    }

    /// A diagnostic for stderr or a log file: like `text`, so a file name or a log's text cannot
    /// move the cursor, retitle the window or clear the screen (every control is a `?`).
    public static func line(_ s: String) -> String { text(s) }

    public static func text(_ s: String) -> String {
        var v = String.UnicodeScalarView()
        v.append(contentsOf: scalars(s))
        return String(v)
    }
}
