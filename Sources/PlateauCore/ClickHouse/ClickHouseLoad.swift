#if canImport(Glibc)
import Glibc
#endif

import Foundation
import Synchronization

/// `plateau ingest PATH ... --to clickhouse://...`: what plateau parsed and resolved, loaded
/// into the tables of `ClickHouseSchema` (never a UPN, GUID or name: person keys only).
///
/// Loads are append-only (issue 19): a load reads only what is new since the committed loads —
/// the bytes after each file's last loaded offset — with the live follower's machinery
/// (`LiveIngest` in store mode, `ClickHouseStreams` as its store): files known by device and
/// inode, renamed files read on under their new name, truncated or replaced files read from the
/// start, copies (a rotation's `.1`, `.1.gz`) recognised by their content and not read again.
/// Each stream's state (offsets, checksums, parser state, accounting) is a row of
/// `plateau_files`, so any loader host continues where the last load stopped.
///
/// Stages: schema and the state the committed loads left (at once) → read what is new → its
/// rows sent at once, all under the new load id: facts, meetings, usage-report rows, feeds,
/// units, the streams' new states, and the session pieces it read, followed by the sessions of
/// every group of pieces that changed, computed again and staged (`ClickHouseSessionRebuild`)
/// → the load's row in `plateau_loads` (the commit) → the staged sessions swapped in whole
/// partitions. A cron load waits on round trips more than it works: it makes few, most at
/// once (`concurrently`). A load cut short leaves rows under a load id no committed row
/// names: no query reads them, the retry reads the same bytes again (the offsets did not move),
/// and a later load deletes them (`abandonAfter`).
public struct ClickHouseLoad {
    public var url: ClickHouseURL
    public var settings: IngestSettings
    /// Rows per INSERT: below 1,048,576 (ClickHouse commits an insert in blocks of that many
    /// rows, so a failed larger insert would leave part of it behind).
    public var batchRows = 500_000
    public var log: ((String) -> Void)?
    /// Test hook: called before each batch is sent (its table and index); throwing stops the load.
    public var beforeBatch: ((String, Int) throws -> Void)?
    /// A load begun this many seconds ago and never committed was cut short: its rows are deleted.
    public var abandonAfter: Int64 = 6 * 3600
    /// The begun rows of committed loads are deleted (one mutation) once more than this many
    /// have gathered, not by every load: a mutation costs the server more than the rows.
    public var begunRowsKept = 48
    /// Threads for reading.
    public var workers = max(1, System.coreCount)

    public init(url: ClickHouseURL, settings: IngestSettings) {
        self.url = url
        self.settings = settings
        // Instants go in as DateTime (UInt32 seconds): a record outside is a skipped line. A
        // day's margin at the top for a session's end or a half-day's last instant.
        self.settings.storable = 0...(Int64(UInt32.max) - 86_400)
        self.settings.factSpans = true
    }

    public struct Report: Sendable {
        public var load: UInt64 = 0
        /// Files this load read lines or a document from.
        public var filesLoaded: [String] = []
        /// Files followed that held nothing new.
        public var filesUnchanged: [String] = []
        public var rotated: [String] = []
        public var truncated: [String] = []
        public var copies: [String] = []
        /// Loads cut short earlier whose rows this load deleted.
        public var abandoned: [UInt64] = []
        /// Every input, with its accounting as of this load (whole files, not just what was new).
        public var inputs: [InputReport] = []
        public var rows: [String: Int] = [:]
        /// Sessions computed again (every group of pieces that changed) and the partitions swapped.
        public var sessionsRebuilt = 0
        public var partitionsReplaced = 0
        public var bytesSent = 0
        public var seconds = 0.0
        /// The time the INSERTs took, summed (several run at once: it may exceed `seconds`).
        public var insertSeconds = 0.0
        /// Facts, meetings and sessions with an instant outside 1970 … 2106, which ClickHouse's
        /// DateTime cannot hold: counted in memory, not loaded (the command says how many).
        public var outOfRange = 0
        /// Lines and records read by this load.
        public var linesAdded = 0
        public var recordsAdded = 0
        /// Per file read: the lines and records this load added.
        public var added: [(path: String, lines: Int, records: Int)] = []
        /// Seconds per stage (`--verbose` prints them).
        public var stages: [(stage: String, seconds: Double)] = []
    }

