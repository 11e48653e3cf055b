import Foundation
import Testing
@testable import PlateauCore

// Entra sign-in logs, Teams attendance reports and Microsoft 365 audit records of Teams
// (issue 17): project-written fixtures, the real samples of ../shared/real-samples, and the
// same results whatever the chunks the bytes arrive in.

/// A parse context over a directory of (GUID, UPN, BU) rows.
private final class IdentityWorld {
    let units = BusinessUnits()
    let ctx: ParseContext
    let hasher = IdentityHasher()

    init(_ rows: [(id: String?, upn: String?, bu: String)] = [], zone: String? = nil) {
        var dir = Directory(hasher: hasher)
        for r in rows {
            let bu = units.id(r.bu)
            let id = Array((r.id ?? "").utf8), upn = Array((r.upn ?? "").utf8)
            id.withUnsafeBytes { i in
                upn.withUnsafeBytes { u in dir.add(userID: r.id == nil ? nil : i, upn: r.upn == nil ? nil : u, bu: bu) }
            }
        }
        var settings = IngestSettings(hasher: hasher)
        if let zone, let z = TimeZoneRules(identifier: zone) { settings.timezone = z }
        ctx = ParseContext(acc: Accumulator(), resolver: Resolver(directory: dir, units: units), settings: settings)
    }

    var acc: Accumulator { ctx.acc }

    func person(_ identifier: String) -> Person { Array(identifier.utf8).withUnsafeBytes { ctx.resolver.resolve($0) } }

    /// "metric bu date person" for every fact, sorted.
    var facts: [String] {
        var out: [String] = []
        acc.facts.forEach { g, p in
            let u = Fact.unpack(g)
            out.append("\(u.metric.rawValue) \(units.names[Int(u.bu)]) \(CivilDate(daysSinceEpoch: u.day).iso) \(String(p, radix: 16))")
        }
        return out.sorted()
    }

    func fact(_ m: Metric, _ who: String, _ date: String) -> String {
        let p = person(who)
        return "\(m.rawValue) \(units.names[Int(p.bu)]) \(date) \(String(p.key, radix: 16))"
    }

    /// Meetings put together from participant rows, as text.
    var participations: [String] {
        acc.participations.map { id, p in
            "\(id) day=\(CivilDate(daysSinceEpoch: Int(p.meeting.day)).iso) bu=\(units.names[Int(p.meeting.bu)]) s=\(p.meeting.seconds) people=\(p.people.count)"
        }.sorted()
    }
}

/// What one run of a reader gave: the outcomes in line order and the facts.
private struct Run: Equatable {
    var outcomes: [String]
    var facts: [String]
    var meetings: [String]
}

private func describe(_ o: LineOutcome) -> String {
    switch o {
    case .record: return "record"
    case .header: return "header"
    case .ignored(let r): return "ignored: \(r.text)"
    case .skipped(let r): return "skipped: \(r.text)"
    }
}

/// Feeds `bytes` in chunks whose sizes `next` chooses.
private func chunks(_ bytes: [UInt8], _ next: (Int) -> Int, _ body: (UnsafeMutableRawBufferPointer) -> Void) {
    var copy = bytes
    copy.withUnsafeMutableBytes { all in
        var i = 0
        while i < all.count {
            let n = max(1, min(next(all.count - i), all.count - i))
            body(UnsafeMutableRawBufferPointer(rebasing: all[i..<(i + n)]))
            i += n
        }
    }
}

/// A JSON document (page, batch, array, lines) through the splitter and `parser`.
private func readDocument<P: RecordParser>(_ bytes: [UInt8], _ make: () -> P, pageKeys: [StaticString],
                                           world: () -> IdentityWorld, _ next: (Int) -> Int) -> Run {
    let w = world()
    var parser = make()
    var splitter = JSONDocumentSplitter(pageKeys: pageKeys)
    var outcomes: [(Int, String)] = []
    func handle(_ e: JSONDocumentSplitter.Event) {
        switch e {
        case .element(let l, let n): outcomes.append((n, describe(parser.parse(l, number: n, w.ctx))))
        case .skipped(let r, let n): outcomes.append((n, "skipped: \(r.text)"))
        }
    }
    chunks(bytes, next) { splitter.feed($0, handle) }
    splitter.finish(handle)
    return Run(outcomes: outcomes.map { "\($0.0): \($0.1)" }, facts: w.facts, meetings: w.participations)
}

/// Lines through the framer and `parser`.
private func readLines<P: RecordParser>(_ bytes: [UInt8], _ make: () -> P, world: () -> IdentityWorld, _ next: (Int) -> Int) -> Run {
    let w = world()
    var parser = make()
    var framer = LineFramer()
    var outcomes: [String] = []
    chunks(bytes, next) { c in
        framer.feed(c, { l, n in outcomes.append("\(n): \(describe(parser.parse(l, number: n, w.ctx)))") }, overlong: { n in outcomes.append("\(n): overlong") })
        parser.flush(w.ctx)  // as the drivers do after each chunk
    }
    framer.finish({ l, n in outcomes.append("\(n): \(describe(parser.parse(l, number: n, w.ctx)))") }, overlong: { n in outcomes.append("\(n): overlong") })
    parser.flush(w.ctx)
    return Run(outcomes: outcomes, facts: w.facts, meetings: w.participations)
}

/// An attendance report through `TeamsAttendanceReader`.
private func readAttendance(_ bytes: [UInt8], world: () -> IdentityWorld, _ next: (Int) -> Int) -> (Run, FileAccount) {
    let w = world()
    var reader = TeamsAttendanceReader()
    chunks(bytes, next) { reader.feed(UnsafeRawBufferPointer($0)) }
    let account = reader.finish(w.ctx)
    return (Run(outcomes: [], facts: w.facts, meetings: w.participations), account)
}

/// Whole, byte by byte and in seeded random splits: the same result.
private func everyWay<T: Equatable>(_ read: ((Int) -> Int) -> T, sourceLocation: SourceLocation = #_sourceLocation) -> T {
    let whole = read { $0 }
    #expect(read { _ in 1 } == whole, "byte by byte", sourceLocation: sourceLocation)
    for seed in UInt64(1)...6 {
        var rng = SplitMix64(seed: seed)
        #expect(read { _ in 1 + Int(rng.next() % 29) } == whole, "random splits, seed \(seed)", sourceLocation: sourceLocation)
    }
    return whole
}

private let realSamples: String = {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/real-samples").path
}()

private let haveRealSamples = FileManager.default.fileExists(atPath: realSamples + "/entra-signin")

/// The raw record of a SEKOIA test case (`input.message`).
private func sekoiaMessage(_ path: String) throws -> [UInt8] {
    let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    let input = obj["input"] as! [String: Any]
    return Array((input["message"] as! String).utf8)
}

/// Discovers and ingests `paths` as `plateau` does; the reports by file name and the rollups.
private func ingest(_ paths: [String], directory: String? = nil, zone: String? = nil) throws -> ([String: InputReport], Rollups) {
    var settings = IngestSettings()
    if let zone, let z = TimeZoneRules(identifier: zone) { settings.timezone = z }
    var found = try paths.map { try InputDiscovery.inspect($0) }
    if let directory { found.insert(try InputDiscovery.inspect(directory), at: 0) }
    let result = Ingest(settings: settings).run(found)
    var byName: [String: InputReport] = [:]
    for r in result.inputs { byName[(r.path as NSString).lastPathComponent] = r }
    return (byName, RollupBuilder.build(result))
}

private func utf16LE(_ s: String, bom: Bool = true) -> [UInt8] {
    var out: [UInt8] = bom ? [0xFF, 0xFE] : []
    for u in s.utf16 { out.append(UInt8(u & 0xFF)); out.append(UInt8(u >> 8)) }
    return out
}

private func temporary(_ name: String, _ bytes: [UInt8]) throws -> String {
    let dir = NSTemporaryDirectory() + "plateau-identity-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let path = dir + "/" + name
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
}

