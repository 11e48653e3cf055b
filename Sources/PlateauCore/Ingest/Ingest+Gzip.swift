#if canImport(Glibc)
import Glibc
#endif

extension Ingest {
    /// Reads a gzip file member by member (`GzipMembers`) for a reader of its content (lines,
    /// or a JSON document), which gives:
    /// - `take`: output of a member that passed its check, or of a long one not judged yet,
    ///   with the context to parse it in;
    /// - `damaged`: the whole output of a member that failed its check, or that the data cut
    ///   short before it (nothing of it parsed), and why;
    /// - `begin`: a member too long to hold begins (what it changes must be undoable);
    /// - `failed`: that long member failed or was cut short (undo what it did), and why;
    /// - `verified`: a member passed its check (the last byte of its output).
    /// A long member is parsed in a context of its own (`ParseContext.aside()`) that joins `ctx`
    /// once the member passed. A member cut short cannot be told from one damaged near its end (zlib
    /// waits for more data either way), so it counts nothing either. Returns the file's error
    /// (failed members, a cut, an unreadable file).
    static func readMembers(_ path: String, ctx: ParseContext, progress: IngestProgress?,
                            take: (UnsafeMutableRawBufferPointer, ParseContext) -> Void, damaged: (UnsafeMutableRawBufferPointer, Reason) -> Void,
                            begin: () -> Void, failed: (Reason) -> Void, verified: (UInt8?) -> Void) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "\(IOError(path: path, errno: errno))" }
        defer { close(fd) }
        let members = GzipMembers()
        var long: ParseContext?
        var last: UInt8?
        var failure: String?
        do {
            try members.read(fd, to: .max, path: path, progress: { progress?.add($0) }) { event in
                switch event {
                case .member(let bytes, let verdict):
                    switch verdict {
                    case .failed: damaged(bytes, MemberLines.failed)
                    case .verified: take(bytes, ctx); verified(bytes.last)
                    case .open: damaged(bytes, MemberLines.cut)
                    }
                case .part(let bytes):
                    if long == nil {
                        long = ctx.aside()
                        begin()
                    }
                    take(bytes, long!)
                    last = bytes.last
                case .end(let verdict):
                    guard let aside = long else { return }
                    long = nil
                    switch verdict {
                    case .failed: failed(MemberLines.failed)
                    case .verified: ctx.join(aside); verified(last)
                    case .open: failed(MemberLines.cut)
                    }
                }
            }
        } catch {
            failure = "\(error)"
            if long != nil { failed(MemberLines.cut) }  // stopped by a read error inside a long member: as a cut
        }
        let problems = [members.problem, failure].compactMap { $0 }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }

    /// Line-oriented reading of a gzip file, member by member: lines of a member that fails
    /// its check are skipped (`MemberLines`), the members around it are read.
    static func readGzipLines<P: RecordParser>(_ u: Unit, parser: inout P, ctx: ParseContext, progress: IngestProgress?) -> FileAccount {
        var account = FileAccount()
        var framer = LineFramer()
        var lines = MemberLines()
        // At the start of a long member: the parser (its header, year state) and the account.
        var mark: (parser: P, account: FileAccount, line: Int)?
        func take(_ bytes: UnsafeMutableRawBufferPointer, _ ctx: ParseContext) {
            let rest = lines.trim(bytes, &framer, &account)
            framer.feed(rest, { line, n in account.count(parser.parse(line, number: n, ctx), line: n) },
                        overlong: { n in account.count(.skipped(Reasons.lineTooLong), line: n) })
            parser.flush(ctx)  // before the member's context joins (or is dropped) and the parser is marked
        }
        func damaged(_ bytes: UnsafeMutableRawBufferPointer, _ why: Reason) { lines.damaged(bytes, why, &framer, &account) }
        func begin() { mark = (parser, account, framer.lineNumber) }
        func failed(_ why: Reason) {
            guard let m = mark else { return }
            mark = nil
            parser = m.parser
            lines.damaged(since: m.account, markLine: m.line, why, &framer, &account)
        }
        func verified(_ last: UInt8?) { mark = nil; lines.verified(last: last) }
        let error = readMembers(u.path, ctx: ctx, progress: progress, take: take, damaged: damaged,
                                begin: begin, failed: failed, verified: verified)
        // The end: a spoilt line is skipped; a last line of a verified member without its
        // line feed is read.
        lines.finish(&framer, &account)
        framer.finish({ line, n in account.count(parser.parse(line, number: n, ctx), line: n) },
                      overlong: { n in account.count(.skipped(Reasons.lineTooLong), line: n) })
        parser.flush(ctx)
        account.fileError = error
        return account
    }
}
