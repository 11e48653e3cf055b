import Foundation
import Testing
@testable import PlateauCore

/// Cisco ASA lines as the ClickHouse tests write them: a session start (113039) and a
/// disconnect with its duration (113019), on `day` 2020 (syslog without a zone: read in the load's).
enum ASALine {
    static func start(_ day: String = "Mar 25", _ t: String, _ user: String, _ ip: String) -> String {
        "<166>\(day) 2020 \(t) asa-vpn-01 : %ASA-6-113039: Group <GP> User <\(user)> IP <\(ip)> AnyConnect parent session started.\n"
    }
    static func end(_ day: String = "Mar 25", _ t: String, _ user: String, _ ip: String, _ duration: String) -> String {
        "<164>\(day) 2020 \(t) asa-vpn-01 : %ASA-4-113019: Group = GP, Username = \(user), IP = \(ip), Session disconnected. Session Type: SSL, Duration: \(duration), Bytes xmt: 1, Bytes rcv: 2, Reason: User Requested\n"
    }
}

/// Issue 19: append-only loads. Files that grow between loads (cron every few minutes) are read
/// from where the last load stopped; after every load the database answers exactly as one
/// ingest of the files as they are then, and nothing superseded stays in a table.
@Suite(.serialized, .enabled(if: ClickHouseTestServer.available, "clickhouse-server is not installed (make test installs it)"))
struct ClickHouseAppendTests {
    /// A month of data (days of `plateau_sessions` partitions),
    /// every feed, VPN logs of every vendor (ASA, GlobalProtect, FortiGate, Pulse, OpenVPN:
    /// sessions, starts and ends logged apart, status snapshots), uncompressed.
    static func generated() throws -> TempDir {
        let dir = TempDir()
        _ = try generate(dir.path, scale: 0.01, from: "2020-02-24", to: "2020-03-20", proxyLines: 2, vpnVendor: .mixed)
        return dir
    }

    /// Every file of `full` cut into `parts` pieces at line boundaries (the first piece keeps
    /// the header); `write(k)` makes `into` hold the first k pieces of each file.
    struct Split {
        let full: String, into: String
        var pieces: [String: [Data]] = [:]

        init(_ full: String, into: String, cuts: [Double]) throws {
            self.full = full; self.into = into
            for rel in listFiles(full) {
                let data = try Data(contentsOf: URL(fileURLWithPath: full + "/" + rel))
                if rel.hasPrefix("directory/") || rel.hasSuffix(".toml") || rel.hasSuffix(".md") || rel.hasSuffix(".gz") || rel.hasSuffix(".json") {
                    pieces[rel] = [data]
                    continue
                }
                let ends = data.indices.filter { data[$0] == 0x0A }
                var bounds = [0]
                for c in cuts { bounds.append(ends.isEmpty ? data.count : ends[min(ends.count - 1, max(0, Int(Double(ends.count) * c) - 1))] + 1) }
                bounds.append(data.count)
                var parts: [Data] = []
                for i in 0..<(bounds.count - 1) { parts.append(data.subdata(in: bounds[i]..<max(bounds[i], bounds[i + 1]))) }
                pieces[rel] = parts
            }
        }

        var steps: Int { pieces.values.map(\.count).max() ?? 1 }

        /// Appends piece k of every file (creates the file at k = 0); returns the lines appended.
        func write(_ k: Int) throws -> Int { try writeCounting(k).values.reduce(0, +) }

        /// Appends piece k of every file; the lines appended, per path.
        func writeCounting(_ k: Int) throws -> [String: Int] {
            var lines: [String: Int] = [:]
            for (rel, parts) in pieces.sorted(by: { $0.key < $1.key }) where k < parts.count {
                let path = into + "/" + rel
                if k == 0 {
                    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    FileManager.default.createFile(atPath: path, contents: parts[0])
                } else {
                    let h = try #require(FileHandle(forWritingAtPath: path))
                    h.seekToEndOfFile()
                    h.write(parts[k])
                    try h.close()
                }
                // (A JSON document counts as one line: it is read whole.)
                if !rel.hasPrefix("directory/") && !rel.hasSuffix(".toml") && !rel.hasSuffix(".md") { lines[FileInfo.canonical(path)] = rel.hasSuffix(".json") ? 1 : parts[k].filter { $0 == 0x0A }.count }
            }
            return lines
        }
    }

