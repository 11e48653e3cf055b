/// `teams-callrecords` (FORMATS.md §2a): one Graph `callRecord` object, as
/// `JSONDocumentSplitter` cuts it out of a JSON-lines file, a Graph page or an array.
///
/// A `groupCall` is a meeting: it counts once (by `id`) on the local day of its start, for
/// the organizer's BU, with its length and the number of distinct participants listed; each
/// participant is a meeting user of that day in their own BU. `peerToPeer` calls and other
/// types are ignored. Keys match case-insensitively.
public struct CallRecordsParser: RecordParser {
    /// Participants of the record being read, reused from one record to the next: their ids
    /// (in the line's bytes) and identity hashes as the array is read, their people once the
    /// record is whole. The directory slots are prefetched as the ids are met and read after
    /// the record's other fields, so a record's lookups wait for memory together, not one
    /// after another (issue 15: the directory lookups were 15 % of the call-records profile).
    private var ids: [Bytes] = []
    private var hashes: [UInt64] = []
    private var people: [Person] = []
    private var keys: [UInt64] = []
    /// The meeting users of the last record read, added to the accumulator once the next
    /// record's are prefetched (or at `flush`): the facts' slots are asked for a whole record
    /// ahead of their writes (issue 15: the writes, prefetched just before, waited for memory;
    /// a fifth of this parser's own time).
    private var held: [Person] = []
    private var heldStart: Int64 = 0
    private var heldDay = 0

    static let peerToPeer = Reason("peer-to-peer call")
    static let unknownType = Reason("call record of an unknown type (not groupCall)")
    static let noType = Reason("no call type")
    static let noID = Reason("no id")
    static let noStart = Reason("no start time")
    static let noEnd = Reason("no end time")
    static let endsBeforeStart = Reason("ends before it starts")

    public init() {}

    public mutating func parse(_ line: Line, number: Int, _ ctx: ParseContext) -> LineOutcome {
        var s = JSONScanner(line)
        var id: Bytes?, type: Bytes?, start: Bytes?, end: Bytes?, organizer: Bytes?
        ids.removeAll(keepingCapacity: true)
        hashes.removeAll(keepingCapacity: true)
        people.removeAll(keepingCapacity: true)
        do throws(JSONError) {
            try s.enterRoot()
            while let k = try s.nextKey() {
                switch k.count {
                case 2 where k.equalsIgnoringCase("id"):
                    id = try s.string()
                    // The meeting's slot, asked for while the rest of the record is read.
                    if let i = id?.trimmed(), i.count > 0 { ctx.acc.meetings.prefetch(ctx.settings.hasher.hash(i)) }
                case 4 where k.equalsIgnoringCase("type"): type = try s.string()
                case 13 where k.equalsIgnoringCase("startDateTime"): start = try s.string()
                case 11 where k.equalsIgnoringCase("endDateTime"): end = try s.string()
                case 9 where k.equalsIgnoringCase("organizer"):
                    if let o = try CallRecordsParser.identity(&s, v2: false) { organizer = o }
                case 12 where k.equalsIgnoringCase("organizer_v2"):
                    if let o = try CallRecordsParser.identity(&s, v2: true), organizer == nil { organizer = o }
                case 12 where k.equalsIgnoringCase("participants"):
                    try participants(&s, v2: false, ctx)
                case 15 where k.equalsIgnoringCase("participants_v2"):
                    try participants(&s, v2: true, ctx)
                default: break
                }
            }
            try s.finish()
        } catch {
            return .skipped(error.reason)
        }

        guard let type, type.count > 0 else { return .skipped(CallRecordsParser.noType) }
        if type.equalsIgnoringCase("peerToPeer") { return .ignored(CallRecordsParser.peerToPeer) }
        guard type.equalsIgnoringCase("groupCall") else { return .ignored(CallRecordsParser.unknownType) }
        guard let id = id?.trimmed(), id.count > 0 else { return .skipped(CallRecordsParser.noID) }
        guard let startText = start, startText.count > 0 else { return .skipped(CallRecordsParser.noStart) }
        guard let endText = end, endText.count > 0 else { return .skipped(CallRecordsParser.noEnd) }
        let t0: Int64, t1: Int64
        do throws(TimeError) {
            t0 = try TimeParsing.iso8601(startText.trimmed(), zone: ctx.settings.zone(for: "meetings"))
            t1 = try TimeParsing.iso8601(endText.trimmed(), zone: ctx.settings.zone(for: "meetings"))
        } catch {
            return .skipped(error.reason)
        }
        guard t1 >= t0 else { return .skipped(CallRecordsParser.endsBeforeStart) }
        if let r = ctx.stampProblem(t1, from: t0) { return .skipped(r) }

        let day = ctx.day(t0)
        let organizerHash = organizer.map { ctx.resolver.hash($0) }
        if let organizerHash { ctx.resolver.prefetch(organizerHash) }
        for (k, id) in ids.enumerated() { people.append(ctx.resolver.resolve(id, hash: hashes[k])) }
        let bu: UInt16
        if let organizer, let organizerHash {
            bu = ctx.resolver.resolve(organizer, hash: organizerHash).bu
        } else {
            bu = people.first?.bu ?? BusinessUnits.unassigned
        }
        keys.removeAll(keepingCapacity: true)
        for p in people { ctx.acc.prefetchUser(.meetingsUsers, day: day, p) }
        addHeld(ctx)
        for p in people { keys.append(p.key) }
        swap(&held, &people)
        heldStart = t0
        heldDay = day
        keys.sort()
        var distinct = 0
        for j in keys.indices where j == 0 || keys[j] != keys[j - 1] { distinct += 1 }
        ctx.acc.meeting(id: ctx.settings.hasher.hash(id),
                        MeetingFact(day: Int32(truncatingIfNeeded: day), bu: bu, seconds: Int32(clamping: t1 - t0),
                                    participants: Int32(clamping: distinct), start: t0))
        ctx.acc.saw(t0, feed: Feeds.meetings, unit: bu)
        return .record
    }

