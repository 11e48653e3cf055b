import Foundation
import PlateauCore
import PlateauTestSupport
import Testing

/// The ClickHouse options on the command line, without a server: exit codes, and the password
/// never on stdout or stderr. `AgainstServers` below runs the same binary against real servers;
/// the library-level integration tests are in PlateauCoreTests.
@Suite struct ClickHouseCLITests {
    static let secret = "Hunter2-ch-secret"

    @Test func anUnreachableServerIsOneClearLineWithoutThePassword() throws {
        let url = "clickhouse://ops:\(Self.secret)@127.0.0.1:\(ClickHouseTestServer.freePort())/plateau"
        let snapshot = try CLITests.run(["--snapshot", "--source", url])
        #expect(snapshot.code == 1)
        #expect(snapshot.err.contains("cannot connect"), "\(snapshot.err)")
        let alerts = try CLITests.run(["alerts", "--source", url, "--rules", "/dev/null"])
        #expect(alerts.code == 3, "\(alerts.err)")
        let ingest = try CLITests.run(["ingest", SnapshotCLITests.samples + "/vdi", "--to", url])
        #expect(ingest.code == 1)
        for r in [snapshot, alerts, ingest] {
            #expect(!r.out.contains(Self.secret) && !r.err.contains(Self.secret))
            #expect(r.err.split(separator: "\n").count == 1, "\(r.err)")
        }
    }

    @Test func theURLMayComeFromTheEnvironment() throws {
        let env = ["PLATEAU_CLICKHOUSE_URL": "clickhouse://ops:\(Self.secret)@127.0.0.1:\(ClickHouseTestServer.freePort())/plateau"]
        let r = try CLITests.run(["--snapshot", "--source", "env"], env: env)
        #expect(r.code == 1 && r.err.contains("cannot connect"), "\(r.err)")
        #expect(!r.err.contains(Self.secret))
        let none = try CLITests.run(["--snapshot", "--source", "env"], env: ["PLATEAU_CLICKHOUSE_URL": ""])
        #expect(none.code == 64, "\(none.err)")
    }

    @Test func badURLsAreUsageErrorsWithoutThePassword() throws {
        for url in ["http://ops:\(Self.secret)@h:1/db", "clickhouse://ops:\(Self.secret)@h:1/db?nope=1"] {
            let r = try CLITests.run(["--snapshot", "--source", url])
            #expect(r.code == 64, "\(r.err)")
            #expect(!r.err.contains(Self.secret), "\(r.err)")
        }
        let noPaths = try CLITests.run(["ingest", "--to", "clickhouse://h:1/db"])
        #expect(noPaths.code == 64)
        // --source reads no PATH: one given is a usage error, not silently ignored.
        let both = try CLITests.run(["--snapshot", "--source", "clickhouse://h:1/db", SnapshotCLITests.samples])
        #expect(both.code == 64 && both.err.contains("no PATH"), "\(both.err)")
    }
}

extension ClickHouseCLITests {
    /// The real `plateau` against real ClickHouse servers (PlateauTestSupport starts them on
    /// 127.0.0.1, in a temporary folder): what `ingest --to` loads, `--source` reads back as
    /// exactly what the same command prints from the files.
    @Suite(.serialized, .enabled(if: ClickHouseTestServer.available, "clickhouse-server is not installed (make test installs it)"))
    struct AgainstServers {
        static let samples = SnapshotCLITests.samples
        /// Both sides get the same config (a `--source` run reads no PATH, so it would not find
        /// SampleLogs/plateau.toml by itself): the same zone, organisation and capacities.
        static let config = ["--config", samples + "/plateau.toml"]

        /// A scratch data and config home with its own pseudonym key (never the user's), and no
        /// PLATEAU_CLICKHOUSE_URL from the environment the tests run in.
        final class Scratch {
            let dir = NSTemporaryDirectory() + "plateau-chcli-" + UUID().uuidString
            var env: [String: String] {
                ["PLATEAU_KEY": StoreCLITests.key, "XDG_DATA_HOME": dir + "/data", "XDG_CONFIG_HOME": dir + "/config",
                 ClickHouseURL.environmentVariable: ""]
            }
            deinit { try? FileManager.default.removeItem(atPath: dir) }
            func run(_ args: [String], env more: [String: String] = [:]) throws -> CLITests.Result {
                try CLITests.run(args, env: env.merging(more) { $1 })
            }
        }

