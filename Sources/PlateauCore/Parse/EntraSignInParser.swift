/// `entra-signins`: Microsoft Entra ID (Azure AD) sign-in logs, one sign-in object as
/// `JSONDocumentSplitter` cuts it out of an Azure Monitor / Event Hub batch
/// (`{"records":[...]}`), a Graph page (`{"value":[...]}`), a JSON array, or one object per line.
///
/// Two record shapes, keys matched case-insensitively:
/// - Azure Monitor diagnostic settings (Event Hub, storage account, Log Analytics export): a
///   `category` (`SignInLogs`, `NonInteractiveUserSignInLogs`, `ServicePrincipalSignInLogs`, ...),
///   `time` (when the event was logged), `resultType`, and the sign-in itself in `properties`.
/// - The Graph `signIn` resource (`/auditLogs/signIns`): the same fields at the top level.
///
/// Used fields: `createdDateTime` (the sign-in instant; else `time`), `userPrincipalName`,
/// `userId` (a GUID the directory's `user_id` may hold), `appDisplayName` / `appId` (Teams),
/// `status.errorCode` and `resultType` (0: success), `category` / `signInEventTypes` (people
/// or workloads). A successful sign-in of a person makes them a `signins.users` user of its
/// local day, and a `signins.teams_users` user too when the application is Teams.
public struct EntraSignInParser: RecordParser {
    static let notPerson = Reason("service principal or managed identity sign-in (not a person)")
    static let otherCategory = Reason("not a user sign-in record (other category)")
    static let failed = Reason("failed or interrupted sign-in (non-zero error code)")
    static let noStatus = Reason("no sign-in status")

    /// The application ids of the Teams clients (desktop/mobile, web), whatever their display name.
    static let teamsAppIDs: [StaticString] = ["1fec8e78-bce4-4aaf-ab1b-5451cc387264", "5e3ce6c0-2b1f-4285-8d4b-75ee78787346"]

    public init() {}

    public mutating func parse(_ line: Line, number: Int, _ ctx: ParseContext) -> LineOutcome {
        var s = JSONScanner(line)
        var created: Bytes?, logged: Bytes?, upn: Bytes?, userID: Bytes?, appName: Bytes?, appID: Bytes?
        var category: Bytes?
        var errorCode: Bytes?, resultType: Bytes?
        var workload = false
        do throws(JSONError) {
            try s.enterRoot()
            while true {
                guard let k = try s.nextKey() else {
                    if s.depth == 0 { break }
                    continue  // the end of `properties`: back at the top
                }
                // Top level (depth 1) and `properties` (depth 2) hold the same names.
                switch k.count {
                case 4 where k.equalsIgnoringCase("time"): if s.depth == 1 { logged = try s.string() }
                case 5 where k.equalsIgnoringCase("appId"): appID = try s.string()
                case 6 where k.equalsIgnoringCase("userId"): userID = try s.string()
                case 6 where k.equalsIgnoringCase("status"): errorCode = try EntraSignInParser.errorCode(&s) ?? errorCode
                case 8 where k.equalsIgnoringCase("category"): if s.depth == 1 { category = try s.string() }
                case 10 where k.equalsIgnoringCase("properties"): if s.depth == 1 { _ = try s.enterObject() }
                case 10 where k.equalsIgnoringCase("resultType"): resultType = try EntraSignInParser.code(&s)
                case 14 where k.equalsIgnoringCase("appDisplayName"): appName = try s.string()
                case 15 where k.equalsIgnoringCase("createdDateTime"): created = try s.string()
                case 16 where k.equalsIgnoringCase("signInEventTypes"): workload = try EntraSignInParser.workloadTypes(&s) || workload
                case 17 where k.equalsIgnoringCase("userPrincipalName"): upn = try s.string()
                default: break
                }
            }
            try s.finish()
        } catch {
            return .skipped(error.reason)
        }

        if let c = category?.trimmed(), c.count > 0 {
            if c.equalsIgnoringCase("SignInLogs") || c.equalsIgnoringCase("NonInteractiveUserSignInLogs") {
                // people
            } else if c.equalsIgnoringCase("ServicePrincipalSignInLogs") || c.equalsIgnoringCase("ManagedIdentitySignInLogs")
                        || c.equalsIgnoringCase("MicrosoftServicePrincipalSignInLogs") {
                return .ignored(EntraSignInParser.notPerson)
            } else {
                return .ignored(EntraSignInParser.otherCategory)
            }
        }
        if workload { return .ignored(EntraSignInParser.notPerson) }
        guard errorCode != nil || resultType != nil else { return .skipped(EntraSignInParser.noStatus) }
        for code in [errorCode, resultType] {
            if let c = code, !EntraSignInParser.isZero(c) { return .ignored(EntraSignInParser.failed) }
        }

        // When: the sign-in's own instant; `time` (when it was logged) only without it. Entra
        // stamps carry `Z` or an offset; one without is UTC unless the config says otherwise.
        guard let stamp = (created?.trimmed()).flatMap({ $0.count > 0 ? $0 : nil }) ?? (logged?.trimmed()).flatMap({ $0.count > 0 ? $0 : nil })
        else { return .skipped(Reasons.noTime) }
        let t: Int64
        do throws(TimeError) {
            t = try TimeParsing.iso8601(stamp, zone: ctx.settings.sourceZones["signins"] ?? .utc)
        } catch {
            return .skipped(error.reason)
        }
        if let r = ctx.stampProblem(t) { return .skipped(r) }

        // Who.
        let ids = [upn?.trimmed(), userID?.trimmed()].compactMap { $0 }
        guard let p = ctx.resolver.resolve(any: ids) else { return .skipped(Reasons.missingUser) }
        let day = ctx.day(t)
        ctx.acc.user(.signinsUsers, at: t, day: day, p)
        if EntraSignInParser.isTeams(name: appName, id: appID) { ctx.acc.user(.signinsTeamsUsers, at: t, day: day, p) }
        ctx.acc.saw(t, feed: Feeds.signins, unit: p.bu)
        return .record
    }

