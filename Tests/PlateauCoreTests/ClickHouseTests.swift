import Foundation
import Testing
@testable import PlateauCore

/// Small awkward inputs in Europe/Paris: the DST day (2020-03-29, 23 hours), sessions over
/// midnight and over several days, a session ending at the very midnight another starts,
/// an open session, duplicate lines and meetings, a person known only by a department.
func writeAwkwardInputs(_ dir: String) throws {
    try write(dir + "/directory.csv", """
        user_id,upn,display_name,business_unit,country
        11111111-0000-4000-8000-000000000001,a@x.example,A,Ops,FR
        11111111-0000-4000-8000-000000000002,b@x.example,B,Ops,FR
        11111111-0000-4000-8000-000000000003,c@x.example,C,Sales,FR
        11111111-0000-4000-8000-000000000004,d@x.example,D,Sales,FR
        11111111-0000-4000-8000-000000000005,e@x.example,E,Sales,FR

        """)
    try write(dir + "/vdi/sessions.csv", """
        user,start,end,host
        a@x.example,2020-03-28T22:30:00+01:00,2020-03-29T03:30:00+02:00,h1
        a@x.example,2020-03-28T22:30:00+01:00,2020-03-29T03:30:00+02:00,h1
        b@x.example,2020-03-29T01:59:00+01:00,2020-03-29T03:01:00+02:00,h2
        c@x.example,2020-03-29T23:00:00+02:00,2020-03-30T00:00:00+02:00,h3
        d@x.example,2020-03-30T00:00:00+02:00,2020-03-30T08:00:00+02:00,h4
        b@x.example,2020-03-27T20:00:00+01:00,2020-03-30T10:00:00+02:00,h5
        stranger@y.example,2020-03-30T09:00:00+02:00,,h6
        e@x.example,2020-03-30T11:00:00+02:00,2020-03-30T12:00:00+02:00,h7

        """)
    try write(dir + "/proxy/nss.csv", """
        "datetime","user","department","location"
        "Sat Mar 28 23:30:00 2020","a@x.example","Ops","Road Warrior"
        "Sat Mar 28 23:30:00 2020","a@x.example","Ops","Road Warrior"
        "Sun Mar 29 01:30:00 2020","c@x.example","Sales","HQ"
        "Sun Mar 29 01:30:00 2020","field1@y.example","Field","Road Warrior"
        "Sun Mar 29 21:59:59 2020","field2@y.example","Field","HQ"
        "Sun Mar 29 22:00:00 2020","field2@y.example","Field","HQ"
        "Sun Mar 29 22:30:00 2020","d@x.example","Sales","Road Warrior"
        "Mon Mar 30 08:00:00 2020","","Sales","HQ"

        """)
    // One person with two VPN sessions from two addresses, with the same ends: two sessions.
    try write(dir + "/vpn/twins.log", ["198.51.100.7", "198.51.100.8"].map {
        "<164>Mar 26 2020 10:00:00 asa-vpn-01 : %ASA-4-113019: Group = GP, Username = e, IP = \($0), Session disconnected. Session Type: SSL, Duration: 1h:00m:00s, Bytes xmt: 1, Bytes rcv: 2, Reason: User Requested\n"
    }.joined())
    func call(_ id: String, _ start: String, _ end: String, _ organizer: String, _ people: [String]) -> String {
        let ps = people.map { "{\"user\":{\"id\":\"\($0)\"}}" }.joined(separator: ",")
        return "{\"id\":\"\(id)\",\"type\":\"groupCall\",\"startDateTime\":\"\(start)\",\"endDateTime\":\"\(end)\",\"organizer\":{\"user\":{\"id\":\"\(organizer)\"}},\"participants\":[\(ps)]}"
    }
    let g = (1...5).map { "11111111-0000-4000-8000-00000000000\($0)" }
    try write(dir + "/teams/callrecords.jsonl", [
        call("m1", "2020-03-29T08:00:00Z", "2020-03-29T08:30:00Z", g[0], [g[0], g[1]]),
        call("m1", "2020-03-29T08:00:00Z", "2020-03-29T08:30:00Z", g[0], [g[0], g[1]]),
        call("m2", "2020-03-29T09:00:00Z", "2020-03-29T09:45:00Z", g[1], [g[1], g[2], g[3]]),
        call("m3", "2020-03-28T23:30:00Z", "2020-03-29T00:20:00Z", g[2], [g[2], g[4]]),
        call("m4", "2020-03-29T22:10:00Z", "2020-03-29T22:21:00Z", g[3], [g[3]]),
        call("m5", "2020-03-30T07:00:00Z", "2020-03-30T07:07:30Z", g[4], [g[0], g[1], g[2], g[3], g[4]]),
    ].joined(separator: "\n") + "\n")
}

