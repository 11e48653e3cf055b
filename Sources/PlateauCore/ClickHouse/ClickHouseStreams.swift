import Dispatch
import Foundation
import Synchronization

/// The store a ClickHouse load gives the live follower (`LiveIngest` in store mode): the
/// streams as the committed loads left them, and — as the load reads — what each file added
/// (per source, so facts say which feed they came from) and each stream's new state. Nothing
/// is sent from here: the load sends it all, then commits.
final class ClickHouseStreams: StreamStore, @unchecked Sendable {
    let restored: [StoredStream]
    let settings: IngestSettings
    private let lock = NSLock()
    private var bySource: [String: Accumulator] = [:]
    private var touched: [Int64: (state: StreamState, report: InputReport)] = [:]
    private var read: [String] = []

    init(restored: [StoredStream], settings: IngestSettings) {
        self.restored = restored
        self.settings = settings
    }

    func streams() throws -> [StoredStream] { restored }

    func commit(_ f: FollowedFile, _ acc: Accumulator, units: BusinessUnits, feeds: [String]) throws {
        lock.lock(); defer { lock.unlock() }
        if f.storeID == nil {
            var id: Int64 = 0
            while id == 0 { id = Int64.random(in: 1...Int64.max) }
            f.storeID = id
        }
        f.storeVersion += 1
        let source = ClickHouseStreams.source(f, feeds: feeds)
        if let have = bySource[source] { have.merge(acc) } else { bySource[source] = acc }
        touched[f.storeID!] = (f.storedState, f.report)
        read.append(f.path)
    }

    func ended(_ f: FollowedFile) throws {
        guard let id = f.storeID else { return }
        lock.lock(); defer { lock.unlock() }
        touched[id] = (f.storedState, f.report)
    }

    /// The feed a file's facts come from (`Feeds`), as the `source` column names it: a feed's
    /// name, `sessions` for a file whose rows name their own family.
    static func source(_ f: FollowedFile, feeds: [String]) -> String {
        guard let slot = Feeds.slot(format: f.format, custom: f.custom) else { return "directory" }
        return slot == Feeds.byFamily ? "sessions" : feeds[slot]
    }

    /// What this load read, per source.
    var parts: [SourcePart] {
        lock.lock(); defer { lock.unlock() }
        return bySource.sorted { $0.key < $1.key }.map { SourcePart(source: $0.key, acc: $0.value) }
    }

    /// Streams this load moved on or ended, by id.
    var touchedStreams: [Int64: (state: StreamState, report: InputReport)] {
        lock.lock(); defer { lock.unlock() }
        return touched
    }

    /// Paths read by this load.
    var readPaths: [String] {
        lock.lock(); defer { lock.unlock() }
        return read
    }
}

/// What the committed loads left for the next one, read at its start; and the loader's own
/// housekeeping (the rows of `plateau_files`, the garbage of loads cut short).
struct ClickHouseLoadState {
    static let none = Int64.min
    /// The highest load sequence committed (0: none yet).
    var sequence: UInt64 = 0
    /// The newest stamp per session family over every committed load.
    var familyNewest: [Int64?] = Array(repeating: nil, count: SessionFamily.allCases.count)
    /// Every stream, as its newest committed state left it.
    var streams: [StoredStream] = []
    /// Files noted without a stream (directories, unknown formats, unreadable): path → signature.
    var noted: [String: String] = [:]
    /// Loads begun longer than `abandonAfter` ago and never committed.
    var abandoned: [UInt64] = []
    /// Begun rows of committed loads (removed by the next load).
    var committedBegun: [UInt64] = []
    /// Committed loads whose new sessions were not swapped in (cut short after the commit).
    var unswapped: [UInt64] = []
    /// Each BU name's smallest id over the committed loads (`plateau_units`, what a reader
    /// orders BUs by): a load writes only the names it would change.
    var unitIDs: [String: Int] = [:]
    /// Rows in `plateau_sessions_stage` (left by a load cut short; 0 between loads).
    var stagedRows = 0

