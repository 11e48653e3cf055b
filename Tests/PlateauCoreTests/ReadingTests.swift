import Foundation
import Testing
@testable import PlateauCore

/// Feeds `bytes` to a LineFramer in the given piece sizes; returns (number, line) pairs and
/// the numbers of over-long lines.
func frame(_ bytes: [UInt8], pieces: [Int], maxLine: Int = LineFramer.defaultMaxLine) -> ([String], [Int]) {
    var f = LineFramer(maxLine: maxLine)
    var out: [String] = [], long: [Int] = []
    var copy = bytes
    var i = 0, k = 0
    copy.withUnsafeMutableBytes { raw in
        while i < raw.count {
            let n = max(1, min(pieces.isEmpty ? raw.count : pieces[k % pieces.count], raw.count - i))
            f.feed(UnsafeMutableRawBufferPointer(rebasing: raw[i..<(i + n)]), { l, num in out.append("\(num):" + String(decoding: l, as: UTF8.self)) }, overlong: { long.append($0) })
            i += n; k += 1
        }
    }
    f.finish({ l, num in out.append("\(num):" + String(decoding: l, as: UTF8.self)) }, overlong: { long.append($0) })
    return (out, long)
}

@Suite struct LineFramerTests {
    let text: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n\nlast".utf8)

    @Test func wholeByteByByteAndRandomSplitsAgree() {
        let whole = frame(text, pieces: [])
        #expect(whole.0 == ["1:a,b", "2:\"x, y\",\"say \"\"hi\"\"\"", "3:", "4:last"])
        #expect(frame(text, pieces: [1]) == whole)
        var rng = SplitMix64(seed: 7)
        for _ in 0..<200 {
            let pieces = (0..<8).map { _ in 1 + rng.below(9) }
            #expect(frame(text, pieces: pieces) == whole)
        }
    }

    @Test func overlongLinesAreReportedOnceAndNotBuffered() {
        let big = [UInt8](repeating: 0x41, count: 5000)
        let bytes = Array("ok\n".utf8) + big + Array("\nafter\n".utf8) + big
        for pieces in [[], [1], [7], [4096]] {
            let (lines, long) = frame(bytes, pieces: pieces, maxLine: 1000)
            #expect(lines == ["1:ok", "3:after"])
            #expect(long == [2, 4])
        }
    }

    @Test func emptyInputHasNoLines() {
        #expect(frame([], pieces: []).0.isEmpty)
    }
}

@Suite struct CSVFieldsTests {
    func split(_ s: String) -> ([String], Bool) {
        var bytes = Array(s.utf8)
        var f = CSVFields()
        return bytes.withUnsafeMutableBytes { raw in
            let ok = f.split(raw)
            return ((0..<f.count).map { String(decoding: f[$0], as: UTF8.self) }, ok)
        }
    }

    @Test func quotedCommasAndDoubledQuotes() {
        #expect(split("a,\"b, c\",\"d \"\"e\"\"\",") == (["a", "b, c", "d \"e\"", ""], true))
        #expect(split("") == ([""], true))
        #expect(split(",,") == (["", "", ""], true))
        #expect(split("\"open, never closed").1 == false)
    }
}

@Suite struct FileReaderTests {
    /// Reading a file as many byte ranges sees every line exactly once, whatever the cuts.
    @Test func rangesPartitionTheLines() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        var rng = SplitMix64(seed: 3)
        var text = ""
        for i in 0..<2000 { text += String(repeating: "x", count: rng.below(40)) + "line \(i)\n" }
        text += "no newline at the end"
        let path = dir.path + "/f.csv"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let size = Int64(text.utf8.count)
        let expected = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for _ in 0..<30 {
            var cuts = Set((0..<rng.below(12)).map { _ in Int64(rng.below(Int(size))) })
            cuts.insert(0)
            let bounds = cuts.sorted() + [size]
            var seen: [String] = []
            for (a, b) in zip(bounds, bounds.dropFirst()) where a < b {
                var f = LineFramer()
                try FileReader.read(path, compressed: false, range: a..<b) { chunk in
                    f.feed(chunk, { l, _ in seen.append(String(decoding: l, as: UTF8.self)) }, overlong: { _ in })
                }
                f.finish({ l, _ in seen.append(String(decoding: l, as: UTF8.self)) }, overlong: { _ in })
            }
            #expect(seen == expected)
        }
    }

    @Test func gzipCutShortKeepsTheLinesBefore() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path + "/a.csv.gz"
        let out = try GzipOutput(FileOutput(path: path))
        let text = (0..<20000).map { "row \($0)" }.joined(separator: "\n") + "\n"
        try Array(text.utf8).withUnsafeBytes { try out.write($0) }
        try out.close()
        let full = try Data(contentsOf: URL(fileURLWithPath: path))
        try full.prefix(full.count / 2).write(to: URL(fileURLWithPath: path))
        var n = 0
        var f = LineFramer()
        #expect(throws: ReadError.cutShort) {
            try FileReader.read(path, compressed: true) { chunk in f.feed(chunk, { _, _ in n += 1 }, overlong: { _ in }) }
        }
        #expect(n > 0 && n < 20000)
    }
}

@Suite struct TimeZoneRulesTests {
    let paris = TimeZoneRules(identifier: "Europe/Paris")!