private func value(_ r: Rollups, _ m: Metric, _ date: String, bu: String = "ALL") -> Double? {
    guard let id = r.units.firstIndex(of: bu) else { return nil }
    return r.value(m, bu: UInt16(id), day: CivilDate(iso: date)!.day)
}

// MARK: - Entra ID sign-in logs

@Suite struct EntraSignInTests {
    static let people: [(id: String?, upn: String?, bu: String)] = [
        ("5d2f0a7e-1b2c-4d3e-9f00-aa11bb22cc33", "jdoe@corp.example", "France Networks"),
        ("aa2f0a7e-1b2c-4d3e-9f00-aa11bb22cc44", "asmith@corp.example", "Spain Retail"),
    ]

    /// An Azure Monitor (Event Hub) sign-in record.
    static func hubRecord(category: String = "SignInLogs", time: String = "2020-03-24T23:40:02.1234567Z",
                          created: String? = "2020-03-24T23:39:58.7654321+00:00", upn: String? = "jdoe@corp.example",
                          userId: String? = nil, app: String = "Office 365", appId: String = "4765445b-32c6-49b0-83e6-1d93765276ca",
                          errorCode: String = "0", resultType: String = "0") -> String {
        var p = #""appDisplayName":"\#(app)","appId":"\#(appId)","isInteractive":true"#
        if let created { p += #","createdDateTime":"\#(created)""# }
        if let upn { p += #","userPrincipalName":"\#(upn)""# }
        if let userId { p += #","userId":"\#(userId)""# }
        p += #","status":{"errorCode":\#(errorCode),"additionalDetails":"MFA requirement satisfied"},"deviceDetail":{"operatingSystem":"Windows 10","browser":"Edge"},"location":{"city":"Paris","countryOrRegion":"FR"}"#
        return #"{"time":"\#(time)","resourceId":"/tenants/x/providers/Microsoft.aadiam","operationName":"Sign-in activity","category":"\#(category)","resultType":"\#(resultType)","callerIpAddress":"198.51.100.7","identity":"Jane Doe","Level":4,"location":"FR","properties":{\#(p)}}"#
    }

    @Test func aSuccessfulSignInCountsItsPersonOnTheLocalDayOfItsOwnInstant() {
        let w = IdentityWorld(Self.people, zone: "Europe/Paris")
        var p = EntraSignInParser()
        let outcome = Array(Self.hubRecord().utf8).withUnsafeBytes { raw -> LineOutcome in
            var copy = Array(raw)
            return copy.withUnsafeMutableBytes { p.parse($0, number: 1, w.ctx) }
        }
        #expect(outcome == .record)
        // 23:39:58 UTC is 00:39:58 in Paris: the next day.
        #expect(w.facts == [w.fact(.signinsUsers, "jdoe@corp.example", "2020-03-25")])
        #expect(w.acc.feedTimes.newest.count > Feeds.signins && w.acc.feedTimes.newest[Feeds.signins] != .min)
    }

    /// A batch of every kind of record, as an Event Hub capture writes it.
    static var batch: [UInt8] {
        let records = [
            hubRecord(),                                                                         // 1 record
            hubRecord(category: "NonInteractiveUserSignInLogs", upn: "Asmith@Corp.Example", app: "Microsoft Teams"),  // record, Teams
            hubRecord(upn: nil, userId: "5d2f0a7e-1b2c-4d3e-9f00-aa11bb22cc33", appId: "1fec8e78-bce4-4aaf-ab1b-5451cc387264"),  // Teams by id
            hubRecord(errorCode: "50126", resultType: "50126"),                                  // failed
            hubRecord(errorCode: "0", resultType: "50140"),                                      // interrupted (resultType)
            hubRecord(category: "ServicePrincipalSignInLogs", upn: nil),                         // workload
            hubRecord(category: "ManagedIdentitySignInLogs", upn: nil),                          // workload
            hubRecord(category: "AuditLogs"),                                                    // other category
            hubRecord(created: nil, upn: "outsider@elsewhere.example"),                          // `time` then; not in the directory
            hubRecord(created: "2020-03-24 25:00", upn: "jdoe@corp.example"),                    // bad stamp
            hubRecord(upn: nil),                                                                 // no user
        ]
        return Array(("{\"records\": [\n" + records.joined(separator: ",\n") + "\n]}\n").utf8)
    }

    @Test func anEventHubBatchReadsTheSameInAnyChunks() {
        let run = everyWay { next in
            readDocument(Self.batch, { EntraSignInParser() }, pageKeys: ["records"], world: { IdentityWorld(Self.people) }, next)
        }
        #expect(run.outcomes == [
            "2: record", "3: record", "4: record",
            "5: ignored: failed or interrupted sign-in (non-zero error code)",
            "6: ignored: failed or interrupted sign-in (non-zero error code)",
            "7: ignored: service principal or managed identity sign-in (not a person)",
            "8: ignored: service principal or managed identity sign-in (not a person)",
            "9: ignored: not a user sign-in record (other category)",
            "10: record",
            "11: skipped: impossible date",
            "12: skipped: no user",
        ])
        let w = IdentityWorld(Self.people)
        #expect(run.facts == [
            w.fact(.signinsUsers, "jdoe@corp.example", "2020-03-24"),
            w.fact(.signinsUsers, "asmith@corp.example", "2020-03-24"),
            w.fact(.signinsUsers, "outsider@elsewhere.example", "2020-03-24"),
            w.fact(.signinsTeamsUsers, "jdoe@corp.example", "2020-03-24"),
            w.fact(.signinsTeamsUsers, "asmith@corp.example", "2020-03-24"),
        ].sorted())
    }

    /// The Graph `/auditLogs/signIns` page, pretty-printed, and the same records one per line.
    @Test func aGraphPageAndJSONLinesGiveTheSameFacts() {
        let graph = [
            #"{"id":"a1","createdDateTime":"2020-03-25T08:01:02Z","userPrincipalName":"jdoe@corp.example","userId":"5d2f0a7e-1b2c-4d3e-9f00-aa11bb22cc33","appDisplayName":"Microsoft Teams Web Client","isInteractive":true,"status":{"errorCode":0,"failureReason":"Other.","additionalDetails":null},"signInEventTypes":["interactiveUser"]}"#,
            #"{"id":"a2","createdDateTime":"2020-03-25T08:05:00Z","userPrincipalName":"asmith@corp.example","appDisplayName":"Office 365 Exchange Online","isInteractive":false,"status":{"errorCode":0}}"#,
            #"{"id":"a3","createdDateTime":"2020-03-25T08:06:00Z","userPrincipalName":"asmith@corp.example","appDisplayName":"Microsoft Teams","status":{"errorCode":50076,"failureReason":"MFA required"}}"#,
            #"{"id":"a4","createdDateTime":"2020-03-25T08:07:00Z","appDisplayName":"Azure Function","servicePrincipalName":"sync","signInEventTypes":["servicePrincipal"],"status":{"errorCode":0}}"#,
            #"{"id":"a5","createdDateTime":"2020-03-25T08:08:00Z","userPrincipalName":"jdoe@corp.example","appDisplayName":"Office 365"}"#,
        ]
        let page = "{\n  \"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns\",\n  \"value\": [\n    "
            + graph.joined(separator: ",\n    ") + "\n  ],\n  \"@odata.nextLink\": \"https://graph.microsoft.com/v1.0/auditLogs/signIns?$skiptoken=x\"\n}\n"
        let fromPage = everyWay { next in
            readDocument(Array(page.utf8), { EntraSignInParser() }, pageKeys: ["records"], world: { IdentityWorld(Self.people) }, next)
        }
        let lines = graph.joined(separator: "\n") + "\n\n"
        let fromLines = everyWay { next in
            readLines(Array(lines.utf8), { JSONLinesOf(EntraSignInParser()) }, world: { IdentityWorld(Self.people) }, next)
        }
        let expected = ["record", "record", "ignored: failed or interrupted sign-in (non-zero error code)",
                        "ignored: service principal or managed identity sign-in (not a person)", "skipped: no sign-in status"]
        #expect(fromPage.outcomes.map { String($0.split(separator: " ", maxSplits: 1)[1]) } == expected)
        #expect(fromLines.outcomes == expected.enumerated().map { "\($0.offset + 1): \($0.element)" } + ["6: header"])
        #expect(fromPage.facts == fromLines.facts)
        let w = IdentityWorld(Self.people)
        #expect(fromPage.facts == [w.fact(.signinsUsers, "jdoe@corp.example", "2020-03-25"), w.fact(.signinsUsers, "asmith@corp.example", "2020-03-25"),
                                   w.fact(.signinsTeamsUsers, "jdoe@corp.example", "2020-03-25")].sorted())
    }

    @Test func garbageNeverTraps() {
        var rng = SplitMix64(seed: 17)
        let base = Array(Self.hubRecord().utf8)
        for _ in 0..<400 {
            var b = base
            for _ in 0..<(1 + Int(rng.next() % 6)) { b[Int(rng.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            let w = IdentityWorld()
            var p = EntraSignInParser()
            _ = b.withUnsafeMutableBytes { p.parse($0, number: 1, w.ctx) }
            var m = M365AuditTeamsParser()
            _ = b.withUnsafeMutableBytes { m.parse($0, number: 1, w.ctx) }
        }
    }

    @Test(.enabled(if: haveRealSamples)) func theElasticSampleHoldsOnlyFailuresAndWorkloads() throws {
        let (reports, rollups) = try ingest([realSamples + "/entra-signin/test-signinlogs-raw.log"])
        let r = try #require(reports["test-signinlogs-raw.log"])
        #expect(r.format == "entra-signins")
        #expect(r.account.lines == 5 && r.account.records == 0 && r.account.skipped == 0)
        #expect(r.account.ignored == ["failed or interrupted sign-in (non-zero error code)": 2,
                                      "service principal or managed identity sign-in (not a person)": 3])
        // Nothing succeeded: no signins series at all, not a series of zeros.
        #expect(!rollups.metrics.contains(.signinsUsers))
    }

    @Test(.enabled(if: haveRealSamples)) func theSekoiaRecordsAreSuccessfulSignIns() throws {
        // A 2025 Event Hub record whose `time` is 2.5 minutes after its `createdDateTime`.
        var hub = try sekoiaMessage(realSamples + "/entra-signin/sign-in_activity6.json")
        let w = IdentityWorld([(nil, "john.doe@company.com", "Finance")])
        var p = EntraSignInParser()
        #expect(hub.withUnsafeMutableBytes { p.parse($0, number: 1, w.ctx) } == .record)
        #expect(w.facts == [w.fact(.signinsUsers, "john.doe@company.com", "2025-07-24")])
        // A Graph signIn: error code 0 with a failure reason is a success.
        var graph = try sekoiaMessage(realSamples + "/entra-signin/test_signin.json")
        let w2 = IdentityWorld()
        #expect(graph.withUnsafeMutableBytes { p.parse($0, number: 1, w2.ctx) } == .record)
        #expect(w2.facts == [w2.fact(.signinsUsers, "ANONYMIZED_VALUE", "2023-12-01")])
        // Both are recognised as sign-ins once out of their test case.
        #expect(FormatSniffer.sniff(try sekoiaMessage(realSamples + "/entra-signin/sign-in_activity6.json") + [0x0A]) == .entraSignIns)
        #expect(FormatSniffer.sniff(try sekoiaMessage(realSamples + "/entra-signin/test_signin.json") + [0x0A]) == .entraSignIns)
    }
}

