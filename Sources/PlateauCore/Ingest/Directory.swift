#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization

/// Raw pointers handed to `concurrentPerform` workers that write disjoint parts.
struct UnsafeMutableSendablePointer<T>: @unchecked Sendable { let pointer: UnsafeMutablePointer<T>; init(_ p: UnsafeMutablePointer<T>) { pointer = p } }
struct UnsafeSendableRawBuffer: @unchecked Sendable { let buffer: UnsafeRawBufferPointer; init(_ b: UnsafeRawBufferPointer) { buffer = b } }

/// Business units by small integer id. Ids are handed out under a lock as names are first
/// seen (directory rows first, then departments carried by logs), and are stable for one run.
public final class BusinessUnits: Sendable {
    public static let all: UInt16 = 0
    public static let unassigned: UInt16 = 1
    public static let allName = "ALL"
    public static let unassignedName = "UNASSIGNED"
    public static let maxUnits = 4096

    private let state = Mutex<(names: [String], ids: [String: UInt16])>(
        ([allName, unassignedName], [allName: 0, unassignedName: 1]))

    public init() {}

    /// The id of a BU name (trimmed; an empty name is UNASSIGNED).
    public func id(_ name: String) -> UInt16 {
        var n = name.trimmingSpaces
        if n.isEmpty { return BusinessUnits.unassigned }
        // A unit literally called ALL must not merge with the whole-group series.
        if n == BusinessUnits.allName { n = "ALL (business unit)" }
        return state.withLock { s in
            if let id = s.ids[n] { return id }
            // Ids fit 12 bits (see Fact.group): past 4,094 names, further ones share one unit.
            if s.names.count >= BusinessUnits.maxUnits - 1 {
                let overflow = "OTHER (more than \(BusinessUnits.maxUnits - 2) business units)"
                if let id = s.ids[overflow] { return id }
                let id = UInt16(s.names.count)
                s.names.append(overflow); s.ids[overflow] = id
                return id
            }
            let id = UInt16(s.names.count)
            s.names.append(n)
            s.ids[n] = id
            return id
        }
    }

    public func name(_ id: UInt16) -> String { state.withLock { $0.names[Int(id)] } }
    public var names: [String] { state.withLock { $0.names } }
    public var count: Int { state.withLock { $0.names.count } }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s.removeLast() }
        return String(s)
    }
}

/// Who is who: identifiers (GUIDs and UPNs, case-insensitive) to a person and a BU, built
/// from directory rows. Read-only once built, shared by every parser thread.
public struct Directory: Sendable {
    public struct Entry: Sendable, Equatable { public var person: UInt32; public var bu: UInt16 }

    public private(set) var byIdentifier = IdentityMap()
    /// UPN local parts (before `@`) for bare VPN account names; a local part two people
    /// share is ambiguous and maps to neither.
    public private(set) var byLocalPart = IdentityMap()
    private var ambiguousLocalParts: Set<UInt64> = []
    /// Display names, for reports that name people only (Teams attendance lists); a name two
    /// people share is ambiguous and maps to neither.
    public private(set) var byDisplayName = IdentityMap()
    private var ambiguousDisplayNames: Set<UInt64> = []
    public private(set) var people = 0
    public let hasher: IdentityHasher
    /// With a key configured: every person's pseudonym, by directory index (computed once,
    /// as the row is read).
    public let pseudonyms: PersonPseudonyms?
    public private(set) var personKeys: [UInt64] = []
    /// Identities (lower-cased UPN, else user id) of the people whose pseudonym is still to be
    /// computed: `finishPseudonyms` runs the HMACs on every core once the directory is read.
    private var pendingBytes: [UInt8] = []
    private var pendingEnds: [Int] = []

    public init(hasher: IdentityHasher, pseudonyms: PersonPseudonyms? = nil) {
        self.hasher = hasher
        self.pseudonyms = pseudonyms
    }

