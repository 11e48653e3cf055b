import Foundation

/// What an alerts run found, as every output format needs it.
public struct AlertReport: Sendable {
    public var alerts: [Alert]
    public var readings: [AlertReading]
    public var rules: Int
    public var days: ClosedRange<Int>

    public init(alerts: [Alert], readings: [AlertReading], rules: Int, days: ClosedRange<Int>) {
        self.alerts = alerts; self.readings = readings; self.rules = rules; self.days = days
    }

    public var worst: AlertSeverity? { alerts.map(\.severity).max() }
    public func count(_ s: AlertSeverity) -> Int { alerts.filter { $0.severity == s }.count }

    /// The monitoring-plugin exit code: 0 OK, 1 WARNING, 2 CRITICAL.
    public var exitCode: Int32 { worst.map { $0 == .critical ? 2 : 1 } ?? 0 }

    var status: String { worst.map { $0 == .critical ? "CRITICAL" : "WARNING" } ?? "OK" }

    /// "2 critical, 1 warning".
    var tally: String {
        AlertSeverity.allCases.reversed().compactMap { s in count(s) > 0 ? "\(count(s)) \(s.rawValue)" : nil }.joined(separator: ", ")
    }

    var period: String {
        let a = CivilDate(daysSinceEpoch: days.lowerBound).iso, b = CivilDate(daysSinceEpoch: days.upperBound).iso
        return a == b ? a : "\(a) to \(b)"
    }
}

/// The formats of `plateau alerts`.
public enum AlertOutput {
    /// One line per alert, most severe first, then a summary line.
    public static func text(_ r: AlertReport) -> String {
        var out = ""
        for a in r.alerts {
            out += "\(a.severity == .critical ? "CRITICAL" : "WARNING ") \(CivilDate(daysSinceEpoch: a.day).iso) \(a.rule): \(a.message)\n"
        }
        let rules = "\(r.rules) rule\(r.rules == 1 ? "" : "s")"
        out += r.alerts.isEmpty ? "OK: no alerts (\(rules), \(r.period))\n" : "\(r.status): \(r.tally) (\(rules), \(r.period))\n"
        return out
    }

    /// The short section of the text review: the alerts of the review's day, `width` columns.
    public static func reviewSection(_ r: AlertReport, width: Int, ascii: Bool) -> [String] {
        var lines = ["Alerts on \(r.period)"]
        if r.alerts.isEmpty { lines.append("No alerts (\(r.rules) rule\(r.rules == 1 ? "" : "s")).") }
        for a in r.alerts { lines.append("\(a.severity.rawValue)  \(a.rule): \(a.message)") }
        return lines.map { line in
            let t = ascii ? String(String.UnicodeScalarView(line.replacingOccurrences(of: "–", with: "-").unicodeScalars.map { $0.isASCII ? $0 : "?" })) : line
            return t.count <= width ? t : String(t.prefix(width - 1)) + (ascii ? "~" : "…")
        }
    }

    /// An array of alerts as in DESIGN.md's `alerts` (one per line).
    public static func json(_ alerts: [Alert]) -> [UInt8] {
        let out = MemoryOutput()
        let w = ByteWriter(out)
        writeJSON(w, alerts)
        w.byte(10)
        try? w.flush()
        return out.bytes
    }

    /// `[{...},\n{...}]`: the array the snapshot embeds too.
    public static func writeJSON(_ w: ByteWriter, _ alerts: [Alert]) {
        w.byte(91)
        for (i, a) in alerts.enumerated() {
            if i > 0 { w.byte(44) }
            if alerts.count > 1 { w.byte(10) }
            w.ascii("{\"severity\":\""); w.text(a.severity.rawValue)
            w.ascii("\",\"rule\":"); w.jsonString(a.rule)
            w.ascii(",\"metric\":\""); w.text(a.metric.rawValue)
            w.ascii("\",\"bu\":"); w.jsonString(a.bu)
            w.ascii(",\"date\":\""); w.isoDate(CivilDate(daysSinceEpoch: a.day))
            w.ascii("\",\"value\":"); SnapshotJSON.number(w, a.value)
            if a.suppressed { w.ascii(",\"suppressed\":true") }
            w.ascii(",\"threshold\":"); SnapshotJSON.number(w, a.threshold)
            w.ascii(",\"message\":"); w.jsonString(a.message)
            w.byte(125)
        }
        w.byte(93)
    }

