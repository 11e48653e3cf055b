import Foundation

/// One alert: a rule that fired for a metric, a BU and a day. Values are counts per BU and day
/// only; a value behind a small group is withheld (nil, `suppressed`), and so is a threshold or
/// a level that would reveal one.
public struct Alert: Sendable, Equatable {
    public var severity: AlertSeverity
    public var rule: String
    public var kind: AlertRule.Kind
    public var metric: Metric
    /// The BU's name, made safe for a terminal (ALL for the group).
    public var bu: String
    public var day: Int
    public var value: Double?
    /// True when `value` is withheld because the cell is a small group.
    public var suppressed: Bool
    /// The value at which the level that fired begins (nil: none, or withheld).
    public var threshold: Double?
    public var message: String
    /// Position of the rule in its file (the order among alerts of one severity and day).
    public var ruleIndex: Int
}

/// The value of a rule's series on the last day evaluated, with the thresholds in the metric's
/// units where a rule has them (nagios perfdata, prometheus gauges).
public struct AlertReading: Sendable, Equatable {
    public var rule: String
    public var metric: Metric
    public var bu: String
    public var value: Double
    /// A stale rule's reading: the age in seconds of this feed's newest record (not a metric's value).
    public var feed: String?
    public var warning: Double?
    public var critical: Double?
    public var maximum: Double?
    /// The rule alerts below its thresholds (a drop), not above them.
    public var below = false
}

/// What the evaluation needs besides the rollups and the rules.
public struct AlertContext: Sendable {
    /// ISO weekdays that are business days (drop and stale judge only those).
    public var businessDays: Set<Int> = [1, 2, 3, 4, 5]
    /// `[[capacity]]` of the config: the one in force on a day is the latest `from` before it.
    public var capacities: [PlateauConfig.Capacity] = []
    public var minGroup = 5
    /// The local day of "now" (batch: of the newest record; watch: of the clock). Days before it
    /// are complete; on it counts are still growing, so rules that look for too little (drop,
    /// a silent BU) wait for the day to end, while rules that look for too much judge it.
    /// Nil: every day is complete.
    public var today: Int?
    /// The zone of the days (a day's end is its local midnight).
    public var timezone: TimeZoneRules = .utc
    /// The instant of the run (the wall clock, or `--now`): no day is judged past it. Nil: none.
    public var now: Int64?
    /// Stale rules of ALL judge their feed once, at this instant (the run's own "now": the
    /// alert's day is its local day), whatever the days judged. Nil: at the end of every day
    /// judged, as if run then (a replay; never past `now`).
    public var feedsAt: Int64?
    public init() {}
}

/// Evaluates alert rules: a pure function of the rollups, the analyses of their series, the
/// rules and the context. The result is sorted, most severe first, then by day, rule and BU.
public enum AlertEvaluator {
    /// The people-count sources whose joint drop makes a BU's day off (a public holiday) rather
    /// than an outage of one of them.
    static let activitySources: [Metric] = [.meetingsUsers, .proxyUsers, .privateAccessUsers, .vpnUsers, .vdiUsers, .signinsUsers]
    /// A BU "normally" has records of a source when it had some on this many of the previous
    /// `usualWindow` business days.
    static let usualDays = 8, usualWindow = 10
    /// Sources usually under this many people are too small to tell a day off.
    static let dayOffMinimum = 5.0

    public struct SeriesKey: Hashable, Sendable {
        public var metric: Metric
        public var bu: UInt16
        public init(_ metric: Metric, _ bu: UInt16) { self.metric = metric; self.bu = bu }
    }

    /// The plateau analysis of every series, as the review computes it.
    public static func analyses(_ r: Rollups, businessDays: Set<Int>, windows: AnalysisWindows? = nil) -> [SeriesKey: PlateauAnalysis] {
        guard let first = r.firstDay, let last = r.lastDay else { return [:] }
        var out: [SeriesKey: PlateauAnalysis] = [:]
        for m in r.metrics {
            for bu in r.businessUnits(m) {
                let series = (first...last).map { d in (day: d, value: r.value(m, bu: bu, day: d)) }
                out[SeriesKey(m, bu)] = PlateauFinder.analyse(series, businessDays: businessDays, windows: windows)
            }
        }
        return out
    }

