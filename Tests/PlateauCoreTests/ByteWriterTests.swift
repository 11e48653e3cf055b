import Foundation
import Testing
@testable import PlateauCore

func written(_ body: (ByteWriter) throws -> Void) rethrows -> String {
    let m = MemoryOutput()
    let w = ByteWriter(m, blockSize: 16)
    try body(w)
    try? w.flush()
    return String(decoding: m.bytes, as: UTF8.self)
}

struct ByteWriterTests {
    @Test func integersMatchSwiftFormatting() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<2_000 {
            let v = Int(bitPattern: UInt(rng.next())) >> rng.below(63)
            #expect(written { $0.int(v) } == String(v))
        }
        #expect(written { $0.int(Int.min) } == String(Int.min))
        #expect(written { $0.padded(7, 3) } == "007")
        #expect(written { $0.padded(2020, 2) } == "2020")
        #expect(written { $0.hex(0xABC, digits: 5) } == "00abc")
    }

    @Test func jsonStringsEscapeWhatRFC8259Requires() throws {
        let s = "a\"b\\c\nd\te\u{01}f é"
        let out = written { $0.jsonString(s) }
        #expect(out == #""a\"b\\c\nd\te\u0001f é""#)
        let back = try JSONSerialization.jsonObject(with: Data("[\(out)]".utf8)) as? [String]
        #expect(back == [s])
    }

    @Test func csvFieldsAreQuotedOnlyWhenNeeded() {
        #expect(written { $0.csvField("plain") } == "plain")
        #expect(written { $0.csvField("Martin, Jean") } == "\"Martin, Jean\"")
        #expect(written { $0.csvField("say \"hi\"") } == "\"say \"\"hi\"\"\"")
    }

    @Test func timeStampsMatchFoundationFormatters() {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        var rng = SplitMix64(seed: 3)
        for _ in 0..<500 {
            let t = Int64(rng.below(2_000_000_000))
            let date = Date(timeIntervalSince1970: TimeInterval(t))
            f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'"
            #expect(written { $0.isoUTC(t) } == f.string(from: date))
            f.dateFormat = "EEE MMM dd HH:mm:ss yyyy"
            #expect(written { $0.nssTime(t) } == f.string(from: date))
            f.dateFormat = "MMM dd yyyy HH:mm:ss"
            #expect(written { $0.syslogTime(t, withYear: true) } == f.string(from: date))
        }
        #expect(written { $0.syslogTime(1_583_395_200 + 3_600, withYear: false) } == "Mar  5 09:00:00")
        #expect(written { $0.isoOffset(1_585_126_931, offsetSeconds: 3_600) } == "2020-03-25T10:02:11+01:00")
        #expect(written { $0.isoOffset(1_585_126_931, offsetSeconds: -16_200) } == "2020-03-25T04:32:11-04:30")
        #expect(written { $0.isoUTC(1_585_126_931, fraction: 7, fractionValue: 42) } == "2020-03-25T09:02:11.0000042Z")
    }

    @Test func linesAreCountedAndFlushedInBlocks() throws {
        let m = MemoryOutput()
        let w = ByteWriter(m, blockSize: 10)
        for i in 0..<100 { w.int(i); try w.endLine(crlf: i % 2 == 0) }
        #expect(w.linesWritten == 100)
        #expect(!m.bytes.isEmpty)        // flushed along the way, not only at close
        try w.close()
        #expect(m.closed)
        let text = String(decoding: m.bytes, as: UTF8.self)
        #expect(text.hasPrefix("0\r\n1\n2\r\n"))
        #expect(m.bytes.filter { $0 == 0x0A }.count == 100)
        #expect(m.bytes.filter { $0 == 0x0D }.count == 50)
    }
}
