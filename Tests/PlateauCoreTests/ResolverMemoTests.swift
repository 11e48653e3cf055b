import Testing
@testable import PlateauCore

/// The resolver's per-thread memos (`ResolutionMemo` for people outside the directory when a
/// key is configured, `DepartmentMemo` for the departments of log lines) answer what the
/// lookup answers, line after line, and stay bounded. Each test runs a resolver without memos
/// (`memoSlots: 0`, the code as it was) and resolvers with them (a small memo that keeps
/// emptying itself, and a large one) side by side on the same queries, sharing the business
/// units so that BU ids are handed out in the same order.
@Suite struct ResolverMemoTests {
    enum Query: CustomStringConvertible {
        case login(String, department: String?)
        case account(String)
        var description: String {
            switch self {
            case .login(let l, let d): return "resolve(\(l), department: \(d.map { "'\($0)'" } ?? "nil"))"
            case .account(let a): return "resolveAccount(\(a))"
            }
        }
    }

    /// People in the directory (GUID, UPN in any case, local parts shared or not), people in none.
    static let rows: [(id: String?, upn: String?, bu: String)] = [
        ("0b7f6c1e-1111-4aaa-8bbb-000000000001", "ann.lee@corp.example", "Finance"),
        ("0b7f6c1e-2222-4aaa-8bbb-000000000002", "BOB.RAY@CORP.EXAMPLE", "Sales"),
        (nil, "cy.ng@corp.example", "Sales"),
        ("0b7f6c1e-4444-4aaa-8bbb-000000000004", nil, "Legal"),
        // The same local part in two domains: a bare `dee` is ambiguous (neither of them).
        ("0b7f6c1e-5555-4aaa-8bbb-000000000005", "dee@corp.example", "Finance"),
        ("0b7f6c1e-6666-4aaa-8bbb-000000000006", "dee@other.example", "Legal"),
    ]

    /// Every kind of query, each asked several times in a shuffled order.
    static func queries(seed: UInt64) -> [Query] {
        var q: [Query] = []
        let departments: [String?] = [nil, "Finance", " Finance ", "finance", "Research", "unknown", "N/A", "", "Sales", "Ops\t"]
        for login in ["ann.lee@corp.example", "ANN.LEE@Corp.Example", "0B7F6C1E-1111-4AAA-8BBB-000000000001", "bob.ray@corp.example",
                      "0b7f6c1e-2222-4aaa-8bbb-000000000002", "Cy.Ng@corp.example", "0b7f6c1e-4444-4aaa-8bbb-000000000004"] {
            for d in departments { q.append(.login(login, department: d)) }   // the directory wins whatever the department
        }
        for login in ["zoe@corp.example", "ZOE@corp.example", "yan@elsewhere.example", "guest_1234", "ann.lee"] {
            for d in departments { q.append(.login(login, department: d)) }   // the department, else UNASSIGNED
        }
        for name in ["ann.lee", "ANN.LEE", "bob.ray", "cy.ng", "dee", "zoe", "ann.lee@corp.example", "BOB.RAY@corp.example",
                     "0b7f6c1e-4444-4aaa-8bbb-000000000004", "nobody", "nobody@corp.example"] {
            q.append(.account(name))
        }
        // The same bytes asked as a login and as an account name, in turn.
        for _ in 0..<3 { q.append(.login("ann.lee", department: "Research")); q.append(.account("ann.lee")) }
        var all: [Query] = []
        for _ in 0..<4 { all += q }
        var g = SplitMix(seed)
        for i in stride(from: all.count - 1, to: 0, by: -1) { all.swapAt(i, Int(g.next() % UInt64(i + 1))) }
        return all
    }

    struct SplitMix { var s: UInt64; init(_ s: UInt64) { self.s = s }; mutating func next() -> UInt64 { s &+= 0x9E37_79B9_7F4A_7C15; return splitmix64(s) } }

    static func directory(_ units: BusinessUnits, pseudonyms: PersonPseudonyms?, people: Bool = true) -> Directory {
        var d = Directory(hasher: IdentityHasher(), pseudonyms: pseudonyms)
        for r in rows where people {
            var id = Array((r.id ?? "").utf8), upn = Array((r.upn ?? "").utf8)
            id.withUnsafeBytes { i in upn.withUnsafeBytes { u in d.add(userID: r.id == nil ? nil : i, upn: r.upn == nil ? nil : u, bu: units.id(r.bu)) } }
        }
        d.finishPseudonyms(workers: 1)
        return d
    }

