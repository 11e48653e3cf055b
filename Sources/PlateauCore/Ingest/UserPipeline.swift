/// A proxy line's person, looked up a few lines after the line is read (issue 15).
///
/// Each proxy line costs two probes of tables far larger than a core's caches: the directory's
/// identities (8 MiB for 120 k people) and the thread's facts of the day. Measured on the
/// narrow NSS set with a directory (`perf annotate`), the two loads waiting for memory were a
/// third of the CPU. Here a line's login is hashed and its directory slot prefetched when the
/// line is read; the lookup runs `depth` lines later, when the slot has arrived; its facts'
/// slots are prefetched then, and written `depth` lines later again. The memory of ~2·`depth`
/// lines is in flight at once instead of one line's.
///
/// A line's outcome never waits (the parser returns it at once); only its effects (the person's
/// facts and the feed's newest stamp) do, and `flush` adds those of every line still held.
/// Parsers flush when their driver says a chunk ended (`RecordParser.flush`). The login and
/// department bytes are copied (a line's bytes are gone once the next chunk is read); longer
/// ones than `maxBytes` are looked up at once.
struct UserPipeline {
    static let depth = 8
    static let maxBytes = 128

    /// What a proxy line adds once its person is known.
    struct Effect {
        var t: Int64
        var day: Int
        /// The line's location is one of `remoteLocations`.
        var remote: Bool
    }

    private struct Looking {
        var hash: UInt64
        var effect: Effect
        var login: Int
        /// -1: the line has no department column.
        var department: Int
    }

    private struct Counting {
        var person: Person
        var effect: Effect
    }

    private var looking: [Looking] = []
    private var lookingHead = 0
    /// Logins then departments, `maxBytes` each, a pair per `looking` slot.
    private var bytes = [UInt8](repeating: 0, count: 2 * UserPipeline.depth * UserPipeline.maxBytes)
    private var counting: [Counting] = []
    private var countingHead = 0

    init() {
        looking.reserveCapacity(UserPipeline.depth)
        counting.reserveCapacity(UserPipeline.depth)
    }

    /// Lines held (for tests).
    var held: Int { looking.count + counting.count }

    /// A line of `login` (with the log's `department`, if the format has one): its effects are
    /// added to `ctx` within the next 2·`depth` lines, or at `flush`.
    @inline(__always)
    mutating func add(login: Bytes, department: Bytes?, _ effect: Effect, _ ctx: ParseContext) {
        guard login.count <= UserPipeline.maxBytes, (department?.count ?? 0) <= UserPipeline.maxBytes else {
            count(ctx.resolver.resolve(login, department: department), effect, ctx)
            return
        }
        let h = ctx.resolver.hash(login)
        ctx.resolver.prefetch(h)
        let slot: Int
        if looking.count < UserPipeline.depth {
            slot = looking.count
            looking.append(Looking(hash: h, effect: effect, login: 0, department: -1))
        } else {
            slot = lookingHead
            lookUp(slot, ctx)
            lookingHead = lookingHead == UserPipeline.depth - 1 ? 0 : lookingHead + 1
        }
        let base = 2 * UserPipeline.maxBytes * slot
        bytes.withUnsafeMutableBytes { b in
            b.baseAddress!.advanced(by: base).copyMemory(from: login.baseAddress!, byteCount: login.count)
            if let department, department.count > 0 {
                b.baseAddress!.advanced(by: base + UserPipeline.maxBytes)
                    .copyMemory(from: department.baseAddress!, byteCount: department.count)
            }
        }
        looking[slot] = Looking(hash: h, effect: effect, login: login.count, department: department?.count ?? -1)
    }

    /// Looks up the person of the line in `looking[slot]` and passes it on.
    @inline(__always)
    private mutating func lookUp(_ slot: Int, _ ctx: ParseContext) {
        let l = looking[slot]
        let base = 2 * UserPipeline.maxBytes * slot
        let p = bytes.withUnsafeBytes { b in
            let login = Bytes(rebasing: b[base..<(base + l.login)])
            let department = l.department < 0 ? nil
                : Bytes(rebasing: b[(base + UserPipeline.maxBytes)..<(base + UserPipeline.maxBytes + l.department)])
            return ctx.resolver.resolve(login, hash: l.hash, department: department)
        }
        count(p, l.effect, ctx)
    }

    /// A line whose person is known: its facts' slots are prefetched, and the line `depth`
    /// before it counted.
    @inline(__always)
    private mutating func count(_ p: Person, _ e: Effect, _ ctx: ParseContext) {
        ctx.acc.prefetchUser(.proxyUsers, day: e.day, p)
        if e.remote { ctx.acc.prefetchUser(.proxyRemoteUsers, day: e.day, p) }
        if counting.count < UserPipeline.depth {
            counting.append(Counting(person: p, effect: e))
            return
        }
        UserPipeline.apply(counting[countingHead], ctx)
        counting[countingHead] = Counting(person: p, effect: e)
        countingHead = countingHead == UserPipeline.depth - 1 ? 0 : countingHead + 1
    }

    @inline(__always)
    private static func apply(_ c: Counting, _ ctx: ParseContext) {
        let e = c.effect
        ctx.acc.user(.proxyUsers, at: e.t, day: e.day, c.person)
        if e.remote { ctx.acc.user(.proxyRemoteUsers, at: e.t, day: e.day, c.person) }
        ctx.acc.saw(e.t, feed: Feeds.proxy, unit: c.person.bu)
    }

    /// Adds the effects of every line held, oldest first, and holds none.
    mutating func flush(_ ctx: ParseContext) {
        guard !looking.isEmpty || !counting.isEmpty else { return }
        for k in 0..<looking.count { lookUp((lookingHead + k) % looking.count, ctx) }
        looking.removeAll(keepingCapacity: true)
        lookingHead = 0
        for k in 0..<counting.count { UserPipeline.apply(counting[(countingHead + k) % counting.count], ctx) }
        counting.removeAll(keepingCapacity: true)
        countingHead = 0
    }
}
