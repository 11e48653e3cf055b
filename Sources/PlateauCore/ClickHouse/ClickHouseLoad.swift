#if canImport(Glibc)
import Glibc
#endif

/// `plateau ingest PATH ... --to clickhouse://...`: what plateau parsed and resolved, loaded
/// into the tables of `ClickHouseSchema` (never a UPN, GUID or name: person keys only).
///
/// Stages: schema → which files are new (per-file progress in `plateau_files`) → ingest the
/// new ones (with every directory) → rows in RowBinary batches below ClickHouse's block size →
/// the files' rows → the load's row in `plateau_loads` (the commit). A load cut short leaves
/// rows under a load id no committed row names: no query reads them, and the retry (the same
/// files are still new) writes them again under a fresh id. A file that changed since a load
/// took it makes this load read that load's files again and replace it. Every rollup query also treats
/// rows as sets (distinct people, meetings by id, sessions by their ends), so a file loaded
/// twice by two overlapping commands never counts twice either.
public struct ClickHouseLoad {
    public var url: ClickHouseURL
    public var settings: IngestSettings
    /// Rows per INSERT: below 1,048,576 (ClickHouse commits an insert in blocks of that many
    /// rows, so a failed larger insert would leave part of it behind).
    public var batchRows = 500_000
    public var log: ((String) -> Void)?
    /// Test hook: called before each batch is sent (its table and index); throwing stops the load.
    public var beforeBatch: ((String, Int) throws -> Void)?

    public init(url: ClickHouseURL, settings: IngestSettings) {
        self.url = url
        self.settings = settings
        // Instants go in as DateTime (UInt32 seconds): a record outside is a skipped line. A
        // day's margin at the top for a session's end or a half-day's last instant.
        self.settings.storable = 0...(Int64(UInt32.max) - 86_400)
    }

    public struct Report: Sendable {
        public var load: UInt64 = 0
        public var filesLoaded: [String] = []
        public var filesUnchanged: [String] = []
        /// Earlier loads this one replaces (some of their files changed; all were read again).
        public var superseded: [UInt64] = []
        public var inputs: [InputReport] = []
        public var rows: [String: Int] = [:]
        public var bytesSent = 0
        public var seconds = 0.0
        /// Of `seconds`, the time spent sending rows (the rest is reading and parsing).
        public var insertSeconds = 0.0
        /// Facts, meetings and sessions with an instant outside 1970 … 2106, which ClickHouse's
        /// DateTime cannot hold: counted in memory, not loaded (the command says how many).
        public var outOfRange = 0
    }

    /// What identifies a file's content: path, size, modification time, a hash of its first 64 KiB.
    public struct FileIdentity: Hashable, Sendable {
        public var path: String
        public var size: Int64
        public var mtime: Int64
        public var fingerprint: UInt64

        public static func of(_ d: DiscoveredInput) -> FileIdentity {
            FileIdentity(path: FileInfo.canonical(d.path), size: d.size, mtime: FileInfo.modificationTime(d.path) ?? 0,
                         fingerprint: ClickHouseLoad.fingerprint(d.path))
        }
    }