// MARK: - Metrics and feeds

@Suite struct SignInMetricTests {
    @Test func theNewMetricsAreContractNamesAndPackIntoFacts() {
        #expect(Metric(rawValue: "signins.users") == .signinsUsers)
        #expect(Metric(rawValue: "signins.teams_users") == .signinsTeamsUsers)
        #expect(Metric.allCases.map(\.index) == Array(0..<Metric.allCases.count))
        for m in Metric.allCases {
            let u = Fact.unpack(Fact.group(m, bu: 4095, day: 65_535))
            #expect(u.metric == m && u.bu == 4095 && u.day == 65_535)
        }
        #expect(Feed.signins.metrics == [.signinsUsers, .signinsTeamsUsers])
        #expect(Feeds.builtIn[Feeds.signins] == "signins")
        #expect(Feeds.feed(of: .signinsTeamsUsers) == "signins")
        #expect(Feeds.slot(format: .entraSignIns, custom: nil) == Feeds.signins)
        #expect(Feeds.slot(format: .m365AuditTeams, custom: nil) == Feeds.signins)
        #expect(Feeds.slot(format: .teamsAttendance, custom: nil) == Feeds.meetings)
        #expect(PlateauConfig.sourceNames.contains("signins"))
        #expect(ClickHouseSchema.metricEnum.contains("'signins.teams_users' = 15"))
    }

    @Test func anAlertRuleMayNameASignInMetric() throws {
        let rules = try AlertRules.parse("""
            [[rule]]
            name = "signins-drop"
            metric = "signins.users"
            kind = "drop"
            warning = 0.5
            critical = 0.25
            """, path: "rules.toml")
        #expect(rules.rules.first?.metric == .signinsUsers)
    }

    /// A day the sign-in feed delivered nothing is missing, not zero; days of other feeds do not
    /// make it zero either.
    @Test func aDayWithoutSignInsIsMissing() throws {
        let lines = [
            EntraSignInTests.hubRecord(created: "2020-03-23T09:00:00Z", upn: "jdoe@corp.example"),
            EntraSignInTests.hubRecord(created: "2020-03-25T09:00:00Z", upn: "jdoe@corp.example", app: "Microsoft Teams"),
            EntraSignInTests.hubRecord(created: "2020-03-25T09:10:00Z", upn: "asmith@corp.example"),
        ].joined(separator: "\n") + "\n"
        let path = try temporary("signins.json", Array(lines.utf8))
        let (reports, r) = try ingest([path])
        #expect(reports["signins.json"]?.account.records == 3)
        #expect(r.metrics.contains(.signinsUsers) && r.metrics.contains(.signinsTeamsUsers))
        #expect(value(r, .signinsUsers, "2020-03-23") == 1)
        #expect(value(r, .signinsUsers, "2020-03-24") == nil)
        #expect(value(r, .signinsUsers, "2020-03-25") == 2)
        #expect(value(r, .signinsTeamsUsers, "2020-03-23") == 0)
        #expect(value(r, .signinsTeamsUsers, "2020-03-24") == nil)
        #expect(value(r, .signinsTeamsUsers, "2020-03-25") == 1)
        #expect(r.gaps(.signins) == [CivilDate(iso: "2020-03-24")!.day...CivilDate(iso: "2020-03-24")!.day])
        #expect(r.feeds["signins"]?.newestRecord != nil)
    }

    /// Sign-ins without a Teams one: `signins.teams_users` is 0 on the feed's days, not absent.
    @Test func noTeamsSignInOnADayOfSignInsIsZero() throws {
        let path = try temporary("hub.json", Array((EntraSignInTests.hubRecord(created: "2020-03-23T09:00:00Z") + "\n").utf8))
        let (_, r) = try ingest([path])
        #expect(value(r, .signinsUsers, "2020-03-23") == 1)
        #expect(value(r, .signinsTeamsUsers, "2020-03-23") == 0)
        #expect(!r.metrics.contains(.meetingsUsers))
    }
}

// MARK: - Teams attendance reports

@Suite struct TeamsAttendanceTests {
    static let people: [(id: String?, upn: String?, bu: String)] = [
        ("5d2f0a7e-1b2c-4d3e-9f00-aa11bb22cc33", "jdoe@corp.example", "France Networks"),
        ("aa2f0a7e-1b2c-4d3e-9f00-aa11bb22cc44", "asmith@corp.example", "Spain Retail"),
        (nil, "bkim@corp.example", "Spain Retail"),
    ]

