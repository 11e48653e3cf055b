import Foundation
import TOMLKit

/// A problem in a rules file, naming the rule and the key (`plateau alerts` exits 3).
public struct AlertRulesError: Error, CustomStringConvertible, Equatable {
    public let path: String
    /// The rule's name, or `rule[i]` before its name is known; empty for the file as a whole.
    public let rule: String
    public let key: String
    public let message: String
    public init(path: String, rule: String, key: String, _ message: String) {
        self.path = path; self.rule = rule; self.key = key; self.message = message
    }
    public var description: String {
        var s = path
        if !rule.isEmpty { s += ": rule '\(rule)'" }
        if !key.isEmpty { s += ": \(key)" }
        return s + ": " + message
    }
}

/// How bad an alert is; the order is the order of the exit codes (warning 1, critical 2).
public enum AlertSeverity: String, Sendable, Comparable, CaseIterable {
    case warning, critical
    var rank: Int { self == .critical ? 2 : 1 }
    public static func < (a: AlertSeverity, b: AlertSeverity) -> Bool { a.rank < b.rank }
}

/// One `[[rule]]` of a rules file.
public struct AlertRule: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case capacity, forecast, drop, surge, shift, stale }
    /// `bu = "ALL"`, one BU by name, or `"*"`: every BU (not ALL).
    public enum Scope: Sendable, Equatable {
        case all, unit(String), every
    }

    public var name: String
    public var kind: Kind
    /// The metric judged; for a stale rule of ALL, the metric of its feed's people.
    public var metric: Metric
    public var scope: Scope = .all
    /// A stale rule of ALL: the feed whose newest record it judges (`Feeds`: a built-in feed
    /// or a `[[source]]` of plateau.toml), named by `feed` or by the metric's built-in feed.
    public var feed: String?
    /// Levels, by kind: capacity — fractions of the capacity reached; drop — fractions of the
    /// usual level fallen below; surge — robust z-scores reached; stale (ALL) — the age of the
    /// feed's newest record, in seconds.
    public var warning: Double?
    public var critical: Double?
    /// The single level of shift rules, of a BU's silent source (stale), and of `older_than`.
    public var severity: AlertSeverity = .warning
    /// Below it the rule stays quiet: the day's value (capacity, surge) or the usual level
    /// (drop, stale, shift).
    public var minValue: Double?
    /// surge: how many trailing weeks of the same weekday make the reference.
    public var weeks = 4
    /// shift: a regime that began this many days ago or fewer.
    public var days = 7
    /// forecast: the trend reaches the capacity within this many business days.
    public var withinDays = 10
    /// A message template: {rule} {bu} {metric} {value} {threshold} {date} {severity} {level}.
    public var message: String?

    public init(name: String, kind: Kind, metric: Metric) { self.name = name; self.kind = kind; self.metric = metric }

    /// A stale rule of ALL: it judges a feed's newest record against the clock.
    public var judgesFeed: Bool { kind == .stale && scope == .all }
}

/// A rules file: `[[rule]]` tables (see README, "plateau alerts").
public struct AlertRules: Sendable, Equatable {
    public var path: String?
    public var rules: [AlertRule] = []
    public init(rules: [AlertRule] = []) { self.rules = rules }

    /// Reads and checks a rules file; with `config`, also against it (the feeds of its
    /// `[[source]]`s, the `[[capacity]]` a capacity rule needs).
    public static func load(path: String, config: PlateauConfig? = nil) throws -> AlertRules {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AlertRulesError(path: path, rule: "", key: "", "cannot be read")
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path, config: config)
    }

    /// `config` nil: checked on its own (custom feeds are then unknown, capacities not asked for).
    public static func parse(_ text: String, path: String, config: PlateauConfig? = nil) throws -> AlertRules {
        if let bad = TOMLGuard.firstAssertion(text) {
            throw AlertRulesError(path: path, rule: "", key: "", "line \(bad.line): \(bad.message)")
        }
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let e as TOMLParseError {
            throw AlertRulesError(path: path, rule: "", key: "", "line \(e.source.begin.line): \(e.description)")
        }
        var out = AlertRules()
        out.path = path
        for key in table.keys where key != "rule" {
            throw AlertRulesError(path: path, rule: "", key: key, "unknown key (rules are [[rule]] tables)")
        }
        guard let items = table["rule"] else { return out }
        guard let list = items.array else { throw AlertRulesError(path: path, rule: "", key: "rule", "must be [[rule]] tables") }
        var names = Set<String>()
        let feeds = Feeds.known(config?.customSources ?? [])
        for (i, item) in list.enumerated() {
            var reader = RuleReader(path: path, label: "rule[\(i)]", feeds: feeds, config: config)
            let rule = try reader.rule(item)
            guard names.insert(rule.name).inserted else {
                throw AlertRulesError(path: path, rule: rule.name, key: "name", "used by an earlier rule")
            }
            out.rules.append(rule)
        }
        return out
    }
}