/// In-memory rollups and ClickHouse rollups hold the same cells, metrics and range.
func expectSameRollups(_ memory: Rollups, _ clickhouse: Rollups, sourceLocation: SourceLocation = #_sourceLocation) {
    let a = cells(memory), b = cells(clickhouse)
    #expect(a.count == b.count, "cells: \(a.count) in memory, \(b.count) from ClickHouse", sourceLocation: sourceLocation)
    var shown = 0
    for key in Set(a.keys).union(b.keys).sorted() where a[key] != b[key] {
        shown += 1
        if shown <= 10 { Issue.record("\(key): \(a[key].map { "\($0)" } ?? "none") in memory, \(b[key].map { "\($0)" } ?? "none") from ClickHouse", sourceLocation: sourceLocation) }
    }
    #expect(memory.metrics == clickhouse.metrics, sourceLocation: sourceLocation)
    #expect(memory.firstDay == clickhouse.firstDay && memory.lastDay == clickhouse.lastDay, sourceLocation: sourceLocation)
    #expect(memory.newestRecord == clickhouse.newestRecord, sourceLocation: sourceLocation)
}

func paris() -> IngestSettings {
    var s = IngestSettings()
    s.timezone = TimeZoneRules(identifier: "Europe/Paris")!
    return s
}

/// `settings` with its days in `tz`, stamps without an offset still read in the load's zone
/// (as the load read them).
func reading(_ settings: IngestSettings, in tz: TimeZoneRules) -> IngestSettings {
    var s = settings
    if s.sourceZones["*"] == nil { s.sourceZones["*"] = settings.timezone }
    s.timezone = tz
    return s
}

func sampleSettings() throws -> IngestSettings {
    let config = try PlateauConfig.load(path: sampleLogsDirectory + "/plateau.toml")
    return config.settings(timezone: TimeZoneRules(identifier: "Europe/Paris")!)
}

/// SampleLogs as a load reads it: the folder, its config and rules files left out.
let sampleRoots = [sampleLogsDirectory]
var sampleExclude: Set<String> {
    [FileInfo.canonical(sampleLogsDirectory + "/plateau.toml"), FileInfo.canonical(sampleLogsDirectory + "/rules.toml")]
}

func sampleInputs() throws -> [DiscoveredInput] {
    let root = sampleLogsDirectory
    return try InputDiscovery.discover([root], custom: [], exclude: [FileInfo.canonical(root + "/plateau.toml"), FileInfo.canonical(root + "/rules.toml")])
}

/// The awkward inputs in a fresh folder (`TempDir`: the caller removes it with `cleanup()`).
func awkwardFolder() throws -> TempDir {
    let t = TempDir()
    try writeAwkwardInputs(t.path)
    return t
}

@Suite(.serialized, .enabled(if: ClickHouseTestServer.available, "clickhouse-server is not installed (make test installs it)"))
struct ClickHouseIntegrationTests {
    @Test func oneServerOnSampleLogsEveryCellEqualsTheInMemoryResult() throws {
        let servers = try ClickHouseTestServer.start()
        defer { ClickHouseTestServer.cleanUp(servers) }
        let url = servers[0].url(database: "sample")
        let settings = try sampleSettings()
        let inputs = try sampleInputs()
        let memory = RollupBuilder.build(Ingest(settings: settings).run(inputs))
        let report = try ClickHouseLoad(url: url, settings: settings).run(sampleRoots, exclude: sampleExclude)
        #expect(report.filesLoaded.count == inputs.filter { $0.format != .directory }.count)
        expectSameRollups(memory, try ClickHouseRollups.fetch(url, timezone: settings.timezone))
        // Loading the same files again adds nothing.
        let again = try ClickHouseLoad(url: url, settings: settings).run(sampleRoots, exclude: sampleExclude)
        #expect(again.filesLoaded.isEmpty && again.load == 0 && again.filesUnchanged.count == report.filesLoaded.count)
        expectSameRollups(memory, try ClickHouseRollups.fetch(url, timezone: settings.timezone))
        // Days in any zone come from the same rows: each equals an in-memory read in that zone.
        for zone in ["UTC", "America/New_York", "Asia/Kathmandu"] {
            let tz = try #require(TimeZoneRules(identifier: zone))
            expectSameRollups(RollupBuilder.build(Ingest(settings: reading(settings, in: tz)).run(inputs)),
                              try ClickHouseRollups.fetch(url, timezone: tz))
        }
    }

