/// Why a JSON text could not be read (FORMATS.md, "Accounting").
public enum JSONError: Error, Equatable, Sendable {
    /// The input ended inside a value: the record was cut short.
    case truncated
    /// Bytes that are not JSON (or nesting deeper than `JSONScanner.maxDepth`).
    case malformed
    /// A complete, valid JSON value that is not an object.
    case notAnObject
    /// A complete object followed by more than whitespace on its line: the line is not one
    /// record (FORMATS.md: a line has exactly one outcome).
    case textAfterValue

    public var reason: Reason {
        switch self {
        case .truncated: return Reasons.truncatedJSON
        case .malformed: return Reasons.malformedJSON
        case .notAnObject: return Reasons.notAnObject
        case .textAfterValue: return Reasons.textAfterValue
        }
    }
}

/// A pull scanner over one JSON document held in a byte slice: no allocation, one pass.
///
/// The document's root is entered with `enterRoot()`; inside an object, `nextKey()` returns
/// each member's key (nil once the closing `}` is consumed) and leaves the scanner in front of
/// the member's value; inside an array, `nextElement()` does the same for elements. The value
/// in front of the scanner is then read (`string()`, `value()`), entered (`enterObject()`,
/// `enterArray()`) or left alone: the next `nextKey()`/`nextElement()` skips it. Everything
/// skipped is still validated, and `finish()` validates the rest of the document, so a parser
/// that calls it learns whether the line was truncated, malformed or not an object whatever
/// fields it looked at.
///
/// Strings come back decoded. Over a mutable `Line` a string with escapes is decoded in place
/// (the decoded bytes are never longer than the escaped ones), so those bytes of the line
/// change: do not scan the same line twice. Over read-only `Bytes`, escaped strings are
/// decoded into the caller's scratch buffer, or come back as nil when it is full.
///
/// Whitespace is accepted wherever JSON allows it; strings may hold raw control bytes and
/// invalid UTF-8 (logs do), but never an unpaired quote. Nesting is capped at `maxDepth`
/// (deeper is `.malformed`), so no input can exhaust the stack or trap.
public struct JSONScanner {
    public static let maxDepth = 64

    /// The kind of the value in front of the scanner.
    public enum Kind: UInt8, Sendable { case object, array, string, number, bool, null }

    /// A value read by `value()`: a string's decoded bytes, the text of a number, `true`,
    /// `false` or `null`, or the raw span (brackets included) of an object or array.
    public struct Value {
        public var kind: Kind
        public var bytes: Bytes
    }

    @usableFromInline let buf: UnsafeMutableRawBufferPointer
    @usableFromInline let writable: Bool
    @usableFromInline var scratch: UnsafeMutableRawBufferPointer
    @usableFromInline var scratchUsed = 0
    /// Index of the next unread byte.
    public private(set) var position = 0
    /// Containers entered and not yet closed (0: at the root).
    public private(set) var depth = 0
    /// Bit d-1 set: the container at depth d is an array.
    @usableFromInline var arrays: UInt64 = 0
    /// Bit d-1 set: nothing read yet in the container at depth d.
    @usableFromInline var fresh: UInt64 = 0
    /// A value is in front of the scanner, not yet read.
    @usableFromInline var pending = true

    /// Scans a mutable line; escaped strings are decoded in place.
    public init(_ line: Line) {
        buf = line
        writable = true
        scratch = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    }

    /// Scans read-only bytes; escaped strings are decoded into `scratch` (one after another)
    /// and come back as nil once it is full.
    public init(_ bytes: Bytes, scratch: UnsafeMutableRawBufferPointer = UnsafeMutableRawBufferPointer(start: nil, count: 0)) {
        buf = UnsafeMutableRawBufferPointer(mutating: bytes)
        writable = false
        self.scratch = scratch
    }

    // MARK: Navigation

