/// When a fact happened, for a database that computes local days itself in any zone
/// (`IngestSettings.factSpans`): per fact and UTC half-day, the first and the last instant
/// of it. A half-day (12 hours) is shorter than any local day, so it meets at most two of
/// them — the first instant's and the last's — whatever the zone: the local days a person
/// counts on follow exactly from these two instants.
///
/// Stored like `FactSet`: open addressing with linear probing over flat arrays, in 16 shards
/// by hash, three 64-bit words a slot (metric, BU and half-day; person; first and last
/// instant as two 32-bit halves). Instants are seconds 0 … 2^32 − 1 (1970 … 2106), the
/// range of ClickHouse's DateTime; others cannot be stored there and are not kept.
public struct FactSpans: Sendable {
    public struct Key: Hashable, Sendable {
        /// Metric index + 1, BU id and half-day index packed (never 0).
        public var slot: UInt64
        public var person: UInt64
    }
    public struct Span: Sendable, Equatable {
        public var first: Int64
        public var last: Int64
    }
    public static let halfDay: Int64 = 43_200
    static let shardBits = 4

    private var shards: [Shard]
    /// Facts of records whose instant is outside 1970 … 2106 (not kept; see above).
    public var outOfRange = 0

    public init(capacity: Int = 1024) {
        shards = (0..<(1 << FactSpans.shardBits)).map { _ in Shard(capacity: capacity >> FactSpans.shardBits) }
    }

    public var count: Int { shards.reduce(0) { $0 + $1.count } }

    @inline(__always)
    static func slot(_ metric: Metric, bu: UInt16, at t: Int64) -> UInt64 {
        UInt64(metric.index + 1) << 56 | UInt64(bu) << 40 | UInt64(t / halfDay)
    }

    @inline(__always)
    static func hash(_ slot: UInt64, _ person: UInt64) -> UInt64 { splitmix64(slot &* 0x9E37_79B9_7F4A_7C15 ^ person) }

    @inline(__always)
    public static func unpack(_ k: Key) -> (metric: Metric, bu: UInt16) {
        (Metric.allCases[Int(k.slot >> 56) - 1], UInt16(truncatingIfNeeded: k.slot >> 40))
    }

    /// Notes that `person` counted for `metric` in `bu` at `t`.
    @inline(__always)
    public mutating func add(_ metric: Metric, bu: UInt16, at t: Int64, person: UInt64) {
        guard t >= 0 && t <= Int64(UInt32.max) else { outOfRange += 1; return }
        let s = FactSpans.slot(metric, bu: bu, at: t)
        let h = FactSpans.hash(s, person)
        shards[Int(h >> (64 - UInt64(FactSpans.shardBits)))].add(s, person, UInt32(t), UInt32(t), h)
    }

    /// Adds every span of `other` (earliest first, latest last), emptying it shard by shard.
    public mutating func merge(_ other: inout FactSpans) {
        for i in 0..<shards.count {
            if other.shards[i].count > shards[i].count { swap(&shards[i], &other.shards[i]) }
            other.shards[i].forEach { s, p, first, last in shards[i].add(s, p, first, last, FactSpans.hash(s, p)) }
            other.shards[i] = Shard(capacity: 0)
        }
        outOfRange += other.outOfRange
        other.outOfRange = 0
    }

    public func forEach(_ body: (Key, Span) -> Void) {
        for shard in shards {
            shard.forEach { s, p, first, last in body(Key(slot: s, person: p), Span(first: Int64(first), last: Int64(last))) }
        }
    }

    struct Shard: Sendable {
        var words: [UInt64]
        var mask: Int
        var count = 0
        var slots: Int { mask + 1 }

        init(capacity: Int) {
            var n = 16
            while n * 3 < capacity * 4 { n <<= 1 }
            words = [UInt64](repeating: 0, count: n * 3)
            mask = n - 1
        }

        @inline(__always)
        mutating func add(_ slot: UInt64, _ person: UInt64, _ first: UInt32, _ last: UInt32, _ h: UInt64) {
            if (count + 1) * 4 > slots * 3 { grow() }
            var i = Int(truncatingIfNeeded: h) & mask
            let m = mask
            let added: Bool = words.withUnsafeMutableBufferPointer { w in
                while true {
                    let k = i &* 3
                    let cur = w[k]
                    if cur == 0 {
                        w[k] = slot; w[k + 1] = person; w[k + 2] = UInt64(first) | UInt64(last) << 32
                        return true
                    }
                    if cur == slot && w[k + 1] == person {
                        let old = w[k + 2]
                        let f = min(UInt32(truncatingIfNeeded: old), first), l = max(UInt32(truncatingIfNeeded: old >> 32), last)
                        w[k + 2] = UInt64(f) | UInt64(l) << 32
                        return false
                    }
                    i = (i + 1) & m
                }
            }
            if added { count += 1 }
        }

        mutating func grow() {
            let old = words
            let n = slots * 2
            words = [UInt64](repeating: 0, count: n * 3)
            mask = n - 1
            count = 0
            var k = 0
            while k < old.count {
                if old[k] != 0 {
                    add(old[k], old[k + 1], UInt32(truncatingIfNeeded: old[k + 2]), UInt32(truncatingIfNeeded: old[k + 2] >> 32),
                        FactSpans.hash(old[k], old[k + 1]))
                }
                k += 3
            }
        }

        func forEach(_ body: (UInt64, UInt64, UInt32, UInt32) -> Void) {
            var k = 0
            while k < words.count {
                if words[k] != 0 { body(words[k], words[k + 1], UInt32(truncatingIfNeeded: words[k + 2]), UInt32(truncatingIfNeeded: words[k + 2] >> 32)) }
                k += 3
            }
        }
    }
}
