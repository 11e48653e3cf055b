#if canImport(Glibc)
import Glibc
#endif
import CZlib

/// A running checksum of a byte stream (zlib's CRC-32 and Adler-32, and the length): enough
/// to recognise a copy of what a followed file already delivered without keeping the bytes.
struct ContentHash: Equatable, Sendable, Codable {
    var crc: UInt = 0
    var adler: UInt = 1
    var length: Int64 = 0

    mutating func update(_ b: UnsafeRawBufferPointer) {
        guard let p = b.baseAddress, b.count > 0 else { return }
        let bytes = p.assumingMemoryBound(to: Bytef.self)
        crc = crc32(crc, bytes, uInt(b.count))
        adler = adler32(adler, bytes, uInt(b.count))
        length += Int64(b.count)
    }
}

/// One stream of lines being followed: the file it is read from now (which may change: a
/// rename, or the copy a copy-truncate rotation leaves), how far it has been read, its
/// parser (header, year state) and its accounting.
final class FollowedFile: @unchecked Sendable {
    enum Mode: Equatable {
        /// Read line by line as it grows.
        case lines
        /// A JSON document (call records as an array or a Graph page): read whole, again
        /// when it changes.
        case document
        /// No format claims it (yet): sniffed again when it changes.
        case unknown
        /// Holds the same bytes as another followed file (a copy whose original is still
        /// being read): never read; it takes the original's place if the original goes.
        case duplicate
    }

    static let headLength = 4096

    var path: String
    /// The file read now; nil once it is gone, truncated or replaced (the stream has ended,
    /// and waits for a copy of itself to continue from).
    var identity: FileIdentity?
    /// The stat(2) of the file when it was last looked at.
    var stat: FileStat
    var compressed: Bool
    var format: InputFormat?
    var custom: Int?
    var jsonLines = false
    var mode: Mode
    var parser: LineParser?
    var framer = LineFramer()
    /// File bytes consumed: through the last complete line (plain files), or through the last
    /// gzip member judged (gzip: a member still open is read again from its start).
    var rawOffset: Int64 = 0
    /// Gzip: looking for the next member past one that failed its check, from `rawOffset`.
    var gzipHunting = false
    /// Gzip: how lines around a damaged member are accounted.
    var memberLines = MemberLines()
    /// Gzip: members that failed their check, and the first of them.
    var gzipFailures = 0
    var firstGzipFailure: (offset: Int64, reason: String)?
    /// Decompressed bytes still to pass over: the start of a gzip copy that repeats what the
    /// stream already delivered.
    var skip: Int64 = 0
    /// The stream's content delivered so far, and its first bytes (kept while read in this
    /// process; a stream restored from a store knows them by their fingerprint only).
    var content = ContentHash()
    var contentHead: [UInt8] = []
    var restoredContentHead: Fingerprint?
    /// The fingerprint of the first bytes of the file read now (a change there means it was
    /// rewritten). Never the bytes: a store keeps it.
    var head = Fingerprint()
    /// Keys the fingerprints (with a secret key, they cannot be matched against guesses).
    let fingerprintKey: UInt64
    /// At most this many bytes are read at once (a store commits after each read).
    var readLimit: Int64 = .max
    /// The stream's row in a store.
    var storeID: Int64?
    /// Restored from a store past its first line: the parser takes its header at the next read.
    var resumeHeader = false
    var storeVersion: Int64 = 0
    var account = FileAccount()
    /// For a duplicate: the stream it repeats.
    weak var original: FollowedFile?
    /// Set by stores of earlier versions, whose gzip reading stopped at a corrupt member:
    /// nothing more is read from this file. (Damaged members are now read past.)
    var failed = false
    var formatName: String?
    /// Meeting records in a JSON document when it was last read.
    var documentMeetings = 0

    init(path: String, stat: FileStat, compressed: Bool, format: InputFormat?, custom: Int?, jsonLines: Bool,
         settings: IngestSettings) {
        self.path = path
        self.identity = stat.identity
        self.stat = stat
        self.compressed = compressed
        self.format = format
        self.custom = custom
        self.jsonLines = jsonLines
        self.mode = .unknown
        self.fingerprintKey = settings.pseudonyms?.mask ?? 0
        setFormat(format, custom: custom, jsonLines: jsonLines, settings: settings)
    }

