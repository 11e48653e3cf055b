/// Daily numbers per metric × BU (and ALL), the shared "holder" every presentation reads.
public struct Rollups: Sendable {
    /// BU names by id (id 0 is ALL, 1 UNASSIGNED).
    public var units: [String]
    /// metric → BU id → day → value. Count metrics hold integers; a median may be fractional.
    public var values: [Metric: [UInt16: [Int: Double]]] = [:]
    /// The metrics that have a source among the inputs, in contract order.
    public var metrics: [Metric] = []
    public var firstDay: Int?
    public var lastDay: Int?
    public var newestRecord: Int64?
    /// Each feed's freshness, by feed name (`Feeds`): feeds with at least one record.
    public var feeds: [String: FeedFreshness] = [:]
    /// Call records that repeated a meeting id already seen (counted once).
    public var duplicateMeetings = 0

    /// Days on which each feed delivered something (any of its metrics has people, sessions or
    /// meetings in ALL that day); set by `fillRange`. A feed's metric is a value on these days
    /// only: on another day it is missing (nil), never 0.
    public var delivered: [Feed: Set<Int>] = [:]
    /// Days on which `remote.users` is missing: a day on which one of its sources that usually brings
    /// at least `Rollups.unionShare` of its people had a gap (delivered nothing after it had
    /// started) is missing, since the union of the others would read as a collapse.
    public var remoteGaps: Set<Int> = []
    /// The BUs of each metric (those with a value, those of its population metric, ALL), for
    /// the zeros of `value`; set by `fillRange` (without it: the BUs holding a value).
    public var unitsByMetric: [Metric: Set<UInt16>] = [:]
    /// A source whose median share of `remote.users` is at least this fraction makes the union
    /// missing on its gap days.
    public static let unionShare = 0.05

    /// The value of a cell: what the data gave, 0 for a BU without any on a day its feed
    /// delivered, nil on a day its feed delivered nothing (missing, not zero) and for a median
    /// of nothing.
    public func value(_ m: Metric, bu: UInt16, day: Int) -> Double? {
        if m == .remoteUsers && remoteGaps.contains(day) { return nil }
        if let v = values[m]?[bu]?[day] { return v }
        guard m != .meetingsMedianMinutes, covers(m, day: day), unitsByMetric[m]?.contains(bu) == true else { return nil }
        return 0
    }

    /// Whether `m` has data on `day` (its feed delivered something then).
    public func covers(_ m: Metric, day: Int) -> Bool {
        guard let feed = m.feed else {
            return !remoteGaps.contains(day) && Feed.remoteSources.contains { delivered[$0.feed]?.contains(day) ?? false }
        }
        return delivered[feed]?.contains(day) ?? false
    }

    /// Shows only the days in [from, to] (either may be open).
    public mutating func restrict(from: Int?, to: Int?) {
        guard let f = firstDay, let l = lastDay else { return }
        let nf = max(f, from ?? f), nl = min(l, to ?? l)
        if nf > nl { firstDay = nil; lastDay = nil; return }
        firstDay = nf; lastDay = nl
    }

    /// BU ids that have a value for `m`, ALL first, then by name, UNASSIGNED last.
    public func businessUnits(_ m: Metric) -> [UInt16] {
        let ids = unitsByMetric[m].map(Array.init) ?? Array((values[m] ?? [:]).keys)
        return ids.sorted { a, b in Rollups.order(a, units[Int(a)]) < Rollups.order(b, units[Int(b)]) }
    }

    /// The days of the range on which `feed` delivered nothing (in [firstDay, lastDay]),
    /// from its first day with data on (before it, the feed had not started), as runs of
    /// consecutive days., from its first day
    /// with data on (before it, the feed had not started), as runs of consecutive days.
    public func gaps(_ feed: Feed) -> [ClosedRange<Int>] {
        guard let days = delivered[feed], let first = firstDay, let last = lastDay,
              let start = days.filter({ $0 >= first && $0 <= last }).min() else { return [] }
        var runs: [ClosedRange<Int>] = []
        var open: Int?
        for d in start...max(start, last) {
            if days.contains(d) {
                if let o = open { runs.append(o...(d - 1)); open = nil }
            } else if open == nil { open = d }
        }
        if let o = open { runs.append(o...last) }
        return runs
    }

