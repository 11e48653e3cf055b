import Foundation

/// Counter-based pseudo-randomness: every draw is a pure function of (seed, stream, keys),
/// so the generator is deterministic, needs no state per person, and any day or hour can be
/// produced independently of the others.
@inline(__always)
public func splitmix64(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// A keyed family of independent uniform draws.
public struct Draws: Sendable {
    public let seed: UInt64
    public init(seed: UInt64) { self.seed = splitmix64(seed ^ 0x5EED_5EED_5EED_5EED) }

    @inline(__always)
    public func bits(_ stream: Stream, _ a: Int, _ b: Int = 0, _ c: Int = 0) -> UInt64 {
        var h = splitmix64(seed ^ stream.rawValue)
        h = splitmix64(h ^ UInt64(bitPattern: Int64(a)))
        h = splitmix64(h ^ UInt64(bitPattern: Int64(b)) &* 0xD6E8_FEB8_6659_FD93)
        return splitmix64(h ^ UInt64(bitPattern: Int64(c)) &* 0xA076_1D64_78BD_642F)
    }

    /// Uniform in [0, 1).
    @inline(__always)
    public func unit(_ stream: Stream, _ a: Int, _ b: Int = 0, _ c: Int = 0) -> Double {
        Double(bits(stream, a, b, c) >> 11) * 0x1.0p-53
    }

    /// Uniform integer in 0..<n (n > 0).
    @inline(__always)
    public func below(_ n: Int, _ stream: Stream, _ a: Int, _ b: Int = 0, _ c: Int = 0) -> Int {
        Int((bits(stream, a, b, c) >> 1) % UInt64(n))
    }

    /// Streams keep unrelated decisions independent of each other.
    public struct Stream: RawRepresentable, Sendable {
        public let rawValue: UInt64
        public init(rawValue: UInt64) { self.rawValue = rawValue }
        public init(_ tag: StaticString) {
            // FNV-1a of the tag: stable across runs and platforms.
            var h: UInt64 = 0xCBF2_9CE4_8422_2325
            tag.withUTF8Buffer { for b in $0 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 } }
            rawValue = h
        }
    }
}

/// A small sequential generator for the details of one record (field values, jitter).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    @inline(__always)
    public mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    @inline(__always)
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
    @inline(__always)
    public mutating func below(_ n: Int) -> Int { Int((next() >> 1) % UInt64(max(n, 1))) }
    /// A standard normal deviate (Box–Muller).
    public mutating func normal() -> Double {
        let u1 = max(unit(), 0x1.0p-53), u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