    /// Adds the meeting users of the record held back.
    @inline(__always)
    private mutating func addHeld(_ ctx: ParseContext) {
        guard !held.isEmpty else { return }
        for p in held { ctx.acc.user(.meetingsUsers, at: heldStart, day: heldDay, p) }
        held.removeAll(keepingCapacity: true)
    }

    public mutating func flush(_ ctx: ParseContext) { addHeld(ctx) }

    /// The user id of an identity set: `{"user":{"id":...}}` (v1, `organizer`,
    /// `participants[]`) or `{"id":...,"identity":{"user":{"id":...}}}` (v2, the `_v2`
    /// spellings). Nil when the value holds none (`null`, a guest or phone number without a
    /// user, ...).
    static func identity(_ s: inout JSONScanner, v2: Bool) throws(JSONError) -> Bytes? {
        guard try s.enterObject() else { return nil }
        var direct: Bytes?, nested: Bytes?
        while let k = try s.nextKey() {
            if v2 && k.equalsIgnoringCase("id") {
                direct = try s.string()
            } else if k.equalsIgnoringCase("user") {
                if let u = try userID(&s) { nested = u }
            } else if v2 && k.equalsIgnoringCase("identity") {
                guard try s.enterObject() else { continue }
                while let k2 = try s.nextKey() {
                    if k2.equalsIgnoringCase("user"), let u = try userID(&s) { nested = u }
                }
            }
        }
        if let d = direct?.trimmed(), d.count > 0 { return d }
        if let n = nested?.trimmed(), n.count > 0 { return n }
        return nil
    }

    /// `{"id":...}` of a `user` member.
    static func userID(_ s: inout JSONScanner) throws(JSONError) -> Bytes? {
        guard try s.enterObject() else { return nil }
        var id: Bytes?
        while let k = try s.nextKey() {
            if k.equalsIgnoringCase("id") { id = try s.string() }
        }
        return id
    }

    /// Gathers each participant id of a `participants`/`participants_v2` array (hashed, its
    /// directory slot prefetched), to be looked up once the record is read.
    mutating func participants(_ s: inout JSONScanner, v2: Bool, _ ctx: ParseContext) throws(JSONError) {
        guard try s.enterArray() else { return }
        while try s.nextElement() {
            if let id = try CallRecordsParser.identity(&s, v2: v2) {
                let h = ctx.resolver.hash(id)
                ctx.resolver.prefetch(h)
                ids.append(id)
                hashes.append(h)
            }
        }
    }
}

/// Tells JSON-lines call-record files from Graph pages and arrays by their first line: a
/// complete object that is not a page (no top-level `value`, nor one of `pageKeys`).
public enum CallRecordsShape {
    public static func isJSONLines(_ sample: [UInt8], pageKeys: [StaticString] = []) -> Bool {
        var bytes = ArraySlice(sample)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        while let f = bytes.first, f == 0x20 || f == 0x09 || f == 0x0D || f == 0x0A { bytes = bytes.dropFirst() }
        guard bytes.first == 0x7B, let nl = bytes.firstIndex(of: 0x0A) else { return false }
        var line = Array(bytes[bytes.startIndex..<nl])
        return line.withUnsafeMutableBytes { raw -> Bool in
            var s = JSONScanner(raw)
            do {
                try s.enterRoot()
                while let k = try s.nextKey() {
                    if k.equals("value") { return false }
                    for p in pageKeys where k.equals(p) { return false }
                }
                try s.finish()
                return true
            } catch { return false }
        }
    }
}

/// Call records one object per line: blank lines are structure, every other line a record.
public struct CallRecordLinesParser: RecordParser {
    private var inner = CallRecordsParser()
    public init() {}
    public mutating func parse(_ line: Line, number: Int, _ ctx: ParseContext) -> LineOutcome {
        if Bytes(line).trimmed().count == 0 { return .header }
        return inner.parse(line, number: number, ctx)
    }
    public mutating func flush(_ ctx: ParseContext) { inner.flush(ctx) }
}