    func setFormat(_ format: InputFormat?, custom: Int?, jsonLines: Bool, settings: IngestSettings) {
        self.format = format; self.custom = custom; self.jsonLines = jsonLines
        formatName = custom.map { settings.customSources[$0].name } ?? format?.rawValue
        if format == nil && custom == nil { mode = .unknown }
        else if let f = format, f.readsWhole(jsonLines: jsonLines) && custom == nil { mode = .document }
        else { mode = .lines }
    }

    /// Binds the stream to another file (a copy of what it read), to go on from there.
    func rebind(path: String, stat: FileStat, compressed: Bool) {
        self.path = path
        identity = stat.identity
        self.stat = stat
        self.compressed = compressed
        gzipHunting = false
        memberLines = MemberLines()
        head = Fingerprint()
        failed = false
        if compressed { rawOffset = 0; skip = content.length } else { rawOffset = content.length; skip = 0 }
    }

    var report: InputReport {
        var r = InputReport(path: path, format: formatName, size: stat.size)
        r.account = account
        return r
    }

    // MARK: reading

    /// Reads what is new. `ctx` receives the facts; the file is opened by path and must
    /// still be the one bound (else the next poll sorts it out).
    func prepare(directory: DirectoryBuilder, settings: IngestSettings) {
        if mode == .lines && parser == nil {
            parser = LineParser.make(format: format, custom: custom, jsonLines: jsonLines, settings: settings, directory: directory)
        }
    }

    func read(_ ctx: ParseContext, progress: IngestProgress? = nil) {
        guard let id = identity, !failed, mode == .lines || mode == .document else { return }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var st = Glibc.stat()
        guard fstat(fd, &st) == 0 else { return }
        let now = FileStat(st)
        guard now.identity == id else { return }
        ctx.fileModified = now.modified / 1_000_000_000
        adoptResumedHeader(ctx)
        if mode == .document {
            let u = Ingest.Unit(input: 0, path: path, format: format, custom: custom, compressed: compressed, part: 0,
                                modified: ctx.fileModified, jsonLines: false)
            // Read again, its meetings are not "duplicates" of its previous reading.
            let own = ParseContext(acc: Accumulator(keepingSpans: ctx.acc.spans != nil), resolver: ctx.resolver, settings: ctx.settings)
            own.fileModified = ctx.fileModified
            account = Ingest.read(u, ctx: own, progress: progress)
            let occurrences = own.acc.meetings.count + own.acc.duplicateMeetings
            ctx.acc.merge(own.acc)
            ctx.acc.duplicateMeetings -= documentMeetings
            documentMeetings = occurrences
            rawOffset = now.size
        } else {
            if compressed { readGzip(fd, now.size, ctx, progress) } else { readPlain(fd, now.size, ctx, progress) }
        }
        captureHead(fd)
    }

