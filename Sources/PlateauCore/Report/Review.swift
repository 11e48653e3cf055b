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

    public static func text(_ s: String) -> String {
        var v = String.UnicodeScalarView()
        v.append(contentsOf: scalars(s))
        return String(v)
    }
}