    /// The awkward cases loaded in Paris, asked for in zones whose midnights fall elsewhere:
    /// half-hour and quarter-hour offsets, a zone with DST on other dates, and one far east
    /// (the facts' half-days then straddle local days).
    @Test func oneLoadAnswersInEveryZone() throws {
        let servers = try ClickHouseTestServer.start()
        defer { ClickHouseTestServer.cleanUp(servers) }
        let folder = try awkwardFolder()
        defer { folder.cleanup() }
        let dir = folder.path
        let inputs = try InputDiscovery.discover([dir], custom: [])
        let url = servers[0].url(database: "zones")
        _ = try ClickHouseLoad(url: url, settings: paris()).run([dir])
        var differs = 0
        for zone in ["Europe/Paris", "UTC", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "Pacific/Chatham", "Pacific/Kiritimati", "America/St_Johns"] {
            let tz = try #require(TimeZoneRules(identifier: zone))
            let memory = RollupBuilder.build(Ingest(settings: reading(paris(), in: tz)).run(inputs))
            expectSameRollups(memory, try ClickHouseRollups.fetch(url, timezone: tz))
            if cells(memory) != cells(RollupBuilder.build(Ingest(settings: paris()).run(inputs))) { differs += 1 }
        }
        // The zones do move days: all but Paris itself give other cells.
        #expect(differs == 7)
    }

    @Test func oneServerOnAwkwardCases() throws {
        let servers = try ClickHouseTestServer.start()
        defer { ClickHouseTestServer.cleanUp(servers) }
        let folder = try awkwardFolder()
        defer { folder.cleanup() }
        let dir = folder.path
        let settings = paris()
        let inputs = try InputDiscovery.discover([dir], custom: [])
        let memory = RollupBuilder.build(Ingest(settings: settings).run(inputs))
        // The awkward cases are there: a peak over the DST night, a session over several days.
        let ops = UInt16(memory.units.firstIndex(of: "Ops")!)
        let d29 = CivilDate(year: 2020, month: 3, day: 29).day
        #expect(memory.value(.vdiPeakSessions, bu: ops, day: d29) == 3)
        #expect(memory.value(.vdiPeakSessions, bu: ops, day: d29 + 1) == 1)
        // Meetings by their local day: 30, 45 and 50 minutes on the 29th (one started at 00:30
        // Paris time), 11 and 7.5 on the 30th (an even count: the mean of the middle two).
        #expect(memory.value(.meetingsMedianMinutes, bu: BusinessUnits.all, day: d29) == 45)
        #expect(memory.value(.meetingsMedianMinutes, bu: BusinessUnits.all, day: d29 + 1) == 9.25)
        #expect(memory.value(.meetingsCount, bu: BusinessUnits.all, day: d29) == 3)
        #expect(memory.value(.vpnPeakSessions, bu: BusinessUnits.all, day: d29 - 3) == 2)
        let url = servers[0].url(database: "awkward")
        var load = ClickHouseLoad(url: url, settings: settings)
        load.batchRows = 4
        _ = try load.run([dir])
        expectSameRollups(memory, try ClickHouseRollups.fetch(url, timezone: settings.timezone))
    }

