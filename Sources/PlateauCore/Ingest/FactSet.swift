/// A set of (group, person) facts — "this person counts for this metric, BU and day" — as
/// open-addressing hash tables with linear probing over flat arrays: one probe per log line,
/// no per-entry allocation, 12 bytes a slot at a load factor of at most 3/4. Memory grows
/// with distinct facts, never with lines.
///
/// The facts are spread over 16 shards by hash, so two sets merge shard by shard (freeing
/// each merged shard of the other set at once) and no table ever doubles the whole set.
public struct FactSet: Sendable {
    static let shardBits = 4
    private var shards: [Shard]

    public init(capacity: Int = 1024) {
        shards = (0..<(1 << FactSet.shardBits)).map { _ in Shard(capacity: capacity >> FactSet.shardBits) }
    }

    public var count: Int { shards.reduce(0) { $0 + $1.count } }

    @inline(__always)
    static func hash(_ group: UInt32, _ person: UInt64) -> UInt64 {
        splitmix64(UInt64(group) &* 0x9E37_79B9_7F4A_7C15 ^ person)
    }

    /// Inserts; returns true when the fact is new. `group` is never 0 (see `Fact.group`).
    @inline(__always) @discardableResult
    public mutating func insert(group: UInt32, person: UInt64) -> Bool {
        let h = FactSet.hash(group, person)
        return shards[Int(h >> (64 - UInt64(FactSet.shardBits)))].insert(group, person, h)
    }

    /// Adds every fact of `other`, emptying it shard by shard as it goes.
    public mutating func formUnion(consuming other: inout FactSet) {
        for i in 0..<shards.count {
            if other.shards[i].count > shards[i].count { swap(&shards[i], &other.shards[i]) }
            other.shards[i].forEach { g, p in _ = shards[i].insert(g, p, FactSet.hash(g, p)) }
            other.shards[i] = Shard(capacity: 0)
        }
    }

    public func forEach(_ body: (UInt32, UInt64) -> Void) {
        for s in shards { s.forEach(body) }
    }

    struct Shard: Sendable {
        var groups: [UInt32]
        var people: [UInt64]
        var mask: Int
        var count = 0

        init(capacity: Int) {
            var n = 16
            while n * 3 < capacity * 4 { n <<= 1 }
            groups = [UInt32](repeating: 0, count: n)
            people = [UInt64](repeating: 0, count: n)
            mask = n - 1
        }

        @inline(__always)
        mutating func insert(_ group: UInt32, _ person: UInt64, _ h: UInt64) -> Bool {
            if (count + 1) * 4 > groups.count * 3 { grow() }
            var i = Int(truncatingIfNeeded: h) & mask
            let m = mask
            let inserted: Bool = groups.withUnsafeMutableBufferPointer { g in
                people.withUnsafeMutableBufferPointer { p in
                    while true {
                        let cur = g[i]
                        if cur == 0 { g[i] = group; p[i] = person; return true }
                        if cur == group && p[i] == person { return false }
                        i = (i + 1) & m
                    }
                }
            }
            if inserted { count += 1 }
            return inserted
        }

        mutating func grow() {
            let oldG = groups, oldP = people
            let n = groups.count * 2
            groups = [UInt32](repeating: 0, count: n)
            people = [UInt64](repeating: 0, count: n)
            mask = n - 1
            count = 0
            for i in 0..<oldG.count where oldG[i] != 0 { _ = insert(oldG[i], oldP[i], FactSet.hash(oldG[i], oldP[i])) }
        }

        func forEach(_ body: (UInt32, UInt64) -> Void) {
            for i in 0..<groups.count where groups[i] != 0 { body(groups[i], people[i]) }
        }
    }
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
