/// `fortigate-kv`: FortiGate (FortiOS) event logs as `key=value` lines, the SSL-VPN and dial-up
/// IPsec tunnels of people (`type="event" subtype="vpn"`). One line at a time, bytes only; a
/// `<PRI>`, syslog or relay header before the fields is passed over, values may be quoted or not
/// and come in any order.
///
/// - `action="tunnel-up"` opens a session (a start in `vpnStarts`, as an ASA `113039`).
/// - `action="tunnel-down"` ends one of `duration` seconds: [end − duration, end).
/// - `action="tunnel-stats"` (every `nextstat` seconds while a tunnel is up) is a keep-alive: the
///   tunnel has been up `duration` seconds at that instant, a session [instant − duration,
///   instant]; the records of one tunnel are one session, lasting to its last record (or to its
///   `tunnel-down`) — so a tunnel whose start and end the data lacks still counts.
/// - The person is `user`, else `xauthuser` (dial-up IPsec); `N/A` (site-to-site IPsec,
///   `ssl-new-con` before login) is nobody: ignored. The tag pairing a start with its end is
///   `tunnelid` (the remote IP when there is none: FortiOS may log another `remip` at the end).
/// - Time: `eventtime=` (epoch in s, ms, µs or ns: exact) when present; else `date=` + `time=`
///   with `tz=` (`-0500`, `+02:00`, `UTC+2`), else in the `vpn` source zone.
/// - Every other action (`negotiate`, `ssl-new-con`, `ssl-login-fail`, `dpd`, …) and every other
///   type or subtype (traffic, utm, system, user, endpoint, …) is ignored.
public struct FortiGateParser: RecordParser {
    // Ignored.
    public static let notVPN = Reason("FortiGate log other than a VPN event")
    public static let otherAction = Reason("VPN event other than tunnel-up, tunnel-down or tunnel-stats")
    public static let nobody = Reason("tunnel without a user (site-to-site, or N/A)")
    public static let machine = Reason("machine account, not a person")
    // Skipped.
    public static let notKeyValue = Reason("not a FortiGate key=value line")
    public static let badDuration = Reason("tunnel record without a readable duration")

    private let zone: TimeZoneRules
    private let hasher: IdentityHasher
    private var kv = KeyValues(["type", "subtype", "action", "user", "xauthuser", "tunnelid", "remip", "duration",
                                "eventtime", "date", "time", "tz"])
    static let kType = 0, kSubtype = 1, kAction = 2, kUser = 3, kXauth = 4, kTunnel = 5, kRemIP = 6, kDuration = 7,
               kEventTime = 8, kDate = 9, kTime = 10, kTZ = 11

    public init(settings: IngestSettings) {
        zone = settings.zone(for: "vpn")
        hasher = settings.hasher
    }

    public mutating func parse(_ line: Line, number: Int, _ ctx: ParseContext) -> LineOutcome {
        let b = Bytes(line)
        if b.trimmed().count == 0 { return .header }
        kv.read(b)
        typealias F = FortiGateParser
        guard let type = kv.value(F.kType, in: b) ?? kv.value(F.kSubtype, in: b) else { return .skipped(F.notKeyValue) }
        guard type.equals("event"), let sub = kv.value(F.kSubtype, in: b), sub.equals("vpn") else { return .ignored(F.notVPN) }
        guard let action = kv.value(F.kAction, in: b) else { return .ignored(F.otherAction) }
        enum Kind { case up, down, stats }
        let kind: Kind
        if action.equals("tunnel-up") { kind = .up } else if action.equals("tunnel-down") { kind = .down } else if action.equals("tunnel-stats") {
            kind = .stats
        } else { return .ignored(F.otherAction) }
        var account = RemoteAccount.account(kv.value(F.kUser, in: b) ?? Bytes(start: nil, count: 0))
        if RemoteAccount.isNobody(account), let x = kv.value(F.kXauth, in: b) { account = RemoteAccount.account(x) }
        if RemoteAccount.isNobody(account) { return .ignored(F.nobody) }
        if RemoteAccount.isMachine(account) { return .ignored(F.machine) }

        let t: Int64
        if let e = kv.value(F.kEventTime, in: b), let v = RemoteTime.epochAnyUnit(e) {
            t = v
        } else {
            guard let d = kv.value(F.kDate, in: b), let tm = kv.value(F.kTime, in: b) else { return .skipped(Reasons.noTime) }
            let local: Int64
            do { local = try RemoteTime.localDateTime(date: d, time: tm) } catch { return .skipped(error.reason) }
            if let z = kv.value(F.kTZ, in: b), let off = RemoteTime.offset(z) { t = local - Int64(off) } else { t = zone.utc(localSeconds: local) }
        }
        var tagBytes = kv.value(F.kTunnel, in: b)?.trimmed() ?? Bytes(start: nil, count: 0)
        if tagBytes.count == 0 { tagBytes = kv.value(F.kRemIP, in: b)?.trimmed() ?? tagBytes }
        let tag = hasher.hash(tagBytes)

        var start = t
        if kind != .up {
            guard let dv = kv.value(F.kDuration, in: b)?.trimmed(), dv.count > 0, dv.count <= 9, dv.allSatisfy(ASCII.isDigit),
                  let d = dv.parseInt() else { return .skipped(F.badDuration) }
            if Int64(d) > Reasons.maxClosedSession { return .skipped(Reasons.sessionTooLong) }
            start = t - Int64(d)
        }
        if let r = ctx.stampProblem(t, from: start) { return .skipped(r) }
        let p = ctx.resolver.resolveRemote(account)
        if kind == .up {
            ctx.acc.vpnStarts.insert(SessionFact(person: p.key, bu: p.bu, start: t, end: nil, tag: tag))
        } else {
            ctx.acc.session(.vpn, SessionFact(person: p.key, bu: p.bu, start: start, end: t, tag: tag))
        }
        ctx.acc.saw(t, family: .vpn, feed: Feeds.vpn, unit: p.bu)
        return .record
    }
}
