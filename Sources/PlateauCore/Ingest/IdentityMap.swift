/// A map from identity hashes (already uniformly distributed 64-bit keys) to directory
/// entries, by open addressing: one probe per lookup and no re-hashing of the key, where a
/// `Dictionary` would run SipHash over it on every log line.
public struct IdentityMap: Sendable {
    private var keys: [UInt64]
    private var values: [Directory.Entry]
    private var used: [Bool]
    private var mask: Int
    public private(set) var count = 0

    public init(capacity: Int = 64) {
        var n = 16
        while n < capacity * 2 { n <<= 1 }
        keys = [UInt64](repeating: 0, count: n)
        values = [Directory.Entry](repeating: Directory.Entry(person: 0, bu: 0), count: n)
        used = [Bool](repeating: false, count: n)
        mask = n - 1
    }

    @inline(__always)
    public subscript(key: UInt64) -> Directory.Entry? {
        get {
            var i = Int(truncatingIfNeeded: key) & mask
            while used[i] {
                if keys[i] == key { return values[i] }
                i = (i + 1) & mask
            }
            return nil
        }
        set {
            var i = Int(truncatingIfNeeded: key) & mask
            while used[i] {
                if keys[i] == key {
                    if let v = newValue { values[i] = v } else { remove(at: i) }
                    return
                }
                i = (i + 1) & mask
            }
            guard let v = newValue else { return }
            if (count + 1) * 2 > keys.count { grow(); self[key] = v; return }
            used[i] = true; keys[i] = key; values[i] = v; count += 1
        }
    }

    /// Backward-shift deletion keeps probe chains intact.
    private mutating func remove(at slot: Int) {
        var hole = slot
        var j = slot
        used[hole] = false
        count -= 1
        while true {
            j = (j + 1) & mask
            guard used[j] else { return }
            let home = Int(truncatingIfNeeded: keys[j]) & mask
            // Move j into the hole when its home is not in (hole, j] cyclically.
            let between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j)
            if !between {
                keys[hole] = keys[j]; values[hole] = values[j]; used[hole] = true
                used[j] = false
                hole = j
            }
        }
    }

    private mutating func grow() {
        let oldK = keys, oldV = values, oldU = used
        let n = keys.count * 2
        keys = [UInt64](repeating: 0, count: n)
        values = [Directory.Entry](repeating: Directory.Entry(person: 0, bu: 0), count: n)
        used = [Bool](repeating: false, count: n)
        mask = n - 1
        count = 0
        for i in 0..<oldK.count where oldU[i] { self[oldK[i]] = oldV[i] }
    }
}
