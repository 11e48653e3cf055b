import Dispatch
import Foundation
import Synchronization

/// What one poll found.
public struct LiveChange: Sendable, Equatable {
    /// New files (including a new file at the path of one that was rotated away).
    public var filesAdded: [String] = []
    /// Files followed under a new name (rename rotation): read on from where they were.
    public var filesRotated: [String] = []
    /// Files that shrank or whose first bytes changed (copy-truncate): read again from the start.
    public var filesTruncated: [String] = []
    /// New files holding what a followed file already delivered (the copy of a copy-truncate,
    /// a compressed rotation): only what they hold beyond it is read.
    public var copiesRecognised: [String] = []
    /// Files that disappeared (what they delivered still counts).
    public var filesGone: [String] = []
    public var recordsAdded = 0
    public var linesAdded = 0
    /// A directory (people → BU) file changed: everything was read again from scratch.
    public var reingested = false

    public init() {}

    public var changed: Bool {
        reingested || linesAdded > 0 || recordsAdded > 0 || !filesAdded.isEmpty || !filesRotated.isEmpty
            || !filesTruncated.isEmpty || !copiesRecognised.isEmpty || !filesGone.isEmpty
    }
}

/// Follows the inputs under some roots as they grow (DESIGN.md: "read … follow/tail"), for the
/// live dashboard: each `poll()` reads only what is new since the last one, and `rollups()`
/// turns everything read so far into rollups, as often as asked.
///
/// - Lines appended to a file are read once. A last line without its newline is left in the
///   file until the newline arrives (neither counted nor lost).
/// - New files under the roots are found on every poll (a walk with one stat(2) per entry; a
///   file is opened only when it is new or its size or modification time changed).
/// - Rename rotation: a file is known by device and inode, so under its new name it is read
///   on from its offset; the new file at the old path is a new file, read from 0.
/// - Copy-truncate: a file that shrinks, or whose first bytes change, has ended; its path is
///   read again from 0. A new file (plain or gzip) whose content starts with everything an
///   ended stream delivered is that stream's copy: the stream goes on from it past those bytes
///   (with its parser: CSV header, syslog year), so nothing counts twice. A copy of a stream
///   still being read is held as a duplicate, and takes the stream's place if it ends.
/// - A file replaced (new inode at the same path) is a new file, read from 0 — unless its
///   content starts with all the old one delivered, which is then not read again.
/// - JSON documents (call records as one array or a Graph page) are read whole when first
///   seen and again whenever they change (meetings count once by id).
/// - Directory (people → BU) files are read before the others; when one changes, appears or
///   goes, everything is read again from scratch (`LiveChange.reingested`): the BU of every
///   record depends on them. What files no longer present delivered is then gone too.
///
/// Every line is counted once as a record, ignored, skipped or header line. The first poll
/// reads the files in parallel, as a batch `Ingest` does, except that a file whose whole
/// content is the start of another (a copy-truncate caught between copy and truncation) is
/// held as a duplicate rather than counted twice. Thread-safe: all calls serialise.
///
/// Known limits (each where the bytes alone cannot tell):
/// - a copy holding less than was already read from a file that no longer exists is read
///   again (a copy-truncate always copies before it truncates, so this needs a lost race);
/// - a second path to the same file (hard link, symbolic link) is followed once, where a
///   batch ingest reads every path;
/// - year-less syslog stamps without a configured year take the year from the file's
///   modification time at its first read;
/// - a root that is a single file cannot be followed through a rename (the new name is not
///   under a root): follow the directory;
/// - a last line that never gets its newline is never counted (a batch ingest counts it), and
///   a gzip member the data stops in counts nothing until it is whole (a batch ingest skips its
///   lines as cut short) and is not reported as cut;
/// - a directory change re-reads the files present then, as the first poll does: what files
///   that have gone (or were truncated) delivered is dropped.
public final class LiveIngest: @unchecked Sendable {
    public let roots: [String]
    public let settings: IngestSettings
    /// Threads for large reads (the first poll, a re-ingest, a big burst). Set before polling.
    public var workers = max(1, System.coreCount)
    /// A poll reads in parallel when more than this many bytes are new. Set before polling.
    public var parallelThreshold: Int64 = 8 << 20