    /// The dashboard's entry: the alerts of `days` by the config's business days, capacities and
    /// fixed regimes, with `today` the local day of the clock (nil: every day is complete).
    /// `analyses`: the review's, when the caller has them (else computed here).
    public static func evaluate(rollups r: Rollups, rules: AlertRules, config: PlateauConfig, minGroup: Int,
                                on days: ClosedRange<Int>, today: Int?, analyses given: [SeriesKey: PlateauAnalysis]? = nil) -> [Alert] {
        var c = AlertContext()
        c.businessDays = config.businessDays
        c.capacities = config.capacity
        c.minGroup = minGroup
        c.today = today
        return evaluate(rollups: r, analyses: given ?? analyses(r, businessDays: config.businessDays, windows: config.windows),
                        rules: rules, context: c, on: days)
    }

    /// Every alert of `rules` on the days of `days` that are in the data.
    public static func evaluate(rollups r: Rollups, analyses: [SeriesKey: PlateauAnalysis], rules: AlertRules,
                                context: AlertContext, on days: ClosedRange<Int>) -> [Alert] {
        guard let first = r.firstDay, let last = r.lastDay else { return [] }
        let from = max(first, days.lowerBound), to = min(last, days.upperBound)
        guard from <= to else { return [] }
        let run = Run(r: r, analyses: analyses, context: context, suppression: Suppression(r, minGroup: context.minGroup))
        var out: [Alert] = []
        for (index, rule) in rules.rules.enumerated() where rule.judgesFeed {
            // A feed is judged at an instant: the run's (its day), or the end of each day (a replay).
            let instants = context.feedsAt.map { [($0, context.timezone.localDay($0))] } ?? (from...to).map { (run.endOfDay($0), $0) }
            for (t, day) in instants {
                if var a = run.staleFeed(rule, at: t, day: day) { a.ruleIndex = index; out.append(a) }
            }
        }
        for (index, rule) in rules.rules.enumerated() where !rule.judgesFeed && r.metrics.contains(rule.metric) {
            for bu in run.units(rule.scope, rule.metric) {
                for day in from...to {
                    if var a = run.check(rule, bu: bu, day: day) { a.ruleIndex = index; out.append(a) }
                }
            }
        }
        return sorted(out, units: r.units)
    }

    /// The latest values of the series of the rules of ALL or of one BU (on the last of `days` in
    /// the data), with their thresholds; withheld cells are left out.
    public static func readings(rollups r: Rollups, analyses: [SeriesKey: PlateauAnalysis], rules: AlertRules,
                                context: AlertContext, on days: ClosedRange<Int>) -> [AlertReading] {
        guard let first = r.firstDay, let last = r.lastDay else { return [] }
        let day = min(last, days.upperBound)
        guard day >= max(first, days.lowerBound) else { return [] }
        let run = Run(r: r, analyses: analyses, context: context, suppression: Suppression(r, minGroup: context.minGroup))
        var out: [AlertReading] = []
        // Rules of every BU would make hundreds of values: only rules of ALL or of one BU.
        for rule in rules.rules where rule.judgesFeed || (r.metrics.contains(rule.metric) && rule.scope != .every) {
            if rule.judgesFeed {
                if let reading = run.feedReading(rule, at: context.feedsAt ?? run.endOfDay(day)) { out.append(reading) }
                continue
            }
            for bu in run.units(rule.scope, rule.metric) {
                if let reading = run.reading(rule, bu: bu, day: day) { out.append(reading) }
            }
        }
        return out
    }

    static func sorted(_ alerts: [Alert], units: [String]) -> [Alert] {
        alerts.sorted { a, b in
            if a.severity != b.severity { return a.severity > b.severity }
            if a.day != b.day { return a.day < b.day }
            if a.ruleIndex != b.ruleIndex { return a.ruleIndex < b.ruleIndex }
            let ka = (a.bu == BusinessUnits.allName ? 0 : 1, a.bu), kb = (b.bu == BusinessUnits.allName ? 0 : 1, b.bu)
            if ka != kb { return ka < kb }
            return a.metric < b.metric
        }
    }