    /// The sessions a database holds, as sorted rows (a table read whole, nothing skipped).
    static func sessionRows(_ url: ClickHouseURL) throws -> [[String]] {
        try ClickHouseClient(url).rows("""
            SELECT toString(source), bu, toString(person), toString(tag), toString(start_time), toString(end_time) FROM plateau_sessions
            ORDER BY source, bu, person, tag, start_time, end_time
            """)
    }

    static func count(_ url: ClickHouseURL, _ sql: String) throws -> Int {
        Int(try ClickHouseClient(url).rows(sql).first?.first ?? "") ?? -1
    }

    /// Loads the files as they grow, in four steps (half of each file, then 20 %, 15 % and the
    /// rest); after each step the rollups equal an in-memory ingest of the files as they are,
    /// the load read exactly the lines appended, and at the end the sessions table equals — row
    /// for row — that of one load of the final files into another database.
    func appendOnlyLoadsEqualOneLoad(_ servers: [ClickHouseTestServer], cluster: String?) throws {
        let full = try Self.generated()
        defer { full.cleanup() }
        let work = TempDir()
        defer { work.cleanup() }
        let split = try Split(full.path, into: work.path, cuts: [0.5, 0.7, 0.85])
        var settings = IngestSettings()
        settings.timezone = try #require(TimeZoneRules(identifier: "Europe/Paris"))
        func url(_ db: String) -> ClickHouseURL {
            var u = servers[0].url(database: db, cluster: cluster)
            if cluster != nil { u.shards = servers.map { ClickHouseURL.Endpoint(host: "127.0.0.1", port: $0.httpPort) } }
            return u
        }
        let growing = url("growing")
        var partitionsSeen = Set<Int>()
        for k in 0..<split.steps {
            let perFile = try split.writeCounting(k)
            let appended = perFile.values.reduce(0, +)
            let report = try ClickHouseLoad(url: growing, settings: settings).run([work.path])
            let read = Dictionary(report.added.map { ($0.path, $0.lines) }, uniquingKeysWith: +)
            let differ = perFile.filter { read[$0.key, default: 0] != $0.value }.map { "\($0.key): \($0.value) appended, \(read[$0.key, default: 0]) read" }
            #expect(report.linesAdded == appended && differ.isEmpty, "step \(k): \(differ.sorted().prefix(5))")
            #expect(k == 0 || report.sessionsRebuilt > 0)
            partitionsSeen.insert(report.partitionsReplaced)
            let memory = RollupBuilder.build(Ingest(settings: settings).run(try InputDiscovery.discover([work.path], custom: [])))
            expectSameRollups(memory, try ClickHouseRollups.fetch(growing, timezone: settings.timezone))
        }
        // Sessions cross the partition boundary: some loads swapped two partitions.
        #expect(partitionsSeen.contains { $0 >= 2 }, "\(partitionsSeen)")
        // Once more: nothing new, nothing loaded.
        #expect(try ClickHouseLoad(url: growing, settings: settings).run([work.path]).load == 0)

        // One load of the final files: the same sessions, row for row; no staged row left.
        let once = url("once")
        _ = try ClickHouseLoad(url: once, settings: settings).run([work.path])
        let grownRows = try Self.sessionRows(growing), onceRows = try Self.sessionRows(once)
        #expect(grownRows.count > 1000)
        #expect(grownRows == onceRows, "sessions: \(grownRows.count) rows after the appends, \(onceRows.count) after one load")
        #expect(try Self.count(growing, "SELECT count() FROM plateau_sessions_stage") == 0)
        // Facts say which feed they came from: the proxy's are proxy metrics, the meetings' meetings'.
        #expect(try Self.count(growing, "SELECT count() FROM plateau_facts WHERE source = 'proxy'") > 1000)
        #expect(try Self.count(growing, "SELECT count() FROM plateau_facts WHERE source = 'meetings'") > 100)
        #expect(try Self.count(growing, "SELECT count() FROM plateau_facts WHERE source = 'proxy' AND NOT startsWith(toString(metric), 'proxy.')") == 0)
        #expect(try Self.count(growing, "SELECT count() FROM plateau_facts WHERE source = 'meetings' AND NOT startsWith(toString(metric), 'meetings.')") == 0)
        // BU names are written by the load that first gives them their place, not by every load
        // (each of the 4 loads would write every name again).
        let unitRows = try Self.count(growing, "SELECT count() FROM plateau_units")
        let unitNames = try Self.count(growing, "SELECT uniqExact(name) FROM plateau_units")
        #expect(unitNames > 3 && unitRows < 2 * unitNames, "\(unitRows) rows for \(unitNames) names")
        // The same meetings (as a set), and every fact key.
        for (what, sql) in [("meetings", "SELECT count() FROM (SELECT DISTINCT id, start_time, end_time, bu, participants FROM plateau_meetings)"),
                            ("fact keys", "SELECT count() FROM (SELECT DISTINCT source, metric, bu, person, intDiv(toUInt32(time), 43200) FROM plateau_facts)")] {
            #expect(try Self.count(growing, sql) == (try Self.count(once, sql)), "\(what)")
        }
    }

