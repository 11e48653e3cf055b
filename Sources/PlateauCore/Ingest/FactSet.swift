import CPrefetch
import Dispatch

/// A set of (group, person) facts — "this person counts for this metric, BU and day" — as
/// open-addressing hash tables with linear probing over flat arrays: one probe per log line,
/// no per-entry allocation, 12 bytes a slot at a load factor of at most 3/4. Memory grows
/// with distinct facts, never with lines.
///
/// The facts are spread over 16 shards by person, so two sets merge shard by shard (freeing
/// each merged shard of the other set at once), no table ever doubles the whole set, and the
/// shards hold disjoint sets of people: they can be merged and counted in parallel, and
/// distinct people across several groups (the organisation-wide counts) counted shard by shard.
public struct FactSet: Sendable {
    static let shardBits = 4
    static let shardCount = 1 << shardBits
    fileprivate(set) var shards: [Shard]

    public init(capacity: Int = 1024) {
        shards = (0..<(1 << FactSet.shardBits)).map { _ in Shard(capacity: capacity >> FactSet.shardBits) }
    }

    public var count: Int { shards.reduce(0) { $0 + $1.count } }

    @inline(__always)
    static func hash(_ group: UInt32, _ person: UInt64) -> UInt64 {
        splitmix64(UInt64(group) &* 0x9E37_79B9_7F4A_7C15 ^ person)
    }

    /// The shard of a person: the top bits of a multiplicative hash (person keys may be small
    /// directory indexes, so their own bits are not spread).
    @inline(__always)
    static func shard(_ person: UInt64) -> Int {
        Int(truncatingIfNeeded: (person &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - shardBits))
    }

    /// Inserts; returns true when the fact is new. `group` is never 0 (see `Fact.group`).
    @inline(__always) @discardableResult
    public mutating func insert(group: UInt32, person: UInt64) -> Bool {
        shards[FactSet.shard(person)].insert(group, person, FactSet.hash(group, person))
    }

    /// Asks for the cache line of the fact's home slot ahead of `insert` (`UserPipeline`).
    @inline(__always)
    public func prefetch(group: UInt32, person: UInt64) {
        shards[FactSet.shard(person)].prefetch(FactSet.hash(group, person))
    }

    public func contains(group: UInt32, person: UInt64) -> Bool {
        shards[FactSet.shard(person)].contains(group, person, FactSet.hash(group, person))
    }

    /// Adds every fact of `other`, emptying it shard by shard as it goes. `workers` > 1 merges
    /// that many shards at a time (for the final merge of an ingest's threads, not from inside
    /// one of them).
    public mutating func formUnion(consuming other: inout FactSet, workers: Int = 1) {
        FactSet.perShard(&shards, &other.shards, workers: workers) { mine, theirs in
            if theirs.count > mine.count { swap(&mine, &theirs) }
            mine.insertAll(theirs)
            theirs = Shard(capacity: 0)
        }
    }

    public func forEach(_ body: (UInt32, UInt64) -> Void) {
        for s in shards { s.forEach(body) }
    }

    /// Runs `body` on every shard of `a` with the same shard of `b`, on up to `workers` threads
    /// at once; each call touches its own pair of shards only.
    static func perShard(_ a: inout [Shard], _ b: inout [Shard], workers: Int,
                         _ body: (inout Shard, inout Shard) -> Void) {
        precondition(a.count == b.count)
        if workers <= 1 {
            for i in a.indices { body(&a[i], &b[i]) }
            return
        }
        a.withUnsafeMutableBufferPointer { pa in
            b.withUnsafeMutableBufferPointer { pb in
                let shared = (a: UnsafeShards(pa), b: UnsafeShards(pb))
                withoutActuallyEscaping(body) { body in
                    let work = UnsafeBody(body)
                    DispatchQueue.concurrentPerform(iterations: pa.count) { i in
                        work.body(&shared.a.base[i], &shared.b.base[i])
                    }
                }
            }
        }
    }