    /// Enters the root object. A complete root value that is not an object throws
    /// `.notAnObject` (after checking nothing follows it); an empty input is `.truncated`.
    public mutating func enterRoot() throws(JSONError) {
        guard depth == 0, pending else { throw .malformed }
        if try peekKind() == .object { push(array: false); return }
        try skipValue()
        skipWhitespace()
        if position < buf.count { throw .malformed }
        throw .notAnObject
    }

    /// The next member's key of the current object, with the scanner in front of its value;
    /// nil once the object's `}` is consumed (then `depth` is one less). Skips the previous
    /// member's value if it was not read.
    @inline(__always)
    public mutating func nextKey() throws(JSONError) -> Bytes? {
        guard depth > 0 else { throw .malformed }
        let bit: UInt64 = 1 << UInt64(depth - 1)
        guard arrays & bit == 0 else { throw .malformed }
        if pending { try skipValue() }
        skipWhitespace()
        guard position < buf.count else { throw .truncated }
        var c = buf[position]
        if c == 0x7D { position += 1; pop(); return nil }  // }
        if fresh & bit != 0 {
            fresh &= ~bit
        } else {
            guard c == ASCII.comma else { throw .malformed }
            position += 1
            skipWhitespace()
            guard position < buf.count else { throw .truncated }
            c = buf[position]
        }
        guard c == ASCII.quote else { throw .malformed }
        let s = try scanString()
        skipWhitespace()
        guard position < buf.count else { throw .truncated }
        guard buf[position] == ASCII.colon else { throw .malformed }
        position += 1
        pending = true
        if s.escaped { return decode(s.start, s.end) ?? slice(s.start, s.end) }
        return slice(s.start, s.end)
    }

    /// Moves to the next element of the current array (true), or consumes its `]` (false,
    /// and `depth` is one less). Skips the previous element if it was not read.
    @inline(__always)
    public mutating func nextElement() throws(JSONError) -> Bool {
        guard depth > 0 else { throw .malformed }
        let bit: UInt64 = 1 << UInt64(depth - 1)
        guard arrays & bit != 0 else { throw .malformed }
        if pending { try skipValue() }
        skipWhitespace()
        guard position < buf.count else { throw .truncated }
        let c = buf[position]
        if c == 0x5D { position += 1; pop(); return false }  // ]
        if fresh & bit != 0 {
            fresh &= ~bit
        } else {
            guard c == ASCII.comma else { throw .malformed }
            position += 1
        }
        pending = true
        return true
    }

    /// The kind of the value in front of the scanner, without reading it.
    @inline(__always)
    public mutating func peekKind() throws(JSONError) -> Kind {
        guard pending else { throw .malformed }
        skipWhitespace()
        guard position < buf.count else { throw .truncated }
        switch buf[position] {
        case 0x7B: return .object
        case 0x5B: return .array
        case ASCII.quote: return .string
        case 0x74, 0x66: return .bool   // t f
        case 0x6E: return .null        // n
        case 0x2D, 0x30...0x39: return .number
        default: throw .malformed
        }
    }

    /// Enters the value in front of the scanner if it is an object (true); otherwise skips
    /// it (false).
    @inline(__always)
    public mutating func enterObject() throws(JSONError) -> Bool {
        guard try peekKind() == .object else { try skipValue(); return false }
        guard depth < JSONScanner.maxDepth else { throw .malformed }
        push(array: false)
        return true
    }

    /// Enters the value in front of the scanner if it is an array (true); otherwise skips
    /// it (false).
    @inline(__always)
    public mutating func enterArray() throws(JSONError) -> Bool {
        guard try peekKind() == .array else { try skipValue(); return false }
        guard depth < JSONScanner.maxDepth else { throw .malformed }
        push(array: true)
        return true
    }

    /// Skips the rest of the current container, its closing bracket included.
    public mutating func exitContainer() throws(JSONError) {
        guard depth > 0 else { return }
        if arrays & (1 << UInt64(depth - 1)) != 0 {
            while try nextElement() {}
        } else {
            while try nextKey() != nil {}
        }
    }

