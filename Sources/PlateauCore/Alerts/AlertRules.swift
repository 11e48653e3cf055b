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
    public enum Kind: String, Sendable, CaseIterable { case capacity, drop, surge, shift, stale }
    /// `bu = "ALL"`, one BU by name, or `"*"`: every BU (not ALL).
    public enum Scope: Sendable, Equatable {
        case all, unit(String), every
    }

    public var name: String
    public var kind: Kind
    public var metric: Metric
    public var scope: Scope = .all
    /// Levels, by kind: capacity — fractions of the capacity reached; drop — fractions of the
    /// usual level fallen below; surge — robust z-scores reached; stale (ALL) — age in days.
    public var warning: Double?
    public var critical: Double?
    /// The single level of shift rules and of a BU's silent source (stale).
    public var severity: AlertSeverity = .warning
    /// Below it the rule stays quiet: the day's value (capacity, surge) or the usual level
    /// (drop, stale, shift).
    public var minValue: Double?
    /// surge: how many trailing weeks of the same weekday make the reference.
    public var weeks = 4
    /// shift: a regime that began this many days ago or fewer.
    public var days = 7
    /// A message template: {rule} {bu} {metric} {value} {threshold} {date} {severity} {level}.
    public var message: String?

    public init(name: String, kind: Kind, metric: Metric) { self.name = name; self.kind = kind; self.metric = metric }
}

/// A rules file: `[[rule]]` tables (see README, "plateau alerts").
public struct AlertRules: Sendable, Equatable {
    public var path: String?
    public var rules: [AlertRule] = []
    public init(rules: [AlertRule] = []) { self.rules = rules }

    public static func load(path: String) throws -> AlertRules {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AlertRulesError(path: path, rule: "", key: "", "cannot be read")
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    public static func parse(_ text: String, path: String) throws -> AlertRules {
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
        for (i, item) in list.enumerated() {
            var reader = RuleReader(path: path, label: "rule[\(i)]")
            let rule = try reader.rule(item)
            guard names.insert(rule.name).inserted else {
                throw AlertRulesError(path: path, rule: rule.name, key: "name", "used by an earlier rule")
            }
            out.rules.append(rule)
        }
        return out
    }
}

/// Reads one `[[rule]]` table; every error names the rule and the key.
private struct RuleReader {
    let path: String
    var label: String

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
        guard let kindValue = t["kind"] else { throw fail("kind", "missing (capacity, drop, surge, shift or stale)") }
        let kindName = try string(kindValue, "kind")
        guard let kind = AlertRule.Kind(rawValue: kindName) else {
            throw fail("kind", "'\(kindName)' is not one of capacity, drop, surge, shift, stale")
        }
        guard let metricValue = t["metric"] else { throw fail("metric", "missing") }
        let metricName = try string(metricValue, "metric")
        guard let metric = Metric(rawValue: metricName) else { throw fail("metric", "unknown metric '\(metricName)'") }
        var r = AlertRule(name: label, kind: kind, metric: metric)
        for key in t.keys.sorted() {
            let value = t[key]!
            switch key {
            case "name", "kind", "metric": continue
            case "bu": r.scope = try scope(value)
            case "warning": r.warning = try number(value, key)
            case "critical": r.critical = try number(value, key)
            case "severity":
                let s = try string(value, key)
                guard let sv = AlertSeverity(rawValue: s) else { throw fail(key, "'\(s)' is not warning or critical") }
                r.severity = sv
            case "min_value": r.minValue = try number(value, key)
            case "weeks": r.weeks = try count(value, key, 2...52)
            case "days": r.days = try count(value, key, 1...366)
            case "message": r.message = try string(value, key)
            default: throw fail(key, "unknown key")
            }
        }
        try check(r, keys: Set(t.keys))
        return r
    }

    /// The keys each kind needs, and thresholds that make sense.
    func check(_ r: AlertRule, keys: Set<String>) throws {
        let levels = ["warning", "critical"].filter(keys.contains)
        switch r.kind {
        case .capacity, .drop, .surge:
            guard !levels.isEmpty else { throw fail("warning", "missing (a \(r.kind.rawValue) rule needs warning, critical or both)") }
            if r.kind != .surge {
                for (k, v) in [("warning", r.warning), ("critical", r.critical)] {
                    if let v, !(v > 0) { throw fail(k, "must be a fraction above 0 (0.8 is 80 %)") }
                }
            } else {
                for (k, v) in [("warning", r.warning), ("critical", r.critical)] {
                    if let v, !(v > 0) { throw fail(k, "must be a z-score above 0") }
                }
            }
            if let w = r.warning, let c = r.critical {
                if r.kind == .drop, c > w { throw fail("critical", "must be at most warning (a drop is critical further down)") }
                if r.kind != .drop, c < w { throw fail("critical", "must be at least warning") }
            }
        case .stale:
            if r.scope == .all {
                guard !levels.isEmpty else { throw fail("warning", "missing (age in days of the newest record)") }
                for (k, v) in [("warning", r.warning), ("critical", r.critical)] {
                    if let v, !(v >= 1) { throw fail(k, "must be an age of at least 1 day") }
                }
            } else if let k = levels.first {
                throw fail(k, "not for a business unit (a silent BU has severity)")
            }
        case .shift:
            if let k = levels.first { throw fail(k, "not for a shift rule (use severity and days)") }
        }
        if keys.contains("weeks") && r.kind != .surge { throw fail("weeks", "only for surge rules") }
        if keys.contains("days") && r.kind != .shift { throw fail("days", "only for shift rules") }
        if keys.contains("severity") && !(r.kind == .shift || (r.kind == .stale && r.scope != .all)) {
            throw fail("severity", "only for shift rules and stale rules of business units (the others use warning and critical)")
        }
        if r.kind == .capacity && r.scope == .every { throw fail("bu", "a capacity rule is for ALL or one business unit") }
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
