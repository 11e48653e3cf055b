import Foundation
import Testing
@testable import PlateauCore

/// The ASA/FTD syslog parser: exact instants (checked against Foundation's calendar, not the
/// parser's own arithmetic), identities, years of year-less stamps, and accounting of every
/// line of the real device samples and of the generated logs.
struct ASASyslogParserTests {
    typealias P = ASASyslogParser

    // MARK: a small world

    /// A directory of a few people, a resolver and a context, with the `vpn` settings wanted.
    final class World {
        let units = BusinessUnits()
        let ctx: ParseContext
        var parser: ASASyslogParser
        let france: UInt16, germany: UInt16

        init(year: Int? = 2020, fileModified: Int64? = nil, vpnZone: String? = nil, tz: String = "Europe/Paris") {
            var settings = IngestSettings()
            settings.timezone = TimeZoneRules(identifier: tz)!
            if let vpnZone { settings.sourceZones["vpn"] = TimeZoneRules(identifier: vpnZone)! }
            if let year { settings.sourceYears["vpn"] = year }
            france = units.id("France Networks")
            germany = units.id("Germany Retail")
            var d = Directory(hasher: settings.hasher)
            let rows: [(String?, String, UInt16)] = [
                ("5d2f0a7e-1b2c-4d3e-9f00-aa11bb22cc33", "jane.doe@corp.example", france),
                (nil, "first.o'last@example.com", germany),
                (nil, "j.smith@corp.example", france),       // two people share the local part
                (nil, "j.smith@partner.example", germany),   // `j.smith`: ambiguous, neither
                (nil, "example.user@corp.example", germany),
            ]
            for (id, upn, bu) in rows {
                ASASyslogParserTests.bytes(upn) { u in
                    if let id { ASASyslogParserTests.bytes(id) { d.add(userID: $0, upn: u, bu: bu) } } else { d.add(userID: nil, upn: u, bu: bu) }
                }
            }
            ctx = ParseContext(resolver: Resolver(directory: d, units: units), settings: settings)
            parser = ASASyslogParser(settings: settings, fileModified: fileModified)
        }

        @discardableResult
        func feed(_ line: String) -> LineOutcome {
            var b = Array(line.utf8)
            return b.withUnsafeMutableBytes { parser.parse($0, number: 1, ctx) }
        }

        func feed(bytes: [UInt8]) -> LineOutcome {
            var b = bytes
            return b.withUnsafeMutableBytes { parser.parse($0, number: 1, ctx) }
        }

        /// Who the directory says a full identifier is (the whole-UPN path of the resolver).
        func person(_ upn: String) -> Person { ASASyslogParserTests.bytes(upn) { ctx.resolver.resolve($0) } }
        func tag(_ ip: String) -> UInt64 { ctx.settings.hasher.hash(ip) }
        var starts: Set<SessionFact> { ctx.acc.vpnStarts }
        var ended: Set<SessionFact> { ctx.acc.sessions[SessionFamily.vpn.rawValue] }
    }

    static func bytes<R>(_ s: String, _ body: (Bytes) -> R) -> R {
        var s = s
        return s.withUTF8 { body(Bytes($0)) }
    }