    /// The usual level of a series on a day, from its analysis: the baseline before the change,
    /// the plateau once the ramp is over, the lower of the two during the ramp and after a return
    /// (so that a ramp or a return is not a drop).
    public static func usualLevel(_ a: PlateauAnalysis?, day: Int) -> Double? {
        guard let a else { return nil }
        switch a.verdict {
        case .tooShort: return nil
        case .noChange: return a.baseline
        case .change:
            guard let b = a.baseline, let p = a.plateau, let onset = a.onset else { return a.baseline }
            if day < onset { return b }
            if let end = a.end, day >= end { return min(b, p) }
            if day < onset + (a.rampDays ?? 0) { return min(b, p) }
            return p
        }
    }

    /// A feed's newest record as of instant `t`: exact when its newest record is not after `t`;
    /// otherwise (a replay of a time before it) known to the day only, from the daily counts of
    /// the feed's metric (`metric`, ALL): the end of the last day up to `t`'s that has some
    /// (`t` itself when that is `t`'s day). Nil: no record up to `t`.
    public static func newest(_ r: Rollups, feed: String, metric: Metric, at t: Int64, timezone: TimeZoneRules) -> (instant: Int64, exact: Bool)? {
        guard let n = r.feeds[feed]?.newestRecord else { return nil }
        if n <= t { return (n, true) }
        guard let first = r.firstDay, let last = r.lastDay else { return nil }
        let m = metric.population
        // The day of the instant just before `t` (the end of a day is its next midnight).
        var d = min(timezone.localDay(t - 1), last)
        while d >= first && (r.value(m, bu: BusinessUnits.all, day: d) ?? 0) <= 0 { d -= 1 }
        guard d >= first else { return nil }
        return (min(timezone.startOfDay(d + 1), t), false)
    }

    /// Robust z-score of `x` against `xs`: M = 0.6745 (x − median) / MAD; when the MAD is 0,
    /// (x − median) / (1.2533 · mean absolute deviation); nil when the reference has no spread
    /// at all. Also returns the median and the scale (M = (x − median) / scale).
    public static func robustZ(_ x: Double, _ xs: [Double]) -> (score: Double, median: Double, scale: Double)? {
        guard !xs.isEmpty else { return nil }
        let med = RollupBuilder.median(xs)
        let mad = RollupBuilder.median(xs.map { abs($0 - med) })
        var scale: Double
        if mad > 0 {
            scale = mad / 0.6745
        } else {
            let meanAD = xs.reduce(0) { $0 + abs($1 - med) } / Double(xs.count)
            guard meanAD > 0 else { return nil }
            scale = 1.253314 * meanAD
        }
        return ((x - med) / scale, med, scale)
    }
}

/// One evaluation: the inputs, and the checks of each kind of rule.
private struct Run {
    let r: Rollups
    let analyses: [AlertEvaluator.SeriesKey: PlateauAnalysis]
    let context: AlertContext
    let suppression: Suppression

    func units(_ scope: AlertRule.Scope, _ m: Metric) -> [UInt16] {
        switch scope {
        case .all: return [BusinessUnits.all]
        case .unit(let name):
            guard let id = r.units.firstIndex(of: name) else { return [] }
            return [UInt16(id)]
        case .every:
            return r.businessUnits(m).filter { $0 != BusinessUnits.all && $0 != BusinessUnits.unassigned }
        }
    }

    func isBusinessDay(_ day: Int) -> Bool { context.businessDays.contains(CivilDate(daysSinceEpoch: day).isoWeekday) }
    func isComplete(_ day: Int) -> Bool { context.today.map { day < $0 } ?? true }
    /// A cell's value; nil on a day its feed delivered nothing (missing, not zero: no rule
    /// judges it — a silent feed is the stale rule's, not a drop of every BU).
    func raw(_ m: Metric, _ bu: UInt16, _ day: Int) -> Double? { r.value(m, bu: bu, day: day) }
    func level(_ m: Metric, _ bu: UInt16, _ day: Int) -> Double? {
        AlertEvaluator.usualLevel(analyses[AlertEvaluator.SeriesKey(m, bu)], day: day)
    }

