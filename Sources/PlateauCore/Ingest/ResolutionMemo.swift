#if canImport(Glibc)
import Glibc
#endif
import CPrefetch

/// A bounded memo of one thread's resolutions of people outside the directory: such a login
/// is resolved once per distinct byte string per worker, not once per log line (issue 15).
///
/// Keyed by the login's identity hash. That 64-bit hash is already what plateau takes the login
/// to be everywhere — distinct counts, directory lookups and the pseudonym cache compare it,
/// never the bytes — so the memo answers exactly what the lookup would (no new collision). The
/// one input that is not a function of it is the log's department (an outsider's BU): an answer
/// records which department it came from, and is used again only for the same bytes
/// (`DepartmentMemo`); for another department only the key is.
///
/// An answer holds the person's key (a pseudonym) and BU, so a line of someone met before costs
/// one probe. Open addressing over one flat array, three words a slot (hash, key, the rest)
/// side by side, at most half full; it grows with the people met, up to `maxSlots`, and past
/// that starts again, empty, whenever it holds `maxSlots / 2` answers.
struct ResolutionMemo {
    /// Three words a slot: the hash (0: empty; a login hashing to 0 is not memoised), the
    /// person's key and the rest of the answer (`Answer.meta`).
    private var words: [UInt64]
    private var mask: Int
    let maxSlots: Int
    private(set) var count = 0
    /// How many times it emptied itself (for tests and profiles).
    private(set) var resets = 0

    /// `maxSlots`: a power of two (rounded up), 0 for no memo at all.
    init(maxSlots: Int, initialSlots: Int = 1 << 12) {
        guard maxSlots > 0 else { words = []; mask = -1; self.maxSlots = 0; return }
        var n = 16
        while n < maxSlots { n <<= 1 }
        self.maxSlots = n
        let first = min(n, max(16, initialSlots))
        words = [UInt64](repeating: 0, count: 3 * first)
        mask = first - 1
    }

    var isEnabled: Bool { mask >= 0 }
    var slots: Int { mask + 1 }
    /// Answers held before the memo empties itself.
    var limit: Int { maxSlots / 2 }

    @inline(__always)
    func find(_ h: UInt64) -> Answer? {
        guard mask >= 0, h != 0 else { return nil }
        var i = Int(truncatingIfNeeded: h) & mask
        return words.withUnsafeBufferPointer { w in
            while true {
                let k = w[3 &* i]
                if k == h { return Answer(key: w[3 &* i &+ 1], meta: w[3 &* i &+ 2]) }
                if k == 0 { return nil }
                i = (i &+ 1) & mask
            }
        }
    }

    /// Asks for the cache line of `h`'s home slot ahead of `find` (`UserPipeline`).
    @inline(__always)
    func prefetch(_ h: UInt64) {
        guard mask >= 0 else { return }
        let i = Int(truncatingIfNeeded: h) & mask
        words.withUnsafeBufferPointer { plateau_prefetch_read($0.baseAddress! + 3 &* i) }
    }

    mutating func store(_ h: UInt64, _ a: Answer) {
        guard mask >= 0, h != 0 else { return }
        if (count + 1) * 2 > slots {
            if slots < maxSlots { grow() } else { for j in words.indices { words[j] = 0 }; count = 0; resets += 1 }
        }
        if put(h, a.key, a.meta) { count += 1 }
    }

    /// Writes the slot of `h`; true when it was empty.
    @inline(__always)
    private mutating func put(_ h: UInt64, _ key: UInt64, _ meta: UInt64) -> Bool {
        var i = Int(truncatingIfNeeded: h) & mask
        let m = mask
        return words.withUnsafeMutableBufferPointer { w in
            while true {
                let k = w[3 &* i]
                if k == h || k == 0 { w[3 &* i] = h; w[3 &* i &+ 1] = key; w[3 &* i &+ 2] = meta; return k == 0 }
                i = (i &+ 1) & m
            }
        }
    }