extension AlertRules {
    /// What can only be judged once the data is read: every BU a rule names is in it, and every
    /// metric a rule counts has records among the inputs (a rule that could never fire is an
    /// error, not a quiet OK). A stale rule of ALL judges a feed: one without records fires.
    public func check(against r: Rollups) throws {
        let known = r.units.enumerated().filter { $0.offset > Int(BusinessUnits.unassigned) }.map(\.element).sorted()
        for rule in rules {
            if case .unit(let name) = rule.scope, !r.units.contains(name) {
                let list = NameSuggestions.closestFirst(name, known).map(Sanitize.text).joined(separator: ", ")
                throw AlertRulesError(path: path ?? "rules", rule: Sanitize.text(rule.name), key: "bu",
                                      "no business unit '\(Sanitize.text(name))' in the data (\(known.isEmpty ? "it names none" : "closest first: " + list))")
            }
            if !(rule.kind == .stale && rule.scope == .all) && !r.metrics.contains(rule.metric) {
                throw AlertRulesError(path: path ?? "rules", rule: Sanitize.text(rule.name), key: "metric",
                                      "no \(rule.metric.rawValue) in the data: no input holds its records, so the rule could never fire")
            }
        }
    }
}

/// Reads one `[[rule]]` table; every error names the rule and the key.
private struct RuleReader {
    let path: String
    var label: String
    /// The feeds a stale rule may name, with their metrics.
    let feeds: [(name: String, metric: Metric)]
    let config: PlateauConfig?

    func fail(_ key: String, _ message: String) -> AlertRulesError {
        AlertRulesError(path: path, rule: label, key: key, message)
    }