        /// The URL as a user types it, password included.
        static func url(_ server: ClickHouseTestServer, _ db: String, password: String = ClickHouseTestServer.password, query: String = "") -> String {
            "clickhouse://default:\(password)@127.0.0.1:\(server.httpPort)/\(db)\(query)"
        }

        /// What the commands print from the files, once for the suite, the runs side by side
        /// (each reads all of SampleLogs on one core: seconds in a debug build).
        static let files: [String: CLITests.Result] = {
            let rules = ["--rules", samples + "/rules.toml", "--quiet"] + config
            let runs: [(String, [String])] = [
                ("csv", ["--snapshot", samples, "--format", "csv", "--quiet"] + config),
                ("json", ["--snapshot", samples, "--format", "json", "--quiet"] + config),
                ("csv New York", ["--snapshot", samples, "--format", "csv", "--quiet", "--tz", "America/New_York"] + config),
                ("alerts", ["alerts", samples, "--now", stale] + rules),
                ("alerts --since 2020-03-01", ["alerts", samples, "--since", "2020-03-01"] + rules),
                ("alerts prometheus", ["alerts", samples, "--format", "prometheus", "--now", stale] + rules),
                ("watch", ["watch", samples, "--dump", "100x30", "--now", fresh] + config),
            ]
            final class Box: @unchecked Sendable { let lock = NSLock(); var results: [String: CLITests.Result] = [:] }
            let box = Box()
            DispatchQueue.concurrentPerform(iterations: runs.count) { i in
                let r = (try? CLITests.run(runs[i].1)) ?? CLITests.Result(code: -1, out: "", err: "cannot run plateau")
                box.lock.withLock { box.results[runs[i].0] = r }
            }
            return box.results
        }()
        static var memoryCSV: CLITests.Result { files["csv"]! }
        /// A day and a half after the last records: the feeds' stale rules warn (their newest
        /// records, which the database must carry, decide it).
        static let stale = "2020-05-12T08:00:00Z"
        /// An instant at which every feed of SampleLogs is fresh (the dashboards' header lists them all).
        static let fresh = "2020-05-11T00:00:00Z"
        static var memoryJSON: CLITests.Result { files["json"]! }

        /// `ingest --to` SampleLogs: exits 0 and never shows the password.
        static func ingest(_ scratch: Scratch, to url: String, env: [String: String] = [:]) throws -> CLITests.Result {
            let r = try scratch.run(["ingest", samples, "--to", url] + config, env: env)
            #expect(r.code == 0, "\(r.err)")
            #expect(!r.out.contains(ClickHouseTestServer.password) && !r.err.contains(ClickHouseTestServer.password))
            return r
        }

        static func lines(_ text: String) -> [Substring] { text.split(separator: "\n", omittingEmptySubsequences: false) }

        /// The snapshot JSON without the per-file accounting ClickHouse does not keep. A load
        /// stores each file's totals (plateau_files: format, size, lines, records, ignored,
        /// skipped), not the breakdown by reason, the header count, the example lines or the
        /// notice of a file in no known format; so `inputs` is compared on those totals only
        /// and the rest of the document (range, week, series, alerts...) as a whole.
        static func splitInputs(_ json: String) throws -> (rest: NSDictionary, inputs: [NSDictionary]) {
            var object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            let inputs = try #require(object.removeValue(forKey: "inputs") as? [[String: Any]])
            let kept = ["path", "format", "bytes", "lines", "records", "ignored", "skipped"]
            return (object as NSDictionary, inputs.map { i in kept.reduce(into: [String: Any]()) { $0[$1] = i[$1] ?? NSNull() } as NSDictionary })
        }

