import Foundation
import Testing

/// Hostile names and failing disks: what reaches the terminal is sanitised, and a store that
/// cannot be written stays as it was and says so.
@Suite(.serialized) struct FaultCLITests {
    static func folder() throws -> String {
        let dir = NSTemporaryDirectory() + "plateau-fault-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir + "/logs", withIntermediateDirectories: true)
        return dir
    }

    static func put(_ path: String, _ text: String) throws { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) }

    /// Escape sequences in file names (a retitle, a screen clear, an 8-bit CSI) are `?` on
    /// stderr — the unknown-format line and `--verbose`'s skipped lines — and `\u009b` in JSON.
    @Test func escapeSequencesInFileNamesNeverReachTheTerminal() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let evil = "evil\u{1B}]0;owned\u{07}\u{1B}[2J\u{9B}31m"
        try Self.put(dir + "/logs/\(evil).bin", "\u{01} not a log\n")
        try Self.put(dir + "/logs/\(evil).jsonl",
                     "{\"time\":\"Mon Mar 23 09:14:02 2020\",\"login\":\"a@x.example\",\"location\":\"HQ\",\"dept\":\"Ops\"}\n{\"time\":\"garbled\",\"login\":\"b@x.example\"}\n")
        let r = try CLITests.run(["snapshot", "--format", "json", "--verbose", "--tz", "UTC", dir + "/logs"])
        #expect(r.code == 0, "\(r.err)")
        let controls = r.err.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n") || (0x7F..<0xA0).contains($0.value) }
        #expect(controls.isEmpty, "\(r.err.debugDescription)")
        #expect(r.err.contains("evil?]0;owned??[2J?31m.bin: no known format"), "\(r.err.debugDescription)")
        #expect(r.err.contains("evil?]0;owned??[2J?31m.jsonl:2: "), "\(r.err.debugDescription)")
        // JSON: every control escaped, C1 included.
        #expect(!r.out.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || (0x80..<0xA0).contains($0.value) })
        #expect(r.out.contains(#"evil\u001b]0;owned\u0007\u001b[2J\u009b31m.jsonl"#), "\(r.out.prefix(600))")
    }

    /// The disk fills up under `ingest --store` (a file size limit: writes past it fail with
    /// EFBIG): the run fails with one line that says the store is unchanged, and it is.
    @Test func aFullDiskLeavesTheStoreAsItWas() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = dir + "/plateau.db"
        var lines = "user_id,upn,display_name,business_unit,country\n"
        for i in 0..<50 { lines += "u\(i),p\(i)@x.example,P \(i),Unit \(i % 5),FR\n" }
        try Self.put(dir + "/logs/people.csv", lines)
        try Self.put(dir + "/logs/proxy.jsonl", "{\"time\":\"Mon Mar 23 09:14:02 2020\",\"login\":\"p1@x.example\",\"location\":\"HQ\"}\n")
        let env = ["PLATEAU_KEY": String(repeating: "0123456789abcdef", count: 4)]
        let first = try CLITests.run(["ingest", "--store", store, "--tz", "UTC", dir + "/logs"], env: env)
        #expect(first.code == 0, "\(first.err)")
        let before = try CLITests.run(["snapshot", "--format", "csv", "--min-group", "1", "--tz", "UTC", "--store", store], env: env)
        #expect(before.code == 0 && before.out.contains("proxy.users,ALL,2020-03-23,1"), "\(before.err)")
        // A day of many new records, more than the limit lets the store grow by.
        var more = ""
        for d in 1...28 { for i in 0..<50 { more += "{\"time\":\"Wed Apr \(String(format: "%02d", d)) 09:14:02 2020\",\"login\":\"p\(i)@x.example\",\"location\":\"Road Warrior\",\"dept\":\"D\(i)\"}\n" } }
        try Self.put(dir + "/logs/proxy-april.jsonl", more)
        let size = (try FileManager.default.attributesOfItem(atPath: store)[.size] as? Int) ?? 0
        let limit = (size + 4096) / 512  // ulimit -f counts 512-byte blocks
        let full = try CLITests.run(["/bin/sh", "-c", "ulimit -f \(limit); exec \"$0\" \"$@\"", CLITests.binary,
                                     "ingest", "--store", store, "--tz", "UTC", dir + "/logs"], env: env, shell: true)
        #expect(full.code != 0, "\(full.out) \(full.err)")
        #expect(full.err.hasPrefix("plateau: ") && full.err.contains("unchanged"), "\(full.err)")
        let after = try CLITests.run(["snapshot", "--format", "csv", "--min-group", "1", "--tz", "UTC", "--store", store], env: env)
        #expect(after.code == 0 && after.out == before.out, "\(after.err)")
        // With room again, the same run goes through.
        let again = try CLITests.run(["ingest", "--store", store, "--tz", "UTC", dir + "/logs"], env: env)
        #expect(again.code == 0, "\(again.err)")
        let last = try CLITests.run(["snapshot", "--format", "csv", "--min-group", "1", "--tz", "UTC", "--store", store], env: env)
        #expect(last.out.contains("proxy.users,ALL,2020-04-01,50"), "\(last.out.prefix(300))")
    }
}
