import Foundation
import Testing
@testable import PlateauCore

// MARK: - Helpers

/// Runs `body` over a mutable copy of `bytes`.
private func withLine<T>(_ bytes: [UInt8], _ body: (Line) -> T) -> T {
    var copy = bytes
    return copy.withUnsafeMutableBytes { body($0) }
}

private func withLine<T>(_ text: String, _ body: (Line) -> T) -> T { withLine(Array(text.utf8), body) }

/// Validates a whole document with the scanner: nil when it is a readable object.
private func validate(_ bytes: [UInt8]) -> JSONError? {
    withLine(bytes) { line in
        var s = JSONScanner(line)
        do throws(JSONError) {
            try s.enterRoot()
            try s.finish()
            return nil
        } catch {
            return error
        }
    }
}

private func validate(_ text: String) -> JSONError? { validate(Array(text.utf8)) }

/// Builds a parse context over a directory of (GUID, UPN, BU) rows.
private struct World {
    let units = BusinessUnits()
    let ctx: ParseContext
    let hasher: IdentityHasher

    init(_ rows: [(id: String?, upn: String?, bu: String)] = [], zone: String? = nil, remote: [String] = ["Road Warrior"]) {
        let hasher = IdentityHasher()
        var dir = Directory(hasher: hasher)
        for r in rows {
            let bu = units.id(r.bu)
            let id = Array((r.id ?? "").utf8), upn = Array((r.upn ?? "").utf8)
            id.withUnsafeBytes { i in
                upn.withUnsafeBytes { u in dir.add(userID: r.id == nil ? nil : i, upn: r.upn == nil ? nil : u, bu: bu) }
            }
        }
        var settings = IngestSettings(hasher: hasher, remoteLocations: remote)
        if let zone, let z = TimeZoneRules(identifier: zone) { settings.timezone = z }
        self.hasher = hasher
        ctx = ParseContext(acc: Accumulator(), resolver: Resolver(directory: dir, units: units), settings: settings)
    }

    var acc: Accumulator { ctx.acc }

    /// The person a log identifier resolves to (with no department).
    func person(_ identifier: String) -> Person {
        let b = Array(identifier.utf8)
        return b.withUnsafeBytes { ctx.resolver.resolve($0) }
    }

    func bu(_ name: String) -> UInt16 { units.id(name) }

    struct FactRow: Hashable, CustomStringConvertible {
        var metric: Metric, bu: UInt16, day: Int, person: UInt64
        var description: String { "\(metric.rawValue) bu=\(bu) day=\(CivilDate(daysSinceEpoch: day).iso) person=\(String(person, radix: 16))" }
    }

    var facts: Set<FactRow> {
        var out = Set<FactRow>()
        acc.facts.forEach { g, p in
            let u = Fact.unpack(g)
            out.insert(FactRow(metric: u.metric, bu: u.bu, day: u.day, person: p))
        }
        return out
    }

    func fact(_ m: Metric, _ who: String, bu: UInt16? = nil, _ date: String) -> FactRow {
        let p = person(who)
        return FactRow(metric: m, bu: bu ?? p.bu, day: CivilDate(iso: date)!.day, person: p.key)
    }

    func meeting(_ id: String) -> MeetingFact? { acc.meetings[hasher.hash(id)] }

    /// A ZPA SessionID's key (case-sensitive).
    func sessionKey(_ id: String) -> UInt64 { Array(id.utf8).withUnsafeBytes { hasher.hash($0, lowercase: false) } }

    /// Parses one line and flushes the parser, as the drivers do after each chunk (a parser
    /// may hold a record's effects back until the next record or the flush).
    func parse<P: RecordParser>(_ parser: inout P, _ text: String, number: Int = 1) -> LineOutcome {
        let outcome = withLine(text) { parser.parse($0, number: number, ctx) }
        parser.flush(ctx)
        return outcome
    }
}

private func day(_ iso: String) -> Int32 { Int32(CivilDate(iso: iso)!.day) }

private func instant(_ iso: String) -> Int64 {
    Array(iso.utf8).withUnsafeBytes { (try? TimeParsing.iso8601($0, zone: .utc)) ?? -1 }
}

private let realSamples: String = {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/real-samples").path
}()

private let sampleLogs: String = {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("SampleLogs").path
}()

/// What a splitter run produced, in a comparable form.
enum SplitEvent: Equatable, CustomStringConvertible {
    case element([UInt8], line: Int)
    case skipped(String, line: Int)
    var description: String {
        switch self {
        case .element(let b, let l): return "element@\(l): \(String(decoding: b.prefix(60), as: UTF8.self))"
        case .skipped(let r, let l): return "skipped@\(l): \(r)"
        }
    }
    var line: Int { switch self { case .element(_, let l), .skipped(_, let l): return l } }
    var text: String? { if case .element(let b, _) = self { return String(decoding: b, as: UTF8.self) }; return nil }
}

/// Feeds `bytes` to a splitter in chunks whose sizes `next` chooses.
func split(_ bytes: [UInt8], maxRecordBytes: Int = JSONDocumentSplitter.defaultMaxRecordBytes,
                   chunks next: (Int) -> Int) -> (events: [SplitEvent], lines: Int) {
    var splitter = JSONDocumentSplitter(maxRecordBytes: maxRecordBytes)
    var events: [SplitEvent] = []
    func record(_ e: JSONDocumentSplitter.Event) {
        switch e {
        case .element(let l, let line): events.append(.element(Array(l), line: line))
        case .skipped(let r, let line): events.append(.skipped(r.text, line: line))
        }
    }
    var copy = bytes
    copy.withUnsafeMutableBytes { all in
        var i = 0
        while i < all.count {
            let n = max(1, min(next(all.count - i), all.count - i))
            splitter.feed(UnsafeMutableRawBufferPointer(rebasing: all[i..<(i + n)]), record)
            i += n
        }
    }
    splitter.finish(record)
    return (events, splitter.physicalLines)
}

/// Whole, byte by byte, and in seeded random splits: the events must not change.
func splitEveryWay(_ bytes: [UInt8], maxRecordBytes: Int = JSONDocumentSplitter.defaultMaxRecordBytes,
                           sourceLocation: SourceLocation = #_sourceLocation) -> (events: [SplitEvent], lines: Int) {
    let whole = split(bytes, maxRecordBytes: maxRecordBytes) { $0 }
    let single = split(bytes, maxRecordBytes: maxRecordBytes) { _ in 1 }
    #expect(single.events == whole.events, "byte by byte", sourceLocation: sourceLocation)
    #expect(single.lines == whole.lines, sourceLocation: sourceLocation)
    for seed in UInt64(1)...8 {
        var rng = SplitMix64(seed: seed)
        let random = split(bytes, maxRecordBytes: maxRecordBytes) { _ in 1 + Int(rng.next() % 23) }
        #expect(random.events == whole.events, "random splits, seed \(seed)", sourceLocation: sourceLocation)
        #expect(random.lines == whole.lines, sourceLocation: sourceLocation)
    }
    return whole
}