    mutating func rule(_ v: TOMLValueConvertible) throws -> AlertRule {
        guard let t = v.table else { throw fail("", "must be a table") }
        // The name first, so that every later error can name the rule.
        if let n = t["name"] {
            guard let s = n.string, !s.isEmpty else { throw fail("name", "must be a non-empty string") }
            label = s
        } else { throw fail("name", "missing") }
        guard let kindValue = t["kind"] else { throw fail("kind", "missing (capacity, forecast, drop, surge, shift or stale)") }
        let kindName = try string(kindValue, "kind")
        guard let kind = AlertRule.Kind(rawValue: kindName) else {
            throw fail("kind", "'\(kindName)' is not one of capacity, forecast, drop, surge, shift, stale")
        }
        var metric: Metric?
        if let metricValue = t["metric"] {
            let metricName = try string(metricValue, "metric")
            guard let m = Metric(rawValue: metricName) else {
                throw fail("metric", NameSuggestions.unknown("metric", metricName, Metric.allCases.map(\.rawValue)))
            }
            metric = m
        }
        let unitScope = try t["bu"].map { try scope($0) } ?? .all
        // A stale rule of ALL judges a feed: named, or the built-in feed of its metric.
        var feed: String?
        if kind == .stale && unitScope == .all {
            if let f = t["feed"] {
                guard metric == nil else { throw fail("feed", "give feed or metric, not both (feed names the feed; a metric, its built-in feed)") }
                let name = try string(f, "feed")
                guard let known = feeds.first(where: { $0.name == name }) else {
                    throw fail("feed", "no feed '\(name)' (feeds: \(feeds.map(\.name).joined(separator: ", ")))")
                }
                feed = name
                metric = known.metric
            } else if let m = metric {
                guard let f = Feeds.feed(of: m) else { throw fail("metric", "\(m.rawValue) comes from several feeds: name one with feed") }
                feed = f
            } else {
                throw fail("feed", "missing (the feed whose newest record is judged: \(feeds.map(\.name).joined(separator: ", ")))")
            }
        } else if t["feed"] != nil {
            throw fail("feed", "only for stale rules of ALL (the others judge a metric)")
        }
        guard let metric else { throw fail("metric", "missing") }
        var r = AlertRule(name: label, kind: kind, metric: metric)
        r.scope = unitScope
        r.feed = feed
        let ages = kind == .stale && unitScope == .all
        for key in t.keys.sorted() {
            let value = t[key]!
            switch key {
            case "name", "kind", "metric", "bu", "feed": continue
            case "warning": r.warning = ages ? try duration(value, key) : try number(value, key)
            case "critical": r.critical = ages ? try duration(value, key) : try number(value, key)
            case "older_than":
                guard ages else { throw fail(key, "only for stale rules of ALL (an age of the feed's newest record)") }
                continue
            case "severity":
                let s = try string(value, key)
                guard let sv = AlertSeverity(rawValue: s) else { throw fail(key, "'\(s)' is not warning or critical") }
                r.severity = sv
            case "min_value":
                guard !ages else { throw fail(key, "not for a stale rule of ALL (it judges the age of a feed)") }
                r.minValue = try number(value, key)
                guard r.minValue! >= 0 else { throw fail(key, "must be 0 or more") }
            case "weeks": r.weeks = try count(value, key, 2...52)
            case "days": r.days = try count(value, key, 1...366)
            case "within_days": r.withinDays = try count(value, key, 1...120)
            case "message": r.message = try string(value, key)
            default: throw fail(key, "unknown key")
            }
        }
        if let v = t["older_than"] {
            guard r.warning == nil && r.critical == nil else {
                throw fail("older_than", "give older_than (one level, at severity) or warning and critical, not both")
            }
            let age = try duration(v, "older_than")
            if r.severity == .critical { r.critical = age } else { r.warning = age }
        }
        try check(r, keys: Set(t.keys))
        if r.kind == .capacity || r.kind == .forecast, let config { try capacityInForce(r, config) }
        return r
    }

    /// A capacity rule needs a `[[capacity]]` of its metric (and BU) in plateau.toml.
    func capacityInForce(_ r: AlertRule, _ config: PlateauConfig) throws {
        let bu: String
        switch r.scope {
        case .all: bu = BusinessUnits.allName
        case .unit(let name): bu = name
        case .every: return
        }
        guard !config.capacity.contains(where: { $0.metric == r.metric && $0.bu == bu }) else { return }
        let file = config.path.map { " in \($0)" } ?? " (no plateau.toml was found)"
        throw fail("metric", "no [[capacity]] of \(r.metric.rawValue)\(bu == BusinessUnits.allName ? "" : " for \(bu)")\(file): the rule could never fire")
    }

