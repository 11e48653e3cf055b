import Foundation
import Testing
@testable import PlateauCore

/// Discover, ingest and roll up `paths` the way the CLI does.
func ingest(_ paths: [String], settings: IngestSettings = IngestSettings(), workers: Int = 2,
            splitSize: Int64 = 48 << 20) throws -> (IngestResult, Rollups) {
    var i = Ingest(settings: settings)
    i.workers = workers
    i.splitSize = splitSize
    let result = i.run(try InputDiscovery.discover(paths, custom: settings.customSources))
    return (result, RollupBuilder.build(result))
}

/// Every cell of the rollups, by names (BU ids depend on the order names were first seen).
func cells(_ r: Rollups) -> [String: Double] {
    var out: [String: Double] = [:]
    for (m, byBU) in r.values { for (bu, byDay) in byBU { for (d, v) in byDay { out["\(m.rawValue)|\(r.units[Int(bu)])|\(d)"] = v } } }
    return out
}

func write(_ path: String, _ text: String) throws {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

let sampleLogsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../SampleLogs").standardized.path

@Suite(.serialized) struct IngestTests {
    /// A small organisation over two weeks around the onsets, uncompressed, all feeds.
    static let data: String = {
        let dir = TempDir()
        _ = try? generate(dir.path, scale: 0.01, from: "2020-03-09", to: "2020-03-22", proxyLines: 2)
        return dir.path
    }()

    func paris() -> IngestSettings {
        var s = IngestSettings()
        s.timezone = TimeZoneRules(identifier: "Europe/Paris")!
        s.sourceYears["vpn"] = 2020
        s.sourceZones["vpn"] = TimeZoneRules(identifier: "Europe/Paris")!
        return s
    }

    @Test func everyLineIsAccountedForOnce() throws {
        let (result, _) = try ingest([Self.data], settings: paris())
        #expect(result.inputs.count > 20)
        for input in result.inputs where input.format != nil && input.format != "teams-callrecords" {
            let a = input.account
            #expect(a.lines == a.records + a.ignoredCount + a.skipped + a.headers, "\(input.path)")
            // Physical lines, counted on bytes (Swift's Character "\r\n" would hide CRLF ends).
            let bytes = try contents(input.path)
            let physical = bytes.filter { $0 == 0x0A }.count + (bytes.last.map { $0 != 0x0A } ?? false ? 1 : 0)
            #expect(a.lines == physical, "\(input.path) \(a)")
        }
    }

    @Test func rangesThreadsAndOrderDoNotChangeTheNumbers() throws {
        let (wholeResult, whole) = try ingest([Self.data], settings: paris(), workers: 1)
        let (splitResult, split) = try ingest([Self.data], settings: paris(), workers: 2, splitSize: 4096)
        #expect(cells(whole) == cells(split))
        #expect(!cells(whole).isEmpty)
        // The accounting adds up the same, file by file, with the same example line numbers.
        for (a, b) in zip(wholeResult.inputs, splitResult.inputs) {
            #expect(a.account.lines == b.account.lines && a.account.records == b.account.records, "\(a.path)")
            #expect(a.account.examples == b.account.examples, "\(a.path)")
        }
    }

    @Test func theSampleLogsDefectsAreReportedWhereTheReadmeSays() throws {
        let (result, r) = try ingest([sampleLogsDirectory], settings: paris())
        let readme = try String(contentsOfFile: sampleLogsDirectory + "/README.md", encoding: .utf8)
        // | `proxy/nss-web-2020-03-24.csv.gz` | 539 | an impossible date (Feb 30) |
        var planted: [(String, Int)] = []
        for line in readme.split(separator: "\n") where line.hasPrefix("| `") {
            let cols = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            if cols.count >= 2, let n = Int(cols[1]) { planted.append((String(cols[0].dropFirst().dropLast()), n)) }
        }
        #expect(planted.count == 6)
        for (file, n) in planted {
            let input = result.inputs.first { $0.path.hasSuffix("/" + file) }
            #expect(input?.account.examples.contains { $0.line == n } == true, "\(file):\(n)")
        }
        // Nothing else is skipped anywhere.
        #expect(result.inputs.reduce(0) { $0 + $1.account.skipped } == planted.count)
        // The Graph page repeats 25 meetings of 2020-03-17: they count once.
        #expect(result.accumulator.duplicateMeetings == 25)
        // The unknown README is reported, not read.
        #expect(result.inputs.first { $0.path.hasSuffix("README.md") }?.format == nil)
        // Every metric but the sign-ins: the generator writes no identity-provider logs (yet).
        #expect(r.metrics == Metric.allCases.filter { $0.feed != .signins })
    }

    @Test func aDuplicatedExportCountsOnce() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let src = Self.data + "/teams/callrecords"
        let file = try FileManager.default.contentsOfDirectory(atPath: src).sorted().first { $0.hasSuffix(".jsonl") }!
        try FileManager.default.createDirectory(atPath: dir.path + "/a", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: src + "/" + file, toPath: dir.path + "/a/" + file)
        let (_, once) = try ingest([dir.path + "/a"])
        try FileManager.default.copyItem(atPath: src + "/" + file, toPath: dir.path + "/a/copy-" + file)
        let (twiceResult, twice) = try ingest([dir.path + "/a"])
        #expect(cells(once) == cells(twice))
        #expect(twiceResult.accumulator.duplicateMeetings > 0)
    }

    @Test func badFilesAreReportedAndNeverStopTheRest() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        var rng = SplitMix64(seed: 99)
        let garbage = (0..<200_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        try Data(garbage).write(to: URL(fileURLWithPath: dir.path + "/garbage.bin"))
        try write(dir.path + "/empty.csv", "")
        // A valid proxy log with a 10 MB line in the middle.
        let header = "\"datetime\",\"user\",\"department\",\"location\"\n"
        let ok = "\"Mon Mar 23 09:14:02 2020\",\"a@x.example\",\"Ops\",\"Road Warrior\"\n"
        try write(dir.path + "/proxy.csv", header + ok + String(repeating: "z", count: 10 << 20) + "\n" + ok.replacingOccurrences(of: "a@", with: "b@"))
        // A JSON-lines proxy log whose second line is binary and third is cut short.
        try write(dir.path + "/nss.jsonl", "{\"time\":\"Mon Mar 23 09:14:02 2020\",\"login\":\"c@x.example\",\"location\":\"HQ\",\"dept\":\"Ops\"}\n\u{01}\u{02}\u{7F}\n{\"time\":\"Mon Mar 23 09:1\n")
        // A gzip file cut short.
        let gz = dir.path + "/cut.csv.gz"
        let out = try GzipOutput(FileOutput(path: gz))
        var text = header
        for i in 0..<30_000 { text += "\"Mon Mar 23 10:00:00 2020\",\"u\(i)@x.example\",\"Ops\",\"HQ\"\n" }
        try Array(text.utf8).withUnsafeBytes { try out.write($0) }
        try out.close()
        let full = try Data(contentsOf: URL(fileURLWithPath: gz))
        try full.prefix(full.count / 2).write(to: URL(fileURLWithPath: gz))

        // A FIFO (opening it would block), a broken link: reported, never read.
        #expect(mkfifo(dir.path + "/fifo", 0o600) == 0)
        #expect(symlink(dir.path + "/nowhere", dir.path + "/dangling.csv") == 0)

        let (result, r) = try ingest([dir.path])
        func account(_ name: String) -> FileAccount? { result.inputs.first { $0.path.hasSuffix("/" + name) }?.account }
        #expect(account("fifo")?.fileError == "not a regular file")
        #expect(account("dangling.csv")?.fileError == "broken symbolic link")
        #expect(result.inputs.first { $0.path.hasSuffix("garbage.bin") }?.format == nil)
        #expect(account("empty.csv")?.lines == 0)
        let p = try #require(account("proxy.csv"))
        #expect(p.records == 2 && p.skipped == 1 && p.headers == 1 && p.lines == 4)
        let n = try #require(account("nss.jsonl"))
        #expect(n.records == 1 && n.skipped == 2 && n.examples.map(\.line) == [2, 3])
        let c = try #require(account("cut.csv.gz"))
        // Its one member could not be checked: its lines are skipped (a cut and damage near the
        // end look the same), the line the cut went through with them.
        #expect(c.fileError != nil && c.records == 0 && c.skipped > 0 && c.skipped < 30_000)
        #expect(c.skippedReasons.keys.sorted() == ["gzip member cut short before its check"])
        #expect(c.fileError?.hasPrefix("gzip member at byte 0 ends before its check") == true)
        let day = CivilDate(year: 2020, month: 3, day: 23).day
        #expect(r.value(.proxyRemoteUsers, bu: BusinessUnits.all, day: day) == 2)
        #expect(r.value(.proxyUsers, bu: BusinessUnits.all, day: day) == Double(3 + c.records))
    }

    @Test func customSourcesMapOtherExports() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        try write(dir.path + "/webex.csv", """
        Meeting Number,Attendee Email,Join Time,Leave Time,Host Email
        111,ann@x.example,2020-03-23T09:00:00Z,2020-03-23T09:30:00Z,ann@x.example
        111,bob@x.example,2020-03-23T09:01:00Z,2020-03-23T09:45:00Z,ann@x.example
        222,bob@x.example,2020-03-24T09:00:00Z,2020-03-24T10:00:00Z,bob@x.example

        """)
        try write(dir.path + "/gw.jsonl", """
        {"who":"cid@x.example","from":"2020-03-23T08:00:00Z","to":"2020-03-23T12:00:00Z","unit":"Field"}
        {"who":"dan@x.example","from":"2020-03-23T11:00:00Z","to":"","unit":"Field"}

        """)
        let config = try PlateauConfig.parse("""
        [[source]]
        name = "webex"
        kind = "meeting"
        [source.columns]
        meeting = "Meeting Number"
        user = "Attendee Email"
        start = "Join Time"
        end = "Leave Time"
        organizer = "Host Email"

        [[source]]
        name = "gateway"
        kind = "session"
        format = "jsonl"
        family = "vpn"
        [source.columns]
        user = "who"
        start = "from"
        end = "to"
        department = "unit"
        """, path: "p.toml")
        let (result, r) = try ingest([dir.path], settings: config.settings(timezone: .utc))
        #expect(result.inputs.map(\.format) == ["gateway", "webex"])
        let d = CivilDate(year: 2020, month: 3, day: 23).day
        #expect(r.value(.meetingsUsers, bu: BusinessUnits.all, day: d) == 2)
        #expect(r.value(.meetingsCount, bu: BusinessUnits.all, day: d) == 1)
        #expect(r.value(.meetingsMaxParticipants, bu: BusinessUnits.all, day: d) == 2)
        #expect(r.value(.meetingsCount, bu: BusinessUnits.all, day: d + 1) == 1)
        let field = UInt16(r.units.firstIndex(of: "Field")!)
        #expect(r.value(.vpnUsers, bu: field, day: d) == 2)
        // dan's open session lasts to the newest stamp of the source (12:00): both overlap at 11:00.
        #expect(r.value(.vpnPeakSessions, bu: field, day: d) == 2)
        #expect(r.value(.remoteUsers, bu: BusinessUnits.all, day: d) == 2)
    }

    @Test func directoryResolvesGuidsUPNsAndBareNames() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        try write(dir.path + "/people.csv", """
        user_id,upn,display_name,business_unit,country
        5D2F0A7E-1B2C-4D3E-9F00-AA11BB22CC33,JDoe@Corp.example,Jane Doe,France Networks,FR
        11111111-1b2c-4d3e-9f00-aa11bb22cc33,amy@corp.example,Amy,Italy,IT

        """)
        try write(dir.path + "/vpn.log", """
        <166>Mar 25 2020 08:01:02 asa-vpn-01 : %ASA-6-113039: Group <GP> User <jdoe> IP <198.51.100.42> AnyConnect parent session started.
        <164>Mar 25 2020 15:33:17 asa-vpn-01 : %ASA-4-113019: Group = GP, Username = jdoe, IP = 198.51.100.42, Session disconnected. Session Type: SSL, Duration: 7h:32m:15s, Bytes xmt: 1, Bytes rcv: 2, Reason: User Requested
        <166>Mar 25 2020 09:00:00 asa-vpn-01 : %ASA-6-113039: Group <GP> User <stranger> IP <198.51.100.7> AnyConnect parent session started.

        """)
        try write(dir.path + "/proxy.csv", """
        "datetime","user","department","location"
        "Wed Mar 25 09:14:02 2020","jdoe@corp.EXAMPLE","Wrong Dept","Road Warrior"
        "Wed Mar 25 09:14:03 2020","zed@corp.example","Own Dept","Road Warrior"

        """)
        var s = IngestSettings()
        s.sourceYears["vpn"] = 2020
        let (_, r) = try ingest([dir.path], settings: s)
        let d = CivilDate(year: 2020, month: 3, day: 25).day
        func bu(_ n: String) -> UInt16 { UInt16(r.units.firstIndex(of: n)!) }
        #expect(r.value(.vpnUsers, bu: bu("France Networks"), day: d) == 1)
        #expect(r.value(.vpnUsers, bu: BusinessUnits.unassigned, day: d) == 1)
        #expect(r.value(.proxyUsers, bu: bu("France Networks"), day: d) == 1)
        #expect(r.value(.proxyUsers, bu: bu("Own Dept"), day: d) == 1)
        #expect(r.units.contains("Wrong Dept") == false)
        // jdoe is one person across VPN and proxy: remote.users counts 3 people, not 4.
        #expect(r.value(.remoteUsers, bu: BusinessUnits.all, day: d) == 3)
    }
}