    /// The 2021 English report, as Teams writes it: UTF-16LE with a BOM, tabs, CRLF; US dates
    /// on a 12-hour clock (month first).
    static let english2021 = utf16LE([
        "Meeting Summary",
        "Total Number of Participants\t3",
        "Meeting Title\tWeekly BU review",
        "Meeting Start Time\t3/25/2020, 8:58:00 AM",
        "Meeting End Time\t3/25/2020, 10:02:30 AM",
        "",
        "Full Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole\tParticipant ID (UPN)",
        "Doe, Jane\t3/25/2020, 8:58:00 AM\t3/25/2020, 10:02:30 AM\t1h 4m\tjane.doe@corp.example\tOrganizer\tjdoe@corp.example",
        "Smith, Anna\t3/25/2020, 9:01:10 AM\t3/25/2020, 9:40:00 AM\t38m 50s\tanna.smith@corp.example\tPresenter\tasmith@corp.example",
        "Smith, Anna\t3/25/2020, 9:45:10 AM\t3/25/2020, 10:01:00 AM\t15m 50s\tanna.smith@corp.example\tPresenter\tasmith@corp.example",
        "Kim, Bo\t3/25/2020, 9:03:00 AM\t3/25/2020, 9:20:00 AM\t17m\tbkim@corp.example\tAttendee\t",
    ].joined(separator: "\r\n"))

    /// The French 2021 layout re-saved by Excel as UTF-8 with `;` (day first, `à`, no-break spaces).
    static let frenchSemicolons = Array(([
        "\u{FEFF}*Résumé de la réunion",
        "Nombre total de participants;2",
        "Titre de la réunion;Point hebdo",
        "Heure de début de la réunion;25/03/2020 à 13:00:00",
        "Heure de fin;25/03/2020 à 14:30:00",
        "",
        "Nom complet;Heure d'arrivée;Heure de départ;Durée;E-mail;Rôle",
        "Doe Jane;25/03/2020 à 13:00:00;25/03/2020 à 14:30:00;1\u{00A0}h 30\u{00A0}m;jdoe@corp.example;Organisateur",
        "Kim Bo;25/03/2020 à 13:05:00;25/03/2020 à 14:00:00;55\u{00A0}m;bkim@corp.example;Participant",
    ].joined(separator: "\n") + "\n").utf8)

    /// The 2020 list re-saved as comma CSV with quoted stamps and a `Joined before` row.
    static let legacyCommas = Array(([
        "\u{FEFF}Full Name,User Action,Timestamp",
        "Jane Doe,Joined,\"3/26/2020, 9:50:12 AM\"",
        "Bo Kim,Joined before,\"3/26/2020, 9:50:12 AM\"",
        "Anna Smith,Joined,\"3/26/2020, 9:52:40 AM\"",
        "Anna Smith,Left,\"3/26/2020, 10:31:02 AM\"",
        "Jane Doe,Left,\"3/26/2020, 10:35:00 AM\"",
        "Bo Kim,Joined,\"3/26/2020, 25:00:00 AM\"",
    ].joined(separator: "\r\n")).utf8)