    func check(_ rule: AlertRule, bu: UInt16, day: Int) -> Alert? {
        switch rule.kind {
        case .capacity: return capacity(rule, bu, day)
        case .forecast: return forecast(rule, bu, day)
        case .drop: return drop(rule, bu, day)
        case .surge: return surge(rule, bu, day)
        case .shift: return shift(rule, bu, day)
        case .stale: return rule.scope == .all ? staleFeed(rule, at: endOfDay(day), day: day) : silentUnit(rule, bu, day)
        }
    }

    /// The capacity in force for a metric and BU on a day.
    func capacity(_ m: Metric, _ bu: UInt16, _ day: Int) -> Double? {
        PlateauConfig.Capacity.inForce(context.capacities, m, bu: r.units[Int(bu)], day: day)
    }

    /// At or above a fraction of the capacity in force that day.
    func capacity(_ rule: AlertRule, _ bu: UInt16, _ day: Int) -> Alert? {
        guard let cap = capacity(rule.metric, bu, day), cap > 0, let v = raw(rule.metric, bu, day) else { return nil }
        if let min = rule.minValue, v < min { return nil }
        guard let (sev, fraction) = above(v / cap, rule) else { return nil }
        return alert(rule, bu, day, sev, value: v, threshold: fraction * cap, level: cap, thresholdHidden: false)
    }

    /// On a business day under the capacity in force, the trend of the last 10 business days up
    /// to it (`CapacityForecast`: a robust line) reaches that capacity within `within_days`
    /// business days. (A pool already full is the capacity rule's.)
    func forecast(_ rule: AlertRule, _ bu: UInt16, _ day: Int) -> Alert? {
        guard isBusinessDay(day), let cap = capacity(rule.metric, bu, day), cap > 0, let v = raw(rule.metric, bu, day), v < cap,
              let first = r.firstDay else { return nil }
        if let min = rule.minValue, v < min { return nil }
        var points: [(day: Int, value: Double)] = []
        var d = day
        while points.count < CapacityForecast.window && d >= first {
            if isBusinessDay(d), let x = raw(rule.metric, bu, d) { points.append((d, x)) }
            d -= 1
        }
        guard let f = CapacityForecast.make(points.reversed(), capacity: cap, businessDays: context.businessDays),
              let n = f.businessDays, n >= 1, n <= rule.withinDays else { return nil }
        return alert(rule, bu, day, rule.severity, value: v, threshold: nil, level: cap, thresholdHidden: false, days: n)
    }

    /// A complete business day below a fraction of the series' usual level; a BU's day off (most
    /// of its sources down together) is not a drop.
    func drop(_ rule: AlertRule, _ bu: UInt16, _ day: Int) -> Alert? {
        guard isBusinessDay(day), isComplete(day), let usual = level(rule.metric, bu, day), usual > 0 else { return nil }
        if let min = rule.minValue, usual < min { return nil }
        guard let v = raw(rule.metric, bu, day) else { return nil }
        var hit: (AlertSeverity, Double)?
        if let c = rule.critical, v < c * usual { hit = (.critical, c) } else if let w = rule.warning, v < w * usual { hit = (.warning, w) }
        guard let (sev, fraction) = hit, !isDayOff(bu, day) else { return nil }
        return alert(rule, bu, day, sev, value: v, threshold: fraction * usual, level: usual,
                     thresholdHidden: withheldLevel(rule.metric, usual))
    }

    /// Far above the same weekday of the trailing weeks (robust z-score), and above every one of
    /// them: a weekly event that already happened on that weekday is a recurrence, not a surge.
    func surge(_ rule: AlertRule, _ bu: UInt16, _ day: Int) -> Alert? {
        guard let first = r.firstDay, let v = raw(rule.metric, bu, day) else { return nil }
        if let min = rule.minValue, v < min { return nil }
        let trailing = (1...rule.weeks).map { day - 7 * $0 }.filter { $0 >= first }.compactMap { raw(rule.metric, bu, $0) }
        guard trailing.count >= 3, v > trailing.max()!, let z = AlertEvaluator.robustZ(v, trailing),
              let (sev, t) = above(z.score, rule) else { return nil }
        return alert(rule, bu, day, sev, value: v, threshold: z.median + t * z.scale, level: z.median,
                     thresholdHidden: withheldLevel(rule.metric, z.median), score: z.score)
    }