    private let exclude: Set<String>
    private let lock = NSLock()
    private var started = false
    /// Every stream ever followed, in the order first seen.
    private var files: [FollowedFile] = []
    private var byIdentity: [FileIdentity: FollowedFile] = [:]
    private var problems: [String: InputReport] = [:]
    private var excluded: Set<String> = []
    private var units = BusinessUnits()
    private var builder: DirectoryBuilder
    private var resolver: Resolver
    private var acc = Accumulator()
    private var reingests = 0
    /// Per feed name, when lines last arrived in one of its files (by `clock`).
    private var arrivals: [String: Int64] = [:]
    /// The wall clock of `arrivals` (Unix seconds); replaceable for tests.
    public var clock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    /// Store mode (`StoreIngest`): streams are restored from the store at the first poll and
    /// every read is committed to it (facts and the stream's state in one transaction) instead
    /// of kept in memory; directory files are read whole at the first poll.
    var store: (any StreamStore)?
    /// Store mode: at most this many bytes of a plain file per transaction.
    var storeBatchBytes: Int64 = 32 << 20
    /// Store mode: bytes committed so far (the progress line), of the bytes a poll finds to read.
    var storeProgress: IngestProgress?
    /// Store mode: whether this poll set the progress line's total yet.
    private var progressBegun = false
    /// Store mode: the first error the store gave (the poll stops reading at it).
    private(set) var storeError: Error?
    /// Store mode: directory files found at the first poll, read before the first batch.
    private var unreadDirectories: [FollowedFile] = []
    /// Store mode: another process moved a stream on meanwhile (our view of the store is stale).
    private(set) var storeConflict = false
    /// Store mode: lines and records committed per path, in commit order.
    private(set) var committed: [(path: String, lines: Int, records: Int)] = []

    /// - Parameter exclude: canonical paths that are not inputs (the config and rules files).
    public init(roots: [String], settings: IngestSettings, exclude: Set<String> = []) {
        self.roots = roots
        self.settings = settings
        self.exclude = exclude
        builder = DirectoryBuilder(hasher: settings.hasher, units: units, pseudonyms: settings.pseudonyms)
        resolver = Resolver(directory: builder.directory, units: units)
    }

    // MARK: what the header shows

    /// Every input seen, with its accounting so far, by path.
    public var inputs: [InputReport] {
        locked {
            // A document beside the logs (a README) is no input.
            var out = files.filter { !($0.mode == .unknown && $0.account.fileError == nil && Documents.isDocument($0.path)) }.map(\.report)
            out.append(contentsOf: problems.values)
            return out.sorted { $0.path < $1.path }
        }
    }

    /// Files being followed now (present, in a known format).
    public var filesFollowed: Int {
        locked { files.reduce(0) { $0 + ($1.identity != nil && ($1.mode == .lines || $1.mode == .document) ? 1 : 0) } }
    }

    public var totalRecords: Int { locked { files.reduce(0) { $0 + $1.account.records } } }
    public var totalLines: Int { locked { files.reduce(0) { $0 + $1.account.lines } } }
    public var skippedLines: Int { locked { files.reduce(0) { $0 + $1.account.skipped } } }
    /// The newest time stamp of any record (UTC epoch seconds).
    public var newestRecord: Int64? { locked { acc.newestRecord } }
    /// Per feed name, the instant (by `clock`) lines last arrived in one of its files. A sessions
    /// CSV counts for `vdi`, its default family, whatever families its rows name.
    public var lastArrivals: [String: Int64] { locked { arrivals } }
    /// The business units records were resolved to (ids as the accumulators hold them).
    var businessUnits: BusinessUnits { locked { units } }
    /// How many times a directory change made everything be read again.
    public var reingestCount: Int { locked { reingests } }

