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
        /// Where `[[capacity]]` names the series: its newest business day shown against the
        /// capacity in force then, and when the trend reaches it (issue 18, under the chart).
        public var capacityReading: CapacityReading?
        /// The ratio of the levels as shown, only when both are (it would reveal a withheld level).
        public var shownRatio: Double? {
            guard let b = baseline, let p = plateau else { return nil }
            return Figures.ratio(p, over: b, metric)
        }
    }

    public struct CapacityReading: Sendable, Equatable {
        public var day: Int
        public var value: Double
        public var capacity: Double
        /// Nil with fewer than `CapacityForecast.minimumPoints` business days shown.
        public var forecast: CapacityForecast?
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

    /// One feed's freshness as the header shows it, and the stale rule that judges it. Its
    /// level is a function of the clock (`level(at:)`): the view judges it at every draw, so a
    /// feed that stops is an alert on screen within one tick of crossing its threshold, with
    /// no new data and no rebuild.
    public struct Feed: Sendable, Equatable {
        public var name: String
        /// Its newest record as of the model's clock (nil: none).
        public var newestRecord: Int64?
        /// When bytes last arrived for it (`watch` following files; nil otherwise).
        public var lastArrival: Int64?
        /// The stale rule of this feed (the first one in the rules file), and its levels in seconds.
        public var rule: String?
        public var warning: Int64?
        public var critical: Int64?
        /// False in a replay whose clock is before the feed's first day of records: it has not
        /// started yet (neither fresh nor stale).
        public var started = true
        public init(name: String, newestRecord: Int64? = nil, lastArrival: Int64? = nil, rule: String? = nil,
                    warning: Int64? = nil, critical: Int64? = nil) {
            self.name = name; self.newestRecord = newestRecord; self.lastArrival = lastArrival
            self.rule = rule; self.warning = warning; self.critical = critical
        }

        /// The level of its rule at `now`: nil when fresh (or without a rule); a feed without
        /// any record is at the rule's highest level.
        public func level(at now: Int64) -> Alert.Severity? {
            guard rule != nil, started else { return nil }
            guard let newest = newestRecord else { return critical != nil ? .critical : .warning }
            let age = max(0, now - newest)
            if let c = critical, age >= c { return .critical }
            if let w = warning, age >= w { return .warning }
            return nil
        }

        /// "12 s", "3 min", "2 h", "2,400 d"; "no records".
        public func age(at now: Int64) -> String {
            guard started else { return "not yet" }
            return newestRecord.map { Durations.short(now - $0) } ?? "no records"
        }
    }

    public var organisation: String?
    public var timezone = "UTC"
    /// The zone of `timezone` (the day of a feed's alert).
    public var zone: TimeZoneRules = .utc
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
    /// The feeds of the data and those stale rules name, in `Feeds` order (built-in, then by name).
    public var feeds: [Feed] = []
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

    /// The stale alerts of the feeds at `now`, as the alerts panel lists them (before the others).
    public func feedAlerts(at now: Int64, zone: TimeZoneRules) -> [Alert] {
        feeds.compactMap { f in
            guard let level = f.level(at: now), let rule = f.rule else { return nil }
            var text = f.newestRecord == nil ? "\(rule): \(f.name) feed: no records" : "\(rule): \(f.name) feed: newest record \(f.age(at: now)) old"
            // Bytes still arriving: the export runs, its records are old (or it stopped too).
            if let arrived = f.lastArrival { text += "; bytes arrived \(Durations.short(now - arrived)) ago" }
            return Alert(severity: level, day: zone.localDay(now), text: text)
        }.sorted { $0.severity > $1.severity }
    }

    /// The feeds of `r` as of `now` (a replay's clock knows a feed's records to the day only:
    /// `AlertEvaluator.newest`), with the stale rules of `rules` that judge them.
    public static func feeds(_ r: Rollups, rules: [AlertRule], now: Int64, zone: TimeZoneRules) -> [Feed] {
        let present = Set(r.feeds.keys).union(rules.compactMap(\.feed))
        let names = Feeds.builtIn.filter(present.contains) + present.subtracting(Feeds.builtIn).sorted()
        return names.map { name in
            let rule = rules.first { $0.feed == name }
            var f = Feed(name: name, lastArrival: r.feeds[name]?.lastArrival)
            if let newest = r.feeds[name]?.newestRecord {
                let metric = rule?.metric ?? Feeds.known([]).first { $0.name == name }?.metric ?? .meetingsUsers
                f.newestRecord = newest <= now ? newest : AlertEvaluator.newest(r, feed: name, metric: metric, at: now, timezone: zone)?.instant
                // A replay before the feed's first records: it has not started, it is not dead.
                f.started = f.newestRecord != nil
            }
            if let rule {
                f.rule = rule.name
                f.warning = rule.warning.map { Int64($0) }
                f.critical = rule.critical.map { Int64($0) }
            }
            return f
        }
    }

    /// The model of `rollups` as the review would judge them (same analysis, same suppression);
    /// `alertSource` adds the alerts of the rules, from the same analysis; `feedRules` (stale
    /// rules of ALL) judge the feeds at the clock of `stats`.
    public static func build(_ r: Rollups, options: SnapshotOptions, capacity: [PlateauConfig.Capacity] = [],
                             stats: Stats = Stats(), alerts: [Alert] = [], alertSource: AlertSource? = nil,
                             feedRules: [AlertRule] = []) -> DashboardModel {
        var model = DashboardModel()
        model.zone = TimeZoneRules(identifier: options.timezone) ?? .utc
        model.feeds = feeds(r, rules: feedRules.filter(\.judgesFeed), now: stats.now, zone: model.zone)
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
            // The forecast of the review, on the newest business day shown (a withheld day is
            // left out of the line, as there).
            let unit = r.units[Int(row.bu)]
            if model.capacity[row.metric]?[unit] != nil {
                let points = review.trendDays.compactMap { d in values[d - first].map { (day: d, value: $0) } }
                if let p = points.last, let cap = PlateauConfig.Capacity.inForce(capacity, row.metric, bu: unit, day: p.day) {
                    out.capacityReading = CapacityReading(day: p.day, value: p.value, capacity: cap,
                                                          forecast: CapacityForecast.make(points, capacity: cap, businessDays: options.businessDays))
                }
            }
            model.rows[row.metric, default: []].append(out)
        }
        return model
    }
}
