/// One thing a parser saw of a session, as `plateau_session_pieces` keeps it: a session with
/// its ends (or an open one), a VPN start waiting for its end, a start or end logged apart
/// (`SessionEdge`), or what is known of a ZPA session. Pieces only ever add up: the pieces of
/// every load together are what one ingest of the final files holds, so the sessions made of
/// them (`SessionAssembly`) are that ingest's sessions.
///
/// Sessions are put together per group: the pieces of one family, person and tag (a VPN
/// client address, a session key) — or, for ZPA, one session id — meet nobody else's. A load
/// computes again the groups its pieces fall in (`ClickHouseSessionRebuild`).
struct SessionPiece {
    enum Kind: UInt8 { case session = 0, vpnStart = 1, edge = 2, zpa = 3 }
    static let none = Int64.min

    var family: UInt8
    var kind: Kind
    var bu: UInt16
    /// Person and tag as the columns hold them (`personColumn`, `maskedColumn`).
    var person: UInt64
    var tag: UInt64
    /// session: start, end (`none` while open); vpnStart: start; edge: instant; zpa:
    /// authenticated, unauthenticated, first connection, last connection's end.
    var a: Int64, b: Int64 = SessionPiece.none, c: Int64 = SessionPiece.none, d: Int64 = SessionPiece.none
    /// edge: 1 for an end; zpa: 1 while a connection is open.
    var flag: UInt8 = 0

    var group: UInt64 { kind == .zpa ? SessionPiece.zpaGroup(family, tag) : SessionPiece.group(family, person, tag) }

    static func group(_ family: UInt8, _ person: UInt64, _ tag: UInt64) -> UInt64 {
        splitmix64(splitmix64(person ^ (UInt64(family) &* 0x9E37_79B9_7F4A_7C15)) ^ tag)
    }
    static func zpaGroup(_ family: UInt8, _ tag: UInt64) -> UInt64 {
        splitmix64(splitmix64(0x7A70_6173_6573_7369 ^ UInt64(family)) ^ tag)
    }

    /// The pieces of an accumulator, in the columns' domain.
    static func all(_ acc: Accumulator, _ settings: IngestSettings, _ put: (SessionPiece) -> Void) {
        for f in SessionFamily.allCases {
            let fam = UInt8(f.rawValue)
            for s in acc.sessions[f.rawValue] {
                put(SessionPiece(family: fam, kind: .session, bu: s.bu, person: personColumn(s.person, settings),
                                 tag: maskedColumn(s.tag, settings), a: s.start, b: s.end ?? none))
            }
            for e in acc.edges[f.rawValue] {
                put(SessionPiece(family: fam, kind: .edge, bu: e.bu, person: personColumn(e.person, settings),
                                 tag: maskedColumn(e.key, settings), a: e.at, flag: e.isEnd ? 1 : 0))
            }
        }
        let vpn = UInt8(SessionFamily.vpn.rawValue)
        for s in acc.vpnStarts {
            put(SessionPiece(family: vpn, kind: .vpnStart, bu: s.bu, person: personColumn(s.person, settings),
                             tag: maskedColumn(s.tag, settings), a: s.start))
        }
        let pa = UInt8(SessionFamily.privateAccess.rawValue)
        for (id, z) in acc.zpa {
            put(SessionPiece(family: pa, kind: .zpa, bu: z.bu, person: personColumn(z.person, settings), tag: maskedColumn(id, settings),
                             a: z.authenticated ?? none, b: z.unauthenticated ?? none, c: z.firstConnection ?? none,
                             d: z.lastConnectionEnd ?? none, flag: z.openConnection ? 1 : 0))
        }
    }

    /// The latest instant (column `t`: what a load's time window selects pieces by).
    var latest: Int64 { max(max(a, b), max(c, d)) }
    /// The earliest instant (nil: none).
    var earliest: Int64? {
        let e = min(min(Self.noneAsMax(a), Self.noneAsMax(b)), min(Self.noneAsMax(c), Self.noneAsMax(d)))
        return e == Int64.max ? nil : e
    }
    @inline(__always) static func noneAsMax(_ t: Int64) -> Int64 { t == none ? Int64.max : t }

    /// One row of `plateau_session_pieces`.
    func write(_ w: inout RowBinary, load: UInt64, bu name: [UInt8]) {
        w.u64(load); w.u8(family); w.u64(group); w.u8(kind.rawValue); w.bytes(name); w.u64(person); w.u64(tag)
        w.i64(a); w.i64(b); w.i64(c); w.i64(d); w.u8(flag); w.i64(latest)
    }