    static func ask(_ r: Resolver, _ q: Query) -> Person {
        switch q {
        case .login(let l, let d):
            var lb = Array(l.utf8)
            return lb.withUnsafeBytes { lr in
                guard let d else { return r.resolve(lr) }
                var db = Array(d.utf8)
                return db.withUnsafeBytes { r.resolve(lr, department: $0) }
            }
        case .account(let a):
            var ab = Array(a.utf8)
            return ab.withUnsafeBytes { r.resolveAccount($0) }
        }
    }

    /// With a key (pseudonyms) a resolver memoises the people outside the directory; without,
    /// a login's key is its hash and only departments are memoised: the same answers.
    @Test(arguments: [false, true], [false, true])
    func memoisedAnswersAreTheLookupsAnswers(directory: Bool, pseudonyms: Bool) {
        let units = BusinessUnits()
        let d = Self.directory(units, pseudonyms: pseudonyms ? Self.key : nil, people: directory)
        let plain = Resolver(directory: d, units: units, memoSlots: 0)
        let tiny = Resolver(directory: d, units: units, memoSlots: 16)
        let big = Resolver(directory: d, units: units, memoSlots: 1 << 12)
        #expect(!plain.memo.isEnabled && tiny.memo.isEnabled == pseudonyms && big.memo.isEnabled == pseudonyms)
        for q in Self.queries(seed: (directory ? 2 : 1) + (pseudonyms ? 4 : 0)) {
            let want = Self.ask(plain, q)
            #expect(Self.ask(tiny, q) == want, "\(q)")
            #expect(Self.ask(big, q) == want, "\(q)")
        }
        #expect((tiny.memo.resets > 0) == pseudonyms)
        // One answer per distinct hash of someone outside the directory: with it, 4 logins and
        // 4 account names (UPNs in any case are one each); without, all 16.
        #expect(big.memo.resets == 0 && big.memo.count == (pseudonyms ? (directory ? 8 : 16) : 0))
        #expect(plain.departmentMemo.count == 0 && big.departmentMemo.count == 9)   // nil is not a department
    }

    static let key = PersonPseudonyms(secret: Array(repeating: 9, count: 32))

    /// What the lookup answers, spelled out: so that both paths cannot be wrong together.
    @Test(arguments: [false, true])
    func theAnswersThemselves(pseudonyms: Bool) {
        let units = BusinessUnits()
        let d = Self.directory(units, pseudonyms: pseudonyms ? Self.key : nil)
        let r = Resolver(directory: d, units: units, memoSlots: 64)
        for _ in 0..<3 {
            let ann = Self.ask(r, .login("ann.lee@corp.example", department: "Sales"))
            #expect(ann.bu == units.id("Finance") && ann.key & Resolver.directoryTag != 0)
            #expect(Self.ask(r, .login("ANN.LEE@CORP.EXAMPLE", department: nil)) == ann)          // UPNs ignore case
            #expect(Self.ask(r, .login("0B7F6C1E-1111-4AAA-8BBB-000000000001", department: nil)) == ann)   // GUIDs too
            #expect(Self.ask(r, .login("0b7f6c1e-2222-4aaa-8bbb-000000000002", department: nil)) == Self.ask(r, .login("bob.ray@corp.example", department: nil)))
            // Outside the directory: the line's department, each line its own; else UNASSIGNED.
            let zoeFinance = Self.ask(r, .login("zoe@corp.example", department: "Finance"))
            let zoeResearch = Self.ask(r, .login("ZOE@corp.example", department: "Research"))
            #expect(zoeFinance.bu == units.id("Finance") && zoeResearch.bu == units.id("Research"))
            #expect(zoeFinance.key == zoeResearch.key && zoeFinance.key & Resolver.directoryTag == 0)
            #expect(Self.ask(r, .login("zoe@corp.example", department: " Finance ")).bu == units.id("Finance"))
            #expect(Self.ask(r, .login("zoe@corp.example", department: "unknown")).bu == BusinessUnits.unassigned)
            #expect(Self.ask(r, .login("zoe@corp.example", department: nil)).bu == BusinessUnits.unassigned)
            #expect(Self.ask(r, .login("zoe@corp.example", department: "Finance")).bu == units.id("Finance"))
            // Bare account names: by UPN local part, unless two people share it.
            #expect(Self.ask(r, .account("ANN.LEE")) == ann)
            #expect(Self.ask(r, .account("cy.ng")).bu == units.id("Sales"))
            #expect(Self.ask(r, .account("dee")).bu == BusinessUnits.unassigned)
            #expect(Self.ask(r, .account("dee@other.example")).bu == units.id("Legal"))
            // A bare name asked as a login is not looked up by local part.
            #expect(Self.ask(r, .login("ann.lee", department: "Research")).bu == units.id("Research"))
            #expect(Self.ask(r, .account("ann.lee")) == ann)
        }
    }