    /// Rollups of everything read so far; the state is kept, so this can be called after
    /// every poll.
    ///
    /// - Parameter now: a session still open stays open up to the newest time stamp of its
    ///   source (as in a batch ingest), or up to `now` when that is later (FORMATS.md: "in live
    ///   mode: up to now"); never longer than the maximum session length either way.
    public func rollups(now: Int64? = nil) -> Rollups {
        locked {
            let saved = acc.newest
            if let now { for f in acc.newest.indices { acc.newest[f] = max2(acc.newest[f], now) } }
            defer { acc.newest = saved }
            let r = IngestResult(inputs: [], accumulator: acc, units: units, directory: builder.directory, settings: settings)
            var out = RollupBuilder.build(r, preservingFacts: true)
            for (name, t) in arrivals { out.feeds[name, default: FeedFreshness()].lastArrival = t }
            return out
        }
    }

    // MARK: polling

    /// Bytes read of the bytes a poll set out to read, for a progress display on another thread.
    public let progress = IngestProgress(totalBytes: 0)

    /// Reads everything new since the last poll (everything, the first time).
    public func poll() -> LiveChange {
        locked {
            let entries = FileScan.scan(roots)
            if store != nil { committed = []; progressBegun = false }
            if store != nil && !started { return resume(entries) }
            return started ? update(entries) : ingestAll(entries)
        }
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    /// From scratch: the directory first, then everything else in parallel.
    private func ingestAll(_ entries: [FileScan.Entry]) -> LiveChange {
        var change = LiveChange()
        change.reingested = started
        if started { reingests += 1 }
        started = true
        files = []; byIdentity = [:]; problems = [:]
        units = BusinessUnits()
        builder = DirectoryBuilder(hasher: settings.hasher, units: units, pseudonyms: settings.pseudonyms)
        acc = Accumulator()
        // Files that are the start of another one (a copy-truncate caught between its copy
        // and its truncation) are read once: the others are held as duplicates.
        var samples: [ObjectIdentifier: [UInt8]] = [:]
        for e in entries {
            guard let st = usable(e) else { continue }
            guard byIdentity[st.identity] == nil else { continue }  // a second link to a file already followed
            let s = Sniffed.sniff(e.path, custom: settings.customSources)
            if case .duplicate(let o)? = copyMatch(s, path: e.path, samples: samples) {
                duplicate(of: o, e.path, st, s)
                change.copiesRecognised.append(e.path)
                continue
            }
            let f = newFile(e.path, st, sniffed: s)
            change.filesAdded.append(e.path)
            if f.mode == .lines { samples[ObjectIdentifier(f)] = Array(s.sample.prefix(FollowedFile.headLength)) }
        }
        // Phase 1: the directory.
        let dctx = ParseContext(acc: Accumulator(), resolver: Resolver(directory: builder.directory, units: units), settings: settings)
        for f in files where f.format == .directory && f.custom == nil { f.prepare(directory: builder, settings: settings); f.read(dctx) }
        builder.directory.finishPseudonyms(workers: workers)
        resolver = Resolver(directory: builder.directory, units: units)
        // Phase 2: the rest.
        let work = files.filter { ($0.mode == .lines || $0.mode == .document) && !($0.format == .directory && $0.custom == nil) }
        read(work, parallel: true, &change)
        for f in files where f.format == .directory && f.custom == nil {
            change.linesAdded += f.account.lines; change.recordsAdded += f.account.records
        }
        return change
    }

    /// A regular file to follow, or nil (problems and excluded paths are noted).
    private func usable(_ e: FileScan.Entry) -> FileStat? {
        guard let st = e.stat, st.regular else {
            if problems[e.path] == nil, let p = InputDiscovery.irregular(e.path) {
                var r = InputReport(path: e.path, format: nil, size: p.size)
                r.account.fileError = p.problem ?? "cannot be read"
                problems[e.path] = r
            }
            return nil
        }
        if excluded.contains(e.path) { return nil }
        if !exclude.isEmpty, exclude.contains(FileInfo.canonical(e.path)) { excluded.insert(e.path); return nil }
        if problems[e.path] != nil { problems[e.path] = nil }
        return st
    }

    @discardableResult
    private func newFile(_ path: String, _ st: FileStat, sniffed: Sniffed? = nil) -> FollowedFile {
        let s = sniffed ?? Sniffed.sniff(path, custom: settings.customSources)
        let f = FollowedFile(path: path, stat: st, compressed: s.compressed, format: s.format, custom: s.custom,
                             jsonLines: s.jsonLines, settings: settings)
        if !s.readable { f.account.fileError = "cannot be read" }
        else if f.mode == .unknown && !Documents.isDocument(path) { f.account.fileError = InputDiscovery.unknownFormat }
        files.append(f)
        byIdentity[st.identity] = f
        return f
    }

    private func isDirectory(_ f: FollowedFile) -> Bool { f.format == .directory && f.custom == nil }

    /// A later poll: what moved, what grew, what is new.
    private func update(_ entries: [FileScan.Entry]) -> LiveChange {
        var change = LiveChange()
        var directoryChanged = false
        var pathsByIdentity: [FileIdentity: [String]] = [:]
        var statByPath: [String: FileStat] = [:]
        pathsByIdentity.reserveCapacity(entries.count)
        statByPath.reserveCapacity(entries.count)
        for e in entries {
            if let st = e.stat, st.regular {
                pathsByIdentity[st.identity, default: []].append(e.path)
                statByPath[e.path] = st
            }
        }
        if !problems.isEmpty {
            let present = Set(entries.map(\.path))
            problems = problems.filter { present.contains($0.key) && statByPath[$0.key] == nil }
        }

        // 1. The files followed: where they are now, and whether they changed.
        var work: [FollowedFile] = []
        var ended: [FollowedFile] = []
        var claimed = Set<String>()
        var truncatedPaths = Set<String>()
        var changedDuplicates = Set<ObjectIdentifier>()
        var resniffed: [String: Sniffed] = [:]
        for (id, f) in byIdentity {
            guard let paths = pathsByIdentity[id] else {
                change.filesGone.append(f.path)
                end(f, &ended)
                if isDirectory(f) { directoryChanged = true }
                continue
            }
            let path = paths.contains(f.path) ? f.path : paths[0]
            let st = statByPath[path]!
            let renamed = path != f.path
            guard renamed || st.differs(from: f.stat) else { claimed.formUnion(paths); continue }
            if f.mode != .duplicate && (st.size < f.rawOffset || !f.headMatches(at: path)) {
                // Truncated or rewritten: the stream ends here; the file is new from byte 0.
                change.filesTruncated.append(path)
                truncatedPaths.insert(path)
                end(f, &ended)
                if isDirectory(f) { directoryChanged = true }
                continue
            }
            claimed.formUnion(paths)
            if renamed { change.filesRotated.append(path); f.path = path }
            guard st.differs(from: f.stat) else { continue }
            f.stat = st
            switch f.mode {
            case .lines, .document:
                if isDirectory(f) { directoryChanged = true } else { work.append(f) }
            case .unknown:
                // Sniffed again: a file may have been empty, or its first line unfinished.
                // Once its format is known it is a new file (it may be a copy being written).
                let s = Sniffed.sniff(path, custom: settings.customSources)
                if s.format != nil || s.custom != nil {
                    byIdentity[id] = nil
                    files.removeAll { $0 === f }
                    claimed.subtract(paths)
                    resniffed[path] = s
                } else {
                    f.account.fileError = !s.readable ? "cannot be read" : Documents.isDocument(path) ? nil : InputDiscovery.unknownFormat
                }
            case .duplicate:
                changedDuplicates.insert(ObjectIdentifier(f))
            }
        }

        // 2. Duplicates whose original has ended take its place (checked when either changed).
        let endedNow = Set(ended.map(ObjectIdentifier.init))
        for d in files where d.mode == .duplicate && d.identity != nil {
            guard let o = d.original, o.identity == nil, let st = statByPath[d.path], st.identity == d.identity,
                  endedNow.contains(ObjectIdentifier(o)) || changedDuplicates.contains(ObjectIdentifier(d)) else { continue }
            if FollowedFile.contentHash(d.path, compressed: d.compressed, length: o.content.length) == o.content {
                byIdentity[st.identity] = o
                d.identity = nil
                files.removeAll { $0 === d }
                o.rebind(path: d.path, stat: st, compressed: d.compressed)
                change.copiesRecognised.append(d.path)
                work.append(o)
            }
        }

        // 3. New files.
        var samples: [ObjectIdentifier: [UInt8]] = [:]  // of the files new in this poll, not read yet
        for e in entries where !claimed.contains(e.path) {
            guard let st = usable(e), byIdentity[st.identity] == nil else { continue }
            let s = resniffed[e.path] ?? Sniffed.sniff(e.path, custom: settings.customSources)
            if s.format == .directory && s.custom == nil { directoryChanged = true }
            // A JSON document replacing one: read whole again, in place of the old one.
            if let f = s.format, f.readsWhole(jsonLines: s.jsonLines) && s.custom == nil,
               let old = files.first(where: { $0.identity == nil && $0.mode == .document && $0.path == e.path }) {
                old.rebind(path: e.path, stat: st, compressed: s.compressed)
                byIdentity[st.identity] = old
                change.filesAdded.append(e.path)
                work.append(old)
                continue
            }
            switch copyMatch(s, path: e.path, samples: samples) {
            case .continues(let o):
                o.rebind(path: e.path, stat: st, compressed: s.compressed)
                byIdentity[st.identity] = o
                change.copiesRecognised.append(e.path)
                work.append(o)
            case .duplicate(let o):
                duplicate(of: o, e.path, st, s)
                change.copiesRecognised.append(e.path)
            case nil:
                let f = newFile(e.path, st, sniffed: s)
                if !truncatedPaths.contains(e.path) { change.filesAdded.append(e.path) }
                if f.mode == .lines || f.mode == .document { work.append(f) }
                if f.mode == .lines { samples[ObjectIdentifier(f)] = Array(s.sample.prefix(FollowedFile.headLength)) }
            }
        }

        if directoryChanged && store == nil { return ingestAll(entries) }
        // Store mode: the next poll starts again from the store, with the new directory (what
        // was stored keeps the BUs people had when it was read).
        if directoryChanged { started = false; change.reingested = true }

        // 4. Read.
        let pending = work.reduce(Int64(0)) { $0 + max(0, $1.stat.size - $1.rawOffset) }
        read(work, parallel: pending > parallelThreshold, &change)

        // 5. A duplicate that grew is still one while it stays the start of its original. If
        // it grew past it, holding all the original delivered, it is the file being written
        // and the original's file the copy: the stream moves on to it, the roles swap.
        // Otherwise it was not a copy after all, and is read as a file of its own.
        if !changedDuplicates.isEmpty {
            var more: [FollowedFile] = []
            for d in files where d.mode == .duplicate && d.identity != nil && changedDuplicates.contains(ObjectIdentifier(d)) {
                guard let o = d.original, let oid = o.identity, let did = d.identity else { continue }
                guard let h = FollowedFile.contentHash(d.path, compressed: d.compressed, length: Int64.max, whole: true) else { continue }
                if FollowedFile.contentHash(o.path, compressed: o.compressed, length: h.length) == h { continue }
                if h.length >= o.content.length,
                   FollowedFile.contentHash(d.path, compressed: d.compressed, length: o.content.length) == o.content {
                    let (path, stat, compressed) = (d.path, d.stat, d.compressed)
                    d.path = o.path; d.stat = o.stat; d.compressed = o.compressed; d.identity = oid
                    d.account.fileError = "holds what \(path) holds; not counted again"
                    byIdentity[oid] = d
                    o.rebind(path: path, stat: stat, compressed: compressed)
                    byIdentity[did] = o
                    change.copiesRecognised.append(d.path)
                    more.append(o)
                } else {
                    d.original = nil
                    d.setFormat(d.format, custom: d.custom, jsonLines: d.jsonLines, settings: settings)
                    d.account.fileError = nil
                    change.filesAdded.append(d.path)
                    more.append(d)
                }
            }
            read(more, parallel: false, &change)
        }
        return change
    }

    private func duplicate(of o: FollowedFile, _ path: String, _ st: FileStat, _ s: Sniffed) {
        let d = newFile(path, st, sniffed: s)
        d.mode = .duplicate
        d.original = o
        d.account.fileError = "holds what \(o.path) holds; not counted again"
    }

    private func end(_ f: FollowedFile, _ ended: inout [FollowedFile]) {
        if let id = f.identity, byIdentity[id] === f { byIdentity[id] = nil }
        f.identity = nil
        ended.append(f)
        if let store, storeError == nil, f.mode == .lines || f.mode == .document {
            do { try store.ended(f) } catch { storeError = error }
        }
        if f.mode == .duplicate { files.removeAll { $0 === f } }
    }

    enum CopyMatch { case continues(FollowedFile), duplicate(FollowedFile) }

    /// Whether a new file holds bytes already counted:
    /// - it starts with everything a stream that has ended delivered (the copy of a
    ///   copy-truncate, a compressed rotation): the stream continues from it, past those bytes;
    /// - its whole content is the start of a file still followed (a copy taken before the
    ///   truncation, a backup, a gzip still being written): a duplicate, never read, that takes
    ///   the original's place if the original ends.
    /// The first bytes must agree before anything is read in full.
    private func copyMatch(_ s: Sniffed, path: String, samples: [ObjectIdentifier: [UInt8]]) -> CopyMatch? {
        guard s.format != nil || s.custom != nil, !s.sample.isEmpty else { return nil }
        let candidates = files.filter { f in
            f.mode == .lines && f.format == s.format && f.custom == s.custom
                && f.startsAlike(s.sample, fallback: samples[ObjectIdentifier(f)])
        }
        guard !candidates.isEmpty else { return nil }
        // Ended streams: the new file holds all they delivered.
        for c in candidates.filter({ $0.identity == nil && $0.content.length > 0 }).sorted(by: { $0.content.length > $1.content.length }) {
            if s.sample.count >= c.contentHeadLength && c.content.length <= Int64(c.contentHeadLength) { return .continues(c) }
            if FollowedFile.contentHash(path, compressed: s.compressed, length: c.content.length) == c.content { return .continues(c) }
        }
        // Files still followed: the new file is all their start. A CSV header alone is not
        // enough to say so (every file of the format may start with it).
        let live = candidates.filter { $0.identity != nil }
        let csv: Set<InputFormat> = [.directory, .zscalerNSSCSV, .teamsUserActivity, .teamsUserCounts, .sessionsCSV]
        let headed = s.custom.map { settings.customSources[$0].shape == .csv } ?? s.format.map(csv.contains) ?? false
        guard !live.isEmpty, s.sample.lazy.filter({ $0 == 0x0A }).count >= (headed ? 2 : 1), let whole = FollowedFile.contentHash(path, compressed: s.compressed, length: Int64.max, whole: true),
              whole.length > 0 else { return nil }
        for c in live where FollowedFile.contentHash(c.path, compressed: c.compressed, length: whole.length) == whole {
            return .duplicate(c)
        }
        return nil
    }

    /// Reads the files of `work`; in parallel (one accumulator per thread, merged) when asked.
    private func read(_ work: [FollowedFile], parallel: Bool, _ change: inout LiveChange) {
        guard !work.isEmpty else { return }
        if store != nil { return readIntoStore(work, parallel: parallel, &change) }
        let before = work.map { ($0.account.lines, $0.account.records) }
        let settings = self.settings
        let progress = self.progress
        progress.begin(work.reduce(Int64(0)) { $0 + max(0, $1.stat.size - $1.rawOffset) })
        for f in work { f.prepare(directory: builder, settings: settings) }
        if !parallel || work.count < 2 || workers < 2 {
            let ctx = ParseContext(acc: acc, resolver: resolver, settings: settings)
            for f in work { f.read(ctx, progress: progress) }
        } else {
            let order = work.sorted { $0.stat.size - $0.rawOffset > $1.stat.size - $1.rawOffset }
            let next = Atomic<Int>(0)
            let accumulators = Mutex<[Accumulator]>([])
            let dir = resolver.directory, units = self.units
            DispatchQueue.concurrentPerform(iterations: max(1, min(workers, order.count))) { _ in
                let threadAcc = Accumulator(keepingSpans: settings.factSpans)
                let resolver = Resolver(directory: dir, units: units)
                while true {
                    let k = next.add(1, ordering: .relaxed).oldValue
                    guard k < order.count else { break }
                    let ctx = ParseContext(acc: Accumulator(keepingSpans: settings.factSpans), resolver: resolver, settings: settings)
                    order[k].read(ctx, progress: progress)
                    threadAcc.merge(ctx.acc)
                }
                accumulators.withLock { $0.append(threadAcc) }
            }
            for a in accumulators.withLock({ $0 }) { acc.merge(a) }
        }
        let now = clock(), names = Feeds.names(settings.customSources)
        for (f, b) in zip(work, before) {
            change.linesAdded += max(0, f.account.lines - b.0)
            change.recordsAdded += max(0, f.account.records - b.1)
            if f.account.lines > b.0, let slot = Feeds.slot(format: f.format, custom: f.custom) {
                arrivals[names[slot == Feeds.byFamily ? Feeds.vdi : slot]] = now
            }
        }
    }
}

// MARK: store mode

/// Where a store-mode `LiveIngest` keeps its streams and what they read: the SQLite `Store`
/// (a transaction per batch), or a ClickHouse load (`ClickHouseLoad`: everything one load read,
/// sent when it ends).
protocol StreamStore: AnyObject, Sendable {
    /// The streams as the last run left them.
    func streams() throws -> [StoredStream]
    /// What one read of `f` added, and `f`'s new state; throws `StoreConflict` when another
    /// process moved the stream on meanwhile.
    func commit(_ f: FollowedFile, _ acc: Accumulator, units: BusinessUnits, feeds: [String]) throws
    /// A stream ended (truncated, replaced, gone): it no longer holds its file.
    func ended(_ f: FollowedFile) throws
}

/// A stream as a store keeps it: its id, version (for conflicts between writers) and state.
struct StoredStream { var id: Int64; var version: Int64; var state: StreamState }

/// Another process moved a stream on meanwhile: the batch is not ours to write.
struct StoreConflict: Error {}

extension LiveIngest {
    /// The first poll of a store-backed ingest: the directory files read whole, the streams
    /// under the roots restored from the store, then an ordinary update (what moved, grew, is new).
    private func resume(_ entries: [FileScan.Entry]) -> LiveChange {
        started = true
        files = []; byIdentity = [:]; problems = [:]
        units = BusinessUnits()
        builder = DirectoryBuilder(hasher: settings.hasher, units: units, pseudonyms: settings.pseudonyms)
        acc = Accumulator()
        do {
            for stored in try store!.streams() where roots.contains(where: { LiveIngest.path(stored.state.path, isUnder: $0) }) {
                guard let f = FollowedFile.restoring(stored.state, id: stored.id, version: stored.version, settings: settings,
                                                     directory: builder) else { continue }
                if let id = f.identity {
                    if byIdentity[id] != nil { f.identity = nil } else { byIdentity[id] = f }
                }
                files.append(f)
            }
        } catch {
            storeError = error
            return LiveChange()
        }
        // Directory files (never streams of the store): sniffed among the files the store does
        // not follow, read whole.
        var directories: [FollowedFile] = []
        for e in entries {
            guard let st = usable(e), byIdentity[st.identity] == nil else { continue }
            let s = Sniffed.sniff(e.path, custom: settings.customSources)
            if s.format == .directory && s.custom == nil { directories.append(newFile(e.path, st, sniffed: s)) }
        }
        // Read when something else is to be read (a run with nothing new does not need them).
        unreadDirectories = directories
        return update(entries)
    }

