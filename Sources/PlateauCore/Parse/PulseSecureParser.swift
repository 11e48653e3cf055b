/// `pulse-secure`: Pulse Secure / Ivanti Connect Secure event logs, as syslog or WELF. One line
/// at a time, bytes only.
///
/// - Syslog: `[<PRI>1 2021-10-19T09:16:53+02:00 host ]PulseSecure: - - - 2021-10-19 09:16:53 -
///   node - [client IP] user(REALM)[ROLES] - message` (a BSD header may come before, and 22.x
///   writes the identity `IVS::user(REALM)[ROLES][short session id]`). The time is the RFC 5424
///   header's when it carries an offset (exact), else the body's, appliance-local, read in the
///   `vpn` source zone.
/// - A SIEM's JSON export, pretty-printed (Azure Sentinel's `Syslog` table): the
///   `"SyslogMessage"` member holds the body; the export's other lines are structure.
/// - WELF: `id=firewall time="2021-01-28 13:46:05" ... user=alice realm="..." ... msg="AUT24414:
///   message"` (time appliance-local, the `vpn` zone).
///
/// Sessions are a start and an end logged apart (`SessionEdges`), paired by the session id: the
/// identity's short id (22.x), else the message's `(session:sid…)`, else the person alone.
/// - Starts: `Agent login succeeded for`, `Login succeeded for`, `VPN Tunneling: Session started`,
///   `Session created for user`.
/// - Ends: `VPN Tunneling: Session ended`, `Logout from`, `Session:[id] for user:[…] … deleted`,
///   and `Session timed out for … (last access at 13:51:42 2024/01/11)`, which ends at the last
///   access (the session was idle from then on).
/// - The user is the identity before `(REALM)` (`DOMAIN\user` and realms as `RemoteAccount`);
///   `System()` is the appliance itself, and a `$` account a machine: not people.
/// - Ignored: every other message (WebRequest, Host Checker, authentication steps, failed logins,
///   `Closed connection to … after N seconds`: one connection through the session, not the session).
public struct PulseSecureParser: RecordParser {
    public static let otherMessage = Reason("Pulse message that neither starts nor ends a session")
    public static let system = Reason("the appliance's own message (System), not a person")
    public static let machine = Reason("machine account, not a person")
    public static let notPulse = Reason("not a Pulse Secure syslog or WELF line")

    private let zone: TimeZoneRules
    private let hasher: IdentityHasher
    private var kv = KeyValues(["time", "user", "msg", "id"])

    public init(settings: IngestSettings) {
        zone = settings.zone(for: "vpn")
        hasher = settings.hasher
    }

    public mutating func parse(_ line: Line, number: Int, _ ctx: ParseContext) -> LineOutcome {
        let b = Bytes(line)
        let tb = b.trimmed()
        if tb.count == 0 { return .header }
        if let c = tb.first, c == ASCII.quote || c == UInt8(ascii: "{") || c == UInt8(ascii: "}") || c == UInt8(ascii: "[") || c == UInt8(ascii: "]") {
            return jsonExport(tb, ctx)
        }
        if let p = b.find("PulseSecure:") { return syslog(b, body: p + 12, ctx) }
        if b.trimmed().hasPrefix("id=") || b.find(" msg=\"") != nil { return welf(b, ctx) }
        // A bare body (`2020-05-01 08:34:43 - ive - [ip] user()[] - message`, as a SIEM keeps it).
        return syslog(b, body: 0, ctx)
    }

