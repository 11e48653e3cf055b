/// `citrix-adc`: Citrix ADC / NetScaler Gateway syslog, its VPN sessions (`vpn.*`) and its ICA
/// connections to virtual desktops and apps (`vdi.*`). One line at a time, bytes only.
///
/// A line: `[mm/dd/yyyy:]hh:mm:ss [GMT] host 0-PPE-n : default MODULE EVENT seq 0 : Key value - Key
/// value - ...` (a relay may have cut the header's date). Dates are `mm/dd/yyyy:hh:mm:ss`, or
/// day first when the first number is over 12 (both occur, by appliance settings); `GMT` is UTC,
/// a stamp without it is read in the source's zone (`vpn`, or `vdi` for ICA).
/// - `SSLVPN LOGIN` opens a VPN session at the header's time (a start in `vpnStarts`, tagged with
///   its `SessionId`); `SSLVPN LOGOUT` is a whole one, `Start_time` to `End_time` (else End_time −
///   `Duration`), same tag. The user is `User`.
/// - `SSLVPN ICASTART` opens an ICA connection at its `startTime`, `SSLVPN ICAEND_CONNSTAT` gives
///   its `startTime` and `endTime`: a start edge and an end edge keyed by `connectionId`
///   (`SessionEdges`), so a connection counts whether its start, its end or both are in the data.
///   The user is `username:domainname user:DOMAIN`; `anonymous` is nobody.
/// - Ignored: `AAATM` sessions (authentication for load-balanced web apps, not VPN), and every
///   other event (HTTPREQUEST, TCPCONNSTAT, UDPFLOWSTAT, LOGIN_FAILED, CMD_EXECUTED, SNMP, …).
public struct CitrixADCParser: RecordParser {
    public static let otherEvent = Reason("NetScaler event that neither starts nor ends a VPN session or ICA connection")
    public static let aaatm = Reason("AAA-TM session (load-balanced web app), not a VPN session")
    public static let anonymous = Reason("anonymous ICA connection")
    public static let notNetScaler = Reason("not a NetScaler syslog line")
    public static let noDate = Reason("no date in the header (cut by a relay)")
    public static let noSessionFields = Reason("session event without its user, id or times")

    private let vpnZone: TimeZoneRules, vdiZone: TimeZoneRules
    private let hasher: IdentityHasher

    public init(settings: IngestSettings) {
        vpnZone = settings.zone(for: "vpn")
        vdiZone = settings.zone(for: "vdi")
        hasher = settings.hasher
    }

    public mutating func parse(_ line: Line, number: Int, _ ctx: ParseContext) -> LineOutcome {
        let b = Bytes(line)
        if b.trimmed().count == 0 { return .header }
        guard let d = b.find(" : default ") ?? b.find(": default ") else { return .skipped(CitrixADCParser.notNetScaler) }
        var i = b[d] == ASCII.space ? d + 11 : d + 10
        let n = b.count
        let ms = i
        while i < n, b[i] != ASCII.space { i += 1 }
        let module = b.slice(ms..<i)
        while i < n, b[i] == ASCII.space { i += 1 }
        let es = i
        while i < n, b[i] != ASCII.space { i += 1 }
        let event = b.slice(es..<i)
        let details = b.find(" : ", from: i).map { b.slice(($0 + 3)..<n) } ?? b.slice(i..<n)
        if module.equals("AAATM") { return .ignored(CitrixADCParser.aaatm) }
        guard module.equals("SSLVPN") else { return .ignored(CitrixADCParser.otherEvent) }
        if event.equals("LOGIN") { return login(b.slice(0..<d), details, ctx) }
        if event.equals("LOGOUT") { return logout(details, ctx) }
        if event.equals("ICASTART") { return ica(details, end: false, ctx) }
        if event.equals("ICAEND_CONNSTAT") { return ica(details, end: true, ctx) }
        return .ignored(CitrixADCParser.otherEvent)
    }