    static func path(_ path: String, isUnder root: String) -> Bool {
        path == root || path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    /// Reads the files of `work` a batch at a time, committing each batch (its facts and the
    /// stream's state) in one transaction. A stream another process moved on meanwhile is left
    /// to it (its batch rolled back).
    private func readIntoStore(_ work: [FollowedFile], parallel: Bool, _ change: inout LiveChange) {
        guard let store, storeError == nil else { return }
        let settings = self.settings
        if !unreadDirectories.isEmpty {
            let dctx = ParseContext(acc: Accumulator(), resolver: Resolver(directory: builder.directory, units: units), settings: settings)
            for f in unreadDirectories { f.prepare(directory: builder, settings: settings); f.read(dctx) }
            builder.directory.finishPseudonyms(workers: workers)
            resolver = Resolver(directory: builder.directory, units: units)
            unreadDirectories = []
        }
        for f in work { f.prepare(directory: builder, settings: settings) }
        // The progress line counts what is to be read now, not every byte under the roots (a
        // gzip stream is decompressed again from its start).
        let pending = work.reduce(Int64(0)) { $0 + ($1.compressed ? $1.stat.size : max(0, $1.stat.size - $1.rawOffset)) }
        if progressBegun { storeProgress?.grow(pending) } else { storeProgress?.begin(pending); progressBegun = true }
        let order = work.sorted { $0.stat.size - $0.rawOffset > $1.stat.size - $1.rawOffset }
        let next = Atomic<Int>(0)
        let results = Mutex<(tally: [(path: String, lines: Int, records: Int)], error: Error?, conflict: Bool)>(([], nil, false))
        let dir = resolver.directory, units = self.units, batch = storeBatchBytes, feeds = Feeds.names(settings.customSources)
        let threads = parallel ? max(1, min(workers, order.count)) : 1
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            let resolver = Resolver(directory: dir, units: units)
            while results.withLock({ $0.error == nil }) {
                let k = next.add(1, ordering: .relaxed).oldValue
                guard k < order.count else { break }
                let f = order[k]
                f.readLimit = batch
                var first = true
                while true {
                    let (lines, records, offset, length) = (f.account.lines, f.account.records, f.rawOffset, f.content.length)
                    let ctx = ParseContext(acc: Accumulator(keepingSpans: settings.factSpans), resolver: resolver, settings: settings)
                    f.read(ctx)
                    let moved = f.rawOffset != offset || f.content.length != length
                    if !first && !moved { break }
                    first = false
                    do {
                        try store.commit(f, ctx.acc, units: units, feeds: feeds)
                    } catch is StoreConflict {
                        f.identity = nil  // another process follows it: not ours to read in this run
                        results.withLock { $0.conflict = true }
                        break
                    } catch {
                        results.withLock { $0.error = error }
                        break
                    }
                    results.withLock { $0.tally.append((f.path, f.account.lines - lines, f.account.records - records)) }
                    self.storeProgress?.add(f.compressed ? f.rawOffset : f.rawOffset - offset)
                    if !moved || f.mode == .document || f.compressed || f.failed { break }
                }
            }
        }
        let r = results.withLock { $0 }
        if let e = r.error { storeError = e }
        if r.conflict { storeConflict = true }
        committed.append(contentsOf: r.tally)
        for t in r.tally { change.linesAdded += max(0, t.lines); change.recordsAdded += max(0, t.records) }
    }
}