    @Test func anInterruptedAndARepeatedLoadDoNotDoubleCount() throws {
        let servers = try ClickHouseTestServer.start()
        defer { ClickHouseTestServer.cleanUp(servers) }
        let folder = try awkwardFolder()
        defer { folder.cleanup() }
        let dir = folder.path
        let settings = paris()
        let inputs = try InputDiscovery.discover([dir], custom: [])
        let memory = RollupBuilder.build(Ingest(settings: settings).run(inputs))
        let url = servers[0].url(database: "retry")
        struct Stop: Error {}
        // Cut short half-way: after the first batches of facts, in the middle of the sessions.
        for stopAt in [("plateau_facts", 2), ("plateau_sessions", 1), ("plateau_loads", 0)] {
            var load = ClickHouseLoad(url: url, settings: settings)
            load.batchRows = 3
            load.beforeBatch = { table, index in if table == stopAt.0 && index == stopAt.1 { throw Stop() } }
            #expect(throws: Stop.self) { try load.run([dir]) }
            // Nothing of an unfinished load is visible.
            #expect(try ClickHouseRollups.fetch(url, timezone: settings.timezone).firstDay == nil)
        }
        var load = ClickHouseLoad(url: url, settings: settings)
        load.batchRows = 3
        let done = try load.run([dir])
        #expect(!done.filesLoaded.isEmpty)
        expectSameRollups(memory, try ClickHouseRollups.fetch(url, timezone: settings.timezone))
        // Run again: nothing new.
        #expect(try load.run([dir]).filesLoaded.isEmpty)
        // The same content under other names (a copied folder) is loaded, and still counts once.
        let copy = dir + "-copy"
        try FileManager.default.copyItem(atPath: dir, toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let copied = try load.run([copy])
        #expect(copied.filesLoaded.count == done.filesLoaded.count)
        expectSameRollups(memory, try ClickHouseRollups.fetch(url, timezone: settings.timezone))
    }

    /// A VPN log that grew: a session open in the first load (closed at that load's newest
    /// stamp) is closed in the second, which reads only the new line; the open version is
    /// not left beside the closed one (the sessions of its group were computed again).
    @Test func aFileThatGrewAddsOnlyItsNewLinesAndClosesTheOpenSession() throws {
        let servers = try ClickHouseTestServer.start()
        defer { ClickHouseTestServer.cleanUp(servers) }
        let folder = try awkwardFolder()
        defer { folder.cleanup() }
        let dir = folder.path
        let (start, end) = (ASALine.start, ASALine.end)
        let log = dir + "/vpn/asa.log"
        try write(log, start("Mar 25", "08:00:00", "a", "198.51.100.1") + start("Mar 25", "12:00:00", "c", "198.51.100.3") + end("Mar 25", "12:30:00", "c", "198.51.100.3", "0h:30m:00s"))
        let settings = paris()
        let url = servers[0].url(database: "grown")
        let first = try ClickHouseLoad(url: url, settings: settings).run([dir])
        expectSameRollups(RollupBuilder.build(Ingest(settings: settings).run(try InputDiscovery.discover([dir], custom: []))),
                          try ClickHouseRollups.fetch(url, timezone: settings.timezone))
        let handle = try #require(FileHandle(forWritingAtPath: log))
        handle.seekToEndOfFile()
        handle.write(Data(end("Mar 25", "15:00:00", "a", "198.51.100.1", "7h:00m:00s").utf8))
        try handle.close()
        let inputs = try InputDiscovery.discover([dir], custom: [])
        let memory = RollupBuilder.build(Ingest(settings: settings).run(inputs))
        let vpn = memory.value(.vpnPeakSessions, bu: BusinessUnits.all, day: CivilDate(year: 2020, month: 3, day: 25).day)
        #expect(vpn == 2)
        // The progress line counts the bytes to read now: the new line, not the folder.
        let progress = IngestProgress(totalBytes: 1 << 30)
        let second = try ClickHouseLoad(url: url, settings: settings).run([dir], progress: progress)
        let appended = Int64(end("Mar 25", "15:00:00", "a", "198.51.100.1", "7h:00m:00s").utf8.count)
        #expect(progress.totalBytes == appended && progress.bytesDone == appended, "\(progress.bytesDone) of \(progress.totalBytes)")
        #expect(second.filesLoaded == [FileInfo.canonical(log)] && first.filesLoaded.count > 1)
        #expect(second.linesAdded == 1 && second.recordsAdded == 1)
        expectSameRollups(memory, try ClickHouseRollups.fetch(url, timezone: settings.timezone))
        // One row per session, as many as in memory: a's closed session replaced its open one.
        let vpnSessions = SessionAssembly.sessions(.vpn, Ingest(settings: settings).run(inputs).accumulator, maxOpen: settings.maxSessionSeconds)
        let client = ClickHouseClient(url)
        let rows = try client.rows("SELECT toString(count()), toString(uniqExact(person, tag, start_time, end_time)) FROM plateau_sessions WHERE source = 'vpn'")
        #expect(rows.first == ["\(vpnSessions.count)", "\(vpnSessions.count)"], "\(rows)")
        #expect(vpnSessions.filter { $0.end - $0.start == 7 * 3600 }.count == 1)
        #expect(try client.rows("SELECT count() FROM plateau_sessions_stage").first == ["0"])
        #expect(try ClickHouseLoad(url: url, settings: settings).run([dir]).load == 0)
    }

    @Test func twoShardClusterEqualsInMemoryAndAStoppedShardIsAClearError() throws {
        let servers = try ClickHouseTestServer.start(2, cluster: "two")
        defer { ClickHouseTestServer.cleanUp(servers) }
        let folder = try awkwardFolder()
        defer { folder.cleanup() }
        let dir = folder.path
        func clusterURL(_ db: String) -> ClickHouseURL {
            var u = servers[0].url(database: db, cluster: "two")
            u.shards = servers.map { ClickHouseURL.Endpoint(host: "127.0.0.1", port: $0.httpPort) }
            return u
        }
        // SampleLogs.
        let settings = try sampleSettings()
        let inputs = try sampleInputs()
        let memory = RollupBuilder.build(Ingest(settings: settings).run(inputs))
        let url = clusterURL("sample")
        _ = try ClickHouseLoad(url: url, settings: settings).run(sampleRoots, exclude: sampleExclude)
        expectSameRollups(memory, try ClickHouseRollups.fetch(url, timezone: settings.timezone))
        // Both shards hold part of the facts (sharded by person).
        for s in servers {
            let n = try ClickHouseClient(s.url(database: "sample")).rows("SELECT count() FROM plateau_facts_local")
            #expect((Int(n.first?.first ?? "0") ?? 0) > 1000)
        }
        // The awkward cases.
        let awkward = clusterURL("awkward")
        let awkwardInputs = try InputDiscovery.discover([dir], custom: [])
        _ = try ClickHouseLoad(url: awkward, settings: paris()).run([dir])
        expectSameRollups(RollupBuilder.build(Ingest(settings: paris()).run(awkwardInputs)),
                          try ClickHouseRollups.fetch(awkward, timezone: paris().timezone))

        // A shard stops: queries fail with a clear error, never partial counts; so do loads.
        servers[1].stop()
        do {
            _ = try ClickHouseRollups.fetch(url, timezone: settings.timezone)
            Issue.record("a query with a shard down returned rollups")
        } catch let e as ClickHouseError {
            #expect(e.description.contains("shard") || e.description.contains("cannot connect"), "\(e)")
            #expect(!e.description.contains(ClickHouseTestServer.password))
        }
        try write(dir + "/vdi/more.csv", "user,start,end,host\nz@x.example,2020-03-31T09:00:00+02:00,2020-03-31T10:00:00+02:00,h\n")
        #expect(throws: ClickHouseError.self) {
            try ClickHouseLoad(url: awkward, settings: paris()).run([dir])
        }
    }