    /// The plugin line: `PLATEAU CRITICAL - 2 critical, 1 warning: … | 'label'=value;warn;crit;min;max …`
    /// (monitoring-plugins guidelines: perfdata of the latest values of the rules' series).
    public static func nagios(_ r: AlertReport) -> String {
        var line = "PLATEAU \(r.status) - "
        if r.alerts.isEmpty {
            line += "no alerts (\(r.rules) rules, \(r.period))"
        } else {
            line += r.tally + ": " + r.alerts.map { "\($0.rule) \($0.bu) \(CivilDate(daysSinceEpoch: $0.day).iso)" }.joined(separator: ", ")
        }
        let perf = perfdata(r.readings)
        return line.replacingOccurrences(of: "|", with: "/") + (perf.isEmpty ? "" : " | " + perf) + "\n"
    }

    static func perfdata(_ readings: [AlertReading]) -> String {
        var seen = Set<String>()
        var items: [String] = []
        for x in readings {
            let label = perfLabel(x)
            guard seen.insert(label).inserted else { continue }
            // Ranges as the plugin guidelines read them, so a tool that judges the perfdata
            // agrees with the status: a drop alerts under t, `t:` (outside [t, ∞)); the other
            // rules alert at t or above, `@t:` (inside [t, ∞)) — a bare `t` would mean above t
            // only, and call a value equal to its threshold OK.
            let range: (Double) -> String = x.below ? { perfNumber($0) + ":" } : { "@" + perfNumber($0) + ":" }
            let warn = x.warning.map(range) ?? ""
            let crit = x.critical.map(range) ?? ""
            var item = "'\(label)'=\(perfNumber(x.value));\(warn);\(crit);0;\(x.maximum.map(perfNumber) ?? "")"
            while item.hasSuffix(";") { item.removeLast() }  // trailing empty fields may be dropped
            items.append(item)
        }
        return items.joined(separator: " ")
    }

    /// `vpn.peak_sessions` for ALL, `meetings.users UK & Ireland` for a BU; quotes and `=` in a
    /// BU name would break the label and become `_`.
    static func perfLabel(_ x: AlertReading) -> String {
        let s = x.bu == BusinessUnits.allName ? x.metric.rawValue : "\(x.metric.rawValue) \(x.bu)"
        return String(s.map { $0 == "'" || $0 == "=" || $0 == "|" ? "_" : $0 })
    }

    /// 63, 56.7, 2.25: at most two decimals, no trailing zeros.
    /// A value or threshold in plain decimals, to the millionth: close enough that a tool
    /// judging the perfdata agrees with the status (2 decimals put 56.004 at "56.", which then
    /// alerted at 56).
    static func perfNumber(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(Int(v)) }
        var s = String(format: "%.6f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    /// A node_exporter textfile: the latest values and the active alerts as gauges.
    public static func prometheus(_ r: AlertReport) -> String {
        var out = "# HELP plateau_value Latest daily value of a metric for a business unit (ALL: the group).\n"
        out += "# TYPE plateau_value gauge\n"
        var seen = Set<String>()
        for x in r.readings {
            let labels = "metric=\"\(escape(x.metric.rawValue))\",bu=\"\(escape(x.bu))\""
            guard seen.insert(labels).inserted else { continue }
            out += "plateau_value{\(labels)} \(perfNumber(x.value))\n"
        }
        out += "# HELP plateau_alert An active alert (1) by rule, metric, business unit and severity.\n"
        out += "# TYPE plateau_alert gauge\n"
        seen = []
        // Active: the alerts of the last day judged (with --since, earlier days are history).
        let active = r.alerts.filter { $0.day == r.days.upperBound }
        for a in active {
            let labels = "rule=\"\(escape(a.rule))\",metric=\"\(escape(a.metric.rawValue))\",bu=\"\(escape(a.bu))\",severity=\"\(a.severity.rawValue)\""
            guard seen.insert(labels).inserted else { continue }
            out += "plateau_alert{\(labels)} 1\n"
        }
        out += "# HELP plateau_alerts Active alerts by severity.\n"
        out += "# TYPE plateau_alerts gauge\n"
        for s in AlertSeverity.allCases.reversed() { out += "plateau_alerts{severity=\"\(s.rawValue)\"} \(active.filter { $0.severity == s }.count)\n" }
        return out
    }

    /// Label values: backslash, double quote and line feed escaped (exposition format).
    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    /// Writes `bytes` to a temporary file in the directory of `path`, then renames it over
    /// `path`, so a reader sees the old file or the new one, never half of one.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let tmp = (dir.isEmpty ? "." : dir) + "/.\(name).\(getpid()).tmp"
        let out = try FileOutput(path: tmp)
        do {
            let w = ByteWriter(out)
            w.bytes(bytes)
            try w.close()
        } catch { unlink(tmp); throw error }
        if rename(tmp, path) != 0 {
            let e = errno
            unlink(tmp)
            throw IOError(path: path, errno: e)
        }
    }
}