    /// The columns a rebuild reads back (`FORMAT RowBinary`), in `decode`'s order.
    static let selectColumns = "family, kind, bu, person, tag, a, b, c, d, flag"

    /// Pieces from a `FORMAT RowBinary` answer of `selectColumns`; BU names to ids of `units`.
    static func decode(_ bytes: [UInt8], units: BusinessUnits) throws -> [SessionPiece] {
        var out: [SessionPiece] = []
        var ids: [ArraySlice<UInt8>: UInt16] = [:]
        var i = 0
        let n = bytes.count
        func need(_ k: Int) throws { if i + k > n { throw ClickHouseError.protocolError("a RowBinary answer ends inside a row") } }
        func u64() throws -> UInt64 {
            try need(8)
            var v: UInt64 = 0
            for k in 0..<8 { v |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
            i += 8
            return v
        }
        while i < n {
            try need(2)
            let family = bytes[i], kind = bytes[i + 1]
            i += 2
            var length = 0, shift = 0
            while true {
                try need(1)
                let b = bytes[i]; i += 1
                length |= Int(b & 0x7F) << shift
                if b < 0x80 { break }
                shift += 7
                if shift > 35 { throw ClickHouseError.protocolError("a RowBinary string length is too long") }
            }
            try need(length)
            let name = bytes[i..<(i + length)]
            i += length
            let bu: UInt16
            if let known = ids[name] { bu = known } else { bu = units.id(String(decoding: name, as: UTF8.self)); ids[name] = bu }
            let person = try u64(), tag = try u64()
            let a = Int64(bitPattern: try u64()), b = Int64(bitPattern: try u64()), c = Int64(bitPattern: try u64()), d = Int64(bitPattern: try u64())
            try need(1)
            let flag = bytes[i]; i += 1
            guard let k = Kind(rawValue: kind), Int(family) < SessionFamily.allCases.count else {
                throw ClickHouseError.protocolError("plateau_session_pieces holds a piece of an unknown kind (\(kind)) or family (\(family))")
            }
            out.append(SessionPiece(family: family, kind: k, bu: bu, person: person, tag: tag, a: a, b: b, c: c, d: d, flag: flag))
        }
        return out
    }

    init(family: UInt8, kind: Kind, bu: UInt16, person: UInt64, tag: UInt64, a: Int64,
         b: Int64 = SessionPiece.none, c: Int64 = SessionPiece.none, d: Int64 = SessionPiece.none, flag: UInt8 = 0) {
        self.family = family; self.kind = kind; self.bu = bu; self.person = person; self.tag = tag
        self.a = a; self.b = b; self.c = c; self.d = d; self.flag = flag
    }

    /// Adds the piece to the accumulators a rebuild assembles: ZPA pieces to `zpa`, others to `rest`.
    func add(rest: Accumulator, zpa: Accumulator) {
        func opt(_ v: Int64) -> Int64? { v == SessionPiece.none ? nil : v }
        let f = Int(family)
        switch kind {
        case .session: rest.sessions[f].insert(SessionFact(person: person, bu: bu, start: a, end: opt(b), tag: tag))
        case .vpnStart: rest.vpnStarts.insert(SessionFact(person: person, bu: bu, start: a, end: nil, tag: tag))
        case .edge: rest.edges[f].insert(SessionEdge(person: person, bu: bu, at: a, key: tag, isEnd: flag == 1))
        case .zpa:
            zpa.zpaSession(id: tag, ZPASession(person: person, bu: bu, authenticated: opt(a), unauthenticated: opt(b),
                                               firstConnection: opt(c), lastConnectionEnd: opt(d), openConnection: flag == 1))
        }
    }
}

/// A session as `plateau_sessions` holds it, with the group it was put together in.
struct GroupSession {
    var family: SessionFamily
    var group: UInt64
    var session: ClosedSession
}

/// Puts sessions together from pieces, group by group (`SessionAssembly`, as in memory).
enum GroupAssembly {
    static func sessions(_ pieces: [SessionPiece], newest: [Int64?], maxOpen: Int64) -> [GroupSession] {
        let rest = Accumulator(), zpa = Accumulator()
        rest.newest = newest
        zpa.newest = newest
        for p in pieces { p.add(rest: rest, zpa: zpa) }
        var out: [GroupSession] = []
        for f in SessionFamily.allCases {
            let fam = UInt8(f.rawValue)
            for s in SessionAssembly.sessions(f, rest, maxOpen: maxOpen) {
                out.append(GroupSession(family: f, group: SessionPiece.group(fam, s.person, s.tag), session: s))
            }
            if f == .privateAccess {
                for s in SessionAssembly.sessions(f, zpa, maxOpen: maxOpen) {
                    out.append(GroupSession(family: f, group: SessionPiece.zpaGroup(fam, s.tag), session: s))
                }
            }
        }
        return out
    }
}

/// A load's sessions: every session from the first UTC day (partition of `plateau_sessions`)
/// in which one may have changed — from the earliest instant of the load's pieces less
/// `margin`, from a day before a family's old newest stamp when that moved (open sessions last
/// up to it) — put together again from the pieces from `margin` before that day on, and from
/// the whole of each group of starts and ends logged apart or ZPA session with a piece there
/// (their reach is unbounded: those changed by the load are compared before and after, and the
/// day moves back to the earliest change). Written to `plateau_sessions_stage` (`stage`, before
/// the commit) and swapped in with `REPLACE PARTITION` on every shard (`swap`, after it; then a
/// row in `plateau_rebuilt`). Nothing superseded stays behind, and a reader reads the table as it is.
/// A load whose swap did not happen (cut short after its commit) has no `plateau_rebuilt` row:
/// the next load computes its groups again (`redo`).
struct ClickHouseSessionRebuild {
    /// Partitions of `plateau_sessions`: a UTC day of start instants (a cron load of the newest
    /// lines computes a few days again).
    static let partitionSeconds: Int64 = 86_400
    static let partitionExpression = "intDiv(toUInt32(start_time), 86400)"
    /// How far back a new piece can change a session other than by starts and ends logged apart
    /// or ZPA records (whose groups are read whole): a start within 5 s of another of the same
    /// person and address is one session, an ended session covers starts from 5 s before its
    /// start. Pieces are read from this long before the first partition computed again.
    static let margin: Int64 = 600