    /// Adds one directory row. Both keys name the same person; a key already known keeps its
    /// first row (a later duplicate row adds nothing).
    public mutating func add(userID: Bytes?, upn: Bytes?, bu: UInt16, displayName: Bytes? = nil) {
        let idKey = userID.flatMap { $0.count > 0 ? hasher.hash($0) : nil }
        let upnKey = upn.flatMap { $0.count > 0 ? hasher.hash($0) : nil }
        let name = displayName?.trimmed()
        let nameKey = name.flatMap { $0.count > 0 ? hasher.hash($0) : nil }
        let localKey = upn.flatMap { u in u.firstIndex(of: ASCII.at).flatMap { $0 > 0 ? hasher.hash(u.slice(0..<$0)) : nil } }
        // The row's slots of the three maps, asked for together: each is a cache (and TLB) miss
        // in tables of a few MiB, and one after another they were most of reading the
        // directory, which every other input waits for (issue 15).
        if let k = idKey { byIdentifier.prefetch(k) }
        if let k = upnKey { byIdentifier.prefetch(k) }
        if let k = nameKey { byDisplayName.prefetch(k) }
        if let k = localKey { byLocalPart.prefetch(k) }
        let existing = idKey.flatMap { byIdentifier[$0] } ?? upnKey.flatMap { byIdentifier[$0] }
        let entry = existing ?? Entry(person: UInt32(truncatingIfNeeded: people), bu: bu)
        if existing == nil {
            people += 1
            if pseudonyms != nil {
                if let identity = (upn?.count ?? 0) > 0 ? upn : userID { pendingBytes.append(contentsOf: identity) }
                pendingEnds.append(pendingBytes.count)
            }
        }
        if let k = idKey, byIdentifier[k] == nil { byIdentifier[k] = entry }
        if let k = upnKey, byIdentifier[k] == nil { byIdentifier[k] = entry }
        if let h = nameKey {
            if !ambiguousDisplayNames.contains(h) {
                if let other = byDisplayName[h], other.person != entry.person {
                    byDisplayName[h] = nil
                    ambiguousDisplayNames.insert(h)
                } else {
                    byDisplayName[h] = entry
                }
            }
        }
        if let local = localKey {
            if ambiguousLocalParts.contains(local) { return }
            if let other = byLocalPart[local], other.person != entry.person {
                byLocalPart[local] = nil
                ambiguousLocalParts.insert(local)
            } else {
                byLocalPart[local] = entry
            }
        }
    }

    @inline(__always)
    public func lookup(_ identifier: Bytes) -> Entry? { byIdentifier[hasher.hash(identifier)] }

    /// Computes the pseudonyms of the people added since the last call, in parallel. Called
    /// once the directory files are read (a `Resolver` made before would compute them alone).
    public mutating func finishPseudonyms(workers: Int = max(1, System.coreCount)) {
        guard let pseudonyms, !pendingEnds.isEmpty else { return }
        let base = personKeys.count
        let ends = pendingEnds, bytes = pendingBytes
        var keys = [UInt64](repeating: 0, count: ends.count)
        let chunk = max(1024, (ends.count + workers - 1) / workers)
        keys.withUnsafeMutableBufferPointer { out in
            let out = UnsafeMutableSendablePointer(out.baseAddress!)
            bytes.withUnsafeBytes { raw in
                let raw = UnsafeSendableRawBuffer(raw)
                DispatchQueue.concurrentPerform(iterations: (ends.count + chunk - 1) / chunk) { c in
                    for i in (c * chunk)..<min(ends.count, (c + 1) * chunk) {
                        let start = i == 0 ? 0 : ends[i - 1]
                        out.pointer[i] = pseudonyms.pseudonym(UnsafeRawBufferPointer(rebasing: raw.buffer[start..<ends[i]]), directory: true)
                    }
                }
            }
        }
        personKeys.append(contentsOf: keys)
        _ = base
        pendingBytes = []; pendingEnds = []
    }
}

/// A person as the aggregates see them: a 64-bit key, and the BU they count for.
public struct Person: Sendable, Equatable {
    public var key: UInt64
    public var bu: UInt16
}

/// Resolves log identities to people (FORMATS.md §1): the directory by GUID or UPN
/// (case-insensitive), bare account names by UPN local part, then the log's own department,
/// then UNASSIGNED. One per parser thread: it memoises the departments of log lines
/// (`DepartmentMemo`) and, with a key, the people outside the directory (`ResolutionMemo`).
/// Not `Sendable`: a resolver stays on the thread that made it.
public final class Resolver {
    public let directory: Directory
    public let units: BusinessUnits
    private var departments: [UInt64: UInt16] = [:]
    /// Pseudonyms of people outside the directory, by the fast hash of their identifier.
    private var outsiders = PseudonymCache()
    /// This thread's people outside the directory by login hash (with a key only), and the
    /// departments their BUs came from.
    private(set) var memo: ResolutionMemo
    private(set) var departmentMemo = DepartmentMemo()
    /// Departments by their exact bytes (`DepartmentMemo`) rather than `bu(named:)` each line.
    private let fastDepartments: Bool