    private func readPlain(_ fd: Int32, _ size: Int64, _ ctx: ParseContext, _ progress: IngestProgress?) {
        let limit = readLimit == .max ? size : min(size, rawOffset + readLimit)
        guard size > rawOffset,
              let end = FollowedFile.lineEnd(fd, from: rawOffset, to: limit) ?? (limit < size ? FollowedFile.lineEnd(fd, from: rawOffset, to: size) : nil)
        else { return }
        var buffer = [UInt8](repeating: 0, count: Int(min(end - rawOffset, Int64(FileReader.blockSize))))
        var off = rawOffset
        while off < end {
            let want = Int(min(Int64(buffer.count), end - off))
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(off)) }
            if n < 0 { if errno == EINTR { continue }; break }
            if n == 0 { break }
            buffer.withUnsafeMutableBytes { deliver(UnsafeMutableRawBufferPointer(rebasing: $0[0..<n]), ctx) }
            off += Int64(n)
            progress?.add(Int64(n))
        }
        rawOffset = off
    }

    /// Reads the gzip members past `rawOffset`, each judged by its check (`GzipMembers`): a
    /// member that passed is parsed; one that failed has its lines skipped; one still open (cut
    /// short, or being written) is left for the next read, which takes it again from its start,
    /// so that nothing of it counts before its check. A long member is parsed as it inflates
    /// into a scratch accumulator, with the stream's state kept to be put back if it fails or
    /// stays open.
    private func readGzip(_ fd: Int32, _ size: Int64, _ ctx: ParseContext, _ progress: IngestProgress?) {
        guard size > rawOffset else { return }
        let members = GzipMembers()
        var mark: (parser: LineParser?, account: FileAccount, framer: LineFramer, content: ContentHash, contentHead: Int,
                   skip: Int64, lines: MemberLines, aside: ParseContext)?
        var last: UInt8?
        do {
            let next = try members.read(fd, from: GzipMembers.Position(offset: rawOffset, hunting: gzipHunting), to: size, path: path,
                                        progress: { progress?.add($0) }) { event in
                switch event {
                case .member(let b, .verified):
                    deliver(b, ctx)
                    memberLines.verified(last: b.last)
                case .member(_, .open):
                    break
                case .member(let b, .failed(_)):
                    deliver(b, ctx, damaged: true)
                case .part(let b):
                    if mark == nil { mark = (parser, account, framer, content, contentHead.count, skip, memberLines, ctx.aside()) }
                    deliver(b, mark!.aside)
                    last = b.last
                case .end(let verdict):
                    guard let m = mark else { return }
                    mark = nil
                    switch verdict {
                    case .verified:
                        ctx.join(m.aside)
                        memberLines.verified(last: last)
                    case .open:
                        parser = m.parser; account = m.account; framer = m.framer; content = m.content
                        contentHead.removeSubrange(min(m.contentHead, contentHead.count)...)
                        skip = m.skip; memberLines = m.lines
                    case .failed:
                        parser = m.parser
                        memberLines.damaged(since: m.account, markLine: m.framer.lineNumber, MemberLines.failed, &framer, &account)
                    }
                }
            }
            rawOffset = next.offset
            gzipHunting = next.hunting
        } catch {
            // The file could not be read (it is read again at the next poll, from the last
            // member judged); a long member begun is put back.
            if let m = mark {
                parser = m.parser; account = m.account; framer = m.framer; content = m.content
                contentHead.removeSubrange(min(m.contentHead, contentHead.count)...)
                skip = m.skip; memberLines = m.lines
            }
        }
        if members.failures > 0 {
            gzipFailures += members.failures
            if firstGzipFailure == nil { firstGzipFailure = members.firstFailure }
            account.fileError = GzipMembers.problem(failures: gzipFailures, first: firstGzipFailure)
        }
    }

    /// Decompressed (or plain) bytes in stream order: past the part a copy repeats, into the
    /// checksum (before the parsers unescape fields in place), then into lines.
    private func deliver(_ chunk: UnsafeMutableRawBufferPointer, _ ctx: ParseContext, damaged: Bool = false) {
        var c = chunk
        if skip > 0 {
            let k = Int(min(skip, Int64(c.count)))
            skip -= Int64(k)
            c = UnsafeMutableRawBufferPointer(rebasing: c[k...])
            if c.count == 0 { return }
        }
        content.update(UnsafeRawBufferPointer(c))
        if restoredContentHead == nil && contentHead.count < FollowedFile.headLength {
            contentHead.append(contentsOf: UnsafeRawBufferPointer(c).prefix(FollowedFile.headLength - contentHead.count))
        }
        if damaged {
            memberLines.damaged(c, MemberLines.failed, &framer, &account)
        } else {
            let rest = memberLines.trim(c, &framer, &account)
            parser?.feed(rest, &framer, &account, ctx)
        }
    }

    private func captureHead(_ fd: Int32) {
        let want = Int(min(rawOffset, Int64(FollowedFile.headLength)))
        guard head.length < want else { return }
        head = Fingerprint(FollowedFile.readBytes(fd, at: 0, count: want), key: fingerprintKey)
    }

    /// Whether the file at `path` still starts with the bytes read from it (false: it was
    /// rewritten, or truncated and written again past its old length).
    func headMatches(at path: String) -> Bool {
        guard head.length > 0 else { return true }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return true }  // gone: the next scan tells
        defer { close(fd) }
        return Fingerprint(FollowedFile.readBytes(fd, at: 0, count: head.length), key: fingerprintKey) == head
    }

    /// How many of the stream's first bytes are known (by value or by fingerprint).
    var contentHeadLength: Int { restoredContentHead?.length ?? contentHead.count }

    /// Whether `sample` (the start of another file's content) starts as this stream did, as
    /// far as both go. `fallback`: this stream's first bytes when none were delivered yet.
    func startsAlike(_ sample: [UInt8], fallback: [UInt8]?) -> Bool {
        if let r = restoredContentHead {
            return r.length > 0 && sample.count >= r.length && Fingerprint(Array(sample.prefix(r.length)), key: fingerprintKey) == r
        }
        let head = contentHead.isEmpty ? fallback ?? [] : contentHead
        let n = min(head.count, sample.count)
        return n > 0 && sample[0..<n].elementsEqual(head[0..<n])
    }

    // MARK: helpers

    static func readBytes(_ fd: Int32, at offset: Int64, count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, count - got, off_t(offset + Int64(got))) }
            if n < 0 { if errno == EINTR { continue }; break }
            if n == 0 { break }
            got += n
        }
        out.removeSubrange(got...)
        return out
    }

    /// The offset just past the last `\n` in [from, to), or nil when there is none: the bytes
    /// after it are a line still being written, left for a later poll.
    static func lineEnd(_ fd: Int32, from: Int64, to: Int64) -> Int64? {
        var hi = to
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while hi > from {
            let lo = max(from, hi - Int64(buffer.count))
            let want = Int(hi - lo)
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(lo)) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { return nil }
            let found: Int? = buffer.withUnsafeBytes { raw in
                var i = n - 1
                while i >= 0 { if raw[i] == 0x0A { return i }; i -= 1 }
                return nil
            }
            if let i = found { return lo + Int64(i) + 1 }
            hi = lo
        }
        return nil
    }

    /// The checksum of the first `length` bytes of a file's content (gunzipped when
    /// `compressed`), or nil when it holds fewer.
    /// `whole`: the checksum of all of it, however long.
    static func contentHash(_ path: String, compressed: Bool, length: Int64, whole: Bool = false) -> ContentHash? {
        var h = ContentHash()
        var remaining = length
        do {
            try FileReader.read(path, compressed: compressed) { chunk in
                guard remaining > 0 else { throw StopReading() }
                let k = Int(min(remaining, Int64(chunk.count)))
                h.update(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(chunk)[0..<k]))
                remaining -= Int64(k)
                if remaining == 0 { throw StopReading() }
            }
        } catch {
            // (A gzip file still being written: what there is so far.)
        }
        return whole || h.length == length ? h : nil
    }

    private struct StopReading: Error {}
}

