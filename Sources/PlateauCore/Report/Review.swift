import Foundation

/// The weekly review's numbers, computed once and shared by every format (text, markdown,
/// JSON): per metric × BU, the analysis, this week's and last week's values, and the series.
public struct Review: Sendable {
    public struct Row: Sendable {
        public var metric: Metric
        public var bu: UInt16
        public var name: String
        public var analysis: PlateauAnalysis
        public var week: Double?
        public var previousWeek: Double?
        /// Business-day values over the range (nil: suppressed).
        public var trend: [Double?]
        public var change: Double? {
            guard let w = week, let p = previousWeek, p > 0 else { return nil }
            return w / p - 1
        }
    }

    public var rollups: Rollups
    public var options: SnapshotOptions
    public var week: ReviewWeek?
    public var suppression: Suppression
    public var rows: [Row] = []

    public init(_ r: Rollups, options o: SnapshotOptions) {
        rollups = r
        options = o
        suppression = Suppression(r, minGroup: o.minGroup)
        week = o.week ?? r.firstDay.flatMap { f in r.lastDay.flatMap { ReviewWeek.lastFull(first: f, last: $0) } }
        guard let first = r.firstDay, let last = r.lastDay else { return }
        for m in r.metrics {
            for bu in r.businessUnits(m) {
                let series = (first...last).map { d in (day: d, value: r.value(m, bu: bu, day: d)) }
                let a = PlateauFinder.analyse(series, businessDays: o.businessDays, windows: o.windows)
                let trend = (first...last).filter { o.businessDays.contains(CivilDate(daysSinceEpoch: $0).isoWeekday) }
                    .map { suppression.value(r, m, bu: bu, day: $0) }
                rows.append(Row(metric: m, bu: bu, name: Sanitize.text(r.units[Int(bu)]), analysis: a,
                                week: week.flatMap { SnapshotJSON.weekValue(r, suppression, m, bu, $0.monday, o.businessDays) },
                                previousWeek: week.flatMap { SnapshotJSON.weekValue(r, suppression, m, bu, $0.monday.adding(days: -7), o.businessDays) },
                                trend: trend))
            }
        }
    }

    /// A level is shown unless it is itself a small group of people.
    public func shown(_ v: Double?, _ m: Metric) -> Double? {
        guard let v else { return nil }
        return m.countsPeople && v > 0 && v < Double(options.minGroup) ? nil : v
    }
}

/// Text from logs (BU names, paths) made safe for a terminal: control characters and escape
/// sequences become `?`.
public enum Sanitize {
    public static func text(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { c in
            (c.value < 0x20 || (c.value >= 0x7F && c.value < 0xA0)) ? "?" : c
        }))
    }
}
