#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What a store keeps of one followed stream between runs: which file it reads now (device,
/// inode, size, modification time), how far (offset, lines, the content's checksum and the
/// fingerprints of its first bytes), its parser state and its accounting. Never a byte of the
/// content: a CSV header is read again from the file when the stream resumes.
struct StreamState: Codable, Equatable {
    var path: String
    var device: UInt64?
    var inode: UInt64?
    var size: Int64
    var modified: Int64
    var compressed: Bool
    var format: String?
    var custom: String?
    var jsonLines: Bool
    var document: Bool
    var rawOffset: Int64
    var content: ContentHash
    var contentHead: Fingerprint
    var head: Fingerprint
    var lineNumber: Int
    var parserState: [Int64]?
    var documentMeetings: Int
    var failed: Bool
    var account: StoredAccount
}

/// `FileAccount` as stored (JSON).
struct StoredAccount: Codable, Equatable {
    var lines = 0, records = 0, headers = 0
    var ignored: [String: Int] = [:]
    var skipped: [String: Int] = [:]
    var examples: [[String]] = []
    var fileError: String?

    init(_ a: FileAccount) {
        lines = a.lines; records = a.records; headers = a.headers
        ignored = a.ignored; skipped = a.skippedReasons
        examples = a.examples.map { [String($0.line), $0.reason] }
        fileError = a.fileError
    }

    var account: FileAccount {
        var a = FileAccount()
        a.lines = lines; a.records = records; a.headers = headers
        a.ignored = ignored; a.skippedReasons = skipped
        a.examples = examples.compactMap { e in e.count == 2 ? Int(e[0]).map { FileAccount.Example(line: $0, reason: e[1]) } : nil }
        a.fileError = fileError
        return a
    }
}

extension FollowedFile {
    /// The state to persist after a read (streams of lines and JSON documents only).
    var storedState: StreamState {
        // A plain file read part of the way (a batch, or a run killed between batches) is
        // stored as seen only that far, so the next run finds it changed and reads on.
        StreamState(path: path, device: identity?.device, inode: identity?.inode,
                    size: compressed || mode == .document ? stat.size : min(stat.size, rawOffset), modified: stat.modified,
                    compressed: compressed, format: format?.rawValue, custom: custom == nil ? nil : formatName,
                    jsonLines: jsonLines, document: mode == .document, rawOffset: rawOffset, content: content,
                    contentHead: restoredContentHead ?? Fingerprint(contentHead, key: fingerprintKey), head: head,
                    lineNumber: framer.lineNumber, parserState: parser?.persistentState,
                    documentMeetings: documentMeetings, failed: failed, account: StoredAccount(account))
    }

    /// A stream as a store left it, ready to go on: its parser is made, its CSV header read
    /// again from the file, its year state restored; a gzip stream is decompressed again from
    /// the start, past what it delivered. nil when its format is no longer known (a custom
    /// source removed from the config).
    static func restoring(_ s: StreamState, id: Int64, version: Int64, settings: IngestSettings,
                          directory: DirectoryBuilder) -> FollowedFile? {
        var custom: Int?
        if let name = s.custom {
            guard let i = settings.customSources.firstIndex(where: { $0.name == name }) else { return nil }
            custom = i
        }
        let format = s.format.flatMap(InputFormat.init(rawValue:))
        guard format != nil || custom != nil else { return nil }
        var raw = Glibc.stat()
        raw.st_dev = __dev_t(s.device ?? 0)
        raw.st_ino = __ino_t(s.inode ?? 0)
        var st = FileStat(raw)
        st.size = s.size; st.modified = s.modified; st.regular = true
        let f = FollowedFile(path: s.path, stat: st, compressed: s.compressed, format: format, custom: custom,
                             jsonLines: s.jsonLines, settings: settings)
        if s.device == nil || s.inode == nil { f.identity = nil }
        f.storeID = id
        f.storeVersion = version
        f.content = s.content
        f.restoredContentHead = s.contentHead
        f.head = s.head
        f.documentMeetings = s.documentMeetings
        f.failed = s.failed
        f.account = s.account.account
        f.framer = LineFramer(resumingAt: s.lineNumber)
        if f.compressed { f.rawOffset = 0; f.skip = s.content.length } else { f.rawOffset = s.rawOffset }
        if f.mode == .document { f.rawOffset = s.rawOffset }
        if f.mode == .lines, f.identity != nil {
            f.prepare(directory: directory, settings: settings)
            if let state = s.parserState { f.parser?.persistentState = state }
            f.resumeHeader = s.content.length > 0
        }
        return f
    }

    /// A resumed stream's parser takes its header from the file's first line, when the file is
    /// read again (a file that did not change is not opened).
    func adoptResumedHeader(_ ctx: ParseContext) {
        guard resumeHeader else { return }
        resumeHeader = false
        if var first = FollowedFile.firstLine(path, compressed: compressed) {
            first.withUnsafeMutableBytes { parser?.adoptHeader($0, ctx) }
        }
    }

    /// The first line of a file's content (gunzipped), without its terminator and BOM; read a
    /// little at a time.
    static func firstLine(_ path: String, compressed: Bool) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var offset: Int64 = 0
        let decoder = compressed ? GzipDecoder() : nil
        while out.count <= LineFramer.defaultMaxLine {
            if let nl = out.firstIndex(of: 0x0A) {
                out.removeSubrange(nl...)
                if out.last == 0x0D { out.removeLast() }
                if out.starts(with: [0xEF, 0xBB, 0xBF]) { out.removeFirst(3) }
                return out
            }
            let chunk = readBytes(fd, at: offset, count: 16 << 10)
            if chunk.isEmpty { return nil }
            offset += Int64(chunk.count)
            if let decoder {
                do { try chunk.withUnsafeBytes { try decoder.feed($0) { out.append(contentsOf: $0) } } } catch { return nil }
            } else {
                out.append(contentsOf: chunk)
            }
        }
        return nil
    }
}
