import Foundation
import Testing
@testable import PlateauCore

/// The fact tables against plain `Set`s: inserts, merges and the parallel counting of the
/// rollups must give what a brute-force count of distinct people gives, on any number of threads.
struct FactSetTests {
    struct Fact2: Hashable { var group: UInt32; var person: UInt64 }

    /// Random facts over few groups, with directory-style keys (small indexes under the tag),
    /// hashed keys, and keys that differ in one half only (the slot compares both halves).
    func randomFacts(_ n: Int, seed: UInt64) -> [Fact2] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { _ in
            let group = Fact.group(Metric.allCases[Int(rng.next() % 4)], bu: UInt16(1 + rng.next() % 5), day: 18_300 + Int(rng.next() % 9))
            let person: UInt64
            switch rng.next() % 3 {
            case 0: person = Resolver.directoryTag | (rng.next() % 2_000)
            case 1: person = rng.next() % 3_000 &* 0x1_0000_0001
            default: person = rng.next() & ~Resolver.directoryTag
            }
            return Fact2(group: group, person: person)
        }
    }

    @Test func insertsAndLookupsAgreeWithASet() {
        let facts = randomFacts(60_000, seed: 1)
        var set = FactSet(capacity: 0)
        var reference = Set<Fact2>()
        for f in facts {
            #expect(set.insert(group: f.group, person: f.person) == reference.insert(f).inserted)
        }
        #expect(set.count == reference.count)
        var seen = Set<Fact2>()
        set.forEach { g, p in seen.insert(Fact2(group: g, person: p)) }
        #expect(seen == reference)
        for f in randomFacts(2_000, seed: 2) {
            #expect(set.contains(group: f.group, person: f.person) == reference.contains(f))
        }
    }

    @Test func eachPersonLivesInOneShard() {
        var set = FactSet(capacity: 0)
        for f in randomFacts(20_000, seed: 3) { set.insert(group: f.group, person: f.person) }
        var shardOf: [UInt64: Int] = [:]
        var used = Set<Int>()
        for (i, shard) in set.shards.enumerated() {
            shard.forEach { _, p in
                #expect(shardOf[p, default: i] == i)
                shardOf[p] = i
                used.insert(i)
            }
        }
        // Directory indexes 0 … 1999 under one tag still spread over every shard.
        #expect(used.count == FactSet.shardCount)
    }

    @Test(arguments: [1, 2, 5])
    func aMergeOnAnyNumberOfThreadsIsTheUnion(workers: Int) {
        let a = randomFacts(30_000, seed: 4), b = randomFacts(50_000, seed: 5)
        var x = FactSet(capacity: 0), y = FactSet(capacity: 0)
        for f in a { x.insert(group: f.group, person: f.person) }
        for f in b { y.insert(group: f.group, person: f.person) }
        x.formUnion(consuming: &y, workers: workers)
        let reference = Set(a).union(b)
        var seen = Set<Fact2>()
        x.forEach { g, p in seen.insert(Fact2(group: g, person: p)) }
        #expect(seen == reference && x.count == reference.count)
        #expect(y.count == 0)
    }

    @Test func groupCountsCountEveryGroup() {
        var rng = SplitMix64(seed: 6)
        var counts = GroupCounts(capacity: 4)
        var reference: [UInt32: Int] = [:]
        for _ in 0..<50_000 {
            let g = UInt32(1 + rng.next() % 5_000) << 3
            counts.add(g)
            reference[g, default: 0] += 1
        }
        var seen: [UInt32: Int] = [:]
        counts.forEach { seen[$0] = $1 }
        #expect(seen == reference && counts.count == reference.count)
    }

    /// The rollups' distinct counts — per cell, remote.users as the union of proxy remote users
    /// and session users, and ALL with people seen in several BUs counted once — against sets.
    @Test(arguments: [1, 2, 3])
    func rollupCountsAreDistinctPeopleOnAnyNumberOfThreads(workers: Int) {
        let units = BusinessUnits()
        let bus = ["France", "Spain", "Italy"].map { units.id($0) }
        let acc = Accumulator()
        var rng = SplitMix64(seed: 7)
        let day0 = 18_330
        var cells: [String: Set<UInt64>] = [:]
        func add(_ m: Metric, _ bu: UInt16, _ day: Int, _ p: UInt64) {
            cells["\(m.rawValue) \(bu) \(day)", default: []].insert(p)
            cells["\(m.rawValue) \(BusinessUnits.all) \(day)", default: []].insert(p)
        }
        for _ in 0..<40_000 {
            let inDirectory = rng.next() % 2 == 0
            let key = inDirectory ? Resolver.directoryTag | rng.next() % 3_000 : 1 + rng.next() % 3_000
            // A directory person has one BU; a person known by a log's department may have several.
            let bu = inDirectory ? bus[Int(key % 3)] : bus[Int(rng.next() % 3)]
            let day = day0 + Int(rng.next() % 5)
            let metric: Metric = rng.next() % 2 == 0 ? .proxyUsers : .proxyRemoteUsers
            acc.user(metric, day: day, Person(key: key, bu: bu))
            add(metric, bu, day, key)
            if metric == .proxyRemoteUsers { add(.remoteUsers, bu, day, key) }
        }
        // VPN sessions of some of the same people: they join remote.users without counting twice.
        let t0 = Int64(day0) * 86_400
        for i in 0..<500 {
            let key = Resolver.directoryTag | UInt64(i * 5 % 3_000)
            let bu = bus[Int(key % 3)]
            let day = day0 + i % 5
            let start = t0 + Int64(i % 5) * 86_400 + 3_600
            acc.session(.vpn, SessionFact(person: key, bu: bu, start: start, end: start + 600))
            add(.vpnUsers, bu, day, key)
            add(.remoteUsers, bu, day, key)
        }
        var settings = IngestSettings()
        settings.timezone = .utc
        let result = IngestResult(inputs: [], accumulator: acc, units: units, directory: Directory(hasher: settings.hasher), settings: settings)
        let rollups = RollupBuilder.build(result, preservingFacts: true, workers: workers)
        var checked = 0
        for (cell, people) in cells {
            let parts = cell.split(separator: " ")
            let m = Metric(rawValue: String(parts[0]))!
            #expect(rollups.values[m]?[UInt16(parts[1])!]?[Int(parts[2])!] == Double(people.count), "\(cell)")
            checked += 1
        }
        #expect(checked > 60)
        // Built again from the same accumulator (a live ingest does): the same numbers.
        let again = RollupBuilder.build(result, preservingFacts: true, workers: workers)
        #expect(again.values == rollups.values)
    }
}
