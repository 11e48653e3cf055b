import Foundation
import GRDB

extension Store {
    /// Everything the store holds, as one accumulator with the store's BUs: what
    /// `RollupBuilder` turns into rollups, as it does the accumulator of an in-memory ingest.
    /// One read transaction: a consistent state while writers go on.
    public func load(settings: IngestSettings) throws -> IngestResult {
        let acc = Accumulator()
        let units = BusinessUnits()
        var inputs: [InputReport] = []
        try pool.read { db in
            var ids: [Int64: UInt16] = [0: BusinessUnits.all, 1: BusinessUnits.unassigned]
            for row in try Row.fetchAll(db, sql: "SELECT id, name FROM bu WHERE id > 1 ORDER BY id") {
                ids[row["id"]] = units.id(row["name"])
            }
            func bu(_ id: Int64) -> UInt16 { ids[id] ?? BusinessUnits.unassigned }
            let metrics = Metric.allCases
            let facts = try Row.fetchCursor(db, sql: "SELECT day, metric, bu, person FROM fact")
            while let r = try facts.next() {
                let m: Int = r[1]
                guard metrics.indices.contains(m) else { continue }
                acc.facts.insert(group: Fact.group(metrics[m], bu: bu(r[2]), day: r[0]), person: UInt64(bitPattern: r[3]))
            }
            let sessions = try Row.fetchCursor(db, sql: #"SELECT family, person, bu, start, "end", tag FROM session"#)
            while let r = try sessions.next() {
                let family: Int = r[0]
                let end: Int64 = r[4]
                let s = SessionFact(person: UInt64(bitPattern: r[1]), bu: bu(r[2]), start: r[3], end: end == Store.openEnd ? nil : end,
                                    tag: UInt64(bitPattern: r[5]))
                if family == Store.vpnStartsFamily { acc.vpnStarts.insert(s) } else if acc.sessions.indices.contains(family) { acc.sessions[family].insert(s) }
                else if family >= Store.edgeFamilies, acc.edges.indices.contains((family - Store.edgeFamilies) / 2) {
                    acc.edges[(family - Store.edgeFamilies) / 2].insert(SessionEdge(person: s.person, bu: s.bu, at: s.start, key: s.tag,
                                                                                    isEnd: (family - Store.edgeFamilies) % 2 == 1))
                }
            }
            for r in try Row.fetchAll(db, sql: "SELECT * FROM zpa") {
                acc.zpa[UInt64(bitPattern: r["id"])] = ZPASession(
                    person: UInt64(bitPattern: r["person"]), bu: bu(r["bu"]), authenticated: r["authenticated"],
                    unauthenticated: r["unauthenticated"], firstConnection: r["first_connection"],
                    lastConnectionEnd: r["last_connection_end"], openConnection: (r["open_connection"] as Int64) != 0)
            }
            let meetings = try Row.fetchCursor(db, sql: "SELECT id, day, bu, seconds, participants FROM meeting")
            while let r = try meetings.next() {
                acc.meetings[UInt64(bitPattern: r[0])] = MeetingFact(day: r[1], bu: bu(r[2]), seconds: r[3], participants: r[4])
            }
            var people: [Int64: Set<UInt64>] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT id, person FROM participant") { people[r[0], default: []].insert(UInt64(bitPattern: r[1])) }
            for r in try Row.fetchAll(db, sql: "SELECT * FROM participation") {
                let id: Int64 = r["id"]
                let ppl = people[id] ?? []
                let m = MeetingFact(day: r["day"], bu: bu(r["bu"]), seconds: r["seconds"], participants: Int32(clamping: ppl.count))
                acc.participations[UInt64(bitPattern: id)] = Accumulator.Participation(
                    meeting: m, people: ppl, first: .init(start: r["first_start"], person: UInt64(bitPattern: r["first_person"])))
            }
            for r in try Row.fetchAll(db, sql: "SELECT day, person, bu, count FROM organized") {
                acc.organized[Accumulator.DayPerson(day: r[0], person: UInt64(bitPattern: r[1]))] = Accumulator.OrganizedCount(bu: bu(r[2]), count: r[3])
            }
            for r in try Row.fetchAll(db, sql: "SELECT day, value FROM org_meeting_users") { acc.orgMeetingUsers[r[0]] = r[1] }
            for r in try Row.fetchAll(db, sql: "SELECT family, t FROM newest") {
                let f: Int = r[0]
                if f == -1 { acc.newestRecord = r[1] } else if acc.newest.indices.contains(f) { acc.newest[f] = r[1] }
            }
            // Feeds by name, into the slots of this config (a source no longer configured is no feed).
            let slots = Feeds.names(settings.customSources)
            for r in try Row.fetchAll(db, sql: "SELECT feed, bu, t FROM feed_newest") {
                let name: String = r[0], id: Int64 = r[1]
                guard let slot = slots.firstIndex(of: name) else { continue }
                if id == 0 {
                    acc.feedTimes.saw(r[2], slot: slot, unit: BusinessUnits.all)
                } else if let local = ids[id] {
                    acc.feedTimes.saw(r[2], slot: slot, unit: local)
                }
            }
            acc.duplicateMeetings = Int(try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'duplicate_meetings'") ?? "0") ?? 0
            for s in try streamsIn(db) where s.state.device != nil {
                var r = InputReport(path: s.state.path, format: s.state.custom ?? s.state.format, size: s.state.size)
                r.account = s.state.account.account
                inputs.append(r)
            }
        }
        return IngestResult(inputs: inputs.sorted { $0.path < $1.path }, accumulator: acc, units: units,
                            directory: Directory(hasher: settings.hasher), settings: settings)
    }

    /// The time zone whose days the store counts (set by the first ingest: facts are stored
    /// by day, so every later ingest must count days in the same zone).
    public func timezone() throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'timezone'") }
    }

    /// Records the zone of the first ingest; refuses another one later.
    public func pin(timezone: String) throws {
        try pool.write { db in
            if let stored = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'timezone'") {
                guard stored == timezone else {
                    throw Problem(description: "\(path) counts days in \(stored), not \(timezone): use --tz \(stored) (or its config)")
                }
            } else {
                try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('timezone', ?)", arguments: [timezone])
            }
        }
    }