    /// Instants past 2106 (a garbled stamp) count in memory but do not fit ClickHouse's
    /// DateTime: at a load their lines are skipped lines, with the reason (issue 19), so the
    /// files' accounting says so; nothing reaches the rows to be dropped there.
    @Test func instantsDateTimeCannotHoldAreCounted() throws {
        let servers = try ClickHouseTestServer.start()
        defer { ClickHouseTestServer.cleanUp(servers) }
        let folder = TempDir()
        defer { folder.cleanup() }
        let dir = folder.path
        try write(dir + "/vdi/sessions.csv", "user,start,end,host\nfar@x.example,2107-01-03T09:00:00Z,2107-01-03T10:00:00Z,h\nnear@x.example,2020-03-25T09:00:00Z,2020-03-25T10:00:00Z,h\n")
        try write(dir + "/teams/callrecords.jsonl",
                  #"{"id":"far","type":"groupCall","startDateTime":"2107-01-03T09:00:00Z","endDateTime":"2107-01-03T09:30:00Z","participants":[{"user":{"id":"u1"}},{"user":{"id":"u2"}}]}"# + "\n")
        // Files written after their stamps (else the 2107 stamps are skipped as garbled).
        let written = timespec(tv_sec: Int(CivilDate(year: 2107, month: 1, day: 4).epochSecondsUTC), tv_nsec: 0)
        for f in ["/vdi/sessions.csv", "/teams/callrecords.jsonl"] {
            var times = [written, written]
            #expect(utimensat(AT_FDCWD, dir + f, &times, 0) == 0)
        }
        let inputs = try InputDiscovery.discover([dir], custom: [])
        let memory = RollupBuilder.build(Ingest(settings: paris()).run(inputs))
        #expect(memory.lastDay == CivilDate(year: 2107, month: 1, day: 3).day)
        let url = servers[0].url(database: "far")
        let report = try ClickHouseLoad(url: url, settings: paris()).run([dir])
        // The session's line and the meeting's record: skipped lines, nothing out of range left.
        #expect(report.outOfRange == 0)
        let files = try ClickHouseRollups.inputs(url)
        let sessions = try #require(files.first { $0.path.hasSuffix("sessions.csv") })
        let calls = try #require(files.first { $0.path.hasSuffix("callrecords.jsonl") })
        #expect(sessions.account.records == 1 && sessions.account.skipped == 1, "\(sessions.account)")
        // The reason is kept (plateau_files.skip_reasons), not just the count.
        #expect(sessions.account.skippedReasons == [Reasons.notStorable.text: 1], "\(sessions.account.skippedReasons)")
        #expect(calls.account.records == 0 && calls.account.skipped == 1, "\(calls.account)")
        let loaded = try ClickHouseRollups.fetch(url, timezone: paris().timezone)
        #expect(loaded.lastDay == CivilDate(year: 2020, month: 3, day: 25).day)
        #expect(loaded.value(.vdiUsers, bu: BusinessUnits.all, day: CivilDate(year: 2020, month: 3, day: 25).day) == 1)
    }

    @Test func errorsAreClearAndNeverShowThePassword() throws {
        let servers = try ClickHouseTestServer.start()
        defer { ClickHouseTestServer.cleanUp(servers) }
        let s = servers[0]
        // Bad credentials.
        let wrong = "Wrong-pass-4412"
        do {
            _ = try ClickHouseRollups.fetch(s.url(database: "x", password: wrong), timezone: .utc)
            Issue.record("a wrong password was accepted")
        } catch let e as ClickHouseError {
            #expect(e.description.contains("authentication failed"), "\(e)")
            #expect(!e.description.contains(wrong))
        }
        // Unreachable.
        let down = ClickHouseURL(host: "127.0.0.1", port: ClickHouseTestServer.freePort(), database: "x", password: ClickHouseTestServer.password)
        do {
            _ = try ClickHouseRollups.fetch(down, timezone: .utc)
            Issue.record("an unreachable server answered")
        } catch let e as ClickHouseError {
            #expect(e.description.contains("cannot connect"), "\(e)")
            #expect(!e.description.contains(ClickHouseTestServer.password))
        }
        // No such database.
        #expect(throws: ClickHouseError.self) { try ClickHouseRollups.fetch(s.url(database: "nosuch"), timezone: .utc) }
        // An error in the middle of a result: an HTTP error with wait_end_of_query=1 ...
        let client = ClickHouseClient(s.url(database: "default"))
        let failing = "SELECT throwIf(number = 3000000) FROM system.numbers LIMIT 5000000"
        do {
            _ = try client.rows(failing)
            Issue.record("a failing query returned rows")
        } catch let e as ClickHouseError {
            #expect(e.code == 395, "\(e)")
        }
        // ... and, even when results already stream (no wait_end_of_query), the trailing "Code:".
        var streaming = client
        streaming.settings = []
        do {
            _ = try streaming.rows(failing)
            Issue.record("an error after a 200 went unnoticed")
        } catch let e as ClickHouseError {
            guard case .server(let status, let code, _) = e else { Issue.record("\(e)"); return }
            #expect(status == 200 && code == 395)
        }
        // The URL's description hides the password.
        #expect(!s.url(database: "x").description.contains(ClickHouseTestServer.password))
        // Tables of an older layout (schema 1 had no instants) are named, not written into.
        try client.execute("CREATE DATABASE old", database: false)
        try client.execute("CREATE TABLE old.plateau_facts (load UInt64, metric String, day Date, bu String, person UInt64) ENGINE = MergeTree() ORDER BY load")
        do {
            _ = try ClickHouseLoad(url: s.url(database: "old"), settings: paris()).run([])
            Issue.record("a load went into tables of another layout")
        } catch let e as ClickHouseError {
            #expect(e.description.contains("old.plateau_facts was made by another plateau version") && e.description.contains("lacks source, time, last_time, timed"), "\(e)")
        }
        #expect(throws: ClickHouseError.self) { try ClickHouseRollups.fetch(s.url(database: "old"), timezone: .utc) }
    }
}

@Suite struct ClickHouseURLTests {
    @Test func parsesEveryPart() throws {
        let u = try ClickHouseURL(parsing: "clickhouse://ops:p%40ss:w@ch1.example:8124/metrics?cluster=prod&shards=ch1.example:8124,ch2.example:8124")
        #expect(u.user == "ops" && u.password == "p@ss:w" && u.host == "ch1.example" && u.port == 8124)
        #expect(u.database == "metrics" && u.cluster == "prod" && u.shards.count == 2)
        #expect(u.description == "clickhouse://ops:***@ch1.example:8124/metrics?cluster=prod")
        let d = try ClickHouseURL(parsing: "clickhouse://[::1]/db")
        #expect(d.host == "::1" && d.port == 8123 && d.user == "default" && d.password.isEmpty)
    }