    /// The range of days, the metrics present, the days each feed delivered, and the BUs
    /// whose cells are 0 (not missing) on those days (for a metric: its BUs, those of its
    /// population metric, and ALL); medians are never 0. Nothing is allocated per day × BU.
    /// Every source of rollups (files, store, ClickHouse) ends with it.
    public mutating func fillRange(present: Set<Metric>) {
        var first = Int.max, last = Int.min
        for (_, byBU) in values { for (_, byDay) in byBU { for d in byDay.keys { first = min(first, d); last = max(last, d) } } }
        guard first <= last else { return }
        firstDay = first; lastDay = last
        metrics = Metric.allCases.filter { present.contains($0) }
        delivered = [:]
        for m in metrics {
            guard let feed = m.feed else { continue }
            var days = delivered[feed] ?? []
            for (d, v) in values[m]?[BusinessUnits.all] ?? [:] where v > 0 { days.insert(d) }
            delivered[feed] = days
        }
        remoteGaps = []
        if metrics.contains(.remoteUsers) {
            let union = values[.remoteUsers]?[BusinessUnits.all] ?? [:]
            for source in Feed.remoteSources {
                guard let days = delivered[source.feed], let start = days.min() else { continue }
                let part = values[source.metric]?[BusinessUnits.all] ?? [:]
                let shares = union.compactMap { d, v -> Double? in
                    guard v > 0, days.contains(d) else { return nil }
                    return (part[d] ?? 0) / v
                }
                guard !shares.isEmpty, RollupBuilder.median(shares) >= Rollups.unionShare else { continue }
                for d in start...last where !days.contains(d) { remoteGaps.insert(d) }
            }
        }
        unitsByMetric = [:]
        for m in metrics {
            var bus = Set(values[m]?.keys ?? [:].keys)
            if m != .meetingsMedianMinutes {
                bus.formUnion(values[m.population]?.keys ?? [:].keys)
                bus.insert(BusinessUnits.all)
            }
            unitsByMetric[m] = bus
        }
    }

    static func order(_ id: UInt16, _ name: String) -> (Int, String) {
        id == BusinessUnits.all ? (0, "") : id == BusinessUnits.unassigned ? (2, "") : (1, name)
    }
}

/// Turns accumulated facts into rollups: distinct counts per cell and across the group,
/// session users and peaks by a sweep over [start, end), meeting medians and maxima.
public enum RollupBuilder {
    /// Rollups of no data at all.
    public static let empty = Rollups(units: BusinessUnits().names)

    /// Takes the accumulator's facts over (it is left without them): a copy of the largest
    /// structure of an ingest would double the memory at the very end.
    public static func build(_ r: IngestResult) -> Rollups { build(r, preservingFacts: false) }

