#if canImport(Glibc)
import Glibc
#endif

/// RFC 4180 fields of one CSV line, split in place: quoted fields lose their quotes and have
/// doubled quotes collapsed inside the line buffer, so no field is copied.
public struct CSVFields {
    private var starts: [Int] = []
    private var ends: [Int] = []
    private var base: UnsafeMutableRawPointer?
    public private(set) var count = 0

    public init() { starts.reserveCapacity(64); ends.reserveCapacity(64) }

    /// Splits `line` into at most `maxFields` fields (the rest of the line is not looked at);
    /// false when a quoted field is not closed.
    @inline(__always)
    public mutating func split(_ line: Line, maxFields: Int = Int.max) -> Bool {
        count = 0
        base = line.baseAddress
        guard let p = line.baseAddress else { append(0, 0); return true }
        let n = line.count
        var i = 0
        var ok = true
        while true {
            var s = i, e = i
            if i < n && line[i] == ASCII.quote {
                s = i + 1
                // Fast path: the closing quote, found with memchr, not followed by another.
                var r = i + 1
                var closedAt = -1
                while r < n, let q = memchr(p + r, Int32(ASCII.quote), n - r) {
                    let k = p.distance(to: UnsafeMutableRawPointer(q))
                    if k + 1 < n && line[k + 1] == ASCII.quote { closedAt = -2; break }  // doubled: slow path
                    closedAt = k
                    break
                }
                if closedAt >= 0 {
                    e = closedAt
                    r = closedAt + 1
                } else if closedAt == -1 {
                    ok = false; e = n; r = n
                } else {
                    // Collapse "" in place, stop at the closing quote.
                    var w = i + 1
                    r = i + 1
                    var closed = false
                    while r < n {
                        let c = line[r]
                        if c == ASCII.quote {
                            if r + 1 < n && line[r + 1] == ASCII.quote { line[w] = ASCII.quote; w += 1; r += 2; continue }
                            closed = true; r += 1; break
                        }
                        if w != r { line[w] = c }
                        w += 1; r += 1
                    }
                    if !closed { ok = false }
                    e = w
                }
                // Anything between the closing quote and the comma is tolerated and dropped.
                if r < n, line[r] != ASCII.comma {
                    if let c = memchr(p + r, Int32(ASCII.comma), n - r) { r = p.distance(to: UnsafeMutableRawPointer(c)) } else { r = n }
                }
                i = r
            } else {
                if i < n, let c = memchr(p + i, Int32(ASCII.comma), n - i) { i = p.distance(to: UnsafeMutableRawPointer(c)) } else { i = n }
                e = i
            }
            append(s, e)
            if i >= n || count >= maxFields { break }
            i += 1  // the comma
            if i == n { append(n, n); break }
        }
        return ok
    }

    @inline(__always)
    private mutating func append(_ s: Int, _ e: Int) {
        if count < starts.count { starts[count] = s; ends[count] = e } else { starts.append(s); ends.append(e) }
        count += 1
    }

    /// Field `i` (empty when the line has fewer fields).
    @inline(__always)
    public subscript(_ i: Int) -> Bytes {
        guard i >= 0, i < count, let b = base else { return Bytes(start: nil, count: 0) }
        return Bytes(start: b + starts[i], count: ends[i] - starts[i])
    }
}

/// Column positions found by header name (case-insensitive, first match of the candidate
/// spellings), never by position: vendors add columns over time.
public struct CSVHeader: Sendable {
    public let names: [String]

    public init(_ fields: CSVFields) {
        var names: [String] = []
        for i in 0..<fields.count {
            names.append(fields[i].trimmed().string.lowercased())
        }
        self.names = names
    }

    /// The index of the first column named any of `candidates`, or nil.
    public func index(_ candidates: String...) -> Int? { index(of: candidates) }

    public func index(of candidates: [String]) -> Int? {
        for c in candidates { if let i = names.firstIndex(of: c.lowercased()) { return i } }
        return nil
    }
}

/// What one CSV format knows: which columns it needs (found in the header) and what a row
/// means. `CSVParser` does the rest — header detection, blank lines, splitting — so a new CSV
/// format is one conformance.
public protocol CSVRowReader {
    /// Finds the columns; false when the header lacks the ones the format needs.
    mutating func columns(_ header: CSVHeader) -> Bool
    /// How many leading fields a row is split into (the rest of the line is never looked at):
    /// every column `row` reads must be among them.
    var fieldsNeeded: Int { get }
    /// Rows with fewer fields are skipped as missing columns (default: `fieldsNeeded`).
    var fieldsRequired: Int { get }
    mutating func row(_ fields: CSVFields, _ ctx: ParseContext) -> LineOutcome
    /// `RecordParser.flush(_:)`.
    mutating func flush(_ ctx: ParseContext)
}

extension CSVRowReader {
    public var fieldsRequired: Int { fieldsNeeded }
    public mutating func flush(_ ctx: ParseContext) {}
}

/// A CSV file: its first non-blank line is the header, every other non-blank line a row.
public struct CSVParser<Reader: CSVRowReader>: RecordParser {
    public var reader: Reader
    private var fields = CSVFields()
    private var haveHeader = false

    public init(_ reader: Reader) { self.reader = reader }

    public mutating func adoptHeader(_ line: Line, _ ctx: ParseContext) { _ = readHeader(line) }
    public mutating func flush(_ ctx: ParseContext) { reader.flush(ctx) }

    private mutating func readHeader(_ line: Line) -> Bool {
        haveHeader = true
        guard fields.split(line) else { return false }
        return reader.columns(CSVHeader(fields))
    }

    @inline(__always)
    public mutating func parse(_ line: Line, number: Int, _ ctx: ParseContext) -> LineOutcome {
        if line.count == 0 || Bytes(line).trimmed().count == 0 { return .header }
        if !haveHeader { return readHeader(line) ? .header : .skipped(Reasons.noHeader) }
        guard fields.split(line, maxFields: max(reader.fieldsNeeded, 1)) else { return .skipped(Reasons.unterminatedQuote) }
        guard fields.count >= reader.fieldsRequired else { return .skipped(Reasons.missingColumns) }
        return reader.row(fields, ctx)
    }
}