    public func run(_ discovered: [DiscoveredInput], progress: IngestProgress? = nil) throws -> Report {
        let clock = Stopwatch()
        var report = Report()
        try ClickHouseSchema.create(url, log: log)
        let client = ClickHouseClient(url)

        // Per-file progress: the files of the visible loads, and which of them each holds.
        var held: [FileIdentity: Set<UInt64>] = [:]
        var filesOf: [UInt64: [FileIdentity]] = [:]
        for r in try client.rows(
            "SELECT path, toString(size), toString(mtime), toString(fingerprint), toString(load), format FROM plateau_files WHERE \(ClickHouseRollups.committed)") {
            guard r.count == 6, let s = Int64(r[1]), let m = Int64(r[2]), let f = UInt64(r[3]), let l = UInt64(r[4]) else { continue }
            let id = FileIdentity(path: r[0], size: s, mtime: m, fingerprint: f)
            held[id, default: []].insert(l)
            if r[5] != InputFormat.directory.rawValue { filesOf[l, default: []].append(id) }
        }
        let loadsOfPath = Dictionary(grouping: held.flatMap { id, loads in loads.map { (id.path, $0) } }, by: \.0).mapValues { Set($0.map(\.1)) }
        var identities: [String: FileIdentity] = [:]
        var byPath: [String: DiscoveredInput] = [:]
        for d in discovered {
            let id = FileIdentity.of(d)
            identities[d.path] = id
            byPath[id.path] = d
        }
        // A file that changed since a load took it (it grew) supersedes that load: the new load
        // reads every file of the old one again, and the old one's rows are no longer read —
        // exactly the numbers of the files as they are now. When a file of the old load is gone,
        // it cannot be read again: the old load stays, and the changed file is loaded next to it.
        var supersede = Set<UInt64>()
        var reload = Set<String>()
        for d in discovered where d.format != .directory {
            let id = identities[d.path]!
            guard held[id] == nil, let older = loadsOfPath[id.path] else { continue }
            for l in older where !supersede.contains(l) {
                let files = filesOf[l] ?? []
                if files.allSatisfy({ byPath[$0.path] != nil }) {
                    supersede.insert(l)
                    reload.formUnion(files.map(\.path))
                } else {
                    log?("\(d.path) changed since load \(l), some of whose files are gone: both versions stay")
                }
            }
        }
        var chosen: [DiscoveredInput] = []
        for d in discovered {
            let id = identities[d.path]!
            // Directories are read by every load (everything resolves through them), and
            // recorded with it; they alone never make a load.
            if d.format == .directory { chosen.append(d); continue }
            if held[id] != nil && !reload.contains(id.path) { report.filesUnchanged.append(d.path); continue }
            chosen.append(d)
            report.filesLoaded.append(d.path)
        }
        guard !report.filesLoaded.isEmpty else { report.seconds = clock.seconds; return report }
        report.superseded = supersede.sorted()

        var timed = settings
        timed.factSpans = true
        let result = Ingest(settings: timed).run(chosen, progress: progress)
        report.inputs = result.inputs
        var load: UInt64 = 0
        while load == 0 { load = UInt64.random(in: 1...UInt64.max) }
        report.load = load
        log?("load \(load): \(report.filesLoaded.count) files")

        let rows = ClickHouseRows(result, load: load)
        for (table, writer) in [("plateau_facts", rows.facts), ("plateau_meetings", rows.meetings), ("plateau_sessions", rows.sessions),
                                ("plateau_organized", rows.organized), ("plateau_org_meeting_users", rows.orgMeetingUsers)] as [(String, (Int, (RowBinary) -> Void) -> Void)] {
            report.rows[table] = try send(table, client: client, report: &report, writer)
        }
        report.outOfRange = rows.outOfRange
        var unitRows = RowBinary()
        for (id, name) in result.units.names.enumerated() where id > Int(BusinessUnits.unassigned) {
            unitRows.u64(load); unitRows.u16(UInt16(id)); unitRows.string(name); unitRows.rows += 1
        }
        try insert("plateau_units", unitRows, client: client, report: &report)
        var feedRows = RowBinary()
        for (feed, fresh) in result.accumulator.feedTimes.byName(Feeds.names(settings.customSources)).sorted(by: { $0.key < $1.key }) {
            let entries = [("", fresh.newestRecord)] + fresh.units.sorted { $0.key < $1.key }.map { (result.units.names[Int($0.key)], Optional($0.value)) }
            for (bu, t) in entries {
                guard let t else { continue }
                feedRows.u64(load); feedRows.string(feed); feedRows.string(bu); feedRows.i64(t); feedRows.rows += 1
            }
        }
        try insert("plateau_feeds", feedRows, client: client, report: &report)
        // The files, then the commit.
        var files = RowBinary()
        for input in result.inputs {
            guard let id = identities[input.path] else { continue }
            files.u64(load); files.string(id.path); files.i64(id.size); files.i64(id.mtime); files.u64(id.fingerprint)
            files.string(input.format ?? ""); files.u64(UInt64(input.account.lines)); files.u64(UInt64(input.account.records))
            files.u64(UInt64(input.account.ignoredCount)); files.u64(UInt64(input.account.skipped))
            files.rows += 1
        }
        try beforeBatch?("plateau_files", 0)
        try insert("plateau_files", files, client: client, report: &report)
        var commit = RowBinary()
        let acc = result.accumulator
        commit.u64(load); commit.u32(UInt32(truncatingIfNeeded: Int(clock.now)))
        commit.u32(UInt32(ClickHouseSchema.version)); commit.string(settings.timezone.identifier)
        commit.i64(settings.maxSessionSeconds); commit.i64(acc.newestRecord ?? 0); commit.u8(acc.newestRecord == nil ? 0 : 1)
        commit.u64(UInt64(acc.duplicateMeetings))
        commit.u64(UInt64(report.rows["plateau_facts"] ?? 0)); commit.u64(UInt64(report.rows["plateau_meetings"] ?? 0))
        commit.u64(UInt64(report.rows["plateau_sessions"] ?? 0))
        commit.length(report.superseded.count)  // Array(UInt64): its length, then the items
        for l in report.superseded { commit.u64(l) }
        commit.rows = 1
        try beforeBatch?("plateau_loads", 0)
        try insert("plateau_loads", commit, client: client, report: &report)
        report.seconds = clock.seconds
        return report
    }