    @Test func localDaysAcrossDaylightSavingChanges() {
        // 2020-03-29: clocks go 02:00 → 03:00 (UTC 01:00). 22:30 UTC on 03-28 is 23:30 local.
        let mar28 = CivilDate(year: 2020, month: 3, day: 28).epochSecondsUTC
        #expect(paris.localDay(mar28 + 22 * 3600 + 1800) == CivilDate(year: 2020, month: 3, day: 28).day)
        #expect(paris.localDay(mar28 + 23 * 3600 + 1800) == CivilDate(year: 2020, month: 3, day: 29).day)
        // After the change, 22:30 UTC on 03-29 is 00:30 local on 03-30.
        let mar29 = CivilDate(year: 2020, month: 3, day: 29).epochSecondsUTC
        #expect(paris.localDay(mar29 + 22 * 3600 + 1800) == CivilDate(year: 2020, month: 3, day: 30).day)
        // The local day 2020-03-29 is 23 hours long.
        let d = CivilDate(year: 2020, month: 3, day: 29).day
        #expect(paris.startOfDay(d + 1) - paris.startOfDay(d) == 23 * 3600)
        let o = CivilDate(year: 2020, month: 10, day: 25).day
        #expect(paris.startOfDay(o + 1) - paris.startOfDay(o) == 25 * 3600)
    }

    @Test func wallClockInGapAndOverlap() {
        let local = Int64(CivilDate(year: 2020, month: 3, day: 29).day) * 86_400
        // 02:30 does not exist: read with the offset before the change, it is 01:30 UTC (03:30 CEST).
        #expect(paris.utc(localSeconds: local + 9000) == CivilDate(year: 2020, month: 3, day: 29).epochSecondsUTC + 5400)
        // 02:30 on 10-25 happens twice: the first (CEST, 00:30 UTC) is taken.
        let oct = Int64(CivilDate(year: 2020, month: 10, day: 25).day) * 86_400
        #expect(paris.utc(localSeconds: oct + 9000) == CivilDate(year: 2020, month: 10, day: 25).epochSecondsUTC + 1800)
    }
}

@Suite struct TimeParsingTests {
    func iso(_ s: String, _ z: TimeZoneRules = .utc) -> Int64? {
        Array(s.utf8).withUnsafeBytes { try? TimeParsing.iso8601($0, zone: z) }
    }

    @Test func isoSpellings() {
        let base = CivilDate(year: 2020, month: 3, day: 25).epochSecondsUTC + 9 * 3600 + 12
        #expect(iso("2020-03-25T09:00:12Z") == base)
        #expect(iso("2020-03-25T09:00:12.5628089Z") == base)
        #expect(iso("2020-03-25T10:00:12+01:00") == base)
        #expect(iso("2020-03-25T10:00:12+0100") == base)
        #expect(iso("2020-03-25 10:00:12", TimeZoneRules(identifier: "Europe/Paris")!) == base)
        #expect(iso("2020-02-30T10:00:12Z") == nil)
        #expect(iso("2020-03-25T10:00") == CivilDate(year: 2020, month: 3, day: 25).epochSecondsUTC + 36000)
        #expect(iso("garbage!!!!!!") == nil)
        let e: TimeError? = Array("2020-02-30T10:00:12Z".utf8).withUnsafeBytes { (b) -> TimeError? in
            do { _ = try TimeParsing.iso8601(b, zone: .utc); return nil } catch { return error as? TimeError }
        }
        #expect(e == .impossible)
    }

    @Test func consoleExportSpellings() {
        func any(_ s: String) -> Int64? { Array(s.utf8).withUnsafeBytes { try? TimeParsing.any($0, zone: .utc) } }
        let base = CivilDate(year: 2020, month: 3, day: 25).epochSecondsUTC
        #expect(any("3/25/2020 8:02:11 PM") == base + 20 * 3600 + 131)
        #expect(any("3/25/2020 12:05 AM") == base + 300)
        #expect(any("1585123200") == base + 8 * 3600)
        #expect(any("1585123200000") == base + 8 * 3600)
        #expect(any("Wed Mar 25 08:00:00 2020") == base + 8 * 3600)
        #expect(any("2/30/2020 8:00") == nil)
    }

    @Test func nssStamps() {
        func nss(_ s: String) -> Int64? { Array(s.utf8).withUnsafeBytes { try? TimeParsing.nss($0, zone: .utc) } }
        #expect(nss("Mon Mar 23 09:14:02 2020") == CivilDate(year: 2020, month: 3, day: 23).epochSecondsUTC + 33242)
        #expect(nss("Sun Feb 30 09:14:02 2020") == nil)
        #expect(nss("Mon Mar 23 09:14:02") == nil)
    }
}

@Suite struct TimeParsingHostileTests {
    /// Long digit runs, cut stamps and random bytes never trap (a day of 12 digits once
    /// overflowed and read past the end).
    @Test func nssStampsNeverTrap() {
        var rng = SplitMix64(seed: 5)
        var cases = ["Mon Mar 123456789012 12", "Mon Mar 99999999999999999999 09:14:02 2020", "Mon Mar 23 09:14:0", "Mon Mar 2", "Mon Mar  ",
                     "Mon Mar 23 09:14:02 20200", "Mon Mar 23 09:14:02 2150"]
        for _ in 0..<5000 {
            let base = Array("Mon Mar 23 09:14:02 2020".utf8)
            var b = Array(base.prefix(rng.below(base.count + 1)))
            for _ in 0..<rng.below(4) where !b.isEmpty { b[rng.below(b.count)] = UInt8(truncatingIfNeeded: rng.next()) }
            cases.append(String(decoding: b, as: UTF8.self))
        }
        for c in cases {
            let r: Int64? = Array(c.utf8).withUnsafeBytes { try? TimeParsing.nss($0, zone: .utc) }
            if let r { #expect(r > 0 && r < 5_680_000_000, "\(c)") }
        }
    }
}
