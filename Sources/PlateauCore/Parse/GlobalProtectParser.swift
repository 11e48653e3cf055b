/// `panos-globalprotect`: Palo Alto Networks PAN-OS syslog, the GlobalProtect VPN's sessions.
/// One line at a time, bytes only; the CSV starts after any syslog header(s) (`Nov 30 16:09:08 `,
/// or a relay's two: `Feb 24 22:09:26 10.5.172.40 Feb 24 22:06:07 BD-Panorama `), at the field
/// before the receive time; fields are read by position, as PAN-OS defines them.
///
/// - `GLOBALPROTECT` log type (PAN-OS 9.1+): field 9 is the event. `gateway-connected` opens a
///   session (a start in `vpnStarts`, as an ASA `113039`); `gateway-logout` ends one of
///   `LoginDuration` (field 31) seconds: [end − duration, end), as an ASA `113019`. Both are
///   tagged with the endpoint's Host ID (field 20; the public IP when it is empty), so the start
///   pairs with its end. Field 13 is the user (`DOMAIN\user`, `user@domain`, `user`); `pre-logon`
///   there, or in field 32 (connect method) with no user, is the machine's own tunnel before
///   anyone logs on: not a person. A failed event, and every other event (`portal-*`,
///   `gateway-auth`, `-getconfig`, `-hip-check`, `-setup-*`, `-config-release`,
///   `-tunnel-latency`, …), is ignored. Time: field 37 (high-resolution, with its offset) unless
///   it is unset (`1970-…`), else field 7 (generated time, `2021/03/24 11:30:00` in the `vpn`
///   source zone, or Cortex's ISO `2021-10-22T16:10:05.000000Z`).
/// - `SYSTEM` log, subtype `globalprotect` (older PAN-OS): field 9 `globalprotectgateway-regist-succ`
///   ("user login succeeded") opens a session and `globalprotectgateway-logout-succ` ends it,
///   the user only in the free-text description (field 15, `User name: tng\picard,`) and no
///   duration nor session id: a start edge and an end edge of that person, paired in time order
///   (`SessionEdges`). Other `globalprotect*` events are ignored. Time: field 7.
/// - Other PAN-OS log types (`TRAFFIC`, `THREAT`, other `SYSTEM` subtypes, …): ignored.
public struct GlobalProtectParser: RecordParser {
    // Ignored.
    public static let otherType = Reason("PAN-OS log of another type (TRAFFIC, THREAT, ...)")
    public static let otherEvent = Reason("GlobalProtect event that neither connects nor logs out")
    public static let failed = Reason("failed GlobalProtect event")
    public static let preLogon = Reason("pre-logon tunnel (a machine, not a person)")
    public static let machine = Reason("machine account, not a person")
    // Skipped.
    public static let notPANOS = Reason("not a PAN-OS log line")
    public static let shortRecord = Reason("PAN-OS record with too few fields")
    public static let badDuration = Reason("gateway-logout without a readable LoginDuration")
    public static let noUserName = Reason("GlobalProtect SYSTEM event without its User name")

    private let zone: TimeZoneRules
    private let hasher: IdentityHasher
    private var fields = CSVFields()

    public init(settings: IngestSettings) {
        zone = settings.zone(for: "vpn")
        hasher = settings.hasher
    }

    // Field positions (0-based: PAN-OS documents them from 1).
    static let fType = 3, fSubtype = 4, fGenerated = 6, fEvent = 8, fUser = 12, fPublicIP = 15, fPrivateIP = 17,
               fHostID = 19, fSystemDescription = 14, fStatus = 28, fDuration = 30, fConnectMethod = 31, fHighRes = 36