    @Test func appendOnlyLoadsOnOneServer() throws {
        let servers = try ClickHouseTestServer.start()
        defer { ClickHouseTestServer.cleanUp(servers) }
        try appendOnlyLoadsEqualOneLoad(servers, cluster: nil)
    }

    @Test func appendOnlyLoadsOnTwoShards() throws {
        let servers = try ClickHouseTestServer.start(2, cluster: "two")
        defer { ClickHouseTestServer.cleanUp(servers) }
        try appendOnlyLoadsEqualOneLoad(servers, cluster: "two")
    }

    /// Rename rotation, copy-truncate, and a file replaced by a copy of itself that grew (a new
    /// inode at the same path, as another loader host would see it): each load reads only what
    /// is new, and answers as an ingest of the files as they are.
    @Test func rotationCopyTruncateAndAnotherInodeBetweenLoads() throws {
        let servers = try ClickHouseTestServer.start()
        defer { ClickHouseTestServer.cleanUp(servers) }
        let folder = TempDir()
        defer { folder.cleanup() }
        let dir = folder.path
        let (start, end) = (ASALine.start, ASALine.end)
        let header = "user,start,end,host\n"
        func vdi(_ user: String, _ from: String, _ to: String) -> String { "\(user)@x.example,2020-03-25T\(from):00Z,2020-03-25T\(to):00Z,h\n" }
        let vpn = dir + "/vpn/asa.log", sessions = dir + "/vdi/sessions.csv"
        try write(vpn, start("Mar 25", "08:00:00", "a", "198.51.100.1") + start("Mar 25", "09:00:00", "b", "198.51.100.2"))
        try write(sessions, header + vdi("a", "08:00", "09:00") + vdi("b", "08:30", "10:00"))
        let settings = paris()
        let url = servers[0].url(database: "rotated")
        func expectLikeTheFiles() throws {
            let memory = RollupBuilder.build(Ingest(settings: settings).run(try InputDiscovery.discover([dir], custom: [])))
            expectSameRollups(memory, try ClickHouseRollups.fetch(url, timezone: settings.timezone))
        }
        // A file in no known format: its notice is kept in plateau_files, until it goes.
        try write(dir + "/vpn/notes.bin", "\u{01}\u{02} not a log line\n")
        let before = Int64(Date().timeIntervalSince1970)
        let first = try ClickHouseLoad(url: url, settings: settings).run([dir])
        #expect(first.linesAdded == 5)
        try expectLikeTheFiles()
        let notice = try ClickHouseRollups.inputs(url).first { $0.path.hasSuffix("notes.bin") }
        #expect(notice?.account.fileError == InputDiscovery.unknownFormat, "\(String(describing: notice))")
        // When the feeds' records last arrived: the load that brought them.
        let arrived = try #require(try ClickHouseRollups.fetch(url, timezone: settings.timezone).feeds["vpn"]?.lastArrival)
        #expect(arrived >= before && arrived <= Int64(Date().timeIntervalSince1970))
        try FileManager.default.removeItem(atPath: dir + "/vpn/notes.bin")

        // The VPN log renamed away and a new one begun; the VDI file copied, then truncated and written again.
        let fm = FileManager.default
        try fm.moveItem(atPath: vpn, toPath: vpn + ".1")
        try write(vpn, end("Mar 25", "12:00:00", "a", "198.51.100.1", "4h:00m:00s") + start("Mar 25", "13:00:00", "c", "198.51.100.3"))
        try fm.copyItem(atPath: sessions, toPath: sessions + ".1")
        try write(sessions, header + vdi("c", "11:00", "12:00"))
        let second = try ClickHouseLoad(url: url, settings: settings).run([dir])
        #expect(second.rotated == [FileInfo.canonical(vpn + ".1")], "\(second.rotated)")
        #expect(second.copies == [FileInfo.canonical(sessions + ".1")], "\(second.copies)")
        #expect(second.truncated == [FileInfo.canonical(sessions)], "\(second.truncated)")
        #expect(second.linesAdded == 2 + 2, "\(second.added)")  // two VPN lines, the VDI header and row
        try expectLikeTheFiles()
        #expect(try !ClickHouseRollups.inputs(url).contains { $0.path.hasSuffix("notes.bin") })

        // The VPN log replaced by a grown copy of itself (a new inode): only the new line is read.
        let copy = dir + "/asa.tmp"
        try fm.copyItem(atPath: vpn, toPath: copy)
        let h = try #require(FileHandle(forWritingAtPath: copy))
        h.seekToEndOfFile()
        h.write(Data(end("Mar 25", "14:00:00", "b", "198.51.100.2", "5h:00m:00s").utf8))
        try h.close()
        try fm.removeItem(atPath: vpn)
        try fm.moveItem(atPath: copy, toPath: vpn)
        let third = try ClickHouseLoad(url: url, settings: settings).run([dir])
        #expect(third.linesAdded == 1, "\(third.added)")
        try expectLikeTheFiles()
        // b's session: open at the first two loads, closed by the third — one row, 5 hours.
        let rows = try ClickHouseClient(url).rows("SELECT toString(toUInt32(end_time) - toUInt32(start_time)) FROM plateau_sessions WHERE source = 'vpn' ORDER BY start_time")
        // (a: 08:00 to 12:00; b: 09:00 to 14:00; c: open since 13:00, up to the newest stamp, 14:00.)
        #expect(rows == [["14400"], ["18000"], ["3600"]], "\(rows)")
    }

