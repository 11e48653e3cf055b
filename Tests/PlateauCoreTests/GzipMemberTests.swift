import Foundation
import Testing
@testable import PlateauCore

/// Proxy lines (NSS CSV), one distinct user per line, all on 2020-03-23.
func nssLines(_ prefix: String, _ n: Int, pad: Int = 0) -> String {
    let tail = String(repeating: "x", count: pad)
    return (0..<n).map { "\"Mon Mar 23 09:14:02 2020\",\"\(prefix)\($0)@corp.example\",\"Ops\",\"Road Warrior\",\"teams.microsoft.com/\(tail)\"\n" }.joined()
}

let nssHeader = "\"datetime\",\"user\",\"department\",\"location\",\"url\"\n"

/// The bytes of `text` gzipped as one member.
func member(_ text: String, level: Int32 = 6) throws -> [UInt8] { try gzipped(Array(text.utf8), level: level) }

/// `bytes` with `count` bytes from `offset` (from its end when negative) overwritten by `with`.
func damage(_ bytes: [UInt8], at offset: Int, count: Int = 30, with fill: UInt8 = UInt8(ascii: "R")) -> [UInt8] {
    var b = bytes
    let start = offset < 0 ? b.count + offset : offset
    for i in start..<min(b.count, start + count) { b[i] = fill }
    return b
}

/// Distinct proxy users of 2020-03-23 in the rollups.
func proxyUsers(_ r: Rollups) -> Double? {
    r.value(.proxyUsers, bu: BusinessUnits.all, day: CivilDate(iso: "2020-03-23")!.day)
}

func expectAddsUp(_ a: FileAccount, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.lines == a.records + a.ignoredCount + a.skipped + a.headers, "\(a)", sourceLocation: sourceLocation)
}

@Suite(.serialized) struct GzipMemberTests {
    static let failed = "gzip member failed its check"
    static let cut = "gzip member cut short before its check"