    /// However many people a thread meets, the memo holds at most half its slots.
    @Test func staysBounded() {
        let units = BusinessUnits()
        let d = Self.directory(units, pseudonyms: Self.key)
        let plain = Resolver(directory: d, units: units, memoSlots: 0)
        let r = Resolver(directory: d, units: units, memoSlots: 256)
        #expect(r.memo.limit == 128)
        var most = 0
        for round in 0..<2 {
            for i in 0..<5_000 {
                let q = Query.login("user\(i)@corp.example", department: i % 3 == 0 ? nil : "Dept \(i % 7)")
                #expect(Self.ask(r, q) == Self.ask(plain, q), "round \(round), \(q)")
                most = max(most, r.memo.count)
            }
        }
        #expect(most == 128 && r.memo.resets >= 70)
        #expect(r.departmentMemo.count == 7)
    }

    /// Outsiders met again are answered from the memo: once memoised, an answer is found by the
    /// login's hash alone, and holds the pseudonym and the department's BU; directory people
    /// are not memoised (the directory is one probe already).
    @Test func secondSightingsComeFromTheMemo() {
        let units = BusinessUnits()
        let d = Self.directory(units, pseudonyms: Self.key)
        let r = Resolver(directory: d, units: units, memoSlots: 1 << 10)
        let logins = (0..<100).map { "person\($0)@corp.example" } + ["ann.lee@corp.example", "BOB.RAY@corp.example"]
        for l in logins { _ = Self.ask(r, .login(l, department: "Finance")) }
        #expect(r.memo.count == 100)
        for l in logins { _ = Self.ask(r, .login(l, department: "Finance")) }
        #expect(r.memo.count == 100)   // nothing new: every second sighting was a hit
        var bytes = Array("person7@corp.example".utf8)
        let h = bytes.withUnsafeBytes { IdentityHasher().hash($0) }
        #expect(r.memo.find(h) == ResolutionMemo.Answer(key: Self.key.pseudonym("person7@corp.example", directory: false),
                                                         bu: units.id("Finance"), department: 0))
    }

    @Test func memoBasics() {
        typealias A = ResolutionMemo.Answer
        var m = ResolutionMemo(maxSlots: 20, initialSlots: 16)   // at most 32 slots, 16 at first
        #expect(m.limit == 16 && m.slots == 16)
        let a = A(key: 5, bu: 7, department: 3)
        #expect(a.bu == 7 && a.department == 3 && a.person == Person(key: 5, bu: 7))
        let b = A(key: 0x7FFF_FFFF_FFFF_FFFF, bu: 4095, department: A.noDepartment)
        #expect(b.key == 0x7FFF_FFFF_FFFF_FFFF && b.bu == 4095 && b.department == A.noDepartment)
        m.store(0, a)
        #expect(m.find(0) == nil && m.count == 0)   // a hash of 0 marks an empty slot: not memoised
        m.store(42, a); m.store(42, b)
        #expect(m.find(42) == b && m.count == 1)
        let hashes = (1...16 as ClosedRange<UInt64>).map { $0 &* 0x9E37_79B9_7F4A_7C15 }
        for h in hashes.prefix(8) { m.store(h, a) }
        // Grown to 32 slots, everything still there.
        #expect(m.slots == 32 && m.count == 9 && m.find(42) == b && hashes.prefix(8).allSatisfy { m.find($0) == a })
        for h in hashes.dropFirst(8) { m.store(h, a) }
        #expect(m.count <= 16 && m.resets == 1 && m.slots == 32)
        #expect(ResolutionMemo(maxSlots: 0).find(42) == nil && !ResolutionMemo(maxSlots: 0).isEnabled)
    }
}