    /// A new regime (the analysis's onset, or a return) began within the last `days` days.
    func shift(_ rule: AlertRule, _ bu: UInt16, _ day: Int) -> Alert? {
        guard let a = analyses[AlertEvaluator.SeriesKey(rule.metric, bu)], a.verdict == .change,
              let b = a.baseline, let p = a.plateau else { return nil }
        if let min = rule.minValue, max(b, p) < min { return nil }
        let changes = [a.onset, a.end].compactMap { $0 }.filter { $0 <= day && day - $0 < rule.days }
        guard let since = changes.max() else { return nil }
        let (before, now) = since == a.end ? (p, min(b, p)) : (b, p)
        // Either level would reveal the other through the ratio: both are shown or neither.
        let hidden = withheldLevel(rule.metric, b) || withheldLevel(rule.metric, p)
        return alert(rule, bu, day, rule.severity, value: raw(rule.metric, bu, day), threshold: nil, level: now,
                     thresholdHidden: true, since: since, from: hidden ? nil : AlertTemplate.number(Figures.shown(before, rule.metric)), hideLevel: hidden)
    }

    /// The end of a local day (its next midnight), never past the run's instant.
    func endOfDay(_ day: Int) -> Int64 { min(context.timezone.startOfDay(day + 1), context.now ?? .max) }

    /// A feed's newest record as of instant `t`: exact when the newest record is not after `t`;
    /// otherwise (a replay of a day before it) known to the day only, from the daily counts of
    /// the feed's metric: the end of the last day up to `t` that has some (an age of at least
    /// that). Nil: no record up to `t`.
    func newest(_ rule: AlertRule, at t: Int64) -> (instant: Int64, exact: Bool)? {
        guard let feed = rule.feed else { return nil }
        return AlertEvaluator.newest(r, feed: feed, metric: rule.metric, at: t, timezone: context.timezone)
    }

    /// The feed's newest record is `warning` / `critical` old or older at instant `t` (an alert
    /// of `day`); a feed without a record is as stale as can be (the rule's highest level).
    func staleFeed(_ rule: AlertRule, at t: Int64, day: Int) -> Alert? {
        guard let (newest, exact) = newest(rule, at: t) else {
            guard let level = rule.critical ?? rule.warning else { return nil }
            // The age of a feed is not a count of people: it is never withheld.
            return alert(rule, BusinessUnits.all, day, rule.critical != nil ? .critical : .warning, value: nil, threshold: level, level: nil, thresholdHidden: false,
                         from: "never", counted: false, feed: rule.feed, age: nil)
        }
        let age = Double(max(0, t - newest))
        guard let (sev, threshold) = above(age, rule) else { return nil }
        let from = exact ? localTime(newest) : CivilDate(daysSinceEpoch: context.timezone.localDay(newest - 1)).iso
        return alert(rule, BusinessUnits.all, day, sev, value: age, threshold: threshold, level: nil, thresholdHidden: false,
                     from: from, counted: false, feed: rule.feed, age: (exact ? "" : "at least ") + Durations.format(Int64(age)))
    }

    /// "2020-05-10 23:58" in the zone of the days.
    func localTime(_ t: Int64) -> String {
        let w = WallClock(epochSeconds: t + context.timezone.offset(atUTC: t))
        return w.date.iso + " " + String(format: "%02d:%02d", w.hour, w.minute)
    }

    func feedReading(_ rule: AlertRule, at t: Int64) -> AlertReading? {
        guard let feed = rule.feed, let (newest, _) = newest(rule, at: t) else { return nil }
        var out = AlertReading(rule: rule.name, metric: rule.metric, bu: BusinessUnits.allName, value: Double(max(0, t - newest)))
        out.feed = feed
        out.warning = rule.warning
        out.critical = rule.critical
        return out
    }

