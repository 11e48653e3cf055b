import Foundation
import Testing
@testable import PlateauCore

/// A few hundred real lines of each format, cut from SampleLogs.
struct FollowSample {
    var name: String
    var format: InputFormat
    /// The header line (with its newline) of CSV formats, else empty.
    var header: [UInt8]
    /// The lines after the header.
    var body: [[UInt8]]

    static let all: [FollowSample] = {
        let root = sampleLogsDirectory
        let picks: [(String, InputFormat)] = [
            ("proxy/nss-web-2020-03-24.csv.gz", .zscalerNSSCSV),
            ("teams/activity/TeamsUserActivityUserDetail_2020-03-24.csv.gz", .teamsUserActivity),
            ("teams/TeamsUserActivityUserCounts.csv", .teamsUserCounts),
            ("teams/callrecords/callrecords-2020-W13.jsonl.gz", .teamsCallRecords),
            ("zpa/user-activity-2020-03.jsonl.gz", .zpaUserActivity),
            ("zpa/user-status-2020-03.jsonl.gz", .zpaUserStatus),
            ("vpn/asa-vpn-01-2020-03.log.gz", .asaSyslog),
            ("vpn/asa-vpn-02.log.gz", .asaSyslog),
            ("vdi/sessions-2020-03.csv.gz", .sessionsCSV),
        ]
        var out: [FollowSample] = []
        for (file, format) in picks {
            let bytes = (try? contents(root + "/" + file)) ?? []
            var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) + [0x0A] }
            if lines.last == [0x0A] { lines.removeLast() }
            let csv: Set<InputFormat> = [.zscalerNSSCSV, .teamsUserActivity, .teamsUserCounts, .sessionsCSV]
            let header = csv.contains(format) ? lines.removeFirst() : []
            let name = (file as NSString).lastPathComponent.replacingOccurrences(of: ".gz", with: "")
            out.append(FollowSample(name: name, format: format, header: header, body: Array(lines.prefix(240))))
        }
        return out
    }()

    static let directory: [UInt8] = (try? contents(sampleLogsDirectory + "/directory/people.csv")) ?? []

    func bytes(_ r: Range<Int>, header withHeader: Bool = true) -> [UInt8] {
        (withHeader ? header : []) + body[r].flatMap { $0 }
    }

    /// The body lines from `a`/6 to `b`/6 of the way.
    func sixths(_ a: Int, _ b: Int, header withHeader: Bool = true) -> [UInt8] {
        bytes((body.count * a / 6)..<(body.count * b / 6), header: withHeader)
    }
}

func followSettings() -> IngestSettings {
    var s = IngestSettings()
    s.timezone = TimeZoneRules(identifier: "Europe/Paris")!
    s.sourceYears["vpn"] = 2020
    s.sourceZones["vpn"] = TimeZoneRules(identifier: "Europe/Paris")!
    return s
}

// MARK: file operations, as loggers and logrotate do them

func append(_ path: String, _ bytes: [UInt8]) throws {
    if !FileManager.default.fileExists(atPath: path) {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: path, contents: nil)
    }
    let h = try FileHandle(forWritingAtPath: path).unwrap()
    defer { try? h.close() }
    try h.seekToEnd()
    try h.write(contentsOf: Data(bytes))
}

func truncateFile(_ path: String) {
    _ = truncate(path, 0)
}

func moveFile(_ from: String, _ to: String) {
    _ = rename(from, to)
}

func copyFile(_ from: String, _ to: String, gzip: Bool) throws {
    let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: from)))
    if gzip {
        let out = try GzipOutput(FileOutput(path: to))
        try data.withUnsafeBytes { try out.write($0) }
        try out.close()
    } else {
        try Data(data).write(to: URL(fileURLWithPath: to))
    }
}

extension Optional {
    func unwrap() throws -> Wrapped {
        guard let v = self else { throw CocoaError(.fileNoSuchFile) }
        return v
    }
}

/// Line totals over every input.
struct Totals: Equatable, CustomStringConvertible {
    var lines = 0, records = 0, ignored = 0, skipped = 0, headers = 0
    init(_ inputs: [InputReport]) {
        for i in inputs {
            lines += i.account.lines; records += i.account.records; ignored += i.account.ignoredCount
            skipped += i.account.skipped; headers += i.account.headers
        }
    }
    var description: String { "lines \(lines) records \(records) ignored \(ignored) skipped \(skipped) headers \(headers)" }
}

