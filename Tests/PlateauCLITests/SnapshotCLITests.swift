import Foundation
import Testing

/// `plateau --snapshot --format json` end to end, on the committed SampleLogs.
@Suite(.serialized) struct SnapshotCLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let samples = root.appendingPathComponent("SampleLogs").path

    /// One run shared by the tests below (the whole sample, every cell shown).
    nonisolated(unsafe) static let full: (CLITests.Result, [String: Any]) = {
        let r = try! CLITests.run(["--snapshot", "--format", "json", "--min-group", "1", samples])
        let json = (try? JSONSerialization.jsonObject(with: Data(r.out.utf8))) as? [String: Any] ?? [:]
        return (r, json)
    }()

    static func series(_ json: [String: Any], _ metric: String, _ bu: String) -> [String: Double?] {
        let all = json["series"] as? [[String: Any]] ?? []
        guard let s = all.first(where: { $0["metric"] as? String == metric && $0["bu"] as? String == bu }) else { return [:] }
        var out: [String: Double?] = [:]
        for d in s["days"] as? [[String: Any]] ?? [] { out.updateValue((d["value"] as? NSNumber)?.doubleValue, forKey: d["date"] as! String) }
        return out
    }

    @Test func theSchemaAndTheAccounting() throws {
        let (r, json) = Self.full
        #expect(r.code == 0, "\(r.err)")
        #expect(json["schema"] as? String == "plateau.snapshot/1")
        #expect(json["timezone"] as? String == "Europe/Paris")  // from SampleLogs/plateau.toml
        #expect((json["range"] as? [String: String])?["from"] == "2020-01-05")
        #expect((json["week"] as? [String: String])?["iso"] == "2020-W19")
        let inputs = json["inputs"] as? [[String: Any]] ?? []
        #expect(inputs.count == 445)  // every file but plateau.toml, rules.toml and README.md (no inputs)
        let skipped = inputs.reduce(0) { $0 + ($1["skipped"] as? Int ?? 0) }
        #expect(skipped == 6)
        let examples = inputs.flatMap { $0["examples"] as? [String] ?? [] }
        #expect(examples.contains { $0.hasSuffix("vpn/asa-vpn-01-2020-03.log.gz:2610: no time stamp") })
        let metrics = Set((json["series"] as? [[String: Any]] ?? []).compactMap { $0["metric"] as? String })
        #expect(metrics.count == 13)
    }

    /// The figures agree with an independent reading of the same logs (Tests/figures, plain
    /// Python sharing no code with plateau): business-day medians before and on the plateau.
    @Test func theFiguresMatchAnIndependentCount() throws {
        let (_, json) = Self.full
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Self.root.appendingPathComponent("Tests/figures/check_figures.py").path, Self.samples]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        try #require(p.terminationStatus == 0)
        var python: [String: (Double, Double)] = [:]
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            if f.count == 4, let b = Double(f[1]), let pl = Double(f[2]) { python[String(f[0])] = (b, pl) }
        }
        #expect(python.count == 8)
        let holidays: Set<String> = ["2020-04-13", "2020-05-01"]
        func median(_ metric: String, from: String, days: Int) -> Double {
            let s = Self.series(json, metric, "ALL")
            var d = from, xs: [Double] = []
            let fmt = DateFormatter(); fmt.dateFormat = "yyyy-MM-dd"; fmt.timeZone = TimeZone(identifier: "UTC")
            var date = fmt.date(from: d)!
            for _ in 0..<days {
                d = fmt.string(from: date)
                let wd = Calendar(identifier: .gregorian).component(.weekday, from: date)
                if wd != 1 && wd != 7 && !holidays.contains(d) { xs.append((s[d] ?? 0) ?? 0) }
                date = date.addingTimeInterval(86_400)
            }
            xs.sort()
            return xs.count % 2 == 1 ? xs[xs.count / 2] : (xs[xs.count / 2 - 1] + xs[xs.count / 2]) / 2
        }
        for (metric, (before, plateau)) in python {
            let b = median(metric, from: "2020-01-13", days: 47), p = median(metric, from: "2020-04-14", days: 25)
            // Medians of minutes are rounded to 0.1 in the JSON; everything else is exact.
            let tolerance = metric.hasSuffix("minutes") ? 0.2 : 0.0
            #expect(abs(b - before) <= tolerance, "\(metric) before: plateau \(b), python \(before)")
            #expect(abs(p - plateau) <= tolerance, "\(metric) plateau: plateau \(p), python \(plateau)")
        }
        // And the crisis ratios of the frame-and-generator issue (at the sample's scale).
        func ratio(_ m: String) -> Double { median(m, from: "2020-04-14", days: 25) / median(m, from: "2020-01-13", days: 47) }
        #expect(abs(ratio("meetings.users") / 5.36 - 1) < 0.1)
        #expect(abs(ratio("meetings.count") / 5.49 - 1) < 0.1)
        #expect(abs(ratio("proxy.remote_users") / 6.63 - 1) < 0.1)
        #expect(abs(ratio("private_access.users") / 1.46 - 1) < 0.1)
    }

    @Test func smallGroupsAreSuppressedByDefault() throws {
        let r = try CLITests.run(["snapshot", "--format", "json", "--quiet", Self.samples])
        #expect(r.code == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        #expect(json["min_group"] as? Int == 5)
        // VDI had a handful of users before the crisis: those days are withheld, never shown.
        let vdi = Self.series(json, "vdi.users", "ALL")
        let shown = Self.series(Self.full.1, "vdi.users", "ALL")
        for (day, v) in shown where (v ?? 0) >= 1 && (v ?? 0) < 5 { #expect(vdi.keys.contains(day) && vdi[day]! == nil, "\(day)") }
        #expect(shown.values.contains { ($0 ?? 0) >= 1 && ($0 ?? 0) < 5 })
        #expect(r.out.contains("\"suppressed\":true"))
        // A baseline of fewer than 5 people is withheld, and so is the ratio that would reveal it.
        let all = json["series"] as? [[String: Any]] ?? []
        let vdiAll = try #require(all.first { $0["metric"] as? String == "vdi.users" && $0["bu"] as? String == "ALL" })
        #expect(vdiAll["baseline"] is NSNull && vdiAll["ratio"] is NSNull && vdiAll["plateau"] is NSNumber)
        #expect(!r.err.contains("\r"))  // no progress line when stderr is not a terminal
    }

    @Test func badConfigurationAndOptionsExit64NamingTheKey() throws {
        let dir = NSTemporaryDirectory() + "plateau-cfg-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("timezone = \"Europe/Paris\"\n[sources.vpn]\nyear = \"2020\"\n".utf8).write(to: URL(fileURLWithPath: dir + "/plateau.toml"))
        let r = try CLITests.run(["--snapshot", "--format", "json", dir])
        #expect(r.code == 64)
        #expect(r.err == "plateau: \(dir)/plateau.toml: sources.vpn.year: must be an integer\n")
        let tz = try CLITests.run(["snapshot", "--tz", "Mars/Olympus_Mons", "--config", dir + "/none.toml", dir])
        #expect(tz.code == 64)
        let missing = try CLITests.run(["snapshot", "--format", "json", "/nonexistent/plateau-logs"])
        #expect(missing.code == 66)
        let week = try CLITests.run(["snapshot", "--week", "2020-W60", dir])
        #expect(week.code == 64 && week.err.contains("--week"))
    }
}