    /// Most slots of each resolver's memo of people outside the directory, with a key (24 bytes
    /// each: it grows with the people met up to 2^18 slots, 6 MiB, and holds up to 131,072 of
    /// them per thread before it starts again). `PLATEAU_RESOLVE_MEMO` sets another bound, or
    /// 0: no memos at all, every line resolved the long way as before them (a benchmark knob).
    ///
    /// Measured on the narrow NSS set (Tests/bench/resolve_memo.sh), a memo only pays where it
    /// replaces more than it costs. A probe of any per-person table costs a cache miss per line
    /// once it holds a large group (about 130 ns here): the directory is one such probe,
    /// shared by every thread, so a per-thread memo in front of it made directory people
    /// slower (+10 % resolver time), not faster. Without a key an outsider's key is the hash
    /// already computed, and only the department is worth memoising (`DepartmentMemo`: −31 to
    /// −45 % resolver time); with a key the memo replaces the pseudonym cache's probe and the
    /// department lookup (−5 %).
    public static let memoSlots: Int = {
        if let v = getenv("PLATEAU_RESOLVE_MEMO"), let n = Int(String(cString: v)), n >= 0 { return n }
        return 1 << 18
    }()

    public init(directory: Directory, units: BusinessUnits, memoSlots: Int = Resolver.memoSlots) {
        var d = directory
        d.finishPseudonyms(workers: 1)  // nothing to do when the directory's reader finished them
        self.directory = d
        self.units = units
        memo = ResolutionMemo(maxSlots: d.pseudonyms != nil ? memoSlots : 0)
        fastDepartments = memoSlots > 0
    }

    /// Directory people are keyed by their directory index (tagged in the top bit); others by
    /// the hash of their identifier. With a key configured, both are pseudonyms instead
    /// (`PersonPseudonyms`), the top bit still telling directory people apart.
    @inline(__always)
    func key(_ e: Directory.Entry) -> UInt64 {
        directory.pseudonyms == nil ? Resolver.directoryTag | UInt64(e.person) : directory.personKeys[Int(e.person)]
    }
    public static let directoryTag: UInt64 = 0x8000_0000_0000_0000

    /// The key of someone outside the directory, from their identifier and its fast hash.
    @inline(__always)
    func outsider(_ identifier: Bytes, _ h: UInt64) -> UInt64 {
        guard let p = directory.pseudonyms else { return h & 0x7FFF_FFFF_FFFF_FFFF }
        if let k = outsiders[h] { return k }
        let k = p.pseudonym(identifier, directory: false)
        outsiders[h] = k
        return k
    }

    @inline(__always)
    public func resolve(_ identifier: Bytes, department: Bytes? = nil) -> Person {
        resolve(identifier, hash: directory.hasher.hash(identifier), department: department)
    }

    /// The identity hash `resolve` looks a login up by.
    @inline(__always)
    public func hash(_ identifier: Bytes) -> UInt64 { directory.hasher.hash(identifier) }

    /// Asks for the table slots `resolve` of an identifier hashing to `h` will read (the
    /// directory's, and the memo's of people outside it), a few lines ahead (`UserPipeline`).
    @inline(__always)
    public func prefetch(_ h: UInt64) {
        directory.byIdentifier.prefetch(h)
        if memo.isEnabled { memo.prefetch(h) }
    }

    /// `resolve(_:department:)` of an identifier whose `hash(_:)` is `h`.
    @inline(__always)
    public func resolve(_ identifier: Bytes, hash h: UInt64, department: Bytes? = nil) -> Person {
        if let e = directory.byIdentifier[h] { return Person(key: key(e), bu: e.bu) }
        if memo.isEnabled { return memoisedOutsider(identifier, h, department) }
        guard let department else { return Person(key: outsider(identifier, h), bu: BusinessUnits.unassigned) }
        return Person(key: outsider(identifier, h), bu: fastDepartments ? departmentEntry(department).bu : bu(named: department))
    }