    /// A session still open at a load lasts up to its source's newest stamp: a later load whose
    /// only new line is another person's, in the next partition (UTC day) of `plateau_sessions`, lengthens
    /// it — its group had no new piece, its partition nothing new.
    @Test func anOpenSessionLengthensWithANewerStampElsewhere() throws {
        let servers = try ClickHouseTestServer.start()
        defer { ClickHouseTestServer.cleanUp(servers) }
        let folder = TempDir()
        defer { folder.cleanup() }
        let dir = folder.path
        let start = ASALine.start
        let vpn = dir + "/vpn/asa.log"
        // Wednesday 2020-03-11 22:00 in Paris (21:00 UTC) is in the UTC day before Thursday's
        // 08:00 (07:00 UTC).
        try write(vpn, start("Mar 11", "22:00:00", "a", "198.51.100.1"))
        let settings = paris()
        let url = servers[0].url(database: "open")
        _ = try ClickHouseLoad(url: url, settings: settings).run([dir])
        let h = try #require(FileHandle(forWritingAtPath: vpn))
        h.seekToEndOfFile()
        h.write(Data(start("Mar 12", "08:00:00", "b", "198.51.100.2").utf8))
        try h.close()
        let second = try ClickHouseLoad(url: url, settings: settings).run([dir])
        #expect(second.partitionsReplaced == 2, "\(second.partitionsReplaced)")
        let memory = RollupBuilder.build(Ingest(settings: settings).run(try InputDiscovery.discover([dir], custom: [])))
        expectSameRollups(memory, try ClickHouseRollups.fetch(url, timezone: settings.timezone))
        let rows = try ClickHouseClient(url).rows("SELECT toString(toUInt32(end_time) - toUInt32(start_time)) FROM plateau_sessions ORDER BY start_time")
        #expect(rows == [["36000"], ["1"]], "\(rows)")  // a: 22:00 (Paris) to b's 08:00; b: open at its own instant
    }