/// Every parser, fed through the line framer whole, one byte at a time and at random chunk
/// splits, gives the same facts and the same accounting (NIO's decoder-verifier idea).
@Suite struct ChunkingTests {
    func run(_ bytes: [UInt8], format: InputFormat, pieces: [Int], settings: IngestSettings, directory: Directory,
             units: BusinessUnits) -> (FileAccount, [String]) {
        let ctx = ParseContext(resolver: Resolver(directory: directory, units: units), settings: settings)
        var account = FileAccount()
        func feed<P: RecordParser>(_ p: inout P) {
            var f = LineFramer()
            var copy = bytes
            copy.withUnsafeMutableBytes { raw in
                var i = 0, k = 0
                while i < raw.count {
                    let n = max(1, min(pieces.isEmpty ? raw.count : pieces[k % pieces.count], raw.count - i))
                    f.feed(UnsafeMutableRawBufferPointer(rebasing: raw[i..<(i + n)]), { l, num in account.count(p.parse(l, number: num, ctx), line: num) },
                           overlong: { account.count(.skipped(Reasons.lineTooLong), line: $0) })
                    p.flush(ctx)  // as the drivers do after each chunk
                    i += n; k += 1
                }
            }
            f.finish({ l, num in account.count(p.parse(l, number: num, ctx), line: num) }, overlong: { account.count(.skipped(Reasons.lineTooLong), line: $0) })
            p.flush(ctx)
        }
        switch format {
        case .zscalerNSSCSV: var p = NSSCSVParser(); feed(&p)
        case .zscalerNSSJSON: var p = NSSJSONParser(); feed(&p)
        case .teamsCallRecords: var p = CallRecordLinesParser(); feed(&p)
        case .teamsUserActivity: var p = TeamsUserActivityParser(); feed(&p)
        case .teamsUserCounts: var p = TeamsUserCountsParser(); feed(&p)
        case .zpaUserStatus: var p = ZPAUserStatusParser(); feed(&p)
        case .zpaUserActivity: var p = ZPAUserActivityParser(); feed(&p)
        case .asaSyslog: var p = ASASyslogParser(settings: settings, fileModified: 1_585_000_000); feed(&p)
        case .sessionsCSV: var p = SessionsCSVParser(); feed(&p)
        case .directory: break
        // Remote access (issue 17).
        case .panosGlobalProtect: var p = GlobalProtectParser(settings: settings); feed(&p)
        case .fortigateKV: var p = FortiGateParser(settings: settings); feed(&p)
        case .pulseSecure: var p = PulseSecureParser(settings: settings); feed(&p)
        case .citrixADC: var p = CitrixADCParser(settings: settings); feed(&p)
        case .openVPNLog: var p = OpenVPNLogParser(settings: settings, fileModified: 1_585_000_000); feed(&p)
        case .openVPNStatus: var p = OpenVPNStatusParser(settings: settings); feed(&p)
        // Identity and Teams (issue 17): not in SampleLogs; IdentityParsersTests covers them.
        case .entraSignIns: var p = JSONLinesOf(EntraSignInParser()); feed(&p)
        case .m365AuditTeams: var p = JSONLinesOf(M365AuditTeamsParser()); feed(&p)
        case .teamsAttendance: break
        case .m365AuditCSV: var p = M365AuditCSVParser(); feed(&p)
        case .commonSecurityLog: var p = JSONLinesOf(CommonSecurityLogParser()); feed(&p)
        }
        var facts: [String] = []
        ctx.acc.facts.forEach { g, p in facts.append("\(g):\(p)") }
        for (id, m) in ctx.acc.meetings { facts.append("m\(id):\(m)") }
        for s in ctx.acc.sessions.flatMap({ $0 }) { facts.append("s\(s)") }
        for s in ctx.acc.vpnStarts { facts.append("v\(s)") }
        for (id, z) in ctx.acc.zpa { facts.append("z\(id):\(z)") }
        for e in ctx.acc.edges.flatMap({ $0 }) { facts.append("e\(e)") }
        for (k, v) in ctx.acc.organized { facts.append("o\(k):\(v)") }
        for (k, v) in ctx.acc.orgMeetingUsers { facts.append("u\(k):\(v)") }
        return (account, facts.sorted())
    }