    /// Runs `body` on every shard (with its index), on up to `workers` threads at once, and
    /// returns the results in shard order. `body` may change its shard (not its people).
    mutating func mapShards<T>(workers: Int, _ body: (Int, inout Shard) -> T) -> [T] {
        if workers <= 1 { return shards.indices.map { body($0, &shards[$0]) } }
        var results = [T?](repeating: nil, count: shards.count)
        shards.withUnsafeMutableBufferPointer { ps in
            results.withUnsafeMutableBufferPointer { pr in
                let shared = (s: UnsafeShards(ps), r: UnsafeResults(pr))
                withoutActuallyEscaping(body) { body in
                    let work = UnsafeMapBody(body)
                    DispatchQueue.concurrentPerform(iterations: ps.count) { i in
                        shared.r.base[i] = work.body(i, &shared.s.base[i])
                    }
                }
            }
        }
        return results.map { $0! }
    }

    /// One table. A slot is three 32-bit words side by side — group, then the person's low
    /// and high halves — so a probe touches one cache line, not one per field.
    struct Shard: Sendable {
        var words: [UInt32]
        var mask: Int
        var count = 0
        var slots: Int { mask + 1 }

        init(capacity: Int) {
            var n = 16
            while n * 3 < capacity * 4 { n <<= 1 }
            words = [UInt32](repeating: 0, count: n * 3)
            mask = n - 1
        }

        @inline(__always)
        mutating func insert(_ group: UInt32, _ person: UInt64, _ h: UInt64) -> Bool {
            if (count + 1) * 4 > slots * 3 { grow() }
            var i = Int(truncatingIfNeeded: h) & mask
            let m = mask
            let lo = UInt32(truncatingIfNeeded: person), hi = UInt32(truncatingIfNeeded: person >> 32)
            let inserted: Bool = words.withUnsafeMutableBufferPointer { w in
                while true {
                    let k = i &* 3
                    let cur = w[k]
                    if cur == 0 { w[k] = group; w[k + 1] = lo; w[k + 2] = hi; return true }
                    if cur == group && w[k + 1] == lo && w[k + 2] == hi { return false }
                    i = (i + 1) & m
                }
            }
            if inserted { count += 1 }
            return inserted
        }

        @inline(__always)
        func prefetch(_ h: UInt64) {
            let i = Int(truncatingIfNeeded: h) & mask
            words.withUnsafeBufferPointer { plateau_prefetch_write($0.baseAddress! + i &* 3) }
        }

        /// Inserts every fact of `other`, each slot prefetched `ahead` facts before it is written:
        /// a thread's table is larger than the cache, and a merge is one random write per fact
        /// (issue 15: 6–10 % of the CPU time of the 2x and 4x proxy sets, waiting for memory).
        mutating func insertAll(_ other: Shard) {
            let ahead = 16
            var groups = [UInt32](repeating: 0, count: ahead), people = [UInt64](repeating: 0, count: ahead)
            var hashes = [UInt64](repeating: 0, count: ahead)
            var held = 0, next = 0
            other.forEach { g, p in
                let h = FactSet.hash(g, p)
                prefetch(h)
                if held == ahead {
                    _ = insert(groups[next], people[next], hashes[next])
                } else {
                    held += 1
                }
                groups[next] = g; people[next] = p; hashes[next] = h
                next = next == ahead - 1 ? 0 : next + 1
            }
            // The ring holds the last `held` facts, oldest at `next` once it was full.
            for k in 0..<held {
                let j = held == ahead ? (next + k) % ahead : k
                _ = insert(groups[j], people[j], hashes[j])
            }
        }

        mutating func grow() {
            let old = words
            let n = slots * 2
            words = [UInt32](repeating: 0, count: n * 3)
            mask = n - 1
            count = 0
            var k = 0
            while k < old.count {
                if old[k] != 0 {
                    let person = UInt64(old[k + 1]) | UInt64(old[k + 2]) << 32
                    _ = insert(old[k], person, FactSet.hash(old[k], person))
                }
                k += 3
            }
        }

