import Foundation
import Testing
@testable import PlateauCore

func gzipped(_ data: [UInt8], level: Int32 = 6) throws -> [UInt8] {
    let m = MemoryOutput()
    let z = try GzipOutput(m, level: level)
    var rng = SplitMix64(seed: UInt64(data.count))
    var i = 0
    while i < data.count {   // written in uneven pieces, as a ByteWriter would
        let n = min(data.count - i, 1 + rng.below(70_000))
        try data[i..<i + n].withUnsafeBytes { try z.write($0) }
        i += n
    }
    try z.close()
    return m.bytes
}

func gunzip(_ bytes: [UInt8], splits: (Int) -> Int) throws -> [UInt8] {
    let d = GzipDecoder()
    var out: [UInt8] = []
    var i = 0
    while i < bytes.count {
        let n = min(bytes.count - i, max(1, splits(i)))
        try bytes[i..<i + n].withUnsafeBytes { try d.feed($0) { out.append(contentsOf: $0) } }
        i += n
    }
    #expect(d.atMemberEnd)
    return out
}

struct GzipTests {
    let text: [UInt8] = {
        var rng = SplitMix64(seed: 11)
        var t: [UInt8] = []
        while t.count < 600_000 {
            t.append(contentsOf: Array("\"Mon Mar 23 09:14:02 2020\",\"user\(rng.below(5000))@corp.example\",\"Road Warrior\"\n".utf8))
            if rng.below(50) == 0 { t.append(contentsOf: (0..<rng.below(3000)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }) }
        }
        return t
    }()

    @Test func roundTripsWholeAndAtRandomSplits() throws {
        let z = try gzipped(text)
        #expect(z.count < text.count)
        #expect(try gunzip(z) { _ in z.count } == text)
        var rng = SplitMix64(seed: 5)
        #expect(try gunzip(z) { _ in 1 + rng.below(9_000) } == text)
    }

    @Test func decodesByteByByte() throws {
        let small = Array(text.prefix(20_000))
        let z = try gzipped(small)
        #expect(try gunzip(z) { _ in 1 } == small)
    }

    @Test func readsConcatenatedMembers() throws {
        let a = Array(text.prefix(1_000)), b = Array(text.dropFirst(1_000).prefix(5_000))
        let z = try gzipped(a) + gzipped(b, level: 1)
        var rng = SplitMix64(seed: 9)
        #expect(try gunzip(z) { _ in 1 + rng.below(300) } == a + b)
    }

    @Test func emptyInputGivesAValidEmptyStream() throws {
        let z = try gzipped([])
        #expect(z.count > 0)
        #expect(try gunzip(z) { _ in 3 } == [])
    }

    @Test func corruptDataThrowsAndTruncatedDataIsVisible() throws {
        var z = try gzipped(Array(text.prefix(50_000)))
        let d = GzipDecoder()
        try z.prefix(z.count / 2).withUnsafeBytes { try d.feed($0) { _ in } }
        #expect(!d.atMemberEnd)     // a truncated file is detectable by its reader
        z[z.count / 2] ^= 0xFF
        z[z.count / 2 + 1] ^= 0x5A
        #expect(throws: GzipError.self) {
            try z.withUnsafeBytes { try GzipDecoder().feed($0) { _ in } }
        }
        #expect(throws: GzipError.self) {
            try Array(repeating: UInt8(0x42), count: 64).withUnsafeBytes { try GzipDecoder().feed($0) { _ in } }
        }
    }
}