    @Test func errorsNeverRepeatThePassword() {
        for bad in ["http://u:hunter22@h:1/db", "clickhouse://u:hunter22@h:99999/db", "clickhouse://u:hunter22@h:1/db-x",
                    "clickhouse://u:hunter22@h:1/db?bogus=1", "clickhouse://u:hunter22@h:1/db?cluster=a;b"] {
            do { _ = try ClickHouseURL(parsing: bad); Issue.record("accepted \(bad)") } catch {
                #expect(!"\(error)".contains("hunter22"), "\(error)")
            }
        }
    }

    @Test func theEnvironmentGivesTheURLOrItsCredentials() throws {
        let env = [ClickHouseURL.environmentVariable: "clickhouse://ops:s3@h:1/db"]
        #expect(try ClickHouseURL.resolve(nil, environment: env)?.password == "s3")
        #expect(try ClickHouseURL.resolve("env", environment: env)?.host == "h")
        let mixed = try ClickHouseURL.resolve("clickhouse://other:2/db2", environment: env)
        #expect(mixed?.host == "other" && mixed?.user == "ops" && mixed?.password == "s3")
        #expect(try ClickHouseURL.resolve(nil, environment: [:]) == nil)
    }

    @Test func literalsAreEscaped() {
        #expect(ClickHouseSQL.literal("a'b\\c") == "'a\\'b\\\\c'")
        #expect(ClickHouseSQL.isPlainName("plateau_1") && !ClickHouseSQL.isPlainName("a-b") && !ClickHouseSQL.isPlainName("1a"))
    }

