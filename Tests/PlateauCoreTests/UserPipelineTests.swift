import Testing
@testable import PlateauCore

/// `UserPipeline` (issue 15) holds a proxy line's lookup and facts back a few lines to prefetch
/// their memory: what it adds must be exactly what looking up and counting each line at once
/// adds, whatever the chunks (flushes) and lengths, and none of it may depend on the caller's
/// bytes once `add` returned (a chunk's buffer is reused for the next one).
@Suite struct UserPipelineTests {
    struct Line { var login: [UInt8]; var department: [UInt8]?; var effect: UserPipeline.Effect }

    /// Logins of the directory and outside it, with and without departments, some longer than
    /// the pipeline copies (looked up at once), over a few days and instants.
    static func lines(count: Int, seed: UInt64) -> [Line] {
        var g = ResolverMemoTests.SplitMix(seed)
        let logins = ["ann.lee@corp.example", "ANN.LEE@Corp.Example", "0b7f6c1e-2222-4aaa-8bbb-000000000002", "cy.ng@corp.example",
                      "zoe@corp.example", "yan@elsewhere.example", "guest_1234", String(repeating: "x", count: 129) + "@corp.example",
                      String(repeating: "y", count: 128)]
        let departments: [String?] = [nil, "Finance", " Sales ", "Research", "unknown", "", String(repeating: "D", count: 140)]
        return (0..<count).map { _ in
            let t = 1_583_971_200 + Int64(g.next() % (3 * 86_400))
            return Line(login: Array(logins[Int(g.next() % UInt64(logins.count))].utf8),
                        department: departments[Int(g.next() % UInt64(departments.count))].map { Array($0.utf8) },
                        effect: .init(t: t, day: Int(t / 86_400), remote: g.next() % 3 == 0))
        }
    }

    static func context(pseudonyms: PersonPseudonyms?, _ units: BusinessUnits) -> ParseContext {
        ParseContext(acc: Accumulator(), resolver: Resolver(directory: ResolverMemoTests.directory(units, pseudonyms: pseudonyms), units: units),
                     settings: IngestSettings())
    }

    /// Each line looked up and counted at once (the parser before the pipeline).
    static func direct(_ lines: [Line], _ ctx: ParseContext) {
        for l in lines {
            let p = l.login.withUnsafeBytes { lb in
                guard let d = l.department else { return ctx.resolver.resolve(lb) }
                return d.withUnsafeBytes { ctx.resolver.resolve(lb, department: $0) }
            }
            ctx.acc.user(.proxyUsers, at: l.effect.t, day: l.effect.day, p)
            if l.effect.remote { ctx.acc.user(.proxyRemoteUsers, at: l.effect.t, day: l.effect.day, p) }
            ctx.acc.saw(l.effect.t, feed: Feeds.proxy, unit: p.bu)
        }
    }

    /// Through a pipeline, flushed after every `chunk` lines and at the end; each line's bytes
    /// overwritten as soon as `add` returns.
    static func piped(_ lines: [Line], chunk: Int, _ ctx: ParseContext) -> [Int] {
        var pipe = UserPipeline()
        var held: [Int] = []
        for (i, l) in lines.enumerated() {
            var login = l.login, department = l.department
            login.withUnsafeMutableBytes { lb in
                if department == nil {
                    pipe.add(login: Bytes(lb), department: nil, l.effect, ctx)
                } else {
                    department!.withUnsafeMutableBytes { db in
                        pipe.add(login: Bytes(lb), department: Bytes(db), l.effect, ctx)
                        for k in db.indices { db[k] = 0x21 }
                    }
                }
                for k in lb.indices { lb[k] = 0x21 }   // the chunk's buffer, reused
            }
            held.append(pipe.held)
            if (i + 1) % chunk == 0 { pipe.flush(ctx) }
        }
        pipe.flush(ctx)
        #expect(pipe.held == 0)
        return held
    }

    static func facts(_ acc: Accumulator) -> [String] {
        var out: [String] = []
        acc.facts.forEach { g, p in out.append("\(g):\(p)") }
        return out.sorted()
    }

    @Test(arguments: [1, 3, 8, 16, 17, 1000])
    func addsWhatLookingUpAtOnceAdds(chunk: Int) {
        for keyed in [false, true] {
            let units = BusinessUnits()   // shared: BU ids handed out in the same order
            let pseudonyms = keyed ? PersonPseudonyms(secret: Array(repeating: 7, count: 32)) : nil
            let reference = Self.context(pseudonyms: pseudonyms, units), ctx = Self.context(pseudonyms: pseudonyms, units)
            let lines = Self.lines(count: 600, seed: UInt64(chunk) &+ (keyed ? 99 : 0))
            Self.direct(lines, reference)
            let held = Self.piped(lines, chunk: chunk, ctx)
            #expect(Self.facts(ctx.acc) == Self.facts(reference.acc), "chunk \(chunk), keyed \(keyed)")
            #expect(Self.facts(ctx.acc).count > 20)
            #expect(ctx.acc.feedTimes == reference.acc.feedTimes)
            #expect(ctx.acc.newestRecord == reference.acc.newestRecord)
            // It does hold lines back (up to two stages of `depth`) between flushes.
            if chunk > 2 * UserPipeline.depth { #expect(held.max() == 2 * UserPipeline.depth) }
            #expect(held.allSatisfy { $0 <= 2 * UserPipeline.depth })
        }
    }

    /// The NSS CSV parser holds facts back until its driver flushes; the drivers flush after
    /// every chunk, so a file read in any chunks counts every line.
    @Test func theNSSParserCountsEveryLineOnlyOnceFlushed() {
        let units = BusinessUnits()
        let ctx = Self.context(pseudonyms: nil, units)
        var parser = NSSCSVParser()
        var lines = ["datetime,user,department"]
        for i in 0..<40 { lines.append("Thu Mar 12 08:00:\(i < 10 ? "0" : "")\(i) 2020,user\(i)@corp.example,Sales") }
        var outcomes: [LineOutcome] = []
        for l in lines {
            var b = Array(l.utf8)
            outcomes.append(b.withUnsafeMutableBytes { parser.parse($0, number: 1, ctx) })
        }
        #expect(outcomes == [.header] + Array(repeating: .record, count: 40))
        let before = ctx.acc.facts.count
        parser.flush(ctx)
        #expect(before < 40)
        #expect(ctx.acc.facts.count == 40)
    }
}