    /// Loads what is new under `roots` (files or directories).
    /// - Parameter exclude: canonical paths that are not inputs (the config and rules files).
    public func run(_ roots: [String], exclude: Set<String> = [], progress: IngestProgress? = nil) throws -> Report {
        let clock = Stopwatch()
        var report = Report()
        var lap = clock.now
        func stage(_ name: String) {
            let now = clock.now
            report.stages.append((name, now - lap))
            lap = now
        }
        let client = ClickHouseClient(url)
        let (prior, shards) = try schemaAndState(client)
        stage("schema and the state of the committed loads")

        // Read what is new.
        let sink = ClickHouseStreams(restored: prior.streams, settings: settings)
        let live = LiveIngest(roots: roots.map { FileInfo.canonical($0) }, settings: settings, exclude: exclude)
        live.store = sink
        live.workers = workers
        live.storeBatchBytes = 1 << 50  // one read per file per load: everything goes in one commit
        live.parallelThreshold = 0
        live.storeProgress = progress
        let change = live.poll()
        if let e = live.storeError { throw e }
        stage("read what is new")
        report.rotated = change.filesRotated
        report.truncated = change.filesTruncated
        report.copies = change.copiesRecognised
        report.linesAdded = change.linesAdded
        report.recordsAdded = change.recordsAdded
        report.inputs = live.inputs
        var byPath: [String: Int] = [:]
        for t in live.committed where t.lines != 0 || t.records != 0 {
            if let i = byPath[t.path] { report.added[i].lines += t.lines; report.added[i].records += t.records }
            else { byPath[t.path] = report.added.count; report.added.append((t.path, t.lines, t.records)) }
        }
        report.added.sort { $0.path < $1.path }
        let touched = sink.touchedStreams
        let loadedPaths = Set(sink.readPaths)
        for input in report.inputs {
            if loadedPaths.contains(input.path) { report.filesLoaded.append(input.path) }
            else if let f = input.format, f != InputFormat.directory.rawValue, input.account.fileError == nil { report.filesUnchanged.append(input.path) }
        }
        // Directory files and notices: a row when one changed. A directory not read by this load
        // (nothing else was new) keeps its row.
        let noted = ClickHouseLoadState.noted(report.inputs, streams: prior.streams, touched: touched)
        let unread = Set(noted.filter { $0.report.format == InputFormat.directory.rawValue && $0.report.account.lines == 0 && $0.report.size > 0 }.map(\.report.path))
        let problemRows = noted.filter { prior.noted[$0.report.path] != $0.signature && !unread.contains($0.report.path) }
        let gone = prior.noted.keys.filter { p in !noted.contains { $0.report.path == p } }.sorted()
        guard !touched.isEmpty || !problemRows.isEmpty || !gone.isEmpty || !prior.abandoned.isEmpty || !prior.unswapped.isEmpty else {
            report.seconds = clock.seconds
            return report
        }

        var load: UInt64 = 0
        while load == 0 { load = UInt64.random(in: 1...UInt64.max) }
        report.load = load
        let seq = prior.sequence + 1
        log?("load \(load) (sequence \(seq)): \(report.filesLoaded.count) files read")
        let began = UInt32(truncatingIfNeeded: Int(clock.now))
        let sent = InsertLog()
        var begun = RowBinary()
        begun.u64(load); begun.u32(began); begun.rows = 1
        try insert("plateau_begun", begun, client: client, log: sent)

        // Every row of the load, sent at once (the loader waits on round trips more than it
        // works): facts, meetings, usage-report rows, units, feeds, the files' new states; and
        // the session pieces, then the sessions computed again from them and staged.
        let rows = ClickHouseRows(sink.parts, units: live.businessUnits, settings: settings, load: load)
        var unitRows = RowBinary()
        for (id, name) in live.businessUnits.names.enumerated() where id > Int(BusinessUnits.unassigned) {
            // A reader orders BUs by each name's smallest id: a name it would not change is not written.
            if let known = prior.unitIDs[name], known <= id { continue }
            unitRows.u64(load); unitRows.u16(UInt16(id)); unitRows.string(name); unitRows.rows += 1
        }
        var feedRows = RowBinary()
        let feedNames = Feeds.names(settings.customSources)
        var feeds = FeedTimes()
        for part in sink.parts { feeds.merge(part.acc.feedTimes) }
        for (feed, fresh) in feeds.byName(feedNames).sorted(by: { $0.key < $1.key }) {
            let entries = [("", fresh.newestRecord)] + fresh.units.sorted { $0.key < $1.key }.map { (live.businessUnits.names[Int($0.key)], Optional($0.value)) }
            for (bu, t) in entries {
                guard let t else { continue }
                feedRows.u64(load); feedRows.string(feed); feedRows.string(bu); feedRows.i64(t); feedRows.u32(began)
                feedRows.rows += 1
            }
        }
        // The streams' new states and the files' accounting (read only with a committed load).
        var files = RowBinary()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for (id, t) in touched.sorted(by: { $0.key < $1.key }) {
            let state = String(decoding: try encoder.encode(t.state), as: UTF8.self)
            ClickHouseLoadState.fileRow(&files, load: load, seq: seq, stream: UInt64(bitPattern: id), live: t.state.device != nil,
                                        report: t.report, error: t.report.account.fileError ?? "", state: state)
        }
        for p in problemRows {
            ClickHouseLoadState.fileRow(&files, load: load, seq: seq, stream: 0, live: true, report: p.report, error: p.report.account.fileError ?? "", state: "")
        }
        for p in gone {
            ClickHouseLoadState.fileRow(&files, load: load, seq: seq, stream: 0, live: false, report: InputReport(path: p, format: nil, size: 0), error: "", state: "")
        }
        // Sessions: computed again from the first day one may have changed, staged now, swapped
        // in after the commit (`ClickHouseSessionRebuild`).
        var newest = prior.familyNewest
        for part in sink.parts { for f in newest.indices { newest[f] = max2(newest[f], part.acc.newest[f]) } }
        var rebuild = ClickHouseSessionRebuild(url: url, client: client, load: load, settings: settings, units: live.businessUnits,
                                               newest: newest, priorNewest: prior.familyNewest, redo: prior.unswapped)
        rebuild.beforeBatch = beforeBatch
        rebuild.batchRows = batchRows
        rebuild.log = log
        rebuild.shards = shards
        let counts = Mutex<[String: Int]>([:])
        var rebuilt = ClickHouseSessionRebuild.Outcome()
        var tasks: [() throws -> Void] = [{
            let n = try self.send("plateau_session_pieces", client: client, log: sent, rows.pieces)
            counts.withLock { $0["plateau_session_pieces"] = n }
            let watch = Stopwatch()
            rebuilt = try rebuild.stage(wholeGroups: rows.wholeGroups, newEarliest: rows.piecesEarliest, firstLoad: prior.sequence == 0,
                                        stageEmpty: prior.stagedRows == 0, insert: { table, batch in try self.insert(table, batch, client: client, log: sent) })
            self.log?(String(format: "sessions computed again and staged: %.3f s", watch.seconds))
        }]
        for (table, writer) in [("plateau_facts", rows.facts), ("plateau_meetings", rows.meetings), ("plateau_organized", rows.organized),
                                ("plateau_org_meeting_users", rows.orgMeetingUsers)] as [(String, (Int, (RowBinary) -> Void) -> Void)] {
            tasks.append {
                let n = try self.send(table, client: client, log: sent, writer)
                counts.withLock { $0[table] = n }
            }
        }
        tasks.append { try self.insert("plateau_units", unitRows, client: client, log: sent) }
        tasks.append { try self.insert("plateau_feeds", feedRows, client: client, log: sent) }
        tasks.append {
            try self.beforeBatch?("plateau_files", 0)
            try self.insert("plateau_files", files, client: client, log: sent)
        }
        try concurrently(tasks)
        report.rows = counts.withLock { $0 }
        report.sessionsRebuilt = rebuilt.sessions
        report.partitionsReplaced = rebuilt.partitions.count
        report.rows["plateau_sessions"] = rebuilt.sessions
        report.outOfRange = rows.outOfRange + rebuilt.outOfRange
        stage("rows sent, sessions staged")

        // The commit.
        var commit = RowBinary()
        var newestRecord: Int64?, duplicates = 0
        for part in sink.parts { newestRecord = max2(newestRecord, part.acc.newestRecord); duplicates += part.acc.duplicateMeetings }
        commit.u64(load); commit.u64(seq); commit.u32(UInt32(truncatingIfNeeded: Int(clock.now)))
        commit.u32(UInt32(ClickHouseSchema.version)); commit.string(settings.timezone.identifier)
        commit.i64(settings.maxSessionSeconds); commit.i64(newestRecord ?? 0); commit.u8(newestRecord == nil ? 0 : 1)
        commit.length(newest.count)  // Array(Int64): its length, then the items
        for t in newest { commit.i64(t ?? ClickHouseLoadState.none) }
        commit.u64(UInt64(duplicates))
        commit.u64(UInt64(report.rows["plateau_facts"] ?? 0)); commit.u64(UInt64(report.rows["plateau_meetings"] ?? 0))
        commit.u64(UInt64(rebuilt.sessions))
        commit.rows = 1
        try beforeBatch?("plateau_loads", 0)
        try insert("plateau_loads", commit, client: client, log: sent)
        // The new sessions swapped in (a load cut short from here on is committed: the next
        // load computes its groups again, having found no plateau_rebuilt row for it).
        try beforeBatch?("plateau_rebuilt", 0)
        stage("commit")
        try rebuild.swap(rebuilt.partitions, insert: { table, batch in try insert(table, batch, client: client, log: sent) })
        stage("sessions swapped in")
        // What is left of earlier loads cut short, and (once enough have gathered: one mutation
        // for many loads) the begun rows of committed loads.
        report.abandoned = prior.abandoned
        let done = prior.committedBegun + [load]
        if !prior.abandoned.isEmpty || done.count > begunRowsKept {
            try ClickHouseLoadState.removeGarbage(url, shards: shards, abandoned: prior.abandoned, committed: done, log: log)
        }
        stage("garbage")
        report.insertSeconds = sent.seconds
        report.bytesSent = sent.bytes
        for (name, seconds) in report.stages { log?(String(format: "%@: %.3f s", name, seconds)) }
        report.seconds = clock.seconds
        return report
    }

