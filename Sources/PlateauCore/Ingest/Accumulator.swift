/// One meeting, deduplicated on its id: the day it starts, the organizer's BU, its length and
/// how many distinct people took part, and the instant it starts (for a database that
/// computes days in another zone; 0 when unknown, as in a store).
public struct MeetingFact: Sendable, Equatable {
    public var day: Int32
    public var bu: UInt16
    public var seconds: Int32
    public var participants: Int32
    public var start: Int64

    public init(day: Int32, bu: UInt16, seconds: Int32, participants: Int32, start: Int64 = 0) {
        self.day = day; self.bu = bu; self.seconds = seconds; self.participants = participants; self.start = start
    }

    /// Two records of one meeting (the same id) as one, whatever order they come in (threads
    /// and merges give any): the most participants, and the rest from the record that starts
    /// first (then the smaller day, BU, length) — a meeting exported again while still going on.
    @inline(__always)
    public mutating func combine(_ o: MeetingFact) {
        let most = max(participants, o.participants)
        if (o.start, o.day, o.bu, o.seconds) < (start, day, bu, seconds) { self = o }
        participants = most
    }
}

/// A session of a session source, [start, end); `end` nil while open. `tag` separates
/// sessions that share person and start (the VPN's client IP, a ZPA session id).
public struct SessionFact: Sendable, Hashable {
    public var person: UInt64
    public var bu: UInt16
    public var start: Int64
    public var end: Int64?
    public var tag: UInt64 = 0

    public init(person: UInt64, bu: UInt16, start: Int64, end: Int64?, tag: UInt64 = 0) {
        self.person = person; self.bu = bu; self.start = start; self.end = end; self.tag = tag
    }
}

/// A ZPA client session put together from status records (authentication and
/// un-authentication times) and activity records (its connections), keyed by SessionID.
public struct ZPASession: Sendable, Equatable {
    public var person: UInt64
    public var bu: UInt16
    public var authenticated: Int64?
    public var unauthenticated: Int64?
    public var firstConnection: Int64?
    public var lastConnectionEnd: Int64?
    public var openConnection = false

    mutating func merge(_ o: ZPASession) {
        if bu == BusinessUnits.unassigned { bu = o.bu }
        authenticated = min2(authenticated, o.authenticated)
        unauthenticated = max2(unauthenticated, o.unauthenticated)
        firstConnection = min2(firstConnection, o.firstConnection)
        lastConnectionEnd = max2(lastConnectionEnd, o.lastConnectionEnd)
        openConnection = openConnection || o.openConnection
    }
}

@inline(__always) func min2(_ a: Int64?, _ b: Int64?) -> Int64? { guard let a else { return b }; guard let b else { return a }; return min(a, b) }
@inline(__always) func max2(_ a: Int64?, _ b: Int64?) -> Int64? { guard let a else { return b }; guard let b else { return a }; return max(a, b) }

/// Everything parsed so far, before it becomes daily numbers. Parsers add to one
/// accumulator per thread; accumulators merge (union of sets, dedupe on record ids), so
/// files and chunks of files parse in parallel and the result does not depend on the order.
public final class Accumulator: @unchecked Sendable {
    /// Distinct-people facts: (metric, BU, day) × person. With `spans`, only the facts known by
    /// their day alone (usage reports): the others are in `spans`, by instant.
    public var facts: FactSet
    /// When the facts happened (only with `IngestSettings.factSpans`).
    public var spans: FactSpans?
    /// Call-record meetings by id hash.
    public var meetings = MeetingTable()
    /// Records that repeated a meeting already seen (same id).
    public var duplicateMeetings = 0
    /// Usage-report rows: (day, person) → (BU, meetings organised that day). Keyed by person
    /// so the same report read twice counts once.
    public var organized: [DayPerson: OrganizedCount] = [:]
    /// Organisation-wide meeting users from the user-counts report: day → value.
    public var orgMeetingUsers: [Int: Int] = [:]
    /// Sessions of VPN (ended, from 113019), VDI and custom session sources.
    public var sessions: [Set<SessionFact>] = Array(repeating: [], count: SessionFamily.allCases.count)
    /// VPN session starts (113039), paired with the ended sessions at the end.
    public var vpnStarts: Set<SessionFact> = []
    /// ZPA sessions by SessionID hash.
    public var zpa: [UInt64: ZPASession] = [:]
    /// Meetings known from per-participant rows (custom sources): id → meeting and people.
    public var participations: [UInt64: Participation] = [:]

