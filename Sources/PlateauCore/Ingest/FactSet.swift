/// A set of (group, person) facts — "this person counts for this metric, day and BU" — as an
/// open-addressing hash table with linear probing over two flat arrays. One probe per log
/// line and no per-entry allocation: memory grows with distinct facts (16 bytes each at a
/// load factor of at most 1/2), never with lines.
public struct FactSet: Sendable {
    private var groups: [UInt64]
    private var people: [UInt64]
    private var mask: Int
    public private(set) var count = 0

    /// `group` 0 marks an empty slot, so groups are never 0 (see `Fact.group`).
    public init(capacity: Int = 1024) {
        var n = 16
        while n < capacity * 2 { n <<= 1 }
        groups = [UInt64](repeating: 0, count: n)
        people = [UInt64](repeating: 0, count: n)
        mask = n - 1
    }

    @inline(__always)
    static func slot(_ group: UInt64, _ person: UInt64) -> Int {
        Int(truncatingIfNeeded: splitmix64(group &* 0x9E37_79B9_7F4A_7C15 ^ person))
    }

    /// Inserts; returns true when the fact is new.
    @inline(__always) @discardableResult
    public mutating func insert(group: UInt64, person: UInt64) -> Bool {
        precondition(group != 0)
        if (count + 1) * 2 > groups.count { grow() }
        var i = FactSet.slot(group, person) & mask
        return groups.withUnsafeMutableBufferPointer { g in
            people.withUnsafeMutableBufferPointer { p in
                while true {
                    let cur = g[i]
                    if cur == 0 { g[i] = group; p[i] = person; count += 1; return true }
                    if cur == group && p[i] == person { return false }
                    i = (i + 1) & mask
                }
            }
        }
    }

    private mutating func grow() {
        let oldG = groups, oldP = people
        let n = groups.count * 2
        groups = [UInt64](repeating: 0, count: n)
        people = [UInt64](repeating: 0, count: n)
        mask = n - 1
        count = 0
        for i in 0..<oldG.count where oldG[i] != 0 { insert(group: oldG[i], person: oldP[i]) }
    }

    public mutating func formUnion(_ other: FactSet) {
        other.forEach { g, p in insert(group: g, person: p) }
    }

    public func forEach(_ body: (UInt64, UInt64) -> Void) {
        for i in 0..<groups.count where groups[i] != 0 { body(groups[i], people[i]) }
    }
}

/// How a fact's group packs (metric, BU, day) into 64 bits: metric+1 in the top byte (so a
/// group is never 0), the BU in the next 16 bits, the day (days since 1970, as UInt32 bits)
/// in the low 32.
public enum Fact {
    @inline(__always)
    public static func group(_ metric: Metric, bu: UInt16, day: Int) -> UInt64 {
        UInt64(metric.index + 1) << 56 | UInt64(bu) << 32 | UInt64(UInt32(truncatingIfNeeded: day))
    }

    @inline(__always)
    public static func unpack(_ g: UInt64) -> (metric: Metric, bu: UInt16, day: Int) {
        (Metric.allCases[Int(g >> 56) - 1], UInt16(truncatingIfNeeded: g >> 32), Int(Int32(bitPattern: UInt32(truncatingIfNeeded: g))))
    }
}
