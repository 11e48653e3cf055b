import PlateauCore

/// What the dashboard shows, computed off the UI thread from the rollups of the moment: per
/// metric × BU the daily series (suppressed days already withheld), today's value, the
/// analysis; plus the header's figures and the alerts. The screen is a pure function of this
/// model, the operator's `DashboardState` and the terminal size.
public struct DashboardModel: Sendable {
    public struct Row: Sendable, Equatable {
        public var bu: UInt16
        public var name: String
        /// One value per day from `firstDay` to `lastDay`; nil: no data or withheld.
        public var values: [Double?]
        /// The newest day's value (nil when withheld or absent).
        public var today: Double?
        public var todayWithheld = false
        public var analysis: PlateauAnalysis
        /// Baseline and plateau as they are shown (rounded as the review rounds them, `Figures`;
        /// nil when a level is itself a small group), for the list, the header and the chart.
        public var baseline: Double?
        public var plateau: Double?
        /// The metric (for the precision of its figures).
        public var metric: Metric = .meetingsUsers
        /// The ratio of the levels as shown, only when both are (it would reveal a withheld level).
        public var shownRatio: Double? {
            guard let b = baseline, let p = plateau else { return nil }
            return Figures.ratio(p, over: b, metric)
        }
    }

    /// Figures for the header.
    public struct Stats: Sendable, Equatable {
        public var files = 0
        public var records = 0
        public var skipped = 0
        /// Records per second over the last few seconds of following (nil before there is a rate).
        public var rate: Double?
        /// Newest record's instant (Unix seconds) and the clock it is compared with.
        public var newestRecord: Int64?
        public var now: Int64 = 0
        /// Days of data per second when replaying (the header says so instead of a freshness).
        public var replay: Double?
        public init() {}
    }

    public struct Alert: Sendable, Equatable {
        public enum Severity: Int, Sendable, Comparable {
            case warning = 1, critical = 2
            public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }
        }
        public var severity: Severity
        public var day: Int
        public var text: String
        public init(severity: Severity, day: Int, text: String) { self.severity = severity; self.day = day; self.text = text }
    }

    public var organisation: String?
    public var timezone = "UTC"
    public var firstDay: Int?
    public var lastDay: Int?
    public var metrics: [Metric] = []
    public var rows: [Metric: [Row]] = [:]
    /// Per metric, the newest day with any data (the day `Row.today` is of).
    public var newestDay: [Metric: Int] = [:]
    /// Capacity steps (from day, value) per metric and BU name.
    public var capacity: [Metric: [String: [(from: Int, value: Double)]]] = [:]
    public var businessDays: Set<Int> = [1, 2, 3, 4, 5]
    public var minGroup = 5
    public var stats = Stats()
    /// Newest first.
    public var alerts: [Alert] = []
    /// A one-line diagnostic for the status line (e.g. a file that could not be read).
    public var notice: String?

    public init() {}

    public var dayCount: Int {
        guard let f = firstDay, let l = lastDay else { return 0 }
        return l - f + 1
    }

    public func row(_ m: Metric, bu name: String) -> Row? { rows[m]?.first { $0.name == name } }

    /// The alerts of rollups, given the analysis of every series (the model's own, not redone).
    public typealias AlertSource = @Sendable (Rollups, [AlertEvaluator.SeriesKey: PlateauAnalysis]) -> [Alert]

    /// The model of `rollups` as the review would judge them (same analysis, same suppression);
    /// `alertSource` adds the alerts of the rules, from the same analysis.
    public static func build(_ r: Rollups, options: SnapshotOptions, capacity: [PlateauConfig.Capacity] = [],
                             stats: Stats = Stats(), alerts: [Alert] = [], alertSource: AlertSource? = nil) -> DashboardModel {
        var model = DashboardModel()
        model.organisation = options.organisation
        model.timezone = options.timezone
        model.businessDays = options.businessDays
        model.minGroup = options.minGroup
        model.stats = stats
        model.alerts = alerts.sorted { ($0.day, $0.severity) > ($1.day, $1.severity) }
        model.firstDay = r.firstDay
        model.lastDay = r.lastDay
        model.metrics = r.metrics
        for c in capacity {
            model.capacity[c.metric, default: [:]][c.bu, default: []].append((c.from.day, c.value))
        }
        for (m, byBU) in model.capacity {
            for (bu, steps) in byBU { model.capacity[m]![bu] = steps.sorted { $0.from < $1.from } }
        }
        guard let first = r.firstDay, let last = r.lastDay else { return model }
        let review = Review(r, options: options)
        if let alertSource {
            let analyses = Dictionary(review.rows.map { (AlertEvaluator.SeriesKey($0.metric, $0.bu), $0.analysis) }, uniquingKeysWith: { a, _ in a })
            model.alerts = (alerts + alertSource(r, analyses)).sorted { ($0.day, $0.severity) > ($1.day, $1.severity) }
        }
        for m in r.metrics {
            // Zero-filled days after the data ends (a session running past midnight opens a
            // day for every metric) are not "today" for this metric.
            let days = (r.values[m] ?? [:]).values.flatMap { $0.filter { $0.value > 0 }.keys }.filter { (first...last).contains($0) }
            model.newestDay[m] = days.max() ?? last
        }
        for row in review.rows {
            let values = (first...last).map { review.suppression.value(r, row.metric, bu: row.bu, day: $0) }
            let today = model.newestDay[row.metric] ?? last
            var out = Row(bu: row.bu, name: row.name, values: values, today: values[today - first],
                          analysis: row.analysis,
                          baseline: row.baseline.value.map { Figures.shown($0, row.metric) },
                          plateau: row.plateau.value.map { Figures.shown($0, row.metric) })
            out.metric = row.metric
            out.todayWithheld = review.suppression.isSuppressed(row.metric, bu: row.bu, day: today)
            model.rows[row.metric, default: []].append(out)
        }
        return model
    }
}
