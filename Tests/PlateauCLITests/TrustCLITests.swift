import Foundation
import Testing

/// Issue 14 end to end: the figures of the review do not move with the privacy threshold, and a
/// feed that delivered nothing leaves gaps, never zeros.
@Suite(.serialized) struct TrustCLITests {
    static let samples = SnapshotCLITests.samples

    static func json(_ args: [String]) throws -> [String: Any] {
        let r = try CLITests.run(["--snapshot", "--format", "json"] + args)
        #expect(r.code == 0, "\(r.err)")
        return (try JSONSerialization.jsonObject(with: Data(r.out.utf8))) as? [String: Any] ?? [:]
    }

    static func series(_ j: [String: Any]) -> [String: [String: Any]] {
        var out: [String: [String: Any]] = [:]
        for s in j["series"] as? [[String: Any]] ?? [] { out["\(s["metric"]!) \(s["bu"]!)"] = s }
        return out
    }

    static func number(_ v: Any?) -> Double? { (v as? NSNumber)?.doubleValue }

    /// Suppression hides what is shown; it never changes what is computed: every figure shown at
    /// `--min-group 5` (levels, ratio, onset, week values, days) is the same at `--min-group 1`.
    @Test func everyFigureShownAtFiveIsTheSameAtOne() throws {
        let five = Self.series(try Self.json(["--min-group", "5", Self.samples]))
        let one = Self.series(try Self.json(["--min-group", "1", Self.samples]))
        #expect(five.count == one.count && five.count > 300)
        var compared = 0, differ: [String] = []
        for (key, s5) in five {
            let s1 = one[key]!
            for field in ["baseline", "plateau", "ratio", "week_value", "previous_week_value"] {
                guard let v = Self.number(s5[field]) else { continue }
                compared += 1
                if Self.number(s1[field]) != v { differ.append("\(key) \(field): \(v) at 5, \(s1[field] ?? "nil") at 1") }
            }
            for field in ["onset", "end"] where !(s5[field] is NSNull) {
                if s5[field] as? String != s1[field] as? String { differ.append("\(key) \(field)") }
            }
            let d5 = s5["days"] as! [[String: Any]], d1 = s1["days"] as! [[String: Any]]
            for (a, b) in zip(d5, d1) {
                guard let v = Self.number(a["value"]) else { continue }
                compared += 1
                if Self.number(b["value"]) != v { differ.append("\(key) \(a["date"]!)") }
            }
        }
        #expect(compared > 10_000)
        #expect(differ.isEmpty, "\(differ.count) figures differ: \(differ.prefix(8))")
        // The issue's case: China's remote users this week are 9, shown at 5 as at 1.
        #expect(Self.number(five["remote.users China"]?["week_value"]) == 9)
    }

    /// A copy of SampleLogs (the config and rules with it) in a temporary directory.
    static func copyOfSamples() throws -> String {
        let dir = NSTemporaryDirectory() + "plateau-trust-" + UUID().uuidString
        try FileManager.default.copyItem(atPath: samples, toPath: dir)
        return dir
    }