    /// Issue 14: the last 30 bytes of the second member of two overwritten. zlib made 17
    /// records of a user "R" of them; now member 1 counts, member 2's lines are skipped.
    @Test func aDamagedLastMemberCountsNothingAndTheFirstCountsWhole() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path + "/proxy.csv.gz"
        try Data(try member(nssHeader + nssLines("a", 300)) + damage(try member(nssLines("b", 300)), at: -30)).write(to: URL(fileURLWithPath: path))
        let (result, rollups) = try ingest([dir.path])
        let a = try #require(result.inputs.first?.account)
        #expect(a.records == 300 && a.headers == 1)
        // zlib waits for more data: the damage made the member run on past the file's end.
        #expect(a.skippedReasons.keys.sorted() == [Self.cut], "\(a.skippedReasons)")
        #expect(a.skipped >= 290)
        expectAddsUp(a)
        let m1 = try member(nssHeader + nssLines("a", 300))
        #expect(a.fileError == "gzip member at byte \(m1.count) ends before its check (the data stops inside it: cut short, or damaged near its end): its lines are skipped")
        #expect(proxyUsers(rollups) == 300)
    }

    /// A damaged member between two good ones: both good members count exactly, whether
    /// members are held whole (small) or parsed as they inflate (longer than the hold).
    @Test(arguments: [false, true])
    func theMembersAroundADamagedOneCountExactly(long: Bool) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path + "/proxy.csv.gz"
        // Long members: over 4 MiB of text each (42,000 lines of about 130 bytes).
        let n = long ? 42_000 : 500
        let m1 = try member(nssHeader + nssLines("a", n, pad: 40)), m3 = try member(nssLines("c", n, pad: 40))
        let m2 = damage(try member(nssLines("b", n, pad: 40)), at: -30)
        try Data(m1 + m2 + m3).write(to: URL(fileURLWithPath: path))
        let (result, rollups) = try ingest([dir.path])
        let a = try #require(result.inputs.first?.account)
        #expect(a.records == 2 * n, "\(a)")
        #expect(Set(a.skippedReasons.keys) == [Self.failed], "\(a.skippedReasons)")
        #expect(a.skipped >= (long ? n - 100 : 1))
        expectAddsUp(a)
        #expect(a.fileError?.contains("byte \(m1.count)") == true, "\(a.fileError ?? "nil")")
        #expect(proxyUsers(rollups) == Double(2 * n))
        #expect(rollups.value(.proxyRemoteUsers, bu: BusinessUnits.all, day: CivilDate(iso: "2020-03-23")!.day) == Double(2 * n))
    }

    /// Found by the `gzip` fuzz target: after a damaged member, the hunt for the next one met
    /// bytes that look like a member header whose extra field (its length read from the bytes
    /// after it) runs past the file's end, swallowing the last member: that one was lost.
    /// Now a member found after such a candidate settles it as no member.
    @Test(arguments: [[0x1F, 0x8B, 0x08, 0x04, 0, 0, 0, 0, 0, 0xFF, 0x00, 0x7F] as [UInt8],
                      [0x1F, 0x8B, 0x08, 0x1D, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF] as [UInt8]])
    func aLookAlikeHeaderAfterADamagedMemberDoesNotSwallowTheNext(lookAlike: [UInt8]) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path + "/proxy.csv.gz"
        let m1 = try member(nssHeader + nssLines("a", 100)), m3 = try member(nssLines("c", 100))
        let m2 = damage(try member(nssLines("b", 100)), at: -6, count: 1)  // its length: it ends, and fails
        try Data(m1 + m2 + lookAlike + m3).write(to: URL(fileURLWithPath: path))
        let (result, rollups) = try ingest([dir.path])
        let a = try #require(result.inputs.first?.account)
        #expect(a.records == 200, "\(a)")
        #expect(Set(a.skippedReasons.keys) == [Self.failed], "\(a.skippedReasons)")
        expectAddsUp(a)
        #expect(proxyUsers(rollups) == 200)
    }

    /// Damage anywhere in the middle member (header, data, trailer), 60 places: the good
    /// members always count whole, the damaged one whole or not at all, never a phantom user.
    @Test func damageAnywhereNeverInventsAUser() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let m1 = try member(nssHeader + nssLines("a", 200)), m2 = try member(nssLines("b", 200)), m3 = try member(nssLines("c", 200))
        var rng = SplitMix64(seed: 14)
        for k in 0..<60 {
            let at = k < 10 ? k * 3 : rng.below(m2.count - 8)
            let path = dir.path + "/d\(k).csv.gz"
            try Data(m1 + damage(m2, at: at, count: 1 + rng.below(30), with: UInt8(truncatingIfNeeded: rng.next())) + m3)
                .write(to: URL(fileURLWithPath: path))
            let (result, rollups) = try ingest([path])
            let a = try #require(result.inputs.first?.account)
            #expect(a.records == 400 || (a.records == 600 && a.skipped == 0), "damage at \(at): \(a)")
            expectAddsUp(a)
            #expect(proxyUsers(rollups) == Double(a.records), "damage at \(at)")
            try FileManager.default.removeItem(atPath: path)
        }
    }

    /// bgzip-style members, cut every 64 KiB inside lines: a damaged member spoils the lines
    /// it touches (the two it shares with its neighbours too), every other line counts.
    @Test func bgzipStyleMembersCutInsideLines() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let text = Array((nssHeader + nssLines("u", 5000)).utf8)
        var members: [[UInt8]] = []
        var cuts: [Int] = []
        var i = 0
        while i < text.count {
            let j = min(text.count, i + 65_280)
            members.append(try gzipped(Array(text[i..<j])))
            cuts.append(i)
            i = j
        }
        cuts.append(text.count)
        let bad = 3
        members[bad] = damage(members[bad], at: -30)
        try Data(members.flatMap { $0 }).write(to: URL(fileURLWithPath: dir.path + "/b.csv.gz"))
        // Lines wholly outside the damaged member's text.
        var starts = [0]
        for (k, c) in text.enumerated() where c == 0x0A { starts.append(k + 1) }
        var intact = 0
        for (s, e) in zip(starts, starts.dropFirst()) where e <= cuts[bad] || s >= cuts[bad + 1] { intact += 1 }
        let (result, rollups) = try ingest([dir.path])
        let a = try #require(result.inputs.first?.account)
        #expect(a.records == intact - 1, "\(a)")  // less the header
        #expect(Set(a.skippedReasons.keys) == [Self.failed])
        expectAddsUp(a)
        #expect(proxyUsers(rollups) == Double(intact - 1))
    }

    /// A member the data stops in cannot be checked: a cut and damage near its end look the
    /// same to zlib (it waits for more data). Its lines are skipped, the members before count.
    @Test(arguments: [false, true])
    func aMemberCutShortCountsNothing(long: Bool) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let n = long ? 42_000 : 3000
        let m1 = try member(nssHeader + nssLines("a", 100)), m2 = try member(nssLines("b", n, pad: 40))
        try Data(m1 + m2.prefix(m2.count * 2 / 3)).write(to: URL(fileURLWithPath: dir.path + "/c.csv.gz"))
        let (result, rollups) = try ingest([dir.path])
        let a = try #require(result.inputs.first?.account)
        #expect(a.records == 100)
        #expect(a.skippedReasons.keys.sorted() == ["gzip member cut short before its check"])
        #expect(a.skipped > n / 2)
        #expect(a.fileError?.hasPrefix("gzip member at byte \(m1.count) ends before its check") == true, "\(a.fileError ?? "nil")")
        expectAddsUp(a)
        #expect(proxyUsers(rollups) == 100)
    }

    /// Junk after the last member and zero padding between members.
    @Test func paddingIsSkippedAndTrailingJunkReported() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let m1 = try member(nssHeader + nssLines("a", 50)), m2 = try member(nssLines("b", 50))
        try Data(m1 + [UInt8](repeating: 0, count: 7) + m2).write(to: URL(fileURLWithPath: dir.path + "/p.csv.gz"))
        try Data(m1 + Array("not gzip at all\n".utf8)).write(to: URL(fileURLWithPath: dir.path + "/j.csv.gz"))
        let (result, _) = try ingest([dir.path])
        let p = try #require(result.inputs.first { $0.path.hasSuffix("p.csv.gz") }?.account)
        #expect(p.records == 100 && p.skipped == 0 && p.fileError == nil)
        let j = try #require(result.inputs.first { $0.path.hasSuffix("j.csv.gz") }?.account)
        #expect(j.records == 50 && j.skipped == 0)
        #expect(j.fileError?.contains("at byte \(m1.count)") == true, "\(j.fileError ?? "nil")")
    }

    /// Call records as a gzip Graph page: the records of a damaged member are skipped.
    @Test func aDamagedMemberOfAJSONDocument() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        func records(_ p: String, _ n: Int) -> String {
            (0..<n).map { callRecord(id: "\(p)\($0)", organizer: "\(p)o\($0)", participants: ["\(p)o\($0)", "\(p)p\($0)"]) }.joined(separator: ",\n") 
        }
        let m1 = try member("{\"value\":[\n" + records("a", 100) + ",\n")
        let m2 = damage(try member(records("b", 100) + ",\n"), at: -30)
        let m3 = try member(records("c", 100) + "\n]}\n")
        try Data(m1 + m2 + m3).write(to: URL(fileURLWithPath: dir.path + "/page.json.gz"))
        let (result, _) = try ingest([dir.path])
        let a = try #require(result.inputs.first?.account)
        #expect(result.accumulator.meetings.count == a.records)
        #expect(a.records == 199, "\(a)")  // the record the damaged member cut in two is lost with it
        #expect(a.skippedReasons[Self.failed, default: 0] >= 90, "\(a.skippedReasons)")
        #expect(a.fileError?.contains("failed its check") == true)
        let ids = Set(result.accumulator.meetings.keys)
        for k in 0..<100 { #expect(!ids.contains(IdentityHasher().hash("b\(k)"))) }
    }

    /// The live follower (and through it the store) reads the same as a batch: the members
    /// around a damaged one count, the damaged one does not; a member still being written
    /// counts nothing until its end, held or long.
    @Test(arguments: [false, true])
    func theFollowerReadsAsTheBatch(long: Bool) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let n = long ? 42_000 : 400
        let m1 = try member(nssHeader + nssLines("a", n, pad: 40)), m3 = try member(nssLines("c", n, pad: 40))
        let m2 = damage(try member(nssLines("b", n, pad: 40)), at: -30)
        let path = dir.path + "/proxy.csv.gz"
        let live = LiveIngest(roots: [dir.path], settings: followSettings())
        try append(path, m1 + m2 + m3.prefix(m3.count / 2))
        var c = live.poll()
        #expect(live.totalRecords == n, "\(c)")
        try append(path, Array(m3.dropFirst(m3.count / 2)))
        c = live.poll()
        #expect(live.totalRecords == 2 * n, "\(c)")
        try expectSameAsBatch(live, dir.path, "long \(long)")
        let a = try #require(live.inputs.first?.account)
        #expect(Set(a.skippedReasons.keys) == [Self.failed])
        expectAddsUp(a)
        #expect(a.fileError?.contains("failed its check") == true)
        #expect(proxyUsers(live.rollups()) == Double(2 * n))
    }
}