    /// A BU without a record of a source on a complete business day that is not its day off,
    /// when it had records on most of the previous business days.
    func silentUnit(_ rule: AlertRule, _ bu: UInt16, _ day: Int) -> Alert? {
        let m = rule.metric.population
        // A day the whole feed delivered nothing is missing: the feed's stale rule says so.
        guard isBusinessDay(day), isComplete(day), let today = raw(m, bu, day), today <= 0, let first = r.firstDay else { return nil }
        var previous: [Double] = []
        var d = day - 1
        while previous.count < AlertEvaluator.usualWindow && d >= first {
            if isBusinessDay(d), let v = raw(m, bu, d) { previous.append(v) }
            d -= 1
        }
        guard previous.count == AlertEvaluator.usualWindow,
              previous.filter({ $0 > 0 }).count >= AlertEvaluator.usualDays else { return nil }
        let usual = RollupBuilder.median(previous)
        if let min = rule.minValue, usual < min { return nil }
        guard !isDayOff(bu, day) else { return nil }
        return alert(rule, bu, day, rule.severity, value: 0, threshold: nil, level: usual,
                     thresholdHidden: true, on: m)
    }

    /// Most of a BU's sources (at least two) are below half their usual level: a public holiday
    /// or a day off, not an outage.
    func isDayOff(_ bu: UInt16, _ day: Int) -> Bool {
        var counted = 0, down = 0
        for m in AlertEvaluator.activitySources where r.metrics.contains(m) {
            guard let usual = level(m, bu, day), usual >= AlertEvaluator.dayOffMinimum, let v = raw(m, bu, day) else { continue }
            counted += 1
            if v < 0.5 * usual { down += 1 }
        }
        return down >= 2 && down * 2 > counted
    }

    /// The level a value reaches, for rules that look for too much.
    func above(_ x: Double, _ rule: AlertRule) -> (AlertSeverity, Double)? {
        if let c = rule.critical, x >= c { return (.critical, c) }
        if let w = rule.warning, x >= w { return (.warning, w) }
        return nil
    }

    /// A level that is itself a small group of people (it would reveal one).
    func withheldLevel(_ m: Metric, _ v: Double) -> Bool {
        m.countsPeople && v > 0 && v < Double(context.minGroup)
    }

    func alert(_ rule: AlertRule, _ bu: UInt16, _ day: Int, _ sev: AlertSeverity, value: Double?, threshold: Double?,
               level: Double?, thresholdHidden: Bool, since: Int? = nil, on source: Metric? = nil,
               score: Double? = nil, from: String? = nil, counted: Bool = true, hideLevel: Bool = false,
               feed: String? = nil, age: String? = nil, days: Int? = nil) -> Alert {
        let m = source ?? rule.metric
        let suppressed = counted && suppression.isSuppressed(m, bu: bu, day: day)
        // Figures as the review shows them (Figures): the value and the usual level at the
        // metric's precision, so that the percentage is that of the figures a reader sees; a
        // threshold of a count is the whole number at which the level begins (v ≥ 56.7 and
        // v < 34.2 are v ≥ 57 and v < 35 for counts). An age (a feed's) is not a metric's figure.
        // (Whether a level is a small group is judged on the level itself, before rounding.)
        let levelIsSmall = thresholdHidden && level.map { withheldLevel(m, $0) } == true
        let value = counted ? value.map { Figures.shown($0, m) } : value
        let threshold = counted ? threshold.map { m.fractional ? Figures.shown($0, m) : $0.rounded(.up) } : threshold
        let shownLevel = (hideLevel || levelIsSmall) ? nil : counted ? level.map { Figures.shown($0, m) } : level
        let shownThreshold = levelIsSmall ? nil : threshold
        let fields = AlertTemplate.Fields(
            rule: rule.name, bu: Sanitize.text(r.units[Int(bu)]), metric: m.rawValue, date: CivilDate(daysSinceEpoch: day).iso,
            severity: sev.rawValue, value: suppressed ? nil : value, threshold: shownThreshold, level: shownLevel,
            since: since.map { CivilDate(daysSinceEpoch: $0).iso }, from: from, score: suppressed ? nil : score,
            minGroup: context.minGroup, suppressed: suppressed, levelWithheld: level != nil && shownLevel == nil,
            feed: feed, age: age, days: days.map { "\($0) business day\($0 == 1 ? "" : "s")" })
        let template = rule.message ?? AlertTemplate.defaults(rule.kind, all: rule.scope == .all, never: rule.judgesFeed && value == nil)
        return Alert(severity: sev, rule: Sanitize.text(rule.name), kind: rule.kind, metric: m, bu: fields.bu, day: day,
                     value: fields.value, suppressed: suppressed, threshold: shownThreshold,
                     message: AlertTemplate.fill(template, fields), ruleIndex: 0)
    }