    /// SQL: an instant column, with "none" (Int64 min) as the largest value.
    static func noneAsMax(_ c: String) -> String { "if(\(c) = \(SessionPiece.none), toInt64(\(Int64.max)), \(c))" }

    /// A session as compared before and after a load (BU by name).
    struct SessionRow: Hashable { var source: String; var bu: String; var person: UInt64; var tag: UInt64; var start: Int64; var end: Int64 }

    var url: ClickHouseURL
    var client: ClickHouseClient
    var load: UInt64
    var settings: IngestSettings
    var units: BusinessUnits
    /// The newest stamp per family: of every committed load and this one; of the committed loads alone.
    var newest: [Int64?]
    var priorNewest: [Int64?]
    /// Loads whose groups are computed again: committed ones whose swap did not happen.
    var redo: [UInt64]
    var beforeBatch: ((String, Int) throws -> Void)?
    var batchRows = 500_000
    var log: ((String) -> Void)?
    /// A cluster's shards, when known (else asked for).
    var shards: [ClickHouseURL.Endpoint]?

    struct Outcome { var sessions = 0; var partitions: [Int64] = []; var outOfRange = 0 }

    static func partition(_ t: Int64) -> Int64 { t / partitionSeconds }

    /// The sessions to swap in, written to the stage; returns the partitions to swap.
    /// - Parameters:
    ///   - wholeGroups: the groups of this load's pieces that are read whole (edges, ZPA).
    ///   - newEarliest: the earliest instant of this load's pieces.
    ///   - firstLoad: no load was committed before (nothing to compare with).
    ///   - stageEmpty: `plateau_sessions_stage` holds no row (none left by a load cut short).
    func stage(wholeGroups newWhole: Set<UInt64>, newEarliest: Int64?, firstLoad: Bool, stageEmpty: Bool = false,
               insert: (String, RowBinary) throws -> Void) throws -> Outcome {
        let db = url.database
        let loads = ([load] + redo).map(String.init).joined(separator: ", ")
        let mine = "(load = \(load) OR load GLOBAL IN (SELECT load FROM \(db).plateau_loads))"
        // The earliest instant a session may change at: a new piece's (less the margin of the
        // rules that look back: a start within 5 s of another, a start an ended session covers),
        // a redone load's, the start of an open session a newer stamp lengthens.
        var earliest = newEarliest.map { $0 - Self.margin }
        if !redo.isEmpty, let r = try client.rows("SELECT toString(min(least(least(\(Self.noneAsMax("a")), \(Self.noneAsMax("b"))), least(\(Self.noneAsMax("c")), \(Self.noneAsMax("d")))))) FROM \(db).plateau_session_pieces WHERE load IN (\(loads))").first?.first,
           let t = Int64(r) {
            earliest = min(earliest ?? t, t - Self.margin)
        }
        for f in SessionFamily.allCases where newest[f.rawValue] != priorNewest[f.rawValue] {
            guard let old = priorNewest[f.rawValue] else { continue }
            earliest = min(earliest ?? old, old - settings.maxSessionSeconds)
        }
        guard var bound = earliest else { return Outcome() }
        log?("sessions: the new pieces from \(newEarliest.map(String.init) ?? "-"), \(redo.count) load(s) redone: from \(bound) on")
        let watch = Stopwatch()
        // The sessions of the changed groups put together from every piece (starts and ends
        // logged apart, ZPA sessions): what they were before, to find the earliest that changed.
        var wholeGroups = newWhole
        if !redo.isEmpty {
            for r in try client.rows("SELECT DISTINCT toString(grp) FROM \(db).plateau_session_pieces WHERE load IN (\(redo.map(String.init).joined(separator: ", "))) AND kind IN (2, 3)") {
                if let g = r.first.flatMap(UInt64.init) { wholeGroups.insert(g) }
            }
        }
        let beforeSQL = """
            SELECT toString(grp), toString(source), bu, toString(person), toString(tag), toString(toUInt32(start_time)), toString(toUInt32(end_time))
            FROM \(db).plateau_sessions PREWHERE grp GLOBAL IN (SELECT grp FROM \(db).plateau_session_pieces WHERE load IN (\(loads)) AND kind IN (2, 3))
            """
        var before: [UInt64: Set<SessionRow>] = [:]
        // Every session from the start of the partition of `bound` on, put together from the
        // pieces from a margin before it (and the whole of every group of starts and ends logged
        // apart, or ZPA session, with a piece there); when a changed group's sessions changed
        // before that partition, from the start of that one. The pieces, the partitions there
        // and (the first time) the sessions before are asked for at once.
        var from: Int64 = 0
        var sessions: [GroupSession] = []
        var partitions = Set<Int64>()
        var asked = false
        while true {
            from = Self.partition(max(0, bound)) * Self.partitionSeconds
            let lower = from - Self.margin
            // The window (its partitions only), and before it the rest of the whole groups
            // (PREWHERE: the group column is read first, the others only for its rows).
            let sql = """
                SELECT \(SessionPiece.selectColumns) FROM \(db).plateau_session_pieces PREWHERE t >= \(lower) WHERE \(mine)
                UNION ALL
                SELECT \(SessionPiece.selectColumns) FROM \(db).plateau_session_pieces
                PREWHERE grp GLOBAL IN (SELECT grp FROM \(db).plateau_session_pieces WHERE kind IN (2, 3) AND t >= \(lower) AND \(mine))
                WHERE t < \(lower) AND kind IN (2, 3) AND \(mine)
                """
            let clock = Stopwatch()
            var answer: [UInt8] = [], existing: [[String]] = [], beforeRows: [[String]] = []
            var tasks: [() throws -> Void] = [
                { answer = try client.query(sql + "\nFORMAT RowBinary") },
                { existing = try client.rows("SELECT DISTINCT toString(\(Self.partitionExpression)) FROM \(db).plateau_sessions WHERE start_time >= toDateTime(\(max(0, min(from, Int64(UInt32.max)))))") },
            ]
            if !asked && !firstLoad && !wholeGroups.isEmpty { tasks.append { beforeRows = try client.rows(beforeSQL) } }
            asked = true
            try concurrently(tasks)
            for r in beforeRows {
                guard r.count == 7, let g = UInt64(r[0]), let p = UInt64(r[3]), let t = UInt64(r[4]), let a = Int64(r[5]), let e = Int64(r[6]) else {
                    throw ClickHouseRollups.unexpected(r)
                }
                before[g, default: []].insert(SessionRow(source: r[1], bu: r[2], person: p, tag: t, start: a, end: e))
            }
            let fetched = clock.seconds
            let pieces = try SessionPiece.decode(answer, units: units)
            let decoded = clock.seconds
            sessions = GroupAssembly.sessions(pieces, newest: newest, maxOpen: settings.maxSessionSeconds)
            log?(String(format: "sessions: from %lld: %d pieces (with the sessions before of %d whole groups changed, the partitions there) read in %.3f s, decoded in %.3f s, %d sessions put together in %.3f s",
                        from, pieces.count, wholeGroups.count, fetched, decoded - fetched, sessions.count, clock.seconds - decoded))
            var after: [UInt64: Set<SessionRow>] = [:]
            let allNames = units.names
            for g in sessions where wholeGroups.contains(g.group) {
                let s = g.session
                after[g.group, default: []].insert(SessionRow(source: ClickHouseSchema.sourceName(g.family), bu: allNames[Int(s.bu)],
                                                              person: s.person, tag: s.tag, start: s.start, end: s.end))
            }
            var changed: Int64?
            for g in wholeGroups {
                let a = before[g] ?? [], b = after[g] ?? []
                for row in a.symmetricDifference(b) { changed = min(changed ?? row.start, row.start) }
            }
            if let c = changed, c < from { bound = c; continue }
            for r in existing {
                if let p = r.first.flatMap(Int64.init) { partitions.insert(p) }
            }
            break
        }
        for g in sessions where g.session.start >= from { partitions.insert(Self.partition(g.session.start)) }
        guard !partitions.isEmpty else { return Outcome() }

        // Staged, then (after the commit) swapped in partition by partition on every shard.
        let computed = watch.seconds
        if !stageEmpty { for (c, suffix) in try targets() { try c.execute("TRUNCATE TABLE \(db).plateau_sessions_stage\(suffix)") } }
        var outcome = Outcome()
        var b = RowBinary()
        var index = 0
        func flush() throws {
            guard b.rows > 0 else { return }
            try beforeBatch?("plateau_sessions", index)
            try insert("plateau_sessions_stage", b)
            index += 1
            b = RowBinary()
        }
        let utf8Names = units.names.map { Array($0.utf8) }
        // In start order, at most 100 days per INSERT (newer servers refuse a block that
        // touches more partitions: `max_partitions_per_insert_block`, which 18.16 does not know).
        var inBatch = Set<Int64>()
        for g in sessions.filter({ $0.session.start >= from }).sorted(by: { $0.session.start < $1.session.start }) {
            let s = g.session
            let p = Self.partition(s.start)
            if !inBatch.contains(p) && inBatch.count == 100 { try flush(); inBatch = [] }
            inBatch.insert(p)
            guard ClickHouseRows.storable(s.start), ClickHouseRows.storable(s.end) else { outcome.outOfRange += 1; continue }
            b.u64(load); b.u8(ClickHouseSchema.sourceValue(g.family)); b.u64(g.group)
            b.bytes(utf8Names[Int(s.bu)]); b.u64(s.person); b.u64(s.tag)
            b.u32(UInt32(s.start)); b.u32(UInt32(s.end))
            b.rows += 1
            outcome.sessions += 1
            if b.rows >= batchRows { try flush(); inBatch = [] }
        }
        try flush()
        outcome.partitions = partitions.sorted()
        log?(String(format: "sessions: all computed in %.3f s; %d staged in %.3f s", computed, outcome.sessions, watch.seconds - computed))
        return outcome
    }

