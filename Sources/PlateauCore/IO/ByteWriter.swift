/// A buffered writer of bytes with the few formatting primitives log lines need.
/// Lines are assembled in place — never as a `String` per line — and flushed to the output
/// in large blocks.
public final class ByteWriter {
    public let output: ByteOutput
    private var buffer: [UInt8]
    private let flushAt: Int
    public private(set) var bytesWritten: Int64 = 0
    public private(set) var linesWritten: Int = 0

    public init(_ output: ByteOutput, blockSize: Int = 1 << 20) {
        self.output = output
        flushAt = blockSize
        buffer = []
        buffer.reserveCapacity(blockSize + 64 * 1024)
    }

    @inline(__always)
    public func byte(_ b: UInt8) { buffer.append(b) }

    @inline(__always)
    public func ascii(_ s: StaticString) {
        s.withUTF8Buffer { buffer.append(contentsOf: $0) }
    }


    public func text(_ s: String) {
        var s = s
        s.withUTF8 { buffer.append(contentsOf: $0) }
    }


    public func bytes(_ b: [UInt8]) { buffer.append(contentsOf: b) }

    public func bytes(_ b: ArraySlice<UInt8>) { buffer.append(contentsOf: b) }

    /// A decimal integer.

    public func int(_ v: Int) {
        if v < 0 { buffer.append(UInt8(ascii: "-")) }
        var x = v.magnitude
        if x < 10 { buffer.append(UInt8(truncatingIfNeeded: x) + 48); return }
        var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                  UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &tmp) { t in
            while x > 0 { t[n] = UInt8(truncatingIfNeeded: x % 10) + 48; x /= 10; n += 1 }
            for i in stride(from: n - 1, through: 0, by: -1) { buffer.append(t[i]) }
        }
    }

    /// A non-negative integer padded with zeros to `width` digits.

    public func padded(_ v: Int, _ width: Int) {
        var digits = 1, p = 10
        while v >= p { digits += 1; p *= 10 }
        for _ in 0..<max(0, width - digits) { buffer.append(48) }
        int(v)
    }

    /// A lower-case hexadecimal number of exactly `digits` digits (the low bits of `v`).

    public func hex(_ v: UInt64, digits: Int) {
        for i in stride(from: digits - 1, through: 0, by: -1) {
            let n = UInt8((v >> (UInt64(i) * 4)) & 0xF)
            buffer.append(n < 10 ? n + 48 : n + 87)
        }
    }

    /// A JSON string literal with the escapes RFC 8259 requires, and DEL and the C1 controls
    /// (U+007F–U+009F: U+009B is an 8-bit CSI) escaped too, so a terminal showing the JSON
    /// cannot be driven by a log's text.

    public func jsonString(_ s: String) {
        buffer.append(UInt8(ascii: "\""))
        var afterC2 = false  // the previous byte was 0xC2, the lead byte of U+0080–U+00BF
        for b in s.utf8 {
            if afterC2 {
                afterC2 = false
                if b < 0xA0 { ascii("\\u00"); hex(UInt64(b), digits: 2); continue }
                buffer.append(0xC2)
            }
            switch b {
            case 0xC2: afterC2 = true
            case 0x7F: ascii("\\u007f")
            case UInt8(ascii: "\""): buffer.append(92); buffer.append(b)
            case UInt8(ascii: "\\"): buffer.append(92); buffer.append(b)
            case 0x0A: buffer.append(92); buffer.append(UInt8(ascii: "n"))
            case 0x0D: buffer.append(92); buffer.append(UInt8(ascii: "r"))
            case 0x09: buffer.append(92); buffer.append(UInt8(ascii: "t"))
            case 0..<0x20:
                ascii("\\u00"); hex(UInt64(b), digits: 2)
            default: buffer.append(b)
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }

    /// A CSV field, quoted (RFC 4180) only when it must be.

    public func csvField(_ s: String) {
        var needs = false
        for b in s.utf8 where b == UInt8(ascii: ",") || b == UInt8(ascii: "\"") || b == 0x0A || b == 0x0D {
            needs = true; break
        }
        if !needs { text(s); return }
        csvQuoted(s)
    }

    /// A CSV field, always quoted.

    public func csvQuoted(_ s: String) {
        buffer.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            if b == UInt8(ascii: "\"") { buffer.append(b) }
            buffer.append(b)
        }
        buffer.append(UInt8(ascii: "\""))
    }

    /// Ends a line (`\n`, or `\r\n` when asked) and flushes a full block.

    public func endLine(crlf: Bool = false) throws {
        if crlf { buffer.append(0x0D) }
        buffer.append(0x0A)
        linesWritten += 1
        if buffer.count >= flushAt { try flush() }
    }

    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try output.write($0) }
        bytesWritten += Int64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    public func close() throws {
        try flush()
        try output.close()
    }
}
