import CPrefetch
import Dispatch

/// Call-record meetings by the 64-bit hash of their id: 16 shards (by the key's top bits), each
/// an open-addressing table (linear probing, power-of-two capacity, at most 3/4 full). The key
/// is already a good hash of the id, so it is not hashed again (a `Dictionary` would run SipHash
/// over it); keys and values sit in flat arrays, no per-entry allocation. Two threads' tables
/// merge shard by shard, each of the other's shards freed once taken, so a merge never holds
/// both tables and a grown copy of the whole at once (as one table growing would).
///
/// Reads as a `Dictionary` does where plateau uses one: `table[id]`, `count`, `isEmpty`,
/// `for (id, meeting) in table` (in slot order: callers that need an order sort).
public struct MeetingTable: Sequence, Sendable {
    static let shardBits = 4
    private var shards: [Shard] = Array(repeating: Shard(), count: 1 << MeetingTable.shardBits)
    /// The meeting whose key is 0 (0 marks an empty slot).
    private var zero: MeetingFact?
    public private(set) var count = 0

    public init() {}

    /// A table with room for about `capacity` meetings before it grows.
    public init(capacity: Int) {
        guard capacity > 0 else { return }
        // Ids spread evenly over the shards; an eighth more than the average for the spread.
        let each = (capacity >> MeetingTable.shardBits) + (capacity >> (MeetingTable.shardBits + 3))
        for i in shards.indices { shards[i].reserve(each) }
    }

    public var isEmpty: Bool { count == 0 }

    /// The id hashes, in no particular order.
    public var keys: [UInt64] { map(\.key) }

    @inline(__always)
    private static func shard(_ k: UInt64) -> Int { Int(truncatingIfNeeded: k >> UInt64(64 - shardBits)) }

    public subscript(_ k: UInt64) -> MeetingFact? {
        get { k == 0 ? zero : shards[MeetingTable.shard(k)].find(k) }
        set {
            guard let v = newValue else { preconditionFailure("MeetingTable does not remove meetings") }
            insertOrUpdate(k, v) { $0 = v }
        }
    }

    /// Asks for the cache lines of meeting `k`'s slot ahead of `insertOrUpdate`.
    @inline(__always)
    public func prefetch(_ k: UInt64) {
        if k != 0 { shards[MeetingTable.shard(k)].prefetch(k) }
    }

    /// Adds meeting `k`, or, when it is there, gives the closure the one kept (to update).
    /// Returns true when `k` was new.
    @inline(__always)
    @discardableResult
    public mutating func insertOrUpdate(_ k: UInt64, _ v: MeetingFact, _ update: (inout MeetingFact) -> Void) -> Bool {
        let new: Bool
        if k == 0 {
            if zero == nil { zero = v; new = true } else { update(&zero!); new = false }
        } else {
            new = shards[MeetingTable.shard(k)].insertOrUpdate(k, v, update)
        }
        if new { count += 1 }
        return new
    }

    /// Takes every meeting of `other`, shard by shard (the larger of each pair keeps its
    /// storage), leaving `other` empty; `update` combines a meeting both hold (into the kept
    /// one, from the other's). Returns how many both held. `workers` > 1 merges that many
    /// shards at a time (the final merge of an ingest's threads, not from inside one of them).
    @discardableResult
    public mutating func absorb(_ other: inout MeetingTable, workers: Int = 1,
                                _ update: (inout MeetingFact, MeetingFact) -> Void) -> Int {
        var both = 0
        if let z = other.zero {
            if zero == nil { zero = z; count += 1 } else { update(&zero!, z); both += 1 }
            other.zero = nil
        }
        if workers <= 1 {
            for i in shards.indices { both += Shard.absorb(&shards[i], &other.shards[i], update) }
        } else {
            var counts = [Int](repeating: 0, count: shards.count)
            shards.withUnsafeMutableBufferPointer { pa in
                other.shards.withUnsafeMutableBufferPointer { pb in
                    counts.withUnsafeMutableBufferPointer { pc in
                        withoutActuallyEscaping(update) { update in
                            // Each thread touches the shards (and the count) of its own index only.
                            let shared = UnsafeMeetingShards(a: pa, b: pb, counts: pc, update: update)
                            DispatchQueue.concurrentPerform(iterations: pa.count) { i in
                                shared.counts[i] = Shard.absorb(&shared.a[i], &shared.b[i], shared.update)
                            }
                        }
                    }
                }
            }
            both += counts.reduce(0, +)
        }
        other.count = 0
        count = shards.reduce(zero == nil ? 0 : 1) { $0 + $1.count }
        return both
    }

    /// One shard: keys (0: empty) and meetings in parallel arrays.
    struct Shard: Sendable {
        private(set) var ids: [UInt64] = []
        private(set) var values: [MeetingFact] = []
        private(set) var count = 0
        private var mask = -1

        @inline(__always)
        private func home(_ k: UInt64) -> Int { Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask }

        /// The slot holding `k`, or the empty slot where it would go (the shard is not empty).
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