    /// The schema made or checked, and the state of the committed loads, at once (a cron load
    /// finds the tables there: one round trip; on a cluster, after the one that names its
    /// shards, which the load keeps); when tables were missing, the state is read again once
    /// they are made. Returns the state and a cluster's shards (nil: one server).
    func schemaAndState(_ client: ClickHouseClient) throws -> (ClickHouseLoadState, [ClickHouseURL.Endpoint]?) {
        let shards = try url.cluster.map { _ in try ClickHouseSchema.shardEndpoints(url) }
        let targets = shards.map { ClickHouseSchema.schemaTargets(url, shards: $0) } ?? [url.endpoint]
        let ready = Mutex<[Int: Bool]>([:])
        var state: Result<ClickHouseLoadState, Error> = .success(ClickHouseLoadState())
        try concurrently(targets.indices.map { i in {
            let ok = try ClickHouseSchema.verify(ClickHouseClient(self.url, endpoint: targets[i]), database: self.url.database, cluster: shards != nil)
            ready.withLock { $0[i] = ok }
        } } + [{ state = Result { try ClickHouseLoadState.fetch(client, abandonAfter: self.abandonAfter) } }])
        if ready.withLock({ $0.values.allSatisfy { $0 } && $0.count == targets.count }) { return (try state.get(), shards) }
        try ClickHouseSchema.create(url, log: log)
        return (try ClickHouseLoadState.fetch(client, abandonAfter: abandonAfter), shards)
    }