    /// The newest time stamp of any record stored.
    public func newestRecord() throws -> Int64? {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT t FROM newest WHERE family = -1") }
    }

    /// The first day kept (`--keep-days`), if the store was ever pruned.
    public func keptFrom() throws -> Int? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'keep_from_day'").flatMap { Int($0) } }
    }

    /// The rollups of everything stored (days before a `--keep-days` cut are not shown).
    /// - Parameter now: open sessions stay open up to now when it is later than their source's
    ///   newest stamp (live mode, as `LiveIngest.rollups(now:)`).
    public func rollups(settings: IngestSettings, now: Int64? = nil) throws -> (Rollups, [InputReport]) {
        let r = try load(settings: settings)
        if let now { for f in r.accumulator.newest.indices { r.accumulator.newest[f] = max2(r.accumulator.newest[f], now) } }
        var rollups = RollupBuilder.build(r)
        if let from = try keptFrom() { rollups.restrict(from: from, to: nil) }
        return (rollups, r.inputs)
    }

    func streamsIn(_ db: Database) throws -> [StoredStream] {
        try Row.fetchAll(db, sql: "SELECT id, version, state FROM stream ORDER BY id").compactMap { row in
            let text: String = row["state"]
            guard let s = try? JSONDecoder().decode(StreamState.self, from: Data(text.utf8)) else { return nil }
            return StoredStream(id: row["id"], version: row["version"], state: s)
        }
    }

    /// Drops every day before the newest `days` days (the newest day with a fact or a session
    /// counts as the last): facts, meetings, usage-report rows, and sessions that ended before.
    /// Returns the first day kept.
    @discardableResult
    public func prune(keepDays days: Int) throws -> Int? {
        try pool.write { db in
            guard let last = try Int.fetchOne(db, sql: "SELECT max(day) FROM fact") else { return nil }
            let first = last - days + 1
            let cut = Int64(first - 1) * 86_400  // a day of margin for time zones: a session that may touch a kept day stays
            try db.execute(sql: "DELETE FROM fact WHERE day < ?", arguments: [first])
            try db.execute(sql: "DELETE FROM meeting WHERE day < ?", arguments: [first])
            try db.execute(sql: "DELETE FROM participant WHERE id IN (SELECT id FROM participation WHERE day < ?)", arguments: [first])
            try db.execute(sql: "DELETE FROM participation WHERE day < ?", arguments: [first])
            try db.execute(sql: "DELETE FROM organized WHERE day < ?", arguments: [first])
            try db.execute(sql: "DELETE FROM org_meeting_users WHERE day < ?", arguments: [first])
            try db.execute(sql: #"DELETE FROM session WHERE ("end" != ? AND "end" < ?) OR ("end" = ? AND start < ? - 2678400)"#,
                           arguments: [Store.openEnd, cut, Store.openEnd, cut])
            try db.execute(sql: "DELETE FROM zpa WHERE coalesce(unauthenticated, last_connection_end, authenticated, first_connection) < ? - 2678400",
                           arguments: [cut])
            try Store.bump(db)
            try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('keep_from_day', ?) ON CONFLICT(key) DO UPDATE SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
                           arguments: [String(first)])
            return first
        }
    }

    /// Compacts the database file (VACUUM) and empties the write-ahead log.
    public func vacuum() throws {
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "VACUUM")
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }
}