    private func syslog(_ b: Bytes, body: Int, _ ctx: ParseContext) -> LineOutcome {
        let n = b.count
        var i = body
        while i < n, b[i] == ASCII.space || b[i] == UInt8(ascii: "-") { i += 1 }
        guard i + 19 <= n, b[i + 4] == 0x2D, b[i + 10] == ASCII.space else { return .skipped(PulseSecureParser.notPulse) }
        // The RFC 5424 header's stamp, with its offset, before `PulseSecure:`.
        var exact: Int64?
        if body > 0, let k = PulseSecureParser.isoBefore(b, body) { exact = try? TimeParsing.iso8601(k, zone: zone) }
        let local: Int64
        do { local = try RemoteTime.localDateTime(date: b.slice(i..<(i + 10)), time: b.slice((i + 11)..<(i + 19))) } catch {
            return .skipped(error.reason)
        }
        let t = exact ?? zone.utc(localSeconds: local)
        // The appliance's offset, when the header gives it, places the body's other local times.
        let offset = exact.map { local - $0 }
        // ` - node - [ip] identity - message`
        guard let lb = b.find(" - [", from: i + 19), let rb = b.firstIndex(of: UInt8(ascii: "]"), from: lb + 4),
              let dash = b.find(" - ", from: rb + 1) else { return .skipped(PulseSecureParser.notPulse) }
        let ident = b.slice((rb + 1)..<dash).trimmed()
        let message = b.slice((dash + 3)..<n)
        return session(identity: ident, message: message, at: t, offset: offset, ctx)
    }

    /// A SIEM's pretty-printed JSON export of these lines (Azure Sentinel's `Syslog` table: one
    /// member a line): the `"SyslogMessage": "…"` member is the line as the appliance wrote it;
    /// every other line is the export's structure (its other columns restate the message).
    private func jsonExport(_ t: Bytes, _ ctx: ParseContext) -> LineOutcome {
        guard t.hasPrefix("\"SyslogMessage\"") else { return .header }
        guard let q = t.firstIndex(of: ASCII.quote, from: 15) else { return .skipped(PulseSecureParser.notPulse) }
        var e = t.count - 1
        while e > q, t[e] != ASCII.quote { e -= 1 }
        guard e > q else { return .skipped(Reasons.cutShort) }
        return syslog(t.slice((q + 1)..<e), body: 0, ctx)
    }

    private mutating func welf(_ b: Bytes, _ ctx: ParseContext) -> LineOutcome {
        kv.read(b)
        guard let tm = kv.value(0, in: b), let msg = kv.value(2, in: b) else { return .skipped(PulseSecureParser.notPulse) }
        let tt = tm.trimmed()
        guard tt.count >= 19 else { return .skipped(Reasons.badTime) }
        let local: Int64
        do { local = try RemoteTime.localDateTime(date: tt.slice(0..<10), time: tt.slice(11..<19)) } catch { return .skipped(error.reason) }
        // `AUT24414: message`: the id dropped.
        var m = msg
        if let c = m.firstIndex(of: ASCII.colon), c <= 10 { m = m.slice((c + 1)..<m.count).trimmed() }
        let user = kv.value(1, in: b) ?? Bytes(start: nil, count: 0)
        return session(identity: user, message: m, at: zone.utc(localSeconds: local), offset: nil, ctx)
    }

    enum Kind { case start, end, timeout }

    /// What a message is: a start, an end, a time-out, or nothing to count.
    static func kind(_ m: Bytes) -> Kind? {
        if m.hasPrefix("Agent login succeeded") || m.hasPrefix("Login succeeded for") || m.hasPrefix("VPN Tunneling: Session started")
            || m.hasPrefix("Session created for user") { return .start }
        if m.hasPrefix("VPN Tunneling: Session ended") || m.hasPrefix("Logout from") { return .end }
        if m.hasPrefix("Session:["), m.find("] deleted") != nil || m.find(" deleted") != nil { return .end }
        if m.hasPrefix("Session timed out for") { return .timeout }
        return nil
    }

