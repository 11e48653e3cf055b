import Crypto
import Foundation

/// Keyed pseudonyms of people (DESIGN.md, "Privacy by design"): the person key plateau
/// persists is HMAC-SHA256(secret key, normalised identity) cut to 63 bits, the top bit telling
/// directory people (counted for their directory BU) from people known by a log alone.
///
/// Normalised identity: the identifier's bytes lower-cased (ASCII), as `IdentityHasher` folds
/// them — the UPN of a directory person (its user id when the row has no UPN), else the
/// identifier the log carried. The same secret gives the same pseudonym in every run, for every
/// directory file and on every machine; without the secret a pseudonym cannot be tied to a
/// person.
///
/// The HMAC runs once per distinct identity: for directory people when the directory is read,
/// for others through each `Resolver`'s cache keyed by the fast identity hash. With
/// pseudonyms configured, every person key an `Accumulator` holds (facts, sessions,
/// participants, organisers) *is* the pseudonym: a loader (the store, ClickHouse) takes the
/// keys as they are. `pseudonym(ofKey:)` says so in code.
public struct PersonPseudonyms: Sendable {
    /// SymmetricKey is immutable but not marked Sendable: boxed once, shared by every thread.
    private final class KeyBox: @unchecked Sendable {
        let key: SymmetricKey
        /// The HMAC with its key already absorbed: copied (a value) for every identity.
        let keyed: HMAC<SHA256>
        init(_ secret: [UInt8]) { key = SymmetricKey(data: secret); keyed = HMAC<SHA256>(key: key) }
    }
    private let box: KeyBox
    private var key: SymmetricKey { box.key }
    /// A secret 64-bit word derived from the key, for keyed bijections of other 64-bit hashes
    /// (meeting ids, session tags) before they are persisted.
    public let mask: UInt64

    public init(secret: [UInt8]) {
        box = KeyBox(secret)
        let key = box.key
        var m: UInt64 = 0
        for (i, b) in HMAC<SHA256>.authenticationCode(for: Array("plateau mask".utf8), using: key).prefix(8).enumerated() {
            m |= UInt64(b) << (8 * UInt64(i))
        }
        mask = m
    }

