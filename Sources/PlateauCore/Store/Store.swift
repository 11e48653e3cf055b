import Foundation
import GRDB
import GRDBSQLite

/// The persistent store (`plateau ingest --store FILE`): an SQLite database in WAL mode, through
/// GRDB. It holds what an `Accumulator` holds, with people as keyed pseudonyms
/// (`PersonPseudonyms`) and BUs by name, plus every followed stream's state; rollups built from
/// it equal the rollups of one in-memory ingest of the same inputs.
///
/// Tables (migration "v1"):
/// - `meta(key, value)`: `key_check` (HMAC of a fixed text: recognises the key, never holds
///   it), `duplicate_meetings`, `keep_from_day`.
/// - `bu(id, name)`: business units; 0 is ALL, 1 UNASSIGNED.
/// - `stream(id, path, device, inode, version, state)`: one row per followed stream; `state`
///   is a `StreamState` (JSON: offsets, checksums, fingerprints, parser state, accounting).
///   `device`/`inode` are NULL once the stream ended (truncated, replaced, gone).
/// - `fact(day, metric, bu, person)`: the distinct-people sets per day × metric × BU.
/// - `session(family, person, bu, start, end, tag)`: session intervals (family 100: VPN starts
///   waiting for their end); `end` = −2⁶³ while open. `zpa(...)`: ZPA sessions by masked id.
/// - `meeting(id, day, bu, seconds, participants)` by masked meeting-id hash;
///   `participation` / `participant`: meetings from per-participant rows.
/// - `organized(day, person, bu, count)`, `org_meeting_users(day, value)`,
///   `newest(family, t)` (family −1: the newest record).
/// - `feed_newest(feed, bu, t)` (migration "v2"): each feed's newest record, by feed name
///   (`Feeds`), overall (bu 0) and per BU. A store made before it knows the session feeds'
///   newest records (from `newest`) and the others' from its next ingest on.
///
/// Every batch — the facts of one read of one stream and the stream's new state — is one
/// transaction, so a crash loses nothing and doubles nothing. Each stream row has a version:
/// a writer whose view of a stream is stale (another process moved it on) has its batch
/// rolled back (`StoreConflict`), so a `watch` and a cron `ingest` can share a store.
public final class Store: StreamStore, @unchecked Sendable {
    public let path: String
    let pool: DatabasePool
    let pseudonyms: PersonPseudonyms
    /// BU name → id in the store (filled as names are written).
    private var buIDs: [String: Int64] = [:]
    private let lock = NSLock()