        static func expectSameJSON(_ clickhouse: String) throws {
            let memory = try splitInputs(memoryJSON.out), database = try splitInputs(clickhouse)
            #expect((memory.rest["series"] as? [Any])?.isEmpty == false)
            #expect(memory.rest == database.rest, "the JSON snapshots differ beyond the file accounting")
            #expect(memory.inputs.count == 445)
            #expect(memory.inputs.count == database.inputs.count)
            for (a, b) in zip(memory.inputs, database.inputs) where a != b {
                Issue.record("inputs differ: \(a) in memory, \(b) from ClickHouse")
                break
            }
        }

        /// Also the URL from the environment end to end: the second ingest and the second
        /// snapshots take it from PLATEAU_CLICKHOUSE_URL (`env`, and a URL without credentials
        /// borrowing the variable's), so they must find the same database.
        @Test func anIngestedSnapshotEqualsTheFilesAndASecondIngestLoadsNothing() throws {
            let servers = try ClickHouseTestServer.start()
            defer { ClickHouseTestServer.cleanUp(servers) }
            let scratch = Scratch()
            let url = Self.url(servers[0], "sample")
            let shown = "clickhouse://default:***@127.0.0.1:\(servers[0].httpPort)/sample"
            let first = try Self.ingest(scratch, to: url)
            // Every file but the directory (people.csv resolves people, it holds no activity).
            let loaded = Self.lines(first.out).filter { $0.contains(": +") && $0.contains(" lines, +") && $0.hasSuffix(" records") }
            #expect(loaded.count == 444, "\(first.out.suffix(500))")
            #expect(!loaded.contains { $0.contains("directory/people.csv") })
            #expect(Self.lines(first.out).contains { $0.hasPrefix("load ") && $0.contains(" into \(shown): ") })

            try #require(Self.memoryCSV.code == 0 && Self.memoryJSON.code == 0, "\(Self.memoryCSV.err)")
            #expect(Self.lines(Self.memoryCSV.out).count > 1000)
            func snapshots(_ source: String, env: [String: String] = [:]) throws {
                let csv = try scratch.run(["--snapshot", "--source", source, "--format", "csv"] + Self.config, env: env)
                #expect(csv.code == 0, "\(csv.err)")
                #expect(csv.out == Self.memoryCSV.out, "snapshot --source \(source) --format csv differs from the files'")
                let json = try scratch.run(["--snapshot", "--source", source, "--format", "json"] + Self.config, env: env)
                #expect(json.code == 0, "\(json.err)")
                try Self.expectSameJSON(json.out)
                #expect(!(csv.out + csv.err + json.out + json.err).contains(ClickHouseTestServer.password))
            }
            try snapshots(url)
            // The load was made in the config's zone (Europe/Paris); asked in another, the
            // database cuts its days there, as the files read in that zone do.
            let newYork = try scratch.run(["--snapshot", "--source", url, "--format", "csv", "--tz", "America/New_York"] + Self.config)
            #expect(newYork.code == 0, "\(newYork.err)")
            #expect(newYork.out == Self.files["csv New York"]!.out, "snapshot --source --tz America/New_York differs from the files'")
            #expect(newYork.out != Self.memoryCSV.out)

            // Again, the URL from the environment: nothing is new, nothing is read or loaded.
            let env = [ClickHouseURL.environmentVariable: url]
            let second = try Self.ingest(scratch, to: "env", env: env)
            var out = Self.lines(second.out)
            #expect(out.popLast() == "")
            #expect(out.popLast() == "nothing new to load into \(shown)"[...])
            #expect(out.isEmpty, "\(second.out.prefix(500))")
            // With --quiet, as with --store: nothing on stdout, nothing on stderr but errors.
            let quiet = try scratch.run(["ingest", Self.samples, "--to", "env", "--quiet"] + Self.config, env: env)
            #expect(quiet.code == 0 && quiet.out.isEmpty, "\(quiet.out.prefix(300))")
            #expect(!quiet.err.contains("unchanged") && !quiet.err.contains("nothing new"))
            // And the data is the same, read through the variable.
            try snapshots("env", env: env)
            let bare = "clickhouse://127.0.0.1:\(servers[0].httpPort)/sample"
            let borrowed = try scratch.run(["--snapshot", "--source", bare, "--format", "csv"] + Self.config, env: env)
            #expect(borrowed.code == 0 && borrowed.out == Self.memoryCSV.out, "\(borrowed.err)")
        }

