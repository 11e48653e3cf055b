import Foundation
import Testing

/// `plateau alerts` end to end on SampleLogs and its rules.toml: the formats byte for byte
/// against files under Snapshots/ (re-record with PLATEAU_RECORD=1 and read the diff), the
/// monitoring-plugin exit codes, and the planted events.
@Suite(.serialized) struct AlertsCLITests {
    static let root = SnapshotGoldenTests.root
    static let snapshots = SnapshotGoldenTests.snapshots

    /// (golden file, arguments, exit code)
    static let cases: [(String, [String], Int32)] = [
        ("alerts-since-2020-03-01.txt", ["alerts", "--since", "2020-03-01", "SampleLogs"], 2),
        ("alerts-since-2020-03-01.json", ["alerts", "--since", "2020-03-01", "--format", "json", "SampleLogs"], 2),
        ("alerts-2020-03-09.nagios", ["alerts", "--date", "2020-03-09", "--format", "nagios", "SampleLogs"], 2),
        ("alerts-2020-03-27.nagios", ["alerts", "--date", "2020-03-27", "--format", "nagios", "SampleLogs"], 1),
        ("alerts-2020-04-02.prom", ["alerts", "--date", "2020-04-02", "--format", "prometheus", "SampleLogs"], 2),
        ("alerts-newest.txt", ["alerts", "SampleLogs"], 0),
    ]