    func reading(_ rule: AlertRule, bu: UInt16, day: Int) -> AlertReading? {
        guard !suppression.isSuppressed(rule.metric, bu: bu, day: day), let v = r.value(rule.metric, bu: bu, day: day) else { return nil }
        var out = AlertReading(rule: rule.name, metric: rule.metric, bu: Sanitize.text(r.units[Int(bu)]), value: v)
        switch rule.kind {
        case .capacity:
            guard let cap = capacity(rule.metric, bu, day) else { return out }
            out.warning = rule.warning.map { $0 * cap }; out.critical = rule.critical.map { $0 * cap }; out.maximum = cap
        case .drop:
            guard let usual = level(rule.metric, bu, day), !withheldLevel(rule.metric, usual) else { return out }
            out.warning = rule.warning.map { $0 * usual }; out.critical = rule.critical.map { $0 * usual }
            out.below = true
        case .forecast:
            out.maximum = capacity(rule.metric, bu, day)
        case .surge, .shift, .stale: break
        }
        return out
    }
}

/// Alert messages: templates with `{placeholder}`s, and the default one of each kind.
public enum AlertTemplate {
    public static let placeholders = ["rule", "bu", "metric", "value", "threshold", "level", "percent", "date", "severity", "since", "from", "score", "feed", "age", "days"]

    struct Fields {
        var rule, bu, metric, date, severity: String
        var value, threshold, level: Double?
        var since, from: String?
        var score: Double?
        var minGroup: Int
        var suppressed: Bool
        var levelWithheld: Bool
        var feed: String?
        var age: String?
        /// A forecast's business days until the capacity.
        var days: String? = nil
    }

    static func defaults(_ kind: AlertRule.Kind, all: Bool, never: Bool = false) -> String {
        switch kind {
        case .capacity: return "{bu} {metric} {value} of a capacity of {level} ({percent})"
        case .forecast: return "{bu} {metric} {value} of a capacity of {level} ({percent}): full in {days} at this trend"
        case .drop: return "{bu} {metric} {value} on {date}, {percent} of its usual {level}"
        case .surge: return "{bu} {metric} {value} on {date}, usually {level} on this weekday (z {score})"
        case .shift: return "{bu} {metric} changed on {since}: {from} to {level}"
        case .stale:
            if !all { return "{bu} has no {metric} records on {date} (usually {level})" }
            return never ? "{feed} feed: no records in the inputs" : "{feed} feed: newest record {age} old ({from})"
        }
    }

    static func fill(_ template: String, _ f: Fields) -> String {
        let hidden = "<\(f.minGroup)"
        var percent = "–"
        // Rounded down: 249 of 250 is 99 %, not a full 100 %.
        if let v = f.value, let l = f.level, l > 0 { percent = "\(Int((v / l * 100).rounded(.down)))%" }
        let map: [String: String] = [
            "rule": f.rule, "bu": f.bu, "metric": f.metric, "date": f.date, "severity": f.severity,
            "value": f.value.map(number) ?? (f.suppressed ? hidden : "–"),
            "threshold": f.threshold.map(number) ?? "–",
            "level": f.level.map(number) ?? (f.levelWithheld ? hidden : "–"),
            "percent": percent, "since": f.since ?? "–", "from": f.from ?? "–",
            "score": f.score.map { String(format: "%.1f", $0) } ?? "–",
            "feed": f.feed ?? "–", "age": f.age ?? "–", "days": f.days ?? "–",
        ]
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            let name = String(rest[rest.index(after: open)..<close])
            out += map[name] ?? "{\(name)}"
            rest = rest[rest.index(after: close)...]
        }
        return Sanitize.text(out + rest)
    }

    /// 2500, 52.5: integers plainly, anything else to one decimal.
    public static func number(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(Int(v)) }
        return String(format: "%.1f", v)
    }
}