    /// The UTC instant of a wall-clock time in `zone`, by Foundation's calendar.
    static func instant(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, _ zone: String = "Europe/Paris") -> Int64 {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: zone)!
        let date = c.date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: mi, second: s))!
        return Int64(date.timeIntervalSince1970.rounded())
    }

    static func utc(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int) -> Int64 { instant(y, mo, d, h, mi, s, "UTC") }

    static let start = "%ASA-6-113039: Group <GP_AnyConnect> User <jane.doe> IP <198.51.100.42> AnyConnect parent session started."
    static func end(user: String = "jane.doe", ip: String = "198.51.100.42", type: String = "SSL", duration: String = "7h:32m:15s") -> String {
        "%ASA-4-113019: Group = GP_AnyConnect, Username = \(user), IP = \(ip), Session disconnected. Session Type: \(type), Duration: \(duration), Bytes xmt: 45678901, Bytes rcv: 152345678, Reason: User Requested"
    }

    // MARK: sessions

    @Test func startAndEndOfTheFormatsExample() {
        let w = World(year: nil)
        #expect(w.feed("<166>Mar 25 2020 08:01:02 asa-vpn-01 : " + Self.start) == .record)
        #expect(w.feed("<164>Mar 25 2020 15:33:17 asa-vpn-01 : " + Self.end()) == .record)
        let jane = w.person("jane.doe@corp.example")
        #expect(jane.bu == w.france)
        let t0 = Self.instant(2020, 3, 25, 8, 1, 2), t1 = Self.instant(2020, 3, 25, 15, 33, 17)
        #expect(t0 == Self.utc(2020, 3, 25, 7, 1, 2))
        #expect(w.starts == [SessionFact(person: jane.key, bu: w.france, start: t0, end: nil, tag: w.tag("198.51.100.42"))])
        // 15:33:17 − 7h32m15s = 08:01:02: the end's session starts where the 113039 did.
        #expect(w.ended == [SessionFact(person: jane.key, bu: w.france, start: t0, end: t1, tag: w.tag("198.51.100.42"))])
        #expect(w.ctx.acc.newest[SessionFamily.vpn.rawValue] == t1)
        #expect(w.ctx.acc.newestRecord == t1)
    }

    /// Every header spelling of real devices gives the same instant.
    @Test(arguments: [
        "<166>Mar 25 2020 08:01:02 asa-vpn-01 : ",
        "Mar 25 2020 08:01:02 asa-vpn-01 : ",
        "Mar 25 08:01:02 asa-vpn-02: ",
        "<166>Mar 25 08:01:02: ",
        "Mar 25 08:01:02 ",
        "Mar 25 2020 08:01:02 localhost CiscoASA[999]: ",
        "<166>Mar 25 2020 08:01:02 single : ",
        "Wed Mar 25 2020 08:01:02 fw : ",
        "mar 25 2020 08:01:02.345 fw: ",
        "2020-03-25T08:01:02+01:00 fw ",
        "2020-03-25T07:01:02Z: ",
        "<166>1 2020-03-25T07:01:02.000Z fw - - - ",
        "2020-03-25T08:01:02 fw ",
        "  Mar 25 2020 08:01:02 fw : ",
    ])
    func headerSpellings(_ header: String) {
        let w = World(year: 2020)
        #expect(w.feed(header + Self.start) == .record, "\(header)")
        #expect(w.starts.map(\.start) == [Self.utc(2020, 3, 25, 7, 1, 2)], "\(header)")
        let ftd = World(year: 2020)
        #expect(ftd.feed(header + Self.start.replacingOccurrences(of: "%ASA-6-", with: "%FTD-vpn-6-")) == .record)
        #expect(ftd.starts.map(\.start) == [Self.utc(2020, 3, 25, 7, 1, 2)], "\(header)")
    }

    @Test func spacePaddedAndZeroPaddedDays() {
        let w = World(year: 2020)
        w.feed("Mar  5 18:04:33 fw: " + Self.start)
        w.feed("Mar 05 18:04:34 fw: " + Self.start)
        w.feed("Mar 5 18:04:35 fw: " + Self.start)
        #expect(Set(w.starts.map(\.start)) == [Self.instant(2020, 3, 5, 18, 4, 33), Self.instant(2020, 3, 5, 18, 4, 34),
                                               Self.instant(2020, 3, 5, 18, 4, 35)])
    }

    @Test func valueSpellingsOfRealDevices() {
        let w = World(year: 2020)
        let h = "Jun 22 2020 13:29:11 single : %ASA-6-113039: "
        #expect(w.feed(h + "Group <GroupPolicy_Remote-VPN> User <first.o'last@example.com> IP <81.2.69.144> AnyConnect parent session started.") == .record)
        #expect(w.feed(h + "Group <GroupPolicy Remote-VPN> User <first.o'last@example.com> IP <81.2.69.145> AnyConnect parent session started.") == .record)
        #expect(w.feed(h + "Group VPN_USERS User example.user IP 67.43.156.14 AnyConnect parent session started.") == .record)
        #expect(w.feed(h + "Group Remote Users VPN User example.user IP 67.43.156.15 AnyConnect parent session started.") == .record)
        #expect(w.feed(h + "User <Jane.Doe> IP <198.51.100.7> AnyConnect parent session started.") == .record)
        let t = Self.instant(2020, 6, 22, 13, 29, 11)
        let o = w.person("first.o'last@example.com"), e = w.person("example.user@corp.example"), j = w.person("jane.doe@corp.example")
        #expect(w.starts == [
            SessionFact(person: o.key, bu: w.germany, start: t, end: nil, tag: w.tag("81.2.69.144")),
            SessionFact(person: o.key, bu: w.germany, start: t, end: nil, tag: w.tag("81.2.69.145")),
            SessionFact(person: e.key, bu: w.germany, start: t, end: nil, tag: w.tag("67.43.156.14")),
            SessionFact(person: e.key, bu: w.germany, start: t, end: nil, tag: w.tag("67.43.156.15")),
            SessionFact(person: j.key, bu: w.france, start: t, end: nil, tag: w.tag("198.51.100.7")),
        ])
    }

    /// Bare account names resolve by UPN local part, any case; unknown and ambiguous names are
    /// people of their own under UNASSIGNED.
    @Test func bareAndMixedCaseNames() {
        let w = World(year: 2020)
        let names = ["jane.doe", "Jane.Doe", "JANE.DOE", "jane.doe@corp.example", "Jane.Doe@CORP.example"]
        for (k, n) in names.enumerated() {
            #expect(w.feed("Mar 25 2020 15:00:0\(k) fw : " + Self.end(user: n, duration: "1h:00m:00s")) == .record)
        }
        let jane = w.person("jane.doe@corp.example")
        #expect(w.ended.count == names.count)
        #expect(w.ended.allSatisfy { $0.person == jane.key && $0.bu == w.france })

        let u = World(year: 2020)
        u.feed("Mar 25 2020 15:00:00 fw : " + Self.end(user: "ghost", duration: "1h:00m:00s"))
        u.feed("Mar 25 2020 15:00:01 fw : " + Self.end(user: "j.smith", duration: "1h:00m:00s"))
        u.feed("Mar 25 2020 15:00:02 fw : " + Self.end(user: "GHOST", duration: "1h:00m:00s"))
        let people = u.ended.sorted { $0.end! < $1.end! }
        #expect(people.map(\.bu) == [BusinessUnits.unassigned, BusinessUnits.unassigned, BusinessUnits.unassigned])
        #expect(people[0].person == people[2].person)   // one ghost, whatever the case
        #expect(people[0].person != people[1].person)
        #expect(people.allSatisfy { $0.person & 0x8000_0000_0000_0000 == 0 })  // not directory people
    }

    @Test func durationsWithDays() {
        let w = World(year: 2020)
        #expect(w.feed("<164>Mar 11 2020 07:57:06 asa-vpn-01 : " + Self.end(duration: "1d 19h:41m:14s")) == .record)
        #expect(w.feed("<164>Mar 11 2020 07:57:07 asa-vpn-01 : " + Self.end(duration: "0h:00m:12s")) == .record)
        #expect(w.feed("<164>Mar 11 2020 07:57:08 asa-vpn-01 : " + Self.end(duration: "2d 0h:00m:00s")) == .record)
        let e0 = Self.instant(2020, 3, 11, 7, 57, 6)
        let got = w.ended.sorted { $0.end! < $1.end! }.map { [$0.start, $0.end!] }
        #expect(got == [[e0 - (86_400 + 19 * 3600 + 41 * 60 + 14), e0], [e0 + 1 - 12, e0 + 1], [e0 + 2 - 2 * 86_400, e0 + 2]])
        #expect(w.ended.allSatisfy { $0.tag == w.tag("198.51.100.42") })
        // The duration reader on its own.
        let cases: [(String, Int64?)] = [
            ("7h:32m:15s, Bytes xmt: 1", 27_135), ("1d 19h:41m:14s", 157_274), ("0h:00m:00s", 0), ("45s", 45),
            ("", nil), ("abc", nil), ("7h:32m:", nil), ("7h:32m", nil), ("7h:32m:1", nil), ("7", nil), ("2d", nil), ("7x:00m:00s", nil), (", 7h", nil),
            (String(repeating: "999999999d ", count: 20), nil),   // junk that would overflow
        ]
        for (text, want) in cases { #expect(Self.bytes(text) { P.duration($0) } == want, "\(text)") }
    }

    // MARK: time zones

    /// The stamps are Paris wall clock: the spring-forward and fall-back days of 2020.
    @Test func daylightSavingTime() {
        let w = World(year: 2020)
        w.feed("Mar 29 2020 01:30:00 fw : " + Self.start.replacingOccurrences(of: "198.51.100.42", with: "10.0.0.1"))
        w.feed("Mar 29 2020 03:30:00 fw : " + Self.start.replacingOccurrences(of: "198.51.100.42", with: "10.0.0.2"))
        w.feed("Mar 29 2020 02:30:00 fw : " + Self.start.replacingOccurrences(of: "198.51.100.42", with: "10.0.0.3"))  // in the gap
        w.feed("Oct 25 2020 02:30:00 fw : " + Self.start.replacingOccurrences(of: "198.51.100.42", with: "10.0.0.4"))  // twice that night
        w.feed("Oct 25 2020 03:30:00 fw : " + Self.start.replacingOccurrences(of: "198.51.100.42", with: "10.0.0.5"))
        let byIP = Dictionary(uniqueKeysWithValues: w.starts.map { ($0.tag, $0.start) })
        #expect(byIP[w.tag("10.0.0.1")] == Self.instant(2020, 3, 29, 1, 30, 0))
        #expect(byIP[w.tag("10.0.0.1")] == Self.utc(2020, 3, 29, 0, 30, 0))        // CET, +01:00
        #expect(byIP[w.tag("10.0.0.2")] == Self.instant(2020, 3, 29, 3, 30, 0))
        #expect(byIP[w.tag("10.0.0.2")] == Self.utc(2020, 3, 29, 1, 30, 0))        // CEST, +02:00
        #expect(byIP[w.tag("10.0.0.3")] == Self.utc(2020, 3, 29, 1, 30, 0))        // read before the change: after the gap
        #expect(byIP[w.tag("10.0.0.4")] == Self.utc(2020, 10, 25, 0, 30, 0))       // the first of the two 02:30
        #expect(byIP[w.tag("10.0.0.5")] == Self.utc(2020, 10, 25, 2, 30, 0))       // CET again
        // A session across the change: 09:00 CEST minus 8 h is 00:00 CET (real seconds, not wall clock).
        w.feed("Mar 29 2020 09:00:00 fw : " + Self.end(duration: "8h:00m:00s"))
        #expect(w.ended.map(\.start) == [Self.instant(2020, 3, 29, 0, 0, 0)])
        #expect(w.ended.map(\.start) == [Self.utc(2020, 3, 28, 23, 0, 0)])
    }

    @Test func theVPNSourceZoneWinsOverTz() {
        let w = World(year: 2020, vpnZone: "America/New_York", tz: "Europe/Paris")
        w.feed("Mar 25 2020 08:01:02 fw : " + Self.start)
        #expect(w.starts.map(\.start) == [Self.instant(2020, 3, 25, 8, 1, 2, "America/New_York")])
        // An explicit offset is exact, whatever the zone.
        let x = World(year: 2020, vpnZone: "America/New_York")
        x.feed("2020-03-25T08:01:02+01:00 fw " + Self.start)
        #expect(x.starts.map(\.start) == [Self.utc(2020, 3, 25, 7, 1, 2)])
    }

    // MARK: years of year-less stamps

    @Test func configuredYearRollsOverFromDecemberToJanuary() {
        let w = World(year: 2019)
        let lines = [
            ("Nov 30 10:00:00", 2019, 11, 30), ("Dec 31 23:59:50", 2019, 12, 31), ("Jan  1 00:00:10", 2020, 1, 1),
            ("Dec 31 23:59:59", 2019, 12, 31),   // a late line from before the rollover
            ("Jan  2 08:00:00", 2020, 1, 2), ("Feb 29 08:00:00", 2020, 2, 29), ("Mar  1 08:00:00", 2020, 3, 1),
        ]
        for (k, (stamp, y, m, d)) in lines.enumerated() {
            let ip = "10.1.0.\(k)"
            #expect(w.feed(stamp + " fw: " + Self.start.replacingOccurrences(of: "198.51.100.42", with: ip)) == .record, "\(stamp)")
            let parts = stamp.split(separator: " ").last!.split(separator: ":").map { Int($0)! }
            #expect(w.starts.first { $0.tag == w.tag(ip) }?.start == Self.instant(y, m, d, parts[0], parts[1], parts[2]), "\(stamp)")
        }
        // Lines carrying their own year neither take nor move the rollover state.
        #expect(w.feed("Dec 31 2025 10:00:00 fw: " + Self.start) == .record)
        #expect(w.starts.contains { $0.start == Self.instant(2025, 12, 31, 10, 0, 0) })
        #expect(w.feed("Apr  1 08:00:00 fw: " + Self.start.replacingOccurrences(of: "198.51.100.42", with: "10.2.0.1")) == .record)
        #expect(w.starts.first { $0.tag == w.tag("10.2.0.1") }?.start == Self.instant(2020, 4, 1, 8, 0, 0))
    }

    /// A later chunk of a split file is handed the file's first line: a chunk starting in
    /// January of a file that started in December is in the next year.
    @Test func aLaterChunkLearnsTheRolloverFromTheFirstLine() {
        let w = World(year: 2019)
        var first = Array("Dec 30 08:00:00 fw: %ASA-6-722022: Group GP User x IP 1.2.3.4 TCP SVC".utf8)
        first.withUnsafeMutableBytes { w.parser.adoptHeader($0, w.ctx) }
        w.feed("Jan  3 08:00:00 fw: " + Self.start)
        #expect(w.starts.map(\.start) == [Self.instant(2020, 1, 3, 8, 0, 0)])
        let fresh = World(year: 2019)
        fresh.feed("Jan  3 08:00:00 fw: " + Self.start)
        #expect(fresh.starts.map(\.start) == [Self.instant(2019, 1, 3, 8, 0, 0)])
    }

    @Test func yearFromTheFileModificationTime() {
        // Modified 2020-05-10 18:21:15 Paris, as the generated asa-vpn-02.log.
        let mtime = Self.utc(2020, 5, 10, 16, 21, 15)
        let cases: [(String, Int)] = [
            ("Jan  6 03:11:13", 2020), ("May 10 18:21:15", 2020), ("May 10 23:59:59", 2020),
            ("May 11 10:00:00", 2020),   // within a day of the mtime: clock skew, not last year
            ("May 12 00:00:00", 2019), ("Dec 31 23:59:59", 2019), ("Jun  1 00:00:00", 2019),
        ]
        for (stamp, year) in cases {
            let w = World(year: nil, fileModified: mtime)
            #expect(w.feed(stamp + " fw: " + Self.start) == .record, "\(stamp)")
            let p = stamp.split(separator: " ", omittingEmptySubsequences: true)
            let hms = p[2].split(separator: ":").map { Int($0)! }
            #expect(w.starts.map(\.start) == [Self.instant(year, p[0] == "Jan" ? 1 : p[0] == "May" ? 5 : p[0] == "Jun" ? 6 : 12,
                                                           Int(p[1])!, hms[0], hms[1], hms[2])], "\(stamp)")
        }
        // The context's modification time serves when the parser was made without one.
        let c = World(year: nil)
        c.ctx.fileModified = mtime
        c.feed("Dec 31 23:59:59 fw: " + Self.start)
        #expect(c.starts.map(\.start) == [Self.instant(2019, 12, 31, 23, 59, 59)])
        // A file modified on New Year's Eve: a Jan 1 stamp just after it is the next year.
        let nye = World(year: nil, fileModified: Self.instant(2019, 12, 31, 23, 59, 0))
        nye.feed("Jan  1 00:00:30 fw: " + Self.start)
        nye.feed("Dec 31 23:58:00 fw: " + Self.start.replacingOccurrences(of: "198.51.100.42", with: "10.0.0.9"))
        #expect(Set(nye.starts.map(\.start)) == [Self.instant(2020, 1, 1, 0, 0, 30), Self.instant(2019, 12, 31, 23, 58, 0)])
        // Neither a year nor a modification time: the line says so.
        let none = World(year: nil)
        #expect(none.feed("Mar 25 08:01:02 fw: " + Self.start) == .skipped(P.noYear))
        #expect(none.feed("Mar 25 2020 08:01:02 fw: " + Self.start) == .record)
    }

    @Test func februaryTheTwentyNinthNeedsALeapYear() {
        #expect(World(year: 2019).feed("Feb 29 08:00:00 fw: " + Self.start) == .skipped(Reasons.impossibleDate))
        #expect(World(year: 2020).feed("Feb 29 08:00:00 fw: " + Self.start) == .record)
    }

    // MARK: accounting

    @Test func whatIsIgnored() {
        let w = World(year: 2020)
        let h = "<164>Mar 01 2020 02:00:20 asa-vpn-01 : "
        #expect(w.feed(h + Self.end(user: "192.0.2.10", ip: "192.0.2.10", type: "LAN-to-LAN", duration: "23h:59m:12s")) == .ignored(P.lanToLan))
        #expect(w.feed(h + "%ASA-6-722022: Group <GP> User <jane.doe> IP <203.0.113.69> TCP SVC connection established without compression") == .ignored(P.tunnel))
        #expect(w.feed(h + "%ASA-5-722023: Group <GP> User <jane.doe> IP <203.0.113.69> TCP SVC connection terminated without compression") == .ignored(P.tunnel))
        #expect(w.feed(h + "%ASA-4-113029: Group <GP> User <jane.doe> IP <203.0.113.67> Session could not be established: session limit of 63 reached") == .ignored(P.sessionLimit))
        #expect(w.feed(h + "%ASA-6-716002: Group another-policy User alice IP 192.168.50.1 WebVPN session terminated: Idle timeout.") == .ignored(P.otherMessage))
        #expect(w.feed(h + "%FTD-6-302013: Built inbound TCP connection 1 for a:10.0.0.1/1 to b:10.0.0.2/2") == .ignored(P.otherMessage))
        #expect(w.feed(h + "%ASA-6-113037: Reboot pending") == .ignored(P.otherMessage))
        #expect(w.feed(h + "%ASA-6-113039") == .skipped(P.noSessionFields))   // a start that lost its fields
        #expect(w.feed("Mar 01 2020 02:00:20 host sshd[12]: Accepted publickey for root") == .ignored(P.notASA))
        #expect(w.starts.isEmpty && w.ended.isEmpty)
        // Ignored lines do not move the newest VPN time: only session lines do.
        #expect(w.ctx.acc.newest[SessionFamily.vpn.rawValue] == nil)
    }

    @Test func whatIsSkipped() {
        let w = World(year: 2020)
        let cases: [(String, LineOutcome)] = [
            ("", .header), ("   ", .header), ("\t", .header),
            ("%ASA-6-113039: Group <GP_AnyConnect> User <leila.silva> IP <198.51.100.1> AnyConnect parent session started.", .skipped(Reasons.noTime)),
            ("<166>%ASA-6-113039: Group <GP> User <x> IP <1.2.3.4> AnyConnect parent session started.", .skipped(Reasons.noTime)),
            ("hello world", .skipped(Reasons.noTime)),
            ("May the force be with you", .skipped(Reasons.noTime)),
            ("<166>", .skipped(Reasons.noTime)),
            ("Mar 25 2020 8:01 fw : " + Self.start, .skipped(Reasons.badTime)),
            ("Mar 25 2020 08:01:02x fw : " + Self.start, .skipped(Reasons.badTime)),
            ("Mar 25 1900 08:01:02 fw : " + Self.start, .skipped(Reasons.badTime)),
            ("Feb 30 2020 08:01:02 fw : " + Self.start, .skipped(Reasons.impossibleDate)),
            ("Mar 25 2020 25:01:02 fw : " + Self.start, .skipped(Reasons.impossibleDate)),
            ("Mar 00 2020 08:01:02 fw : " + Self.start, .skipped(Reasons.impossibleDate)),
            ("2020-13-25T08:01:02Z fw " + Self.start, .skipped(Reasons.badTime)),
            ("Mar 25 2020 08:01:02 fw : %ASA-6-113039: Group <GP> User <> IP <1.2.3.4> AnyConnect parent session started.", .skipped(Reasons.missingUser)),
            ("Mar 25 2020 08:01:02 fw : %ASA-6-113039: Group <GP> Usr <x> IP <1.2.3.4> AnyConnect parent session started.", .skipped(P.noSessionFields)),
            ("Mar 25 2020 08:01:02 fw : %ASA-6-113039: Group <GP> User <x> AnyConnect parent session started.", .skipped(P.noSessionFields)),
            ("Mar 25 2020 08:01:02 fw : %ASA-4-113019: Group = GP, Username = , IP = 1.2.3.4, Session disconnected. Session Type: SSL, Duration: 1h:00m:00s", .skipped(Reasons.missingUser)),
            ("Mar 25 2020 08:01:02 fw : %ASA-4-113019: Group = GP, Username = x, IP = 1.2.3.4, Session disconnected. Session Type: SSL", .skipped(P.badDuration)),
            ("Mar 25 2020 08:01:02 fw : %ASA-4-113019: Group = GP, Username = x, IP = 1.2.3.4, Session disconnected. Session Type: SSL, Duration: soon", .skipped(P.badDuration)),
            ("Mar 25 2020 08:01:02 fw : %ASA-4-113019: Group = GP, IP = 1.2.3.4, Session disconnected.", .skipped(P.noSessionFields)),
            ("Mar 25 2020 08:01:02 fw : %ASA-4-113019: Group = GP, Username = x, IP = , Session disconnected. Session Type: SSL, Duration: 1h:00m:00s", .skipped(P.noSessionFields)),
            ("Mar 25 2020 08:01:02 fw : %ASA-6-113039: Group <GP> User <x> IP <> AnyConnect parent session started.", .skipped(P.noSessionFields)),
            ("Mar 25 2020 08:01:02 fw : %ASA-6-113039: Group GP User x IP ", .skipped(P.noSessionFields)),
            ("Mar 25 2020 08:01:02 fw : %ASA-x", .skipped(P.badTag)),
            ("Mar 25 2020 08:01:02 fw : %ASA-6-", .skipped(P.badTag)),
            ("Mar 25 2020 08:01:02 fw : %ASA-6-11303912345: x", .skipped(P.badTag)),
            ("Mar 25 2020 08:01:02 fw : %ASA-123-113039: x", .skipped(P.badTag)),
        ]
        for (line, want) in cases { #expect(w.feed(line) == want, "\(line)") }
        #expect(w.starts.isEmpty && w.ended.isEmpty)
    }

    /// Random bytes, every prefix of real lines, and 10 MB lines: an outcome each, no trap.
    @Test func garbageNeverTraps() {
        let w = World(year: 2020)
        var rng = SplitMix64(seed: 7)
        for n in 0..<2_000 {
            let len = Int(rng.next() % 300)
            let junk = (0..<len).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            _ = w.feed(bytes: junk)
            // Junk behind a valid header, and NUL bytes.
            _ = w.feed(bytes: Array("Mar 25 2020 08:01:02 fw : %ASA-6-11301\(n % 10): ".utf8) + junk)
            _ = w.feed(bytes: Array("Mar 25 2020 08:01:02 fw : %ASA-4-113019: Group = GP, Username = ".utf8) + junk)
        }
        let full = [
            "<166>Mar 25 2020 08:01:02 asa-vpn-01 : " + Self.start,
            "<164>Mar 25 2020 15:33:17 asa-vpn-01 : " + Self.end(duration: "1d 7h:32m:15s"),
            "Mar  5 18:04:33: " + Self.start, "2020-03-25T08:01:02+01:00 fw " + Self.start,
        ]
        // A line cut short is skipped, or (cut after its fields) the same fact as the whole line.
        for line in full {
            let cut = World(year: 2020)
            let b = Array(line.utf8)
            for k in 0...b.count {
                let o = cut.feed(bytes: Array(b[0..<k]))
                if k == b.count { #expect(o == .record, "\(line)") }
            }
            #expect(cut.starts.count + cut.ended.count == 1, "\(line)")
        }
        let ten = 10 << 20
        let huge: [(String, [UInt8], LineOutcome)] = [
            ("all A", [UInt8](repeating: 0x41, count: ten), .skipped(Reasons.noTime)),
            ("all NUL", [UInt8](repeating: 0, count: ten), .skipped(Reasons.noTime)),
            ("open bracket", Array("Mar 25 2020 08:01:02 fw : %ASA-6-113039: Group <".utf8) + [UInt8](repeating: 0x78, count: ten),
             .skipped(P.noSessionFields)),
            ("huge user", Array("Mar 25 2020 08:01:02 fw : %ASA-6-113039: Group <GP> User ".utf8) + [UInt8](repeating: 0x78, count: ten),
             .skipped(P.noSessionFields)),
            ("tags", Array("Mar 25 2020 08:01:02 fw : ".utf8) + Array(String(repeating: "%ASA-", count: ten / 5).utf8), .skipped(P.badTag)),
            ("no tag", Array("Mar 25 2020 08:01:02 fw : ".utf8) + [UInt8](repeating: 0x25, count: ten), .ignored(P.notASA)),
            ("days", Array(("Mar 25 2020 08:01:02 fw : " + Self.end(duration: "")).utf8.dropLast(", Bytes xmt: 45678901, Bytes rcv: 152345678, Reason: User Requested".utf8.count))
             + Array(String(repeating: "9d ", count: ten / 3).utf8), .skipped(P.badDuration)),
        ]
        for (name, line, want) in huge { #expect(w.feed(bytes: line) == want, "\(name)") }
        #expect(w.starts.isEmpty && w.ended.isEmpty)
    }

    // MARK: real and generated logs

    /// Feeds every line of `content` (split on LF, CR dropped) to `w`'s parser.
    static func feedAll(_ content: [UInt8], _ w: World) -> [LineOutcome] {
        var content = content
        var out: [LineOutcome] = []
        content.withUnsafeMutableBytes { buf in
            var s = 0
            var number = 1
            while s < buf.count {
                var e = s
                while e < buf.count, buf[e] != 0x0A { e += 1 }
                var le = e
                if le > s, buf[le - 1] == 0x0D { le -= 1 }
                out.append(w.parser.parse(UnsafeMutableRawBufferPointer(rebasing: buf[s..<le]), number: number, w.ctx))
                number += 1
                s = e + 1
            }
        }
        return out
    }

    static let realSamples: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/real-samples").path
    }()

    /// Every line of the two real ASA/FTD samples, with what it is.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: realSamples + "/cisco-asa-mixed.log")))
    func everyLineOfTheRealSamples() throws {
        let other = LineOutcome.ignored(P.otherMessage)
        let anyconnect = World(year: nil, fileModified: Self.utc(2022, 7, 1, 0, 0, 0))
        let a = Self.feedAll(try contents(Self.realSamples + "/cisco-asa-anyconnect.log"), anyconnect)
        #expect(a == [.ignored(P.sessionLimit)]                     // 113029 session limit of 5 reached
                + Array(repeating: other, count: 9)                 // 113030 … 113038 (ACL, image, reboot, …)
                + [.record, other]                                  // 113039 bare values; 113040 group lock
                + Array(repeating: .record, count: 3))              // 113039 <bracketed>, spaces, apostrophes
        let e = anyconnect.person("example.user@corp.example"), o = anyconnect.person("first.o'last@example.com")
        let t18 = Self.instant(2018, 10, 10, 12, 34, 56), t22 = Self.instant(2022, 6, 22, 13, 29, 11)
        let user1 = Self.bytes("user-1") { anyconnect.ctx.resolver.resolveAccount($0) }
        #expect(user1.bu == BusinessUnits.unassigned)
        #expect(anyconnect.starts == [
            SessionFact(person: e.key, bu: anyconnect.germany, start: t18, end: nil, tag: anyconnect.tag("67.43.156.14")),
            SessionFact(person: user1.key, bu: BusinessUnits.unassigned, start: t22, end: nil, tag: anyconnect.tag("81.2.69.144")),
            SessionFact(person: o.key, bu: anyconnect.germany, start: t22, end: nil, tag: anyconnect.tag("81.2.69.144")),
        ])   // the last two lines are one session (same person, start and IP): a set holds it once

        let mixed = World(year: 2020)
        let m = Self.feedAll(try contents(Self.realSamples + "/cisco-asa-mixed.log"), mixed)
        // 302013, 609002, 313005 (time followed by `:`, no host), 313005, 302014, 111009, 611101,
        // 713049 (LAN-to-LAN negotiation); 113019 LAN-to-LAN; 722051, 716002 ×2, 602303, 750002,
        // 713049, 302016.
        #expect(m == Array(repeating: other, count: 8) + [.ignored(P.lanToLan)] + Array(repeating: other, count: 7))
        #expect(mixed.starts.isEmpty && mixed.ended.isEmpty)
    }

    static let sampleLogs: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("SampleLogs/vpn").path
    }()

    /// The generated logs: every line as a plain-text reading of it says, only the planted
    /// stamp-less line skipped, and every ended session's start equal to a logged 113039 start
    /// (same person, IP and instant: durations with days, DST and year-less stamps all agree).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: sampleLogs + "/asa-vpn-02.log.gz")))
    func theGeneratedLogs() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.sampleLogs).filter { $0.hasPrefix("asa-vpn") }.sorted()
        for device in ["asa-vpn-01", "asa-vpn-02"] {
            let w = World(year: 2020)
            var skipped = 0
            for name in names where name.hasPrefix(device) {
                let bytes = try contents(Self.sampleLogs + "/" + name)
                w.parser = ASASyslogParser(settings: w.ctx.settings)
                let got = Self.feedAll(bytes, w)
                let text = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                #expect(got.count == text.count - (bytes.last == 0x0A ? 1 : 0))
                for (k, line) in text.prefix(got.count).enumerated() {
                    let want: LineOutcome
                    if !(line.hasPrefix("<16") || line.first.map { $0.isLetter } == true) { want = .skipped(Reasons.noTime) }
                    else if line.contains("-113039: ") { want = .record }
                    else if line.contains("-113019: ") { want = line.contains("Session Type: LAN-to-LAN") ? .ignored(P.lanToLan) : .record }
                    else if line.contains("-722022: ") || line.contains("-722023: ") { want = .ignored(P.tunnel) }
                    else if line.contains("-113029: ") { want = .ignored(P.sessionLimit) }
                    else { want = .ignored(P.otherMessage) }
                    if got[k] != want { Issue.record("\(name):\(k + 1): \(got[k]) != \(want): \(line)"); break }
                    if case .skipped = want { skipped += 1 }
                }
            }
            #expect(skipped == (device == "asa-vpn-01" ? 1 : 0), "\(device)")
            let starts = Set(w.starts.map { [Int64(bitPattern: $0.person), Int64(bitPattern: $0.tag), $0.start] })
            let unmatched = w.ended.filter { !starts.contains([Int64(bitPattern: $0.person), Int64(bitPattern: $0.tag), $0.start]) }
            #expect(w.ended.count > 1_000 && unmatched.isEmpty, "\(device): \(unmatched.count) of \(w.ended.count) ends match no start")
            let from = Self.utc(2019, 12, 31, 0, 0, 0), to = Self.utc(2020, 5, 12, 0, 0, 0)
            #expect(w.ended.allSatisfy { $0.start <= $0.end! && $0.start > from && $0.end! < to })
            #expect(w.starts.allSatisfy { $0.start > from && $0.start < to })
        }
    }
}
