/// `--source clickhouse://...`: the daily rollups of every metric computed in ClickHouse by SQL
/// plateau generates; only rollup rows (metric × BU × day) come back, and they fill the same
/// `Rollups` the in-memory path builds, so analysis and presentation are the same code.
///
/// The SQL, per family of metrics (each query reads committed loads only, and treats rows as
/// sets, so a file loaded twice counts once):
/// Every day is a local day of the query's zone, `toDate(ts, tz)` of stored instants, so one
/// load answers in any `--tz` (only a usage report's own day is a day whatever the zone).
/// - distinct people: `uniqExact(person)` per metric × BU × day and over all BUs, from the
///   facts (the local days of each span's first and last instant) and from every day each
///   session overlaps, remote.users the
///   union of proxy remote users and the session users — partial states (`uniqExactState`)
///   of both tables merged;
/// - session peaks: every session clipped to each local day it overlaps becomes a +1 at its
///   start and a −1 at its end (Int64 deltas), summed per second with `sumMap`; the peak is
///   `arrayReduce('max', arrayCumSum(...))` — equal instants net out, so a session ending when
///   another starts does not overlap it;
/// - meetings: deduplicated by id, on the local day of their start, then count, max
///   participants and the median length from
///   `quantileExact` of the lengths and of their negation (the two middle values);
/// - usage-report fills: organised meetings per person and day (max), org-wide meeting users.
public enum ClickHouseRollups {
    /// Rows of committed loads only (`plateau_sessions` holds what the committed loads make, no filter).
    static let committed = ClickHouseLoadState.committed
    /// The marker of the whole group in the BU column of results ("" is never a BU name).
    static let allMarker = ""

    public static func fetch(_ url: ClickHouseURL, timezone: TimeZoneRules) throws -> Rollups {
        let client = ClickHouseClient(url)
        let tz = ClickHouseSQL.literal(timezone.identifier)

        try ClickHouseSchema.verify(client, database: url.database)
        // The loads: the newest record and the duplicates they saw. Every row carries instants
        // (or a report's own day), so any zone's days come out of the same rows.
        let loads = try client.rows("SELECT toString(newest_record), has_newest, toString(duplicate_meetings) FROM plateau_loads WHERE \(committed)")
        var newest: Int64?
        var duplicates = 0
        for r in loads where r.count == 3 {
            if r[1] == "1", let n = Int64(r[0]) { newest = max(newest ?? n, n) }
            duplicates += Int(r[2]) ?? 0
        }
        // BU ids in the order the loads met them, so ties break as they do in memory.
        let units = BusinessUnits()
        for r in try client.rows("SELECT name, min(id) AS first FROM plateau_units WHERE \(committed) GROUP BY name ORDER BY first, name") {
            _ = units.id(r[0])
        }
        var out = Rollups(units: units.names)
        out.newestRecord = newest
        // Each feed's newest record (a database made before plateau_feeds knows none yet).
        if try client.rows("EXISTS TABLE plateau_feeds").first?.first == "1" {
            for r in try client.rows("SELECT feed, bu, toString(max(newest)), toString(toUInt32(max(loaded))) FROM plateau_feeds WHERE \(committed) GROUP BY feed, bu") {
                guard r.count == 4, let t = Int64(r[2]), let loaded = Int64(r[3]) else { throw unexpected(r) }
                if r[1] == allMarker {
                    out.feeds[r[0], default: FeedFreshness()].newestRecord = t
                    // When records of the feed last arrived: the newest load that brought some.
                    out.feeds[r[0], default: FeedFreshness()].lastArrival = loaded
                } else {
                    out.feeds[r[0], default: FeedFreshness()].units[units.id(r[1])] = t
                }
            }
        }
        out.duplicateMeetings = duplicates
        var present = Set<Metric>()
        func bu(_ name: String) -> UInt16 { name == allMarker ? BusinessUnits.all : units.id(name) }
        func set(_ m: Metric, _ b: UInt16, _ day: Int, _ v: Double) { out.values[m, default: [:]][b, default: [:]][day] = v }
        func add(_ m: Metric, _ b: UInt16, _ day: Int, _ v: Double) { out.values[m, default: [:]][b, default: [:]][day, default: 0] += v }

        // Distinct people.
        for r in try client.rows(usersSQL(tz: tz)) {
            guard r.count == 4, let m = Metric(rawValue: r[0]), let day = Int(r[2]), let n = Double(r[3]) else { throw unexpected(r) }
            set(m, bu(r[1]), day, n)
            present.insert(m)
            if m == .proxyUsers { present.insert(.proxyRemoteUsers) }
            if m == .signinsUsers { present.insert(.signinsTeamsUsers) }  // no Teams sign-in on a day of sign-ins is a 0
            if m == .proxyRemoteUsers || m == .privateAccessUsers || m == .vpnUsers || m == .vdiUsers { present.insert(.remoteUsers) }
        }
        // Session peaks.
        for r in try client.rows(peaksSQL(tz: tz)) {
            guard r.count == 4, let f = SessionFamily(name: r[0]), let day = Int(r[2]), let n = Double(r[3]) else { throw unexpected(r) }
            set(f.peak, bu(r[1]), day, n)
            present.formUnion([f.users, f.peak, .remoteUsers])
        }
        // The org-wide user-counts report fills the days no per-person record covers.
        let orgUsers = try client.rows("SELECT toUInt16(day), max(users) FROM plateau_org_meeting_users WHERE \(committed) GROUP BY day")
        if !orgUsers.isEmpty { present.insert(.meetingsUsers) }
        for r in orgUsers {
            guard r.count == 2, let day = Int(r[0]), let v = Double(r[1]) else { throw unexpected(r) }
            if (out.values[.meetingsUsers]?[BusinessUnits.all]?[day] ?? 0) == 0 { set(.meetingsUsers, BusinessUnits.all, day, v) }
        }
        // Meetings.
        struct Cell: Hashable { var day: Int; var bu: UInt16 }
        var withMeetings = Set<Cell>()
        let meetings = try client.rows(meetingsSQL(tz: tz))
        for r in meetings {
            guard r.count == 6, let day = Int(r[0]), let n = Int(r[2]), let largest = Double(r[3]),
                  let hi = Int64(r[4]), let lo = Int64(r[5]), n > 0 else { throw unexpected(r) }
            let b = bu(r[1])
            withMeetings.insert(Cell(day: day, bu: b))
            set(.meetingsCount, b, day, Double(n))
            set(.meetingsMaxParticipants, b, day, largest)
            // As RollupBuilder.median does it: the middle minutes, or the mean of the two middle ones.
            set(.meetingsMedianMinutes, b, day, n % 2 == 1 ? Double(hi) / 60 : (Double(lo) / 60 + Double(hi) / 60) / 2)
        }
        let organized = try client.rows("""
            SELECT toUInt16(day), bu, sum(c) FROM (
              SELECT day, person, argMax(bu, count) AS bu, max(count) AS c FROM plateau_organized WHERE \(committed) GROUP BY day, person
            ) GROUP BY day, bu
            """)
        if !meetings.isEmpty || !organized.isEmpty { present.formUnion([.meetingsUsers, .meetingsCount]) }
        if !meetings.isEmpty { present.formUnion([.meetingsMedianMinutes, .meetingsMaxParticipants]) }
        // Usage-report organised meetings count where no call record covers that BU and day.
        for r in organized {
            guard r.count == 3, let day = Int(r[0]), let n = Double(r[2]) else { throw unexpected(r) }
            let b = bu(r[1])
            guard !withMeetings.contains(Cell(day: day, bu: b)) else { continue }
            set(.meetingsCount, b, day, n)
            add(.meetingsCount, BusinessUnits.all, day, n)
        }
        out.units = units.names
        out.fillRange(present: present)
        return out
    }