    /// The keys each kind needs, and thresholds that make sense.
    func check(_ r: AlertRule, keys: Set<String>) throws {
        let levels = ["warning", "critical"].filter(keys.contains)
        switch r.kind {
        case .capacity, .drop, .surge:
            guard !levels.isEmpty else { throw fail("warning", "missing (a \(r.kind.rawValue) rule needs warning, critical or both)") }
            for (k, v) in [("warning", r.warning), ("critical", r.critical)] {
                guard let v else { continue }
                switch r.kind {
                case .capacity:
                    // 90 where 0.9 was meant would never fire.
                    if !(v > 0 && v <= 2) { throw fail(k, "must be a fraction of the capacity above 0 and at most 2 (0.9 is 90 %), not \(AlertTemplate.number(v))") }
                case .drop:
                    // A drop of 50 where 0.5 was meant would fire every day.
                    if !(v > 0 && v <= 1) { throw fail(k, "must be a fraction of the usual level above 0 and at most 1 (0.5 is half of it), not \(AlertTemplate.number(v))") }
                default:
                    if !(v > 0) { throw fail(k, "must be a z-score above 0, not \(AlertTemplate.number(v))") }
                }
            }
            if let w = r.warning, let c = r.critical {
                if r.kind == .drop, c > w { throw fail("critical", "must be at most warning (a drop is critical further down)") }
                if r.kind != .drop, c < w { throw fail("critical", "must be at least warning") }
            }
        case .stale:
            if r.scope == .all {
                guard !levels.isEmpty || keys.contains("older_than") else {
                    throw fail("warning", "missing (the age of the feed's newest record: older_than, or warning and critical, e.g. \"15m\", \"2h\", \"1d\")")
                }
                if let w = r.warning, let c = r.critical, c < w { throw fail("critical", "must be at least warning (a feed is critical when older)") }
            } else if let k = levels.first ?? (keys.contains("older_than") ? "older_than" : nil) {
                throw fail(k, "not for a business unit (a silent BU has severity)")
            }
        case .shift:
            if let k = levels.first { throw fail(k, "not for a shift rule (use severity and days)") }
        case .forecast:
            if let k = levels.first { throw fail(k, "not for a forecast rule (use severity and within_days)") }
        }
        if keys.contains("within_days") && r.kind != .forecast { throw fail("within_days", "only for forecast rules") }
        if keys.contains("weeks") && r.kind != .surge { throw fail("weeks", "only for surge rules") }
        if keys.contains("days") && r.kind != .shift { throw fail("days", "only for shift rules") }
        if keys.contains("severity") && !(r.kind == .shift || r.kind == .forecast || (r.kind == .stale && (r.scope != .all || keys.contains("older_than")))) {
            throw fail("severity", "only for shift and forecast rules, stale rules of business units and older_than (the others use warning and critical)")
        }
        if (r.kind == .capacity || r.kind == .forecast) && r.scope == .every {
            throw fail("bu", "a \(r.kind.rawValue) rule is for ALL or one business unit (a [[capacity]] is)")
        }
        if let m = r.message { try template(m) }
    }

    func template(_ m: String) throws {
        var rest = Substring(m)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { throw fail("message", "'{' without '}'") }
            let name = String(rest[rest.index(after: open)..<close])
            guard AlertTemplate.placeholders.contains(name) else {
                throw fail("message", "unknown placeholder {\(name)} (one of \(AlertTemplate.placeholders.map { "{\($0)}" }.joined(separator: " ")))")
            }
            rest = rest[rest.index(after: close)...]
        }
    }

    func scope(_ v: TOMLValueConvertible) throws -> AlertRule.Scope {
        let s = try string(v, "bu")
        switch s {
        case BusinessUnits.allName: return .all
        case "*": return .every
        case "": throw fail("bu", "must be ALL, a business unit's name or *")
        default: return .unit(s)
        }
    }

    func string(_ v: TOMLValueConvertible, _ key: String) throws -> String {
        guard let s = v.string else { throw fail(key, "must be a string") }
        return s
    }

    /// An age: "15m", "2h", "1d", "1h30m" (s, m or min, h, d, w), or a bare number of days
    /// (what stale rules took before durations). In seconds, above 0.
    func duration(_ v: TOMLValueConvertible, _ key: String) throws -> Double {
        if v.string == nil {
            let days = try number(v, key)
            guard days > 0 else { throw fail(key, "must be an age above 0 (\"15m\", \"2h\", \"1d\"; a bare number is days)") }
            return days * 86_400
        }
        let s = v.string!
        guard let seconds = Durations.parse(s) else {
            throw fail(key, "'\(s)' is not an age like \"15m\", \"2h\", \"1d\" (units s, m, h, d, w)")
        }
        guard seconds > 0 else { throw fail(key, "must be an age above 0") }
        return Double(seconds)
    }

    func number(_ v: TOMLValueConvertible, _ key: String) throws -> Double {
        if let i = v.int { return Double(i) }
        guard let d = v.double, d.isFinite else { throw fail(key, "must be a number") }
        return d
    }

    func count(_ v: TOMLValueConvertible, _ key: String, _ range: ClosedRange<Int>) throws -> Int {
        guard let i = v.int else { throw fail(key, "must be an integer") }
        guard range.contains(i) else { throw fail(key, "must be between \(range.lowerBound) and \(range.upperBound)") }
        return i
    }
}
