import Foundation

/// What an alerts run found, as every output format needs it.
public struct AlertReport: Sendable {
    public var alerts: [Alert]
    public var readings: [AlertReading]
    public var rules: Int
    public var days: ClosedRange<Int>
    /// When the feeds were judged, as the summary says it ("2026-01-15 11:00"), when that is not
    /// the end of the days judged (a run on old data judges its feeds now).
    public var feedsJudged: String?
    /// Each feed's newest record, overall (bu nil) and per BU (withheld for small groups), for
    /// Prometheus.
    public var feeds: [FeedTimestamp] = []

    public struct FeedTimestamp: Sendable, Equatable {
        public var feed: String
        public var bu: String?
        public var newestRecord: Int64
        public init(feed: String, bu: String?, newestRecord: Int64) { self.feed = feed; self.bu = bu; self.newestRecord = newestRecord }
    }

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
        return (a == b ? a : "\(a) to \(b)") + (feedsJudged.map { "; feeds at \($0)" } ?? "")
    }

    /// The feeds of `rollups` and their newest records, overall and per BU, as read; as of
    /// `at` (a replay), only the stamps not after it (a feed that delivered later had a newest
    /// record then that the rollups know to the day only: no stamp is made up). A BU's stamp is
    /// left out when its feed's people that day are a withheld small group (the stamp would
    /// tell when one of a handful of people was last seen).
    public static func feedTimestamps(_ r: Rollups, feeds: [(name: String, metric: Metric)], timezone: TimeZoneRules,
                                      minGroup: Int, at instant: Int64? = nil) -> [FeedTimestamp] {
        let suppression = Suppression(r, minGroup: minGroup)
        var out: [FeedTimestamp] = []
        for name in r.feeds.keys.sorted() {
            guard let fresh = r.feeds[name], let newest = fresh.newestRecord, newest <= (instant ?? .max) else { continue }
            let metric = feeds.first { $0.name == name }?.metric
            out.append(FeedTimestamp(feed: name, bu: nil, newestRecord: newest))
            for (bu, t) in fresh.units.sorted(by: { r.units[Int($0.key)] < r.units[Int($1.key)] }) where t <= (instant ?? .max) {
                if let metric, suppression.isSuppressed(metric, bu: bu, day: timezone.localDay(t)) { continue }
                if metric == nil && minGroup > 1 { continue }
                out.append(FeedTimestamp(feed: name, bu: Sanitize.text(r.units[Int(bu)]), newestRecord: t))
            }
        }
        return out
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
            if x.feed != nil {
                // The age of a feed's newest record, in seconds (UOM s): stale at or above t.
                var item = "'\(label)'=\(perfNumber(x.value))s;\(x.warning.map { "@" + perfNumber($0) + ":" } ?? "");\(x.critical.map { "@" + perfNumber($0) + ":" } ?? "");0"
                while item.hasSuffix(";") { item.removeLast() }
                items.append(item)
                continue
            }
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
        let s = x.feed.map { "\($0) feed age" } ?? (x.bu == BusinessUnits.allName ? x.metric.rawValue : "\(x.metric.rawValue) \(x.bu)")
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

    /// A node_exporter textfile: the latest values, each feed's newest record, and the alerts
    /// of the run as gauges (the alerts the exit code counts: with --since, every day's).
    public static func prometheus(_ r: AlertReport) -> String {
        var out = "# HELP plateau_value Latest daily value of a metric for a business unit (ALL: the group).\n"
        out += "# TYPE plateau_value gauge\n"
        var seen = Set<String>()
        for x in r.readings where x.feed == nil {
            let labels = "metric=\"\(escape(x.metric.rawValue))\",bu=\"\(escape(x.bu))\""
            guard seen.insert(labels).inserted else { continue }
            out += "plateau_value{\(labels)} \(perfNumber(x.value))\n"
        }
        if !r.feeds.isEmpty {
            out += "# HELP plateau_feed_last_record_timestamp_seconds Newest record of a feed (and of a business unit in it), Unix time.\n"
            out += "# TYPE plateau_feed_last_record_timestamp_seconds gauge\n"
            for f in r.feeds {
                let labels = "feed=\"\(escape(f.feed))\"" + (f.bu.map { ",bu=\"\(escape($0))\"" } ?? "")
                out += "plateau_feed_last_record_timestamp_seconds{\(labels)} \(f.newestRecord)\n"
            }
        }
        out += "# HELP plateau_alert An alert of the run (1) by rule, metric, business unit and severity.\n"
        out += "# TYPE plateau_alert gauge\n"
        seen = []
        // The alerts the exit code is made of: the day judged, or every day of --since.
        let active = r.alerts
        for a in active {
            let labels = "rule=\"\(escape(a.rule))\",metric=\"\(escape(a.metric.rawValue))\",bu=\"\(escape(a.bu))\",severity=\"\(a.severity.rawValue)\""
            guard seen.insert(labels).inserted else { continue }
            out += "plateau_alert{\(labels)} 1\n"
        }
        out += "# HELP plateau_alerts Alerts of the run by severity (the exit code: 2 when critical > 0, else 1 when warning > 0).\n"
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
        let folder = dir.isEmpty ? "." : dir
        let tmp = folder + "/.\(name).\(getpid()).tmp"
        // A failure names what the user gave (the folder, the file), never the temporary file.
        var st = stat()
        guard stat(folder, &st) == 0 else { throw IOError(path: folder, errno: errno) }
        guard st.st_mode & S_IFMT == S_IFDIR else { throw IOError(path: folder, "not a directory") }
        let out: FileOutput
        do { out = try FileOutput(path: tmp) } catch let e as IOError { throw IOError(path: folder, e.message) }
        do {
            let w = ByteWriter(out)
            w.bytes(bytes)
            try w.close()
        } catch {
            unlink(tmp)
            throw (error as? IOError).map { IOError(path: path, $0.message) } ?? error
        }
        if rename(tmp, path) != 0 {
            let e = errno
            unlink(tmp)
            throw IOError(path: path, errno: e)
        }
    }
}