    public struct Problem: Error, CustomStringConvertible { public let description: String }
    /// A write failed (the disk full, the file size limit reached, an I/O error): the batch's
    /// transaction rolled back, so the store holds what it held before that batch.
    public struct WriteFailed: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        /// Batches of this run committed before the one that failed.
        public let batchesCommitted: Int
        public var description: String {
            batchesCommitted == 0
                ? "\(path): cannot be written (\(reason)): the store is unchanged by this run; ingest again once there is room"
                : "\(path): cannot be written (\(reason)): the store is unchanged since the \(batchesCommitted) batches this run committed before; ingest again once there is room to go on from there"
        }
    }
    typealias Conflict = StoreConflict

    static let openEnd = Int64.min
    static let vpnStartsFamily = 100
    /// Session edges (`SessionEdge`) are kept as session rows of family `edgeFamilies + 2 × family
    /// (+ 1 for an end)`, their instant as `start`, their key as `tag`.
    static let edgeFamilies = 200

    /// Opens (creating it and its directory when needed) the store at `path`. A store written
    /// with another key is refused.
    public init(path: String, pseudonyms: PersonPseudonyms) throws {
        self.path = path
        self.pseudonyms = pseudonyms
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty && !FileManager.default.fileExists(atPath: dir) {
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        // Per-person facts, even pseudonymous, are for the owner alone: a new store is made
        // 0600 (an empty file is an empty SQLite database), and SQLite gives its -wal and -shm
        // files the mode of the database file.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 { close(fd) }
        var config = Configuration()
        config.busyMode = .timeout(60)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try Store.retryingWhileBusy { try DatabasePool(path: path, configuration: config) }
            // Another process may migrate the new database at the same moment: its migration
            // commits, ours rolls back ("table … already exists") and finds it done on the retry.
            var tries = 0
            while true {
                do { try Store.retryingWhileBusy { try Store.migrator.migrate(pool) }; break } catch where tries < 3 { tries += 1 }
            }
            let check = pseudonyms.checkValue
            try pool.write { db in
                if let stored = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'key_check'") {
                    guard stored == check else { throw Problem(description: "\(path) was written with another key (PLATEAU_KEY or the key file): refused") }
                } else {
                    try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('key_check', ?)", arguments: [check])
                }
            }
            try pool.read { db in
                for row in try Row.fetchAll(db, sql: "SELECT id, name FROM bu") { buIDs[row["name"]] = row["id"] }
            }
        } catch let e as Problem {
            throw e
        } catch let e as DatabaseError {
            throw Problem(description: "\(path): \(e.message ?? "\(e.resultCode)")")
        }
    }

    /// Two processes creating a store at once: switching a new database to WAL, or migrating
    /// it, can meet SQLITE_BUSY before any busy handler runs; try again for up to a minute.
    static func retryingWhileBusy<T>(_ body: () throws -> T) throws -> T {
        var attempt = 0
        while true {
            do { return try body() } catch let e as DatabaseError where (e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED) && attempt < 1200 {
                attempt += 1
                usleep(50_000)
            }
        }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE bu(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
                INSERT INTO bu(id, name) VALUES (0, 'ALL'), (1, 'UNASSIGNED');
                CREATE TABLE stream(id INTEGER PRIMARY KEY AUTOINCREMENT, path TEXT NOT NULL, device INTEGER,
                                    inode INTEGER, version INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL);
                CREATE UNIQUE INDEX stream_identity ON stream(device, inode) WHERE inode IS NOT NULL;
                CREATE TABLE fact(day INTEGER NOT NULL, metric INTEGER NOT NULL, bu INTEGER NOT NULL,
                                  person INTEGER NOT NULL, PRIMARY KEY(day, metric, bu, person)) WITHOUT ROWID;
                CREATE TABLE session(family INTEGER NOT NULL, person INTEGER NOT NULL, bu INTEGER NOT NULL,
                                     start INTEGER NOT NULL, "end" INTEGER NOT NULL, tag INTEGER NOT NULL,
                                     PRIMARY KEY(family, person, start, tag, bu, "end")) WITHOUT ROWID;
                CREATE TABLE zpa(id INTEGER PRIMARY KEY, person INTEGER NOT NULL, bu INTEGER NOT NULL,
                                 authenticated INTEGER, unauthenticated INTEGER, first_connection INTEGER,
                                 last_connection_end INTEGER, open_connection INTEGER NOT NULL);
                CREATE TABLE meeting(id INTEGER PRIMARY KEY, day INTEGER NOT NULL, bu INTEGER NOT NULL,
                                     seconds INTEGER NOT NULL, participants INTEGER NOT NULL);
                CREATE INDEX meeting_day ON meeting(day);
                CREATE TABLE participation(id INTEGER PRIMARY KEY, day INTEGER NOT NULL, bu INTEGER NOT NULL,
                                           seconds INTEGER NOT NULL, first_start INTEGER NOT NULL, first_person INTEGER NOT NULL);
                CREATE TABLE participant(id INTEGER NOT NULL, person INTEGER NOT NULL, PRIMARY KEY(id, person)) WITHOUT ROWID;
                CREATE TABLE organized(day INTEGER NOT NULL, person INTEGER NOT NULL, bu INTEGER NOT NULL,
                                       count INTEGER NOT NULL, PRIMARY KEY(day, person)) WITHOUT ROWID;
                CREATE TABLE org_meeting_users(day INTEGER PRIMARY KEY, value INTEGER NOT NULL);
                CREATE TABLE newest(family INTEGER PRIMARY KEY, t INTEGER NOT NULL);
                """)
        }
        m.registerMigration("v2") { db in
            try db.execute(sql: """
                CREATE TABLE feed_newest(feed TEXT NOT NULL, bu INTEGER NOT NULL, t INTEGER NOT NULL,
                                         PRIMARY KEY(feed, bu)) WITHOUT ROWID;
                INSERT INTO feed_newest(feed, bu, t)
                    SELECT CASE family WHEN 0 THEN 'vpn' WHEN 1 THEN 'private_access' ELSE 'vdi' END, 0, t
                    FROM newest WHERE family IN (0, 1, 2);
                """)
        }
        return m
    }

    // MARK: streams

    func streams() throws -> [StoredStream] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, version, state FROM stream ORDER BY id").compactMap { row in
                let text: String = row["state"]
                guard let s = try? JSONDecoder().decode(StreamState.self, from: Data(text.utf8)) else { return nil }
                return StoredStream(id: row["id"], version: row["version"], state: s)
            }
        }
    }

    /// Writes a stream's new state; throws `Conflict` when another process moved it meanwhile
    /// (or already follows the same file as another stream).
    private func save(_ f: FollowedFile, _ db: Database) throws {
        let state = String(decoding: try JSONEncoder().encode(f.storedState), as: UTF8.self)
        let device = f.identity.map { Int64(bitPattern: $0.device) }
        let inode = f.identity.map { Int64(bitPattern: $0.inode) }
        if let id = f.storeID {
            try db.execute(sql: "UPDATE stream SET path = ?, device = ?, inode = ?, state = ?, version = version + 1 WHERE id = ? AND version = ?",
                           arguments: [f.path, device, inode, state, id, f.storeVersion])
            guard db.changesCount == 1 else { throw Conflict() }
            f.storeVersion += 1
        } else {
            do {
                try db.execute(sql: "INSERT INTO stream(path, device, inode, version, state) VALUES (?, ?, ?, 1, ?)",
                               arguments: [f.path, device, inode, state])
            } catch let e as DatabaseError where e.resultCode == .SQLITE_CONSTRAINT {
                throw Conflict()
            }
            f.storeID = db.lastInsertedRowID
            f.storeVersion = 1
        }
    }

    /// A stream ended (truncated, replaced, gone): it no longer holds its file.
    func ended(_ f: FollowedFile) throws {
        guard f.storeID != nil else { return }
        do { try pool.write { db in try save(f, db); try Store.bump(db) } } catch is Conflict {}
    }

    /// One batch: what one read of `f` added, and `f`'s new state, in one transaction. The
    /// in-memory state of `f` moves on only when the transaction commits.
    /// `feeds`: the feed names of `acc`'s slots (`Feeds.names`).
    func commit(_ f: FollowedFile, _ acc: Accumulator, units: BusinessUnits, feeds: [String]) throws {
        lock.lock(); defer { lock.unlock() }
        let (savedID, savedVersion) = (f.storeID, f.storeVersion)
        var names = buIDs
        do {
            try pool.write { db in
                try save(f, db)
                try add(acc, units: units, feeds: feeds, names: &names, db)
                try Store.bump(db)
            }
        } catch {
            f.storeID = savedID; f.storeVersion = savedVersion
            throw error
        }
        buIDs = names
    }

    /// Every write moves the generation on: a reader knows when to read again.
    static func bump(_ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO meta(key, value) VALUES ('generation', '1')
            ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1
            """)
    }

    /// The count of writes so far (any process).
    public func generation() throws -> Int {
        try pool.read { db in Int(try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'generation'") ?? "0") ?? 0 }
    }

    private func buID(_ local: UInt16, _ units: BusinessUnits, _ names: inout [String: Int64], _ db: Database) throws -> Int64 {
        if local == BusinessUnits.all { return 0 }
        if local == BusinessUnits.unassigned { return 1 }
        let name = units.name(local)
        if let id = names[name] { return id }
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM bu WHERE name = ?", arguments: [name]) {  // another process wrote it
            names[name] = id
            return id
        }
        let id = (try Int64.fetchOne(db, sql: "SELECT max(id) FROM bu") ?? 1) + 1
        try db.execute(sql: "INSERT INTO bu(id, name) VALUES (?, ?)", arguments: [id, name])
        names[name] = id
        return id
    }

    // MARK: writing an accumulator

    private func add(_ acc: Accumulator, units: BusinessUnits, feeds: [String], names: inout [String: Int64], _ db: Database) throws {
        var local: [UInt16: Int64] = [:]
        func bu(_ b: UInt16) throws -> Int64 {
            if let id = local[b] { return id }
            let id = try buID(b, units, &names, db)
            local[b] = id
            return id
        }
        let p = pseudonyms
        // Facts in key order (B-tree inserts that append rather than scatter), bound straight
        // through the C API: the one table that grows with every batch.
        var rows: [(UInt64, UInt64)] = []
        rows.reserveCapacity(acc.facts.count)
        acc.facts.forEach { g, person in rows.append((UInt64(g & 0xFFFF) << 32 | UInt64(g >> 16), person)) }
        rows.sort { $0.0 != $1.0 ? $0.0 < $1.0 : Int64(bitPattern: $0.1) < Int64(bitPattern: $1.1) }
        let fact = try db.cachedStatement(sql: "INSERT OR IGNORE INTO fact(day, metric, bu, person) VALUES (?, ?, ?, ?)")
        let stmt = fact.sqliteStatement
        var lastGroup: UInt64 = .max
        var storedBU: Int64 = 0
        for (key, person) in rows {
            let day = Int64(key >> 32), metric = Int64((key >> 12) & 0xF) - 1
            if key & 0xFFFF_FFFF != lastGroup & 0xFFFF_FFFF {
                storedBU = try bu(UInt16(key & 0xFFF))
                lastGroup = key
            }
            sqlite3_reset(stmt)
            sqlite3_bind_int64(stmt, 1, day)
            sqlite3_bind_int64(stmt, 2, metric)
            sqlite3_bind_int64(stmt, 3, storedBU)
            sqlite3_bind_int64(stmt, 4, Int64(bitPattern: p.pseudonym(ofKey: person)))
            let rc = sqlite3_step(stmt)
            guard rc == SQLITE_DONE else {
                throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
        }
        sqlite3_reset(stmt)

        let session = try db.cachedStatement(sql: #"INSERT OR IGNORE INTO session(family, person, bu, start, "end", tag) VALUES (?, ?, ?, ?, ?, ?)"#)
        func put(_ family: Int, _ s: SessionFact) throws {
            session.setUncheckedArguments([family, Int64(bitPattern: s.person), try bu(s.bu), s.start, s.end ?? Store.openEnd,
                                           Int64(bitPattern: p.masked(s.tag))])
            try session.execute()
        }
        for f in 0..<acc.sessions.count { for s in acc.sessions[f] { try put(f, s) } }
        for s in acc.vpnStarts { try put(Store.vpnStartsFamily, s) }
        for f in 0..<acc.edges.count {
            for e in acc.edges[f] {
                try put(Store.edgeFamilies + 2 * f + (e.isEnd ? 1 : 0), SessionFact(person: e.person, bu: e.bu, start: e.at, end: nil, tag: e.key))
            }
        }

        var duplicates = acc.duplicateMeetings
        for (id, m) in acc.meetings {
            let key = Int64(bitPattern: p.masked(id))
            if let old = try Int32.fetchOne(db.cachedStatement(sql: "SELECT participants FROM meeting WHERE id = ?"), arguments: [key]) {
                duplicates += 1
                if m.participants > old { try db.cachedStatement(sql: "UPDATE meeting SET participants = ? WHERE id = ?").execute(arguments: [m.participants, key]) }
            } else {
                try db.cachedStatement(sql: "INSERT INTO meeting(id, day, bu, seconds, participants) VALUES (?, ?, ?, ?, ?)").execute(
                               arguments: [key, m.day, try bu(m.bu), m.seconds, m.participants])
            }
        }
        if duplicates != 0 {
            try db.cachedStatement(sql: """
                INSERT INTO meta(key, value) VALUES ('duplicate_meetings', ?)
                ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + CAST(excluded.value AS INTEGER)
                """).execute(arguments: [String(duplicates)])
        }

        for (k, v) in acc.organized {
            try db.cachedStatement(sql: """
                INSERT INTO organized(day, person, bu, count) VALUES (?, ?, ?, ?)
                ON CONFLICT(day, person) DO UPDATE SET bu = excluded.bu, count = excluded.count WHERE excluded.count > count
                """).execute(arguments: [k.day, Int64(bitPattern: k.person), try bu(v.bu), v.count])
        }
        for (d, v) in acc.orgMeetingUsers {
            try db.cachedStatement(sql: """
                INSERT INTO org_meeting_users(day, value) VALUES (?, ?)
                ON CONFLICT(day) DO UPDATE SET value = max(value, excluded.value)
                """).execute(arguments: [d, v])
        }

        for (id, z) in acc.zpa {
            let key = Int64(bitPattern: p.masked(id))
            var merged = z
            merged.bu = 0  // set below: BU ids are the store's
            var storedBU = try bu(z.bu)
            if let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM zpa WHERE id = ?"), arguments: [key]) {
                var old = ZPASession(person: UInt64(bitPattern: row["person"]), bu: 0, authenticated: row["authenticated"],
                                     unauthenticated: row["unauthenticated"], firstConnection: row["first_connection"],
                                     lastConnectionEnd: row["last_connection_end"], openConnection: (row["open_connection"] as Int64) != 0)
                let oldBU: Int64 = row["bu"]
                if oldBU != 1 { storedBU = oldBU }
                old.merge(z)
                merged = old
            }
            try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO zpa(id, person, bu, authenticated, unauthenticated, first_connection, last_connection_end, open_connection)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [key, Int64(bitPattern: merged.person), storedBU, merged.authenticated, merged.unauthenticated,
                                 merged.firstConnection, merged.lastConnectionEnd, merged.openConnection ? 1 : 0])
        }

        for (id, part) in acc.participations {
            let key = Int64(bitPattern: p.masked(id))
            let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM participation WHERE id = ?"), arguments: [key])
            let newFirst = Accumulator.Participation.Rank(start: part.first.start, person: part.first.person)
            if let row {
                let oldFirst = Accumulator.Participation.Rank(start: row["first_start"], person: UInt64(bitPattern: row["first_person"]))
                let seconds = max(Int32(row["seconds"] as Int64), part.meeting.seconds)
                if newFirst < oldFirst {
                    try db.cachedStatement(sql: "UPDATE participation SET day = ?, bu = ?, seconds = ?, first_start = ?, first_person = ? WHERE id = ?").execute(
                                   arguments: [part.meeting.day, try bu(part.meeting.bu), seconds, newFirst.start, Int64(bitPattern: newFirst.person), key])
                } else {
                    try db.cachedStatement(sql: "UPDATE participation SET seconds = ? WHERE id = ?").execute(arguments: [seconds, key])
                }
            } else {
                try db.cachedStatement(sql: "INSERT INTO participation(id, day, bu, seconds, first_start, first_person) VALUES (?, ?, ?, ?, ?, ?)").execute(
                               arguments: [key, part.meeting.day, try bu(part.meeting.bu), part.meeting.seconds, newFirst.start, Int64(bitPattern: newFirst.person)])
            }
            for person in part.people {
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO participant(id, person) VALUES (?, ?)").execute(arguments: [key, Int64(bitPattern: person)])
            }
        }

        func newest(_ family: Int, _ t: Int64?) throws {
            guard let t else { return }
            try db.cachedStatement(sql: "INSERT INTO newest(family, t) VALUES (?, ?) ON CONFLICT(family) DO UPDATE SET t = max(t, excluded.t)").execute(
                           arguments: [family, t])
        }
        for f in 0..<acc.newest.count { try newest(f, acc.newest[f]) }
        try newest(-1, acc.newestRecord)
        // Feeds by name; bu 0 (ALL's id) holds the feed's newest record overall.
        let feedNewest = try db.cachedStatement(sql: """
            INSERT INTO feed_newest(feed, bu, t) VALUES (?, ?, ?) ON CONFLICT(feed, bu) DO UPDATE SET t = max(t, excluded.t)
            """)
        for (name, fresh) in acc.feedTimes.byName(feeds) {
            if let t = fresh.newestRecord { try feedNewest.execute(arguments: [name, 0, t]) }
            for (b, t) in fresh.units { try feedNewest.execute(arguments: [name, try bu(b), t]) }
        }
    }
}
