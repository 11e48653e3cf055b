/// Call-record meetings by the 64-bit hash of their id: an open-addressing table (linear
/// probing, power-of-two capacity, at most 3/4 full). The key is already a good hash of the
/// id, so it is not hashed again (a `Dictionary` would run SipHash over it); keys and values sit
/// in two flat arrays, no per-entry allocation. A million meetings cost 32 MB at worst.
///
/// Reads as a `Dictionary` does where plateau uses one: `table[id]`, `count`, `isEmpty`,
/// `for (id, meeting) in table` (in slot order: callers that need an order sort).
public struct MeetingTable: Sequence, Sendable {
    /// 0 marks an empty slot; the meeting whose key is 0 lives in `zero`.
    private var ids: [UInt64]
    private var values: [MeetingFact]
    private var zero: MeetingFact?
    public private(set) var count = 0
    private var mask: Int

    public init(minimumCapacity: Int = 0) {
        var c = 16
        while c * 3 < minimumCapacity * 4 { c <<= 1 }
        ids = Array(repeating: 0, count: c)
        values = Array(repeating: MeetingFact(day: 0, bu: 0, seconds: 0, participants: 0), count: c)
        mask = c - 1
    }

    public var isEmpty: Bool { count == 0 }

    /// The id hashes, in no particular order.
    public var keys: [UInt64] { map(\.key) }

    @inline(__always)
    private func home(_ k: UInt64) -> Int { Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask }

    /// The slot holding `k`, or the empty slot where it would go.
    @inline(__always)
    private func slot(_ k: UInt64) -> (index: Int, found: Bool) {
        var i = home(k)
        while true {
            let s = ids[i]
            if s == k { return (i, true) }
            if s == 0 { return (i, false) }
            i = (i + 1) & mask
        }
    }

    public subscript(_ k: UInt64) -> MeetingFact? {
        get {
            if k == 0 { return zero }
            let s = slot(k)
            return s.found ? values[s.index] : nil
        }
        set {
            guard let v = newValue else { preconditionFailure("MeetingTable does not remove meetings") }
            if k == 0 {
                if zero == nil { count += 1 }
                zero = v
                return
            }
            let s = slot(k)
            if s.found { values[s.index] = v; return }
            insert(k, v, at: s.index)
        }
    }

    /// Adds meeting `k`, or, when it is there, gives the closure the one kept (to update).
    /// Returns true when `k` was new.
    @inline(__always)
    @discardableResult
    public mutating func insertOrUpdate(_ k: UInt64, _ v: MeetingFact, _ update: (inout MeetingFact) -> Void) -> Bool {
        if k == 0 {
            if zero == nil { zero = v; count += 1; return true }
            update(&zero!)
            return false
        }
        let s = slot(k)
        if s.found { update(&values[s.index]); return false }
        insert(k, v, at: s.index)
        return true
    }

    @inline(__always)
    private mutating func insert(_ k: UInt64, _ v: MeetingFact, at i: Int) {
        ids[i] = k
        values[i] = v
        count += 1
        if count * 4 > (mask + 1) * 3 { grow() }
    }

    /// Room for `n` meetings in all without growing on the way.
    public mutating func reserveCapacity(_ n: Int) {
        guard n * 4 > (mask + 1) * 3 else { return }
        rehash(minimumCapacity: n)
    }

    @inline(never)
    private mutating func grow() { rehash(minimumCapacity: (mask + 1) * 3 / 4 * 2) }

    private mutating func rehash(minimumCapacity n: Int) {
        var bigger = MeetingTable(minimumCapacity: n)
        for i in ids.indices where ids[i] != 0 {
            let s = bigger.slot(ids[i])
            bigger.ids[s.index] = ids[i]
            bigger.values[s.index] = values[i]
        }
        ids = bigger.ids
        values = bigger.values
        mask = bigger.mask
    }

    public struct Iterator: IteratorProtocol {
        let table: MeetingTable
        var i = -1
        public mutating func next() -> (key: UInt64, value: MeetingFact)? {
            if i < 0 {
                i = 0
                if let z = table.zero { return (0, z) }
            }
            while i < table.ids.count {
                defer { i += 1 }
                if table.ids[i] != 0 { return (table.ids[i], table.values[i]) }
            }
            return nil
        }
    }

    public func makeIterator() -> Iterator { Iterator(table: self) }
    public var underestimatedCount: Int { count }
}
