import Foundation
import Testing
@testable import PlateauCore

/// What the remote-access parser tests (GlobalProtect, FortiGate, Pulse, Citrix ADC, OpenVPN)
/// share: a small directory, feeding lines, the whole / byte-by-byte / random-split check, and
/// the real samples (`../shared/real-samples`, SEKOIA test cases and Wazuh INI files unwrapped).
enum Remote {
    /// A directory of a few people and a context, the `vpn` zone and year as asked.
    final class World {
        let units = BusinessUnits()
        let ctx: ParseContext
        let france: UInt16, germany: UInt16

        init(vpnZone: String? = nil, year: Int? = nil, tz: String = "Europe/Paris") {
            var settings = IngestSettings()
            settings.timezone = TimeZoneRules(identifier: tz)!
            if let vpnZone { settings.sourceZones["vpn"] = TimeZoneRules(identifier: vpnZone)!; settings.sourceZones["vdi"] = TimeZoneRules(identifier: vpnZone)! }
            if let year { settings.sourceYears["vpn"] = year }
            france = units.id("France Networks")
            germany = units.id("Germany Retail")
            var d = Directory(hasher: settings.hasher)
            for (upn, bu) in [("jane.doe@corp.example", france), ("max.mustermann@corp.example", germany), ("picard@corp.example", france),
                              ("someuser@corp.example", germany), ("user.name@corp.example", france), ("testuser@corp.example", germany),
                              ("demovpn@corp.example", france), ("my_user_name@corp.example", germany)] {
                Remote.bytes(upn) { d.add(userID: nil, upn: $0, bu: bu) }
            }
            ctx = ParseContext(resolver: Resolver(directory: d, units: units), settings: settings)
        }

        func person(_ upn: String) -> Person { Remote.bytes(upn) { ctx.resolver.resolve($0) } }
        func account(_ name: String) -> Person { Remote.bytes(name) { ctx.resolver.resolveRemote($0) } }
        func tag(_ s: String) -> UInt64 { ctx.settings.hasher.hash(s) }
        var starts: Set<SessionFact> { ctx.acc.vpnStarts }
        var vpn: Set<SessionFact> { ctx.acc.sessions[SessionFamily.vpn.rawValue] }
        var vpnEdges: Set<SessionEdge> { ctx.acc.edges[SessionFamily.vpn.rawValue] }
        var vdiEdges: Set<SessionEdge> { ctx.acc.edges[SessionFamily.vdi.rawValue] }
        /// Assembled sessions of a family (open ones closed at the newest stamp), sorted.
        func sessions(_ f: SessionFamily) -> [ClosedSession] {
            SessionAssembly.sessions(f, ctx.acc, maxOpen: 86_400).sorted { ($0.start, $0.end, $0.person) < ($1.start, $1.end, $1.person) }
        }
    }

    static func bytes<R>(_ s: String, _ body: (Bytes) -> R) -> R {
        var s = s
        return s.withUTF8 { body(Bytes($0)) }
    }

    static func feed<P: RecordParser>(_ p: inout P, _ line: String, _ w: World) -> LineOutcome {
        var b = Array(line.utf8)
        defer { p.flush(w.ctx) }  // one line is one chunk
        return b.withUnsafeMutableBytes { p.parse($0, number: 1, w.ctx) }
    }

    /// Every line of `content` through the line framer, in pieces of the given sizes (empty:
    /// whole): the outcomes, in order.
    static func feedAll<P: RecordParser>(_ p: inout P, _ content: [UInt8], _ w: World, pieces: [Int] = []) -> [LineOutcome] {
        var out: [LineOutcome] = []
        var f = LineFramer()
        var copy = content
        copy.withUnsafeMutableBytes { raw in
            var i = 0, k = 0
            while i < raw.count {
                let n = max(1, min(pieces.isEmpty ? raw.count : pieces[k % pieces.count], raw.count - i))
                f.feed(UnsafeMutableRawBufferPointer(rebasing: raw[i..<(i + n)]), { l, _ in out.append(p.parse(l, number: 0, w.ctx)) },
                       overlong: { _ in out.append(.skipped(Reasons.lineTooLong)) })
                p.flush(w.ctx)  // as the drivers do after each chunk
                i += n; k += 1
            }
        }
        f.finish({ l, _ in out.append(p.parse(l, number: 0, w.ctx)) }, overlong: { _ in out.append(.skipped(Reasons.lineTooLong)) })
        p.flush(w.ctx)
        return out
    }