    @Test func answersAreDecoded() throws {
        #expect(TSV.rows(Array("a\\tb\tc\\\\d\n\te\n".utf8)) == [["a\tb", "c\\d"], ["", "e"]])
        let e = ClickHouseURL.Endpoint(host: "h", port: 1)
        let chunked = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n".utf8)
        #expect(try ClickHouseClient.parse(chunked, endpoint: e).body == Array("abcde".utf8))
        let cut = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n".utf8)
        #expect(throws: ClickHouseError.self) { try ClickHouseClient.parse(cut, endpoint: e) }
        #expect(ClickHouseClient.trailingException(Array("1\n2\nCode: 395, e.displayText() = DB::Exception: x\n".utf8)) != nil)
        #expect(ClickHouseClient.trailingException(Array("1\n2\n".utf8)) == nil)
    }
}

@Suite struct FactSpanTests {
    /// The local days a person counts on, from the first and last instant per UTC half-day,
    /// are exactly the local days of all their instants — in every zone, DST days included.
    @Test func firstAndLastInstantPerHalfDayGiveEveryLocalDay() throws {
        var rng = SplitMix64(seed: 8)
        let year = CivilDate(year: 2020, month: 1, day: 1).epochSecondsUTC
        for zone in ["UTC", "Europe/Paris", "America/New_York", "Asia/Kathmandu", "Pacific/Chatham", "Australia/Lord_Howe", "Pacific/Kiritimati"] {
            let tz = try #require(TimeZoneRules(identifier: zone))
            // A few instants within three days of every day of 2020: every DST change of the
            // zone (23, 23.5 and 25-hour days) lies in dozens of windows.
            for base in 0..<366 {
                for _ in 0..<2 {
                    var spans = FactSpans()
                    var direct = Set<Int>()
                    for _ in 0..<Int(rng.next() % 6 + 1) {
                        let t = year + Int64(base) * 86_400 + Int64(rng.next() % (3 * 86_400))
                        spans.add(.proxyUsers, bu: 1, at: t, person: 7)
                        direct.insert(tz.localDay(t))
                    }
                    var fromSpans = Set<Int>()
                    spans.forEach { _, s in fromSpans.insert(tz.localDay(s.first)); fromSpans.insert(tz.localDay(s.last)) }
                    #expect(fromSpans == direct, "\(zone) \(CivilDate(daysSinceEpoch: tz.localDay(year) + base).iso)")
                }
            }
        }
    }