    private func login(_ header: Bytes, _ m: Bytes, _ ctx: ParseContext) -> LineOutcome {
        let h = header.trimmed()
        var k = 0
        if h.count > 0, h[0] == UInt8(ascii: "<"), let e = h.firstIndex(of: UInt8(ascii: ">")) { k = e + 1 }
        var stamp = h.slice(k..<h.count)
        guard stamp.count >= 19, stamp[2] == UInt8(ascii: "/") || stamp[2] == 0x2D else {
            return .skipped(stamp.count > 0 && ASCII.isDigit(stamp[0]) ? CitrixADCParser.noDate : CitrixADCParser.notNetScaler)
        }
        // `12/19/2024:10:37:23 GMT host 0-PPE-0`: the stamp and its `GMT`, not the host.
        stamp = stamp.count >= 23 && stamp.slice(19..<23).equalsIgnoringCase(" GMT") ? stamp.slice(0..<23) : stamp.slice(0..<19)
        let t: Int64
        switch CitrixADCParser.time(stamp, zone: vpnZone) {
        case .success(let v): t = v
        case .failure(let f): return .skipped(f.reason)
        }
        guard let user = CitrixADCParser.field("User", m), let sid = CitrixADCParser.field("SessionId:", m) else {
            return .skipped(CitrixADCParser.noSessionFields)
        }
        let account = RemoteAccount.account(user)
        if RemoteAccount.isNobody(account) { return .skipped(Reasons.missingUser) }
        if let r = ctx.stampProblem(t) { return .skipped(r) }
        let p = ctx.resolver.resolveRemote(account)
        ctx.acc.vpnStarts.insert(SessionFact(person: p.key, bu: p.bu, start: t, end: nil, tag: hasher.hash(sid)))
        ctx.acc.saw(t, family: .vpn, feed: Feeds.vpn, unit: p.bu)
        return .record
    }

    private func logout(_ m: Bytes, _ ctx: ParseContext) -> LineOutcome {
        guard let user = CitrixADCParser.field("User", m), let sid = CitrixADCParser.field("SessionId:", m),
              let endField = CitrixADCParser.field("End_time", m) else { return .skipped(CitrixADCParser.noSessionFields) }
        let account = RemoteAccount.account(user)
        if RemoteAccount.isNobody(account) { return .skipped(Reasons.missingUser) }
        let end: Int64
        switch CitrixADCParser.time(endField, zone: vpnZone) {
        case .success(let v): end = v
        case .failure(let f): return .skipped(f.reason)
        }
        var start: Int64
        if let s = CitrixADCParser.field("Start_time", m), case .success(let v) = CitrixADCParser.time(s, zone: vpnZone) {
            start = v
        } else if let dur = CitrixADCParser.field("Duration", m), let d = CitrixADCParser.duration(dur) {
            start = end - d
        } else { return .skipped(CitrixADCParser.noSessionFields) }
        if start > end { start = end }
        if end - start > Reasons.maxClosedSession { return .skipped(Reasons.sessionTooLong) }
        if let r = ctx.stampProblem(end, from: start) { return .skipped(r) }
        let p = ctx.resolver.resolveRemote(account)
        ctx.acc.session(.vpn, SessionFact(person: p.key, bu: p.bu, start: start, end: end, tag: hasher.hash(sid)))
        ctx.acc.saw(end, family: .vpn, feed: Feeds.vpn, unit: p.bu)
        return .record
    }

