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

        func forEach(_ body: (UInt32, UInt64) -> Void) {
            var k = 0
            while k < words.count {
                if words[k] != 0 { body(words[k], UInt64(words[k + 1]) | UInt64(words[k + 2]) << 32) }
                k += 3
            }
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