        @inline(__always)
        func contains(_ group: UInt32, _ person: UInt64, _ h: UInt64) -> Bool {
            var i = Int(truncatingIfNeeded: h) & mask
            let lo = UInt32(truncatingIfNeeded: person), hi = UInt32(truncatingIfNeeded: person >> 32)
            return words.withUnsafeBufferPointer { w in
                while true {
                    let k = i &* 3
                    let cur = w[k]
                    if cur == 0 { return false }
                    if cur == group && w[k + 1] == lo && w[k + 2] == hi { return true }
                    i = (i + 1) & mask
                }
            }
        }

        func forEach(_ body: (UInt32, UInt64) -> Void) {
            var k = 0
            while k < words.count {
                if words[k] != 0 { body(words[k], UInt64(words[k + 1]) | UInt64(words[k + 2]) << 32) }
                k += 3
            }
        }
    }
}

/// Shards handed to the threads of `FactSet.perShard`/`mapShards`: each thread touches only
/// the shard of its own index, so no two touch the same memory.
struct UnsafeShards: @unchecked Sendable { let base: UnsafeMutableBufferPointer<FactSet.Shard>; init(_ b: UnsafeMutableBufferPointer<FactSet.Shard>) { base = b } }
struct UnsafeResults<T>: @unchecked Sendable { let base: UnsafeMutableBufferPointer<T?>; init(_ b: UnsafeMutableBufferPointer<T?>) { base = b } }
struct UnsafeBody: @unchecked Sendable { let body: (inout FactSet.Shard, inout FactSet.Shard) -> Void; init(_ b: @escaping (inout FactSet.Shard, inout FactSet.Shard) -> Void) { body = b } }
struct UnsafeMapBody<T>: @unchecked Sendable { let body: (Int, inout FactSet.Shard) -> T; init(_ b: @escaping (Int, inout FactSet.Shard) -> T) { body = b } }

/// Counts per fact group: open addressing over a flat array of (group, count) pairs, for the
/// few thousand (metric, BU, day) groups of an ingest (a `Dictionary` costs several times
/// more per increment, and this runs once per fact).
struct GroupCounts {
    private var keys: [UInt32]
    private var counts: [Int]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 1 << 12) {
        var n = 16
        while n < capacity * 2 { n <<= 1 }
        keys = [UInt32](repeating: 0, count: n)
        counts = [Int](repeating: 0, count: n)
        mask = n - 1
    }

    /// Adds `n` to `group` (never 0).
    @inline(__always)
    mutating func add(_ group: UInt32, _ n: Int = 1) {
        if (count + 1) * 2 > keys.count { grow() }
        var i = Int(truncatingIfNeeded: (UInt64(group) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
        while true {
            let k = keys[i]
            if k == group { counts[i] += n; return }
            if k == 0 { keys[i] = group; counts[i] = n; count += 1; return }
            i = (i + 1) & mask
        }
    }

    private mutating func grow() {
        let old = (keys, counts)
        var bigger = GroupCounts(capacity: keys.count)
        for i in old.0.indices where old.0[i] != 0 { bigger.add(old.0[i], old.1[i]) }
        self = bigger
    }

    func forEach(_ body: (UInt32, Int) -> Void) {
        for i in keys.indices where keys[i] != 0 { body(keys[i], counts[i]) }
    }

    mutating func add(_ other: GroupCounts) { other.forEach { add($0, $1) } }
}

/// How a fact's group packs (metric, BU, day) into 32 bits: metric+1 in the top 4 bits (so
/// a group is never 0), the BU id in the next 12 (BusinessUnits caps ids below 4096), the
/// day (days since 1970, 0 … 65535, i.e. up to 2149) in the low 16.
public enum Fact {
    public static let days = 0..<65_536

    @inline(__always)
    public static func group(_ metric: Metric, bu: UInt16, day: Int) -> UInt32 {
        UInt32(metric.index + 1) << 28 | UInt32(bu & 0xFFF) << 16 | UInt32(truncatingIfNeeded: day) & 0xFFFF
    }

    @inline(__always)
    public static func unpack(_ g: UInt32) -> (metric: Metric, bu: UInt16, day: Int) {
        (Metric.allCases[Int(g >> 28) - 1], UInt16(truncatingIfNeeded: (g >> 16) & 0xFFF), Int(g & 0xFFFF))
    }
}