    /// `preservingFacts`: the accumulator keeps its facts (they are copied on write, shard by
    /// shard), so a live ingest can build rollups again and again while it goes on adding.
    /// The facts are counted on `workers` threads.
    public static func build(_ r: IngestResult, preservingFacts: Bool, workers: Int = System.coreCount) -> Rollups {
        let acc = r.accumulator
        let tz = r.settings.timezone
        var out = Rollups(units: r.units.names)
        out.newestRecord = acc.newestRecord
        out.feeds = acc.feedTimes.byName(Feeds.names(r.settings.customSources))
        out.duplicateMeetings = acc.duplicateMeetings
        var facts = acc.facts
        if !preservingFacts { acc.facts = FactSet(capacity: 0) }
        var present = Set<Metric>()
        for (d, _) in acc.orgMeetingUsers { _ = d; present.insert(.meetingsUsers) }

        func set(_ m: Metric, _ bu: UInt16, _ day: Int, _ v: Double) { out.values[m, default: [:]][bu, default: [:]][day] = v }
        func add(_ m: Metric, _ bu: UInt16, _ day: Int, _ v: Double) { out.values[m, default: [:]][bu, default: [:]][day, default: 0] += v }

        // Sessions: users on every day a session overlaps, and the daily peaks.
        for family in SessionFamily.allCases {
            let sessions = SessionAssembly.sessions(family, acc, maxOpen: r.settings.maxSessionSeconds)
            guard !sessions.isEmpty else { continue }
            present.insert(family.users); present.insert(family.peak); present.insert(.remoteUsers)
            for s in sessions {
                var day = tz.localDay(s.start)
                let last = tz.localDay(s.end - 1)
                while day <= last {
                    let p = Person(key: s.person, bu: s.bu)
                    if Fact.days.contains(day) {
                        facts.insert(group: Fact.group(family.users, bu: p.bu, day: day), person: p.key)
                        facts.insert(group: Fact.group(.remoteUsers, bu: p.bu, day: day), person: p.key)
                    }
                    day += 1
                }
            }
            for (key, peak) in PeakSweep.peaks(sessions, tz: tz) { set(family.peak, key.bu, key.day, Double(peak)) }
        }

        // Distinct people per cell, and across the organisation, shard by shard in parallel
        // (a shard holds all the facts of its people: `FactSet`).
        // - remote.users is the union of the remote sources: a proxy remote user counts for it
        //   unless the same person is already there (by a session, added above).
        // - A directory person always counts for their directory BU, so they count once in ALL
        //   by adding the cells; only people known by a log's department alone can appear in
        //   several BUs, and they go through a set.
        let proxyRemote = UInt32(Metric.proxyRemoteUsers.index + 1)
        let remoteTop = UInt32(Metric.remoteUsers.index + 1) << 28
        let allMask: UInt32 = ~(0xFFF << 16)  // BU 0 is ALL
        let perShard = facts.mapShards(workers: workers) { _, shard -> GroupCounts in
            var counts = GroupCounts()
            var across = FactSet.Shard(capacity: 1 << 10)
            @inline(__always) func count(_ g: UInt32, _ person: UInt64) {
                counts.add(g)
                if person & Resolver.directoryTag != 0 { counts.add(g & allMask) }
                else { _ = across.insert(g & allMask, person, FactSet.hash(g & allMask, person)) }
            }
            let table = shard
            table.forEach { g, person in
                count(g, person)
                if g >> 28 == proxyRemote {
                    let r = g & 0x0FFF_FFFF | remoteTop
                    if !table.contains(r, person, FactSet.hash(r, person)) { count(r, person) }
                }
            }
            across.forEach { g, _ in counts.add(g) }
            return counts
        }
        var counts = GroupCounts()
        for c in perShard { counts.add(c) }
        counts.forEach { g, n in
            let (m, bu, day) = Fact.unpack(g)
            set(m, bu, day, Double(n))
            present.insert(m)
            if m == .proxyUsers { present.insert(.proxyRemoteUsers) }
            if m == .signinsUsers { present.insert(.signinsTeamsUsers) }  // no Teams sign-in on a day of sign-ins is a 0
            if m == .proxyRemoteUsers || m == .privateAccessUsers || m == .vpnUsers || m == .vdiUsers { present.insert(.remoteUsers) }
        }
        // The org-wide user-counts report fills the days no per-person record covers.
        for (day, v) in acc.orgMeetingUsers where (out.values[.meetingsUsers]?[BusinessUnits.all]?[day] ?? 0) == 0 {
            set(.meetingsUsers, BusinessUnits.all, day, Double(v))
        }

        // Meetings: count, median length and largest per (day, organizer BU) and ALL.
        struct Cell: Hashable { var day: Int; var bu: UInt16 }
        var meetings = acc.meetings
        for (id, p) in acc.participations where meetings[id] == nil {
            var m = p.meeting
            m.participants = Int32(clamping: p.people.count)
            meetings[id] = m
        }
        let grid = MeetingGrid(meetings)
        if !meetings.isEmpty || !acc.organized.isEmpty {
            present.formUnion([.meetingsUsers, .meetingsCount])
        }
        if !meetings.isEmpty { present.formUnion([.meetingsMedianMinutes, .meetingsMaxParticipants]) }
        var minutes: Set<Cell> = []
        grid.forEachCell { day, bu, count, medianMinutes, largest in
            minutes.insert(Cell(day: day, bu: bu))
            set(.meetingsCount, bu, day, Double(count))
            set(.meetingsMedianMinutes, bu, day, medianMinutes)
            set(.meetingsMaxParticipants, bu, day, Double(largest))
        }
        // Usage-report organised meetings count where no call record covers that BU and day
        // (the same meetings would otherwise be counted twice).
        var organized: [Cell: Int] = [:]
        for (k, v) in acc.organized { organized[Cell(day: k.day, bu: v.bu), default: 0] += v.count }
        for (c, n) in organized where !minutes.contains(c) {
            set(.meetingsCount, c.bu, c.day, Double(n))
            add(.meetingsCount, BusinessUnits.all, c.day, Double(n))
        }

        out.fillRange(present: present)
        return out
    }
}