    /// Sends one table's rows in batches of at most `batchRows`.
    func send(_ table: String, client: ClickHouseClient, log sent: InsertLog, _ write: (Int, (RowBinary) -> Void) -> Void) throws -> Int {
        var failure: Error?
        var index = 0
        var count = 0
        write(batchRows) { batch in
            guard failure == nil else { return }
            do {
                try beforeBatch?(table, index)
                try insert(table, batch, client: client, log: sent)
                count += batch.rows
            } catch { failure = error }
            index += 1
        }
        if let failure { throw failure }
        return count
    }

    func insert(_ table: String, _ batch: RowBinary, client: ClickHouseClient, log sent: InsertLog) throws {
        guard batch.rows > 0 else { return }
        // Synchronous inserts through a Distributed table: the rows are on their shards (or
        // the insert failed) when the call returns, so the commit row never precedes them.
        let extra: [(String, String)] = url.cluster == nil ? [] : [("insert_distributed_sync", "1")]
        let clock = Stopwatch()
        try client.insert("INSERT INTO \(url.database).\(table) FORMAT RowBinary", data: batch.bytes, settings: extra)
        sent.add(seconds: clock.seconds, bytes: batch.bytes.count)
    }
}

/// What the INSERTs of a load sent, and their time (summed: they run at once).
final class InsertLog: Sendable {
    private let totals = Mutex<(seconds: Double, bytes: Int)>((0, 0))
    func add(seconds: Double, bytes: Int) { totals.withLock { $0.seconds += seconds; $0.bytes += bytes } }
    var seconds: Double { totals.withLock { $0.seconds } }
    var bytes: Int { totals.withLock { $0.bytes } }
}