    private mutating func grow() {
        let old = words
        let n = min(maxSlots, slots * 2)
        words = [UInt64](repeating: 0, count: 3 * n)
        mask = n - 1
        var j = 0
        while j < old.count {
            if old[j] != 0 { _ = put(old[j], old[j + 1], old[j + 2]) }
            j += 3
        }
    }

    /// An answer: the person's key, and in `meta` the BU (bits 0–15) and the department it came
    /// from (16–29).
    struct Answer: Equatable {
        var key: UInt64
        var meta: UInt64

        /// `department` of an answer given no department (UNASSIGNED).
        static let noDepartment: UInt16 = 0x3FFE
        /// Departments a memo can name: indices below this.
        static let departmentLimit = 0x3FFE

        init(key: UInt64, meta: UInt64) { self.key = key; self.meta = meta }
        init(key: UInt64, bu: UInt16, department: UInt16) {
            self.key = key
            meta = UInt64(bu) | UInt64(department & 0x3FFF) << 16
        }
        var bu: UInt16 { UInt16(truncatingIfNeeded: meta) }
        var department: UInt16 { UInt16(truncatingIfNeeded: meta >> 16) & 0x3FFF }
        var person: Person { Person(key: key, bu: bu) }
    }
}

/// The departments one thread has met in logs, by their exact bytes (untrimmed, case kept): an
/// index per distinct string and the BU it names, so that a memoised answer can check, with one
/// comparison, that a line carries the department the answer came from. Holds at most
/// `ResolutionMemo.Answer.departmentLimit` strings.
struct DepartmentMemo {
    private var bytes: [UInt8] = []
    private var starts: [Int] = [0]
    private(set) var units: [UInt16] = []
    /// Open addressing: index + 1 of the department (0: empty), by hash of the exact bytes.
    private var table = [Int32](repeating: 0, count: 64)
    private var hashes: [UInt64] = []

    /// The department met last (lines of one department often come in runs).
    private var lastIndex = -1

    var count: Int { units.count }
    var isFull: Bool { count >= ResolutionMemo.Answer.departmentLimit }

    /// The index of `b` when it is the department met last (else nil: look it up by hash).
    @inline(__always)
    func last(_ b: Bytes) -> Int? { lastIndex >= 0 && equals(lastIndex, b) ? lastIndex : nil }

    /// Whether department `index` is exactly `b`.
    @inline(__always)
    func equals(_ index: Int, _ b: Bytes) -> Bool {
        let s = starts[index], n = starts[index + 1] - s
        guard n == b.count else { return false }
        if n == 0 { return true }
        return bytes.withUnsafeBufferPointer { memcmp($0.baseAddress! + s, b.baseAddress!, n) == 0 }
    }

    /// The index of `b` (hashed to `h`), or nil when not met yet.
    mutating func index(of b: Bytes, hash h: UInt64) -> Int? {
        let mask = table.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while table[i] != 0 {
            let j = Int(table[i]) - 1
            if hashes[j] == h && equals(j, b) { lastIndex = j; return j }
            i = (i + 1) & mask
        }
        return nil
    }

    /// Adds `b` (not met yet, hashed to `h`) naming `bu`; returns its index, nil when full.
    mutating func add(_ b: Bytes, hash h: UInt64, bu: UInt16) -> Int? {
        guard !isFull else { return nil }
        let j = units.count
        bytes.append(contentsOf: b)
        starts.append(bytes.count)
        units.append(bu)
        hashes.append(h)
        if (j + 1) * 2 > table.count {
            table = [Int32](repeating: 0, count: table.count * 2)
            for k in 0..<j { place(k) }
        }
        place(j)
        lastIndex = j
        return j
    }

    private mutating func place(_ j: Int) {
        let mask = table.count - 1
        var i = Int(truncatingIfNeeded: hashes[j]) & mask
        while table[i] != 0 { i = (i + 1) & mask }
        table[i] = Int32(j + 1)
    }
}
