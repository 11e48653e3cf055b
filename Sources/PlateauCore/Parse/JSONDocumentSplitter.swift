extension Reasons {
    /// A JSON record the document splitter would not buffer (`JSONDocumentSplitter.maxRecordBytes`).
    public static let recordTooLong = Reason("JSON record longer than the 64 MiB limit")
}

/// Cuts a stream of JSON records (`teams-callrecords`, `entra-signins`, `m365-audit-teams`)
/// into record objects, whatever its layout: JSON lines (one object per line), a Graph page
/// `{"@odata.context":...,"value":[{...},...]}` on one line or many (or another page key given
/// at init: an Event Hub batch's `records`), or a JSON array `[{...},...]`. Fed chunks split anywhere (inside a string,
/// an escape, a number), it hands out each record's complete bytes with the 1-based physical
/// line on which the record starts.
///
/// - A top-level object is a record, unless it has a `"value"` key (or one of the page keys)
///   at its top level whose value is an array: then each object of that array is a record and the page's other
///   members are read past. Each object of a top-level array is a record. Array elements
///   that are not objects are reported as `Reasons.notAnObject`.
/// - A UTF-8 byte-order mark at the start is skipped; commas between top-level values are
///   tolerated.
/// - Bytes at top level that cannot start a value are garbage: reported once per line as
///   `Reasons.malformedJSON`, then the rest of that line is skipped.
/// - A top-level record is handed out when its last line ends (or the next top-level record
///   starts on that line): when anything but whitespace, commas and another record follows it
///   on that line, the record is not one — it is reported as `Reasons.textAfterValue` on the
///   line it starts, and the rest of the line is skipped (one outcome for the line, as a
///   line-oriented parser gives it).
/// - A record cut short is reported as `Reasons.truncatedJSON` on the line it starts:
///   at end of input; when a raw line break interrupts one of its strings, numbers or
///   literals; when a syntax error falls on the first byte of a line (the line before ended
///   mid-record); and when a one-line record (its first key on the line of its `{`) is still
///   open at the end of its line and the next line starts with `{` (pretty printers put the
///   `{` of a nested object after its key or alone on a line, never a key after it). Reading
///   resumes at that next line, inside the page or array the record belonged to. Any other
///   syntax error in a record reports it as `Reasons.malformedJSON` and resumes at the next
///   line.
/// - A page or array still open at end of input, with no error reported inside it, is
///   reported once as truncated on its last line.
/// - A record longer than `maxRecordBytes` is not buffered: it is read past and reported
///   as `Reasons.recordTooLong`.
///
/// Several events can name the same line (a one-line page holds many records).
/// `physicalLines` counts `\n` bytes, plus one for a last unterminated, non-empty line.
/// The grammar is checked as bytes go by (that is how a cut record is told from a long one);
/// number spellings only loosely, which the parser's `JSONScanner` pass checks exactly. The
/// `emit` callback must not touch the splitter.
public struct JSONDocumentSplitter {
    public enum Event {
        /// A record's bytes (valid only during the callback; mutable so a parser can decode
        /// strings in place) and the line of its opening `{`.
        case element(Line, line: Int)
        /// Something that could not be read, and the line it starts on.
        case skipped(Reason, line: Int)
    }

    public static let defaultMaxRecordBytes = 64 << 20
    public static let maxDepth = 64

    public let maxRecordBytes: Int

    // Lines.
    private var newlines = 0
    private var lineHasBytes = false
    /// A non-blank byte has been read on the current line.
    private var lineHasToken = false
    private var lastTokenLine = 1
    private var bomIndex = 0  // bytes of a leading BOM matched; -1 once past the start

    /// Lines seen so far: `\n` bytes, plus one for a last unterminated, non-empty line.
    public var physicalLines: Int { newlines + (lineHasBytes ? 1 : 0) }
    @inline(__always) private var line: Int { newlines + 1 }

    // Tokens.
    private enum Lex: UInt8 { case structural, string, escape, unicode, literal, number, skipLine }
    private var lex = Lex.structural
    private var stringIsKey = false
    private var hexLeft = 0
    private var literalWord: StaticString = "true"
    private var literalIndex = 0

