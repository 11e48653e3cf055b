#if canImport(Glibc)
import Glibc
#endif

/// A plain random mutator over a corpus (no coverage guidance): the short run of `make test`,
/// which has the plain debug build at hand, not libFuzzer's (that build costs minutes from a
/// fresh clone). Inputs are the corpus's, changed by one to four byte-level edits (flips,
/// inserted or deleted bytes, repeated or spliced ranges, tokens of the formats).
public struct Mutator {
    static let tokens: [[UInt8]] = [",", "\"", "\n", "\r\n", "{", "}", "[", "]", ":", "\\", "\\u", " ", "%ASA-", "\u{FEFF}", "\u{9B}", "\u{1B}["]
        .map { Array($0.utf8) } + [[0], [0xFF], [0xC3], [0x1F, 0x8B, 0x08]]

    var state: UInt64

    public init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }

    public mutating func mutate(_ input: [UInt8], corpus: [[UInt8]], maxLength: Int = 8192) -> [UInt8] {
        var b = input
        for _ in 0...below(4) {
            switch below(7) {
            case 0 where !b.isEmpty: b[below(b.count)] ^= UInt8(1 << below(8))
            case 1 where !b.isEmpty: b[below(b.count)] = UInt8(truncatingIfNeeded: next())
            case 2: b.insert(UInt8(truncatingIfNeeded: next()), at: below(b.count + 1))
            case 3 where !b.isEmpty:
                let at = below(b.count)
                b.removeSubrange(at..<min(b.count, at + 1 + below(16)))
            case 4 where !b.isEmpty:
                let at = below(b.count), n = 1 + below(min(64, b.count - at))
                b.insert(contentsOf: b[at..<(at + n)], at: below(b.count + 1))
            case 5 where !corpus.isEmpty:
                let other = corpus[below(corpus.count)]
                let from = below(other.count + 1), to = from + below(other.count - from + 1)
                b.insert(contentsOf: other[from..<to], at: below(b.count + 1))
            default: b.insert(contentsOf: Mutator.tokens[below(Mutator.tokens.count)], at: below(b.count + 1))
            }
        }
        return b.count > maxLength ? Array(b.prefix(maxLength)) : b
    }

    /// Runs `target` on mutations of `corpus` for `seconds`; each input is written to `current`
    /// before it runs, so a failed check leaves it there. Returns the executions run.
    public static func run(_ target: FuzzTarget, corpus: [[UInt8]], seconds: Double, seed: UInt64, current: String) -> Int {
        var m = Mutator(seed: seed)
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        var n = 0
        let pool = corpus.isEmpty ? [[]] : corpus
        for c in pool { c.withUnsafeBytes { target.run($0) }; n += 1 }
        while true {
            if n % 16 == 0 {
                var now = timespec()
                clock_gettime(CLOCK_MONOTONIC, &now)
                if Double(now.tv_sec - start.tv_sec) + Double(now.tv_nsec - start.tv_nsec) / 1e9 >= seconds { break }
            }
            let input = m.mutate(pool[m.below(pool.count)], corpus: pool)
            let fd = open(current, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            if fd >= 0 { _ = input.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }; close(fd) }
            input.withUnsafeBytes { target.run($0) }
            n += 1
        }
        unlink(current)
        return n
    }
}