        /// Issue 19: a read that names no zone (no --tz, no plateau.toml) counts the days of the
        /// zone the loads were made in — not UTC's, nor the reader's TZ — and says so when the
        /// loads disagree (the newest load's zone then), unless --quiet.
        @Test func aReadWithNoZoneCountsTheDaysOfTheLoads() throws {
            let servers = try ClickHouseTestServer.start()
            defer { ClickHouseTestServer.cleanUp(servers) }
            let scratch = Scratch()
            let url = Self.url(servers[0], "zones")
            let shown = "clickhouse://default:***@127.0.0.1:\(servers[0].httpPort)/zones"
            _ = try Self.ingest(scratch, to: url)   // with SampleLogs' plateau.toml: Europe/Paris
            try #require(Self.memoryCSV.code == 0, "\(Self.memoryCSV.err)")
            let bare = try scratch.run(["--snapshot", "--source", url, "--format", "csv", "--verbose"], env: ["TZ": "Asia/Tokyo"])
            #expect(bare.code == 0, "\(bare.err)")
            #expect(bare.out == Self.memoryCSV.out, "a read with no zone differs from the files read in Europe/Paris")
            #expect(bare.err.contains("\(shown): days in Europe/Paris, the zone of its loads"), "\(bare.err)")
            #expect(!bare.err.contains(ClickHouseTestServer.password))
            // Named, a zone wins, and nothing is said.
            let utc = try scratch.run(["--snapshot", "--source", url, "--format", "csv", "--tz", "UTC"])
            #expect(utc.code == 0 && utc.err.isEmpty && utc.out != Self.memoryCSV.out, "\(utc.err)")

            // A second load, made in UTC (no config): one VPN session on the day after the data.
            let extra = scratch.dir + "/extra"
            try FileManager.default.createDirectory(atPath: extra, withIntermediateDirectories: true)
            let line = "<166>May 11 2020 10:00:00 asa-vpn-09 : %ASA-6-113039: Group <GP_AnyConnect> User <zone.test> IP <203.0.113.9> AnyConnect parent session started.\n"
            try Data(line.utf8).write(to: URL(fileURLWithPath: extra + "/asa-vpn-09.log"))
            let second = try scratch.run(["ingest", extra, "--to", url, "--tz", "UTC", "--quiet"])
            #expect(second.code == 0, "\(second.err)")
            let mixed = try scratch.run(["--snapshot", "--source", url, "--format", "csv"])
            #expect(mixed.code == 0, "\(mixed.err)")
            #expect(mixed.err == "plateau: \(shown): the loads were made in 2 zones (UTC: 1 load, Europe/Paris: 1 load); days in UTC, the newest load's (--tz or plateau.toml's timezone names one)\n", "\(mixed.err)")
            let utcNow = try scratch.run(["--snapshot", "--source", url, "--format", "csv", "--tz", "UTC"])
            #expect(utcNow.code == 0 && mixed.out == utcNow.out && mixed.out != utc.out)
            let quiet = try scratch.run(["--snapshot", "--source", url, "--format", "csv", "--quiet"])
            #expect(quiet.code == 0 && quiet.err.isEmpty && quiet.out == mixed.out, "\(quiet.err)")
            let named = try scratch.run(["--snapshot", "--source", url, "--format", "csv", "--tz", "Europe/Paris"])
            #expect(named.code == 0 && named.err.isEmpty, "\(named.err)")

            // A stamp past what DateTime holds (2107), in a file written later still (so it is not
            // "after the file"): a skipped line with its reason, not a load that traps.
            let late = scratch.dir + "/late"
            try FileManager.default.createDirectory(atPath: late, withIntermediateDirectories: true)
            let file = late + "/asa-vpn-10.log"
            let lines = "<166>Mar 02 2107 10:00:00 asa-vpn-10 : %ASA-6-113039: Group <GP_AnyConnect> User <late.test> IP <203.0.113.10> AnyConnect parent session started.\n"
                + "<166>May 11 2020 11:00:00 asa-vpn-10 : %ASA-6-113039: Group <GP_AnyConnect> User <zone.test> IP <203.0.113.10> AnyConnect parent session started.\n"
            try Data(lines.utf8).write(to: URL(fileURLWithPath: file))
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 4_420_000_000)], ofItemAtPath: file)
            let third = try scratch.run(["ingest", late, "--to", url, "--tz", "UTC", "--verbose"])
            #expect(third.code == 0, "\(third.err)")
            #expect(third.err.contains("asa-vpn-10.log:1: time stamp outside what ClickHouse's DateTime holds (1970 to 2106)"), "\(third.err)")
            let json = try scratch.run(["--snapshot", "--source", url, "--format", "json", "--quiet"])
            #expect(json.code == 0, "\(json.err)")
            let inputs = try #require((try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])?["inputs"] as? [[String: Any]])
            let loaded = try #require(inputs.first { ($0["path"] as? String)?.hasSuffix("asa-vpn-10.log") == true })
            #expect(loaded["records"] as? Int == 1 && loaded["skipped"] as? Int == 1, "\(loaded)")
        }

        @Test func alertsAndTheDashboardFromTheDatabaseEqualTheFiles() throws {
            let servers = try ClickHouseTestServer.start()
            defer { ClickHouseTestServer.cleanUp(servers) }
            let scratch = Scratch()
            let url = Self.url(servers[0], "sample")
            _ = try Self.ingest(scratch, to: url)
            let rules = ["--rules", Self.samples + "/rules.toml", "--quiet"] + Self.config
            // The newest day, judged when the feeds have grown stale (warnings: exit 1; the feeds'
            // newest records come from the database), then the weeks of the planted events (exit 2).
            for (name, extra, code) in [("alerts", ["--now", Self.stale], Int32(1)), ("alerts --since 2020-03-01", ["--since", "2020-03-01"], 2),
                                        ("alerts prometheus", ["--format", "prometheus", "--now", Self.stale], 1)] {
                let files = try #require(Self.files[name])
                let database = try scratch.run(["alerts", "--source", url] + rules + extra)
                #expect(files.code == code, "\(name): \(files.err)")
                #expect(database.code == files.code, "\(name): \(database.err)")
                #expect(!files.out.isEmpty && database.out == files.out, "\(name): --source differs from the files")
            }

            // The dashboard: the same screen but for the status bar's notice, which for --source
            // names the database read (its URL without the password); the files have none (the
            // README beside them is no input). Its right half must agree too.
            let files = try #require(Self.files["watch"])
            let database = try scratch.run(["watch", "--source", url, "--dump", "100x30", "--now", Self.fresh] + Self.config)
            #expect(files.code == 0 && database.code == 0, "\(files.err) \(database.err)")
            var f = Self.lines(files.out), d = Self.lines(database.out)
            #expect(f.count == 31 && d.count == 31)  // 30 rows and the final newline
            #expect(f.popLast() == "" && d.popLast() == "")
            let (fileStatus, dbStatus) = (f.popLast() ?? "", d.popLast() ?? "")
            #expect(f == d, "watch --dump --source differs from the files' above the status bar")
            #expect(fileStatus.hasPrefix(" q quit"), "\(fileStatus)")
            #expect(dbStatus.hasPrefix(" from clickhouse://default:***@127.0.0.1:\(servers[0].httpPort)/sample "), "\(dbStatus)")
            func right(_ s: Substring) -> String { s.split(separator: "  ").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
            #expect(right(fileStatus) == right(dbStatus) && right(fileStatus).hasPrefix("sort name"), "\(fileStatus) | \(dbStatus)")
            #expect(fileStatus.count == dbStatus.count)
            #expect(f.contains { $0.contains("── alerts: ") })
            #expect(f[1].hasPrefix(" meetings ") && f[1].contains(" · proxy ") && f[1].contains(" · vdi "), "\(f[1])")
            #expect(!database.out.contains(ClickHouseTestServer.password))
        }

        @Test func aWrongPasswordIsOneLineAndNeverShowsAPassword() throws {
            let servers = try ClickHouseTestServer.start()
            defer { ClickHouseTestServer.cleanUp(servers) }
            let scratch = Scratch()
            let wrong = "Wrong-pass-4412"
            let url = Self.url(servers[0], "sample", password: wrong)
            // The right password is in the environment too: a URL with credentials does not
            // borrow it, and it must not leak either.
            let env = [ClickHouseURL.environmentVariable: Self.url(servers[0], "sample")]
            let runs: [([String], Int32)] = [
                (["--snapshot", "--source", url] + Self.config, 1),
                (["watch", "--source", url, "--dump", "100x30"] + Self.config, 1),
                (["ingest", Self.samples, "--to", url, "--quiet"] + Self.config, 1),
                (["alerts", "--source", url, "--rules", Self.samples + "/rules.toml"] + Self.config, 3),  // monitoring: UNKNOWN
            ]
            for (args, code) in runs {
                let r = try scratch.run(args, env: env)
                #expect(r.code == code, "\(args[0]): \(r.err)")
                #expect(r.out.isEmpty, "\(args[0]): \(r.out.prefix(300))")
                #expect(r.err.split(separator: "\n").count == 1 && r.err.hasPrefix("plateau: "), "\(args[0]): \(r.err)")
                #expect(r.err.contains("authentication failed"), "\(args[0]): \(r.err)")
                for secret in [wrong, ClickHouseTestServer.password] {
                    #expect(!r.out.contains(secret) && !r.err.contains(secret), "\(args[0]) shows a password")
                }
            }
            // A URL without credentials and no variable to borrow them from: no password, refused.
            let bare = try scratch.run(["--snapshot", "--source", "clickhouse://127.0.0.1:\(servers[0].httpPort)/sample"] + Self.config)
            #expect(bare.code == 1 && bare.out.isEmpty && bare.err.contains("authentication failed"), "\(bare.err)")
        }

        @Test func aTwoShardClusterEqualsTheFilesAndAStoppedShardIsOneClearLine() throws {
            let servers = try ClickHouseTestServer.start(2, cluster: "two")
            defer { ClickHouseTestServer.cleanUp(servers) }
            let scratch = Scratch()
            // The cluster's table lists the shards' native ports; their HTTP ones go in shards=.
            let shards = servers.map { "127.0.0.1:\($0.httpPort)" }.joined(separator: ",")
            let url = Self.url(servers[0], "sample", query: "?cluster=two&shards=\(shards)")
            _ = try Self.ingest(scratch, to: url)
            // Both shards hold part of the facts (through each server's own local table).
            for s in servers {
                let n = try ClickHouseClient(s.url(database: "sample")).rows("SELECT count() FROM plateau_facts_local")
                #expect((Int(n.first?.first ?? "0") ?? 0) > 1000)
            }
            let csv = try scratch.run(["--snapshot", "--source", url, "--format", "csv"] + Self.config)
            #expect(csv.code == 0, "\(csv.err)")
            #expect(!csv.out.isEmpty && csv.out == Self.memoryCSV.out, "the cluster's snapshot differs from the files'")
            let json = try scratch.run(["--snapshot", "--source", url, "--format", "json"] + Self.config)
            #expect(json.code == 0, "\(json.err)")
            try Self.expectSameJSON(json.out)

            // A shard stops: no partial snapshot, one line on stderr, no password.
            servers[1].stop()
            #expect(!servers[1].isRunning)
            let down = try scratch.run(["--snapshot", "--source", url, "--format", "csv"] + Self.config)
            #expect(down.code != 0)
            #expect(down.out.isEmpty, "\(down.out.prefix(300))")
            #expect(down.err.split(separator: "\n").count == 1 && down.err.hasPrefix("plateau: "), "\(down.err)")
            #expect(down.err.contains("shard") || down.err.contains("cannot connect"), "\(down.err)")
            #expect(!down.err.contains(ClickHouseTestServer.password))
        }
    }
}