        /// Asks for the cache lines of `k`'s home slot (its id and its meeting) ahead of a write.
        @inline(__always)
        func prefetch(_ k: UInt64) {
            guard mask >= 0 else { return }
            let i = home(k)
            ids.withUnsafeBufferPointer { plateau_prefetch_write($0.baseAddress! + i) }
            values.withUnsafeBufferPointer { plateau_prefetch_write($0.baseAddress! + i) }
        }

        func find(_ k: UInt64) -> MeetingFact? {
            guard mask >= 0 else { return nil }
            let s = slot(k)
            return s.found ? values[s.index] : nil
        }

        @inline(__always)
        mutating func insertOrUpdate(_ k: UInt64, _ v: MeetingFact, _ update: (inout MeetingFact) -> Void) -> Bool {
            if (count + 1) * 4 > (mask + 1) * 3 { grow() }
            let s = slot(k)
            if s.found { update(&values[s.index]); return false }
            ids[s.index] = k
            values[s.index] = v
            count += 1
            return true
        }

        @inline(never)
        private mutating func grow() { rehash(mask < 0 ? 64 : (mask + 1) * 2) }

        /// Room for `n` meetings in all without growing.
        mutating func reserve(_ n: Int) {
            guard n * 4 > (mask + 1) * 3 else { return }
            var capacity = mask < 0 ? 64 : (mask + 1) * 2
            while n * 4 > capacity * 3 { capacity *= 2 }
            rehash(capacity)
        }

        private mutating func rehash(_ capacity: Int) {
            let oldIDs = ids, oldValues = values
            ids = Array(repeating: 0, count: capacity)
            values = Array(repeating: MeetingFact(day: 0, bu: 0, seconds: 0, participants: 0), count: capacity)
            mask = capacity - 1
            for i in oldIDs.indices where oldIDs[i] != 0 {
                let s = slot(oldIDs[i])
                ids[s.index] = oldIDs[i]
                values[s.index] = oldValues[i]
            }
        }

        /// Moves every meeting of `theirs` into `mine` (the larger of the two keeps its storage;
        /// `theirs` is left empty); returns how many both held.
        ///
        /// `mine` is first given room for both: the other's meetings come in its slot order,
        /// which is their home order here too (the same hash), so inserted into a table that
        /// fills past 3/4 on the way they would pile up in one ever longer run of full slots
        /// ahead of the next home (two threads' tables of 0.6 meetings a slot each: the probes
        /// were most of the final merge, and that merge a sixth of the call-records snapshot).
        static func absorb(_ mine: inout Shard, _ theirs: inout Shard,
                           _ update: (inout MeetingFact, MeetingFact) -> Void) -> Int {
            if theirs.count > mine.count { swap(&mine, &theirs) }
            let taken = theirs
            theirs = Shard()
            guard taken.count > 0 else { return 0 }
            mine.reserve(mine.count + taken.count)
            var both = 0
            // Each meeting's slot is prefetched `ahead` meetings before it is written: the kept
            // shard is larger than the cache, and a merge is one random write per meeting.
            let ahead = 16
            var ring = [(UInt64, MeetingFact)](repeating: (0, MeetingFact(day: 0, bu: 0, seconds: 0, participants: 0)), count: ahead)
            var held = 0, next = 0
            taken.forEach { k, v in
                mine.prefetch(k)
                if held == ahead {
                    let (ok, ov) = ring[next]
                    if !mine.insertOrUpdate(ok, ov, { update(&$0, ov) }) { both += 1 }
                } else {
                    held += 1
                }
                ring[next] = (k, v)
                next = next == ahead - 1 ? 0 : next + 1
            }
            for n in 0..<held {
                let (ok, ov) = ring[held == ahead ? (next + n) % ahead : n]
                if !mine.insertOrUpdate(ok, ov, { update(&$0, ov) }) { both += 1 }
            }
            return both
        }

        func forEach(_ body: (UInt64, MeetingFact) -> Void) {
            for i in ids.indices where ids[i] != 0 { body(ids[i], values[i]) }
        }
    }

    public struct Iterator: IteratorProtocol {
        let table: MeetingTable
        var shard = -1, i = 0
        public mutating func next() -> (key: UInt64, value: MeetingFact)? {
            if shard < 0 {
                shard = 0
                if let z = table.zero { return (0, z) }
            }
            while shard < table.shards.count {
                let s = table.shards[shard]
                while i < s.ids.count {
                    defer { i += 1 }
                    if s.ids[i] != 0 { return (s.ids[i], s.values[i]) }
                }
                shard += 1
                i = 0
            }
            return nil
        }
    }

    public func makeIterator() -> Iterator { Iterator(table: self) }
    public var underestimatedCount: Int { count }
}

/// The shards of two tables handed to the threads of `MeetingTable.absorb`: thread i touches
/// shard i of each and count i only.
private struct UnsafeMeetingShards: @unchecked Sendable {
    let a: UnsafeMutableBufferPointer<MeetingTable.Shard>
    let b: UnsafeMutableBufferPointer<MeetingTable.Shard>
    let counts: UnsafeMutableBufferPointer<Int>
    let update: (inout MeetingFact, MeetingFact) -> Void
}