    /// What changes whenever a load is committed (loads are only ever added): their count and
    /// the XOR of their ids. Equal fingerprints, equal rollups.
    public static func loadsFingerprint(_ url: ClickHouseURL) throws -> String {
        try ClickHouseClient(url).rows("SELECT count(), toString(groupBitXor(load)) FROM plateau_loads").first?.joined(separator: " ") ?? ""
    }

    /// The zones the committed loads were made in (issue 19: a read that names none counts the
    /// days of the loads' zone, not UTC's), the newest load's first, each with its loads.
    public static func loadZones(_ url: ClickHouseURL) throws -> [(zone: String, loads: Int)] {
        let rows = try ClickHouseClient(url).rows("""
            SELECT tz, toString(count()) FROM plateau_loads WHERE \(committed)
            GROUP BY tz ORDER BY max(finished) DESC, tz
            """)
        return try rows.map { r in
            guard r.count == 2, let n = Int(r[1]) else { throw unexpected(r) }
            return (r[0], n)
        }
    }

    /// The files under the committed loads' streams (their newest state, those still there) and
    /// the files noted without a stream, with their accounting over the whole file and each
    /// skip reason, for the snapshot's `inputs` and the dashboard's counters.
    public static func inputs(_ url: ClickHouseURL) throws -> [InputReport] {
        let rows = try ClickHouseClient(url).rows("""
            SELECT argMax(path, seq), argMax(format, seq), toString(argMax(size, seq)), toString(argMax(lines, seq)),
                   toString(argMax(records, seq)), toString(argMax(ignored, seq)), toString(argMax(skipped, seq)),
                   arrayStringConcat(argMax(skip_reasons, seq), '\\x1F'), arrayStringConcat(arrayMap(x -> toString(x), argMax(skip_counts, seq)), ','),
                   argMax(error, seq), argMax(live, seq)
            FROM plateau_files WHERE \(committed) GROUP BY stream, if(stream = 0, path, '')
            """)
        var out: [InputReport] = []
        for r in rows {
            guard r.count == 11, let size = Int64(r[2]), let lines = Int(r[3]), let records = Int(r[4]),
                  let ignored = Int(r[5]), let skipped = Int(r[6]) else { throw unexpected(r) }
            guard r[10] == "1" else { continue }
            var report = InputReport(path: r[0], format: r[1].isEmpty ? nil : r[1], size: size)
            report.account.lines = lines
            report.account.records = records
            if ignored > 0 { report.account.ignored["loaded"] = ignored }
            let reasons = r[7].isEmpty ? [] : r[7].split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
            let counts = r[8].split(separator: ",").compactMap { Int($0) }
            if reasons.count == counts.count {
                for (k, v) in zip(reasons, counts) { report.account.skippedReasons[k, default: 0] += v }
            }
            if report.account.skipped < skipped { report.account.skippedReasons["loaded", default: 0] += skipped - report.account.skipped }
            if !r[9].isEmpty { report.account.fileError = r[9] }
            out.append(report)
        }
        return out.sorted { $0.path < $1.path }
    }

