import Foundation
import Testing
@testable import PlateauCore

/// A JSON record with more than whitespace after it on its line is one skipped line ("text
/// after the JSON value"), never a record plus a skipped line, in every JSON-lines format and
/// in call records read as a document.
struct TextAfterJSONValueTests {
    static let r1 = callRecord(id: "r1", organizer: "o", participants: ["o", "p"])
    static let r2 = callRecord(id: "r2", type: "peerToPeer", participants: ["a", "b"])
    static let r3 = #"{"id":"r3","s":"brace } bracket ] quote \" backslash \\ unicode \u007b","n":[1,-2.5e3,true,false,null]}"#

    @Test func theSplitterReportsARecordFollowedByTextOnceOnItsLine() {
        let (r1, r2, r3) = (Self.r1, Self.r2, Self.r3)
        let lines = [
            r1 + " trailing junk",        // 1: text
            r2,                           // 2
            r3 + #" "x""#,                // 3: a string after the record
            r1 + "]",                     // 4: a stray bracket
            r2 + " , " + r3,              // 5: two records (commas between records are tolerated)
            r1 + r2,                      // 6: two records
            "{", #"  "id": "m""#, "} tail",  // 7-9: a pretty-printed record, text after its brace
            r3 + ",",                     // 10
            r1 + "\t\r",                  // 11
            r2 + " [1]",                  // 12: an array after the record
        ]
        let out = splitEveryWay(Array((lines.joined(separator: "\n") + "\n" + r2).utf8))
        let after = Reasons.textAfterValue.text
        #expect(out.events == [
            .skipped(after, line: 1), .element(Array(r2.utf8), line: 2), .skipped(after, line: 3), .skipped(after, line: 4),
            .element(Array(r2.utf8), line: 5), .element(Array(r3.utf8), line: 5),
            .element(Array(r1.utf8), line: 6), .element(Array(r2.utf8), line: 6),
            .skipped(after, line: 7), .element(Array(r3.utf8), line: 10), .element(Array(r1.utf8), line: 11),
            .skipped(after, line: 12), .element(Array(r2.utf8), line: 13),
        ])
        #expect(out.lines == 13)
    }

    @Test func aRecordOverTheSizeCapFollowedByTextIsOneSkippedLine() {
        let out = splitEveryWay(Array((Self.r1 + " junk\n" + Self.r1 + "\n").utf8), maxRecordBytes: 40)
        #expect(out.events == [.skipped(Reasons.textAfterValue.text, line: 1), .skipped(Reasons.recordTooLong.text, line: 2)])
    }

    /// Call records whose first line has text after its object are read as a document; a
    /// later line with text after its object is read line by line. Either way the line is one
    /// skipped line and its meeting does not count.
    @Test func callRecordFilesAccountTheLineOnce() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let a = callRecord(id: "A", organizer: "o", participants: ["o", "p"])
        let b = callRecord(id: "B", organizer: "o", participants: ["o", "q"], v2: true)
        let c = callRecord(id: "C", type: "peerToPeer", participants: ["o", "p"])
        try write(dir.path + "/first.jsonl", a + #" "X""# + "\n" + b + "\n" + c + "\n")
        try write(dir.path + "/later.jsonl", b + "\n" + a + " trailing\n" + c + "\n")
        let (result, rollups) = try ingest([dir.path])
        for name in ["first.jsonl", "later.jsonl"] {
            let acc = try #require(result.inputs.first { $0.path.hasSuffix("/" + name) }?.account)
            #expect(acc.lines == 3 && acc.records == 1 && acc.ignoredCount == 1 && acc.headers == 0, "\(name): \(acc)")
            #expect(acc.skippedReasons == [Reasons.textAfterValue.text: 1], "\(name)")
            #expect(acc.examples.map(\.line) == [name == "first.jsonl" ? 1 : 2], "\(name)")
            #expect(acc.lines == acc.records + acc.ignoredCount + acc.skipped + acc.headers)
        }
        // Only meeting B counts (once: both files hold it).
        let day = CivilDate(iso: "2020-03-25")!.day
        #expect(rollups.value(.meetingsCount, bu: BusinessUnits.all, day: day) == 1)
        #expect(result.accumulator.meetings.count == 1)
    }

    /// Frames `bytes` into lines whole, byte by byte and in random splits, parses each with a
    /// fresh parser, and checks that every reading gives the same accounting and facts.
    func accountEveryWay<P: RecordParser>(_ make: () -> P, _ text: String,
                                          sourceLocation: SourceLocation = #_sourceLocation) -> (FileAccount, Int) {
        func run(_ next: (Int) -> Int) -> (FileAccount, Int) {
            let ctx = ParseContext(acc: Accumulator(), resolver: Resolver(directory: Directory(hasher: IdentityHasher()), units: BusinessUnits()),
                                   settings: IngestSettings())
            var parser = make()
            var account = FileAccount()
            var framer = LineFramer()
            var bytes = Array(text.utf8)
            bytes.withUnsafeMutableBytes { all in
                var i = 0
                while i < all.count {
                    let n = max(1, min(next(all.count - i), all.count - i))
                    framer.feed(UnsafeMutableRawBufferPointer(rebasing: all[i..<(i + n)]), { l, k in account.count(parser.parse(l, number: k, ctx), line: k) },
                                overlong: { _ in })
                    i += n
                }
            }
            framer.finish({ l, k in account.count(parser.parse(l, number: k, ctx), line: k) }, overlong: { _ in })
            return (account, ctx.acc.facts.count + ctx.acc.zpa.count)
        }
        let whole = run { $0 }
        #expect(run { _ in 1 } == whole, "byte by byte", sourceLocation: sourceLocation)
        for seed in UInt64(1)...8 {
            var rng = SplitMix64(seed: seed)
            #expect(run { _ in 1 + Int(rng.next() % 23) } == whole, "random splits, seed \(seed)", sourceLocation: sourceLocation)
        }
        return whole
    }

    @Test func nssJSONLinesWithTextAfterTheObjectAreSkipped() {
        let good = #"{"time":"Mon Mar 23 09:14:02 2020","login":"ann@corp.example","location":"Road Warrior","dept":"Ops"}"#
        let wrapped = #"{"sourcetype":"zscalernss-web","event":{"time":"Mon Mar 23 09:14:02 2020","login":"bob@corp.example"}}"#
        let text = [good, good.replacingOccurrences(of: "ann", with: "cy") + " x", wrapped + "}", wrapped + #"{"a":1}"#, wrapped].joined(separator: "\n") + "\n"
        let (account, facts) = accountEveryWay({ NSSJSONParser() }, text)
        #expect(account.lines == 5 && account.records == 2 && account.skippedReasons == [Reasons.textAfterValue.text: 3])
        #expect(account.examples.map(\.line) == [2, 3, 4])
        #expect(facts == 3)  // ann: proxy and remote users; bob: proxy users. Never cy.
    }

    @Test func zpaLinesWithTextAfterTheObjectAreSkipped() {
        let status = #"{"LogTimestamp":"Tue Mar 24 08:01:12 2020","Username":"ann@corp.example","SessionID":"s1","TimestampAuthentication":"2020-03-24T07:59:58.000Z","TimestampUnAuthentication":""}"#
        let activity = #"{"LogTimestamp":"Tue Mar 24 08:01:12 2020","Username":"ann@corp.example","SessionID":"s1","ConnectionID":"c","TimestampConnectionStart":"2020-03-24T08:00:00.000Z","TimestampConnectionEnd":""}"#
        for (make, line): (() -> any RecordParser, String) in [({ ZPAUserStatusParser() }, status), ({ ZPAUserActivityParser() }, activity)] {
            let text = [line, line.replacingOccurrences(of: "s1", with: "s2") + " tail", line.replacingOccurrences(of: "s1", with: "s3") + "]"].joined(separator: "\n")
            let (account, sessions) = accountEveryWay({ AnyParser(make()) }, text)
            #expect(account.lines == 3 && account.records == 1 && account.skippedReasons == [Reasons.textAfterValue.text: 2])
            #expect(account.examples.map(\.line) == [2, 3])
            #expect(sessions == 1)
        }
    }
}

/// A parser behind an existential, for tests that run several formats alike.
private struct AnyParser: RecordParser {
    var inner: any RecordParser
    init(_ p: any RecordParser) { inner = p }
    mutating func parse(_ line: Line, number: Int, _ ctx: ParseContext) -> LineOutcome { inner.parse(line, number: number, ctx) }
    mutating func flush(_ ctx: ParseContext) { inner.flush(ctx) }
}
