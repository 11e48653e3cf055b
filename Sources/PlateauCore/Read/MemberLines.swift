#if canImport(Glibc)
import Glibc
#endif

/// How the lines of a gzip file are accounted around a member that failed its check
/// (`GzipMembers`), or that the data cut short before its check: every line it ends is skipped
/// ("gzip member failed its check", "gzip member cut short before its check"), and so is the
/// line it leaves open, which no later member can complete truthfully.
///
/// Where the next good member starts depends on how the file was written. Concatenated files
/// (`cat a.gz b.gz`, `gzip >> log.gz`) start each member on a line: the open line is dropped and
/// the next member's first line is read. bgzip-style writers cut members every 64 KiB, inside
/// lines: there the next member's bytes up to its first line feed belong to the spoilt line and
/// are skipped with it. Which of the two a file is, its verified members tell: once one ended
/// inside a line, members are taken to cut lines.
struct MemberLines {
    static let failed = GzipMembers.failedReason
    static let cut = GzipMembers.cutReason

    /// A verified member ended inside a line.
    private(set) var membersCutLines = false
    /// After a damaged member: bytes up to the next line feed belong to the line it spoilt.
    private(set) var spoiltLine = false
    private var spoiltBytes = false
    private var spoiltBy = MemberLines.failed

    init() {}

    /// A member passed its check; `last` is the last byte of its output.
    mutating func verified(last: UInt8?) {
        if let last, last != 0x0A { membersCutLines = true }
    }

    /// The part of `chunk` after the end of a spoilt line (all of it when no line is spoilt);
    /// the spoilt line is counted once its end is found.
    mutating func trim(_ chunk: UnsafeMutableRawBufferPointer, _ framer: inout LineFramer,
                       _ account: inout FileAccount) -> UnsafeMutableRawBufferPointer {
        if !spoiltLine { return chunk }
        return trimSpoilt(chunk, &framer, &account)
    }

    private mutating func trimSpoilt(_ chunk: UnsafeMutableRawBufferPointer, _ framer: inout LineFramer,
                                     _ account: inout FileAccount) -> UnsafeMutableRawBufferPointer {
        guard spoiltLine, let base = chunk.baseAddress, chunk.count > 0 else { return chunk }
        guard let nl = memchr(base, 0x0A, chunk.count) else {
            spoiltBytes = true
            return UnsafeMutableRawBufferPointer(rebasing: chunk[chunk.count...])
        }
        spoiltLine = false
        spoiltBytes = false
        account.count(.skipped(spoiltBy), line: framer.abandonLine())
        let k = base.distance(to: UnsafeMutableRawPointer(nl)) + 1
        return UnsafeMutableRawBufferPointer(rebasing: chunk[k...])
    }

    /// The output of a member that failed its check, held whole: every line it ends is
    /// skipped, then the line it leaves open.
    mutating func damaged(_ bytes: UnsafeMutableRawBufferPointer, _ why: Reason = MemberLines.failed,
                          _ framer: inout LineFramer, _ account: inout FileAccount) {
        let rest = trim(bytes, &framer, &account)
        framer.feed(rest, { _, n in account.count(.skipped(why), line: n) }, overlong: { n in account.count(.skipped(why), line: n) })
        leftOpen(why, &framer, &account)
    }

    /// A member whose lines were parsed as it inflated failed its check: the lines it ended
    /// since `mark` (the account when it began) are skipped instead, then the line it leaves
    /// open.
    mutating func damaged(since mark: FileAccount, markLine: Int, _ why: Reason = MemberLines.failed,
                          _ framer: inout LineFramer, _ account: inout FileAccount) {
        account = mark
        if framer.lineNumber > markLine { account.skip(why, lines: (markLine + 1)...framer.lineNumber) }
        leftOpen(why, &framer, &account)
    }

    private mutating func leftOpen(_ why: Reason, _ framer: inout LineFramer, _ account: inout FileAccount) {
        if membersCutLines {
            spoiltLine = true
            spoiltBy = why
        } else if !framer.atLineStart {
            account.count(.skipped(why), line: framer.abandonLine())
        }
    }

    /// The end of the data: a spoilt line still open is skipped.
    mutating func finish(_ framer: inout LineFramer, _ account: inout FileAccount) {
        guard spoiltLine else { return }
        spoiltLine = false
        if spoiltBytes || !framer.atLineStart { account.count(.skipped(spoiltBy), line: framer.abandonLine()) }
        spoiltBytes = false
    }
}