    static func unexpected(_ r: [String]) -> ClickHouseError {
        .protocolError("unexpected result row: \(r.prefix(6).joined(separator: " | ").prefix(200))")
    }

    /// Session days: every local day [start, end) overlaps, as `day` (Date).
    static func sessionDays(tz: String) -> String {
        "arrayJoin(arrayMap(i -> toDate(start_time, \(tz)) + i, range(toUInt32(toDate(end_time - 1, \(tz)) - toDate(start_time, \(tz))) + 1)))"
    }

    /// Distinct people per metric × BU × day and per metric × day (BU ""). A fact row counts
    /// on the local days of its first and last instant (a UTC half-day meets no other), a
    /// report's fact on its own day. Each inner query aggregates right on its table, so on a
    /// cluster the shards build the partial states.
    static func usersSQL(tz: String) -> String {
        """
        SELECT m, b, toUInt16(d), uniqExactMerge(s) FROM (
          SELECT arrayJoin(if(metric = 'proxy.remote_users', ['proxy.remote_users', 'remote.users'], [toString(metric)])) AS m,
                 arrayJoin([bu, '']) AS b,
                 arrayJoin(if(timed = 1, [toDate(time, \(tz)), toDate(last_time, \(tz))], [day])) AS d,
                 uniqExactState(person) AS s
          FROM plateau_facts WHERE \(committed) GROUP BY m, b, d
          UNION ALL
          SELECT arrayJoin([concat(toString(source), '.users'), 'remote.users']) AS m, arrayJoin([bu, '']) AS b,
                 \(sessionDays(tz: tz)) AS d, uniqExactState(person) AS s
          FROM plateau_sessions GROUP BY m, b, d
        ) GROUP BY m, b, d
        """
    }

    /// Peak sessions per source × BU × day and per source × day (BU ""): sumMap of Int64
    /// deltas per second of each session clipped to the day, then the cumulative maximum.
    /// Sessions are deduplicated first (the same session loaded twice is one session; two
    /// with the same ends and different tags are two).
    static func peaksSQL(tz: String) -> String {
        """
        SELECT toString(source), b, toUInt16(day), arrayReduce('max', arrayCumSum(tupleElement(sm, 2))) FROM (
          SELECT source, b, day,
                 sumMap([toUInt32(greatest(s, toDateTime(day, \(tz)))), toUInt32(least(e, toDateTime(day + 1, \(tz))))],
                        [toInt64(1), toInt64(-1)]) AS sm
          FROM (
            SELECT source, arrayJoin([bu, '']) AS b, s, e,
                   arrayJoin(arrayMap(i -> toDate(s, \(tz)) + i, range(toUInt32(toDate(e - 1, \(tz)) - toDate(s, \(tz))) + 1))) AS day
            FROM (SELECT DISTINCT source, bu, person, tag, start_time AS s, end_time AS e FROM plateau_sessions)
          ) GROUP BY source, b, day
        )
        """
    }

    /// Meetings per local day of their start × organizer BU and per day (BU ""), deduplicated by id.
    static func meetingsSQL(tz: String) -> String {
        """
        SELECT toUInt16(d), b, count(), max(p), quantileExact(0.5)(sec), -quantileExact(0.5)(-sec) FROM (
          SELECT toDate(st, \(tz)) AS d, arrayJoin([bu, '']) AS b, sec, p FROM (
            SELECT id, any(start_time) AS st, any(bu) AS bu, any(toInt64(end_time) - toInt64(start_time)) AS sec, max(participants) AS p
            FROM plateau_meetings WHERE \(committed) GROUP BY id
          )
        ) GROUP BY d, b
        """
    }
}