    // Grammar.
    private enum Expect: UInt8 {
        case top, firstKey, key, colon, firstValue, value, afterValue
        /// Resynchronising inside an array of records: values, commas and `]` are welcome.
        case element
    }
    private var expect = Expect.top
    private var depth = 0
    private var arrays: UInt64 = 0  // bit d-1: the container at depth d is an array

    // The record being read.
    private var recordDepth = 0  // its depth while open, else 0
    private var recordLine = 0
    private var recordStart = -1  // its first byte in the current chunk, or -1: its prefix is in `carry`
    private var tooLong = false
    private var carry: [UInt8] = []
    /// A top-level record that closed on the current line, waiting for the line's end: its
    /// bytes are `chunk[pendingFrom...pendingTo]` of the current chunk, or `carry` when
    /// `pendingFrom` is -1.
    private var pendingLine = 0
    private var pendingFrom = -1
    private var pendingTo = -1
    private var compactDecided = false
    private var compact = false  // the record's first key is on the line of its `{`
    private var compactBreak = false  // ... and its line ended with it still open

    // Pages and arrays of records.
    private var elementDepth = 0  // depth of the array whose elements are records, else 0
    private var trackingKey = false
    private var keyProgress = 0  // bytes of a page key the current top-level key matched; -1: none
    private var keyIsValue = false
    private var valueArmed = false
    private var otherLine = 0  // line of an array element being read that is not an object
    private var containerFailed = false
    private var garbageLine = 0  // last line reported as garbage

    public init(maxRecordBytes: Int = JSONDocumentSplitter.defaultMaxRecordBytes) {
        self.maxRecordBytes = maxRecordBytes
    }

    /// A splitter for which a top-level key among `pageKeys` (besides `value`) also holds a
    /// page's records: `records` (an Azure Event Hub batch), `events` (an export of events).
    public init(pageKeys: [StaticString], maxRecordBytes: Int = JSONDocumentSplitter.defaultMaxRecordBytes) {
        self.maxRecordBytes = maxRecordBytes
        for k in pageKeys.prefix(31) { self.pageKeys.append(Array(UnsafeRawBufferPointer(start: k.utf8Start, count: k.utf8CodeUnitCount))) }
    }

    // MARK: Feeding

