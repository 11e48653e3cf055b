import CPrefetch

/// A map from identity hashes (already uniformly distributed 64-bit keys) to directory
/// entries, by open addressing: one probe (one cache line) per lookup and no re-hashing of
/// the key, where a `Dictionary` would run SipHash over it on every log line.
public struct IdentityMap: Sendable {
    struct Slot: Sendable {
        var key: UInt64
        var person: UInt32
        var bu: UInt16
        var used: Bool
    }
    private var slots: [Slot]
    private var mask: Int
    public private(set) var count = 0

    public init(capacity: Int = 64) {
        var n = 16
        while n < capacity * 2 { n <<= 1 }
        slots = HugePages.array(repeating: Slot(key: 0, person: 0, bu: 0, used: false), count: n)
        mask = n - 1
    }

    @inline(__always)
    public subscript(key: UInt64) -> Directory.Entry? {
        get {
            var i = Int(truncatingIfNeeded: key) & mask
            return slots.withUnsafeBufferPointer { s in
                while s[i].used {
                    if s[i].key == key { return Directory.Entry(person: s[i].person, bu: s[i].bu) }
                    i = (i + 1) & mask
                }
                return nil
            }
        }
        set {
            var i = Int(truncatingIfNeeded: key) & mask
            while slots[i].used {
                if slots[i].key == key {
                    if let v = newValue { slots[i].person = v.person; slots[i].bu = v.bu } else { remove(at: i) }
                    return
                }
                i = (i + 1) & mask
            }
            guard let v = newValue else { return }
            if (count + 1) * 2 > slots.count { grow(); self[key] = v; return }
            slots[i] = Slot(key: key, person: v.person, bu: v.bu, used: true)
            count += 1
        }
    }

    /// Asks for the cache line of `key`'s home slot ahead of a lookup (`UserPipeline`).
    @inline(__always)
    public func prefetch(_ key: UInt64) {
        let i = Int(truncatingIfNeeded: key) & mask
        slots.withUnsafeBufferPointer { plateau_prefetch_read($0.baseAddress! + i) }
    }

    /// Backward-shift deletion keeps probe chains intact.
    private mutating func remove(at slot: Int) {
        var hole = slot
        var j = slot
        slots[hole].used = false
        count -= 1
        while true {
            j = (j + 1) & mask
            guard slots[j].used else { return }
            let home = Int(truncatingIfNeeded: slots[j].key) & mask
            // Move j into the hole when its home is not in (hole, j] cyclically.
            let between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j)
            if !between {
                slots[hole] = slots[j]
                slots[j].used = false
                hole = j
            }
        }
    }

    private mutating func grow() {
        let old = slots
        slots = HugePages.array(repeating: Slot(key: 0, person: 0, bu: 0, used: false), count: old.count * 2)
        mask = slots.count - 1
        count = 0
        for s in old where s.used { self[s.key] = Directory.Entry(person: s.person, bu: s.bu) }
    }
}