    public mutating func parse(_ line: Line, number: Int, _ ctx: ParseContext) -> LineOutcome {
        let b = Bytes(line)
        if b.trimmed().count == 0 { return .header }
        guard let (start, type) = GlobalProtectParser.csvStart(b) else { return .skipped(GlobalProtectParser.notPANOS) }
        if type == .other { return .ignored(GlobalProtectParser.otherType) }
        let csv = Line(rebasing: line[start..<line.count])
        _ = fields.split(csv, maxFields: 40)
        if type == .system {
            guard fields.count > GlobalProtectParser.fSystemDescription else { return .skipped(GlobalProtectParser.shortRecord) }
            guard fields[GlobalProtectParser.fSubtype].equalsIgnoringCase("globalprotect") else { return .ignored(GlobalProtectParser.otherType) }
            return systemEvent(ctx)
        }
        guard fields.count > GlobalProtectParser.fDuration else { return .skipped(GlobalProtectParser.shortRecord) }
        let event = fields[GlobalProtectParser.fEvent].trimmed()
        let isStart = event.equalsIgnoringCase("gateway-connected"), isEnd = event.equalsIgnoringCase("gateway-logout")
        guard isStart || isEnd else { return .ignored(GlobalProtectParser.otherEvent) }
        let status = fields[GlobalProtectParser.fStatus].trimmed()
        if status.count > 0, !status.equalsIgnoringCase("success") { return .ignored(GlobalProtectParser.failed) }
        let account = RemoteAccount.account(fields[GlobalProtectParser.fUser])
        if account.equalsIgnoringCase("pre-logon") { return .ignored(GlobalProtectParser.preLogon) }
        if account.count == 0 {
            if fields.count > GlobalProtectParser.fConnectMethod, fields[GlobalProtectParser.fConnectMethod].trimmed().equalsIgnoringCase("pre-logon") {
                return .ignored(GlobalProtectParser.preLogon)
            }
            return .skipped(Reasons.missingUser)
        }
        if RemoteAccount.isMachine(account) { return .ignored(GlobalProtectParser.machine) }
        let t: Int64
        switch time(fields.count > GlobalProtectParser.fHighRes ? fields[GlobalProtectParser.fHighRes] : nil,
                    generated: fields[GlobalProtectParser.fGenerated]) {
        case .success(let v): t = v
        case .failure(let f): return .skipped(f.reason)
        }
        var tagBytes = fields[GlobalProtectParser.fHostID].trimmed()
        if tagBytes.count == 0 { tagBytes = fields[GlobalProtectParser.fPublicIP].trimmed() }
        let tag = hasher.hash(tagBytes)
        if isStart {
            if let r = ctx.stampProblem(t) { return .skipped(r) }
            let p = ctx.resolver.resolveRemote(account)
            ctx.acc.vpnStarts.insert(SessionFact(person: p.key, bu: p.bu, start: t, end: nil, tag: tag))
            ctx.acc.saw(t, family: .vpn, feed: Feeds.vpn, unit: p.bu)
            return .record
        }
        let dField = fields[GlobalProtectParser.fDuration].trimmed()
        guard dField.count > 0, dField.count <= 9, dField.allSatisfy(ASCII.isDigit), let d = dField.parseInt() else {
            return .skipped(GlobalProtectParser.badDuration)
        }
        if Int64(d) > Reasons.maxClosedSession { return .skipped(Reasons.sessionTooLong) }
        if let r = ctx.stampProblem(t, from: t - Int64(d)) { return .skipped(r) }
        let p = ctx.resolver.resolveRemote(account)
        ctx.acc.session(.vpn, SessionFact(person: p.key, bu: p.bu, start: t - Int64(d), end: t, tag: tag))
        ctx.acc.saw(t, family: .vpn, feed: Feeds.vpn, unit: p.bu)
        return .record
    }