    /// The Teams app: `Microsoft Teams` or `Microsoft Teams Web Client` by name, or the id of
    /// either client.
    static func isTeams(name: Bytes?, id: Bytes?) -> Bool {
        if let n = name?.trimmed(), n.equalsIgnoringCase("Microsoft Teams") || n.equalsIgnoringCase("Microsoft Teams Web Client") {
            return true
        }
        if let i = id?.trimmed() { for known in teamsAppIDs where i.equalsIgnoringCase(known) { return true } }
        return false
    }

    /// `errorCode` of a `status` object (a number, or a string of one); nil when absent.
    static func errorCode(_ s: inout JSONScanner) throws(JSONError) -> Bytes? {
        guard try s.enterObject() else { return nil }
        var code: Bytes?
        while let k = try s.nextKey() {
            if k.equalsIgnoringCase("errorCode") { code = try EntraSignInParser.code(&s) }
        }
        return code
    }

    /// A code given as a number or a string; nil for null and other kinds.
    static func code(_ s: inout JSONScanner) throws(JSONError) -> Bytes? {
        let v = try s.value()
        return v.kind == .number || v.kind == .string ? v.bytes : nil
    }

    /// `0`, `"0"`, `0.0`: success. An empty code says nothing (treated as success only when
    /// the other one says so: see the caller, which needs one present).
    static func isZero(_ b: Bytes) -> Bool {
        let t = b.trimmed()
        if t.count == 0 { return true }
        var sawDigit = false
        for c in t {
            if c == 0x30 { sawDigit = true; continue }
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") { continue }
            return false
        }
        return sawDigit
    }

    /// Whether a `signInEventTypes` array names a workload (`servicePrincipal`,
    /// `managedIdentity`) rather than a user.
    static func workloadTypes(_ s: inout JSONScanner) throws(JSONError) -> Bool {
        guard try s.enterArray() else { return false }
        var found = false
        while try s.nextElement() {
            if let v = try s.string(), v.equalsIgnoringCase("servicePrincipal") || v.equalsIgnoringCase("managedIdentity") { found = true }
        }
        return found
    }
}

/// A JSON-records parser for files written one object per line: blank lines are structure,
/// every other line a record for `Inner`.
public struct JSONLinesOf<Inner: RecordParser>: RecordParser {
    private var inner: Inner
    public init(_ inner: Inner) { self.inner = inner }
    public mutating func parse(_ line: Line, number: Int, _ ctx: ParseContext) -> LineOutcome {
        if Bytes(line).trimmed().count == 0 { return .header }
        return inner.parse(line, number: number, ctx)
    }
}