/// Meetings counted per (day, organizer BU) and for ALL: how many, the median length in
/// minutes (as `RollupBuilder.median` of their minutes) and the largest. Cells are numbered on
/// a dense grid of days × BUs when it is small (a dictionary per meeting would hash two cells
/// each, and a million meetings fill a few thousand cells), else through a dictionary (dates
/// spread over years, or thousands of departments).
struct MeetingGrid {
    private var cellDay: [Int] = [], cellBU: [UInt16] = []
    private var counts: [Int32] = []
    private var largest: [Int32] = []
    private var offsets: [Int] = []
    private var seconds: [Int32] = []

    init(_ meetings: MeetingTable) {
        guard !meetings.isEmpty else { return }
        var lo = Int.max, hi = Int.min, maxBU = Int(BusinessUnits.all)
        for (_, m) in meetings {
            lo = min(lo, Int(m.day)); hi = max(hi, Int(m.day)); maxBU = max(maxBU, Int(m.bu))
        }
        let width = maxBU + 1, dense = (hi - lo + 1) * width
        var sparse: [Int: Int]?
        if dense <= max(1 << 16, 4 * meetings.count) {
            cellDay = (0..<dense).map { lo + $0 / width }
            cellBU = (0..<dense).map { UInt16($0 % width) }
        } else {
            var map: [Int: Int] = [:]
            for (_, m) in meetings {
                for bu in [m.bu, BusinessUnits.all] where map[Int(m.day) &* 65_536 &+ Int(bu)] == nil {
                    map[Int(m.day) &* 65_536 &+ Int(bu)] = cellDay.count
                    cellDay.append(Int(m.day)); cellBU.append(bu)
                }
            }
            sparse = map
        }
        @inline(__always) func cell(_ day: Int32, _ bu: UInt16) -> Int {
            if let sparse { return sparse[Int(day) &* 65_536 &+ Int(bu)]! }
            return (Int(day) - lo) * width + Int(bu)
        }
        let cells = cellDay.count
        counts = Array(repeating: 0, count: cells)
        largest = Array(repeating: 0, count: cells)
        for (_, m) in meetings {
            for c in [cell(m.day, m.bu), cell(m.day, BusinessUnits.all)] {
                counts[c] += 1
                largest[c] = max(largest[c], m.participants)
            }
        }
        // Each cell's lengths side by side; in each cell, the median's one or two lengths put
        // where a sort would put them (`forEachCell` reads those only).
        offsets = Array(repeating: 0, count: cells + 1)
        for c in 0..<cells { offsets[c + 1] = offsets[c] + Int(counts[c]) }
        seconds = Array(repeating: 0, count: offsets[cells])
        var fill = offsets
        for (_, m) in meetings {
            for c in [cell(m.day, m.bu), cell(m.day, BusinessUnits.all)] {
                seconds[fill[c]] = m.seconds
                fill[c] += 1
            }
        }
        let offsets = self.offsets, counts = self.counts
        seconds.withUnsafeMutableBufferPointer { s in
            for c in 0..<cells where counts[c] > 1 {
                let lo = offsets[c], n = Int(counts[c]), mid = lo + n / 2
                MeetingGrid.select(s, lo, lo + n, mid)
                if n % 2 == 0 {
                    // Below `mid`, nothing is larger than s[mid]: their largest is the one before it.
                    var m = lo
                    for x in lo..<mid where s[x] > s[m] { m = x }
                    s.swapAt(m, mid - 1)
                }
            }
        }
    }

    /// Puts at `k` the value a sort of `a[lo..<hi]` would put there, none larger before it and
    /// none smaller after it (quickselect, median-of-three pivots; a range that keeps
    /// splitting badly is sorted instead). A cell's median without sorting its lengths: the
    /// sorts were most of the rollups of the call-records set (issue 15).
    static func select(_ a: UnsafeMutableBufferPointer<Int32>, _ from: Int, _ to: Int, _ k: Int) {
        var lo = from, hi = to - 1  // inclusive
        var budget = 2 * (Int.bitWidth - (to - from).leadingZeroBitCount) + 4
        while hi - lo > 16 {
            if budget == 0 { var rest = UnsafeMutableBufferPointer(rebasing: a[lo...hi]); rest.sort(); return }
            budget -= 1
            let mid = lo + (hi - lo) / 2
            if a[mid] < a[lo] { a.swapAt(mid, lo) }
            if a[hi] < a[lo] { a.swapAt(hi, lo) }
            if a[hi] < a[mid] { a.swapAt(hi, mid) }
            let pivot = a[mid]
            var i = lo, j = hi
            while i <= j {
                while a[i] < pivot { i += 1 }
                while a[j] > pivot { j -= 1 }
                if i <= j { a.swapAt(i, j); i += 1; j -= 1 }
            }
            // a[lo...j] <= pivot, a[i...hi] >= pivot, and any between equal to it.
            if k <= j { hi = j } else if k >= i { lo = i } else { return }
        }
        if lo < hi {
            for x in (lo + 1)...hi {
                let v = a[x]
                var y = x - 1
                while y >= lo && a[y] > v { a[y + 1] = a[y]; y -= 1 }
                a[y + 1] = v
            }
        }
    }