    @Test func theEnglishUTF16ReportIsOneMeetingReadTheSameInAnyChunks() {
        let (run, account) = everyWayAttendance(Self.english2021)
        #expect(account.records == 4 && account.headers == 7 && account.skipped == 0 && account.lines == 11)
        let w = IdentityWorld(Self.people)
        #expect(run.facts == [w.fact(.meetingsUsers, "jdoe@corp.example", "2020-03-25"), w.fact(.meetingsUsers, "asmith@corp.example", "2020-03-25"),
                              w.fact(.meetingsUsers, "bkim@corp.example", "2020-03-25")].sorted())
        // One meeting: the summary's 64.5 minutes, three people, the organizer's BU.
        #expect(run.meetings.count == 1)
        #expect(run.meetings[0].hasSuffix("day=2020-03-25 bu=France Networks s=3870 people=3"))
    }

    @Test func theFrenchReSaveWithSemicolonsReadsDayFirst() {
        let (run, account) = everyWayAttendance(Self.frenchSemicolons)
        #expect(account.records == 2 && account.skipped == 0)
        #expect(run.meetings.count == 1 && run.meetings[0].hasSuffix("day=2020-03-25 bu=France Networks s=5400 people=2"))
    }

    @Test func theLegacyListTakesItsLengthFromItsRows() {
        let (run, account) = everyWayAttendance(Self.legacyCommas)
        #expect(account.records == 5 && account.headers == 1)
        #expect(account.skippedReasons == ["bad time stamp": 1])
        // Names only: people outside the directory, UNASSIGNED; 9:50:12 to 10:35:00.
        #expect(run.meetings.count == 1 && run.meetings[0].hasSuffix("day=2020-03-26 bu=UNASSIGNED s=2688 people=3"))
    }

    private func everyWayAttendance(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> (Run, FileAccount) {
        struct Both: Equatable { var run: Run; var account: FileAccount }
        let b = everyWay({ next in
            let (r, a) = readAttendance(bytes, world: { IdentityWorld(Self.people) }, next)
            return Both(run: r, account: a)
        }, sourceLocation: sourceLocation)
        return (b.run, b.account)
    }

    /// The 2022 English layout (two-digit years); its third section details the people of the
    /// second (by e-mail only, which is not always the UPN): not read again.
    static let english2022 = utf16LE([
        "1. Summary",
        "Meeting title\tWeekly BU review",
        "Attended participants\t2",
        "Start time\t3/25/22, 8:58:00 AM",
        "End time\t3/25/22, 10:02:30 AM",
        "Meeting duration\t1h 4m 30s",
        "Average attendance time\t40m 45s",
        "",
        "2. Participants",
        "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole",
        "Doe, Jane\t3/25/22, 8:58:00 AM\t3/25/22, 10:02:30 AM\t1h 4m 30s\tjane.doe@corp.example\tjdoe@corp.example\tOrganizer",
        "Kim, Bo\t3/25/22, 9:03:00 AM\t3/25/22, 9:20:00 AM\t17m\tbo.kim@corp.example\tbkim@corp.example\tAttendee",
        "",
        "3. In-Meeting Activities",
        "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole",
        "Doe, Jane\t3/25/22, 8:58:00 AM\t3/25/22, 10:02:30 AM\t1h 4m 30s\tjane.doe@corp.example\tOrganizer",
        "Kim, Bo\t3/25/22, 9:03:00 AM\t3/25/22, 9:20:00 AM\t17m\tbo.kim@corp.example\tAttendee",
        "",
    ].joined(separator: "\r\n"))

    @Test func the2022LayoutReadsItsParticipantsOnce() {
        #expect(FormatSniffer.sniff(Self.english2022) == .teamsAttendance)
        let (run, account) = everyWayAttendance(Self.english2022)
        #expect(account.records == 2 && account.skipped == 0 && account.headers == 13 && account.lines == 17)
        #expect(account.ignored == ["in-meeting activity of a participant listed above": 2])
        let w = IdentityWorld(Self.people)
        #expect(run.facts == [w.fact(.meetingsUsers, "jdoe@corp.example", "2022-03-25"), w.fact(.meetingsUsers, "bkim@corp.example", "2022-03-25")].sorted())
        #expect(run.meetings.count == 1 && run.meetings[0].hasSuffix("day=2022-03-25 bu=France Networks s=3870 people=2"))
    }

    /// Names alone (the 2020 list) resolve through the directory's `display_name` when one
    /// person has it; a name two people share, or none, is someone outside it.
    @Test func namesResolveThroughTheDirectorysDisplayNames() throws {
        let dir = try temporary("people.csv", Array("""
            user_id,upn,display_name,business_unit
            ,jdoe@corp.example,Jane Doe,France Networks
            ,asmith@corp.example,"Smith, Anna",Spain Retail
            ,bkim@corp.example,Bo Kim,Spain Retail
            ,bkim2@corp.example,Bo Kim,Italy Grid

            """.utf8))
        let list = try temporary("meetingAttendanceList.csv", Self.legacyCommas)
        let (reports, r) = try ingest([list], directory: dir)
        #expect(reports["people.csv"]?.format == "directory")
        #expect(value(r, .meetingsUsers, "2020-03-26", bu: "France Networks") == 1)  // Jane Doe
        #expect(value(r, .meetingsCount, "2020-03-26", bu: "France Networks") == 1)  // the first row: hers
        #expect(value(r, .meetingsUsers, "2020-03-26", bu: "UNASSIGNED") == 2)       // Anna Smith (not "Smith, Anna"), Bo Kim (two of them)
        #expect(value(r, .meetingsUsers, "2020-03-26") == 3)
    }

    @Test func theDateOrderIsTheFiles() {
        #expect(TeamsAttendanceParser.dayFirst(Array("13/04/2021 à 09:01:31".utf8)))
        #expect(!TeamsAttendanceParser.dayFirst(Array("4/13/2021, 9:01:31 AM".utf8)))
        #expect(!TeamsAttendanceParser.dayFirst(Array("4/3/2021, 9:01:31 AM".utf8)))
        #expect(TeamsAttendanceParser.dayFirst(Array("11/12/2020, 12:27:24".utf8)))
        #expect(TeamsAttendanceParser.dayFirst(Array("4.3.2021, 13:01".utf8)))
    }

    @Test func theSameReportReadTwiceIsOneMeeting() throws {
        let a = try temporary("meetingAttendanceReport.csv", Self.english2021)
        let b = try temporary("Weekly BU review - Attendance report.csv", Self.english2021)
        let dir = try temporary("people.csv", Array(("user_id,upn,business_unit\n" + Self.people.map { "\($0.id ?? ""),\($0.upn ?? ""),\($0.bu)" }.joined(separator: "\n") + "\n").utf8))
        let (reports, r) = try ingest([a, b], directory: dir)
        #expect(reports.values.filter { $0.format == "teams-attendance" }.count == 2)
        #expect(value(r, .meetingsCount, "2020-03-25") == 1)
        #expect(value(r, .meetingsCount, "2020-03-25", bu: "France Networks") == 1)
        #expect(value(r, .meetingsUsers, "2020-03-25") == 3)
        #expect(value(r, .meetingsUsers, "2020-03-25", bu: "Spain Retail") == 2)
        #expect(value(r, .meetingsMaxParticipants, "2020-03-25") == 3)
        #expect(value(r, .meetingsMedianMinutes, "2020-03-25") == 64.5)
    }

    /// Two meetings with the same start and title (`null`), organised by two people, are two.
    @Test func twoMeetingsStartingTogetherAreTwo() throws {
        func report(_ organizer: String) -> [UInt8] {
            Array(([
                "*Résumé de la réunion", "Titre de la réunion\tnull", "Heure de début de la réunion\t25/03/2020 à 09:00:00",
                "Heure de fin\t25/03/2020 à 09:30:00", "",
                "Nom complet\tHeure d'arrivée\tHeure de départ\tDurée\tE-mail\tRôle",
                "X\t25/03/2020 à 09:00:00\t25/03/2020 à 09:30:00\t30 m\t\(organizer)\tOrganisateur",
            ].joined(separator: "\n")).utf8)
        }
        let a = try temporary("a.csv", report("jdoe@corp.example")), b = try temporary("b.csv", report("asmith@corp.example"))
        let (_, r) = try ingest([a, b, a])
        #expect(value(r, .meetingsCount, "2020-03-25") == 2)
    }

    /// Damaged reports (bytes flipped, cut anywhere, odd lengths) never trap, in the sniffer or
    /// the reader, and every line is accounted for.
    @Test func damagedReportsNeverTrap() {
        var rng = SplitMix64(seed: 99)
        for base in [Self.english2021, Self.frenchSemicolons, Self.legacyCommas, Self.english2022] {
            for _ in 0..<150 {
                var b = Array(base.prefix(1 + Int(rng.next() % UInt64(base.count))))
                for _ in 0..<Int(rng.next() % 8) { b[Int(rng.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: rng.next()) }
                _ = FormatSniffer.sniff(b)
                let (_, account) = readAttendance(b, world: { IdentityWorld(Self.people) }) { _ in 1 + Int(rng.next() % 64) }
                #expect(account.lines == account.records + account.headers + account.ignoredCount + account.skipped)
            }
        }
        for n in [0, 1, 2, 3, 7] {
            let (_, account) = readAttendance(Array(repeating: 0xFF, count: n), world: { IdentityWorld() }) { $0 }
            #expect(account.records == 0)
        }
    }

    @Test func utf16IsDecodedFromBytes() {
        // A character outside the BMP (a surrogate pair), an unpaired surrogate, big-endian.
        let le: [UInt8] = [0xFF, 0xFE, 0x41, 0x00, 0x3D, 0xD8, 0x00, 0xDE, 0x00, 0xD8, 0x42, 0x00]
        #expect(TextDecoding.utf8(le) == Array("A\u{1F600}\u{FFFD}B".utf8))
        let be: [UInt8] = [0xFE, 0xFF, 0x00, 0xE9, 0x00, 0x0A]
        #expect(TextDecoding.utf8(be) == Array("é\n".utf8))
        #expect(TextDecoding.utf8(utf16LE("Full Name\tUser Action", bom: false)) == Array("Full Name\tUser Action".utf8))
    }

    @Test func theyAreSniffedFromTheirContent() {
        #expect(FormatSniffer.sniff(Self.english2021) == .teamsAttendance)
        #expect(FormatSniffer.sniff(Self.frenchSemicolons) == .teamsAttendance)
        #expect(FormatSniffer.sniff(Self.legacyCommas) == .teamsAttendance)
        // Cut anywhere in the sniffed window, even mid code unit.
        #expect(FormatSniffer.sniff(Array(Self.english2021.prefix(601))) == .teamsAttendance)
    }

    @Test(.enabled(if: haveRealSamples)) func theRealReportsAreRead() throws {
        let fr = realSamples + "/teams-attendance/Necrelox/meetingAttendanceReport.csv"
        let de = realSamples + "/teams-attendance/dominikhoebert/meetingAttendanceList.csv"
        let (reports, r) = try ingest([fr, de, fr])
        let french = try #require(reports["meetingAttendanceReport.csv"])
        #expect(french.format == "teams-attendance")
        #expect(french.account.lines == 14 && french.account.records == 7 && french.account.headers == 7 && french.account.skipped == 0)
        let list = try #require(reports["meetingAttendanceList.csv"])
        #expect(list.account.lines == 39 && list.account.records == 38 && list.account.headers == 1 && list.account.skipped == 0)
        // French: 13 April 2021, 09:01:31 to 14:03:31 by the summary, six distinct e-mails
        // (one re-joined) among seven rows; read twice, still one meeting.
        #expect(value(r, .meetingsCount, "2021-04-13") == 1)
        #expect(value(r, .meetingsUsers, "2021-04-13") == 6)
        #expect(value(r, .meetingsMedianMinutes, "2021-04-13") == 302)
        // The 2020 list: a 24-hour clock, so 11/12/2020 is 11 December; five people.
        #expect(value(r, .meetingsUsers, "2020-12-11") == 5)
        #expect(value(r, .meetingsCount, "2020-12-11") == 1)
        #expect(value(r, .meetingsMaxParticipants, "2020-12-11") == 5)
        let chunked = everyWay { next in
            readAttendance(try! contents(fr), world: { IdentityWorld() }, next).0
        }
        #expect(chunked.meetings.count == 1)
    }
}

// MARK: - Microsoft 365 audit records of Teams

@Suite struct M365AuditTeamsTests {
    static let people: [(id: String?, upn: String?, bu: String)] = [
        ("5d2f0a7e-1b2c-4d3e-9f00-aa11bb22cc33", "jdoe@corp.example", "France Networks"),
        (nil, "asmith@corp.example", "Spain Retail"),
    ]

    static func record(_ op: String, id: String, user: String = "jdoe@corp.example", time: String = "2020-03-25T07:59:34",
                       userType: Int = 0, workload: String = "MicrosoftTeams", extra: String = "") -> String {
        #"{"CreationTime":"\#(time)","Id":"\#(id)","Operation":"\#(op)","OrganizationId":"b86ab9d4","RecordType":25,"UserKey":"k","UserType":\#(userType),"Version":1,"Workload":"\#(workload)","UserId":"\#(user)","ObjectId":"Unknown (Unknown)"\#(extra)}"#
    }

    /// A Management Activity API content blob: a JSON array.
    static var array: [UInt8] {
        let records = [
            record("TeamsSessionStarted", id: "r1"),
            record("TeamsSessionStarted", id: "r1"),                                         // the same record again
            record("TeamsSessionStarted", id: "r2", user: "ASMITH@corp.example", time: "2020-03-25T23:10:00"),
            record("MeetingParticipantDetail", id: "r3", user: "organizer@corp.example",
                   extra: #","Attendees":[{"DisplayName":"Anna","UPN":"asmith@corp.example","UserObjectId":"x","RecipientType":"User"}],"JoinTime":"2020-03-25T09:00:00","LeaveTime":"2020-03-25T09:45:00","MeetingDetailId":"m1""#),
            record("TeamCreated", id: "r4", user: "Application", userType: 5),
            record("TeamsSessionStarted", id: "r5", user: "Application", userType: 5),
            record("MessageSent", id: "r6"),
            record("FileAccessed", id: "r7", workload: "SharePoint"),
            record("TeamsSessionStarted", id: "r8", time: "2020-02-30T10:00:00"),
        ]
        return Array(("[\n" + records.joined(separator: ",\n") + "\n]\n").utf8)
    }

    @Test func anArrayOfRecordsReadsTheSameInAnyChunks() {
        let run = everyWay { next in
            readDocument(Self.array, { M365AuditTeamsParser() }, pageKeys: ["records", "events"], world: { IdentityWorld(Self.people, zone: "Europe/Paris") }, next)
        }
        #expect(run.outcomes == [
            "2: record", "3: ignored: duplicate record id", "4: record", "5: record",
            "6: ignored: Teams activity that is neither a session nor a meeting participation",
            "7: ignored: done by an application or the service, not a person",
            "8: ignored: Teams activity that is neither a session nor a meeting participation",
            "9: ignored: audit record of another workload",
            "10: skipped: impossible date",
        ])
        let w = IdentityWorld(Self.people, zone: "Europe/Paris")
        #expect(run.facts == [
            w.fact(.signinsUsers, "jdoe@corp.example", "2020-03-25"), w.fact(.signinsTeamsUsers, "jdoe@corp.example", "2020-03-25"),
            // 23:10 UTC is past midnight in Paris.
            w.fact(.signinsUsers, "asmith@corp.example", "2020-03-26"), w.fact(.signinsTeamsUsers, "asmith@corp.example", "2020-03-26"),
            // The attendee, not the record's user, took part.
            w.fact(.meetingsUsers, "asmith@corp.example", "2020-03-25"),
        ].sorted())
        #expect(run.meetings.isEmpty)  // no meeting is counted from participations alone
    }

    @Test func anExportedEventCarriesTheRecordAsAString() {
        let inner = Self.record("TeamsSessionStarted", id: "e1")
        let escaped = inner.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let doc = "{\"events\": [\n {\"event\": {\"original\": \"\(escaped)\"}, \"o365audit\": {\"Id\": \"e1\"}},\n {\"event\": {\"original\": \"[1, 2]\"}}\n]}\n"
        #expect(FormatSniffer.sniff(Array(doc.utf8)) == .m365AuditTeams)
        let run = everyWay { next in
            readDocument(Array(doc.utf8), { M365AuditTeamsParser() }, pageKeys: ["records", "events"], world: { IdentityWorld(Self.people) }, next)
        }
        #expect(run.outcomes == ["2: record", "3: skipped: event.original holds no JSON object"])
        let w = IdentityWorld(Self.people)
        #expect(run.facts == [w.fact(.signinsUsers, "jdoe@corp.example", "2020-03-25"), w.fact(.signinsTeamsUsers, "jdoe@corp.example", "2020-03-25")].sorted())
    }

    /// The audit log search exported as CSV: `AuditData` holds the record, quotes doubled.
    @Test func theSearchExportedAsCSVReadsItsAuditData() {
        func csvField(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        let rows = [
            ("r1", "TeamsSessionStarted", Self.record("TeamsSessionStarted", id: "r1")),
            ("r1", "TeamsSessionStarted", Self.record("TeamsSessionStarted", id: "r1")),
            ("r2", "MailItemsAccessed", Self.record("MailItemsAccessed", id: "r2", workload: "Exchange")),
            ("r3", "TeamsSessionStarted", Self.record("TeamsSessionStarted", id: "r3", user: "asmith@corp.example", time: "2020-03-26T08:00:00")),
        ]
        let purview = "\u{FEFF}RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames\r\n"
            + rows.map { "\($0.0),2020-03-25T07:59:34.0000000Z,MicrosoftTeams,\($0.1),jdoe@corp.example,\(csvField($0.2)),," }.joined(separator: "\r\n") + "\r\n"
        let classic = "CreationDate,UserIds,Operations,AuditData\n"
            + rows.map { "2020-03-25T07:59:34,jdoe@corp.example,\($0.1),\(csvField($0.2))" }.joined(separator: "\n") + "\n"
        for text in [purview, classic] {
            #expect(FormatSniffer.sniff(Array(text.utf8)) == .m365AuditCSV)
            let run = everyWay { next in
                readLines(Array(text.utf8), { M365AuditCSVParser() }, world: { IdentityWorld(Self.people) }, next)
            }
            #expect(run.outcomes == ["1: header", "2: record", "3: ignored: duplicate record id", "4: ignored: audit record of another workload", "5: record"])
            let w = IdentityWorld(Self.people)
            #expect(run.facts == [w.fact(.signinsUsers, "jdoe@corp.example", "2020-03-25"), w.fact(.signinsTeamsUsers, "jdoe@corp.example", "2020-03-25"),
                                  w.fact(.signinsUsers, "asmith@corp.example", "2020-03-26"), w.fact(.signinsTeamsUsers, "asmith@corp.example", "2020-03-26")].sorted())
        }
    }

    @Test(.enabled(if: haveRealSamples)) func theElasticSampleHasOneSessionStart() throws {
        let (reports, r) = try ingest([realSamples + "/o365-audit-teams/test-ms-teams-events.json"])
        let a = try #require(reports["test-ms-teams-events.json"])
        #expect(a.format == "m365-audit-teams")
        #expect(a.account.records == 1 && a.account.skipped == 0)
        #expect(a.account.ignored == ["Teams activity that is neither a session nor a meeting participation": 3, "duplicate record id": 1])
        #expect(value(r, .signinsTeamsUsers, "2020-02-17") == 1)
        #expect(!r.metrics.contains(.meetingsUsers))
    }

    @Test(.enabled(if: haveRealSamples)) func theSekoiaRecordsAreChatsNotSessions() throws {
        for name in ["teams_message_has_link.json", "teams_with_foreign_tenant_users.json"] {
            var raw = try sekoiaMessage(realSamples + "/o365-audit-teams/" + name)
            #expect(FormatSniffer.sniff(raw + [0x0A]) == .m365AuditTeams, "\(name)")
            let w = IdentityWorld()
            var p = M365AuditTeamsParser()
            #expect(raw.withUnsafeMutableBytes { p.parse($0, number: 1, w.ctx) } == .ignored(M365AuditTeamsParser.otherOperation), "\(name)")
        }
    }
}

