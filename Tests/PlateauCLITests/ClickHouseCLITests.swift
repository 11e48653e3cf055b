import Foundation
import PlateauTestSupport
import Testing

/// The ClickHouse options on the command line, without a server: exit codes, and the password
/// never on stdout or stderr. (The integration tests with real servers are in PlateauCoreTests;
/// `make bench` runs ingest --to and --snapshot --source end to end and diffs them with files.)
@Suite struct ClickHouseCLITests {
    static let secret = "Hunter2-ch-secret"

    @Test func anUnreachableServerIsOneClearLineWithoutThePassword() throws {
        let url = "clickhouse://ops:\(Self.secret)@127.0.0.1:\(ClickHouseTestServer.freePort())/plateau"
        let snapshot = try CLITests.run(["--snapshot", "--source", url])
        #expect(snapshot.code == 1)
        #expect(snapshot.err.contains("cannot connect"), "\(snapshot.err)")
        let alerts = try CLITests.run(["alerts", "--source", url, "--rules", "/dev/null"])
        #expect(alerts.code == 3, "\(alerts.err)")
        let ingest = try CLITests.run(["ingest", SnapshotCLITests.samples + "/directory", "--to", url])
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