/// The person column of every table. `plateau ingest --to` always has a key, so there it is
/// the person's HMAC pseudonym (PersonPseudonyms: stable across runs and directories, and
/// useless without the key). Without a key (library callers, tests): a fixed bijective mix of
/// the ingest's person key, distinct people stay distinct within one load.
@inline(__always)
public func personColumn(_ key: UInt64, _ settings: IngestSettings) -> UInt64 {
    // With a key, every person key of the ingest already is its HMAC pseudonym (PersonPseudonyms).
    if settings.pseudonyms != nil { return key }
    return splitmix64(key ^ 0x706C_6174_6561_7531)
}

/// A 64-bit hash of a log value kept as a column (a meeting id, a VPN client address, a ZPA
/// session id): with a key, its keyed bijection (`PersonPseudonyms.masked`, as the store keeps
/// them), so the column cannot be matched against hashes of guessed values (the hasher's own
/// key is in the source); distinct values stay distinct, and loads with one key agree.
@inline(__always)
func maskedColumn(_ h: UInt64, _ settings: IngestSettings) -> UInt64 {
    settings.pseudonyms.map { $0.masked(h) } ?? h
}

/// What one load read from one source (feed): its accumulator.
struct SourcePart {
    var source: String
    var acc: Accumulator
}

/// The rows of each table, produced batch by batch from what a load read (per source).
final class ClickHouseRows {
    /// What could not be stored (instants outside DateTime's 1970 … 2106), counted as written
    /// (per table: the tables are written at once).
    private var factsOutOfRange = 0, meetingsOutOfRange = 0
    var outOfRange: Int { factsOutOfRange + meetingsOutOfRange }
    let parts: [SourcePart]
    let units: BusinessUnits
    let settings: IngestSettings
    let load: UInt64
    /// The earliest instant of the pieces written (`pieces`).
    private(set) var piecesEarliest: Int64?
    /// The groups of starts and ends logged apart, and of ZPA sessions, among them.
    private(set) var wholeGroups = Set<UInt64>()

    /// BU names by id (RowBinary strings, length-prefixed once), as they were when the rows were
    /// made (the session rebuild may add names to `units` while the tables are written).
    let buNames: [[UInt8]]

    init(_ parts: [SourcePart], units: BusinessUnits, settings: IngestSettings, load: UInt64) {
        self.parts = parts; self.units = units; self.settings = settings; self.load = load
        buNames = units.names.map { Array($0.utf8) }
    }

    /// DateTime holds 1970 … 2106: instants outside cannot be stored (nor are they in `Fact.days`).
    @inline(__always) static func storable(_ t: Int64) -> Bool { t >= 0 && t <= Int64(UInt32.max) }

    /// One row per fact span (source, person, metric, BU, UTC half-day: first and last instant),
    /// and one per fact known by its day only. Without spans (an ingest that did not keep them),
    /// every fact is loaded as known by its day: its local day in the load's zone, whatever
    /// zone a query asks for.
    func facts(_ batchRows: Int, _ emit: (RowBinary) -> Void) {
        let names = buNames
        var b = RowBinary()
        for part in parts {
            let source = Array(part.source.utf8)
            func untimed(_ g: UInt32, _ person: UInt64) {
                let (m, bu, day) = Fact.unpack(g)
                let midnight = Int64(day) * 86_400
                guard ClickHouseRows.storable(midnight) else { factsOutOfRange += 1; return }
                b.u64(load); b.bytes(source); b.u8(UInt8(m.index + 1)); b.u16(UInt16(truncatingIfNeeded: day))
                b.u32(UInt32(midnight)); b.u32(UInt32(midnight)); b.u8(0)
                b.bytes(names[Int(bu)]); b.u64(personColumn(person, settings))
                b.endRow(batchRows, emit)
            }
            if let spans = part.acc.spans {
                spans.forEach { k, span in
                    let (m, bu) = FactSpans.unpack(k)
                    b.u64(load); b.bytes(source); b.u8(UInt8(m.index + 1)); b.u16(UInt16(truncatingIfNeeded: span.first / 86_400))
                    b.u32(UInt32(span.first)); b.u32(UInt32(span.last)); b.u8(1)
                    b.bytes(names[Int(bu)]); b.u64(personColumn(k.person, settings))
                    b.endRow(batchRows, emit)
                }
                factsOutOfRange += spans.outOfRange
            }
            // With spans, the facts known by their day alone; without, every fact (see above).
            part.acc.facts.forEach(untimed)
        }
        emit(b)
    }