// MARK: - Sniffing the real samples

@Suite struct IdentitySniffingTests {
    /// Every exported log is recognised; SEKOIA test cases (a record quoted inside
    /// `input.message`, next to what their parser expects) are not logs and are not claimed.
    @Test(.enabled(if: haveRealSamples)) func theRealSamplesAreRecognised() throws {
        let expected: [String: InputFormat?] = [
            "entra-signin/test-signinlogs-raw.log": .entraSignIns,
            "entra-signin/sign-in_activity6.json": nil,
            "entra-signin/test_signin.json": nil,
            "o365-audit-teams/test-ms-teams-events.json": .m365AuditTeams,
            "o365-audit-teams/teams_message_has_link.json": nil,
            "o365-audit-teams/teams_with_foreign_tenant_users.json": nil,
            "teams-attendance/Necrelox/meetingAttendanceReport.csv": .teamsAttendance,
            "teams-attendance/dominikhoebert/meetingAttendanceList.csv": .teamsAttendance,
        ]
        for (name, format) in expected {
            let found = try InputDiscovery.inspect(realSamples + "/" + name)
            #expect(found.format == format, "\(name)")
        }
        // The Entra sample is one record per line (split into ranges, followed line by line).
        #expect(try InputDiscovery.inspect(realSamples + "/entra-signin/test-signinlogs-raw.log").jsonLines)
        #expect(try !InputDiscovery.inspect(realSamples + "/o365-audit-teams/test-ms-teams-events.json").jsonLines)
    }

