import Testing
@testable import PlateauCore

/// The meetings' open-addressing table and the rollups' meeting grid, against the plain
/// `Dictionary` code they replace (issue 15).
@Suite struct MeetingTableTests {
    static func fact(_ rng: inout SplitMix64, days: Int = 40, bus: Int = 30) -> MeetingFact {
        MeetingFact(day: Int32(18_300 + Int(rng.next() % UInt64(days))), bu: UInt16(1 + rng.next() % UInt64(bus)),
                    seconds: Int32(rng.next() % 7200), participants: Int32(1 + rng.next() % 300), start: Int64(rng.next() % 1_000_000))
    }

    /// Inserts, duplicates (keeping the most participants), the key 0, growth from the smallest
    /// table: the same contents as a dictionary, and every one iterated once.
    @Test func holdsWhatADictionaryHolds() {
        // Combining is independent of order.
        var r = SplitMix64(seed: 3)
        for _ in 0..<200 {
            let x = Self.fact(&r), y = Self.fact(&r, days: 2, bus: 2)
            var a = x, b = y
            a.combine(y); b.combine(x)
            #expect(a == b && a.participants == max(x.participants, y.participants))
        }
        var rng = SplitMix64(seed: 11)
        let acc = Accumulator()
        var reference: [UInt64: MeetingFact] = [:]
        var duplicates = 0
        for i in 0..<50_000 {
            // Every seventh id repeats an earlier one; 0 is an id like any other.
            let id: UInt64 = i % 7 == 6 ? UInt64(i / 2) : (i == 3 ? 0 : rng.next() | 1)
            let m = Self.fact(&rng)
            acc.meeting(id: id, m)
            if reference[id] != nil {
                duplicates += 1
                reference[id]!.combine(m)
            } else {
                reference[id] = m
            }
        }
        #expect(acc.meetings.count == reference.count)
        #expect(acc.duplicateMeetings == duplicates)
        var seen: [UInt64: MeetingFact] = [:]
        for (id, m) in acc.meetings { #expect(seen.updateValue(m, forKey: id) == nil, "\(id) iterated twice") }
        #expect(seen == reference)
        for (id, m) in reference { #expect(acc.meetings[id] == m) }
        #expect(acc.meetings[0] != nil && acc.meetings[0xDEAD_BEEF_0000_0001] == nil)
        #expect(Set(acc.meetings.keys) == Set(reference.keys))
    }

    /// Two accumulators merge to what one accumulator of every record holds, whichever is larger
    /// (records of one id that disagree combine the same in any order).
    @Test func mergingIsOneAccumulatorOfEverything() {
        for (na, nb) in [(10, 5_000), (5_000, 10), (3_000, 3_000)] {
            var rng = SplitMix64(seed: UInt64(na * 7 + nb))
            // Ids over every shard (the top bits), 0 among them.
            let records = (0..<(na + nb)).map { _ in ((rng.next() % 4_000) &* 0x9E37_79B9_7F4A_7C15, Self.fact(&rng)) }
            let a = Accumulator(), b = Accumulator(), one = Accumulator()
            for (k, r) in records.enumerated() {
                (k < na ? a : b).meeting(id: r.0, r.1)
                one.meeting(id: r.0, r.1)
            }
            a.merge(b)
            #expect(a.meetings.count == one.meetings.count && a.duplicateMeetings == one.duplicateMeetings)
            #expect(b.meetings.isEmpty)  // taken, not copied
            for (id, m) in one.meetings { #expect(a.meetings[id] == m) }
        }
    }

    /// Two large tables of about as many meetings each (two threads' tables at the final merge,
    /// most ids in one of them only) merge, on one thread or several, to the table of every
    /// record inserted one by one: the same meetings, duplicates and count.
    @Test(arguments: [1, 2, 4])
    func largeTablesMergeToOneTableOfEverything(workers: Int) {
        var rng = SplitMix64(seed: 29)
        let records = (0..<120_000).map { i -> (UInt64, MeetingFact) in
            // One id in ten is met by both accumulators (and again within one); 0 too.
            let id: UInt64 = i == 77 ? 0 : (i % 10 == 9 ? UInt64(i / 10) &* 0x9E37_79B9_7F4A_7C15 : rng.next() | 1)
            return (id, Self.fact(&rng))
        }
        let a = Accumulator(), b = Accumulator(), one = Accumulator()
        for (k, r) in records.enumerated() {
            (k % 2 == 0 ? a : b).meeting(id: r.0, r.1)
            one.meeting(id: r.0, r.1)
        }
        a.merge(b, workers: workers)
        #expect(a.meetings.count == one.meetings.count && a.duplicateMeetings == one.duplicateMeetings)
        #expect(b.meetings.isEmpty)
        var seen = 0
        for (id, m) in one.meetings { #expect(a.meetings[id] == m); seen += 1 }
        #expect(seen == a.meetings.count && a.meetings.reduce(0) { n, _ in n + 1 } == seen)
    }

    /// The grid's selection puts at k what a sort puts there, nothing larger before it and
    /// nothing smaller after it: random, sorted, reversed, constant, organ-pipe and few-valued
    /// lengths, ranges of every small size and some large ones.
    @Test func selectionPutsWhatASortPuts() {
        var rng = SplitMix64(seed: 41)
        var shapes: [[Int32]] = []
        for n in [1, 2, 3, 5, 16, 17, 18, 33, 100, 1_000, 25_001] {
            shapes.append((0..<n).map { _ in Int32(rng.next() % 7200) })
            shapes.append((0..<n).map { Int32($0) })
            shapes.append((0..<n).map { Int32(n - $0) })
            shapes.append(Array(repeating: 42, count: n))
            shapes.append((0..<n).map { Int32(min($0, n - $0)) })
            shapes.append((0..<n).map { _ in Int32(rng.next() % 3) })
        }
        for xs in shapes {
            let sorted = xs.sorted()
            for k in Set([0, xs.count / 2, xs.count - 1, Int(rng.next() % UInt64(xs.count))]) {
                // Inside a larger array, as the grid's cells are.
                var a: [Int32] = [-1, -2] + xs + [-3]
                a.withUnsafeMutableBufferPointer { MeetingGrid.select($0, 2, 2 + xs.count, 2 + k) }
                #expect(a[2 + k] == sorted[k])
                #expect(a[2..<(2 + k)].allSatisfy { $0 <= sorted[k] } && a[(3 + k)..<(2 + xs.count)].allSatisfy { $0 >= sorted[k] })
                #expect(a[2..<(2 + xs.count)].sorted() == sorted && a[0] == -1 && a[1] == -2 && a.last == -3)
            }
        }
    }

    /// The grid's cells are those of the per-cell lists it replaces: count, median minutes (the
    /// same Double), largest — on a compact range and on dates spread over decades (sparse).
    @Test(arguments: [(40, 30), (60_000, 200)])
    func theGridCountsAsTheListsDid(days: Int, bus: Int) {
        var rng = SplitMix64(seed: UInt64(days))
        var table = MeetingTable()
        for _ in 0..<20_000 { table[rng.next() | 1] = Self.fact(&rng, days: days, bus: bus) }
        struct Cell: Hashable { var day: Int; var bu: UInt16 }
        var minutes: [Cell: [Double]] = [:]
        var largest: [Cell: Int32] = [:]
        for (_, m) in table {
            for bu in [m.bu, BusinessUnits.all] {
                let c = Cell(day: Int(m.day), bu: bu)
                minutes[c, default: []].append(Double(m.seconds) / 60)
                largest[c] = max(largest[c] ?? 0, m.participants)
            }
        }
        var got: [Cell: (Int, Double, Int32)] = [:]
        MeetingGrid(table).forEachCell { day, bu, n, med, big in got[Cell(day: day, bu: bu)] = (n, med, big) }
        #expect(got.count == minutes.count)
        for (c, list) in minutes {
            let g = got[c]
            #expect(g?.0 == list.count && g?.1 == RollupBuilder.median(list) && g?.2 == largest[c], "\(c)")
        }
        var none = 0
        MeetingGrid(MeetingTable()).forEachCell { _, _, _, _, _ in none += 1 }
        #expect(none == 0)
    }
}