    /// Skips whatever is left of the document and checks that only whitespace follows it.
    public mutating func finish() throws(JSONError) {
        while depth > 0 { try exitContainer() }
        if pending { try skipValue() }
        skipWhitespace()
        if position < buf.count { throw .textAfterValue }
    }

    // MARK: Reading values

    /// Reads the value in front of the scanner: its decoded bytes if it is a string, else
    /// nil (the value is skipped). Nil too for an escaped string over read-only bytes whose
    /// scratch buffer is full.
    @inline(__always)
    public mutating func string() throws(JSONError) -> Bytes? {
        guard try peekKind() == .string else { try skipValue(); return nil }
        pending = false
        let s = try scanString()
        return s.escaped ? decode(s.start, s.end) : slice(s.start, s.end)
    }

    /// Reads the value in front of the scanner, whatever its kind. (An escaped string over
    /// read-only bytes whose scratch buffer is full comes back undecoded.)
    public mutating func value() throws(JSONError) -> Value {
        let k = try peekKind()
        let start = position
        if k == .string {
            pending = false
            let s = try scanString()
            let b = s.escaped ? decode(s.start, s.end) : slice(s.start, s.end)
            return Value(kind: .string, bytes: b ?? slice(s.start, s.end))
        }
        try skipValue()
        return Value(kind: k, bytes: slice(start, position))
    }

    /// Skips the value in front of the scanner, validating it.
    public mutating func skipValue() throws(JSONError) {
        let k = try peekKind()
        pending = false
        switch k {
        case .string: _ = try scanString()
        case .number: try scanNumber()
        case .bool: try scanLiteral(buf[position] == 0x74 ? "true" : "false")
        case .null: try scanLiteral("null")
        case .object, .array: try skipContainer()
        }
    }

    // MARK: Internals

    @inline(__always)
    mutating func push(array: Bool) {
        let bit: UInt64 = 1 << UInt64(depth)
        if array { arrays |= bit } else { arrays &= ~bit }
        fresh |= bit
        depth += 1
        position += 1
        pending = false
    }

    @inline(__always)
    mutating func pop() {
        depth -= 1
        pending = false
    }

    @inline(__always)
    func slice(_ s: Int, _ e: Int) -> Bytes {
        Bytes(rebasing: UnsafeRawBufferPointer(buf)[s..<e])
    }

    @inline(__always)
    mutating func skipWhitespace() {
        var i = position
        let n = buf.count
        while i < n {
            let c = buf[i]
            guard c == ASCII.space || c == ASCII.lf || c == ASCII.cr || c == ASCII.tab else { break }
            i += 1
        }
        position = i
    }

    @inline(__always)
    static func isHex(_ c: UInt8) -> Bool { ASCII.isDigit(c) || (c | 0x20) &- 0x61 < 6 }