    @Test func otherFormatsAreNotClaimed() {
        let callRecord = #"{"id":"x","type":"groupCall","startDateTime":"2020-03-25T09:00:12Z","endDateTime":"2020-03-25T09:49:40Z"}"# + "\n"
        #expect(FormatSniffer.sniff(Array(callRecord.utf8)) == .teamsCallRecords)
        let nss = #"{"sourcetype":"zscalernss-web","event":{"time":"Mon Mar 23 09:14:02 2020","login":"jdoe@corp.example"}}"# + "\n"
        #expect(FormatSniffer.sniff(Array(nss.utf8)) == .zscalerNSSJSON)
        let batch = "{\"records\":[" + EntraSignInTests.hubRecord() + "]}"
        #expect(FormatSniffer.sniff(Array(batch.utf8)) == .entraSignIns)
    }
}

// MARK: - Followed (watch)

@Suite(.serialized) struct IdentityFollowTests {
    /// Sign-ins one per line are followed line by line; an attendance report is read whole, and
    /// read again when it is replaced by a later download of the same meeting: one meeting.
    @Test func signInLinesAndAReplacedReportReadAsInABatch() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let live = LiveIngest(roots: [dir.path], settings: followSettings())
        let first = EntraSignInTests.hubRecord(created: "2020-03-25T09:00:00Z") + "\n"
        try append(dir.path + "/signins.json", Array(first.utf8))
        let report = TeamsAttendanceTests.english2021
        try append(dir.path + "/meetingAttendanceReport.csv", report)
        _ = live.poll()
        try expectSameAsBatch(live, dir.path, "first poll")
        try append(dir.path + "/signins.json", Array((EntraSignInTests.hubRecord(created: "2020-03-25T10:00:00Z", upn: "asmith@corp.example", app: "Microsoft Teams") + "\n").utf8))
        // The report downloaded again later: one more participant.
        let later = report + utf16LE("\r\nLee, Ray\t3/25/2020, 9:30:00 AM\t3/25/2020, 9:50:00 AM\t20m\tray.lee@corp.example\tAttendee\trlee@corp.example", bom: false)
        try append(dir.path + "/tmp", later)
        moveFile(dir.path + "/tmp", dir.path + "/meetingAttendanceReport.csv")
        #expect(live.poll().changed)
        try expectSameAsBatch(live, dir.path, "appended and replaced")
        let r = live.rollups()
        let day = CivilDate(iso: "2020-03-25")!.day
        #expect(r.value(.meetingsCount, bu: BusinessUnits.all, day: day) == 1)
        #expect(r.value(.meetingsMaxParticipants, bu: BusinessUnits.all, day: day) == 4)
        #expect(r.value(.signinsUsers, bu: BusinessUnits.all, day: day) == 2)
        #expect(r.value(.signinsTeamsUsers, bu: BusinessUnits.all, day: day) == 1)
    }
}

// MARK: - Zscaler NSS through Microsoft Sentinel (CommonSecurityLog), URL-encoded NSS fields

@Suite struct CommonSecurityLogTests {
    static let people: [(id: String?, upn: String?, bu: String)] = [(nil, "jdoe@corp.example", "France Networks")]