/// A call record line as the Graph API writes it.
func callRecord(id: String, type: String = "groupCall", start: String? = "2020-03-25T09:00:12Z",
                        end: String? = "2020-03-25T09:49:40Z", organizer: String? = nil, participants: [String] = [],
                        v2: Bool = false) -> String {
    var s = #"{"id":"\#(id)","version":1,"type":"\#(type)","modalities":["audio","video"]"#
    if let start { s += #","startDateTime":"\#(start)""# }
    if let end { s += #","endDateTime":"\#(end)""# }
    if v2 {
        if let organizer { s += #","organizer_v2":{"id":"\#(organizer)","identity":{"user":{"id":"\#(organizer)","displayName":null}}}"# }
        s += #","participants_v2":["# + participants.map { #"{"id":"\#($0)","identity":{"user":{"id":"\#($0)"}}}"# }.joined(separator: ",") + "]"
    } else {
        if let organizer { s += #","organizer":{"user":{"id":"\#(organizer)","displayName":null,"tenantId":"t"}}"# }
        s += #","participants":["# + participants.map { #"{"user":{"id":"\#($0)","displayName":null}}"# }.joined(separator: ",") + "]"
    }
    return s + "}"
}

// MARK: - Scanner

struct JSONScannerTests {
    static let rich = #"""
     { "id" : "a\"b" , "n": -12.5e+3, "z": 0, "t":true,"f" :false , "nul": null,
    	"organizer": { "user" : {"id":"G-1", "displayName": null}},
      "participants" : [ {"user":{"id":"G-1"}}, {"user": {"id" : "G-2"}} , {"user":null}, {} ],
      "nested": [[[]], {"a": [1, 2, {"b": "\u00e9\ud83d\ude00"}]}], "empty": {}, "s": "\\\/\b\f\n\r\t" }
    """#

    @Test func readsMembersNestedObjectsAndArraysWithWhitespaceEverywhere() throws {
        var ids: [String] = []
        var scalars: [String: String] = [:]
        var organizer = ""
        let error: JSONError? = withLine(Self.rich) { line in
            var s = JSONScanner(line)
            do throws(JSONError) {
                try s.enterRoot()
                while let k = try s.nextKey() {
                    let key = k.string
                    switch key {
                    case "organizer":
                        #expect(try s.enterObject())
                        while let k2 = try s.nextKey() {
                            if k2.equals("user"), try s.enterObject() {
                                while let k3 = try s.nextKey() { if k3.equals("id") { organizer = try s.string()?.string ?? "?" } }
                            }
                        }
                    case "participants":
                        #expect(try s.enterArray())
                        while try s.nextElement() {
                            guard try s.enterObject() else { continue }
                            while let k2 = try s.nextKey() {
                                guard k2.equals("user"), try s.enterObject() else { continue }
                                while let k3 = try s.nextKey() { if k3.equals("id"), let v = try s.string() { ids.append(v.string) } }
                            }
                        }
                    case "nested", "empty": break  // left for nextKey to skip
                    default:
                        let v = try s.value()
                        scalars[key] = "\(v.kind):\(v.bytes.string)"
                    }
                }
                #expect(s.depth == 0)
                try s.finish()
                return nil
            } catch {
                return error
            }
        }
        #expect(error == nil)
        #expect(organizer == "G-1")
        #expect(ids == ["G-1", "G-2"])
        #expect(scalars["id"] == "string:a\"b")
        #expect(scalars["n"] == "number:-12.5e+3")
        #expect(scalars["z"] == "number:0")
        #expect(scalars["t"] == "bool:true")
        #expect(scalars["f"] == "bool:false")
        #expect(scalars["nul"] == "null:null")
        #expect(scalars["s"] == "string:\\/\u{08}\u{0C}\n\r\t")
        #expect(validate(Self.rich) == nil)
    }

    @Test func decodesEscapesInPlaceAndIntoScratch() {
        let doc = #"{"k\u0065y":"a\"b\\c\/d\b\f\n\r\t\u00e9\u20ac\ud83d\ude00\ud800x\udc00\u0041"}"#
        let expected = Array("a\"b\\c/d\u{08}\u{0C}\n\r\t\u{E9}\u{20AC}\u{1F600}\u{FFFD}x\u{FFFD}A".utf8)
        withLine(doc) { line in
            var s = JSONScanner(line)
            do throws(JSONError) {
                try s.enterRoot()
                let k = try s.nextKey()
                #expect(k.map { Array($0) } == Array("key".utf8))
                #expect(try s.string().map { Array($0) } == expected)
                #expect(try s.nextKey() == nil)
                try s.finish()
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
        // Read-only bytes: decoded into the scratch buffer, nil once it is full.
        var scratch = [UInt8](repeating: 0, count: 256)
        var tiny = [UInt8](repeating: 0, count: 4)
        Array(doc.utf8).withUnsafeBytes { bytes in
            scratch.withUnsafeMutableBytes { sb in
                var s = JSONScanner(bytes, scratch: sb)
                do throws(JSONError) {
                    try s.enterRoot()
                    #expect(try s.nextKey().map { Array($0) } == Array("key".utf8))
                    #expect(try s.string().map { Array($0) } == expected)
                    try s.finish()
                } catch {
                    Issue.record("unexpected \(error)")
                }
            }
            tiny.withUnsafeMutableBytes { sb in
                var s = JSONScanner(bytes, scratch: sb)
                do throws(JSONError) {
                    try s.enterRoot()
                    _ = try s.nextKey()
                    #expect(try s.string() == nil)
                    try s.finish()
                } catch {
                    Issue.record("unexpected \(error)")
                }
            }
        }
    }

    static let verdicts: [(String, JSONError?)] = [
        ("{}", nil), (" \t\r\n{ } \n", nil), (#"{"a":[]}"#, nil), (#"{"a":1e5,"b":-0.5E-2}"#, nil),
        ("", .truncated), ("   ", .truncated), ("{", .truncated), (#"{"a""#, .truncated), (#"{"a":"#, .truncated),
        (#"{"a":1"#, .truncated), (#"{"a":"x"#, .truncated), (#"{"a":"\"#, .truncated), (#"{"a":"\u12"#, .truncated),
        (#"{"a":tr"#, .truncated), (#"{"a":-"#, .truncated), (#"{"a":1."#, .truncated), (#"{"a":1e"#, .truncated),
        (#"{"a":[1,"#, .truncated), (#"{"a":{"b":{"#, .truncated),
        ("[1,2]", .notAnObject), (#""text""#, .notAnObject), ("42", .notAnObject), ("null", .notAnObject), (" true ", .notAnObject),
        ("[1,2", .truncated), ("[1,2]x", .malformed),
        (#"{"a":1,}"#, .malformed), (#"{"a":1}}"#, .textAfterValue), (#"{"a":1} {"b":2}"#, .textAfterValue),
        (#"{"a":1} x"#, .textAfterValue), ("{}\n,", .textAfterValue), (#"{"a":tru}"#, .malformed),
        (#"{"a":01}"#, .malformed), (#"{"a":1.}"#, .malformed), (#"{"a":"\x"}"#, .malformed), (#"{"a":"\u12G4"}"#, .malformed),
        ("{a:1}", .malformed), (#"{"a" 1}"#, .malformed), (#"{"a":1 "b":2}"#, .malformed), (#"{"a":[1 2]}"#, .malformed),
        (#"{"a":[1,]}"#, .malformed), (#"{,"a":1}"#, .malformed), (#"{"a":+1}"#, .malformed), ("{'a':1}", .malformed),
        (#"{"a":nul}"#, .malformed), ("}", .malformed), ("\u{FEFF}{}", .malformed), ("x", .malformed),
    ]

    @Test(arguments: 0..<verdicts.count)
    func classifiesTruncatedMalformedAndNotAnObject(_ i: Int) {
        let (text, expected) = Self.verdicts[i]
        #expect(validate(text) == expected, "\(text.debugDescription)")
    }

    /// Every proper prefix of a valid object is "truncated": never malformed, never a crash.
    @Test func everyProperPrefixIsTruncated() {
        for doc in [Self.rich, callRecord(id: "x", organizer: "o", participants: ["a", "b"]), callRecord(id: "y", participants: ["a"], v2: true)] {
            let bytes = Array(doc.utf8)
            #expect(validate(bytes) == nil)
            var wrong: [Int] = []
            for n in 0..<bytes.count where validate(Array(bytes[0..<n])) != .truncated { wrong.append(n) }
            #expect(wrong.isEmpty, "prefix lengths not truncated: \(wrong.prefix(10))")
        }
    }

    @Test func survivesBinaryGarbageAndMutations() {
        var rng = SplitMix64(seed: 7)
        for n in [1, 2, 3, 7, 8, 9, 64, 1000, 100_000] {
            for _ in 0..<20 {
                let junk = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                #expect(validate(junk) != nil)  // any error, no crash
            }
        }
        // Valid objects with one byte changed, cut or doubled: any verdict, no crash.
        let base = Array(Self.rich.utf8)
        for _ in 0..<3000 {
            var b = base
            let at = Int(rng.next() % UInt64(b.count))
            switch rng.next() % 3 {
            case 0: b[at] = UInt8(truncatingIfNeeded: rng.next())
            case 1: b.remove(at: at)
            default: b.insert(b[at], at: at)
            }
            _ = validate(b)
        }
        // Structural characters only: the worst case for a container skipper.
        let alphabet = Array(#"{}[]":,\ u0"#.utf8)
        for _ in 0..<3000 {
            let junk = (0..<Int(rng.next() % 40)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            _ = validate([UInt8(ascii: "{")] + junk)
        }
    }

    @Test func capsNestingDepth() {
        let ok = String(repeating: #"{"a":"#, count: 63) + "1" + String(repeating: "}", count: 63)
        #expect(validate(ok) == nil)
        let deep = String(repeating: #"{"a":"#, count: 65) + "1" + String(repeating: "}", count: 65)
        #expect(validate(deep) == .malformed)
        #expect(validate("{\"a\":" + String(repeating: "[", count: 100_000)) == .malformed)
        #expect(validate(String(repeating: "[", count: 100_000)) == .malformed)
        // Entered, not skipped: the cursor's own depth is capped too.
        withLine(deep) { line in
            var s = JSONScanner(line)
            var entered = 0
            do throws(JSONError) {
                try s.enterRoot()
                while try s.nextKey() != nil { guard try s.enterObject() else { break }; entered += 1 }
                Issue.record("no error")
            } catch {
                #expect(error == .malformed)
                #expect(entered == JSONScanner.maxDepth - 1)
            }
        }
    }

    @Test func readsATenMegabyteString() {
        let big = String(repeating: "0123456789abcdef", count: 10 << 16)  // 10 MiB
        let doc = #"{"big":""# + big + #"","id":"x","esc":""# + String(repeating: #"\u0041\n"#, count: 100_000) + #""}"#
        withLine(doc) { line in
            var s = JSONScanner(line)
            do throws(JSONError) {
                try s.enterRoot()
                #expect(try s.nextKey()?.string == "big")
                #expect(try s.string()?.count == 10 << 20)
                #expect(try s.nextKey()?.string == "id")
                #expect(try s.string()?.string == "x")
                #expect(try s.nextKey()?.string == "esc")
                #expect(try s.string()?.count == 200_000)
                try s.finish()
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
        #expect(validate(String(doc.dropLast(2))) == .truncated)
    }
}

// MARK: - Splitter

struct JSONDocumentSplitterTests {
    static let r1 = callRecord(id: "r1", organizer: "o", participants: ["o", "p"])
    static let r2 = callRecord(id: "r2", type: "peerToPeer", participants: ["a", "b"])
    static let r3 = #"{"id":"r3","s":"brace } bracket ] quote \" backslash \\ unicode \u007b","n":[1,-2.5e3,true,false,null]}"#

    @Test func jsonLines() {
        let text = Self.r1 + "\n" + Self.r2 + "\r\n\n  " + Self.r3 + "\n"
        let out = splitEveryWay(Array(text.utf8))
        #expect(out.events == [.element(Array(Self.r1.utf8), line: 1), .element(Array(Self.r2.utf8), line: 2),
                               .element(Array(Self.r3.utf8), line: 4)])
        #expect(out.lines == 4)
    }

    @Test func multiLineGraphPage() {
        let text = """
        {
          "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#communications/callRecords",
          "@odata.count": 3, "flags": {"value": [1]}, "list": [{"id": "not a record"}],
          "value": [
            {
              "id": "p1",
              "type": "groupCall",
              "participants": [ { "user": { "id": "a" } } ]
            },
            \(Self.r1),
            { "id": "p3" }
          ],
          "@odata.nextLink": "https://graph.microsoft.com/v1.0/communications/callRecords?$skiptoken=x"
        }

        """
        let out = splitEveryWay(Array(text.utf8))
        #expect(out.events.count == 3)
        #expect(out.events.map(\.line) == [5, 10, 11])
        #expect(out.events[1] == .element(Array(Self.r1.utf8), line: 10))
        #expect(out.events[0].text?.hasPrefix("{\n      \"id\": \"p1\"") == true)
        #expect(out.events[2].text == #"{ "id": "p3" }"#)
        #expect(out.lines == 14)
    }

    @Test func oneLinePageArrayAndByteOrderMark() {
        let page = #"{"@odata.context":"x","value":[\#(Self.r1),\#(Self.r2) , \#(Self.r3)]}"#
        let out = splitEveryWay(Array(page.utf8))
        #expect(out.events == [.element(Array(Self.r1.utf8), line: 1), .element(Array(Self.r2.utf8), line: 1),
                               .element(Array(Self.r3.utf8), line: 1)])
        #expect(out.lines == 1)

        let array = "\u{FEFF}[\n" + Self.r1 + ",\n" + Self.r2 + "\n,\n" + Self.r3 + "\n]"
        let a = splitEveryWay(Array(array.utf8))
        #expect(a.events == [.element(Array(Self.r1.utf8), line: 2), .element(Array(Self.r2.utf8), line: 3),
                             .element(Array(Self.r3.utf8), line: 5)])
        #expect(a.lines == 6)

        let bomLines = "\u{FEFF}" + Self.r1 + "\n" + Self.r3
        let b = splitEveryWay(Array(bomLines.utf8))
        #expect(b.events == [.element(Array(Self.r1.utf8), line: 1), .element(Array(Self.r3.utf8), line: 2)])
        #expect(b.lines == 2)
    }

    @Test func topLevelObjectsThatAreNotPages() {
        // A `value` that is not an array, or one below the top level, makes no page.
        let a = #"{"id":"a","value":5}"#, b = #"{"id":"b","x":{"value":[{"id":"c"}]}}"#, c = #"{"values":[{"id":"d"}]}"#
        let out = splitEveryWay(Array((a + b + " , " + c).utf8))
        #expect(out.events == [.element(Array(a.utf8), line: 1), .element(Array(b.utf8), line: 1), .element(Array(c.utf8), line: 1)])
    }

    @Test func truncatedLastRecordAndUnclosedPage() {
        let cut = String(Self.r1.prefix(70))
        let out = splitEveryWay(Array((Self.r2 + "\n" + cut).utf8))
        #expect(out.events == [.element(Array(Self.r2.utf8), line: 1), .skipped(Reasons.truncatedJSON.text, line: 2)])
        #expect(out.lines == 2)

        let page = "{\"value\":[\n" + Self.r1 + ",\n" + Self.r2 + "\n"
        let p = splitEveryWay(Array(page.utf8))
        #expect(p.events == [.element(Array(Self.r1.utf8), line: 2), .element(Array(Self.r2.utf8), line: 3),
                             .skipped(Reasons.truncatedJSON.text, line: 3)])
        #expect(p.lines == 3)
    }

    /// A record cut anywhere and followed by a line break and the next record (what a writer
    /// that died mid-line leaves): the cut record is truncated on its line, the next is read.
    /// The same in JSON lines, in an array and in a page holding one record per line.
    @Test func recordCutAtEveryPositionThenTheNextRecord() {
        let layouts: [(open: String, sep: String, close: String)] = [("", "\n", "\n"), ("[\n", ",\n", "\n]"), (#"{"value":["# + "\n", ",\n", "\n]}")]
        for layout in layouts {
            for (first, second) in [(Self.r1, Self.r3), (Self.r3, Self.r1)] {
                let bytes = Array(first.utf8)
                var wrong: [String] = []
                for n in 1..<bytes.count {
                    let text = Array((layout.open + Self.r2 + layout.sep).utf8) + bytes[0..<n] + Array(("\n" + second + layout.close).utf8)
                    let out = split(text) { $0 }
                    let expected: [SplitEvent] = [.element(Array(Self.r2.utf8), line: 1 + (layout.open.isEmpty ? 0 : 1)),
                                                  .skipped(Reasons.truncatedJSON.text, line: 2 + (layout.open.isEmpty ? 0 : 1)),
                                                  .element(Array(second.utf8), line: 3 + (layout.open.isEmpty ? 0 : 1))]
                    if out.events != expected { wrong.append("cut at \(n): \(out.events)") }
                }
                #expect(wrong.isEmpty, "\(layout.open.debugDescription): \(wrong.prefix(3))")
            }
        }
    }

    @Test func garbageAndNonObjectElements() {
        let text = "hello\n" + Self.r1 + " trailing junk\n" + #"{"a":1 "b":2}"# + "\n" + Self.r2 + "\n}]\n"
        let out = splitEveryWay(Array(text.utf8))
        #expect(out.events == [
            .skipped(Reasons.malformedJSON.text, line: 1), .skipped(Reasons.textAfterValue.text, line: 2),
            .skipped(Reasons.malformedJSON.text, line: 3),
            .element(Array(Self.r2.utf8), line: 4), .skipped(Reasons.malformedJSON.text, line: 5),
        ])
        #expect(out.lines == 5)

        let array = "[1, \"s\",\n" + Self.r1 + ", [2, {\"x\":1}], null, {\"a\":\"x\"}]"
        let a = splitEveryWay(Array(array.utf8))
        #expect(a.events == [
            .skipped(Reasons.notAnObject.text, line: 1), .skipped(Reasons.notAnObject.text, line: 1),
            .element(Array(Self.r1.utf8), line: 2), .skipped(Reasons.notAnObject.text, line: 2),
            .skipped(Reasons.notAnObject.text, line: 2), .element(Array(#"{"a":"x"}"#.utf8), line: 2),
        ])
    }

    @Test func survivesBinaryGarbageAndDeepNesting() {
        var rng = SplitMix64(seed: 11)
        for n in [1, 5, 100, 10_000, 300_000] {
            let junk = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let whole = split(junk) { $0 }
            let random = split(junk) { _ in 1 + Int(rng.next() % 4096) }
            #expect(whole.events == random.events)
            #expect(whole.lines == junk.filter { $0 == 0x0A }.count + (junk.last == 0x0A ? 0 : 1))
        }
        let alphabet = Array(#"{}[]":,\ u0a"#.utf8) + [0x0A]
        for _ in 0..<2000 {
            let junk = (0..<Int(rng.next() % 60)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let whole = split(junk) { $0 }
            let single = split(junk) { _ in 1 }
            #expect(whole.events == single.events, "\(String(decoding: junk, as: UTF8.self).debugDescription)")
        }
        let deep = Array((String(repeating: "[", count: 100_000) + "\n" + Self.r1).utf8)
        let out = split(deep) { $0 }
        #expect(out.events == [.skipped(Reasons.malformedJSON.text, line: 1), .element(Array(Self.r1.utf8), line: 2)])
    }

    @Test func skipsRecordsOverTheSizeCap() {
        let big = #"{"id":"big","pad":""# + String(repeating: "x", count: 1000) + #""}"#
        let text = Self.r1 + "\n" + big + "\n" + Self.r2
        let out = splitEveryWay(Array(text.utf8), maxRecordBytes: 600)
        #expect(out.events == [.element(Array(Self.r1.utf8), line: 1), .skipped(Reasons.recordTooLong.text, line: 2),
                               .element(Array(Self.r2.utf8), line: 3)])
        let huge = split(Array(("[" + big + "," + big + "," + Self.r1 + "]").utf8), maxRecordBytes: 600) { _ in 64 }
        #expect(huge.events == [.skipped(Reasons.recordTooLong.text, line: 1), .skipped(Reasons.recordTooLong.text, line: 1),
                                .element(Array(Self.r1.utf8), line: 1)])
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: sampleLogs + "/teams/callrecords")))
    func readsTheGeneratedCallRecords() throws {
        let page = try contents(sampleLogs + "/teams/callrecords/graph-page-2020-03-17.json")
        let p = splitEveryWay(page)
        #expect(p.events.count == 25)
        #expect(p.events.allSatisfy { $0.text != nil && $0.line == 1 })
        #expect(p.lines == 1)

        // The week of 2020-03-26 holds a record cut in the middle, followed by the whole record.
        let week13 = try contents(sampleLogs + "/teams/callrecords/callrecords-2020-W13.jsonl.gz")
        var rng = SplitMix64(seed: 3)
        let w13 = split(week13) { _ in 1 + Int(rng.next() % 100_000) }
        let skipped = w13.events.filter { $0.text == nil }
        #expect(skipped.count == 1)
        #expect(skipped.first.map { if case .skipped(let r, _) = $0 { return r }; return "" } == Reasons.truncatedJSON.text)
        #expect(w13.events.map(\.line) == Array(1...w13.lines))

        // Every element reads as a meeting or a peer-to-peer call; the page re-exports meetings
        // of the week of 2020-03-17, which count once.
        let week12 = try contents(sampleLogs + "/teams/callrecords/callrecords-2020-W12.jsonl.gz")
        let w12 = split(week12) { _ in 1 + Int(rng.next() % 100_000) }
        #expect(w12.events.count == w12.lines)
        let world = World()
        var parser = CallRecordsParser()
        var outcomes: [String: Int] = [:]
        for e in w12.events + p.events {
            guard case .element(let b, let line) = e else { Issue.record("\(e)"); continue }
            outcomes[tally(withLine(b) { parser.parse($0, number: line, world.ctx) }), default: 0] += 1
        }
        #expect(Set(outcomes.keys) == [tally(.record), tally(.ignored(CallRecordsParser.peerToPeer))])
        #expect(world.acc.meetings.count + world.acc.duplicateMeetings == outcomes[tally(.record)])
        #expect(world.acc.duplicateMeetings == 25)
    }
}

/// Outcomes as tally keys.
private func tally(_ o: LineOutcome) -> String { String(describing: o) }

// MARK: - Call records

struct CallRecordsParserTests {
    static let rows: [(id: String?, upn: String?, bu: String)] = [
        ("11111111-0000-4000-8000-000000000001", "ann@corp.example", "France Networks"),
        ("22222222-0000-4000-8000-000000000002", "bob@corp.example", "France Networks"),
        ("33333333-0000-4000-8000-000000000003", "cy@corp.example", "Iberia"),
    ]
    static let ann = "11111111-0000-4000-8000-000000000001", bob = "22222222-0000-4000-8000-000000000002"
    static let cy = "33333333-0000-4000-8000-000000000003", stranger = "99999999-0000-4000-8000-000000000009"

    @Test func countsOneMeetingForTheOrganizersBUAndEachParticipant() {
        for v2 in [false, true] {
            let w = World(Self.rows)
            var p = CallRecordsParser()
            // Participants: Cy (Iberia), Bob, Bob again (upper case), a stranger; the organizer (Ann) is not listed.
            let line = callRecord(id: "M-1", start: "2020-03-25T09:00:12.5628089Z", end: "2020-03-25T09:49:40Z",
                                  organizer: Self.ann, participants: [Self.cy, Self.bob, Self.bob.uppercased(), Self.stranger], v2: v2)
            #expect(w.parse(&p, line) == .record)
            #expect(w.meeting("M-1") == MeetingFact(day: day("2020-03-25"), bu: w.bu("France Networks"), seconds: 2968, participants: 3,
                                                             start: instant("2020-03-25T09:00:12Z")))
            #expect(w.facts == [
                w.fact(.meetingsUsers, Self.cy, "2020-03-25"), w.fact(.meetingsUsers, Self.bob, "2020-03-25"),
                w.fact(.meetingsUsers, Self.stranger, bu: BusinessUnits.unassigned, "2020-03-25"),
            ])
            #expect(w.acc.newestRecord == instant("2020-03-25T09:00:12Z"))
            // The same meeting again (another export) counts once.
            #expect(w.parse(&p, line, number: 2) == .record)
            #expect(w.acc.meetings.count == 1)
            #expect(w.acc.duplicateMeetings == 1)
        }
    }

    /// The meeting users a record holds back until the next record (or the flush) end up the
    /// same as when every record is flushed at once, skipped and ignored records among them.
    @Test func heldMeetingUsersAreAddedByTheNextRecordOrTheFlush() {
        let lines = [
            callRecord(id: "h1", organizer: Self.ann, participants: [Self.ann, Self.cy]),
            callRecord(id: "h2", type: "peerToPeer", participants: [Self.bob]),
            callRecord(id: "h3", start: "2020-03-26T09:00:00Z", end: "2020-03-26T10:00:00Z", participants: [Self.bob, Self.stranger]),
            #"{"id":"h4","type":"groupCall""#,
            callRecord(id: "h5", start: "2020-03-27T09:00:00Z", end: "2020-03-27T10:00:00Z", participants: [Self.cy]),
        ]
        let one = World(Self.rows), held = World(Self.rows)
        var p1 = CallRecordsParser(), p2 = CallRecordsParser()
        for (n, l) in lines.enumerated() {
            let a = one.parse(&p1, l, number: n + 1)
            let b = withLine(l) { p2.parse($0, number: n + 1, held.ctx) }
            #expect(a == b)
        }
        #expect(held.facts.count < one.facts.count)  // the last record's users are held
        p2.flush(held.ctx)
        #expect(held.facts == one.facts && held.facts.count == 5)
        p2.flush(held.ctx)
        #expect(held.facts == one.facts)
        #expect(held.acc.meetings.count == one.acc.meetings.count)
    }

    @Test func organizerListedCountsAsParticipantAndMissingOrganizerTakesTheFirstParticipantsBU() {
        let w = World(Self.rows)
        var p = CallRecordsParser()
        #expect(w.parse(&p, callRecord(id: "a", organizer: Self.ann, participants: [Self.ann, Self.cy])) == .record)
        #expect(w.meeting("a")?.participants == 2)
        #expect(w.meeting("a")?.bu == w.bu("France Networks"))
        #expect(w.parse(&p, callRecord(id: "b", participants: [Self.cy, Self.ann])) == .record)
        #expect(w.meeting("b")?.bu == w.bu("Iberia"))
        #expect(w.parse(&p, callRecord(id: "c", participants: [])) == .record)
        #expect(w.meeting("c") == MeetingFact(day: day("2020-03-25"), bu: BusinessUnits.unassigned, seconds: 2968, participants: 0,
                                                 start: instant("2020-03-25T09:00:12Z")))
        // A null organizer and participants without a user (phone, guest) are not people.
        let odd = #"{"id":"d","type":"groupCall","startDateTime":"2020-03-25T10:00:00Z","endDateTime":"2020-03-25T10:00:00Z","organizer":null,"participants":[{"user":null,"phone":{"id":"+33"}},{"guest":{"id":"g"}},{"user":{"id":"\#(Self.cy)"}}]}"#
        #expect(w.parse(&p, odd) == .record)
        #expect(w.meeting("d") == MeetingFact(day: day("2020-03-25"), bu: w.bu("Iberia"), seconds: 0, participants: 1, start: instant("2020-03-25T10:00:00Z")))
    }

    @Test func dayIsTheLocalDateOfTheStart() {
        let w = World(Self.rows, zone: "Europe/Paris")
        var p = CallRecordsParser()
        // 23:30Z on the 24th is 00:30 on the 25th in Paris; an offset is exact; no offset reads in --tz.
        #expect(w.parse(&p, callRecord(id: "z", start: "2020-03-24T23:30:00Z", end: "2020-03-25T00:10:00Z", organizer: Self.ann, participants: [Self.ann])) == .record)
        #expect(w.meeting("z")?.day == day("2020-03-25"))
        #expect(w.parse(&p, callRecord(id: "o", start: "2020-03-25T23:30:00-05:00", end: "2020-03-26T00:30:00-05:00", participants: [Self.ann])) == .record)
        #expect(w.meeting("o")?.day == day("2020-03-26"))
        #expect(w.meeting("o")?.seconds == 3600)
        #expect(w.parse(&p, callRecord(id: "l", start: "2020-03-25T00:30:00", end: "2020-03-25T01:00:00", participants: [Self.ann])) == .record)
        #expect(w.meeting("l")?.day == day("2020-03-25"))
        #expect(w.acc.newestRecord == instant("2020-03-26T04:30:00Z"))
        #expect(w.facts.contains(w.fact(.meetingsUsers, Self.ann, "2020-03-26")))
    }

    @Test func ignoresCallsAndSkipsIncompleteRecords() {
        let w = World(Self.rows)
        var p = CallRecordsParser()
        let cases: [(String, LineOutcome)] = [
            (callRecord(id: "p", type: "peerToPeer", participants: [Self.ann, Self.bob]), .ignored(Reason("peer-to-peer call"))),
            (callRecord(id: "u", type: "unknownFutureValue", participants: [Self.ann]), .ignored(CallRecordsParser.unknownType)),
            (callRecord(id: "", participants: [Self.ann]), .skipped(Reason("no id"))),
            (#"{"type":"groupCall","startDateTime":"2020-03-25T09:00:12Z","endDateTime":"2020-03-25T09:49:40Z"}"#, .skipped(Reason("no id"))),
            (#"{"id":"t","startDateTime":"2020-03-25T09:00:12Z","endDateTime":"2020-03-25T09:49:40Z"}"#, .skipped(CallRecordsParser.noType)),
            (callRecord(id: "s", start: nil, participants: [Self.ann]), .skipped(CallRecordsParser.noStart)),
            (callRecord(id: "e", end: nil, participants: [Self.ann]), .skipped(CallRecordsParser.noEnd)),
            (callRecord(id: "b", start: "2020-03-25T10:00:00Z", end: "2020-03-25T09:00:00Z"), .skipped(Reason("ends before it starts"))),
            (callRecord(id: "x", start: "yesterday"), .skipped(Reasons.badTime)),
            (callRecord(id: "y", start: "2020-02-30T10:00:00Z"), .skipped(Reasons.impossibleDate)),
            (#"[{"id":"a"}]"#, .skipped(Reasons.notAnObject)),
            (String(callRecord(id: "c").dropLast()), .skipped(Reasons.truncatedJSON)),
            (callRecord(id: "c") + ",", .skipped(Reasons.textAfterValue)),
        ]
        for (line, expected) in cases { #expect(w.parse(&p, line) == expected, "\(line)") }
        #expect(w.acc.meetings.isEmpty)
        #expect(w.acc.facts.count == 0)
        #expect(w.acc.newestRecord == nil)
    }
}

// MARK: - NSS JSON

struct NSSJSONParserTests {
    static let rows: [(id: String?, upn: String?, bu: String)] = [
        ("11111111-0000-4000-8000-000000000001", "ann@corp.example", "France Networks"),
    ]

    @Test func wrapperAndBareEventsMakeProxyAndRemoteUsers() {
        let w = World(Self.rows)
        var p = NSSJSONParser()
        let lines = [
            #"{ "sourcetype" : "zscalernss-web", "event" :{"time":"Mon Mar 23 09:14:02 2020","login":"Ann@Corp.example","location":"HQ","dept":"Ignored"}}"#,
            #"{"datetime":"Mon Mar 23 23:59:59 2020","user":"bob@corp.example","department":"Iberia","location":" Road Warrior "}"#,
            #"{"EVENT":{"Time":"Tue Mar 24 00:00:00 2020","LOGIN":"ann@corp.example","Location":"road warrior"},"sourcetype":"zscalernss-web"}"#,
            #"{"epochtime":1585094400,"login":"cy@corp.example"}"#,
            #"{"epochtime":"1585094400.123","login":"cy@corp.example"}"#,
        ]
        for (i, l) in lines.enumerated() { #expect(w.parse(&p, l, number: i + 1) == .record, "\(l)") }
        let iberia = w.bu("Iberia")
        #expect(w.facts == [
            w.fact(.proxyUsers, "ann@corp.example", "2020-03-23"),
            w.fact(.proxyUsers, "bob@corp.example", bu: iberia, "2020-03-23"),
            w.fact(.proxyRemoteUsers, "bob@corp.example", bu: iberia, "2020-03-23"),
            w.fact(.proxyUsers, "ann@corp.example", "2020-03-24"),
            w.fact(.proxyRemoteUsers, "ann@corp.example", "2020-03-24"),
            w.fact(.proxyUsers, "cy@corp.example", bu: BusinessUnits.unassigned, "2020-03-25"),
        ])
        #expect(w.acc.newestRecord == 1_585_094_400)
    }

    @Test func timeZoneFieldAndTheLocalDay() {
        let w = World(Self.rows, zone: "Europe/Paris")
        var p = NSSJSONParser()
        // 23:30 UTC is the next day in Paris; 23:30 at -05:00 is 04:30Z the next day; 23:30 in Paris is that day.
        #expect(w.parse(&p, #"{"time":"Mon Mar 23 23:30:00 2020","login":"a@x"}"#) == .record)
        #expect(w.parse(&p, #"{"time":"Mon Mar 23 23:30:00 2020","login":"b@x","tz":"-05:00"}"#) == .record)
        #expect(w.parse(&p, #"{"time":"Mon Mar 23 23:30:00 2020","login":"c@x","tz":"-0500"}"#) == .record)
        #expect(w.parse(&p, #"{"time":"Mon Mar 23 23:30:00 2020","login":"d@x","tz":"Europe/Paris"}"#) == .record)
        #expect(w.parse(&p, #"{"time":"Mon Mar 23 23:30:00 2020","login":"e@x","tz":"Mars/Olympus"}"#) == .skipped(NSSJSONParser.unknownZone))
        let u = BusinessUnits.unassigned
        #expect(w.facts == [
            w.fact(.proxyUsers, "a@x", bu: u, "2020-03-24"), w.fact(.proxyUsers, "b@x", bu: u, "2020-03-24"),
            w.fact(.proxyUsers, "c@x", bu: u, "2020-03-24"), w.fact(.proxyUsers, "d@x", bu: u, "2020-03-23"),
        ])
        #expect(w.acc.newestRecord == instant("2020-03-24T04:30:00Z"))
    }

    @Test func unauthenticatedAndBrokenLines() {
        let w = World(Self.rows)
        var p = NSSJSONParser()
        let t = #""time":"Mon Mar 23 09:14:02 2020""#
        let cases: [(String, LineOutcome)] = [
            ("{\(t),\"login\":\"\"}", .ignored(Reason("unauthenticated transaction"))),
            ("{\(t),\"login\":\"  \"}", .ignored(Reason("unauthenticated transaction"))),
            ("{\(t),\"login\":\"UNKNOWN\"}", .ignored(Reason("unauthenticated transaction"))),
            ("{\(t),\"login\":\"Not available\"}", .ignored(Reason("unauthenticated transaction"))),
            ("{\(t),\"login\":null}", .ignored(Reason("unauthenticated transaction"))),
            ("{\(t),\"url\":\"x\"}", .skipped(Reasons.missingUser)),
            (#"{"login":"a@x"}"#, .skipped(Reasons.noTime)),
            (#"{"time":"","login":"a@x"}"#, .skipped(Reasons.noTime)),
            (#"{"time":"Mon Mar 23 25:14:02 2020","login":"a@x"}"#, .skipped(Reasons.impossibleDate)),
            (#"{"time":"soon","login":"a@x"}"#, .skipped(Reasons.badTime)),
            (#"{"epochtime":"x","login":"a@x"}"#, .skipped(Reasons.badTime)),
            ("{\(t),\"login\":\"a@x\"", .skipped(Reasons.truncatedJSON)),
            ("{\(t),\"login\":\"a@x\"}}", .skipped(Reasons.textAfterValue)),
            ("\"{\(t)}\"", .skipped(Reasons.malformedJSON)),
            ("[{\(t),\"login\":\"a@x\"}]", .skipped(Reasons.notAnObject)),
        ]
        for (line, expected) in cases { #expect(w.parse(&p, line) == expected, "\(line)") }
        #expect(w.acc.facts.count == 0)
        #expect(w.acc.newestRecord == nil)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: realSamples)))
    func readsTheRealSample() throws {
        let w = World()
        var p = NSSJSONParser()
        let lines = try PlateauCoreTests.lines(realSamples + "/zscaler-zia-web.log")
        #expect(lines.count == 6)
        for (i, l) in lines.enumerated() { #expect(w.parse(&p, String(l), number: i + 1) == .record, "line \(i + 1)") }
        // dept "Unknown" is no BU; "Test DB" is no remote location.
        let u = BusinessUnits.unassigned
        #expect(w.facts == [w.fact(.proxyUsers, "test@example.com", bu: u, "2021-12-31"), w.fact(.proxyUsers, "test@example.com", bu: u, "2022-08-29")])
        #expect(w.acc.newestRecord == instant("2022-08-29T09:20:35Z"))
        // Every proper prefix of every line is truncated.
        for l in lines {
            let b = Array(l.utf8)
            for n in 0..<b.count {
                let out = withLine(Array(b[0..<n])) { p.parse($0, number: 1, w.ctx) }
                if out != .skipped(Reasons.truncatedJSON) { Issue.record("prefix \(n): \(out)"); break }
            }
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: sampleLogs + "/proxy")))
    func readsTheGeneratedAmericasFeed() throws {
        let w = World()
        var p = NSSJSONParser()
        var counts: [String: Int] = [:]
        for l in try PlateauCoreTests.lines(sampleLogs + "/proxy/nss-web-americas-2020-03-24.jsonl.gz") {
            counts[tally(w.parse(&p, String(l))), default: 0] += 1
        }
        #expect(Set(counts.keys) == [tally(.record), tally(.ignored(NSSJSONParser.unauthenticated))])
        #expect(counts[tally(.record), default: 0] > 100)
        #expect(w.facts.contains { $0.metric == .proxyRemoteUsers })
    }
}

// MARK: - ZPA

struct ZPAParsersTests {
    static let rows: [(id: String?, upn: String?, bu: String)] = [
        (nil, "ann@corp.example", "France Networks"),
    ]

    @Test func statusRecordsMakeSessionsWithTheSAMLDepartment() throws {
        let w = World(Self.rows)
        var p = ZPAUserStatusParser()
        let a = #"{"LogTimestamp":"Tue Mar 24 08:01:12 2020","Username":"bob@corp.example","SessionID":"vkczUERSLl88Y+ytH8v5","SessionStatus":"ZPN_STATUS_AUTHENTICATED","TimestampAuthentication":"2020-03-24T07:59:58.000Z","TimestampUnAuthentication":"","SAMLAttributes":"myname:bob, department : Iberia ,email:bob@corp.example","PosturesHit":["x","y"],"TrustedNetworks":[]}"#
        #expect(w.parse(&p, a) == .record)
        let id = w.sessionKey("vkczUERSLl88Y+ytH8v5")
        #expect(w.acc.zpa[id] == ZPASession(person: w.person("bob@corp.example").key, bu: w.bu("Iberia"),
                                           authenticated: instant("2020-03-24T07:59:58Z"), unauthenticated: nil))
        // The same session ends; SAMLAttributes as an array this time; a SessionID differing only by case is another session.
        let b = #"{"LogTimestamp":"Tue Mar 24 18:00:00 2020","Username":"bob@corp.example","SessionID":"vkczUERSLl88Y+ytH8v5","TimestampAuthentication":"2020-03-24T07:59:58.000Z","TimestampUnAuthentication":"2020-03-24T17:59:59.000Z","SAMLAttributes":["myname:bob","department:Iberia"],"PosturesHit":"x,y"}"#
        #expect(w.parse(&p, b) == .record)
        #expect(w.acc.zpa[id]?.unauthenticated == instant("2020-03-24T17:59:59Z"))
        let c = #"{"LogTimestamp":"Tue Mar 24 18:00:00 2020","Username":"ann@corp.example","SessionID":"VKCZUERSLL88Y+YTH8V5","TimestampAuthentication":"2020-03-24T09:00:00.000Z","SAMLAttributes":"department:Iberia"}"#
        #expect(w.parse(&p, c) == .record)
        #expect(w.acc.zpa.count == 2)
        // The directory's BU wins over the SAML department.
        #expect(w.acc.zpa[w.sessionKey("VKCZUERSLL88Y+YTH8V5")]?.bu == w.bu("France Networks"))
        #expect(w.acc.newest[SessionFamily.privateAccess.rawValue] == instant("2020-03-24T18:00:00Z"))
        #expect(w.acc.newestRecord == instant("2020-03-24T18:00:00Z"))
        #expect(w.acc.facts.count == 0)
    }

    @Test func activityRecordsMakeConnections() {
        let w = World(Self.rows)
        var p = ZPAUserActivityParser()
        let open = #"{"LogTimestamp":"Tue Mar 24 10:00:00 2020","SessionID":"S1","ConnectionID":"C1,C2","Username":"ann@corp.example","TimestampConnectionStart":"2020-03-24T09:00:00.123Z","TimestampConnectionEnd":"","ServicePort":443,"ClientLatitude":45.000000}"#
        let closed = #"{"LogTimestamp":"Tue Mar 24 12:00:00 2020","SessionID":"S1","ConnectionID":"C3","Username":"ann@corp.example","TimestampConnectionStart":"2020-03-24T08:30:00Z","TimestampConnectionEnd":"2020-03-24T11:00:00Z"}"#
        #expect(w.parse(&p, open) == .record)
        #expect(w.parse(&p, closed) == .record)
        let ann = w.person("ann@corp.example")
        #expect(w.acc.zpa[w.sessionKey("S1")] == ZPASession(
            person: ann.key, bu: ann.bu, firstConnection: instant("2020-03-24T08:30:00Z"),
            lastConnectionEnd: instant("2020-03-24T11:00:00Z"), openConnection: true))
        #expect(w.acc.newest[SessionFamily.privateAccess.rawValue] == instant("2020-03-24T12:00:00Z"))
    }

    @Test func recordsWithoutSessionIDAreKeyedByUserAndTime() {
        let w = World(Self.rows)
        var p = ZPAUserStatusParser()
        let a = #"{"Username":"ann@corp.example","TimestampAuthentication":"2020-03-24T07:00:00Z"}"#
        let b = #"{"Username":"ANN@corp.example","TimestampAuthentication":"2020-03-24T07:00:00Z","TimestampUnAuthentication":"2020-03-24T09:00:00Z"}"#
        let c = #"{"Username":"ann@corp.example","TimestampAuthentication":"2020-03-24T10:00:00Z"}"#
        for l in [a, b, c] { #expect(w.parse(&p, l) == .record) }
        #expect(w.acc.zpa.count == 2)
        #expect(w.acc.zpa.values.contains { $0.authenticated == instant("2020-03-24T07:00:00Z") && $0.unauthenticated == instant("2020-03-24T09:00:00Z") })
    }

    @Test func ignoresZPAsOwnClientsAndSkipsBrokenRecords() {
        let w = World(Self.rows)
        var status = ZPAUserStatusParser()
        var activity = ZPAUserActivityParser()
        let cases: [(String, LineOutcome)] = [
            (#"{"Username":"ZPA LSS Client","SessionID":"x","TimestampAuthentication":"2020-03-24T07:00:00Z"}"#, .ignored(Reason("ZPA's own client"))),
            (#"{"Username":"ZPA IP Anchoring","SessionID":"x"}"#, .ignored(Reason("ZPA's own client"))),
            (#"{"SessionID":"x","TimestampAuthentication":"2020-03-24T07:00:00Z"}"#, .skipped(Reasons.missingUser)),
            (#"{"Username":"ann@corp.example","SessionID":"x","TimestampAuthentication":"","LogTimestamp":""}"#, .skipped(Reasons.noTime)),
            (#"{"LogTimestamp":"Tue Apr 07 22:03:19 2020","Customer":"Aurore","Username":""#, .skipped(Reasons.truncatedJSON)),
            (#"{"Username":"ann@corp.example" "SessionID":"x"}"#, .skipped(Reasons.malformedJSON)),
        ]
        for (line, expected) in cases {
            #expect(w.parse(&status, line) == expected, "status \(line)")
            #expect(w.parse(&activity, line) == expected, "activity \(line)")
        }
        #expect(w.parse(&status, #"{"Username":"ann@corp.example","SessionID":"x","TimestampAuthentication":"2020-13-24T07:00:00Z"}"#) == .skipped(Reasons.badTime))
        #expect(w.parse(&status, #"{"Username":"ann@corp.example","SessionID":"x","LogTimestamp":"Tue Mar 24 08:01:12"}"#) == .skipped(Reasons.badTime))
        #expect(w.parse(&activity, #"{"Username":"ann@corp.example","SessionID":"x","TimestampConnectionStart":"nope"}"#) == .skipped(Reasons.badTime))
        #expect(w.acc.zpa.isEmpty)
        #expect(w.acc.newestRecord == nil)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: realSamples)))
    func readsTheRealSamples() throws {
        let w = World()
        var status = ZPAUserStatusParser()
        var activity = ZPAUserActivityParser()
        let s = try PlateauCoreTests.lines(realSamples + "/zscaler-zpa-user-status.log").map { w.parse(&status, String($0)) }
        #expect(s == [.ignored(ZPA.ownClient), .record, .ignored(ZPA.ownClient)])
        let a = try PlateauCoreTests.lines(realSamples + "/zscaler-zpa-user-activity.log").map { w.parse(&activity, String($0)) }
        #expect(a == [.ignored(ZPA.ownClient)])
        let john = w.person("john.doe@ourcompany.cz")
        #expect(w.acc.zpa == [w.sessionKey("vkczUERSLl88Y+ytH8v5"):
                                ZPASession(person: john.key, bu: BusinessUnits.unassigned, authenticated: instant("2019-05-29T21:18:38Z"))])
        #expect(w.acc.newestRecord == instant("2019-05-31T17:34:48Z"))
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: sampleLogs + "/zpa")))
    func readsTheGeneratedLogs() throws {
        let w = World()
        var status = ZPAUserStatusParser()
        var activity = ZPAUserActivityParser()
        var counts: [String: Int] = [:]
        for l in try PlateauCoreTests.lines(sampleLogs + "/zpa/user-status-2020-04.jsonl.gz") { counts[tally(w.parse(&status, String(l))), default: 0] += 1 }
        for l in try PlateauCoreTests.lines(sampleLogs + "/zpa/user-activity-2020-04.jsonl.gz") { counts[tally(w.parse(&activity, String(l))), default: 0] += 1 }
        #expect(counts[tally(.record), default: 0] > 1000)
        #expect(Set(counts.keys).isSubset(of: [tally(.record), tally(.ignored(ZPA.ownClient)), tally(.skipped(Reasons.truncatedJSON))]))
        #expect(counts[tally(.skipped(Reasons.truncatedJSON)), default: 0] <= 1)
        #expect(w.acc.zpa.values.contains { $0.authenticated != nil && $0.firstConnection != nil && $0.bu != BusinessUnits.unassigned })
    }
}

// MARK: - Every parser on hostile input

struct JSONParsersHostileInputTests {
    @Test func parsersNeverTrapOnGarbagePrefixesOrHugeLines() {
        let w = World()
        var cr = CallRecordsParser(), nss = NSSJSONParser(), st = ZPAUserStatusParser(), ac = ZPAUserActivityParser()
        func all(_ b: [UInt8]) -> [LineOutcome] {
            [withLine(b) { cr.parse($0, number: 1, w.ctx) }, withLine(b) { nss.parse($0, number: 1, w.ctx) },
             withLine(b) { st.parse($0, number: 1, w.ctx) }, withLine(b) { ac.parse($0, number: 1, w.ctx) }]
        }
        var rng = SplitMix64(seed: 99)
        for n in [0, 1, 2, 10, 100, 5000] {
            for _ in 0..<20 {
                let junk = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                for o in all(junk) {
                    guard case .skipped = o else { Issue.record("garbage read as \(o)"); continue }
                }
            }
        }
        // Every proper prefix of a call record is truncated, for every parser.
        let rec = Array(callRecord(id: "x", organizer: "o", participants: ["a", "b"]).utf8)
        for n in 0..<rec.count {
            let outs = all(Array(rec[0..<n]))
            if outs.contains(where: { $0 != .skipped(Reasons.truncatedJSON) }) { Issue.record("prefix \(n): \(outs)"); break }
        }
        // Time stamps shaped to trip a text-stamp reader: a long day, a stamp cut after the hour.
        for stamp in ["Mon Mar 123456789012 12", "Mon Mar 99999999999999999999999 12:00:00 2020", "Mon Mar 1234567890123 12",
                      "Mon Mar 1 12", "Mon Mar  1 12:00:00 202", "Mon Mar 001 12:00:00 2020", "Mon Mar 23 09:14:02 2020 "] {
            let n = #"{"time":"\#(stamp)","login":"a@x"}"#, z = #"{"Username":"a@x","SessionID":"s","LogTimestamp":"\#(stamp)"}"#
            let expected: LineOutcome = stamp.hasPrefix("Mon Mar 23") ? .record : .skipped(Reasons.badTime)
            #expect(w.parse(&nss, n) == expected, "\(stamp)")
            #expect(w.parse(&st, z) == expected, "\(stamp)")
        }
        let alphabet = Array("Mon Mar 0123456789: ".utf8)
        for _ in 0..<5000 {
            let stamp = String(decoding: (0..<Int(rng.next() % 30)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }, as: UTF8.self)
            _ = w.parse(&nss, #"{"time":"\#(stamp)","login":"a@x"}"#)
            _ = w.parse(&ac, #"{"Username":"a@x","LogTimestamp":"\#(stamp)","TimestampConnectionStart":"\#(stamp)"}"#)
        }
        // A 10 MB line and wrong types everywhere.
        let huge = #"{"id":"h","type":"groupCall","login":""# + String(repeating: "y", count: 10 << 20) + #"","participants":5,"organizer":"o","event":[1],"SAMLAttributes":{"a":1},"Username":7}"#
        let outs = all(Array(huge.utf8))
        #expect(outs[0] == .skipped(CallRecordsParser.noStart))
        #expect(outs[1] == .skipped(Reasons.noTime))
        #expect(outs[2] == .skipped(Reasons.missingUser))
    }
}
