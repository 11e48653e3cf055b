/// Small byte-slice helpers the parsers share. Every parser works on `UnsafeRawBufferPointer`
/// slices of the input chunk: no `String` is made on the hot path.
public typealias Bytes = UnsafeRawBufferPointer

public enum ASCII {
    public static let quote: UInt8 = 0x22, comma: UInt8 = 0x2C, space: UInt8 = 0x20, tab: UInt8 = 0x09
    public static let cr: UInt8 = 0x0D, lf: UInt8 = 0x0A, colon: UInt8 = 0x3A, at: UInt8 = 0x40
    public static let backslash: UInt8 = 0x5C

    @inline(__always) public static func isDigit(_ b: UInt8) -> Bool { b &- 48 < 10 }
    @inline(__always) public static func lower(_ b: UInt8) -> UInt8 { b &- 65 < 26 ? b | 0x20 : b }
}

extension UnsafeRawBufferPointer {
    /// The slice without leading and trailing spaces and tabs.
    @inline(__always)
    public func trimmed() -> UnsafeRawBufferPointer {
        var s = 0, e = count
        while s < e, self[s] == ASCII.space || self[s] == ASCII.tab { s += 1 }
        while e > s, self[e - 1] == ASCII.space || self[e - 1] == ASCII.tab || self[e - 1] == ASCII.cr { e -= 1 }
        return UnsafeRawBufferPointer(rebasing: self[s..<e])
    }

    @inline(__always)
    public func slice(_ r: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: self[r]) }

    /// Byte-wise equality with an ASCII literal, ignoring ASCII case.
    @inline(__always)
    public func equalsIgnoringCase(_ s: StaticString) -> Bool {
        guard s.utf8CodeUnitCount == count else { return false }
        let p = s.utf8Start
        for i in 0..<count where ASCII.lower(self[i]) != ASCII.lower(p[i]) { return false }
        return true
    }

    @inline(__always)
    public func equals(_ s: StaticString) -> Bool {
        guard s.utf8CodeUnitCount == count else { return false }
        let p = s.utf8Start
        for i in 0..<count where self[i] != p[i] { return false }
        return true
    }

    @inline(__always)
    public func hasPrefix(_ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard n <= count else { return false }
        let p = s.utf8Start
        for i in 0..<n where self[i] != p[i] { return false }
        return true
    }

    /// Index of the first occurrence of `needle` at or after `from`, or nil.
    public func find(_ needle: StaticString, from: Int = 0) -> Int? {
        let n = needle.utf8CodeUnitCount
        guard n > 0, count >= n else { return nil }
        let p = needle.utf8Start, first = p[0]
        var i = from
        while i <= count - n {
            if self[i] == first {
                var j = 1
                while j < n && self[i + j] == p[j] { j += 1 }
                if j == n { return i }
            }
            i += 1
        }
        return nil
    }

    @inline(__always)
    public func firstIndex(of b: UInt8, from: Int = 0) -> Int? {
        var i = from
        while i < count { if self[i] == b { return i }; i += 1 }
        return nil
    }

    /// A non-negative decimal integer filling the whole slice, or nil.
    @inline(__always)
    public func parseInt() -> Int? {
        guard count > 0, count <= 18 else { return nil }
        var v = 0
        for b in self { guard ASCII.isDigit(b) else { return nil }; v = v * 10 + Int(b - 48) }
        return v
    }

    /// The bytes as a String (for names that leave the hot path: BU names, error messages).
    public var string: String { String(decoding: self, as: UTF8.self) }
}

/// Keyed 64-bit hashes of identifiers (UPNs, GUIDs, account names, meeting ids), folded to
/// lower case so `JDoe@Corp` and `jdoe@corp` are one person.
///
/// Distinct counts compare these hashes instead of the identifiers. The mix is a chain of
/// the SplitMix64 finaliser (a bijection on 64-bit words) over 8-byte words, seeded with a
/// key, which behaves as a random function for our purposes: among n distinct identifiers
/// the chance of any collision is about n²/2⁶⁵ — 7·10⁻¹⁰ for the 160,000 people of a large
/// group, 3·10⁻⁸ for a million meeting ids a day — so counts are exact in practice.
public struct IdentityHasher: Sendable {
    public let key: UInt64
    public init(key: UInt64 = 0x706C_6174_6561_7521) { self.key = key }

    @inline(__always)
    public func hash(_ b: UnsafeRawBufferPointer, lowercase: Bool = true) -> UInt64 {
        var h = splitmix64(key ^ UInt64(b.count))
        var i = 0
        let n = b.count
        while i + 8 <= n {
            var w = b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if lowercase { w = IdentityHasher.lower8(w) }
            h = splitmix64(h ^ w)
            i += 8
        }
        if i < n {
            var w: UInt64 = 0, shift: UInt64 = 0
            while i < n {
                let c = lowercase ? ASCII.lower(b[i]) : b[i]
                w |= UInt64(c) << shift; shift += 8; i += 1
            }
            h = splitmix64(h ^ w ^ 0x8000_0000_0000_0000)
        }
        return h
    }

    /// ASCII lower-casing of 8 bytes at once (SWAR): adds 0x20 to bytes in 'A'...'Z'.
    @inline(__always)
    static func lower8(_ w: UInt64) -> UInt64 {
        let high: UInt64 = 0x8080_8080_8080_8080
        let ones: UInt64 = 0x0101_0101_0101_0101
        let ascii = ~w & high                        // bytes < 0x80
        let geA = (w | high) &- (ones &* 0x41)       // high bit set where byte >= 'A'
        let gtZ = (w | high) &- (ones &* 0x5B)       // high bit set where byte >= '['
        let upper = ascii & geA & ~gtZ & high
        return w | (upper >> 2)
    }

    public func hash(_ s: String) -> UInt64 {
        var s = s
        return s.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }
}