    /// Scans the string whose opening quote is at `position`; leaves `position` after the
    /// closing quote. Returns the content's bounds and whether it holds escapes.
    @inline(__always)
    mutating func scanString() throws(JSONError) -> (start: Int, end: Int, escaped: Bool) {
        let start = position + 1
        let n = buf.count
        var i = start
        var escaped = false
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        while true {
            // Eight bytes at a time to the next quote or backslash (the lowest flagged byte
            // of the zero-byte test is exact).
            while i &+ 8 <= n {
                let w = UInt64(littleEndian: buf.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let q = w ^ 0x2222_2222_2222_2222, b = w ^ 0x5C5C_5C5C_5C5C_5C5C
                let m = (((q &- ones) & ~q) | ((b &- ones) & ~b)) & high
                if m != 0 { i += m.trailingZeroBitCount >> 3; break }
                i += 8
            }
            guard i < n else { throw .truncated }
            let c = buf[i]
            if c == ASCII.quote { position = i + 1; return (start, i, escaped) }
            if c == ASCII.backslash {
                escaped = true
                guard i + 1 < n else { throw .truncated }
                switch buf[i + 1] {
                case 0x75:  // u
                    for k in 2...5 {
                        guard i + k < n else { throw .truncated }
                        guard JSONScanner.isHex(buf[i + k]) else { throw .malformed }
                    }
                    i += 6
                case ASCII.quote, ASCII.backslash, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: i += 2
                default: throw .malformed
                }
            } else {
                i += 1
            }
        }
    }

    @inline(__always)
    mutating func scanNumber() throws(JSONError) {
        let n = buf.count
        var i = position
        if buf[i] == 0x2D { i += 1 }
        guard i < n else { throw .truncated }
        guard ASCII.isDigit(buf[i]) else { throw .malformed }
        if buf[i] == 0x30 { i += 1 } else { while i < n, ASCII.isDigit(buf[i]) { i += 1 } }
        if i < n, buf[i] == 0x2E {  // .
            i += 1
            guard i < n else { throw .truncated }
            guard ASCII.isDigit(buf[i]) else { throw .malformed }
            while i < n, ASCII.isDigit(buf[i]) { i += 1 }
        }
        if i < n, buf[i] | 0x20 == 0x65 {  // e E
            i += 1
            if i < n, buf[i] == 0x2B || buf[i] == 0x2D { i += 1 }
            guard i < n else { throw .truncated }
            guard ASCII.isDigit(buf[i]) else { throw .malformed }
            while i < n, ASCII.isDigit(buf[i]) { i += 1 }
        }
        position = i
    }

    @inline(__always)
    mutating func scanLiteral(_ word: StaticString) throws(JSONError) {
        let p = word.utf8Start
        for k in 0..<word.utf8CodeUnitCount {
            guard position + k < buf.count else { throw .truncated }
            guard buf[position + k] == p[k] else { throw .malformed }
        }
        position += word.utf8CodeUnitCount
    }

    private enum SkipState { case open, key, value, afterValue }

    /// Skips the object or array at `position`, nested containers included, without
    /// recursion: bit k of `stack` says whether the container at skip depth k+1 is an array.
    mutating func skipContainer() throws(JSONError) {
        var stack: UInt64 = 0
        var d = 0
        var state = SkipState.open
        let n = buf.count
        while true {
            switch state {
            case .open:
                guard depth + d < JSONScanner.maxDepth else { throw .malformed }
                let isArray = buf[position] == 0x5B
                if isArray { stack |= 1 << UInt64(d) } else { stack &= ~(1 << UInt64(d)) }
                d += 1
                position += 1
                skipWhitespace()
                guard position < n else { throw .truncated }
                let c = buf[position]
                if c == (isArray ? 0x5D : 0x7D) { position += 1; d -= 1; state = .afterValue }
                else { state = isArray ? .value : .key }
            case .key:
                guard buf[position] == ASCII.quote else { throw .malformed }
                _ = try scanString()
                skipWhitespace()
                guard position < n else { throw .truncated }
                guard buf[position] == ASCII.colon else { throw .malformed }
                position += 1
                state = .value
            case .value:
                skipWhitespace()
                guard position < n else { throw .truncated }
                switch buf[position] {
                case 0x7B, 0x5B: state = .open; continue
                case ASCII.quote: _ = try scanString()
                case 0x74: try scanLiteral("true")
                case 0x66: try scanLiteral("false")
                case 0x6E: try scanLiteral("null")
                case 0x2D, 0x30...0x39: try scanNumber()
                default: throw .malformed
                }
                state = .afterValue
            case .afterValue:
                if d == 0 { return }
                skipWhitespace()
                guard position < n else { throw .truncated }
                let c = buf[position]
                let isArray = stack & (1 << UInt64(d - 1)) != 0
                if c == ASCII.comma {
                    position += 1
                    if isArray {
                        state = .value
                    } else {
                        skipWhitespace()
                        guard position < n else { throw .truncated }
                        state = .key
                    }
                } else if c == (isArray ? 0x5D : 0x7D) {
                    position += 1
                    d -= 1
                } else {
                    throw .malformed
                }
            }
        }
    }

    /// Decodes the escaped string content [s, e): in place over a line, else into scratch.
    mutating func decode(_ s: Int, _ e: Int) -> Bytes? {
        if writable {
            let n = JSONScanner.unescape(UnsafeRawBufferPointer(buf), s, e, into: buf, at: s)
            return slice(s, s + n)
        }
        let room = scratch.count - scratchUsed
        // The decoded text is never longer than the escaped one.
        guard room >= e - s else { return nil }
        let at = scratchUsed
        let n = JSONScanner.unescape(UnsafeRawBufferPointer(buf), s, e, into: scratch, at: at)
        scratchUsed += n
        return Bytes(rebasing: UnsafeRawBufferPointer(scratch)[at..<(at + n)])
    }

    /// Writes the decoding of `src[s..<e]` (escapes already validated) at `out[at...]` and
    /// returns its length. Safe in place (`out` = `src`, `at` = `s`): the write index never
    /// passes the read index. Lone surrogates become U+FFFD.
    static func unescape(_ src: UnsafeRawBufferPointer, _ s: Int, _ e: Int,
                         into out: UnsafeMutableRawBufferPointer, at: Int) -> Int {
        var r = s, w = at
        @inline(__always) func put(_ b: UInt8) { if w < out.count { out[w] = b }; w += 1 }
        @inline(__always) func hex4(_ i: Int) -> UInt32? {
            guard i + 4 <= e else { return nil }
            var v: UInt32 = 0
            for k in i..<(i + 4) {
                let c = src[k]
                let d: UInt32
                if ASCII.isDigit(c) { d = UInt32(c - 48) } else if (c | 0x20) &- 0x61 < 6 { d = UInt32((c | 0x20) - 0x61 + 10) } else { return nil }
                v = v << 4 | d
            }
            return v
        }
        while r < e {
            let c = src[r]
            guard c == ASCII.backslash, r + 1 < e else { put(c); r += 1; continue }
            let x = src[r + 1]
            switch x {
            case 0x62: put(0x08); r += 2
            case 0x66: put(0x0C); r += 2
            case 0x6E: put(0x0A); r += 2
            case 0x72: put(0x0D); r += 2
            case 0x74: put(0x09); r += 2
            case 0x75:
                guard var u = hex4(r + 2) else { put(x); r += 2; continue }
                r += 6
                if u >= 0xD800 && u < 0xDC00 {
                    if r + 1 < e, src[r] == ASCII.backslash, src[r + 1] == 0x75, let lo = hex4(r + 2), lo >= 0xDC00 && lo < 0xE000 {
                        u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)
                        r += 6
                    } else {
                        u = 0xFFFD
                    }
                } else if u >= 0xDC00 && u < 0xE000 {
                    u = 0xFFFD
                }
                if u < 0x80 {
                    put(UInt8(u))
                } else if u < 0x800 {
                    put(UInt8(0xC0 | u >> 6)); put(UInt8(0x80 | u & 0x3F))
                } else if u < 0x10000 {
                    put(UInt8(0xE0 | u >> 12)); put(UInt8(0x80 | (u >> 6) & 0x3F)); put(UInt8(0x80 | u & 0x3F))
                } else {
                    put(UInt8(0xF0 | u >> 18)); put(UInt8(0x80 | (u >> 12) & 0x3F))
                    put(UInt8(0x80 | (u >> 6) & 0x3F)); put(UInt8(0x80 | u & 0x3F))
                }
            default: put(x); r += 2   // \" \\ \/
            }
        }
        return min(w, out.count) - at
    }
}