    /// Someone outside the directory, through the memo: their key (a pseudonym) as memoised,
    /// and the BU memoised with it when the line carries the same department bytes (or, again,
    /// none).
    @inline(__always)
    private func memoisedOutsider(_ identifier: Bytes, _ h: UInt64, _ department: Bytes?) -> Person {
        typealias A = ResolutionMemo.Answer
        guard let a = memo.find(h) else {
            let k = outsider(identifier, h)
            return memoise(h, k, department)
        }
        if let department {
            if a.department < A.noDepartment && departmentMemo.equals(Int(a.department), department) { return a.person }
        } else if a.department == A.noDepartment {
            return a.person
        }
        return memoise(h, a.key, department)   // the same person, another department
    }

    /// Memoises outsider `h`'s key `k` with the BU of `department`; returns the person.
    @inline(never)
    private func memoise(_ h: UInt64, _ k: UInt64, _ department: Bytes?) -> Person {
        typealias A = ResolutionMemo.Answer
        guard let department else {
            memo.store(h, A(key: k, bu: BusinessUnits.unassigned, department: A.noDepartment))
            return Person(key: k, bu: BusinessUnits.unassigned)
        }
        let (j, bu) = departmentEntry(department)
        // (Past `departmentLimit` distinct department strings, new ones are not memoised.)
        if let j { memo.store(h, A(key: k, bu: bu, department: UInt16(j))) }
        return Person(key: k, bu: bu)
    }

    /// The BU of a log's department, through this thread's `DepartmentMemo` (its index there
    /// too; nil past `departmentLimit` distinct strings).
    @inline(__always)
    private func departmentEntry(_ raw: Bytes) -> (index: Int?, bu: UInt16) {
        if let j = departmentMemo.last(raw) { return (j, departmentMemo.units[j]) }
        return departmentEntrySlowly(raw)
    }

    @inline(never)
    private func departmentEntrySlowly(_ raw: Bytes) -> (index: Int?, bu: UInt16) {
        let dh = directory.hasher.hash(raw, lowercase: false)
        if let j = departmentMemo.index(of: raw, hash: dh) { return (j, departmentMemo.units[j]) }
        let bu = bu(named: raw)
        return (departmentMemo.add(raw, hash: dh, bu: bu), bu)
    }

    /// Tries each identifier in turn (e.g. a `User Id` then a `User Principal Name`).
    public func resolve(any identifiers: [Bytes], department: Bytes? = nil) -> Person? {
        for id in identifiers where id.count > 0 {
            if let e = directory.lookup(id) { return Person(key: key(e), bu: e.bu) }
        }
        guard let first = identifiers.first(where: { $0.count > 0 }) else { return nil }
        return resolve(first, department: department)
    }

    /// A VPN account name: a whole UPN, else a UPN's local part.
    public func resolveAccount(_ name: Bytes) -> Person {
        let h = directory.hasher.hash(name)
        if let e = directory.byIdentifier[h] { return Person(key: key(e), bu: e.bu) }
        if name.firstIndex(of: ASCII.at) == nil, let e = directory.byLocalPart[h] {
            return Person(key: key(e), bu: e.bu)
        }
        // (Outside the directory, an account is UNASSIGNED whatever the memo holds: only its key.)
        if memo.isEnabled { return Person(key: memo.find(h)?.key ?? memoise(h, outsider(name, h), nil).key, bu: BusinessUnits.unassigned) }
        return Person(key: outsider(name, h), bu: BusinessUnits.unassigned)
    }

    /// A person named only by their display name (a Teams attendance list): an identifier the
    /// directory knows, else a display name one directory person has, else someone outside.
    public func resolveName(_ name: Bytes) -> Person {
        let h = directory.hasher.hash(name)
        if let e = directory.byIdentifier[h] ?? directory.byDisplayName[h] { return Person(key: key(e), bu: e.bu) }
        return resolve(name)
    }

    /// The one directory person with this display name, or nil.
    public func displayNamed(_ name: Bytes) -> Person? {
        directory.byDisplayName[directory.hasher.hash(name)].map { Person(key: key($0), bu: $0.bu) }
    }

    /// The BU of a department name carried by a log line.
    public func bu(named name: Bytes) -> UInt16 {
        let t = name.trimmed()
        if t.count == 0 || t.equalsIgnoringCase("unknown") || t.equalsIgnoringCase("not available")
            || t.equalsIgnoringCase("none") || t.equalsIgnoringCase("n/a") { return BusinessUnits.unassigned }
        let h = directory.hasher.hash(t, lowercase: false)
        if let id = departments[h] { return id }
        let id = units.id(t.string)
        departments[h] = id
        return id
    }
}