/// What the first bytes of a new file say: its format, whether it is gzip, and the start of
/// its content (for recognising copies).
struct Sniffed {
    var compressed = false
    var format: InputFormat?
    var custom: Int?
    var jsonLines = false
    var sample: [UInt8] = []
    var readable = true

    /// As `InputDiscovery.inspect`, except that a small file's last line is left out until
    /// its newline arrives (a header half written must not be taken for another format).
    static func sniff(_ path: String, custom sources: [CustomSource]) -> Sniffed {
        var s = Sniffed()
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { s.readable = false; return s }
        defer { close(fd) }
        let limit = FormatSniffer.sniffLength
        let head = FollowedFile.readBytes(fd, at: 0, count: limit)
        s.compressed = head.count >= 2 && head[0] == 0x1F && head[1] == 0x8B
        var whole = head.count < limit
        if s.compressed {
            let decoder = GzipDecoder()
            var chunk = head
            var offset = Int64(head.count)
            while s.sample.count < limit {
                do { try chunk.withUnsafeBytes { try decoder.feed($0) { s.sample.append(contentsOf: $0) } } } catch { break }
                chunk = FollowedFile.readBytes(fd, at: offset, count: 64 << 10)
                if chunk.isEmpty { whole = true; break }
                offset += Int64(chunk.count)
            }
            if s.sample.count >= limit { whole = false }
        } else {
            s.sample = head
        }
        if whole {
            if let nl = s.sample.lastIndex(of: 0x0A) { s.sample.removeSubrange((nl + 1)...) } else { s.sample = [] }
        }
        if let c = CustomSourceSniffer.claim(s.sample, sources) { s.custom = c; return s }
        s.format = FormatSniffer.sniff(s.sample)
        if let f = s.format, f.isJSONRecords { s.jsonLines = CallRecordsShape.isJSONLines(s.sample, pageKeys: f.pageKeys) }
        return s
    }
}

/// A keyed 64-bit hash of some first bytes, and how many: recognises a file's start without
/// keeping its bytes (which hold people's names).
struct Fingerprint: Equatable, Sendable, Codable {
    var length = 0
    var hash: UInt64 = 0

    init() {}
    init(length: Int, hash: UInt64) { self.length = length; self.hash = hash }
    init(_ bytes: [UInt8], key: UInt64) {
        length = bytes.count
        hash = bytes.withUnsafeBytes { IdentityHasher(key: key).hash($0, lowercase: false) }
    }
}
