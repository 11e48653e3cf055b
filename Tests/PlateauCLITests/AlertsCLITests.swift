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
        // The newest day, run just after the last records (the feeds are fresh), and a day and a
        // half later (they are stale; their newest records tell).
        ("alerts-newest.txt", ["alerts", "--now", "2020-05-11T06:00:00Z", "SampleLogs"], 0),
        ("alerts-stale.txt", ["alerts", "--now", "2020-05-12T08:00:00Z", "SampleLogs"], 1),
        ("alerts-stale.prom", ["alerts", "--now", "2020-05-12T08:00:00Z", "--format", "prometheus", "SampleLogs"], 1),
        ("alerts-stale.nagios", ["alerts", "--now", "2020-05-14T08:00:00Z", "--format", "nagios", "SampleLogs"], 2),
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
        #expect(r.out.hasSuffix("CRITICAL: 9 critical, 14 warning (10 rules, 2020-03-01 to 2020-05-10)\n"))
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
        // The snapshot's rules file is part of its config: a bad one is a bad config (exit 64,
        // one line), not a review that says nothing is wrong; the dashboard's too, before the screen.
        try FileManager.default.copyItem(atPath: Self.root + "/SampleLogs/plateau.toml", toPath: dir + "/plateau.toml")
        let s = try CLITests.run(["--snapshot", "--format", "json", "--config", dir + "/plateau.toml", "--quiet", "SampleLogs"], in: Self.root)
        #expect(s.code == 64 && s.out.isEmpty)
        #expect(s.err == "plateau: \(rules): rule 'vpn': critical: must be a number\n")
        let w = try CLITests.run(["watch", "--config", dir + "/plateau.toml", "--dump", "80x24", "SampleLogs"], in: Self.root)
        #expect(w.code == 64 && w.err == s.err && w.out.isEmpty)
    }

    /// Rules that could never fire, or would fire for the wrong reason, are errors naming the
    /// rule and the key: a BU or a metric the data lacks (judged once the data is read), a
    /// capacity rule without its [[capacity]], a threshold outside its kind's range.
    @Test(arguments: [
        ("bu = \"Atlantis\"\nkind = \"drop\"\nmetric = \"meetings.users\"\nwarning = 0.5",
         "bu: no business unit 'Atlantis' in the data (closest first: Romania, Australia, Brazil, India, Italy, Africa, China, Germany, Iberia, Benelux, Chile, Mexico, Peru, Singapore, Corporate, France B2B, France B2C, Middle East, North America, France Networks, UK & Ireland, France Renewables, Generation Europe, Global Energy Management)"),
        ("kind = \"drop\"\nmetric = \"meetings.users\"\nwarning = 50", "warning: must be a fraction of the usual level above 0 and at most 1 (0.5 is half of it), not 50"),
        ("kind = \"capacity\"\nmetric = \"vdi.peak_sessions\"\ncritical = 1", "metric: no [[capacity]] of vdi.peak_sessions in SampleLogs/plateau.toml: the rule could never fire"),
        ("kind = \"stale\"\nfeed = \"webex\"\nolder_than = \"1h\"", "feed: no feed 'webex' (feeds: meetings, proxy, private_access, vpn, vdi, signins)"),
    ] as [(String, String)])
    func aRuleThatCannotBeRightIsUnknown(_ body: String, _ expected: String) throws {
        let dir = NSTemporaryDirectory() + "plateau-rules-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let rules = dir + "/rules.toml"
        try Data("[[rule]]\nname = \"x\"\n\(body)\n".utf8).write(to: URL(fileURLWithPath: rules))
        for format in ["text", "prometheus"] {
            let r = try CLITests.run(["alerts", "--rules", rules, "--format", format, "SampleLogs"], in: Self.root)
            #expect(r.code == 3 && r.out.isEmpty, "\(r.out)")
            #expect(r.err == "plateau: \(rules): rule 'x': \(expected)\n")
        }
    }

    /// A run on old data says the truth: its feeds are stale, judged against the clock (no
    /// --now here: the SampleLogs records are years old whenever this runs).
    @Test func oldDataIsStaleAgainstTheClock() throws {
        let r = try CLITests.run(["alerts", "--quiet", "SampleLogs"], in: Self.root)
        #expect(r.code == 2 && r.err.isEmpty, "\(r.err)")
        let lines = r.out.split(separator: "\n")
        let feeds = lines.filter { $0.hasPrefix("CRITICAL ") && $0.contains("-feed-stale: ") }.map { $0.split(separator: " ")[2] }
        #expect(feeds == ["meetings-feed-stale:", "proxy-feed-stale:", "private-access-feed-stale:", "vpn-feed-stale:", "vdi-feed-stale:"], "\(r.out)")
        #expect(lines.last?.hasPrefix("CRITICAL: 5 critical (10 rules, 2020-05-10; feeds at ") == true, "\(r.out)")
        // A replay judges each day as if run at its end: the same data, judged then, is fresh.
        let replay = try CLITests.run(["alerts", "--date", "2020-05-10", "--quiet", "SampleLogs"], in: Self.root)
        #expect(replay.code == 0 && replay.out == "OK: no alerts (10 rules, 2020-05-10)\n", "\(replay.out)")
    }

    /// --since: the Prometheus gauges count the alerts the exit code is made of (every day's),
    /// so a critical of the first week is not reported as 0 active while the run exits 2.
    @Test func prometheusGaugesAgreeWithTheExitCode() throws {
        let r = try CLITests.run(["alerts", "--since", "2020-03-01", "--format", "prometheus", "--quiet", "SampleLogs"], in: Self.root)
        #expect(r.code == 2)
        #expect(r.out.contains("plateau_alerts{severity=\"critical\"} 9\n") && r.out.contains("plateau_alerts{severity=\"warning\"} 14\n"), "\(r.out)")
        #expect(r.out.contains("plateau_alert{rule=\"vpn-licences\",metric=\"vpn.peak_sessions\",bu=\"ALL\",severity=\"critical\"} 1\n"))
    }

    /// A missing PATH is named (not the rules file it would have held); --output into a folder
    /// that is not there names the folder, not a temporary file.
    @Test func missingPathsAndOutputFoldersAreNamed() throws {
        let r = try CLITests.run(["alerts", "/nonexistent/plateau-logs"], env: ["XDG_CONFIG_HOME": "/nonexistent"], in: Self.root)
        #expect(r.code == 3 && r.err == "plateau: /nonexistent/plateau-logs: no such file or directory\n", "\(r.err)")
        let o = try CLITests.run(["alerts", "--format", "prometheus", "--output", "/nonexistent/textfile/plateau.prom", "SampleLogs"], in: Self.root)
        #expect(o.code == 3 && o.out.isEmpty)
        #expect(o.err == "plateau: /nonexistent/textfile: no such directory (for --output /nonexistent/textfile/plateau.prom)\n", "\(o.err)")
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
        // The failure is one line (SampleLogs/README.md is no input: nothing is said of it).
        let lines = r.err.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("plateau: "), "\(r.err)")
        if let message { #expect(lines.first.map(String.init) == message) }
        #expect(r.out.isEmpty)
    }

    @Test func noDataIsUnknown() throws {
        let dir = NSTemporaryDirectory() + "plateau-empty-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: Self.root + "/SampleLogs/rules.toml", toPath: dir + "/rules.toml")
        // SampleLogs' rules without its plateau.toml: the VPN licences rule has no capacity.
        let bare = try CLITests.run(["alerts", "--rules", dir + "/rules.toml", "--tz", "UTC", dir], env: ["XDG_CONFIG_HOME": dir])
        #expect(bare.code == 3)
        #expect(bare.err == "plateau: \(dir)/rules.toml: rule 'vpn-licences': metric: no [[capacity]] of vpn.peak_sessions (no plateau.toml was found): the rule could never fire\n")
        try FileManager.default.copyItem(atPath: Self.root + "/SampleLogs/plateau.toml", toPath: dir + "/plateau.toml")
        let r = try CLITests.run(["alerts", "--tz", "UTC", dir])
        #expect(r.code == 3)
        #expect(r.err == "plateau: no records in the inputs\n")
        try FileManager.default.removeItem(atPath: dir + "/plateau.toml")
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