/// The rollups and accounting totals of `live` are those of a batch ingest of `dir` now.
func expectSameAsBatch(_ live: LiveIngest, _ dir: String, _ note: String = "", sourceLocation: SourceLocation = #_sourceLocation) throws {
    let (result, batch) = try ingest([dir], settings: followSettings())
    let r = live.rollups()
    let a = cells(r), b = cells(batch)
    #expect(!b.isEmpty, sourceLocation: sourceLocation)
    #expect(a == b, "\(note): \(a.count) cells live, \(b.count) batch; first difference \(a.first { b[$0.key] != $0.value }.map { "\($0.key) live \($0.value) batch \(b[$0.key] ?? -1)" } ?? b.first { a[$0.key] == nil }.map { "\($0.key) missing live" } ?? "")", sourceLocation: sourceLocation)
    #expect(r.metrics == batch.metrics, sourceLocation: sourceLocation)
    #expect(r.firstDay == batch.firstDay && r.lastDay == batch.lastDay, sourceLocation: sourceLocation)
    #expect(r.duplicateMeetings == batch.duplicateMeetings, sourceLocation: sourceLocation)
    let counted = result.inputs.filter { $0.format != nil }
    #expect(Totals(live.inputs) == Totals(counted), "\(note)", sourceLocation: sourceLocation)
    if Totals(live.inputs) != Totals(counted) {
        for i in live.inputs { print("live  \(i.path) \(Totals([i])) \(i.account.fileError ?? "")") }
        for i in counted { print("batch \(i.path) \(Totals([i]))") }
    }
    #expect(live.totalRecords == Totals(counted).records, sourceLocation: sourceLocation)
    #expect(live.skippedLines == Totals(counted).skipped, sourceLocation: sourceLocation)
}

@Suite(.serialized) struct FollowTests {
    func setUp() throws -> (TempDir, LiveIngest) {
        let dir = TempDir()
        try append(dir.path + "/directory/people.csv", FollowSample.directory)
        return (dir, LiveIngest(roots: [dir.path], settings: followSettings()))
    }