    /// Sends one table's rows in batches of at most `batchRows`.
    func send(_ table: String, client: ClickHouseClient, report: inout Report, _ write: (Int, (RowBinary) -> Void) -> Void) throws -> Int {
        var failure: Error?
        var index = 0
        var sent = 0
        write(batchRows) { batch in
            guard failure == nil else { return }
            do {
                try beforeBatch?(table, index)
                try insert(table, batch, client: client, report: &report)
                sent += batch.rows
            } catch { failure = error }
            index += 1
        }
        if let failure { throw failure }
        return sent
    }

    func insert(_ table: String, _ batch: RowBinary, client: ClickHouseClient, report: inout Report) throws {
        guard batch.rows > 0 else { return }
        // Synchronous inserts through a Distributed table: the rows are on their shards (or
        // the insert failed) when the call returns, so the commit row never precedes them.
        let extra: [(String, String)] = url.cluster == nil ? [] : [("insert_distributed_sync", "1")]
        let clock = Stopwatch()
        try client.insert("INSERT INTO \(url.database).\(table) FORMAT RowBinary", data: batch.bytes, settings: extra)
        report.insertSeconds += clock.seconds
        report.bytesSent += batch.bytes.count
    }

    static func fingerprint(_ path: String) -> UInt64 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var n = 0
        while n < buffer.count {
            let r = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + n, $0.count - n) }
            if r <= 0 { break }
            n += r
        }
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for i in 0..<n { h = (h ^ UInt64(buffer[i])) &* 0x0000_0100_0000_01B3 }
        return splitmix64(h ^ UInt64(n))
    }
}

/// The person column of every table. `plateau ingest --to` always has a key, so there it is
/// the person's HMAC pseudonym (PersonPseudonyms: stable across runs and directories, and
/// useless without the key). Without a key (library callers, tests): a fixed bijective mix of
/// the ingest's person key, distinct people stay distinct within one load.
@inline(__always)
public func personColumn(_ key: UInt64, _ result: IngestResult) -> UInt64 {
    // With a key, every person key of the ingest already is its HMAC pseudonym (PersonPseudonyms).
    if result.settings.pseudonyms != nil { return key }
    return splitmix64(key ^ 0x706C_6174_6561_7531)
}

/// A 64-bit hash of a log value kept as a column (a meeting id, a VPN client address, a ZPA
/// session id): with a key, its keyed bijection (`PersonPseudonyms.masked`, as the store keeps
/// them), so the column cannot be matched against hashes of guessed values (the hasher's own
/// key is in the source); distinct values stay distinct, and loads with one key agree.
@inline(__always)
func maskedColumn(_ h: UInt64, _ result: IngestResult) -> UInt64 {
    result.settings.pseudonyms.map { $0.masked(h) } ?? h
}

/// The rows of each table, produced batch by batch from an ingest result.
final class ClickHouseRows {
    /// What could not be stored (instants outside DateTime's 1970 … 2106), counted as written.
    var outOfRange = 0
    let result: IngestResult
    let load: UInt64

    init(_ result: IngestResult, load: UInt64) { self.result = result; self.load = load }

    /// BU names by id (RowBinary strings, length-prefixed once).
    var buNames: [[UInt8]] { result.units.names.map { Array($0.utf8) } }

    /// DateTime holds 1970 … 2106: instants outside cannot be stored (nor are they in `Fact.days`).
    @inline(__always) static func storable(_ t: Int64) -> Bool { t >= 0 && t <= Int64(UInt32.max) }