    /// Records of today appended to the 2020 sample: the days between are missing, not zeros, so
    /// the plateau and its onset stay where they were (it read `×0.0 · plateau 0 · onset
    /// 2020-05-11` when the gap was filled with zeros), and the review says which feeds have gaps.
    @Test func recordsOfTodayAfterAGapAreNoCollapse() throws {
        let dir = try Self.copyOfSamples()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let now = Date()
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE MMM dd HH:mm:ss yyyy"
        let stamp = f.string(from: now.addingTimeInterval(-3600))
        let csv = "\"datetime\",\"user\",\"department\",\"location\"\n"
            + "\"\(stamp)\",\"lucia.zhang@aurore-energy.example\",\"China\",\"Road Warrior\"\n"
        try csv.write(toFile: dir + "/proxy/today.csv", atomically: true, encoding: .utf8)

        let before = Self.series(try Self.json(["--min-group", "1", Self.samples]))
        let after = Self.series(try Self.json(["--min-group", "1", dir]))
        for key in ["remote.users ALL", "proxy.remote_users ALL", "meetings.users ALL", "remote.users France Networks"] {
            let a = after[key]!, b = before[key]!
            #expect(Self.number(a["plateau"]) == Self.number(b["plateau"]), "\(key)")
            #expect(a["onset"] as? String == b["onset"] as? String, "\(key)")
            #expect(a["end"] is NSNull, "\(key)")
        }
        // The days between 2020 and today are null, not 0.
        let days = after["proxy.users ALL"]!["days"] as! [[String: Any]]
        let gap = days.filter { ($0["date"] as! String) == "2021-06-01" }
        #expect(gap.count == 1 && gap[0]["value"] is NSNull && gap[0]["suppressed"] == nil)
        #expect(Self.number(days.last!["value"]) == 1 || Self.number(days[days.count - 2]["value"]) == 1)

        let text = try CLITests.run(["--snapshot", "--width", "120", "--min-group", "1", dir])
        #expect(text.code == 0)
        #expect(!text.out.contains("×0.0"), "\(text.out.prefix(3000))")
        #expect(text.out.contains("No records from meetings on "))
        #expect(text.out.contains("proxy on 2020-05-11 to "), "\(text.out.prefix(600))")
    }

    /// `watch --dump` is the screen as it would be now: 2020 data is thousands of days old (it
    /// said `newest record 0 s ago`, judged against its own newest record); `--now` sets the clock.
    @Test func aDumpJudgesAgesByTheClock() throws {
        let now = try CLITests.run(["watch", Self.samples, "--dump", "100x30"])
        #expect(now.code == 0, "\(now.err)")
        let header = now.out.split(separator: "\n").prefix(2).joined(separator: "\n")
        #expect(header.contains("proxy 2,") && header.contains(" d") && !header.contains(" 0 s"), "\(header)")
        #expect(header.contains("CRIT"))
        let then = try CLITests.run(["watch", Self.samples, "--dump", "100x30", "--now", "2020-05-11T02:00:00Z"])
        let h2 = then.out.split(separator: "\n").prefix(2).joined(separator: "\n")
        #expect(h2.contains("private_access 4 h"), "\(h2)")
    }

    /// One feed silent for three working days: its metrics and the union of remote users are
    /// missing those days (not a collapse to the other sources' share), and the review names it.
    @Test func aFeedOutageOfThreeDaysIsAGap() throws {
        let dir = try Self.copyOfSamples()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for day in ["2020-04-21", "2020-04-22", "2020-04-23"] {
            try FileManager.default.removeItem(atPath: dir + "/proxy/nss-web-\(day).csv.gz")
            try FileManager.default.removeItem(atPath: dir + "/proxy/nss-web-americas-\(day).jsonl.gz")
        }
        let j = try Self.json(["--min-group", "1", dir])
        let s = Self.series(j)
        for key in ["proxy.users ALL", "proxy.users Iberia", "remote.users ALL", "remote.users Iberia"] {
            let days = Dictionary(uniqueKeysWithValues: (s[key]!["days"] as! [[String: Any]]).map { ($0["date"] as! String, $0["value"]) })
            #expect(days["2020-04-22"]! is NSNull && days["2020-04-23"]! is NSNull, "\(key)")
            #expect(Self.number(days["2020-04-20"]!)! > 0 && Self.number(days["2020-04-24"]!)! > 0, "\(key)")
        }
        // VPN delivered those days: its figures are values.
        let vpn = (s["vpn.users ALL"]!["days"] as! [[String: Any]]).first { $0["date"] as? String == "2020-04-22" }!
        #expect(Self.number(vpn["value"])! > 0)
        let feeds = j["feeds"] as! [[String: Any]]
        let proxy = feeds.first { $0["feed"] as? String == "proxy" }!
        // (The files are cut at UTC midnight: the evening of the 20th reaches the 21st in Paris.)
        #expect(proxy["missing_days"] as? Int == 2)
        let text = try CLITests.run(["--snapshot", "--min-group", "1", dir])
        #expect(text.out.contains("proxy on 2020-04-22 to 2020-04-23"), "\(text.out.prefix(600))")
    }
}