    func meetings(_ batchRows: Int, _ emit: (RowBinary) -> Void) {
        let names = buNames
        var b = RowBinary()
        for part in parts {
            let acc = part.acc
            var all = acc.meetings
            for (id, p) in acc.participations where all[id] == nil {
                var m = p.meeting
                m.participants = Int32(clamping: p.people.count)
                all[id] = m
            }
            for (id, m) in all where Fact.days.contains(Int(m.day)) {
                let end = m.start + Int64(m.seconds)
                guard ClickHouseRows.storable(m.start), ClickHouseRows.storable(end) else { meetingsOutOfRange += 1; continue }
                b.u64(load); b.u64(maskedColumn(id, settings)); b.u16(UInt16(truncatingIfNeeded: m.start / 86_400))
                b.u32(UInt32(m.start)); b.u32(UInt32(end)); b.bytes(names[Int(m.bu)]); b.i32(m.participants)
                b.endRow(batchRows, emit)
            }
        }
        emit(b)
    }

    /// The session pieces as the parsers left them (`SessionPiece`), in the columns' domain.
    func pieces(_ batchRows: Int, _ emit: (RowBinary) -> Void) {
        let names = buNames
        var b = RowBinary()
        func put(_ p: SessionPiece) {
            if p.kind == .edge || p.kind == .zpa { wholeGroups.insert(p.group) }
            if let t = p.earliest { piecesEarliest = min(piecesEarliest ?? t, t) }
            p.write(&b, load: load, bu: names[Int(p.bu)])
            b.endRow(batchRows, emit)
        }
        for part in parts { SessionPiece.all(part.acc, settings, put) }
        emit(b)
    }

    func organized(_ batchRows: Int, _ emit: (RowBinary) -> Void) {
        let names = buNames
        var b = RowBinary()
        for part in parts {
            for (k, v) in part.acc.organized where Fact.days.contains(k.day) {
                b.u64(load); b.u16(UInt16(k.day)); b.u64(personColumn(k.person, settings)); b.bytes(names[Int(v.bu)])
                b.u32(UInt32(clamping: v.count))
                b.endRow(batchRows, emit)
            }
        }
        emit(b)
    }

    func orgMeetingUsers(_ batchRows: Int, _ emit: (RowBinary) -> Void) {
        var b = RowBinary()
        for part in parts {
            for (day, v) in part.acc.orgMeetingUsers where Fact.days.contains(day) {
                b.u64(load); b.u16(UInt16(day)); b.u32(UInt32(clamping: v))
                b.endRow(batchRows, emit)
            }
        }
        emit(b)
    }
}

/// Rows in ClickHouse's RowBinary format: little-endian integers, Date as UInt16 days,
/// DateTime as UInt32 seconds, Enum8 as its value, String as a LEB128 length and the bytes,
/// Array as a LEB128 length and the items.
public struct RowBinary {
    public var bytes: [UInt8] = []
    public var rows = 0

    public init() { bytes.reserveCapacity(1 << 16) }

    @inline(__always) mutating func u8(_ v: UInt8) { bytes.append(v) }
    @inline(__always) mutating func u16(_ v: UInt16) { bytes.append(UInt8(v & 0xFF)); bytes.append(UInt8(v >> 8)) }
    @inline(__always) mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    @inline(__always) mutating func i32(_ v: Int32) { u32(UInt32(bitPattern: v)) }
    @inline(__always) mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    @inline(__always) mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    /// A String column: length, then the UTF-8 bytes.
    @inline(__always) mutating func bytes(_ s: [UInt8]) {
        length(s.count)
        bytes.append(contentsOf: s)
    }
    /// A String's or an Array's length: LEB128.
    @inline(__always) mutating func length(_ count: Int) {
        var n = count
        while n >= 0x80 { bytes.append(UInt8(n & 0x7F) | 0x80); n >>= 7 }
        bytes.append(UInt8(n))
    }
    mutating func string(_ s: String) { bytes(Array(s.utf8)) }

    /// Ends a row; a batch of `limit` rows goes to `emit` and a new one begins.
    @inline(__always) mutating func endRow(_ limit: Int, _ emit: (RowBinary) -> Void) {
        rows += 1
        if rows >= limit { emit(self); self = RowBinary() }
    }
}

/// Wall-clock seconds, without Foundation.
struct Stopwatch {
    let start: Double
    init() { start = Stopwatch.wall() }
    var now: Double { Stopwatch.wall() }
    var seconds: Double { Stopwatch.wall() - start }
    static func wall() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