    /// One row as Log Analytics exports it, one member a line (the portal's JSON export).
    static func row(vendor: String = "Zscaler", product: String = "NSSWeblog", time: String, timeKey: String = "TimeGenerated",
                    user: String? = "jdoe@corp.example", location: String? = nil, dept: String? = nil, labelFirst: Bool = true) -> String {
        var m = [#""\#(timeKey)": "\#(time)""#, #""DeviceVendor": "\#(vendor)""#, #""DeviceProduct": "\#(product)""#,
                 #""DeviceVersion": 5.7"#, #""SourceIP": "192.168.20.44""#]
        if let user { m.append(#""SourceUserName": "\#(user)""#) }
        if let location { m.append(#""SourceUserPrivileges": "\#(location)""#) }
        if let dept {
            let v = #""DeviceCustomString1": "\#(dept)""#, l = #""DeviceCustomString1Label": "dept""#
            m += labelFirst ? [l, v] : [v, l]
        }
        m.append(#""AdditionalExtensions": "reason=Allowed;outcome=200;cat=Internet Services""#)
        m.append(#""Type": "CommonSecurityLog""#)
        return "  {\n    " + m.joined(separator: ",\n    ") + "\n  }"
    }

    static let rows: [String] = [
        // A firewall's row in the same table (the real export starts with one).
        row(vendor: "Fortinet", product: "Fortigate", time: "3/23/2020, 10:52:35.857 AM", user: nil),
        row(time: "3/23/2020, 09:14:02.276 AM", location: "Road Warrior"),
        // ISO and exact; past midnight in Paris. Department label after its value, URL-encoded.
        row(time: "2020-03-23T23:30:00.000Z", user: "asmith@corp.example", location: "Head Office", dept: "Spain%20Retail", labelFirst: false),
        row(product: "NSSDNSlog", time: "3/23/2020, 09:15:00 AM"),
        row(time: "3/23/2020, 09:16:00 AM", user: ""),
        row(time: "13/45/2020, 1:00:00 PM"),
        // The firewall feed; 12 AM is midnight; a URL-encoded login and location.
        row(product: "NSSFWlog", time: "3/22/2020, 12:30:00 AM", timeKey: "TimeGenerated [UTC]", user: "jdoe%40corp.example", location: "Road%20Warrior"),
    ]

    static var export: [UInt8] { Array(("[\n" + rows.joined(separator: ",\n") + "\n]").utf8) }

    fileprivate static func world() -> IdentityWorld { IdentityWorld(people, zone: "Europe/Paris") }

    static func expectedFacts() -> [String] {
        let w = world()
        let smith = Array("asmith@corp.example".utf8).withUnsafeBytes { u in
            Array("Spain Retail".utf8).withUnsafeBytes { d in w.ctx.resolver.resolve(u, department: d) }
        }
        return [
            w.fact(.proxyUsers, "jdoe@corp.example", "2020-03-23"), w.fact(.proxyRemoteUsers, "jdoe@corp.example", "2020-03-23"),
            "\(Metric.proxyUsers.rawValue) Spain Retail 2020-03-24 \(String(smith.key, radix: 16))",
            w.fact(.proxyUsers, "jdoe@corp.example", "2020-03-22"), w.fact(.proxyRemoteUsers, "jdoe@corp.example", "2020-03-22"),
        ].sorted()
    }

    @Test func zscalerRowsAreProxyTransactionsInAnyChunks() {
        #expect(FormatSniffer.sniff(Self.export) == .commonSecurityLog)
        let run = everyWay { next in readDocument(Self.export, { CommonSecurityLogParser() }, pageKeys: [], world: Self.world, next) }
        #expect(run.outcomes.map { $0.split(separator: " ", maxSplits: 1)[1] } == [
            "ignored: another device's CEF row (not a Zscaler NSS web or firewall feed)",
            "record", "record",
            "ignored: a Zscaler CEF row of another feed (not web or firewall)",
            "ignored: unauthenticated transaction",
            "skipped: \(Reasons.badTime.text)",
            "record",
        ])
        #expect(run.facts == Self.expectedFacts())
    }

    @Test func oneRowALineReadsTheSame() throws {
        let lines = Self.rows.map { $0.replacingOccurrences(of: "\n", with: "") }.joined(separator: "\n") + "\n"
        let run = everyWay { next in readLines(Array(lines.utf8), { JSONLinesOf(CommonSecurityLogParser()) }, world: Self.world, next) }
        #expect(run.facts == Self.expectedFacts())
        let path = try temporary("csl.json", Array(lines.utf8))
        let found = try InputDiscovery.inspect(path)
        #expect(found.format == .commonSecurityLog && found.jsonLines)
    }

    @Test func stampsOfThePortalAndTheAPI() {
        func t(_ s: String) -> Int64? { Array(s.utf8).withUnsafeBytes { try? LogAnalyticsStamp.parse($0, zone: .utc) } }
        let morning: Int64 = 1_648_714_700, midnight: Int64 = 1_648_684_800, noon: Int64 = midnight + 43_200
        #expect(t("3/31/2022, 08:18:20.276 AM") == morning)
        #expect(t("3/31/2022, 8:18:20 PM") == morning + 43_200)
        #expect(t("3/31/2022, 12:00:00 AM") == midnight)
        #expect(t("3/31/2022, 12:00:00 PM") == noon)
        #expect(t("2022-03-31T08:18:20.276Z") == morning)
        for bad in ["3/31/2022, 13:00:00 PM", "31/3/2022, 08:18:20 AM", "3/31/2022, 08:18:20.276.5 AM", "3/31/2022.5, 08:18 AM", "AM", "", "3/31",
                    "3/31/2022, 08:18:20 AM AM", "3/31/2022, 08:18:20:01:02 AM"] {
            #expect(t(bad) == nil, "\(bad)")
        }
    }

    @Test func garbageNeverTraps() {
        var rng = SplitMix64(seed: 7)
        let base = Self.export
        for _ in 0..<300 {
            var b = base
            for _ in 0..<(1 + Int(rng.next() % 8)) { b[Int(rng.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            _ = readDocument(b, { CommonSecurityLogParser() }, pageKeys: [], world: Self.world) { $0 }
        }
    }

    /// The Azure Sentinel sample: a FortiGate row, then Zscaler's web row.
    @Test(.enabled(if: haveRealSamples)) func theSentinelSampleIsRead() throws {
        let (reports, r) = try ingest([realSamples + "/zscaler-nss-other/ZScaler.json"])
        let a = try #require(reports["ZScaler.json"])
        #expect(a.format == "commonsecuritylog")
        #expect(a.account.records == 1 && a.account.skipped == 0)
        #expect(a.account.ignored == [CommonSecurityLogParser.otherDevice.text: 1])
        #expect(value(r, .proxyUsers, "2022-03-31") == 1)
    }

    /// NSS fields in their URL-encoded spelling (`%s{elocation}`), as the SEKOIA samples carry
    /// them: the location is a remote one and the department a BU by its name.
    @Test(.enabled(if: haveRealSamples)) func urlEncodedFieldsAreDecoded() throws {
        for name in ["test_event_web.json", "test_event_firewall.json"] {
            var raw = try sekoiaMessage(realSamples + "/zscaler-nss-other/" + name)
            #expect(FormatSniffer.sniff(raw + [0x0A]) == .zscalerNSSJSON, "\(name)")
            let w = IdentityWorld()
            var p = NSSJSONParser()
            #expect(raw.withUnsafeMutableBytes { p.parse($0, number: 1, w.ctx) } == .record, "\(name)")
            #expect(w.facts.contains { $0.hasPrefix("proxy.remote_users Financial Dept 2023-08-28") }, "\(name): \(w.facts)")
        }
        // The CSV feed too, by its `e…` column names.
        let csv = "\"datetime\",\"elogin\",\"edepartment\",\"elocation\"\n\"Mon Mar 23 09:14:02 2020\",\"j%2Edoe%40corp.example\",\"Financial%20Dept\",\"Road%20Warrior\"\n"
        #expect(FormatSniffer.sniff(Array(csv.utf8)) == .zscalerNSSCSV)
        let run = everyWay { next in readLines(Array(csv.utf8), { NSSCSVParser() }, world: { IdentityWorld() }, next) }
        let w = IdentityWorld()
        let jd = Array("j.doe@corp.example".utf8).withUnsafeBytes { u in
            Array("Financial Dept".utf8).withUnsafeBytes { d in w.ctx.resolver.resolve(u, department: d) }
        }
        let key = String(jd.key, radix: 16)
        #expect(run.facts == ["proxy.remote_users Financial Dept 2020-03-23 \(key)", "proxy.users Financial Dept 2020-03-23 \(key)"])
        // A `%` that escapes nothing stays.
        var odd = Array("100% Sales %zz %4".utf8)
        #expect(odd.withUnsafeMutableBytes { Array(NSSText.decoded(Bytes($0))) } == Array("100% Sales %zz %4".utf8))
    }
}

// MARK: - Every real sample

@Suite struct EveryRealSampleTests {
    /// Issue 17's bar: every file under ../shared/real-samples that is a log as exported is
    /// recognised, and read with no skipped line but the explained ones. Parsers' test cases
    /// (SEKOIA's JSON with the raw line in `input.message`) and the folders' notes are not logs.
    @Test(.enabled(if: haveRealSamples)) func everyExportedLogIsRecognisedAndRead() throws {
        let fm = FileManager.default
        var logs: [String] = [], testCases: [String] = []
        for case let rel as String in fm.enumerator(atPath: realSamples)! {
            let path = realSamples + "/" + rel
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue, !rel.hasSuffix(".md") else { continue }
            let head = String(decoding: (try Data(contentsOf: URL(fileURLWithPath: path))).prefix(4096), as: UTF8.self)
            if head.hasPrefix("{"), head.contains("\"input\""), head.contains("\"message\"") { testCases.append(path); continue }
            logs.append(path)
        }
        #expect(logs.count >= 20)  // the walk found the folders (23 logs when this was written)
        var unrecognised: [String] = []
        for p in logs where try InputDiscovery.inspect(p).format == nil { unrecognised.append(p) }
        #expect(unrecognised.isEmpty, "\(unrecognised)")
        // A test case quotes its record in a string: not claimed as that record's format.
        #expect(testCases.count >= 10)
        for p in testCases { #expect(try InputDiscovery.inspect(p).format == nil, "\(p)") }
        // Skipped lines only where the README explains them: Wazuh's rule-test INI (its own
        // lines around the raw logs) and one Citrix line a relay cut before its date.
        let explained: [String: [String: Int]] = [
            "fortigate.ini": [FortiGateParser.notKeyValue.text: 136],
            "Citrix ADC.txt": ["no date in the header (cut by a relay)": 1],
        ]
        var settings = IngestSettings()
        settings.sourceYears["vpn"] = 2020
        let result = Ingest(settings: settings).run(try logs.map { try InputDiscovery.inspect($0) })
        for r in result.inputs {
            let name = (r.path as NSString).lastPathComponent
            #expect(r.account.skippedReasons == explained[name, default: [:]], "\(r.path)")
            #expect(r.account.lines == r.account.records + r.account.ignoredCount + r.account.skipped + r.account.headers, "\(r.path)")
        }
    }
}