    /// The table against a dictionary: many spans, grown many times, merged from two halves.
    @Test func theTableHoldsWhatADictionaryHolds() {
        var rng = SplitMix64(seed: 3)
        var reference: [FactSpans.Key: FactSpans.Span] = [:]
        var a = FactSpans(capacity: 16), b = FactSpans(capacity: 16)
        let base = CivilDate(year: 2020, month: 3, day: 1).epochSecondsUTC
        for i in 0..<100_000 {
            let metric = Metric.allCases[Int(rng.next() % UInt64(Metric.allCases.count))]
            let bu = UInt16(rng.next() % 30), person = rng.next() % 3_000, t = base + Int64(rng.next() % (20 * 86_400))
            if i % 2 == 0 { a.add(metric, bu: bu, at: t, person: person) } else { b.add(metric, bu: bu, at: t, person: person) }
            let k = FactSpans.Key(slot: FactSpans.slot(metric, bu: bu, at: t), person: person)
            let old = reference[k]
            reference[k] = FactSpans.Span(first: min(old?.first ?? t, t), last: max(old?.last ?? t, t))
            #expect(FactSpans.unpack(k).metric == metric && FactSpans.unpack(k).bu == bu)
        }
        a.merge(&b)
        #expect(b.count == 0)
        var seen: [FactSpans.Key: FactSpans.Span] = [:]
        a.forEach { k, s in seen[k] = s }
        #expect(a.count == reference.count && seen.count == reference.count)
        #expect(seen == reference)
    }

    /// The slots of every column of every table, Enum8 values and all.
    @Test func columnNamesSplitOutsideParentheses() {
        #expect(ClickHouseSchema.columnNames(ClickHouseSchema.tables[0]) == ["load", "source", "metric", "day", "time", "last_time", "timed", "bu", "person"])
        let sessions = ClickHouseSchema.tables.first { $0.name == "plateau_sessions" }!
        #expect(ClickHouseSchema.columnNames(sessions) == ["load", "source", "grp", "bu", "person", "tag", "start_time", "end_time"])
        // The source Enum8 spells the families as their metrics do, valued as RowBinary sends them.
        #expect(ClickHouseSchema.sourceEnum == "Enum8('vpn' = 1, 'private_access' = 2, 'vdi' = 3)")
        #expect(SessionFamily.allCases.map(ClickHouseSchema.sourceValue) == [1, 2, 3])
    }
}

@Suite struct PeakSweepMidnightTests {
    /// A BU whose session runs through midnight, with no event of its own the next day, while
    /// the first event of that day (another BU's) falls on the very midnight: the open session
    /// still counts on that day (ClickHouse's per-day clipping gives the same).
    @Test func aSessionOpenAtAMidnightWithAnotherBUsEventThenCounts() {
        let d = CivilDate(year: 2020, month: 3, day: 25)
        let t0 = d.epochSecondsUTC
        let sessions = [ClosedSession(person: 1, bu: 2, start: t0 + 20 * 3600, end: t0 + 2 * 86_400 + 3600),
                        ClosedSession(person: 2, bu: 3, start: t0 + 86_400, end: t0 + 86_400 + 600)]
        let peaks = PeakSweep.peaks(sessions, tz: .utc)
        #expect(peaks[.init(day: d.day + 1, bu: 2)] == 1)
        #expect(peaks[.init(day: d.day + 1, bu: BusinessUnits.all)] == 2)
        #expect(peaks[.init(day: d.day + 2, bu: 2)] == 1)
    }
}
