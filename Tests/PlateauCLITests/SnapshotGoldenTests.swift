import Foundation
import Testing

/// The review's formats on SampleLogs, byte for byte against files under Snapshots/
/// (re-record with PLATEAU_RECORD=1 after a deliberate change, and read the diff).
@Suite(.serialized) struct SnapshotGoldenTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let snapshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots").path

    static let cases: [(String, [String])] = [
        ("review-100.txt", ["--snapshot", "SampleLogs"]),
        ("review-80.txt", ["--snapshot", "--width", "80", "SampleLogs"]),
        ("review-160.txt", ["--snapshot", "--width", "160", "--sort", "value", "SampleLogs"]),
        ("review-80-ascii.txt", ["--snapshot", "--width", "80", "--ascii", "SampleLogs"]),
        ("review-china-w08.txt", ["--snapshot", "--bu", "China", "--week", "2020-W08", "SampleLogs"]),
        ("review.md", ["--snapshot", "--format", "markdown", "--metric", "meetings.users,vpn.peak_sessions", "--sort", "name", "SampleLogs"]),
        ("review.html", ["--snapshot", "--format", "html", "SampleLogs"]),
        ("vpn-peak-sessions.svg", ["--snapshot", "--format", "svg", "--metric", "vpn.peak_sessions", "SampleLogs"]),
        ("week-12.csv", ["--snapshot", "--format", "csv", "--from", "2020-03-16", "--to", "2020-03-22", "SampleLogs"]),
        ("week-12.json", ["--snapshot", "--format", "json", "--from", "2020-03-16", "--to", "2020-03-22", "SampleLogs"]),
    ]

    @Test(arguments: cases.map(\.0))
    func matchesItsSnapshot(_ name: String) throws {
        let args = Self.cases.first { $0.0 == name }!.1 + ["--quiet"]
        let r = try CLITests.run(args, in: Self.root)
        #expect(r.code == 0, "\(r.err)")
        let path = Self.snapshots + "/" + name
        if ProcessInfo.processInfo.environment["PLATEAU_RECORD"] != nil {
            try Data(r.out.utf8).write(to: URL(fileURLWithPath: path))
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        #expect(r.out == expected, "\(name) differs from its snapshot (PLATEAU_RECORD=1 re-records)")
        if name.hasSuffix(".txt") {
            let width = name.contains("-80") ? 80 : name.contains("-160") ? 160 : 100
            for line in r.out.split(separator: "\n") { #expect(line.count <= width, "\(name): \(line)") }
        }
        if name.contains("ascii") { #expect(r.out.utf8.allSatisfy { $0 < 0x80 }) }
    }

    @Test func theTextReviewShowsTheGroupFigures() throws {
        let text = try String(contentsOfFile: Self.snapshots + "/review-100.txt", encoding: .utf8)
        // The plateau ratios of the frame-and-generator issue, within 10 %.
        for (metric, expected) in [("Meeting users", 5.36), ("Meetings", 5.49), ("Web proxy users from outside", 6.63), ("Private-access users", 1.46)] {
            let line = try #require(text.split(separator: "\n").first { $0.hasPrefix(metric + "  ") })
            let ratio = try #require(line.split(separator: " ").first { $0.hasPrefix("×") }.flatMap { Double($0.dropFirst()) })
            #expect(abs(ratio / expected - 1) < 0.1, "\(metric): \(ratio)")
        }
        // China went back to the office: its review shows the return.
        let china = try String(contentsOfFile: Self.snapshots + "/review-china-w08.txt", encoding: .utf8)
        let remote = try #require(china.split(separator: "\n").first { $0.hasPrefix("Remote workers ") })
        let dates = remote.split(separator: " ").filter { $0.hasPrefix("2020-") }
        #expect(dates.count == 2 && dates[0] == "2020-02-04" && dates[1] >= "2020-03-13" && dates[1] <= "2020-03-20", "\(remote)")
    }
}

extension SnapshotGoldenTests {
    /// Every BU's remote-work onset in the review is within one business day of its lockdown
    /// (the onsets SampleLogs/README.md lists).
    @Test func everyBusinessUnitsOnsetIsItsLockdown() throws {
        let readme = try String(contentsOfFile: Self.root + "/SampleLogs/README.md", encoding: .utf8)
        var lockdown: [String: String] = [:]
        for line in readme.split(separator: "\n") where line.hasPrefix("| ") {
            let cols = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            if cols.count >= 5, cols[4].hasPrefix("2020-") { lockdown[cols[0]] = String(cols[4].prefix(10)) }
        }
        #expect(lockdown.count == 24)
        let text = try String(contentsOfFile: Self.snapshots + "/review-160.txt", encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: "Remote workers by business unit"))
        var checked = 0
        let fmt = DateFormatter(); fmt.dateFormat = "yyyy-MM-dd"; fmt.timeZone = TimeZone(identifier: "UTC")
        func businessDays(_ a: String, _ b: String) -> Int {
            var x = fmt.date(from: min(a, b))!, n = 0
            let y = fmt.date(from: max(a, b))!
            while x < y {
                x = x.addingTimeInterval(86_400)
                let wd = Calendar(identifier: .gregorian).component(.weekday, from: x)
                if wd != 1 && wd != 7 { n += 1 }
            }
            return n
        }
        for line in lines[(start + 3)...] {
            guard !line.isEmpty else { break }
            guard let bu = lockdown.keys.first(where: { line.hasPrefix($0 + "  ") }) else { continue }
            let onset = try #require(line.split(separator: " ").first { $0.hasPrefix("2020-") }.map(String.init))
            #expect(businessDays(onset, lockdown[bu]!) <= 1, "\(bu): onset \(onset), lockdown \(lockdown[bu]!)")
            checked += 1
        }
        #expect(checked == 24)
    }
}