    /// The pseudonym of a directory person (top bit set) or of anyone else (top bit clear).
    @inline(__always)
    public func pseudonym(_ identity: UnsafeRawBufferPointer, directory: Bool) -> UInt64 {
        var hmac = box.keyed
        var word = [UInt8](repeating: 0, count: 64)
        var i = 0
        while i < identity.count {
            let n = min(64, identity.count - i)
            for k in 0..<n { word[k] = ASCII.lower(identity[i + k]) }
            word.withUnsafeBytes { hmac.update(data: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            i += n
        }
        let mac = hmac.finalize()
        var v: UInt64 = 0
        for (i, b) in mac.prefix(8).enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        v &= ~Resolver.directoryTag
        return directory ? v | Resolver.directoryTag : v
    }

    public func pseudonym(_ identity: String, directory: Bool) -> UInt64 {
        var s = identity
        return s.withUTF8 { pseudonym(UnsafeRawBufferPointer($0), directory: directory) }
    }

    /// With pseudonyms configured, a person key of an `Accumulator` is already the pseudonym.
    @inline(__always) public func pseudonym(ofKey key: UInt64) -> UInt64 { key }

    /// A keyed bijection of a 64-bit hash (a meeting id, a VPN client address), so what is
    /// persisted cannot be matched against hashes of guessed values without the key.
    @inline(__always) public func masked(_ h: UInt64) -> UInt64 { splitmix64(h ^ mask) }

    /// What a store keeps to recognise its key, never the key: HMAC(key, a fixed text), hex.
    public var checkValue: String {
        HMAC<SHA256>.authenticationCode(for: Array("plateau key check v1".utf8), using: key)
            .prefix(16).map { String(format: "%02x", $0) }.joined()
    }
}

/// Where the secret key comes from: `PLATEAU_KEY` (64 or more hex digits, or base64 of 32
/// bytes or more), else a key file (default `$XDG_DATA_HOME/plateau/key`, i.e.
/// `~/.local/share/plateau/key`, or `PLATEAU_KEY_FILE`) holding 64 hex digits, created with
/// mode 0600 at first use when asked to.
public enum PlateauKey {
    public struct Problem: Error, CustomStringConvertible { public let description: String }

    public static func defaultKeyFile(_ env: [String: String]) -> String {
        if let f = env["PLATEAU_KEY_FILE"], !f.isEmpty { return f }
        return dataDirectory(env) + "/key"
    }

    /// `$XDG_DATA_HOME/plateau`, else `~/.local/share/plateau`.
    public static func dataDirectory(_ env: [String: String]) -> String {
        if let x = env["XDG_DATA_HOME"], x.hasPrefix("/") { return x + "/plateau" }
        let home = env["HOME"] ?? NSHomeDirectory()
        return home + "/.local/share/plateau"
    }

    /// Where the key of this run comes from (for messages).
    public static func source(_ env: [String: String]) -> String {
        env["PLATEAU_KEY"].map { _ in "PLATEAU_KEY" } ?? defaultKeyFile(env)
    }

    /// The key: `PLATEAU_KEY`, else the key file; when neither exists, a new key file if
    /// `create`, else nil.
    public static func load(_ env: [String: String], create: Bool) throws -> PersonPseudonyms? {
        if let text = env["PLATEAU_KEY"] {
            guard let bytes = decode(text) else {
                throw Problem(description: "PLATEAU_KEY must be 64 or more hex digits, or base64 of 32 bytes or more")
            }
            return PersonPseudonyms(secret: bytes)
        }
        let path = defaultKeyFile(env)
        if let data = FileManager.default.contents(atPath: path) {
            guard let bytes = decode(String(decoding: data, as: UTF8.self)) else {
                throw Problem(description: "\(path): not a key (64 or more hex digits, or base64 of 32 bytes or more)")
            }
            return PersonPseudonyms(secret: bytes)
        }
        guard create else { return nil }
        var secret = [UInt8](repeating: 0, count: 32)
        var rng = SystemRandomNumberGenerator()
        for i in secret.indices { secret[i] = UInt8.random(in: 0...255, using: &rng) }
        let dir = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let text = secret.map { String(format: "%02x", $0) }.joined() + "\n"
        // Written whole under a temporary name, then linked into place: two first runs at once
        // agree on one key (the loser reads the winner's), and nobody reads half a key.
        let tmp = path + ".\(getpid()).tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Problem(description: "\(path): cannot create the key file (\(String(cString: strerror(errno))))") }
        let ok = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, text.utf8.count) == text.utf8.count }
        fsync(fd)
        close(fd)
        defer { unlink(tmp) }
        guard ok else { throw Problem(description: "\(path): cannot write the key file") }
        if link(tmp, path) != 0 {
            if errno == EEXIST, let again = try load(env, create: false) { return again }
            throw Problem(description: "\(path): cannot create the key file (\(String(cString: strerror(errno))))")
        }
        return PersonPseudonyms(secret: secret)
    }

    /// Hex (64+ digits) or base64 (32+ bytes).
    static func decode(_ raw: String) -> [UInt8]? {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.count >= 64, text.count % 2 == 0, text.allSatisfy(\.isHexDigit) {
            var out: [UInt8] = []
            var it = text.utf8.makeIterator()
            while let a = it.next(), let b = it.next() {
                out.append(UInt8(String(decoding: [a, b], as: UTF8.self), radix: 16)!)
            }
            return out
        }
        if let d = Data(base64Encoded: text), d.count >= 32 { return [UInt8](d) }
        return nil
    }
}

/// Pseudonyms already computed, by the fast identity hash (uniform 64-bit keys): open
/// addressing, one probe per record, so the HMAC runs once per distinct identity.
struct PseudonymCache {
    private var keys: [UInt64] = []
    private var values: [UInt64] = []
    private var used: [Bool] = []
    private var mask = -1
    private var count = 0

    @inline(__always)
    subscript(h: UInt64) -> UInt64? {
        get {
            guard mask >= 0 else { return nil }
            var i = Int(truncatingIfNeeded: h) & mask
            while used[i] {
                if keys[i] == h { return values[i] }
                i = (i + 1) & mask
            }
            return nil
        }
        set {
            guard let v = newValue else { return }
            if (count + 1) * 2 > keys.count { grow() }
            var i = Int(truncatingIfNeeded: h) & mask
            while used[i] {
                if keys[i] == h { values[i] = v; return }
                i = (i + 1) & mask
            }
            keys[i] = h; values[i] = v; used[i] = true
            count += 1
        }
    }

    private mutating func grow() {
        let (k, v, u) = (keys, values, used)
        let n = max(1024, keys.count * 2)
        keys = [UInt64](repeating: 0, count: n); values = keys; used = [Bool](repeating: false, count: n)
        mask = n - 1; count = 0
        for i in u.indices where u[i] { self[k[i]] = v[i] }
    }
}