    /// Every cell with meetings: day, BU, count, median minutes, largest.
    func forEachCell(_ body: (Int, UInt16, Int, Double, Int32) -> Void) {
        for c in counts.indices where counts[c] > 0 {
            let s = seconds[offsets[c]..<offsets[c + 1]]
            let n = s.count, mid = s.startIndex + n / 2
            // As `median` of the lengths in minutes: the same Doubles, the same arithmetic.
            let med = n % 2 == 1 ? Double(s[mid]) / 60 : (Double(s[mid - 1]) / 60 + Double(s[mid]) / 60) / 2
            body(cellDay[c], cellBU[c], n, med, largest[c])
        }
    }
}

extension RollupBuilder {
    public static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}

/// A session with both ends known, as the sweep needs it.
public struct ClosedSession: Sendable, Equatable {
    public var person: UInt64
    public var bu: UInt16
    public var start: Int64
    public var end: Int64
    /// What tells apart two sessions of one person with the same ends (a VPN client address,
    /// a ZPA session id; 0 when the source has none): they are two sessions, not one.
    public var tag: UInt64 = 0
}

/// Puts sessions together from what the parsers saw (FORMATS.md, "Sessions and concurrency").
public enum SessionAssembly {
    public static func sessions(_ family: SessionFamily, _ acc: Accumulator, maxOpen: Int64) -> [ClosedSession] {
        let newest = acc.newest[family.rawValue]
        var out: [ClosedSession] = []
        func close(_ person: UInt64, _ bu: UInt16, _ start: Int64, _ end: Int64?, tag: UInt64) {
            var e: Int64
            if let end { e = end } else {
                // Open: up to the newest stamp of the source, never longer than the maximum.
                e = min(max(newest ?? start, start), start + maxOpen)
            }
            if e <= start { e = start + 1 }  // open at least at its own start instant
            out.append(ClosedSession(person: person, bu: bu, start: start, end: e, tag: tag))
        }
        // Closed sessions of one person and tag that start within a few seconds of each other are
        // one session seen at several instants (OpenVPN status snapshots: open since `Connected
        // Since`, still open at each `TIME`; FortiGate `tunnel-stats`: up for `duration` at each
        // record): it lasts to the latest of their ends.
        struct Holder: Hashable { var person: UInt64; var tag: UInt64 }
        var closed: [Holder: [SessionFact]] = [:]
        for s in acc.sessions[family.rawValue] {
            if s.end == nil { close(s.person, s.bu, s.start, nil, tag: s.tag) } else { closed[Holder(person: s.person, tag: s.tag), default: []].append(s) }
        }
        for (_, var list) in closed {
            if list.count == 1 { close(list[0].person, list[0].bu, list[0].start, list[0].end, tag: list[0].tag); continue }
            list.sort { ($0.start, $0.end!, $0.bu) < ($1.start, $1.end!, $1.bu) }
            var cur = list[0]
            for s in list.dropFirst() {
                if s.start - cur.start <= 5 { if s.end! > cur.end! { cur.end = s.end } ; continue }
                close(cur.person, cur.bu, cur.start, cur.end, tag: cur.tag)
                cur = s
            }
            close(cur.person, cur.bu, cur.start, cur.end, tag: cur.tag)
        }
        // Starts and ends logged apart (Pulse, OpenVPN, GlobalProtect SYSTEM logs, Citrix ICA).
        for s in SessionEdges.pair(acc.edges[family.rawValue]) { close(s.person, s.bu, s.start, s.end, tag: s.tag) }
        if family == .vpn {
            // A 113039 start is the same session as a 113019 end of that person and address
            // whose start (end − duration) is within a few seconds, or that covers it.
            struct Key: Hashable { var person: UInt64; var tag: UInt64 }
            var ended: [Key: [(Int64, Int64)]] = [:]
            for s in acc.sessions[family.rawValue] { if let e = s.end { ended[Key(person: s.person, tag: s.tag), default: []].append((s.start, e)) } }
            // Unmatched starts of one person and tag a few seconds apart are one session announced
            // again (FortiGate `tunnel-stats`: every statistics record implies its tunnel's start,
            // the instant minus its duration, to the second).
            var unmatched: [Key: [SessionFact]] = [:]
            for s in acc.vpnStarts {
                let matched = ended[Key(person: s.person, tag: s.tag)]?.contains { $0.0 - 5 <= s.start && s.start <= $0.1 } ?? false
                if !matched { unmatched[Key(person: s.person, tag: s.tag), default: []].append(s) }
            }
            for (_, var list) in unmatched {
                list.sort { ($0.start, $0.bu) < ($1.start, $1.bu) }
                var last: Int64?
                for s in list {
                    if let l = last, s.start - l <= 5 { continue }
                    last = s.start
                    close(s.person, s.bu, s.start, nil, tag: s.tag)
                }
            }
        }
        if family == .privateAccess {
            for (id, z) in acc.zpa {
                guard let start = z.authenticated ?? z.firstConnection else { continue }
                let end = z.authenticated != nil ? z.unauthenticated : (z.openConnection ? nil : z.lastConnectionEnd)
                // A garbled stamp must not open a session for decades: past 31 days it is open-ended.
                let e = end.map { max($0, start) }.flatMap { $0 - start > Reasons.maxClosedSession ? nil : $0 }
                close(z.person, z.bu, start, e, tag: id)
            }
        }
        return out
    }
}