    private func ica(_ m: Bytes, end isEnd: Bool, _ ctx: ParseContext) -> LineOutcome {
        guard let who = CitrixADCParser.field("username:domainname", m), let conn = CitrixADCParser.field("connectionId", m),
              let st = CitrixADCParser.field("startTime", m) else { return .skipped(CitrixADCParser.noSessionFields) }
        // `user:DOMAIN`
        let colon = who.firstIndex(of: ASCII.colon) ?? who.count
        let account = RemoteAccount.account(who.slice(0..<colon))
        if account.count == 0 || account.equalsIgnoringCase("anonymous") { return .ignored(CitrixADCParser.anonymous) }
        let start: Int64
        switch CitrixADCParser.time(st, zone: vdiZone) {
        case .success(let v): start = v
        case .failure(let f): return .skipped(f.reason)
        }
        var end: Int64?
        if isEnd {
            guard let et = CitrixADCParser.field("endTime", m) else { return .skipped(CitrixADCParser.noSessionFields) }
            switch CitrixADCParser.time(et, zone: vdiZone) {
            case .success(let v): end = max(v, start)
            case .failure(let f): return .skipped(f.reason)
            }
            if end! - start > Reasons.maxClosedSession { return .skipped(Reasons.sessionTooLong) }
        }
        if let r = ctx.stampProblem(end ?? start, from: start) { return .skipped(r) }
        let p = ctx.resolver.resolveRemote(account)
        let key = hasher.hash(conn)
        ctx.acc.edge(.vdi, SessionEdge(person: p.key, bu: p.bu, at: start, key: key, isEnd: false))
        if let end { ctx.acc.edge(.vdi, SessionEdge(person: p.key, bu: p.bu, at: end, key: key, isEnd: true)) }
        ctx.acc.saw(end ?? start, family: .vdi, feed: Feeds.vdi, unit: p.bu)
        return .record
    }

    /// The value after `name ` in ` - Name value - ...` (its quotes dropped), or nil.
    static func field(_ name: StaticString, _ m: Bytes) -> Bytes? {
        var from = 0
        let len = name.utf8CodeUnitCount
        while let k = m.find(name, from: from) {
            from = k + 1
            // At the start of the details or after a separator, and followed by a space.
            guard k == 0 || m[k - 1] == ASCII.space, k + len < m.count, m[k + len] == ASCII.space else { continue }
            var s = k + len
            while s < m.count, m[s] == ASCII.space { s += 1 }
            if s < m.count, m[s] == ASCII.quote {
                guard let q = m.firstIndex(of: ASCII.quote, from: s + 1) else { return nil }
                return m.slice((s + 1)..<q)
            }
            var e = s
            while e < m.count, m[e] != ASCII.space { e += 1 }
            return e > s ? m.slice(s..<e) : nil
        }
        return nil
    }

    struct Failure: Error { let reason: Reason }

    /// `06/04/2023:09:25:54 GMT` (month first; day first when the first number is over 12; a
    /// `-` for `/` accepted), UTC with `GMT`, else in `zone`.
    static func time(_ raw: Bytes, zone: TimeZoneRules) -> Result<Int64, Failure> {
        let s = raw.trimmed()
        guard s.count >= 19, let a = TimeParsing.digits(s, 0, 2), let c = TimeParsing.digits(s, 3, 2), let y = TimeParsing.digits(s, 6, 4),
              s[10] == ASCII.colon || s[10] == ASCII.space, let h = TimeParsing.digits(s, 11, 2), let mi = TimeParsing.digits(s, 14, 2),
              let sec = TimeParsing.digits(s, 17, 2) else { return .failure(Failure(reason: Reasons.badTime)) }
        let (mo, d) = a > 12 ? (c, a) : (a, c)
        let local: Int64
        do { local = try TimeParsing.civil(y, mo, d, h, mi, sec) } catch { return .failure(Failure(reason: error.reason)) }
        let gmt = s.count >= 23 && s.slice((s.count - 3)..<s.count).equalsIgnoringCase("GMT")
        return .success(gmt ? local : zone.utc(localSeconds: local))
    }

    /// `01:21:55` (hours may exceed 24) in seconds.
    static func duration(_ b: Bytes) -> Int64? {
        var parts: [Int64] = [], cur: Int64 = -1
        for c in b.trimmed() {
            if ASCII.isDigit(c) { cur = max(cur, 0) * 10 + Int64(c &- 48); if cur > 10_000_000 { return nil } } else if c == ASCII.colon, cur >= 0 {
                parts.append(cur); cur = -1
            } else { return nil }
        }
        guard cur >= 0 else { return nil }
        parts.append(cur)
        guard parts.count == 3 else { return nil }
        return parts[0] * 3600 + parts[1] * 60 + parts[2]
    }
}