    public mutating func feed(_ chunk: UnsafeMutableRawBufferPointer, _ emit: (Event) -> Void) {
        let n = chunk.count
        guard n > 0 else { return }
        var i = 0
        while i < n {
            switch lex {
            case .skipLine:
                while i < n, chunk[i] != ASCII.lf { lineHasBytes = true; i += 1 }
                if i < n { lex = .structural; newline(); i += 1 }

            case .string:
                let from = i
                if trackingKey {
                    while i < n {
                        let c = chunk[i]
                        if c == ASCII.quote || c == ASCII.backslash || c == ASCII.lf { break }
                        if keyProgress >= 0 { matchPageKey(c) }
                        i += 1
                    }
                } else {
                    i = JSONDocumentSplitter.stringRun(chunk, i)
                }
                if i > from { lineHasBytes = true }
                guard i < n else { break }
                let c = chunk[i]
                if c == ASCII.quote {
                    lineHasBytes = true
                    lex = .structural
                    i += 1
                    if stringIsKey {
                        if trackingKey { keyIsValue = keyProgress >= 0 && pageKeyMatched; trackingKey = false }
                        expect = .colon
                    } else {
                        valueEnded(emit)
                    }
                } else if c == ASCII.backslash {
                    lineHasBytes = true
                    lex = .escape
                    keyProgress = -1
                    i += 1
                } else {
                    i = fail(.lineBreak, chunk, i, emit)
                }

            case .escape:
                let c = chunk[i]
                switch c {
                case 0x75: lex = .unicode; hexLeft = 4; lineHasBytes = true; i += 1
                case ASCII.quote, ASCII.backslash, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: lex = .string; lineHasBytes = true; i += 1
                case ASCII.lf: i = fail(.lineBreak, chunk, i, emit)
                default: i = fail(.malformed, chunk, i, emit)
                }

            case .unicode:
                let c = chunk[i]
                if JSONScanner.isHex(c) {
                    hexLeft -= 1
                    if hexLeft == 0 { lex = .string }
                    lineHasBytes = true
                    i += 1
                } else {
                    i = fail(c == ASCII.lf ? .lineBreak : .malformed, chunk, i, emit)
                }

            case .literal:
                let c = chunk[i]
                if c == literalWord.utf8Start[literalIndex] {
                    literalIndex += 1
                    lineHasBytes = true
                    i += 1
                    if literalIndex == literalWord.utf8CodeUnitCount { lex = .structural; valueEnded(emit) }
                } else {
                    i = fail(c == ASCII.lf ? .lineBreak : .malformed, chunk, i, emit)
                }

            case .number:
                let c = chunk[i]
                if ASCII.isDigit(c) || c == 0x2E || c | 0x20 == 0x65 || c == 0x2B || c == 0x2D {
                    lineHasBytes = true
                    i += 1
                } else {
                    lex = .structural
                    valueEnded(emit)  // `c` is read again as structure
                }

            case .structural:
                i = structural(chunk, i, emit)
            }
        }
        // A record waiting for its line's end: keep it past this chunk.
        if pendingLine != 0 && pendingFrom >= 0 {
            carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(chunk)[pendingFrom...pendingTo]))
            pendingFrom = -1
        }
        // A record still open: keep what this chunk holds of it.
        if recordDepth > 0 {
            if !tooLong {
                let from = recordStart >= 0 ? recordStart : 0
                if carry.count + (n - from) > maxRecordBytes {
                    tooLong = true
                    carry = []
                } else {
                    carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(chunk)[from..<n]))
                }
            }
            recordStart = -1
        }
    }

    /// Ends the input: reports a record (or page, or array) left open as truncated.
    public mutating func finish(_ emit: (Event) -> Void) {
        if lex == .number { lex = .structural; valueEnded(emit) }
        emitPending(nil, emit)
        if recordDepth > 0 {
            emit(.skipped(Reasons.truncatedJSON, line: recordLine))
            dropRecord()
        } else if otherLine != 0 {
            emit(.skipped(Reasons.truncatedJSON, line: otherLine))
        } else if depth > 0 && !containerFailed {
            emit(.skipped(Reasons.truncatedJSON, line: lastTokenLine))
        }
        otherLine = 0
        depth = 0
        elementDepth = 0
        expect = .top
        lex = .structural
        trackingKey = false
        valueArmed = false
        compactBreak = false
    }

    // MARK: Structure

    /// The keys whose array holds the records of a page: `value` (Graph) always, and the
    /// `pageKeys` given at init (`records` of an Event Hub batch, ...).
    private var pageKeys: [[UInt8]] = [Array("value".utf8)]
    /// Bit k set: the top-level key read so far is still a prefix of `pageKeys[k]`.
    private var pageKeyCandidates: UInt32 = 0

    @inline(__always)
    private mutating func matchPageKey(_ c: UInt8) {
        var k = 0
        while k < pageKeys.count {
            let bit: UInt32 = 1 << UInt32(k)
            if pageKeyCandidates & bit != 0 {
                let w = pageKeys[k]
                if keyProgress >= w.count || w[keyProgress] != c { pageKeyCandidates &= ~bit }
            }
            k += 1
        }
        keyProgress = pageKeyCandidates == 0 ? -1 : keyProgress + 1
    }

    /// The top-level key just closed is one of `pageKeys` (`keyProgress` bytes matched).
    private var pageKeyMatched: Bool {
        var k = 0
        while k < pageKeys.count {
            if pageKeyCandidates & (1 << UInt32(k)) != 0 && pageKeys[k].count == keyProgress { return true }
            k += 1
        }
        return false
    }

    /// Reads the structural byte at `i`; returns where to go on.
    @inline(__always)
    private mutating func structural(_ chunk: UnsafeMutableRawBufferPointer, _ i: Int, _ emit: (Event) -> Void) -> Int {
        let c = chunk[i]
        if bomIndex >= 0 {
            if bomIndex < 3 && c == JSONDocumentSplitter.bom.utf8Start[bomIndex] {
                bomIndex += 1
                if bomIndex == 3 { bomIndex = -1 }
                lineHasBytes = true
                return i + 1
            }
            bomIndex = -1
        }
        if c == ASCII.lf { emitPending(chunk, emit); newline(); return i + 1 }
        lineHasBytes = true
        if c == ASCII.space || c == ASCII.tab || c == ASCII.cr { return i + 1 }
        if pendingLine != 0 {
            // Only a comma or the next top-level record may follow a record on its line.
            if c == 0x7B && expect == .top { emitPending(chunk, emit) }
            else if c != ASCII.comma || expect != .top { return textAfterRecord(i, emit) }
        }
        if compactBreak {
            compactBreak = false
            if c == 0x7B { return fail(.lineStart, chunk, i, emit) }
        }
        if recordDepth > 0 && !compactDecided {
            compactDecided = true
            compact = line == recordLine
        }
        let atLineStart = !lineHasToken
        lineHasToken = true
        lastTokenLine = line
        let problem: Failure = atLineStart ? .lineStart : .malformed

        switch expect {
        case .top:
            if c == 0x7B {
                guard open(array: false) else { return fail(.malformed, chunk, i, emit) }
                containerFailed = false
                startRecord(i)
                expect = .firstKey
            } else if c == 0x5B {
                guard open(array: true) else { return fail(.malformed, chunk, i, emit) }
                containerFailed = false
                elementDepth = depth
                expect = .firstValue
            } else if c != ASCII.comma {
                return garbage(chunk, i, emit)
            }
            return i + 1

        case .firstKey, .key:
            if c == ASCII.quote {
                lex = .string
                stringIsKey = true
                trackingKey = depth == 1 && recordDepth == 1
                keyProgress = 0
                pageKeyCandidates = (1 << UInt32(pageKeys.count)) &- 1
                keyIsValue = false
                return i + 1
            }
            if c == 0x7D && expect == .firstKey { return close(chunk, i, emit) }
            return fail(problem, chunk, i, emit)

        case .colon:
            guard c == ASCII.colon else { return fail(problem, chunk, i, emit) }
            valueArmed = keyIsValue
            keyIsValue = false
            expect = .value
            return i + 1

        case .afterValue:
            if c == ASCII.comma {
                expect = inArray ? .value : .key
                return i + 1
            }
            if c == (inArray ? 0x5D : 0x7D) { return close(chunk, i, emit) }
            return fail(problem, chunk, i, emit)

        case .element:
            if c == ASCII.comma { return i + 1 }
            if c == 0x5D { return close(chunk, i, emit) }
            if !JSONDocumentSplitter.startsValue(c) { return garbage(chunk, i, emit) }
            return startValue(chunk, i, emit, problem)

        case .firstValue, .value:
            if c == 0x5D && expect == .firstValue { return close(chunk, i, emit) }
            return startValue(chunk, i, emit, problem)
        }
    }

    /// The innermost open container is an array.
    @inline(__always)
    private var inArray: Bool { depth > 0 && arrays & (1 << UInt64(depth - 1)) != 0 }

    @inline(__always)
    private static func startsValue(_ c: UInt8) -> Bool {
        switch c {
        case 0x7B, 0x5B, ASCII.quote, 0x74, 0x66, 0x6E, 0x2D, 0x30...0x39: return true
        default: return false
        }
    }

    @inline(__always)
    private mutating func startValue(_ chunk: UnsafeMutableRawBufferPointer, _ i: Int, _ emit: (Event) -> Void, _ problem: Failure) -> Int {
        let c = chunk[i]
        if valueArmed {
            valueArmed = false
            if c == 0x5B && recordDepth == 1 && depth == 1 {
                // A Graph page: its `value` array holds the records; the wrapper is not one.
                dropRecord()
                guard open(array: true) else { return fail(.malformed, chunk, i, emit) }
                elementDepth = depth
                expect = .firstValue
                return i + 1
            }
        }
        let isElement = recordDepth == 0 && depth == elementDepth && elementDepth > 0
        switch c {
        case 0x7B:
            guard open(array: false) else { return fail(.malformed, chunk, i, emit) }
            if isElement { startRecord(i) }
            expect = .firstKey
        case 0x5B:
            if isElement { otherLine = line }
            guard open(array: true) else { return fail(.malformed, chunk, i, emit) }
            expect = .firstValue
        case ASCII.quote:
            if isElement { otherLine = line }
            lex = .string
            stringIsKey = false
        case 0x74, 0x66, 0x6E:
            if isElement { otherLine = line }
            lex = .literal
            literalWord = c == 0x74 ? "true" : c == 0x66 ? "false" : "null"
            literalIndex = 1
        case 0x2D, 0x30...0x39:
            if isElement { otherLine = line }
            lex = .number
        default:
            return fail(problem, chunk, i, emit)
        }
        return i + 1
    }

    @inline(__always)
    private mutating func open(array: Bool) -> Bool {
        guard depth < JSONDocumentSplitter.maxDepth else { return false }
        let bit: UInt64 = 1 << UInt64(depth)
        if array { arrays |= bit } else { arrays &= ~bit }
        depth += 1
        return true
    }

    private mutating func startRecord(_ i: Int) {
        recordDepth = depth
        recordLine = line
        recordStart = i
        tooLong = false
        compactDecided = false
        compact = false
        compactBreak = false
    }

    /// Consumes the closing bracket at `i`.
    private mutating func close(_ chunk: UnsafeMutableRawBufferPointer, _ i: Int, _ emit: (Event) -> Void) -> Int {
        depth -= 1
        if recordDepth > 0 && depth == recordDepth - 1 {
            if depth == 0 { holdRecord(chunk, i) } else { emitRecord(chunk, i, emit) }
        }
        if elementDepth > 0 && depth < elementDepth {
            elementDepth = 0
        }
        valueEnded(emit)
        return i + 1
    }

    /// The value that just ended was an element of an array of records, or the end of
    /// everything at top level.
    @inline(__always)
    private mutating func valueEnded(_ emit: (Event) -> Void) {
        if otherLine != 0 && depth == elementDepth {
            emit(.skipped(Reasons.notAnObject, line: otherLine))
            otherLine = 0
        }
        expect = depth == 0 ? .top : .afterValue
    }

    private mutating func emitRecord(_ chunk: UnsafeMutableRawBufferPointer, _ i: Int, _ emit: (Event) -> Void) {
        let line = recordLine
        let from = recordStart >= 0 ? recordStart : 0
        let size = carry.count + (i + 1 - from)
        if tooLong || size > maxRecordBytes {
            dropRecord()
            emit(.skipped(Reasons.recordTooLong, line: line))
            return
        }
        if recordStart >= 0 {
            dropRecord()
            emit(.element(UnsafeMutableRawBufferPointer(rebasing: chunk[from...i]), line: line))
            return
        }
        carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(chunk)[from...i]))
        carry.withUnsafeMutableBytes { emit(.element($0, line: line)) }
        dropRecord()
    }

    /// A top-level record closed at `i`: it waits for the end of its line.
    private mutating func holdRecord(_ chunk: UnsafeMutableRawBufferPointer, _ i: Int) {
        let from = recordStart >= 0 ? recordStart : 0
        if tooLong || carry.count + (i + 1 - from) > maxRecordBytes {
            tooLong = true
            if carry.capacity > 1 << 20 { carry = [] } else { carry.removeAll(keepingCapacity: true) }
            pendingFrom = -1
        } else if recordStart >= 0 {
            pendingFrom = from; pendingTo = i
        } else {
            carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(chunk)[from...i]))
            pendingFrom = -1
        }
        pendingLine = recordLine
        let long = tooLong
        recordDepth = 0
        recordStart = -1
        compactBreak = false
        tooLong = long
    }

    /// Hands out the record waiting for its line's end (`chunk`: the chunk it may lie in).
    private mutating func emitPending(_ chunk: UnsafeMutableRawBufferPointer?, _ emit: (Event) -> Void) {
        guard pendingLine != 0 else { return }
        let line = pendingLine
        pendingLine = 0
        if tooLong {
            tooLong = false
            emit(.skipped(Reasons.recordTooLong, line: line))
        } else if pendingFrom >= 0, let chunk {
            emit(.element(UnsafeMutableRawBufferPointer(rebasing: chunk[pendingFrom...pendingTo]), line: line))
        } else {
            carry.withUnsafeMutableBytes { emit(.element($0, line: line)) }
        }
        pendingFrom = -1
        dropRecord()
    }

    /// Something other than a comma or a record follows a record on its line: the record is
    /// reported instead of read, and the rest of the line is skipped.
    private mutating func textAfterRecord(_ i: Int, _ emit: (Event) -> Void) -> Int {
        let at = pendingLine
        pendingLine = 0
        pendingFrom = -1
        tooLong = false
        dropRecord()
        emit(.skipped(Reasons.textAfterValue, line: at))
        garbageLine = line
        lex = .skipLine
        return i
    }

    private mutating func dropRecord() {
        recordDepth = 0
        recordStart = -1
        tooLong = false
        compactBreak = false
        if carry.capacity > 1 << 20 { carry = [] } else { carry.removeAll(keepingCapacity: true) }
    }

    @inline(__always)
    private mutating func newline() {
        newlines += 1
        lineHasBytes = false
        lineHasToken = false
        if recordDepth > 0 && compact { compactBreak = true }
    }

    // MARK: Errors

    private enum Failure {
        /// A syntax error on the first byte of a line: the previous line ended mid-record.
        case lineStart
        /// A line break inside a string, number or literal.
        case lineBreak
        /// A syntax error in the middle of a line.
        case malformed
    }

    private static let bom: StaticString = "\u{FEFF}"

    /// Bytes that cannot start anything: reported once per line, the rest of it skipped.
    private mutating func garbage(_ chunk: UnsafeMutableRawBufferPointer, _ i: Int, _ emit: (Event) -> Void) -> Int {
        if garbageLine != line {
            garbageLine = line
            emit(.skipped(Reasons.malformedJSON, line: line))
        }
        if depth > 0 { containerFailed = true }
        lex = .skipLine
        return i
    }

    /// Reports what the error at `i` spoilt and resynchronises: inside the array of records
    /// when the error was inside it, else at top level. Returns where to go on.
    private mutating func fail(_ kind: Failure, _ chunk: UnsafeMutableRawBufferPointer, _ i: Int, _ emit: (Event) -> Void) -> Int {
        let reason = kind == .malformed ? Reasons.malformedJSON : Reasons.truncatedJSON
        let inElements = elementDepth > 0 && depth >= elementDepth
        if recordDepth > 0 {
            let at = recordLine
            dropRecord()
            emit(.skipped(reason, line: at))
        } else if otherLine != 0 {
            emit(.skipped(reason, line: otherLine))
        } else if garbageLine != line {
            garbageLine = line
            emit(.skipped(reason, line: line))
        }
        otherLine = 0
        trackingKey = false
        valueArmed = false
        keyIsValue = false
        lex = .structural
        if inElements {
            depth = elementDepth
            expect = .element
            containerFailed = true
        } else {
            depth = 0
            elementDepth = 0
            expect = .top
        }
        switch kind {
        case .lineStart: return i  // read this byte again, as the start of something new
        case .lineBreak: newline(); return i + 1
        case .malformed: lex = .skipLine; return i
        }
    }

    /// The index of the first `"`, `\` or line feed at or after `i` (or the end), eight bytes
    /// at a time.
    @inline(__always)
    private static func stringRun(_ chunk: UnsafeMutableRawBufferPointer, _ start: Int) -> Int {
        let n = chunk.count
        var i = start
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        while i &+ 8 <= n {
            let w = UInt64(littleEndian: chunk.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let q = w ^ 0x2222_2222_2222_2222, b = w ^ 0x5C5C_5C5C_5C5C_5C5C, l = w ^ 0x0A0A_0A0A_0A0A_0A0A
            let m = (((q &- ones) & ~q) | ((b &- ones) & ~b) | ((l &- ones) & ~l)) & high
            if m != 0 { return i + m.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < n {
            let c = chunk[i]
            if c == ASCII.quote || c == ASCII.backslash || c == ASCII.lf { return i }
            i += 1
        }
        return n
    }
}
