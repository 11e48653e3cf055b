/// Why a line was ignored or skipped. Reasons are static texts, so tallying them costs no
/// allocation on the hot path.
public struct Reason: Hashable, Sendable, CustomStringConvertible {
    public let text: String
    public init(_ text: StaticString) { self.text = text.description }
    public var description: String { text }
}

/// What one input line turned out to be (FORMATS.md, "Accounting").
public enum LineOutcome: Sendable, Equatable {
    /// It produced something plateau counts.
    case record
    /// A header, blank or comment line.
    case header
    /// Readable and well-formed, but nothing plateau counts.
    case ignored(Reason)
    /// Unreadable: malformed, truncated, impossible date, missing fields.
    case skipped(Reason)
}

/// The per-file tally: every line lands in exactly one of records, ignored, skipped and
/// headers. Mergeable, so chunks of one file parsed in parallel add up.
public struct FileAccount: Sendable, Equatable {
    public static let maxExamples = 5

    public var lines = 0
    public var records = 0
    public var headers = 0
    public var ignored: [String: Int] = [:]
    public var skippedReasons: [String: Int] = [:]
    /// The first few skipped lines, as (line number, reason), in line order.
    public var examples: [Example] = []
    /// A problem with the file as a whole (cut-short gzip, unreadable): one line, no number.
    public var fileError: String?

    public struct Example: Sendable, Equatable { public var line: Int; public var reason: String }

    public init() {}

    public var ignoredCount: Int { ignored.values.reduce(0, +) }
    public var skipped: Int { skippedReasons.values.reduce(0, +) }

    @inline(__always)
    public mutating func count(_ outcome: LineOutcome, line: Int) {
        lines += 1
        switch outcome {
        case .record: records += 1
        case .header: headers += 1
        case .ignored(let r): ignored[r.text, default: 0] += 1
        case .skipped(let r):
            skippedReasons[r.text, default: 0] += 1
            if examples.count < FileAccount.maxExamples { examples.append(Example(line: line, reason: r.text)) }
        }
    }

    /// Counts one element of a JSON document (the line count comes from the document).
    @inline(__always)
    public mutating func countElement(_ outcome: LineOutcome, line: Int) {
        count(outcome, line: line)
        lines -= 1
    }

    /// Counts the lines `numbers` as skipped for `reason` at once (the lines of a gzip member
    /// that failed its check, parsed before its check came).
    public mutating func skip(_ reason: Reason, lines numbers: ClosedRange<Int>) {
        lines += numbers.count
        skippedReasons[reason.text, default: 0] += numbers.count
        for n in numbers where examples.count < FileAccount.maxExamples {
            examples.append(Example(line: n, reason: reason.text))
        }
    }

    /// Adds the tally of a later chunk of the same file, whose line numbers start after ours.
    public mutating func append(_ later: FileAccount, lineOffset: Int) {
        lines += later.lines
        records += later.records
        headers += later.headers
        for (k, v) in later.ignored { ignored[k, default: 0] += v }
        for (k, v) in later.skippedReasons { skippedReasons[k, default: 0] += v }
        for e in later.examples where examples.count < FileAccount.maxExamples {
            examples.append(Example(line: e.line + lineOffset, reason: e.reason))
        }
        if fileError == nil { fileError = later.fileError }
    }
}
