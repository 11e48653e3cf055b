#if canImport(Glibc)
import Glibc
#endif

/// Splits a byte stream, fed in chunks of any size, into lines: `\n` ends a line, a `\r`
/// before it is dropped, a UTF-8 byte-order mark at the start of the stream is dropped, and
/// the line that straddles two chunks is carried over. Lines are handed out as mutable
/// slices of the chunk (or of the carry buffer) so parsers can unescape fields in place.
/// A line longer than `maxLine` is not buffered: it is reported once through `overlong`.
public struct LineFramer {
    public static let defaultMaxLine = 16 << 20

    private var carry: [UInt8] = []
    private var discarding = false
    private let maxLine: Int
    public private(set) var lineNumber = 0

    public init(maxLine: Int = LineFramer.defaultMaxLine) { self.maxLine = maxLine }

    /// Goes on from a stream read before (by another process): its lines are numbered on.
    public init(resumingAt lineNumber: Int, maxLine: Int = LineFramer.defaultMaxLine) {
        self.maxLine = maxLine
        self.lineNumber = lineNumber
    }

    public mutating func feed(_ chunk: UnsafeMutableRawBufferPointer, _ line: (Line, Int) -> Void, overlong: (Int) -> Void) {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        let n = chunk.count
        var start = 0
        while start < n {
            guard let nl = memchr(base + start, 0x0A, n - start) else {
                // No terminator in the rest of the chunk: carry it.
                let rest = n - start
                if discarding { return }
                if carry.count + rest > maxLine {
                    discarding = true
                    carry.removeAll(keepingCapacity: false)
                } else {
                    carry.append(contentsOf: UnsafeRawBufferPointer(start: base + start, count: rest))
                }
                return
            }
            let end = base.distance(to: UnsafeMutableRawPointer(nl))
            lineNumber += 1
            if discarding {
                discarding = false
                overlong(lineNumber)
            } else if !carry.isEmpty {
                if carry.count + (end - start) > maxLine {
                    carry.removeAll(keepingCapacity: false)
                    overlong(lineNumber)
                } else {
                    carry.append(contentsOf: UnsafeRawBufferPointer(start: base + start, count: end - start))
                    emitCarry(line)
                }
            } else if end - start > maxLine {
                overlong(lineNumber)
            } else {
                emit(UnsafeMutableRawBufferPointer(start: base + start, count: end - start), line)
            }
            start = end + 1
        }
    }

    /// No line is open: everything fed so far ended with a line feed.
    public var atLineStart: Bool { carry.isEmpty && !discarding }

    /// Ends the open line without handing it out (its bytes are dropped) and returns its
    /// number: a line whose bytes cannot be trusted.
    public mutating func abandonLine() -> Int {
        carry.removeAll(keepingCapacity: true)
        discarding = false
        lineNumber += 1
        return lineNumber
    }

    /// Ends the stream: a last line without a terminator is still a line.
    public mutating func finish(_ line: (Line, Int) -> Void, overlong: (Int) -> Void) {
        if discarding {
            discarding = false
            lineNumber += 1
            overlong(lineNumber)
        } else if !carry.isEmpty {
            lineNumber += 1
            emitCarry(line)
        }
    }

    private mutating func emitCarry(_ line: (Line, Int) -> Void) {
        var c = carry
        carry.removeAll(keepingCapacity: true)
        c.withUnsafeMutableBytes { emit($0, line) }
        if carry.capacity < c.capacity && c.capacity <= 1 << 20 { swap(&carry, &c); carry.removeAll(keepingCapacity: true) }
    }

    @inline(__always)
    private func emit(_ l: UnsafeMutableRawBufferPointer, _ line: (Line, Int) -> Void) {
        var s = l
        if s.count > 0, s[s.count - 1] == 0x0D { s = UnsafeMutableRawBufferPointer(rebasing: s[0..<(s.count - 1)]) }
        if lineNumber == 1, s.count >= 3, s[0] == 0xEF, s[1] == 0xBB, s[2] == 0xBF {
            s = UnsafeMutableRawBufferPointer(rebasing: s[3...])
        }
        line(s, lineNumber)
    }
}