    @Test func everyFormatIsIndependentOfHowItsBytesArrive() throws {
        let root = sampleLogsDirectory
        let inputs = try InputDiscovery.discover([root])
        var settings = IngestSettings()
        settings.sourceYears["vpn"] = 2020
        let units = BusinessUnits()
        let builder = DirectoryBuilder(hasher: settings.hasher, units: units)
        var dirParser = DirectoryParser(builder: builder)
        let dctx = ParseContext(resolver: Resolver(directory: builder.directory, units: units), settings: settings)
        var dbytes = try contents(root + "/directory/people.csv")
        var f = LineFramer()
        dbytes.withUnsafeMutableBytes { f.feed($0, { l, n in _ = dirParser.parse(l, number: n, dctx) }, overlong: { _ in }) }
        var seen = Set<InputFormat>()
        var rng = SplitMix64(seed: 42)
        // The first file of each format with records in its first 300 lines, cut there.
        for input in inputs {
            guard let format = input.format, format != .directory, !seen.contains(format),
                  format != .teamsCallRecords || input.jsonLines else { continue }
            var all = try contents(input.path)
            var lines = 0, end = all.count
            for (i, b) in all.enumerated() where b == 0x0A { lines += 1; if lines == 300 { end = i + 1; break } }
            all = Array(all[..<end])
            let whole = run(all, format: format, pieces: [], settings: settings, directory: builder.directory, units: units)
            guard whole.0.records > 0 else { continue }  // a quiet day's file: take the next one
            seen.insert(format)
            let bytewise = run(all, format: format, pieces: [1], settings: settings, directory: builder.directory, units: units)
            #expect(bytewise.0 == whole.0 && bytewise.1 == whole.1, "\(input.path) byte by byte")
            for _ in 0..<5 {
                let pieces = (0..<7).map { _ in 1 + rng.below(700) }
                let split = run(all, format: format, pieces: pieces, settings: settings, directory: builder.directory, units: units)
                #expect(split.0 == whole.0 && split.1 == whole.1, "\(input.path) in pieces \(pieces)")
            }
        }
        // OpenVPN status files (a live server's snapshots) are not generated: that parser is
        // checked whole, byte by byte and in random splits in RemoteAccessParserTests. The identity
        // and Teams formats (issue 17) are not in SampleLogs: IdentityParsersTests reads theirs.
        let elsewhere: Set<InputFormat> = [.openVPNStatus, .entraSignIns, .m365AuditTeams, .teamsAttendance, .m365AuditCSV, .commonSecurityLog]
        #expect(seen.union(elsewhere) == Set(InputFormat.allCases).subtracting([.directory]))
    }
}