    /// A meeting put together from its participants' rows. The row that starts first (then
    /// the smallest person key) gives the day and, without an organizer column, the BU — so
    /// the result does not depend on which thread read which row.
    public struct Participation: Sendable {
        public var meeting: MeetingFact
        public var people: Set<UInt64>
        public var first: Rank
        public struct Rank: Sendable, Comparable {
            var start: Int64, person: UInt64
            public static func < (a: Rank, b: Rank) -> Bool { (a.start, a.person) < (b.start, b.person) }
        }

        mutating func merge(_ o: Participation) {
            people.formUnion(o.people)
            let longest = max(meeting.seconds, o.meeting.seconds)
            if o.first < first { meeting = o.meeting; first = o.first }
            meeting.seconds = longest
        }
    }
    /// Newest time stamp seen per session family (open sessions stay open up to it).
    public var newest: [Int64?] = Array(repeating: nil, count: SessionFamily.allCases.count)
    /// Newest time stamp of any record.
    public var newestRecord: Int64?
    /// Per feed (`Feeds` slot), the newest time stamp overall and per BU.
    public var feedTimes = FeedTimes()
    /// Session starts and ends logged apart (Pulse, OpenVPN, GlobalProtect SYSTEM logs, Citrix
    /// ICA), per family: paired once everything is read (`SessionEdges.pair`).
    public var edges: [Set<SessionEdge>] = Array(repeating: [], count: SessionFamily.allCases.count)

    public struct DayPerson: Hashable, Sendable { public var day: Int; public var person: UInt64 }
    public struct OrganizedCount: Sendable, Equatable { public var bu: UInt16; public var count: Int }

    /// `factCapacity`: the facts' table to start with (it grows); small for small inputs
    /// (the fuzz targets make three accumulators an input).
    /// `meetingCapacity`: the meetings the table holds before it grows (none for inputs that
    /// have none).
    public init(keepingSpans: Bool = false, factCapacity: Int = 1 << 14, meetingCapacity: Int = 0) {
        if keepingSpans { spans = FactSpans() }
        facts = FactSet(capacity: factCapacity)
        if meetingCapacity > 0 { meetings = MeetingTable(capacity: meetingCapacity) }
    }

    // MARK: adding facts (called by parsers)

    /// A person counts on `day` for `metric` by a record of that day only (a usage report).
    @inline(__always)
    public func user(_ metric: Metric, day: Int, _ p: Person) {
        // Days outside 1970 … 2149 cannot be stored; the time parsers never produce them.
        guard Fact.days.contains(day) else { return }
        facts.insert(group: Fact.group(metric, bu: p.bu, day: day), person: p.key)
    }

    /// A person counts for `metric` by a record at instant `t`, on `day` (t's local day).
    @inline(__always)
    public func user(_ metric: Metric, at t: Int64, day: Int, _ p: Person) {
        guard Fact.days.contains(day) else { return }
        if spans != nil {
            spans!.add(metric, bu: p.bu, at: t, person: p.key)
        } else {
            facts.insert(group: Fact.group(metric, bu: p.bu, day: day), person: p.key)
        }
    }

    /// Asks for the memory `user(metric, at:, day:, p)` will write, a few lines ahead of it
    /// (`UserPipeline`).
    @inline(__always)
    public func prefetchUser(_ metric: Metric, day: Int, _ p: Person) {
        guard spans == nil, Fact.days.contains(day) else { return }
        facts.prefetch(group: Fact.group(metric, bu: p.bu, day: day), person: p.key)
    }

    @inline(__always)
    public func saw(_ t: Int64) {
        if let n = newestRecord { if t > n { newestRecord = t } } else { newestRecord = t }
    }