    /// A session whose start and end are logged apart (Pulse), begun on a Wednesday and ended on
    /// the Saturday, its end loaded later: the load reads only the end, yet the session's row in
    /// Wednesday's partition is the one replaced (its group is read whole and compared).
    @Test func anEndLoadedLaterClosesASessionOfAnEarlierDay() throws {
        let servers = try ClickHouseTestServer.start()
        defer { ClickHouseTestServer.cleanUp(servers) }
        let folder = TempDir()
        defer { folder.cleanup() }
        let dir = folder.path
        func pulse(_ date: String, _ time: String, _ message: String) -> String {
            "<134>1 \(date)T\(time)+01:00 pcs PulseSecure: - - - \(date) \(time) - pcs - [198.51.100.7] CORP\\jane.doe(Users)[Staff] - \(message)\n"
        }
        let asa = ASALine.start
        let log = dir + "/vpn/pulse.log"
        // Wednesday 03-11; another VPN record on Saturday makes the newest stamp late enough that
        // the stamp rule computes only Friday and later again.
        try write(log, pulse("2020-03-11", "22:00:00", "VPN Tunneling: Session started for user (session: sid0001) with IPv4 address 10.1.1.1, hostname PC"))
        try write(dir + "/vpn/asa.log", asa("Mar 14", "10:00:00", "b", "198.51.100.2"))
        let settings = paris()
        let url = servers[0].url(database: "late")
        _ = try ClickHouseLoad(url: url, settings: settings).run([dir])
        let h = try #require(FileHandle(forWritingAtPath: log))
        h.seekToEndOfFile()
        h.write(Data(pulse("2020-03-14", "12:00:00", "VPN Tunneling: Session ended for user (session: sid0001) with IPv4 address 10.1.1.1").utf8))
        try h.close()
        let second = try ClickHouseLoad(url: url, settings: settings).run([dir])
        #expect(second.linesAdded == 1)
        let memory = RollupBuilder.build(Ingest(settings: settings).run(try InputDiscovery.discover([dir], custom: [])))
        expectSameRollups(memory, try ClickHouseRollups.fetch(url, timezone: settings.timezone))
        let rows = try ClickHouseClient(url).rows("SELECT toString(toUInt32(end_time) - toUInt32(start_time)) FROM plateau_sessions ORDER BY start_time")
        #expect(rows == [["223200"], ["7200"]], "\(rows)")  // Wednesday 22:00 to Saturday 12:00; b open up to that newest stamp
    }

    /// A load cut short before its commit leaves rows no query reads; a later load deletes them
    /// (`abandonAfter`). A load cut short after its commit but before its sessions were swapped
    /// in is finished by the next load.
    @Test func loadsCutShortLeaveNothingBehind() throws {
        let servers = try ClickHouseTestServer.start()
        defer { ClickHouseTestServer.cleanUp(servers) }
        let folder = try awkwardFolder()
        defer { folder.cleanup() }
        let dir = folder.path
        let settings = paris()
        let memory = RollupBuilder.build(Ingest(settings: settings).run(try InputDiscovery.discover([dir], custom: [])))
        let url = servers[0].url(database: "cut")
        struct Stop: Error {}
        var cut = ClickHouseLoad(url: url, settings: settings)
        cut.beforeBatch = { table, _ in if table == "plateau_files" { throw Stop() } }
        #expect(throws: Stop.self) { try cut.run([dir]) }
        let tables = ClickHouseSchema.tables.filter { $0.hasLoad && !["plateau_begun", "plateau_sessions", "plateau_sessions_stage", "plateau_rebuilt", "plateau_loads"].contains($0.name) }
        func uncommitted() throws -> Int {
            try tables.reduce(0) { $0 + (try Self.count(url, "SELECT count() FROM \($1.name) WHERE load NOT IN (SELECT load FROM plateau_loads)")) }
        }
        let sizes = try tables.map { ($0.name, try Self.count(url, "SELECT count() FROM \($0.name)")) }
        #expect(try uncommitted() > 20, "\(sizes)")
        // Cut short after the commit, before the swap: its sessions are missing ...
        var late = ClickHouseLoad(url: url, settings: settings)
        late.abandonAfter = 0
        late.beforeBatch = { table, _ in if table == "plateau_rebuilt" { throw Stop() } }
        #expect(throws: Stop.self) { try late.run([dir]) }
        #expect(try Self.count(url, "SELECT count() FROM plateau_sessions") == 0)
        // ... and the next load (nothing new in the files) swaps them in.
        var next = ClickHouseLoad(url: url, settings: settings)
        next.abandonAfter = 0
        next.begunRowsKept = 0  // (by default, deleted once 48 have gathered)
        let report = try next.run([dir])
        #expect(report.linesAdded == 0 && report.sessionsRebuilt > 0)
        expectSameRollups(memory, try ClickHouseRollups.fetch(url, timezone: settings.timezone))
        // The first load's rows were deleted (by the second, which found it abandoned): once
        // ClickHouse has applied the deletions, no row of an uncommitted load is left.
        var waited = 0
        while try Self.count(url, "SELECT count() FROM system.mutations WHERE database = 'cut' AND is_done = 0") > 0 && waited < 600 {
            usleep(100_000); waited += 1
        }
        #expect(try uncommitted() == 0)
        #expect(try Self.count(url, "SELECT count() FROM plateau_begun WHERE load IN (SELECT load FROM plateau_loads)") <= 1)
        #expect(try Self.count(url, "SELECT count() FROM plateau_sessions_stage") == 0)
    }
}
