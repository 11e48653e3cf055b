import Foundation
import PlateauCore
import Testing

/// Issue 18's command-line polish: a version, names in any case, errors that list the valid
/// names closest first, and `help generate` saying what `--gzip` does.
@Suite struct CommandLinePolishTests {
    static let samples = SnapshotCLITests.samples

    @Test func versionIsPrinted() throws {
        let r = try CLITests.run(["--version"])
        #expect(r.code == 0)
        #expect(r.out.trimmingCharacters(in: .whitespacesAndNewlines) == PlateauVersion.current)
        #expect(PlateauVersion.current.split(separator: ".").count == 3)
    }

    /// `--bu iberia` is `--bu Iberia`; `--tz europe/paris` is `--tz Europe/Paris`.
    @Test func businessUnitsAndZonesInAnyCase() throws {
        let exact = try CLITests.run(["--snapshot", "--bu", "Iberia", "--tz", "Europe/Paris", Self.samples])
        #expect(exact.code == 0, "\(exact.err)")
        #expect(exact.out.contains("Iberia"))
        for (bu, tz) in [("iberia", "europe/paris"), ("IBERIA", "EUROPE/PARIS"), ("Iberia", "europe/Paris")] {
            let r = try CLITests.run(["--snapshot", "--bu", bu, "--tz", tz, Self.samples])
            #expect(r.code == 0, "\(bu) \(tz): \(r.err)")
            #expect(r.out == exact.out, "\(bu) \(tz)")
        }
    }

    /// A typo's intended name leads the list of valid ones; the exit code is a usage error's.
    @Test(arguments: [
        (["--snapshot", "--metric", "meeting.users"], "--metric: unknown metric 'meeting.users' (valid, closest first: meetings.users, "),
        (["--snapshot", "--bu", "Iberai"], "--bu: no business unit 'Iberai' in the data (closest first: Iberia, "),
        (["--snapshot", "--tz", "Europe/Pariss"], "--tz: unknown time zone 'Europe/Pariss' (closest: Europe/Paris, "),
        (["watch", "--metric", "vpn.peak_session", "--dump", "80x24"], "--metric: unknown metric 'vpn.peak_session' (valid, closest first: vpn.peak_sessions, "),
    ] as [([String], String)])
    func unknownNamesListTheValidOnesClosestFirst(args: [String], prefix: String) throws {
        let r = try CLITests.run(args + [Self.samples])
        #expect(r.code == 64)
        #expect(r.err.hasPrefix("plateau: " + prefix), "\(r.err)")
        #expect(r.err.split(separator: "\n").count == 1)
    }

    /// What `make install` puts in the shells' completion folders: every subcommand, and the
    /// options of one, for bash, zsh and fish.
    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScriptsNameTheCommands(shell: String) throws {
        let r = try CLITests.run(["--generate-completion-script", shell])
        #expect(r.code == 0, "\(r.err)")
        // (fish names options without their dashes: `-l min-group`.)
        for word in ["snapshot", "alerts", "ingest", "generate", "watch", "min-group", "vpn-vendor"] {
            #expect(r.out.contains(word), "\(shell): \(word)")
        }
    }

    @Test func helpGenerateSaysWhatGzipDoes() throws {
        let r = try CLITests.run(["help", "generate"])
        #expect(r.code == 0)
        let flat = r.out.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(flat.contains("--gzip Write the logs gzipped (.gz), except the daily files of the last day (--to)"), "\(r.out)")
        #expect(!flat.contains("last seven days"))
    }

    /// `--metric`, `--bu` and `--week` choose what csv and json print: exactly the matching
    /// rows of the whole output (and in json the series' analysis of all its days).
    @Test func csvAndJSONPrintWhatTheFiltersName() throws {
        let all = try CLITests.run(["--snapshot", "--format", "csv", "--tz", "Europe/Paris", Self.samples])
        let some = try CLITests.run(["--snapshot", "--format", "csv", "--tz", "Europe/Paris", "--metric", "vpn.users,meetings.users",
                                     "--bu", "iberia", "--week", "2020-W13", Self.samples])
        #expect(all.code == 0 && some.code == 0, "\(some.err)")
        let week = (23...29).map { "2020-03-\($0)" }
        let expected = all.out.split(separator: "\n").filter { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            return f.count == 5 && ["vpn.users", "meetings.users"].contains(String(f[0])) && f[1] == "Iberia" && week.contains(String(f[2]))
        }
        let lines = some.out.split(separator: "\n")
        #expect(lines.first == "metric,bu,date,value,suppressed")
        #expect(Array(lines.dropFirst()) == expected)
        #expect(expected.count == 14)
        // A missing value is an empty field, never "null".
        #expect(!all.out.contains("null"))

        func series(_ args: [String]) throws -> [[String: Any]] {
            let r = try CLITests.run(["--snapshot", "--format", "json", "--tz", "Europe/Paris"] + args + [Self.samples])
            #expect(r.code == 0, "\(r.err)")
            let j = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
            return j?["series"] as? [[String: Any]] ?? []
        }
        let whole = try series([])
        let one = try series(["--metric", "vpn.users", "--bu", "Iberia", "--week", "2020-W13"])
        #expect(one.count == 1)
        let full = try #require(whole.first { $0["metric"] as? String == "vpn.users" && $0["bu"] as? String == "Iberia" })
        let days = one.first?["days"] as? [[String: Any]] ?? []
        #expect(days.map { $0["date"] as? String ?? "" } == week)
        for key in ["baseline", "plateau", "onset"] {
            #expect("\(one.first?[key] ?? "")" == "\(full[key] ?? "")", "\(key)")
        }
    }
}
