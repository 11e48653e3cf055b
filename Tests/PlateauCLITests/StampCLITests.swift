import Foundation
import Testing

/// Issue 14: one proxy line dated 1973 among 1,500 of March 2020 (1,000 departments) took 52 s,
/// 4.7 GB and 1.65 GB of JSON. Through the binary it is one skipped line, and `[input]
/// earliest` of plateau.toml skips what comes before a date.
@Suite(.serialized) struct StampCLITests {
    static func folder(config: String? = nil) throws -> String {
        let dir = NSTemporaryDirectory() + "plateau-stamp-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir + "/logs", withIntermediateDirectories: true)
        var text = "\"datetime\",\"user\",\"department\",\"location\",\"url\"\n"
        let days = ["Mon Mar 23", "Tue Mar 24", "Wed Mar 25"]
        for i in 0..<1500 {
            let stamp = i == 698 ? "Tue Mar 24 10:00:00 1973" : "\(days[i * 3 / 1500]) 10:\(String(format: "%02d", i % 60)):00 2020"
            text += "\"\(stamp)\",\"user\(i)@corp.example\",\"Department \(i % 1000)\",\"Road Warrior\",\"teams.microsoft.com/api/chatsvc/emea/v1/users/ME\"\n"
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/logs/proxy.csv"))
        if let config { try Data(config.utf8).write(to: URL(fileURLWithPath: dir + "/logs/plateau.toml")) }
        return dir
    }

    static func snapshot(_ dir: String) throws -> [String: Any] {
        let r = try CLITests.run(["--snapshot", "--format", "json", "--min-group", "1", "--tz", "UTC", dir + "/logs"])
        #expect(r.code == 0, "\(r.err)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
    }

    @Test func aLineDatedDecadesAwayIsOneSkippedLine() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let json = try Self.snapshot(dir)
        let range = json["range"] as? [String: Any]
        #expect(range?["from"] as? String == "2020-03-23" && range?["to"] as? String == "2020-03-25", "\(range ?? [:])")
        let input = try #require((json["inputs"] as? [[String: Any]])?.first)
        #expect(input["records"] as? Int == 1499 && input["skipped"] as? Int == 1)
        #expect(input["skipped_reasons"] as? [String: Int] == ["time stamp far outside the rest of its file": 1])
        #expect(input["examples"] as? [String] == [dir + "/logs/proxy.csv:700: time stamp far outside the rest of its file"])
    }

    @Test func theEarliestDateOfPlateauToml() throws {
        let dir = try Self.folder(config: "timezone = \"UTC\"\n[input]\nearliest = 2020-03-24\n")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let json = try Self.snapshot(dir)
        let range = json["range"] as? [String: Any]
        #expect(range?["from"] as? String == "2020-03-24" && range?["to"] as? String == "2020-03-25", "\(range ?? [:])")
        let input = try #require((json["inputs"] as? [[String: Any]])?.first)
        #expect(input["records"] as? Int == 999)
        // The first day's 500 lines, and the 1973 line (before the date too).
        #expect(input["skipped_reasons"] as? [String: Int] == ["time stamp before the configured earliest date": 501])

        try Data("[input]\nearliest = \"soon\"\n".utf8).write(to: URL(fileURLWithPath: dir + "/logs/plateau.toml"))
        let bad = try CLITests.run(["--snapshot", dir + "/logs"])
        #expect(bad.code == 64)
        #expect(bad.err.contains("plateau.toml: input.earliest: must be a date (YYYY-MM-DD)"), "\(bad.err)")
    }
}