    @Test func theSamplesHaveRecords() {
        #expect(FollowSample.all.count == 9)
        for s in FollowSample.all { #expect(s.body.count >= 12, "\(s.name)") }
    }

    @Test func appendsInPiecesAreReadOnceAndAPartialLineWaitsForItsNewline() throws {
        let (dir, live) = try setUp(); defer { dir.cleanup() }
        let first = live.poll()
        #expect(first.changed && first.filesAdded.count == 1)
        var rng = SplitMix64(seed: 7)
        for s in FollowSample.all {
            let path = dir.path + "/logs/" + s.name
            let all = s.bytes(0..<s.body.count)
            var written = 0
            while written < all.count {
                let n = min(all.count - written, 1 + rng.below(3000))
                try append(path, Array(all[written..<(written + n)]))
                written += n
                _ = live.poll()
                // Complete lines only: the one still being written is not counted yet.
                let complete = all[0..<written].filter { $0 == 0x0A }.count
                let report = live.inputs.first { $0.path == path }
                #expect(report?.account.lines ?? 0 == complete || (report?.format == nil && complete <= 1), "\(s.name) at \(written)")
            }
        }
        try expectSameAsBatch(live, dir.path, "appends")
        #expect(live.filesFollowed == FollowSample.all.count + 1)
    }

    @Test func anIdlePollChangesNothing() throws {
        let (dir, live) = try setUp(); defer { dir.cleanup() }
        for s in FollowSample.all { try append(dir.path + "/" + s.name, s.bytes(0..<s.body.count)) }
        #expect(live.poll().recordsAdded > 0)
        let before = cells(live.rollups())
        let totals = Totals(live.inputs)
        for _ in 0..<3 {
            let c = live.poll()
            #expect(!c.changed && c == LiveChange())
        }
        #expect(cells(live.rollups()) == before)  // rollups are repeatable
        #expect(Totals(live.inputs) == totals)
        try expectSameAsBatch(live, dir.path, "idle")
    }

    @Test func newFilesInNewDirectoriesAreFound() throws {
        let (dir, live) = try setUp(); defer { dir.cleanup() }
        _ = live.poll()
        let s = FollowSample.all[0]
        let path = dir.path + "/new/deeper/" + s.name
        try append(path, s.bytes(0..<50))
        let c = live.poll()
        #expect(c.filesAdded == [path])
        #expect(c.recordsAdded > 0 && c.linesAdded == 51)
        try expectSameAsBatch(live, dir.path, "new file")
    }

    @Test func aRenamedFileIsReadOnFromWhereItWas() throws {
        let (dir, live) = try setUp(); defer { dir.cleanup() }
        for s in FollowSample.all {
            let path = dir.path + "/" + s.name
            try append(path, s.sixths(0, 2))
            _ = live.poll()
            moveFile(path, path + ".1")
            try append(path + ".1", s.sixths(2, 3, header: false))  // the writer still holds it open
            try append(path, s.sixths(3, 6))  // the new file, with its own header
            let c = live.poll()
            #expect(c.filesRotated == [path + ".1"], "\(s.name)")
            #expect(c.filesAdded == [path], "\(s.name)")
            // The renamed CSV goes on with its header: its new rows are records, not "no header".
            let renamed = live.inputs.first { $0.path == path + ".1" }
            #expect(renamed?.account.lines == s.header.count.signum() + s.body.count * 3 / 6, "\(s.name)")
            #expect(renamed?.account.skippedReasons[Reasons.noHeader.text] == nil, "\(s.name)")
        }
        try expectSameAsBatch(live, dir.path, "rename")
    }

    @Test func copyTruncateIsNotCountedTwice() throws {
        for (gzip, pollBetween) in [(false, false), (true, false), (false, true), (true, true)] {
            let (dir, live) = try setUp(); defer { dir.cleanup() }
            for s in FollowSample.all {
                let path = dir.path + "/" + s.name
                try append(path, s.sixths(0, 2))
                _ = live.poll()
                try append(path, s.sixths(2, 3, header: false))  // not polled before the rotation
                let copy = path + (gzip ? ".1.gz" : ".1")
                try copyFile(path, copy, gzip: gzip)
                if pollBetween {
                    let c = live.poll()  // the copy first, the truncation later
                    #expect(c.copiesRecognised == [copy], "\(s.name)")
                }
                truncateFile(path)
                try append(path, s.sixths(3, 6))
                let c = live.poll()
                #expect(c.filesTruncated == [path], "\(s.name)")
                #expect(c.copiesRecognised == [copy], "\(s.name) \(c)")
            }
            try expectSameAsBatch(live, dir.path, "copy-truncate gzip \(gzip) poll between \(pollBetween)")
        }
    }

    /// The copy of a copy-truncate seen while it is still being written: empty, or half done.
    @Test func aCopySeenHalfWrittenIsNotCountedTwice() throws {
        for half in [false, true] {
            let (dir, live) = try setUp(); defer { dir.cleanup() }
            for s in FollowSample.all {
                let path = dir.path + "/" + s.name, copy = path + ".1"
                try append(path, s.sixths(0, 2))
                _ = live.poll()
                try append(path, s.sixths(2, 4, header: false))
                let all = try contents(path)
                let cut = half ? all.count / 2 : 0
                try append(copy, Array(all[0..<cut]))
                _ = live.poll()
                try append(copy, Array(all[cut...]))
                truncateFile(path)
                try append(path, s.sixths(4, 6))
                _ = live.poll()
            }
            try expectSameAsBatch(live, dir.path, "copy half written \(half)")
        }
    }

    /// A copy-truncate caught between the copy and the truncation when following starts:
    /// one of the two is read, whichever name sorts first; the other is held, and takes over
    /// (or hands over, if it is the one still written to).
    @Test func aCopyPresentAtTheFirstPollIsNotCountedTwice() throws {
        for copyFirst in [false, true] {
            let (dir, live) = try setUp(); defer { dir.cleanup() }
            for s in FollowSample.all {
                let path = dir.path + "/b-" + s.name
                let copy = copyFirst ? dir.path + "/a-" + s.name : path + ".1.gz"
                try append(path, s.sixths(0, 3))
                try copyFile(path, copy, gzip: !copyFirst)
            }
            let first = live.poll()
            #expect(first.copiesRecognised.count == FollowSample.all.count)
            for s in FollowSample.all {
                let path = dir.path + "/b-" + s.name
                let copy = copyFirst ? dir.path + "/a-" + s.name : path + ".1.gz"
                if copyFirst {
                    try append(path, s.sixths(3, 6, header: false))  // the original goes on
                    #expect(live.poll().copiesRecognised == [copy], "\(s.name)")
                    _ = unlink(copy)
                } else {
                    truncateFile(path)  // the truncation, then new lines
                    try append(path, s.sixths(3, 6))
                    #expect(live.poll().copiesRecognised == [copy], "\(s.name)")
                }
            }
            _ = live.poll()
            try expectSameAsBatch(live, dir.path, "copy present at the first poll, copy first \(copyFirst)")
        }
    }

    @Test func aCopyOfAFileStillGrowingIsNotCountedAgain() throws {
        let (dir, live) = try setUp(); defer { dir.cleanup() }
        let s = FollowSample.all[3]  // call records, JSON lines
        let path = dir.path + "/" + s.name
        try append(path, s.bytes(0..<60))
        _ = live.poll()
        try copyFile(path, dir.path + "/backup.jsonl", gzip: false)
        try append(path, s.bytes(60..<90))
        let c = live.poll()
        #expect(c.copiesRecognised == [dir.path + "/backup.jsonl"])
        #expect(c.linesAdded == 30)
        #expect(live.totalRecords + live.inputs.reduce(0) { $0 + $1.account.ignoredCount } == 90 + FollowSample.directory.filter { $0 == 0x0A }.count - 1)
    }

    @Test func aFileThatOnlyStartsLikeAnotherIsReadAfterAll() throws {
        let (dir, live) = try setUp(); defer { dir.cleanup() }
        let s = FollowSample.all[0]  // NSS CSV: every file starts with the same header
        try append(dir.path + "/a.csv", s.header)
        _ = live.poll()
        try append(dir.path + "/b.csv", s.bytes(0..<40))
        _ = live.poll()
        try append(dir.path + "/a.csv", s.bytes(40..<60, header: false))
        _ = live.poll()
        try expectSameAsBatch(live, dir.path, "same header")
        // A new file with the header alone is a file of its own, not a copy of the others.
        try append(dir.path + "/c.csv", s.header)
        #expect(live.poll().filesAdded == [dir.path + "/c.csv"])
        #expect(live.inputs.first { $0.path == dir.path + "/c.csv" }?.account.headers == 1)
        try expectSameAsBatch(live, dir.path, "header only")
    }

    @Test func aReplacedFileIsReadFromTheStart() throws {
        let (dir, live) = try setUp(); defer { dir.cleanup() }
        let s = FollowSample.all[4]  // ZPA activity, JSON lines
        let path = dir.path + "/" + s.name
        try append(path, s.bytes(0..<50))
        _ = live.poll()
        let before = live.totalLines
        try append(dir.path + "/tmp", s.bytes(100..<130))
        moveFile(dir.path + "/tmp", path)
        let c = live.poll()
        #expect(c.filesGone.contains(path) && c.filesAdded == [path])
        #expect(c.linesAdded == 30 && live.totalLines == before + 30)
        // A replacement that starts with everything the old file held is not read again.
        try append(dir.path + "/tmp", s.bytes(100..<140))
        moveFile(dir.path + "/tmp", path)
        let d = live.poll()
        #expect(d.copiesRecognised == [path] && d.linesAdded == 10)
    }

    @Test func aJSONDocumentIsReadWholeAndAgainWhenReplaced() throws {
        let (dir, live) = try setUp(); defer { dir.cleanup() }
        let page = try contents(sampleLogsDirectory + "/teams/callrecords/graph-page-2020-03-17.json")
        try append(dir.path + "/page.json", page)
        _ = live.poll()
        try expectSameAsBatch(live, dir.path, "document")
        let lines = live.totalLines
        try append(dir.path + "/tmp", page)
        moveFile(dir.path + "/tmp", dir.path + "/page.json")
        let c = live.poll()
        #expect(c.changed && live.totalLines == lines)
        #expect(!live.poll().changed)
        try expectSameAsBatch(live, dir.path, "document replaced")
    }

    @Test func aDirectoryChangeReadsEverythingAgain() throws {
        let (dir, live) = try setUp(); defer { dir.cleanup() }
        for s in FollowSample.all { try append(dir.path + "/" + s.name, s.sixths(0, 4)) }
        _ = live.poll()
        try append(dir.path + "/directory/people.csv", Array("00000000-0000-4000-8000-00000000abcd,new.person@aurore-energy.example,New Person,New Unit,FR\n".utf8))
        let c = live.poll()
        #expect(c.reingested && live.reingestCount == 1)
        try expectSameAsBatch(live, dir.path, "directory change")
    }

    @Test func aRenamedFileLaterCompressedIsNotCountedAgain() throws {
        for pollBetween in [false, true] {
            let (dir, live) = try setUp(); defer { dir.cleanup() }
            for s in FollowSample.all {
                let path = dir.path + "/" + s.name
                try append(path, s.sixths(0, 2))
                _ = live.poll()
                moveFile(path, path + ".1")
                try append(path + ".1", s.sixths(2, 3, header: false))
                try append(path, s.sixths(3, 5))
                _ = live.poll()
                try append(path + ".1", s.sixths(5, 6, header: false))  // written after the last poll
                // logrotate's delayed compression: app.log.1 → app.log.1.gz, then app.log.1 goes.
                try copyFile(path + ".1", path + ".1.gz", gzip: true)
                if pollBetween {
                    let c = live.poll()
                    #expect(c.copiesRecognised == [path + ".1.gz"] && c.linesAdded == s.body.count * 6 / 6 - s.body.count * 5 / 6, "\(s.name)")
                }
                _ = unlink(path + ".1")
                let c = live.poll()
                #expect(c.filesGone == [path + ".1"] && c.copiesRecognised == [path + ".1.gz"], "\(s.name) \(c)")
            }
            try expectSameAsBatch(live, dir.path, "rename then compress, poll between \(pollBetween)")
        }
    }

    @Test func theFirstPollOfSampleLogsIsABatchIngest() throws {
        var settings = IngestSettings()
        settings.timezone = TimeZoneRules(identifier: "Europe/Paris")!
        settings.sourceYears["vpn"] = 2020
        let live = LiveIngest(roots: [sampleLogsDirectory], settings: settings)
        let first = live.poll()
        let (result, batch) = try ingest([sampleLogsDirectory], settings: settings)
        #expect(cells(live.rollups()) == cells(batch))
        #expect(cells(live.rollups()) == cells(batch))  // and again: building rollups keeps the state
        #expect(live.rollups().duplicateMeetings == 25)
        #expect(Totals(live.inputs) == Totals(result.inputs))
        #expect(live.inputs.map(\.path) == result.inputs.map(\.path))
        for (a, b) in zip(live.inputs, result.inputs) {
            #expect(a.account == b.account && a.format == b.format, "\(a.path)")
        }
        #expect(first.recordsAdded == Totals(result.inputs).records)
        #expect(live.newestRecord == batch.newestRecord)
        #expect(!live.poll().changed)
    }

    @Test func inLiveModeAnOpenSessionLastsUntilNow() throws {
        let (dir, live) = try setUp(); defer { dir.cleanup() }
        try append(dir.path + "/vdi.csv", Array("user,start,end,host\nsomeone@x.example,2020-03-25T20:00:00+01:00,,VDI-1\n".utf8))
        _ = live.poll()
        let start = Int64(1_585_162_800)  // 2020-03-25T19:00:00Z
        let day = TimeZoneRules(identifier: "Europe/Paris")!.localDay(start)
        let batch = live.rollups()
        #expect(batch.value(.vdiUsers, bu: BusinessUnits.all, day: day) == 1)
        #expect(batch.value(.vdiUsers, bu: BusinessUnits.all, day: day + 1) == nil)
        let now = live.rollups(now: start + 30 * 3600)
        #expect(now.value(.vdiUsers, bu: BusinessUnits.all, day: day + 1) == 1)  // open until the 24 h cap
        #expect(cells(live.rollups()) == cells(batch))  // the state is unchanged
    }

    /// The test that matters: any sequence of appends (cut anywhere), polls, renames,
    /// copy-truncates (plain or gzip copies) and new files ends with the numbers of a batch
    /// ingest of the files as they are then.
    @Test(arguments: 1...24)
    func anySequenceEndsWithTheBatchNumbers(seed: UInt64) throws {
        let (dir, live) = try setUp(); defer { dir.cleanup() }
        var rng = SplitMix64(seed: seed)
        enum Op { case write(String, [UInt8]), move(String, String), copy(String, String, Bool), truncate(String) }
        func pieces(_ path: String, _ bytes: [UInt8]) -> [Op] {
            var out: [Op] = [], i = 0
            while i < bytes.count { let n = min(bytes.count - i, 1 + rng.below(4000)); out.append(.write(path, Array(bytes[i..<(i + n)]))); i += n }
            return out
        }
        var scripts: [[Op]] = []
        for (k, s) in FollowSample.all.enumerated() {
            let path = dir.path + "/logs/" + s.name
            let n = s.body.count, a = n / 3, b = 2 * n / 3
            var ops: [Op] = []
            switch (Int(seed) + k) % 4 {
            case 0:  // appends only
                ops = pieces(path, s.bytes(0..<n))
            case 1:  // rename rotation
                ops = pieces(path, s.bytes(0..<a)) + [.move(path, path + ".1")]
                    + pieces(path + ".1", s.bytes(a..<b, header: false)) + pieces(path, s.bytes(b..<n))
            default:  // copy-truncate, the copy plain or gzip
                let gz = (Int(seed) + k) % 4 == 3
                let copy = path + (gz ? ".1.gz" : ".1")
                ops = pieces(path, s.bytes(0..<b)) + [.copy(path, copy, gz), .truncate(path)] + pieces(path, s.bytes(b..<n))
            }
            scripts.append(ops)
        }
        var next = Array(repeating: 0, count: scripts.count)
        var polls = 0
        while let k = (0..<scripts.count).filter({ next[$0] < scripts[$0].count }).randomElement(using: &rng) {
            switch scripts[k][next[k]] {
            case .write(let p, let b): try append(p, b)
            case .move(let a, let b): moveFile(a, b)
            case .copy(let a, let b, let gz): try copyFile(a, b, gzip: gz)
            case .truncate(let p): truncateFile(p)
            }
            next[k] += 1
            if rng.below(3) == 0 { _ = live.poll(); polls += 1 }
        }
        _ = live.poll()
        #expect(polls > 10)
        try expectSameAsBatch(live, dir.path, "seed \(seed)")
        #expect(!live.poll().changed)
    }
}

/// The cost of following SampleLogs: the first poll (everything) and idle polls (nothing new),
/// printed, never asserted. `PLATEAU_MEASURE=1 swift test -c release --filter FollowCost`.
@Suite struct FollowCost {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["PLATEAU_MEASURE"] != nil))
    func idlePollsOnSampleLogs() throws {
        let tmp = TempDir(); defer { tmp.cleanup() }
        let root = tmp.path + "/SampleLogs"
        try FileManager.default.copyItem(atPath: sampleLogsDirectory, toPath: root)
        let config = try PlateauConfig.load(path: root + "/plateau.toml")
        let settings = config.settings(timezone: TimeZoneRules(identifier: config.timezone ?? "UTC")!)
        let exclude = Set([root + "/plateau.toml", root + "/rules.toml"].map(FileInfo.canonical))
        let clock = ContinuousClock()
        // A batch ingest first (it also warms the page cache for the comparison).
        let batch = clock.measure {
            let r = Ingest(settings: settings).run(try! InputDiscovery.discover([root], custom: settings.customSources, exclude: exclude))
            _ = RollupBuilder.build(r)
        }
        let live = LiveIngest(roots: [root], settings: settings, exclude: exclude)
        var first = LiveChange()
        let t1 = clock.measure { first = live.poll() }
        var rollups = Rollups(units: [])
        let t2 = clock.measure { rollups = live.rollups() }
        let polls = 200
        var changed = 0
        let idle = clock.measure { for _ in 0..<polls { if live.poll().changed { changed += 1 } } }
        let scan = clock.measure { for _ in 0..<polls { _ = FileScan.scan([root]) } }
        // One line appended to one file, then the rollups again (what the dashboard does).
        let vdi = root + "/vdi/open.csv"
        try append(vdi, Array("user,start,end,host\n".utf8))
        _ = live.poll()
        var appended = LiveChange()
        let t3 = clock.measure { try? append(vdi, Array("someone@x.example,2020-05-10T08:00:00+02:00,,VDI-1\n".utf8)); appended = live.poll() }
        let t4 = clock.measure { rollups = live.rollups() }
        print("""
            FollowCost: one line appended: poll \(t3) (\(appended.linesAdded) line, \(appended.recordsAdded) record), rollups \(t4)
            FollowCost: \(live.filesFollowed) files followed, \(live.totalLines) lines, \(first.recordsAdded) records, \(rollups.metrics.count) metrics
            FollowCost: first poll \(t1), rollups \(t2), batch ingest + rollups \(batch)
            FollowCost: idle poll \(idle / polls) each (\(changed) of \(polls) reported a change); of which the walk and stats \(scan / polls)
            """)
    }
}