    private func session(identity: Bytes, message m: Bytes, at t0: Int64, offset: Int64?, _ ctx: ParseContext) -> LineOutcome {
        guard let kind = PulseSecureParser.kind(m) else { return .ignored(PulseSecureParser.otherMessage) }
        // `IVS::user(REALM)[ROLES][shortid]`: the account after the last `::` before `(`.
        var id = identity
        let paren = id.firstIndex(of: UInt8(ascii: "(")) ?? id.count
        var s = 0
        var k = 0
        while k + 1 < paren { if id[k] == ASCII.colon && id[k + 1] == ASCII.colon { s = k + 2 }; k += 1 }
        id = id.slice(s..<id.count)
        let account = RemoteAccount.account(id)
        guard account.count > 0 else { return .skipped(Reasons.missingUser) }
        if account.equalsIgnoringCase("System") { return .ignored(PulseSecureParser.system) }
        if RemoteAccount.isMachine(account) { return .ignored(PulseSecureParser.machine) }
        var t = t0
        if kind == .timeout, let last = lastAccess(m, offset: offset) { t = last }
        if let r = ctx.stampProblem(t0, from: t) { return .skipped(r) }
        let key = PulseSecureParser.sessionKey(identity: identity, message: m).map { hasher.hash($0) } ?? 0
        let p = ctx.resolver.resolveRemote(account)
        ctx.acc.edge(.vpn, SessionEdge(person: p.key, bu: p.bu, at: t, key: key, isEnd: kind != .start))
        ctx.acc.saw(t0, family: .vpn, feed: Feeds.vpn, unit: p.bu)
        return .record
    }

    /// The identity's trailing short session id (`…[ROLES][bb4441a05a]`), else the message's
    /// `session:sid…` / `session: sid…` / `Session:[id]`.
    static func sessionKey(identity: Bytes, message m: Bytes) -> Bytes? {
        // Two bracketed groups after `(REALM)`: roles, then the id.
        if let p = identity.firstIndex(of: UInt8(ascii: ")")), let r1 = identity.firstIndex(of: UInt8(ascii: "]"), from: p),
           r1 + 1 < identity.count, identity[r1 + 1] == UInt8(ascii: "["),
           let r2 = identity.firstIndex(of: UInt8(ascii: "]"), from: r1 + 2), r2 > r1 + 2 {
            return identity.slice((r1 + 2)..<r2)
        }
        if m.hasPrefix("Session:["), let e = m.firstIndex(of: UInt8(ascii: "]"), from: 9), e > 9 { return m.slice(9..<e) }
        if let k = m.find("session:") ?? m.find("Session:") {
            var i = k + 8
            while i < m.count, m[i] == ASCII.space { i += 1 }
            var e = i
            while e < m.count, m[e] != UInt8(ascii: ")"), m[e] != ASCII.space, m[e] != ASCII.comma { e += 1 }
            if e > i { return m.slice(i..<e) }
        }
        return nil
    }

    /// `(last access at 13:51:42 2024/01/11)`: the instant, at the header's offset, else in the
    /// `vpn` zone.
    private func lastAccess(_ m: Bytes, offset: Int64?) -> Int64? {
        guard let k = m.find("last access at "), k + 15 + 19 <= m.count else { return nil }
        let s = k + 15
        guard let local = try? RemoteTime.localDateTime(date: m.slice((s + 9)..<(s + 19)), time: m.slice(s..<(s + 8))) else { return nil }
        if let offset { return local - offset }
        return zone.utc(localSeconds: local)
    }

    /// The ISO-8601 token with an offset that ends before `limit` (the RFC 5424 stamp), if any.
    static func isoBefore(_ b: Bytes, _ limit: Int) -> Bytes? {
        var i = 0
        while i + 19 < limit {
            if ASCII.isDigit(b[i]), b[i + 4] == 0x2D, b[i + 10] == UInt8(ascii: "T"), i == 0 || b[i - 1] == ASCII.space {
                var e = i
                while e < limit, b[e] != ASCII.space { e += 1 }
                let tok = b.slice(i..<e)
                let last = tok[tok.count - 1]
                if last == UInt8(ascii: "Z") || tok.count > 19 && (tok[tok.count - 6] == UInt8(ascii: "+") || tok[tok.count - 6] == 0x2D) {
                    return tok
                }
                return nil
            }
            i += 1
        }
        return nil
    }
}