    /// What an accumulator holds, as sorted text (facts compared across readings).
    static func facts(_ acc: Accumulator) -> [String] {
        var out: [String] = []
        for s in acc.sessions.flatMap({ $0 }) { out.append("s\(s)") }
        for s in acc.vpnStarts { out.append("v\(s)") }
        for e in acc.edges.flatMap({ $0 }) { out.append("e\(e)") }
        out.append("n\(acc.newest)")
        return out.sorted()
    }

    /// NIO's decoder-verifier idea: `content` read whole, one byte at a time and in seeded random
    /// splits gives the same outcomes and the same facts.
    static func checkChunking<P: RecordParser>(_ make: () -> P, _ content: [UInt8], world: () -> World,
                                               sourceLocation: SourceLocation = #_sourceLocation) {
        let w0 = world()
        var p0 = make()
        let whole = feedAll(&p0, content, w0)
        let wholeFacts = facts(w0.ctx.acc)
        #expect(whole.contains(.record), "the content has records", sourceLocation: sourceLocation)
        let w1 = world()
        var p1 = make()
        #expect(feedAll(&p1, content, w1, pieces: [1]) == whole, "byte by byte", sourceLocation: sourceLocation)
        #expect(facts(w1.ctx.acc) == wholeFacts, "byte by byte", sourceLocation: sourceLocation)
        var rng = SplitMix64(seed: 17)
        for _ in 0..<5 {
            let pieces = (0..<7).map { _ in 1 + Int(rng.next() % 300) }
            let w = world()
            var p = make()
            #expect(feedAll(&p, content, w, pieces: pieces) == whole, "pieces \(pieces)", sourceLocation: sourceLocation)
            #expect(facts(w.ctx.acc) == wholeFacts, "pieces \(pieces)", sourceLocation: sourceLocation)
        }
    }

    /// Random bytes, and every prefix of each line: an outcome each, never a trap.
    static func checkNoTrap<P: RecordParser>(_ make: () -> P, _ lines: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let w = World()
        var p = make()
        var rng = SplitMix64(seed: 99)
        for _ in 0..<1_000 {
            let junk = (0..<Int(rng.next() % 300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            var b = junk
            _ = b.withUnsafeMutableBytes { p.parse($0, number: 1, w.ctx) }
            for line in lines.prefix(3) {
                var c = Array(line.utf8.prefix(Int(rng.next() % UInt64(line.utf8.count + 1)))) + junk
                _ = c.withUnsafeMutableBytes { p.parse($0, number: 1, w.ctx) }
            }
        }
        for line in lines {
            let b = Array(line.utf8)
            for k in 0...b.count {
                var c = Array(b[0..<k])
                _ = c.withUnsafeMutableBytes { p.parse($0, number: 1, w.ctx) }
            }
        }
        var huge = [UInt8](repeating: 0x3D, count: 1 << 20)  // a megabyte of `=`
        _ = huge.withUnsafeMutableBytes { p.parse($0, number: 1, w.ctx) }
        var quotes = [UInt8](repeating: 0x22, count: 1 << 20)
        _ = quotes.withUnsafeMutableBytes { p.parse($0, number: 1, w.ctx) }
    }

    static let realSamples: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/real-samples").path
    }()

    static func hasSamples(_ folder: String) -> Bool { FileManager.default.fileExists(atPath: realSamples + "/" + folder) }

    static func sample(_ path: String) throws -> [UInt8] { try contents(realSamples + "/" + path) }

    /// The raw log line a SEKOIA test case wraps (`input.message`), without its trailing newline.
    static func sekoia(_ path: String) throws -> String {
        let o = try JSONSerialization.jsonObject(with: Data(try sample(path))) as! [String: Any]
        var m = (o["input"] as! [String: Any])["message"] as! String
        while m.hasSuffix("\n") { m.removeLast() }
        return m
    }

    /// The raw logs of a Wazuh rule-test INI file (`log N pass = <raw>`).
    static func wazuh(_ path: String) throws -> [String] {
        String(decoding: try sample(path), as: UTF8.self).split(separator: "\n").compactMap { l in
            guard l.hasPrefix("log "), let r = l.range(of: " pass = ") else { return nil }
            return String(l[r.upperBound...])
        }
    }

    /// The UTC instant of a wall-clock time in `zone`, by Foundation's calendar.
    static func instant(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, _ zone: String = "UTC") -> Int64 {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: zone)!
        return Int64(c.date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: mi, second: s))!.timeIntervalSince1970.rounded())
    }

    /// Outcomes in short: `R` record, `H` header, `I:reason`, `S:reason`.
    static func short(_ o: [LineOutcome]) -> [String] {
        o.map {
            switch $0 {
            case .record: return "R"
            case .header: return "H"
            case .ignored(let r): return "I:" + r.text
            case .skipped(let r): return "S:" + r.text
            }
        }
    }
}