    @Test(arguments: cases.map(\.0))
    func matchesItsSnapshot(_ name: String) throws {
        let (_, args, code) = Self.cases.first { $0.0 == name }!
        let r = try CLITests.run(args + ["--quiet"], in: Self.root)
        #expect(r.code == code, "\(r.err)")
        let path = Self.snapshots + "/" + name
        if ProcessInfo.processInfo.environment["PLATEAU_RECORD"] != nil {
            try Data(r.out.utf8).write(to: URL(fileURLWithPath: path))
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        #expect(r.out == expected, "\(name) differs from its snapshot (PLATEAU_RECORD=1 re-records)")
    }

    /// Every event SampleLogs/README.md plants is found at critical level, and nothing else is.
    @Test func thePlantedEventsAndNothingElseAreCritical() throws {
        let r = try CLITests.run(["alerts", "--since", "2020-03-01", "--quiet", "SampleLogs"], in: Self.root)
        #expect(r.code == 2)
        let critical = r.out.split(separator: "\n").filter { $0.hasPrefix("CRITICAL 2020-") }.map { line in
            let f = line.split(separator: " ")
            return "\(f[1]) \(f[2].dropLast()) \(line.contains("UK & Ireland") ? "UK & Ireland" : line.contains("Iberia") ? "Iberia" : "ALL")"
        }
        let expected = ["2020-03-09", "2020-03-10", "2020-03-11", "2020-03-12", "2020-03-13"].map { "\($0) vpn-licences ALL" }
            + ["2020-03-19 live-event ALL", "2020-04-02 meetings-outage UK & Ireland",
               "2020-04-15 proxy-feed-silent Iberia", "2020-04-16 proxy-feed-silent Iberia"]
        #expect(critical == expected)
        #expect(r.out.hasSuffix("CRITICAL: 9 critical, 14 warning (6 rules, 2020-03-01 to 2020-05-10)\n"))
    }

    @Test func theSnapshotCarriesTheAlertsOfItsNewestDay() throws {
        let r = try CLITests.run(["--snapshot", "--format", "json", "--to", "2020-04-02", "--quiet", "SampleLogs"], in: Self.root)
        #expect(r.code == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let alerts = try #require(json["alerts"] as? [[String: Any]])
        #expect(alerts.count == 1)
        #expect(alerts.first?["severity"] as? String == "critical" && alerts.first?["bu"] as? String == "UK & Ireland")
        #expect(alerts.first?["rule"] as? String == "meetings-outage" && alerts.first?["date"] as? String == "2020-04-02")
        let text = try CLITests.run(["--snapshot", "--to", "2020-04-02", "--quiet", "SampleLogs"], in: Self.root)
        #expect(text.out.hasSuffix("\n\nAlerts on 2020-04-02\ncritical  meetings-outage: UK & Ireland meetings.users 5 on 2020-04-02, 10% of its usual 50\n"))
    }

    @Test func aBrokenRulesFileIsUnknownWithOneLine() throws {
        let dir = NSTemporaryDirectory() + "plateau-rules-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let rules = dir + "/rules.toml"
        try Data("[[rule]]\nname = \"vpn\"\nkind = \"capacity\"\nmetric = \"vpn.peak_sessions\"\ncritical = \"most\"\n".utf8)
            .write(to: URL(fileURLWithPath: rules))
        let r = try CLITests.run(["alerts", "--rules", rules, "--quiet", "SampleLogs"], in: Self.root)
        #expect(r.code == 3)
        #expect(r.err == "plateau: \(rules): rule 'vpn': critical: must be a number\n")
        #expect(r.out.isEmpty)
        let n = try CLITests.run(["alerts", "--rules", rules, "--format", "nagios", "--quiet", "SampleLogs"], in: Self.root)
        #expect(n.code == 3 && n.out == "PLATEAU UNKNOWN - \(rules): rule 'vpn': critical: must be a number\n")
        // The snapshot goes on without alerts, and says why.
        try FileManager.default.copyItem(atPath: Self.root + "/SampleLogs/plateau.toml", toPath: dir + "/plateau.toml")
        let s = try CLITests.run(["--snapshot", "--format", "json", "--config", dir + "/plateau.toml", "--quiet", "SampleLogs"], in: Self.root)
        #expect(s.code == 0 && s.out.hasSuffix("\"alerts\":[]}\n"))
        #expect(s.err.contains("rule 'vpn': critical: must be a number; the review has no alerts"))
    }

    @Test(arguments: [
        (["alerts", "--date", "2020-06-01", "SampleLogs"], "plateau: --date 2020-06-01: no data that day (data 2020-01-05 to 2020-05-10)"),
        (["alerts", "--date", "2020-02-30", "SampleLogs"], "plateau: --date: '2020-02-30' is not a date like 2020-03-16"),
        (["alerts", "--date", "2020-03-09", "--since", "2020-03-01", "SampleLogs"], "plateau: --date and --since: give one or the other"),
        (["alerts", "--format", "xml", "SampleLogs"], "plateau: --format xml: use text, json, nagios or prometheus"),
        (["alerts", "--rules", "/nonexistent/rules.toml", "SampleLogs"], "plateau: /nonexistent/rules.toml: cannot be read"),
        (["alerts", "/nonexistent/plateau-logs", "--rules", "SampleLogs/rules.toml"], "plateau: /nonexistent/plateau-logs: no such file or directory"),
        (["alerts", "--frobnicate", "SampleLogs"], nil),
        (["alerts", "--min-group", "0", "SampleLogs"], nil),
    ] as [([String], String?)])
    func everyFailureExits3(_ args: [String], _ message: String?) throws {
        let r = try CLITests.run(args + ["--quiet"], in: Self.root)
        #expect(r.code == 3, "\(r.err)")
        // SampleLogs/README.md is named as a file nobody reads; the failure is one line.
        let lines = r.err.split(separator: "\n").filter { !$0.hasSuffix("README.md: no known format; skipped") }
        #expect(lines.count == 1 && lines[0].hasPrefix("plateau: "), "\(r.err)")
        if let message { #expect(lines.first.map(String.init) == message) }
        #expect(r.out.isEmpty)
    }

    @Test func noDataIsUnknown() throws {
        let dir = NSTemporaryDirectory() + "plateau-empty-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: Self.root + "/SampleLogs/rules.toml", toPath: dir + "/rules.toml")
        let r = try CLITests.run(["alerts", "--rules", dir + "/rules.toml", "--tz", "UTC", dir])
        #expect(r.code == 3)
        #expect(r.err == "plateau: no records in the inputs\n")
        // Without a config there is no default rules file.
        let n = try CLITests.run(["alerts", "--tz", "UTC", dir], env: ["XDG_CONFIG_HOME": dir])
        #expect(n.code == 3 && n.err == "plateau: no rules file: give --rules FILE, or put rules.toml next to plateau.toml\n")
    }

    /// With --output the textfile is replaced by a rename: the collector never reads half a file,
    /// and no temporary file is left behind.
    @Test func prometheusOutputIsWrittenAtomically() throws {
        let dir = NSTemporaryDirectory() + "plateau-prom-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let target = dir + "/plateau.prom"
        try Data("# an older scrape\n".utf8).write(to: URL(fileURLWithPath: target))
        let before = try FileManager.default.attributesOfItem(atPath: target)[.systemFileNumber] as? Int
        let r = try CLITests.run(["alerts", "--date", "2020-04-02", "--format", "prometheus", "--output", target, "--quiet", "SampleLogs"], in: Self.root)
        #expect(r.code == 2 && r.out.isEmpty)
        let written = try String(contentsOfFile: target, encoding: .utf8)
        #expect(written == (try String(contentsOfFile: Self.snapshots + "/alerts-2020-04-02.prom", encoding: .utf8)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["plateau.prom"])
        // A new file (inode) took the old one's name: it was renamed over it, not rewritten in place.
        let after = try FileManager.default.attributesOfItem(atPath: target)[.systemFileNumber] as? Int
        #expect(before != nil && after != nil && before != after)
    }
}
