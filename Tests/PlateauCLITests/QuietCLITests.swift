import Foundation
import Testing

/// Quiet when nothing is wrong: documents beside the logs are no concern, files in no known
/// format make one line, `--quiet` prints nothing but errors (a cron job mails only those), and
/// nothing to review is said as such, never printed as an empty review that exits 0.
@Suite(.serialized) struct QuietCLITests {
    static let root = SnapshotGoldenTests.root

    /// A folder with one proxy record and a directory, a README, notes and a config beside them,
    /// and `unknown` files no format claims.
    static func folder(unknown: Int) throws -> String {
        let dir = NSTemporaryDirectory() + "plateau-quiet-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir + "/logs", withIntermediateDirectories: true)
        func put(_ name: String, _ text: String) throws { try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/" + name)) }
        try put("logs/people.csv", "user_id,upn,display_name,business_unit,country\nu1,a@x.example,A,Iberia,ES\n")
        try put("logs/proxy.jsonl", "{\"time\":\"Mon Mar 23 09:14:02 2020\",\"login\":\"a@x.example\",\"location\":\"HQ\",\"dept\":\"Ops\"}\n")
        try put("logs/README.md", "# What these logs are\n")
        try put("logs/notes.txt", "exported by hand\n")
        try put("logs/export.toml", "[export]\nwho = \"ops\"\n")
        for i in 0..<unknown { try put("logs/dump-\(i).bin", "\u{01}\u{02} not a log \(i)\n") }
        try put("rules.toml", "[[rule]]\nname = \"proxy-stale\"\nkind = \"stale\"\nfeed = \"proxy\"\nolder_than = \"1d\"\n")
        return dir
    }

    @Test func documentsAreNoConcernAndUnknownFilesMakeOneLine() throws {
        let dir = try Self.folder(unknown: 3)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let snapshot = ["snapshot", "--format", "csv", "--tz", "UTC", "--min-group", "1", dir + "/logs"]
        let r = try CLITests.run(snapshot)
        #expect(r.code == 0 && r.out.contains("proxy.users,Iberia,2020-03-23,1"), "\(r.err)")
        #expect(r.err == "plateau: 3 files in no known format: --verbose lists them\n")
        let alerts = try CLITests.run(["alerts", "--rules", dir + "/rules.toml", "--tz", "UTC", "--now", "2020-03-23T12:00:00Z", dir + "/logs"])
        #expect(alerts.code == 0 && alerts.err == r.err, "\(alerts.err)")
        // --verbose names each of them, and the documents too.
        let v = try CLITests.run(snapshot + ["--verbose"])
        for i in 0..<3 { #expect(v.err.contains("plateau: \(dir)/logs/dump-\(i).bin: no known format; skipped\n"), "\(v.err)") }
        for doc in ["README.md", "notes.txt", "export.toml"] { #expect(v.err.contains("plateau: \(dir)/logs/\(doc): a document, not a log; skipped\n")) }
        // --quiet: nothing.
        let q = try CLITests.run(snapshot + ["--quiet"])
        #expect(q.code == 0 && q.err.isEmpty, "\(q.err)")
        // One unknown file is simply named.
        let one = try Self.folder(unknown: 1)
        defer { try? FileManager.default.removeItem(atPath: one) }
        let o = try CLITests.run(["snapshot", "--format", "csv", "--tz", "UTC", one + "/logs"])
        #expect(o.err == "plateau: \(one)/logs/dump-0.bin: no known format; skipped\n")
    }

    /// The README's cron lines: `alerts --quiet` on SampleLogs says nothing on stderr (no line
    /// about its README), the textfile is written, and nothing is mailed every ten minutes.
    @Test func theReadmesCronLinesAreSilent() throws {
        let dir = NSTemporaryDirectory() + "plateau-cron-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let prom = try CLITests.run(["alerts", "--quiet", "--format", "prometheus", "--output", dir + "/plateau.prom",
                                     "--now", "2020-05-11T06:00:00Z", "SampleLogs"], in: Self.root)
        #expect(prom.code == 0 && prom.out.isEmpty && prom.err.isEmpty, "\(prom.err)")
        let text = try CLITests.run(["alerts", "--quiet", "--now", "2020-05-11T06:00:00Z", "SampleLogs"], in: Self.root)
        #expect(text.code == 0 && text.err.isEmpty && text.out.hasPrefix("OK: no alerts"), "\(text.err)")
        let review = try CLITests.run(["--snapshot", "--quiet", "SampleLogs"], in: Self.root)
        #expect(review.code == 0 && review.err.isEmpty, "\(review.err)")
        // Without --quiet, SampleLogs has nothing to say either: its README is no input.
        let plain = try CLITests.run(["alerts", "--now", "2020-05-11T06:00:00Z", "SampleLogs"], in: Self.root)
        #expect(plain.err.isEmpty, "\(plain.err)")
    }

    @Test(arguments: ["text", "json", "csv", "markdown"])
    func nothingToReviewIsAnErrorNotAnEmptyReview(_ format: String) throws {
        let dir = NSTemporaryDirectory() + "plateau-empty-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let empty = try CLITests.run(["--snapshot", "--format", format, "--tz", "UTC", dir])
        #expect(empty.code == 66 && empty.out.isEmpty)
        #expect(empty.err == "plateau: \(dir): no records (0 files in a known format)\n", "\(empty.err)")
        // A README alone is no input either.
        try Data("# nothing yet\n".utf8).write(to: URL(fileURLWithPath: dir + "/README.md"))
        let readme = try CLITests.run(["--snapshot", "--format", format, "--tz", "UTC", dir])
        #expect(readme.code == 66 && readme.err == empty.err, "\(readme.err)")
        // A range the data does not reach, and a range that ends before it starts.
        let later = try CLITests.run(["--snapshot", "--format", format, "--from", "2021-01-01", "SampleLogs"], in: Self.root)
        #expect(later.code == 64 && later.out.isEmpty)
        #expect(later.err == "plateau: no records from 2021-01-01 (the data runs 2020-01-05 to 2020-05-10)\n", "\(later.err)")
        let backwards = try CLITests.run(["--snapshot", "--format", format, "--from", "2020-05-01", "--to", "2020-04-01", "SampleLogs"], in: Self.root)
        #expect(backwards.code == 64 && backwards.err == "plateau: --from 2020-05-01 is after --to 2020-04-01\n", "\(backwards.err)")
    }

    @Test func ingestingAFolderWithoutLogsIsAnError() throws {
        let dir = NSTemporaryDirectory() + "plateau-noingest-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir + "/logs", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("# nothing yet\n".utf8).write(to: URL(fileURLWithPath: dir + "/logs/README.md"))
        let env = ["PLATEAU_KEY": StoreCLITests.key, "XDG_DATA_HOME": dir + "/xdg", "XDG_CONFIG_HOME": dir + "/xdg"]
        let r = try CLITests.run(["ingest", dir + "/logs", "--store", dir + "/store.db", "--tz", "UTC"], env: env)
        #expect(r.code == 66 && r.out.isEmpty)
        #expect(r.err == "plateau: \(dir)/logs: no file in a known format: nothing to ingest\n", "\(r.err)")
        try Data("[[rule]]\nname = \"p\"\nkind = \"stale\"\nfeed = \"proxy\"\nolder_than = \"1d\"\n".utf8).write(to: URL(fileURLWithPath: dir + "/rules.toml"))
        let alerts = try CLITests.run(["alerts", "--rules", dir + "/rules.toml", "--tz", "UTC", dir + "/logs"], env: env)
        #expect(alerts.code == 3 && alerts.err == "plateau: no records in the inputs\n", "\(alerts.err)")
    }
}
