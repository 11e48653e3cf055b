/// `zpa-user-status` (FORMATS.md §4): one record per ZPA client session, keyed by
/// `SessionID`, with its authentication and un-authentication times (the latter empty while
/// the session is open) and the user's `department:` SAML attribute.
public struct ZPAUserStatusParser: RecordParser {
    public init() {}

    public mutating func parse(_ line: Line, number: Int, _ ctx: ParseContext) -> LineOutcome {
        var s = JSONScanner(line)
        var f = ZPAFields()
        var auth: Bytes?, unauth: Bytes?, department: Bytes?
        do throws(JSONError) {
            try s.enterRoot()
            while let k = try s.nextKey() {
                if try f.common(k, &s) { continue }
                switch k.count {
                case 23 where k.equalsIgnoringCase("TimestampAuthentication"): auth = try s.string()
                case 25 where k.equalsIgnoringCase("TimestampUnAuthentication"): unauth = try s.string()
                case 14 where k.equalsIgnoringCase("SAMLAttributes"):
                    if try s.peekKind() == .array {
                        _ = try s.enterArray()
                        while try s.nextElement() {
                            if department == nil, let v = try s.string() { department = ZPA.department(in: v) }
                        }
                    } else if let v = try s.string() {
                        department = ZPA.department(in: v)
                    }
                default: break
                }
            }
            try s.finish()
        } catch {
            return .skipped(error.reason)
        }
        return f.session(from: auth, to: unauth, department: department, ctx) { p, a, u in
            ZPASession(person: p.key, bu: p.bu, authenticated: a, unauthenticated: u)
        }
    }
}

/// `zpa-user-activity` (FORMATS.md §4): one record per application connection of a ZPA
/// session, with its start and end (empty while the connection is open).
public struct ZPAUserActivityParser: RecordParser {
    public init() {}

    public mutating func parse(_ line: Line, number: Int, _ ctx: ParseContext) -> LineOutcome {
        var s = JSONScanner(line)
        var f = ZPAFields()
        var start: Bytes?, end: Bytes?
        do throws(JSONError) {
            try s.enterRoot()
            while let k = try s.nextKey() {
                if try f.common(k, &s) { continue }
                switch k.count {
                case 24 where k.equalsIgnoringCase("TimestampConnectionStart"): start = try s.string()
                case 22 where k.equalsIgnoringCase("TimestampConnectionEnd"): end = try s.string()
                default: break
                }
            }
            try s.finish()
        } catch {
            return .skipped(error.reason)
        }
        return f.session(from: start, to: end, department: nil, ctx) { p, c0, c1 in
            ZPASession(person: p.key, bu: p.bu, firstConnection: c0, lastConnectionEnd: c1, openConnection: c0 != nil && c1 == nil)
        }
    }
}

/// The members both ZPA logs share.
struct ZPAFields {
    var username: Bytes?
    var sessionID: Bytes?
    var logTimestamp: Bytes?

    /// Reads `k`'s value if it is one of the shared members.
    @inline(__always)
    mutating func common(_ k: Bytes, _ s: inout JSONScanner) throws(JSONError) -> Bool {
        switch k.count {
        case 8 where k.equalsIgnoringCase("Username"): username = try s.string()
        case 9 where k.equalsIgnoringCase("SessionID"): sessionID = try s.string()
        case 12 where k.equalsIgnoringCase("LogTimestamp"): logTimestamp = try s.string()
        default: return false
        }
        return true
    }

    var user: Bytes { username?.trimmed() ?? Bytes(start: nil, count: 0) }

    /// What both logs do with a record once read: check the user, parse the two ISO stamps and
    /// `LogTimestamp`, resolve the person, and add the session that `make` builds.
    func session(from first: Bytes?, to second: Bytes?, department: Bytes?, _ ctx: ParseContext,
                 _ make: (Person, Int64?, Int64?) -> ZPASession) -> LineOutcome {
        if let early = check() { return early }
        let t0: Int64?, t1: Int64?, log: Int64?
        do throws(TimeError) {
            t0 = try ZPA.iso(first)
            t1 = try ZPA.iso(second)
            log = try ZPA.logTime(logTimestamp)
        } catch {
            return .skipped(error.reason)
        }
        guard let anyTime = t0 ?? t1 ?? log else { return .skipped(Reasons.noTime) }
        if let r = ctx.stampProblem(max(t0 ?? anyTime, t1 ?? anyTime, log ?? anyTime), from: min(t0 ?? anyTime, t1 ?? anyTime, log ?? anyTime)) { return .skipped(r) }
        let p = ctx.resolver.resolve(user, department: department)
        ctx.acc.zpaSession(id: ZPA.sessionKey(sessionID, user: user, at: anyTime, ctx), make(p, t0, t1))
        if let t0 { ctx.acc.saw(t0, family: .privateAccess, feed: Feeds.privateAccess, unit: p.bu) }
        if let t1 { ctx.acc.saw(t1, family: .privateAccess, feed: Feeds.privateAccess, unit: p.bu) }
        if let log { ctx.acc.saw(log, family: .privateAccess, feed: Feeds.privateAccess, unit: p.bu) }
        return .record
    }

    /// Lines that end here: no user, or ZPA's own client.
    func check() -> LineOutcome? {
        let u = user
        guard u.count > 0 else { return .skipped(Reasons.missingUser) }
        if u.hasPrefix("ZPA ") { return .ignored(ZPA.ownClient) }
        return nil
    }
}

enum ZPA {
    static let ownClient = Reason("ZPA's own client")

    /// An ISO stamp (UTC when it carries no offset); nil when absent or empty.
    @inline(__always)
    static func iso(_ b: Bytes?) throws(TimeError) -> Int64? {
        guard let t = b?.trimmed(), t.count > 0 else { return nil }
        return try TimeParsing.iso8601(t, zone: .utc)
    }

    /// `LogTimestamp`: the NSS text stamp (UTC), or any other spelling plateau knows.
    @inline(__always)
    static func logTime(_ b: Bytes?) throws(TimeError) -> Int64? {
        guard let t = b?.trimmed(), t.count > 0 else { return nil }
        return try TextStamp.parse(t, zone: .utc)
    }

    /// The session's key: its `SessionID` (case matters: it is base64), or without one the
    /// user and the first time the record carries.
    @inline(__always)
    static func sessionKey(_ id: Bytes?, user: Bytes, at t: Int64, _ ctx: ParseContext) -> UInt64 {
        if let id = id?.trimmed(), id.count > 0 { return ctx.settings.hasher.hash(id, lowercase: false) }
        return splitmix64(ctx.settings.hasher.hash(user) ^ UInt64(bitPattern: t) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// `NAME` of a `department:NAME` pair in a comma-separated list of `key:value` pairs.
    static func department(in b: Bytes) -> Bytes? {
        var i = 0
        let n = b.count
        while i < n {
            var e = i
            while e < n, b[e] != ASCII.comma { e += 1 }
            let pair = b.slice(i..<e).trimmed()
            if let colon = pair.firstIndex(of: ASCII.colon),
               pair.slice(0..<colon).trimmed().equalsIgnoringCase("department") {
                let v = pair.slice((colon + 1)..<pair.count).trimmed()
                if v.count > 0 { return v }
            }
            i = e + 1
        }
        return nil
    }
}