/// The most sessions open at one instant, per local day and BU (and ALL), by a sweep over
/// start (+1) and end (−1) events; at equal instants ends go first, so a session ending when
/// another starts does not overlap it. A session spanning midnight counts on both days.
public enum PeakSweep {
    public struct Key: Hashable, Sendable { public var day: Int; public var bu: UInt16 }

    public static func peaks(_ sessions: [ClosedSession], tz: TimeZoneRules) -> [Key: Int] {
        var events: [(t: Int64, delta: Int8, bu: UInt16)] = []
        events.reserveCapacity(sessions.count * 2)
        for s in sessions { events.append((s.start, 1, s.bu)); events.append((s.end, -1, s.bu)) }
        events.sort { $0.t != $1.t ? $0.t < $1.t : $0.delta < $1.delta }
        var open: [UInt16: Int] = [:]
        var all = 0
        var peaks: [Key: Int] = [:]
        var day: Int? = nil
        func note(_ bu: UInt16, _ d: Int, _ v: Int) {
            let k = Key(day: d, bu: bu)
            if v > peaks[k] ?? -1 { peaks[k] = v }
        }
        var idx = 0
        while idx < events.count {
            let t = events[idx].t
            let d = tz.localDay(t)
            // The level before this instant holds on every day it reaches: the days after the
            // last event, and this one when the instant is after its midnight.
            if let cur = day, d > cur, all > 0 {
                let last = t > tz.startOfDay(d) ? d : d - 1
                if cur + 1 <= last {
                    for dd in (cur + 1)...last {
                        for (bu, n) in open where n > 0 { note(bu, dd, n) }
                        note(BusinessUnits.all, dd, all)
                    }
                }
            }
            let newDay = day != d
            day = d
            // Every event of the instant, then the level right after it.
            var j = idx
            while j < events.count && events[j].t == t {
                open[events[j].bu, default: 0] += Int(events[j].delta)
                all += Int(events[j].delta)
                j += 1
            }
            // A level of 0 at the very midnight of a day is no observation of that day: the
            // sessions that ended then covered [start, midnight) only, and nothing is open.
            let midnight = t == tz.startOfDay(d)
            for k in idx..<j where !(midnight && open[events[k].bu]! == 0) { note(events[k].bu, d, open[events[k].bu]!) }
            // The first instant of a day: a BU with sessions still open and no event now is at
            // that level on this day too (when the instant is its very midnight, the carry above
            // stopped at the day before).
            if newDay { for (bu, n) in open where n > 0 { note(bu, d, n) } }
            if !(midnight && all == 0) { note(BusinessUnits.all, d, all) }
            idx = j
        }
        return peaks
    }
}