    @inline(__always)
    public func saw(_ t: Int64, family: SessionFamily) {
        saw(t)
        if let n = newest[family.rawValue] { if t > n { newest[family.rawValue] = t } } else { newest[family.rawValue] = t }
    }

    /// A record at `t` of a feed (a `Feeds` slot) and a BU: the newest record, and its feed's.
    @inline(__always)
    public func saw(_ t: Int64, feed: Int, unit bu: UInt16) {
        saw(t)
        feedTimes.saw(t, slot: feed, unit: bu)
    }

    /// A session source's record: also the newest stamp of its family (open sessions last up to it).
    @inline(__always)
    public func saw(_ t: Int64, family: SessionFamily, feed: Int, unit bu: UInt16) {
        saw(t, family: family)
        feedTimes.saw(t, slot: feed == Feeds.byFamily ? Feeds.slot(family) : feed, unit: bu)
    }

    @inline(__always)
    public func meeting(id: UInt64, _ m: MeetingFact) {
        let new = meetings.insertOrUpdate(id, m) { $0.combine(m) }
        if !new { duplicateMeetings += 1 }
    }

    public func organized(day: Int, _ p: Person, count: Int) {
        let k = DayPerson(day: day, person: p.key)
        if let old = organized[k], old.count >= count { return }
        organized[k] = OrganizedCount(bu: p.bu, count: count)
    }

    public func participation(id: UInt64, _ m: MeetingFact, person: UInt64, start: Int64) {
        let p = Participation(meeting: m, people: [person], first: .init(start: start, person: person))
        if participations[id] == nil { participations[id] = p } else { participations[id]!.merge(p) }
    }

    public func session(_ family: SessionFamily, _ s: SessionFact) {
        sessions[family.rawValue].insert(s)
    }

    /// A session's start or end logged on its own (`SessionEdge`).
    public func edge(_ family: SessionFamily, _ e: SessionEdge) {
        edges[family.rawValue].insert(e)
    }

    public func zpaSession(id: UInt64, _ s: ZPASession) {
        if zpa[id] == nil { zpa[id] = s } else { zpa[id]!.merge(s) }
    }

    // MARK: merging

    /// Adds everything `other` holds; duplicates (same meeting id, same session, same fact)
    /// count once. `workers` > 1 merges the facts on that many threads (the final merge of an
    /// ingest's threads; not from inside one of them). `other` is consumed: its tables are
    /// moved, not copied, and it is not to be read afterwards.
    public func merge(_ other: Accumulator, workers: Int = 1) {
        // Accumulators of one ingest all keep spans or none do (Ingest.run and ParseContext
        // make them from the same settings): `facts` means another thing in each.
        assert((spans == nil) == (other.spans == nil), "merging accumulators with and without fact spans")
        facts.formUnion(consuming: &other.facts, workers: workers)
        if other.spans != nil {
            if spans == nil { spans = FactSpans() }
            spans!.merge(&other.spans!)
        }
        duplicateMeetings += other.duplicateMeetings
        // Shard by shard, the other's freed as taken (the other accumulator is consumed).
        duplicateMeetings += meetings.absorb(&other.meetings, workers: workers) { $0.combine($1) }
        for (k, v) in other.organized { if let old = organized[k], old.count >= v.count { continue }; organized[k] = v }
        for (d, v) in other.orgMeetingUsers { orgMeetingUsers[d] = max(orgMeetingUsers[d] ?? 0, v) }
        for f in 0..<sessions.count { sessions[f].formUnion(other.sessions[f]) }
        vpnStarts.formUnion(other.vpnStarts)
        for (id, p) in other.participations {
            if participations[id] == nil { participations[id] = p } else { participations[id]!.merge(p) }
        }
        for (id, s) in other.zpa { zpaSession(id: id, s) }
        for f in 0..<newest.count { newest[f] = max2(newest[f], other.newest[f]) }
        newestRecord = max2(newestRecord, other.newestRecord)
        feedTimes.merge(other.feedTimes)
        for f in 0..<edges.count { edges[f].formUnion(other.edges[f]) }
    }
}