/// Regressions found in review: each failed before its fix.
@Suite struct ReviewRegressionTests {
    @Test func aRangeEndingOnABlockBoundaryReadsItsLastLineOnce() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        // 64-byte lines: every 1 MiB block ends exactly at a line end.
        var text = "\"datetime\",\"user\",\"department\",\"location\"\n"
        let pad = 64 - "\"Mon Mar 23 09:14:02 2020\",\"u0000000@x.example\",\"Ops\",\"\"\n".utf8.count
        for i in 0..<60_000 {
            let id = String(i).padding(toLength: 7, withPad: "_", startingAt: 0)
            text += "\"Mon Mar 23 09:14:02 2020\",\"u\(id)@x.example\",\"Ops\",\"\(String(repeating: "x", count: pad))\"\n"
        }
        try write(dir.path + "/p.csv", text)
        let (result, r) = try ingest([dir.path], splitSize: Int64(FileReader.blockSize))
        let a = result.inputs[0].account
        #expect(a.lines == 60_001 && a.records == 60_000 && a.headers == 1)
        #expect(r.value(.proxyUsers, bu: BusinessUnits.all, day: CivilDate(year: 2020, month: 3, day: 23).day) == 60_000)
    }

    @Test func aSessionEndingAtMidnightIsNotOpenTheNextDay() {
        let d = CivilDate(year: 2020, month: 3, day: 24)
        let midnight = d.epochSecondsUTC
        let s = [ClosedSession(person: 1, bu: 2, start: midnight - 3600, end: midnight),
                 ClosedSession(person: 2, bu: 2, start: midnight - 7200, end: midnight),
                 ClosedSession(person: 3, bu: 2, start: midnight + 12 * 3600, end: midnight + 13 * 3600)]
        let peaks = PeakSweep.peaks(s, tz: .utc)
        #expect(peaks[.init(day: d.day - 1, bu: 2)] == 2)
        #expect(peaks[.init(day: d.day, bu: 2)] == 1)
        #expect(peaks[.init(day: d.day, bu: BusinessUnits.all)] == 1)
        // Sessions that end at a midnight, with nothing after: the day that starts then has no
        // cell at all (the data's range ends the day before, not on an empty day).
        let last = PeakSweep.peaks(Array(s.prefix(2)), tz: .utc)
        #expect(last[.init(day: d.day - 1, bu: 2)] == 2 && last[.init(day: d.day - 1, bu: BusinessUnits.all)] == 2)
        #expect(last[.init(day: d.day, bu: 2)] == nil && last[.init(day: d.day, bu: BusinessUnits.all)] == nil)
        // One BU's sessions end at the midnight while another's runs across it: no cell for the
        // first on the new day, the second and ALL at 1.
        let across = PeakSweep.peaks([ClosedSession(person: 1, bu: 3, start: midnight - 3600, end: midnight),
                                      ClosedSession(person: 2, bu: 2, start: midnight - 600, end: midnight + 600)], tz: .utc)
        #expect(across[.init(day: d.day, bu: 3)] == nil)
        #expect(across[.init(day: d.day, bu: 2)] == 1 && across[.init(day: d.day, bu: BusinessUnits.all)] == 1)
        #expect(across[.init(day: d.day - 1, bu: BusinessUnits.all)] == 2)
        // One ends and one starts at the same midnight, in a zone whose midnight is not UTC's:
        // they do not overlap, and the new day has the one that started.
        let paris = TimeZoneRules(identifier: "Europe/Paris")!
        let m = paris.startOfDay(d.day)
        let relay = PeakSweep.peaks([ClosedSession(person: 1, bu: 2, start: m - 3600, end: m),
                                     ClosedSession(person: 2, bu: 2, start: m, end: m + 3600)], tz: paris)
        #expect(relay[.init(day: d.day - 1, bu: 2)] == 1 && relay[.init(day: d.day, bu: 2)] == 1)
        #expect(relay[.init(day: d.day, bu: BusinessUnits.all)] == 1)
    }

    /// A stamp after the file was last written cannot be in it: a garbled year (2107) is a
    /// skipped line, not a review stretched over 87 years. Every record-reading format.
    @Test func stampsAfterTheFileWasWrittenAreSkipped() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        try write(dir.path + "/proxy.csv", "\"datetime\",\"user\",\"department\",\"location\"\n\"Wed Mar 25 09:00:00 2020\",\"a@x.example\",\"Ops\",\"HQ\"\n\"Thu Jan 03 09:00:00 2107\",\"b@x.example\",\"Ops\",\"HQ\"\n")
        try write(dir.path + "/vdi.csv", "user,start,end,host\na@x.example,2020-03-25T09:00:00Z,2020-03-25T10:00:00Z,h\nb@x.example,2107-01-03T09:00:00Z,2107-01-03T10:00:00Z,h\n")
        try write(dir.path + "/calls.jsonl", [("m1", "2020-03-25"), ("m2", "2107-01-03")].map { id, d in
            #"{"id":"\#(id)","type":"groupCall","startDateTime":"\#(d)T09:00:00Z","endDateTime":"\#(d)T09:30:00Z","participants":[{"user":{"id":"u1"}}]}"#
        }.joined(separator: "\n") + "\n")
        try write(dir.path + "/asa.log", ["Mar 25 2020", "Jan 03 2107"].map {
            "<166>\($0) 08:00:00 asa-vpn-01 : %ASA-6-113039: Group <GP> User <a> IP <198.51.100.1> AnyConnect parent session started.\n"
        }.joined())
        let (result, r) = try ingest([dir.path])
        #expect(result.inputs.count == 4)
        for input in result.inputs {
            #expect(input.account.records == 1, "\(input.path)")
            #expect(input.account.skippedReasons == ["time stamp after the file was last written": 1], "\(input.path)")
        }
        #expect(r.lastDay == CivilDate(year: 2020, month: 3, day: 25).day)
        // The same stamp in a file written after it is a record like any other.
        let later = timespec(tv_sec: Int(CivilDate(year: 2107, month: 1, day: 4).epochSecondsUTC), tv_nsec: 0)
        for name in ["proxy.csv", "vdi.csv", "calls.jsonl", "asa.log"] {
            var times = [later, later]
            #expect(utimensat(AT_FDCWD, dir.path + "/" + name, &times, 0) == 0)
        }
        let (again, _) = try ingest([dir.path])
        #expect(again.inputs.allSatisfy { $0.account.records == 2 && $0.account.skipped == 0 })
    }

    @Test func hostileCountsAndCenturySessionsAreSkipped() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        var rows = "Report Refresh Date,User Id,User Principal Name,Last Activity Date,Meeting Count,Meetings Organized Count,Meetings Attended Count\n"
        for i in 0..<12 { rows += "2020-03-25,,u\(i)@x.example,2020-03-24,1,999999999999999999,0\n" }
        rows += "2020-03-25,,ok@x.example,2020-03-24,1,2,0\n"
        try write(dir.path + "/activity.csv", rows)
        try write(dir.path + "/vdi.csv", "user,start,end,host\nold@x.example,1971-01-01T00:00:00Z,2149-01-01T00:00:00Z,h\nb@x.example,2020-03-23T10:30:00Z\nc@x.example,2020-03-23T10:30:00Z,,h\n")
        let (result, r) = try ingest([dir.path])
        func account(_ name: String) -> FileAccount { result.inputs.first { $0.path.hasSuffix(name) }!.account }
        #expect(account("activity.csv").skippedReasons == ["bad meeting count": 12])
        #expect(account("vdi.csv").skippedReasons == ["session longer than 31 days": 1, "missing columns": 1])
        #expect(r.value(.meetingsCount, bu: BusinessUnits.all, day: CivilDate(year: 2020, month: 3, day: 24).day) == 2)
        #expect(r.firstDay == CivilDate(year: 2020, month: 3, day: 23).day)  // no century-long range
    }

    @Test func linksToAParentDirectoryDoNotLoop() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        try write(dir.path + "/d/people.csv", "user_id,upn,business_unit\n1,a@x.example,Ops\n")
        #expect(symlink("..", dir.path + "/d/up") == 0)
        #expect(symlink("..", dir.path + "/d/up2") == 0)
        let found = try InputDiscovery.discover([dir.path])
        #expect(found.map { ($0.path as NSString).lastPathComponent } == ["people.csv"])
    }

    @Test func aPrettyPrintedGraphPageIsRead() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let page = """
        {
          "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#communications/callRecords",
          "value": [
            {
              "id": "m1",
              "type": "groupCall",
              "startDateTime": "2020-03-25T09:00:00Z",
              "endDateTime": "2020-03-25T09:30:00Z",
              "organizer": {"user": {"id": "a"}},
              "participants": [{"user": {"id": "a"}}, {"user": {"id": "b"}}]
            },
            {
              "id": "m2",
              "type": "peerToPeer",
              "startDateTime": "2020-03-25T10:00:00Z",
              "endDateTime": "2020-03-25T10:30:00Z",
              "participants": [{"user": {"id": "a"}}, {"user": {"id": "c"}}]
            }
          ]
        }

        """
        try write(dir.path + "/page.json", page)
        let (result, r) = try ingest([dir.path])
        #expect(result.inputs[0].format == "teams-callrecords")
        #expect(result.inputs[0].account.records == 1 && result.inputs[0].account.ignoredCount == 1)
        let d = CivilDate(year: 2020, month: 3, day: 25).day
        #expect(r.value(.meetingsUsers, bu: BusinessUnits.all, day: d) == 2)
        #expect(r.value(.meetingsMedianMinutes, bu: BusinessUnits.all, day: d) == 30)
    }

    @Test func theNSSTimeCacheKeepsEachLinesZone() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        try write(dir.path + "/p.csv", """
        datetime,user,department,location,tz
        Mon Mar 23 23:30:00 2020,a@x.example,Ops,HQ,UTC
        Mon Mar 23 23:30:00 2020,b@x.example,Ops,HQ,-0200

        """)
        let (_, r) = try ingest([dir.path])
        #expect(r.value(.proxyUsers, bu: BusinessUnits.all, day: CivilDate(year: 2020, month: 3, day: 23).day) == 1)
        #expect(r.value(.proxyUsers, bu: BusinessUnits.all, day: CivilDate(year: 2020, month: 3, day: 24).day) == 1)
    }
}