    /// The older SYSTEM-log events: `globalprotectgateway-regist-succ` and `-logout-succ`.
    private mutating func systemEvent(_ ctx: ParseContext) -> LineOutcome {
        let event = fields[GlobalProtectParser.fEvent].trimmed()
        let isStart = event.equalsIgnoringCase("globalprotectgateway-regist-succ")
        let isEnd = event.equalsIgnoringCase("globalprotectgateway-logout-succ")
        guard isStart || isEnd else { return .ignored(GlobalProtectParser.otherEvent) }
        let d = fields[GlobalProtectParser.fSystemDescription]
        guard let k = d.find("User name: ") else { return .skipped(GlobalProtectParser.noUserName) }
        var e = k + 11
        while e < d.count, d[e] != ASCII.comma { e += 1 }
        let account = RemoteAccount.account(d.slice((k + 11)..<e))
        guard account.count > 0 else { return .skipped(Reasons.missingUser) }
        if account.equalsIgnoringCase("pre-logon") { return .ignored(GlobalProtectParser.preLogon) }
        if RemoteAccount.isMachine(account) { return .ignored(GlobalProtectParser.machine) }
        let t: Int64
        switch time(nil, generated: fields[GlobalProtectParser.fGenerated]) {
        case .success(let v): t = v
        case .failure(let f): return .skipped(f.reason)
        }
        if let r = ctx.stampProblem(t) { return .skipped(r) }
        let p = ctx.resolver.resolveRemote(account)
        ctx.acc.edge(.vpn, SessionEdge(person: p.key, bu: p.bu, at: t, key: 0, isEnd: isEnd))
        ctx.acc.saw(t, family: .vpn, feed: Feeds.vpn, unit: p.bu)
        return .record
    }

    struct Failure: Error { let reason: Reason }

    /// The event's instant: the high-resolution stamp when set, else the generated time.
    private func time(_ highRes: Bytes?, generated: Bytes) -> Result<Int64, Failure> {
        if let h = highRes?.trimmed(), h.count >= 19, h[4] == 0x2D, !h.hasPrefix("1970-"),
           let t = try? TimeParsing.iso8601(h, zone: zone) { return .success(t) }
        let g = generated.trimmed()
        guard g.count >= 19 else { return .failure(Failure(reason: g.count == 0 ? Reasons.noTime : Reasons.badTime)) }
        do {
            if g[4] == 0x2D, g[10] == UInt8(ascii: "T") { return .success(try TimeParsing.iso8601(g, zone: zone)) }
            return .success(zone.utc(localSeconds: try RemoteTime.localDateTime(date: g.slice(0..<10), time: g.slice(11..<g.count))))
        } catch {
            return .failure(Failure(reason: error.reason))
        }
    }

    enum LogType { case globalProtect, system, other }

    /// Where the CSV record starts (its first field, before the receive time) and its log type,
    /// found by the type field (the 4th): `,GLOBALPROTECT,`, `,SYSTEM,`, or another PAN-OS type.
    static func csvStart(_ b: Bytes) -> (Int, LogType)? {
        var type: LogType = .other
        var at: Int? = b.find(",GLOBALPROTECT,")
        if at != nil { type = .globalProtect } else if let s = b.find(",SYSTEM,") { at = s; type = .system } else {
            for name in otherTypes { if let s = b.find(name) { at = s; break } }
        }
        guard let typeComma = at else { return nil }
        // Two fields before the type: the serial and the receive time, then the first field.
        var i = typeComma - 1, commas = 0
        while i >= 0 {
            if b[i] == ASCII.comma { commas += 1; if commas == 2 { break } }
            i -= 1
        }
        guard commas == 2 else { return nil }
        var s = i - 1
        while s >= 0, b[s] != ASCII.space, b[s] != ASCII.comma { s -= 1 }
        let start = s + 1
        guard start < i else { return nil }  // an empty first field: not PAN-OS
        for k in start..<i where !ASCII.isDigit(b[k]) { return nil }  // `1`, `931201168`
        return (start, type)
    }

    static let otherTypes: [StaticString] = [",TRAFFIC,", ",THREAT,", ",CONFIG,", ",HIPMATCH,", ",USERID,", ",AUTH,",
                                             ",DECRYPTION,", ",TUNNEL,", ",SCTP,", ",IPTAG,", ",CORRELATION,", ",GTP,"]
}
