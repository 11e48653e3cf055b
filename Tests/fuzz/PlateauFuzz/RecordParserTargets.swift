import PlateauCore

/// What one reading of an input gave: the accounting, the line numbers the outcomes were given
/// for (in order), and the facts (order-free) it added.
struct Reading: Equatable {
    var account = FileAccount()
    var numbers: [Int] = []
    var facts: [String] = []
}

extension FuzzTargets {
    static func settings() -> IngestSettings {
        var s = IngestSettings()
        s.sourceYears["vpn"] = 2020
        return s
    }

    static func context(_ s: IngestSettings) -> ParseContext {
        let units = BusinessUnits()
        // A small fact table (the default is sized for a file of a day's logs): fuzz inputs are
        // a few kilobytes, and every slot is visited when the facts are compared.
        let acc = Accumulator(factCapacity: 256)
        let ctx = ParseContext(acc: acc, resolver: Resolver(directory: Directory(hasher: s.hasher), units: units), settings: s)
        ctx.fileModified = modified
        return ctx
    }

    /// Everything an accumulator holds, as sorted text (inputs are small).
    static func facts(_ acc: Accumulator) -> [String] {
        var out: [String] = []
        acc.facts.forEach { g, p in out.append("f\(g):\(p)") }
        for (id, m) in acc.meetings { out.append("m\(id):\(m)") }
        out.append("d\(acc.duplicateMeetings)")
        for (k, v) in acc.organized { out.append("o\(k):\(v)") }
        for (k, v) in acc.orgMeetingUsers { out.append("u\(k):\(v)") }
        for (i, s) in acc.sessions.enumerated() { for f in s { out.append("s\(i):\(f)") } }
        for s in acc.vpnStarts { out.append("v\(s)") }
        for (id, z) in acc.zpa { out.append("z\(id):\(z)") }
        for (id, p) in acc.participations { out.append("p\(id):\(p.meeting):\(p.people.sorted()):\(p.first)") }
        out.append("n\(acc.newest)")
        return out.sorted()
    }

    /// Lines in `bytes` as the framer counts them: line feeds, plus a last unterminated line.
    static func physicalLines(_ bytes: UnsafeRawBufferPointer) -> Int {
        var n = 0
        for b in bytes where b == 0x0A { n += 1 }
        if let last = bytes.last, last != 0x0A { n += 1 }
        return n
    }

    /// A line-oriented record parser: framed whole, split at one point taken from the input,
    /// and in small pieces, with a fresh parser each time. Checks: every line has exactly one
    /// outcome, numbered 1 … lines in order; lines = records + ignored + skipped + headers;
    /// the three readings agree on the accounting (examples included) and on every fact.
    static func lines<P: RecordParser>(_ name: String, _ make: @escaping @Sendable (IngestSettings) -> P) -> FuzzTarget {
        FuzzTarget(name) { input in
            let bytes = Array(input)
            var rng = InputRandom(input)
            let split = rng.below(bytes.count + 1)
            let small = 1 + rng.below(9)
            func read(_ piece: (Int) -> Int) -> Reading {
                let s = settings()
                let ctx = context(s)
                var parser = make(s)
                var r = Reading()
                var framer = LineFramer()
                let line: (Line, Int) -> Void = { l, n in r.account.count(parser.parse(l, number: n, ctx), line: n); r.numbers.append(n) }
                let overlong: (Int) -> Void = { n in r.account.count(.skipped(Reasons.lineTooLong), line: n); r.numbers.append(n) }
                // Flushed after each piece and at the end, as the drivers do (`RecordParser.flush`).
                feedInPieces(bytes, piece) { framer.feed($0, line, overlong: overlong); parser.flush(ctx) }
                framer.finish(line, overlong: overlong)
                parser.flush(ctx)
                r.facts = facts(ctx.acc)
                return r
            }
            var first = true
            let whole = read { $0 }
            let lines = physicalLines(input)
            let a = whole.account
            check(a.lines == lines, "\(a.lines) lines counted, \(lines) in the input")
            check(whole.numbers == Array(0..<lines).map { $0 + 1 }, "outcomes for lines \(whole.numbers.prefix(20)), not 1…\(lines) once each")
            check(a.lines == a.records + a.ignoredCount + a.skipped + a.headers,
                  "lines \(a.lines) != records \(a.records) + ignored \(a.ignoredCount) + skipped \(a.skipped) + headers \(a.headers)")
            check(a.examples.count == min(a.skipped, FileAccount.maxExamples), "\(a.examples.count) examples of \(a.skipped) skipped lines")
            let halves = read { left in defer { first = false }; return first && split > 0 ? split : left }
            check(halves.account == whole.account, "split at \(split): \(halves.account) whole: \(whole.account)")
            check(halves.facts == whole.facts, "split at \(split): facts differ: \(diff(halves.facts, whole.facts))")
            let pieces = read { _ in small }
            check(pieces.account == whole.account, "pieces of \(small): \(pieces.account) whole: \(whole.account)")
            check(pieces.facts == whole.facts, "pieces of \(small): facts differ: \(diff(pieces.facts, whole.facts))")
        }
    }

