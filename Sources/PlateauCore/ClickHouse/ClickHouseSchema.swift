/// SQL text helpers: ClickHouse 18.16 has no query parameters, so literals are escaped here.
public enum ClickHouseSQL {
    /// A quoted string literal: `\` and `'` escaped, control bytes as escapes.
    public static func literal(_ s: String) -> String {
        var out = "'"
        for u in s.unicodeScalars {
            switch u {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\0": out += "\\0"
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "'"
    }

    /// Letters, digits and `_`, not starting with a digit: safe as a database or cluster name.
    public static func isPlainName(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, !("0"..."9").contains(f) else { return false }
        return s.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}

/// The tables plateau creates (README, "ClickHouse"). Every row carries the `load` that wrote
/// it; a load is visible once its row is in `plateau_loads` (written last), so a load cut
/// short leaves rows no query reads, and a retry writes under a new load id.
public enum ClickHouseSchema {
    public static let version = 4

    public struct Table: Sendable {
        public var name: String
        public var columns: String
        public var partition: String?
        public var order: String
        /// The Distributed table's sharding expression.
        public var shardKey: String
        /// Whether its rows carry the `load` that wrote them (and count once that load is committed).
        public var hasLoad: Bool { columns.hasPrefix("load UInt64") }
    }

    static var metricEnum: String {
        "Enum8(" + Metric.allCases.map { "\(ClickHouseSQL.literal($0.rawValue)) = \($0.index + 1)" }.joined(separator: ", ") + ")"
    }
    static var sourceEnum: String {
        "Enum8(" + SessionFamily.allCases.map { "\(ClickHouseSQL.literal(sourceName($0))) = \(sourceValue($0))" }.joined(separator: ", ") + ")"
    }

    /// A session family as the `source` column spells it: its metrics' prefix (`vpn`,
    /// `private_access`, `vdi`), which the rollup SQL joins to `.users` again.
    static func sourceName(_ f: SessionFamily) -> String { String(f.users.rawValue.prefix { $0 != "." }) }

    /// A family's value in the `source` Enum8 (what RowBinary carries).
    static func sourceValue(_ f: SessionFamily) -> UInt8 { UInt8(f.rawValue + 1) }

    /// Sessions: computed again by each load for the groups it changed, swapped in by partition.
    static let sessionColumns = "load UInt64, source \(sourceEnum), grp UInt64, bu String, person UInt64, tag UInt64, start_time DateTime, end_time DateTime"

    public static let tables: [Table] = [
        // One row per source (feed), person, metric, BU and UTC half-day with the first and the
        // last instant the person counted in it (FactSpans: exact local days in any zone); `day`
        // is the UTC day of `time`. Usage-report facts have no instant: `timed` 0, counted on `day`.
        Table(name: "plateau_facts",
              columns: "load UInt64, source String, metric \(metricEnum), day Date, time DateTime, last_time DateTime, timed UInt8, bu String, person UInt64",
              partition: "toYYYYMM(day)", order: "(metric, day, bu, person)", shardKey: "person"),
        // One row per meeting: when it starts and ends, the organizer's BU and participants;
        // `day` is the UTC day of the start.
        Table(name: "plateau_meetings",
              columns: "load UInt64, id UInt64, day Date, start_time DateTime, end_time DateTime, bu String, participants Int32",
              partition: "toYYYYMM(day)", order: "(day, bu, id)", shardKey: "id"),
        // What the parsers saw of sessions (`SessionPiece`), every load adding its own: sessions
        // with their ends or open, VPN starts, starts and ends logged apart, ZPA sessions.
        // `grp`: the group they are put together in (family, person, tag; a ZPA session id);
        // `t`: the piece's latest instant. Partitions: 30 days of `t`, so a load reading the
        // pieces of the last days reads those partitions, not the history; in each, ordered by
        // group, so whole groups are read by the primary key.
        Table(name: "plateau_session_pieces",
              columns: "load UInt64, family UInt8, grp UInt64, kind UInt8, bu String, person UInt64, tag UInt64, a Int64, b Int64, c Int64, d Int64, flag UInt8, t Int64",
              partition: "intDiv(t, 2592000)", order: "(grp, t)", shardKey: "person"),
        // Sessions of VPN, private access and VDI as the pieces of every committed load make
        // them: [start_time, end_time), an open one up to its source's newest stamp (at most
        // the maximum session length). `tag` tells apart two sessions of one person with the
        // same ends (a VPN client address's hash, a ZPA session id's; 0 when the source has
        // none); `load`: the load that computed the row. Partitions: a UTC day of start instants.
        Table(name: "plateau_sessions", columns: sessionColumns,
              partition: ClickHouseSessionRebuild.partitionExpression, order: "(source, start_time, bu, person)", shardKey: "person"),
        // A load's new sessions before they are swapped into plateau_sessions (empty between loads).
        Table(name: "plateau_sessions_stage", columns: sessionColumns,
              partition: ClickHouseSessionRebuild.partitionExpression, order: "(source, start_time, bu, person)", shardKey: "person"),
        // Usage-report meetings organised: per person and day (the report's own day).
        Table(name: "plateau_organized",
              columns: "load UInt64, day Date, person UInt64, bu String, count UInt32",
              partition: "toYYYYMM(day)", order: "(day, bu, person)", shardKey: "person"),
        // Organisation-wide meeting users of the user-counts report.
        Table(name: "plateau_org_meeting_users",
              columns: "load UInt64, day Date, users UInt32",
              partition: "toYYYYMM(day)", order: "(day)", shardKey: "toUInt64(day)"),
        // The BU names of each load in the order the ingest met them (the order ties are
        // broken in, e.g. by complementary suppression: the same order gives the same output).
        Table(name: "plateau_units",
              columns: "load UInt64, id UInt16, name String",
              partition: nil, order: "(load, id)", shardKey: "load"),
        // Each file's stream as a load left it (`seq`: the load's sequence; the newest row of a
        // stream is its state): where it is, whether it is still there (`live`), its accounting
        // over the whole file (lines, records, ignored and skipped lines, each skip reason with
        // its count), a notice (an unknown format, a file that cannot be read; `stream` 0: a
        // file without a stream) and the state a later load reads on from (`StreamState`: device,
        // inode, offset, checksums, parser state — never a byte of the content).
        Table(name: "plateau_files",
              columns: "load UInt64, seq UInt64, stream UInt64, live UInt8, path String, format String, size Int64, lines UInt64, records UInt64, ignored UInt64, skipped UInt64, skip_reasons Array(String), skip_counts Array(UInt64), error String, state String",
              partition: nil, order: "(stream, path, seq)", shardKey: "load"),
        // Each feed's newest record in a load (`Feeds`), overall (bu "") and per BU: the
        // freshness `plateau alerts` and the dashboard judge feeds by; `loaded`: when the load
        // that brought records of the feed began (the dashboard's "bytes arrived … ago").
        Table(name: "plateau_feeds",
              columns: "load UInt64, feed String, bu String, newest Int64, loaded DateTime",
              partition: nil, order: "(load, feed, bu)", shardKey: "load"),
        // Loads begun (written first): one never committed is a load cut short, whose rows a later load deletes.
        Table(name: "plateau_begun",
              columns: "load UInt64, started DateTime",
              partition: nil, order: "(load)", shardKey: "load"),
        // Loads whose new sessions are in plateau_sessions (written after the swap).
        Table(name: "plateau_rebuilt",
              columns: "load UInt64",
              partition: nil, order: "(load)", shardKey: "load"),
        // One row per finished load, written last: the commit. `seq` orders loads; `family_newest`:
        // the newest stamp per session family it read (Int64 min: none).
        Table(name: "plateau_loads",
              columns: "load UInt64, seq UInt64, finished DateTime, schema_version UInt32, tz String, max_session_seconds Int64, newest_record Int64, has_newest UInt8, family_newest Array(Int64), duplicate_meetings UInt64, facts UInt64, meetings UInt64, sessions UInt64",
              partition: nil, order: "(load)", shardKey: "load"),
    ]

    static func engine(_ t: Table) -> String {
        "MergeTree()" + (t.partition.map { " PARTITION BY \($0)" } ?? "") + " ORDER BY \(t.order)"
    }

    /// DDL for one server (no cluster): the tables themselves.
    public static func singleServer(database: String) -> [String] {
        ["CREATE DATABASE IF NOT EXISTS \(database)"] + tables.map {
            "CREATE TABLE IF NOT EXISTS \(database).\($0.name) (\($0.columns)) ENGINE = \(engine($0))"
        }
    }

    /// DDL for every shard of a cluster: local tables, and the Distributed tables over them
    /// (on every shard too, so any node answers queries).
    public static func shard(database: String, cluster: String) -> [String] {
        ["CREATE DATABASE IF NOT EXISTS \(database)"] + tables.flatMap { t in [
            "CREATE TABLE IF NOT EXISTS \(database).\(t.name)_local (\(t.columns)) ENGINE = \(engine(t))",
            "CREATE TABLE IF NOT EXISTS \(database).\(t.name) (\(t.columns)) ENGINE = Distributed(\(cluster), \(database), \(t.name)_local, \(t.shardKey))",
        ] }
    }

    /// The column names of a table, in order.
    static func columnNames(_ t: Table) -> [String] {
        // Columns are separated by the commas outside parentheses (an Enum8 lists its values).
        var parts: [Substring] = [], depth = 0, from = t.columns.startIndex
        for i in t.columns.indices {
            switch t.columns[i] {
            case "(": depth += 1
            case ")": depth -= 1
            case "," where depth == 0: parts.append(t.columns[from..<i]); from = t.columns.index(after: i)
            default: break
            }
        }
        parts.append(t.columns[from...])
        return parts.map { String($0.drop { $0 == " " }.prefix { $0 != " " }) }
    }

    /// Throws when the database holds plateau tables of another layout (an older plateau's):
    /// inserting into them or querying them would fail half-way, or count wrong.
    /// Returns whether every table is there already (nothing to create).
    @discardableResult
    public static func verify(_ client: ClickHouseClient, database: String, cluster: Bool = false) throws -> Bool {
        let rows = TSV.rows(try client.post(sql: """
            SELECT table, arrayStringConcat(arraySort(groupArray(name)), ',') FROM system.columns
            WHERE database = \(ClickHouseSQL.literal(database)) AND startsWith(table, 'plateau_')
            GROUP BY table FORMAT TabSeparated
            """, database: false))
        let expected = Dictionary(uniqueKeysWithValues: tables.flatMap { t in [(t.name, columnNames(t)), (t.name + "_local", columnNames(t))] })
        for r in rows where r.count == 2 {
            guard let want = expected[r[0]] else { continue }
            let have = r[1].split(separator: ",").map(String.init)
            if have != want.sorted() {
                let missing = want.filter { !have.contains($0) }, extra = have.filter { !want.contains($0) }
                let diff = (missing.isEmpty ? [] : ["lacks " + missing.joined(separator: ", ")]) + (extra.isEmpty ? [] : ["has " + extra.joined(separator: ", ")])
                throw ClickHouseError.data("\(database).\(r[0]) was made by another plateau version (it \(diff.joined(separator: " and ")); this one writes schema \(version)): load into a new database, or drop its plateau_* tables and load again")
            }
        }
        let present = Set(rows.compactMap { $0.first })
        return tables.allSatisfy { present.contains($0.name) && (!cluster || present.contains($0.name + "_local")) }
    }

    /// Creates what is missing: on the server of the URL, or on every shard of its cluster.
    public static func create(_ url: ClickHouseURL, log: ((String) -> Void)? = nil) throws {
        let client = ClickHouseClient(url)
        guard let cluster = url.cluster else {
            // Every later load finds the tables made: one query, no DDL.
            if try verify(client, database: url.database) { return }
            for sql in singleServer(database: url.database) { try client.execute(sql, database: false) }
            return
        }
        for e in schemaTargets(url, shards: try shardEndpoints(url)) {
            log?("schema on \(e)")
            let c = ClickHouseClient(url, endpoint: e)
            if try verify(c, database: url.database, cluster: true) { continue }
            for sql in shard(database: url.database, cluster: cluster) { try c.execute(sql, database: false) }
        }
    }

    /// The servers a cluster's schema is made on: every shard, and the URL's own server.
    static func schemaTargets(_ url: ClickHouseURL, shards: [ClickHouseURL.Endpoint]) -> [ClickHouseURL.Endpoint] {
        shards.contains(url.endpoint) ? shards : shards + [url.endpoint]
    }

    /// The HTTP endpoints of the cluster's shards: the URL's `shards=`, else each replica's host
    /// from `system.clusters` at the URL's HTTP port.
    public static func shardEndpoints(_ url: ClickHouseURL) throws -> [ClickHouseURL.Endpoint] {
        guard let cluster = url.cluster else { return [url.endpoint] }
        let rows = TSV.rows(try ClickHouseClient(url).post(sql:
            "SELECT shard_num, host_name FROM system.clusters WHERE cluster = \(ClickHouseSQL.literal(cluster)) ORDER BY shard_num, replica_num FORMAT TabSeparated",
            database: false))
        guard !rows.isEmpty else {
            throw ClickHouseError.data("no cluster '\(cluster)' in the server's remote_servers (system.clusters)")
        }
        if !url.shards.isEmpty {
            let shardCount = Set(rows.map { $0[0] }).count
            guard url.shards.count >= shardCount else {
                throw ClickHouseError.usage("clickhouse URL: shards= lists \(url.shards.count) endpoints; cluster '\(cluster)' has \(shardCount) shards")
            }
            return url.shards
        }
        var seen = Set<String>()
        return rows.compactMap { r in seen.insert(r[1]).inserted ? ClickHouseURL.Endpoint(host: r[1], port: url.port) : nil }
    }
}