    static let committed = "load GLOBAL IN (SELECT load FROM plateau_loads)"

    static func fetch(_ client: ClickHouseClient, abandonAfter: Int64) throws -> ClickHouseLoadState {
        // Seven small queries, sent at once (a cron load every few minutes pays their round trips).
        let queries = [
            "SELECT toString(max(seq)), toString(maxForEach(family_newest)) FROM plateau_loads",
            """
            SELECT toString(stream), toString(max(seq)), argMax(state, seq) FROM plateau_files
            WHERE stream != 0 AND \(committed) GROUP BY stream ORDER BY stream
            """,
            """
            SELECT path, argMax(format, seq), toString(argMax(size, seq)), toString(argMax(lines, seq)), toString(argMax(records, seq)),
                   argMax(error, seq), argMax(live, seq)
            FROM plateau_files WHERE stream = 0 AND \(committed) GROUP BY path
            """,
            """
            SELECT toString(load), load GLOBAL IN (SELECT load FROM plateau_loads) FROM plateau_begun
            WHERE load GLOBAL IN (SELECT load FROM plateau_loads) OR started <= now() - \(abandonAfter)
            """,
            "SELECT toString(load) FROM plateau_loads WHERE load GLOBAL NOT IN (SELECT load FROM plateau_rebuilt)",
            "SELECT name, toString(min(id)) FROM plateau_units WHERE \(committed) GROUP BY name",
            "SELECT toString(count()) FROM plateau_sessions_stage",
        ]
        let answers = Mutex<[Int: [[String]]]>([:])
        try concurrently(queries.indices.map { i in { let r = try client.rows(queries[i]); answers.withLock { $0[i] = r } } })
        let rows = answers.withLock { a in queries.indices.map { a[$0] ?? [] } }

        var s = ClickHouseLoadState()
        if let r = rows[0].first, r.count == 2 {
            s.sequence = UInt64(r[0]) ?? 0
            let items = r[1].dropFirst().dropLast().split(separator: ",").map { Int64($0) }
            for (i, v) in items.enumerated() where i < s.familyNewest.count {
                if let v, v != none { s.familyNewest[i] = v }
            }
        }
        // The streams' states (JSON), decoded on every core: a cron load decodes hundreds.
        let states = rows[1]
        let chunks = max(1, min(System.coreCount, states.count / 64))
        let decoded = Mutex<[Int: Result<[StoredStream], Error>]>([:])
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let decoder = JSONDecoder()
            let result = Result { () throws -> [StoredStream] in
                try states[(states.count * c / chunks)..<(states.count * (c + 1) / chunks)].map { r in
                    guard r.count == 3, let id = UInt64(r[0]), let seq = Int64(r[1]) else { throw ClickHouseRollups.unexpected(r) }
                    guard let state = try? decoder.decode(StreamState.self, from: Data(r[2].utf8)) else {
                        throw ClickHouseError.data("plateau_files holds a stream state this plateau cannot read (stream \(id)); load into a new database")
                    }
                    return StoredStream(id: Int64(bitPattern: id), version: seq, state: state)
                }
            }
            decoded.withLock { $0[c] = result }
        }
        for c in 0..<chunks { s.streams += try decoded.withLock { $0[c]! }.get() }
        for r in rows[2] where r.count == 7 && r[6] == "1" {
            s.noted[r[0]] = signature(format: r[1], size: Int64(r[2]) ?? 0, lines: Int(r[3]) ?? 0, records: Int(r[4]) ?? 0, error: r[5])
        }
        for r in rows[3] {
            guard r.count == 2, let l = UInt64(r[0]) else { continue }
            if r[1] == "1" { s.committedBegun.append(l) } else { s.abandoned.append(l) }
        }
        for r in rows[4] {
            if let l = r.first.flatMap(UInt64.init) { s.unswapped.append(l) }
        }
        for r in rows[5] where r.count == 2 {
            if let id = Int(r[1]) { s.unitIDs[r[0]] = id }
        }
        s.stagedRows = rows[6].first?.first.flatMap { Int($0) } ?? 0
        return s
    }

    /// Inputs noted without a stream of their own: directory files (read whole whenever something
    /// else is read) and files of an unknown format or that cannot be read, each with a
    /// signature of what its row says (a row is written when it changes).
    struct Noted { var report: InputReport; var signature: String }

    static func noted(_ inputs: [InputReport], streams: [StoredStream], touched: [Int64: (state: StreamState, report: InputReport)]) -> [Noted] {
        let streamPaths = Set(touched.values.map(\.state.path)).union(streams.filter { $0.state.device != nil }.map(\.state.path))
        return inputs.compactMap { r in
            guard !streamPaths.contains(r.path), r.account.fileError != nil || r.format == InputFormat.directory.rawValue else { return nil }
            return Noted(report: r, signature: signature(r))
        }
    }

    static func signature(format: String, size: Int64, lines: Int, records: Int, error: String) -> String {
        "\(format)|\(size)|\(lines)|\(records)|\(error)"
    }
    static func signature(_ r: InputReport) -> String {
        signature(format: r.format ?? "", size: r.size, lines: r.account.lines, records: r.account.records, error: r.account.fileError ?? "")
    }

    /// One row of `plateau_files`.
    static func fileRow(_ w: inout RowBinary, load: UInt64, seq: UInt64, stream: UInt64, live: Bool, report r: InputReport, error: String, state: String) {
        w.u64(load); w.u64(seq); w.u64(stream); w.u8(live ? 1 : 0); w.string(r.path); w.string(r.format ?? "")
        w.i64(r.size); w.u64(UInt64(r.account.lines)); w.u64(UInt64(r.account.records))
        w.u64(UInt64(r.account.ignoredCount)); w.u64(UInt64(r.account.skipped))
        let reasons = r.account.skippedReasons.sorted { $0.key < $1.key }
        w.length(reasons.count); for (k, _) in reasons { w.string(k) }
        w.length(reasons.count); for (_, v) in reasons { w.u64(UInt64(v)) }
        w.string(error); w.string(state)
        w.rows += 1
    }

    /// Deletes the rows of loads cut short (every table), and the begun rows of committed loads,
    /// on the server or on every shard (mutations: ClickHouse applies them in the background;
    /// no reader reads the rows meanwhile, they belong to no committed load).
    /// - Parameter shards: a cluster's shards (nil: one server).
    static func removeGarbage(_ url: ClickHouseURL, shards: [ClickHouseURL.Endpoint]?, abandoned: [UInt64], committed: [UInt64], log: ((String) -> Void)?) throws {
        guard !abandoned.isEmpty || !committed.isEmpty else { return }
        let targets: [(ClickHouseClient, String)] = shards.map { $0.map { (ClickHouseClient(url, endpoint: $0), "_local") } } ?? [(ClickHouseClient(url), "")]
        let db = url.database
        for (c, suffix) in targets {
            if !abandoned.isEmpty {
                let list = abandoned.map(String.init).joined(separator: ", ")
                log?("deleting the rows of \(abandoned.count) load(s) cut short: \(list)")
                for t in ClickHouseSchema.tables where t.hasLoad && !["plateau_begun", "plateau_sessions", "plateau_sessions_stage", "plateau_rebuilt"].contains(t.name) {
                    try c.execute("ALTER TABLE \(db).\(t.name)\(suffix) DELETE WHERE load IN (\(list))")
                }
            }
            let begun = (abandoned + committed).map(String.init).joined(separator: ", ")
            try c.execute("ALTER TABLE \(db).plateau_begun\(suffix) DELETE WHERE load IN (\(begun))")
        }
    }
}