    /// One row per fact span (person, metric, BU, UTC half-day: first and last instant), and
    /// one per fact known by its day only. Without spans (an ingest that did not keep them),
    /// every fact is loaded as known by its day: its local day in the load's zone, whatever
    /// zone a query asks for.
    func facts(_ batchRows: Int, _ emit: (RowBinary) -> Void) {
        let names = buNames
        var b = RowBinary()
        func untimed(_ g: UInt32, _ person: UInt64) {
            let (m, bu, day) = Fact.unpack(g)
            let midnight = Int64(day) * 86_400
            guard ClickHouseRows.storable(midnight) else { outOfRange += 1; return }
            b.u64(load); b.u8(UInt8(m.index + 1)); b.u16(UInt16(truncatingIfNeeded: day))
            b.u32(UInt32(midnight)); b.u32(UInt32(midnight)); b.u8(0)
            b.bytes(names[Int(bu)]); b.u64(personColumn(person, result))
            b.endRow(batchRows, emit)
        }
        if let spans = result.accumulator.spans {
            spans.forEach { k, span in
                let (m, bu) = FactSpans.unpack(k)
                b.u64(load); b.u8(UInt8(m.index + 1)); b.u16(UInt16(truncatingIfNeeded: span.first / 86_400))
                b.u32(UInt32(span.first)); b.u32(UInt32(span.last)); b.u8(1)
                b.bytes(names[Int(bu)]); b.u64(personColumn(k.person, result))
                b.endRow(batchRows, emit)
            }
            outOfRange += spans.outOfRange
        }
        // With spans, the facts known by their day alone; without, every fact (see above).
        result.accumulator.facts.forEach(untimed)
        emit(b)
    }

    func meetings(_ batchRows: Int, _ emit: (RowBinary) -> Void) {
        let names = buNames
        let acc = result.accumulator
        var all = acc.meetings
        for (id, p) in acc.participations where all[id] == nil {
            var m = p.meeting
            m.participants = Int32(clamping: p.people.count)
            all[id] = m
        }
        var b = RowBinary()
        for (id, m) in all where Fact.days.contains(Int(m.day)) {
            let end = m.start + Int64(m.seconds)
            guard ClickHouseRows.storable(m.start), ClickHouseRows.storable(end) else { outOfRange += 1; continue }
            b.u64(load); b.u64(maskedColumn(id, result)); b.u16(UInt16(truncatingIfNeeded: m.start / 86_400))
            b.u32(UInt32(m.start)); b.u32(UInt32(end)); b.bytes(names[Int(m.bu)]); b.i32(m.participants)
            b.endRow(batchRows, emit)
        }
        emit(b)
    }

    func sessions(_ batchRows: Int, _ emit: (RowBinary) -> Void) {
        let names = buNames
        var b = RowBinary()
        for family in SessionFamily.allCases {
            for s in SessionAssembly.sessions(family, result.accumulator, maxOpen: result.settings.maxSessionSeconds) {
                guard ClickHouseRows.storable(s.start), ClickHouseRows.storable(s.end) else { outOfRange += 1; continue }
                b.u64(load); b.u8(ClickHouseSchema.sourceValue(family))
                b.bytes(names[Int(s.bu)]); b.u64(personColumn(s.person, result)); b.u64(maskedColumn(s.tag, result))
                b.u32(UInt32(s.start)); b.u32(UInt32(s.end))
                b.endRow(batchRows, emit)
            }
        }
        emit(b)
    }

    func organized(_ batchRows: Int, _ emit: (RowBinary) -> Void) {
        let names = buNames
        var b = RowBinary()
        for (k, v) in result.accumulator.organized where Fact.days.contains(k.day) {
            b.u64(load); b.u16(UInt16(k.day)); b.u64(personColumn(k.person, result)); b.bytes(names[Int(v.bu)])
            b.u32(UInt32(clamping: v.count))
            b.endRow(batchRows, emit)
        }
        emit(b)
    }

    func orgMeetingUsers(_ batchRows: Int, _ emit: (RowBinary) -> Void) {
        var b = RowBinary()
        for (day, v) in result.accumulator.orgMeetingUsers where Fact.days.contains(day) {
            b.u64(load); b.u16(UInt16(day)); b.u32(UInt32(clamping: v))
            b.endRow(batchRows, emit)
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