    /// A JSON-document record parser (call records as a Graph page, an array or JSON lines):
    /// through the document splitter whole, split at a point taken from the input, and in small
    /// pieces. Checks: each element has one outcome; the document's lines are the input's; the
    /// readings agree on the accounting and the facts.
    static func document<P: RecordParser>(_ name: String, _ make: @escaping @Sendable () -> P) -> FuzzTarget {
        FuzzTarget(name) { input in
            let bytes = Array(input)
            var rng = InputRandom(input)
            let split = rng.below(bytes.count + 1)
            let small = 1 + rng.below(9)
            func read(_ piece: (Int) -> Int) -> (Reading, elements: Int) {
                let ctx = context(settings())
                var parser = make()
                var r = Reading()
                var splitter = JSONDocumentSplitter()
                var elementLines = Set<Int>()
                var elements = 0
                let handle: (JSONDocumentSplitter.Event) -> Void = { e in
                    elements += 1
                    switch e {
                    case .element(let line, let at):
                        r.account.countElement(parser.parse(line, number: at, ctx), line: at); r.numbers.append(at); elementLines.insert(at)
                    case .skipped(let reason, let at):
                        r.account.countElement(.skipped(reason), line: at); r.numbers.append(at); elementLines.insert(at)
                    }
                }
                feedInPieces(bytes, piece) { splitter.feed($0, handle); parser.flush(ctx) }
                splitter.finish(handle)
                parser.flush(ctx)
                r.account.lines = splitter.physicalLines
                r.account.headers = max(0, splitter.physicalLines - elementLines.count)
                r.facts = facts(ctx.acc)
                return (r, elements)
            }
            var first = true
            let (whole, elements) = read { $0 }
            let a = whole.account
            let lines = physicalLines(input)
            check(a.lines == lines, "\(a.lines) lines counted, \(lines) in the input")
            check(a.records + a.ignoredCount + a.skipped == elements, "\(elements) elements, \(a.records) + \(a.ignoredCount) + \(a.skipped) outcomes")
            check(whole.numbers == whole.numbers.sorted() && whole.numbers.allSatisfy { $0 >= 1 && $0 <= max(1, lines) },
                  "element lines \(whole.numbers.prefix(20)) out of order or outside 1…\(lines)")
            let (halves, _) = read { left in defer { first = false }; return first && split > 0 ? split : left }
            check(halves == whole, "split at \(split): \(halves.account) whole: \(whole.account); facts \(diff(halves.facts, whole.facts))")
            let (pieces, _) = read { _ in small }
            check(pieces == whole, "pieces of \(small): \(pieces.account) whole: \(whole.account); facts \(diff(pieces.facts, whole.facts))")
        }
    }

    static func diff(_ a: [String], _ b: [String]) -> String {
        let sa = Set(a), sb = Set(b)
        return "only in one: \(sa.subtracting(sb).sorted().prefix(3)), only in the other: \(sb.subtracting(sa).sorted().prefix(3))"
    }
}
