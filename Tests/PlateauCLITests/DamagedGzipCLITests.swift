import Foundation
import PlateauCore
import Testing

/// A proxy log gzipped in three members, the middle one damaged (issue 14), through the
/// binary: `--snapshot --format json` accounts its lines, and a store holds the same.
@Suite(.serialized) struct DamagedGzipCLITests {
    static func lines(_ prefix: String, _ n: Int) -> String {
        (0..<n).map { "\"Mon Mar 23 09:14:02 2020\",\"\(prefix)\($0)@corp.example\",\"Ops\",\"Road Warrior\"\n" }.joined()
    }

    static func member(_ text: String) throws -> [UInt8] {
        let out = MemoryOutput()
        let z = try GzipOutput(out)
        try Array(text.utf8).withUnsafeBytes { try z.write($0) }
        try z.close()
        return out.bytes
    }

    /// A folder holding the damaged file; the sizes of its first two members.
    static func folder() throws -> (String, Int, Int) {
        let dir = NSTemporaryDirectory() + "plateau-gz-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir + "/logs", withIntermediateDirectories: true)
        let m1 = try member("\"datetime\",\"user\",\"department\",\"location\"\n" + lines("a", 400))
        var m2 = try member(lines("b", 400))
        for i in (m2.count - 30)..<m2.count { m2[i] = UInt8(ascii: "R") }
        let m3 = try member(lines("c", 400))
        try Data(m1 + m2 + m3).write(to: URL(fileURLWithPath: dir + "/logs/proxy.csv.gz"))
        return (dir, m1.count, m2.count)
    }

    @Test func theSnapshotAccountsTheDamagedMember() throws {
        let (dir, first, _) = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLITests.run(["--snapshot", "--format", "json", "--min-group", "1", "--tz", "UTC", dir + "/logs"])
        #expect(r.code == 0, "\(r.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let input = try #require((json["inputs"] as? [[String: Any]])?.first)
        let n = { (k: String) in input[k] as? Int ?? -1 }
        #expect(n("records") == 800 && n("headers") == 1 && n("ignored") == 0)
        #expect(n("lines") == n("records") + n("ignored") + n("skipped") + n("headers"))
        #expect(n("skipped") >= 399)
        #expect(Set((input["skipped_reasons"] as? [String: Int] ?? [:]).keys) == ["gzip member failed its check"])
        #expect((input["error"] as? String)?.hasPrefix("gzip member at byte \(first) failed its check") == true, "\(input["error"] ?? "none")")
        #expect((input["examples"] as? [String])?.first?.hasSuffix(": gzip member failed its check") == true)
        let series = json["series"] as? [[String: Any]] ?? []
        let users = series.first { $0["metric"] as? String == "proxy.users" && $0["bu"] as? String == "ALL" }
        let days = users?["days"] as? [[String: Any]] ?? []
        #expect(days.count == 1 && (days.first?["value"] as? NSNumber)?.intValue == 800, "\(days)")
    }

    /// `ingest --store` reads gzip files through the follower: the store holds what the
    /// snapshot of the files shows.
    @Test func theStoreHoldsTheSame() throws {
        let (dir, _, _) = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = ["PLATEAU_KEY": String(repeating: "5a", count: 32), "XDG_DATA_HOME": dir + "/xdg"]
        let store = dir + "/store.db"
        let i = try CLITests.run(["ingest", dir + "/logs", "--store", store, "--tz", "UTC"], env: env)
        #expect(i.code == 0, "\(i.err)")
        let args = ["--format", "json", "--min-group", "1", "--tz", "UTC"]
        let fromStore = try CLITests.run(["snapshot", "--store", store] + args, env: env)
        let fromFiles = try CLITests.run(["snapshot", dir + "/logs"] + args, env: env)
        #expect(fromStore.code == 0 && fromFiles.code == 0, "\(fromStore.err) \(fromFiles.err)")
        func parts(_ out: String) -> ([String: Any], [[String: Any]]) {
            let json = (try? JSONSerialization.jsonObject(with: Data(out.utf8))) as? [String: Any] ?? [:]
            return ((json["inputs"] as? [[String: Any]])?.first ?? [:], json["series"] as? [[String: Any]] ?? [])
        }
        let (a, sa) = parts(fromStore.out), (b, sb) = parts(fromFiles.out)
        for k in ["lines", "records", "skipped", "headers"] { #expect(a[k] as? Int == b[k] as? Int, "\(k): \(a[k] ?? "nil") \(b[k] ?? "nil")") }
        #expect(a["records"] as? Int == 800)
        #expect(a["error"] as? String == b["error"] as? String)
        #expect(NSArray(array: sa).isEqual(to: sb))
    }
}