    /// The staged partitions swapped into `plateau_sessions` on every shard (one ALTER of up to
    /// 100 `REPLACE PARTITION`s; the shards at once), then the stage emptied and the load's row
    /// in `plateau_rebuilt`, at once (the sessions are in place: a stage left full is emptied
    /// by the next load).
    func swap(_ partitions: [Int64], insert: @escaping (String, RowBinary) throws -> Void) throws {
        let db = url.database
        let targets = try targets()
        if !partitions.isEmpty {
            try concurrently(targets.map { (c, suffix) in {
                for from in stride(from: 0, to: partitions.count, by: 100) {
                    let commands = partitions[from..<min(from + 100, partitions.count)]
                        .map { "REPLACE PARTITION \($0) FROM \(db).plateau_sessions_stage\(suffix)" }.joined(separator: ", ")
                    try c.execute("ALTER TABLE \(db).plateau_sessions\(suffix) \(commands)")
                }
            } })
        }
        var done = RowBinary()
        done.u64(load); done.rows = 1
        var tasks: [() throws -> Void] = [{ try insert("plateau_rebuilt", done) }]
        if !partitions.isEmpty {
            tasks += targets.map { (c, suffix) in { try c.execute("TRUNCATE TABLE \(db).plateau_sessions_stage\(suffix)") } }
        }
        try concurrently(tasks)
    }

    /// The server, or every shard's local tables.
    func targets() throws -> [(ClickHouseClient, String)] {
        guard url.cluster != nil else { return [(client, "")] }
        return try (shards ?? ClickHouseSchema.shardEndpoints(url)).map { (ClickHouseClient(url, endpoint: $0), "_local") }
    }
}
