/// `openvpn-log`: an OpenVPN 2.x server's log, through syslog (`Jun 21 11:17:33 host
/// openvpn[30264]: ...`, year-less stamps read as `asa-syslog` reads them) or its own `--log`
/// file (`2023-10-31 15:09:59 ...` or `Tue Aug 12 08:26:29 2025 us=285967 ...`), the time
/// server-local, read in the `vpn` source zone. One line at a time, bytes only.
///
/// A client instance is `CN/ip:port` once its certificate is verified. Its session:
/// - starts at `ip:port [CN] Peer Connection Initiated with [AF_INET]ip:port`;
/// - ends at `CN/ip:port SIGTERM[soft,remote-exit] received, client-instance exiting` (or
///   `... client-instance restarting`: the connection is gone, the client comes back as a new one).
/// Both are edges keyed by `ip:port` (`SessionEdges`), the person being the certificate's CN.
/// Every other message (peer info, TLS, cipher, PUSH, MULTI, warnings) is ignored; a message
/// seen twice (syslog's two paths: `openvpn[pid]:` and `openvpn:`) is one edge.
public struct OpenVPNLogParser: RecordParser {
    public static let otherMessage = Reason("OpenVPN message that neither starts nor ends a client session")
    public static let undef = Reason("client not yet authenticated (UNDEF)")
    public static let noClient = Reason("session message without its CN and address")

    private var clock: ASASyslogParser
    private let zone: TimeZoneRules
    private let hasher: IdentityHasher

    public init(settings: IngestSettings, fileModified: Int64? = nil) {
        clock = ASASyslogParser(settings: settings, fileModified: fileModified)
        zone = settings.zone(for: "vpn")
        hasher = settings.hasher
    }

    public mutating func parse(_ line: Line, number: Int, _ ctx: ParseContext) -> LineOutcome {
        let b = Bytes(line)
        let tb = b.trimmed()
        if tb.count == 0 { return .header }
        // The time and where the message starts.
        let t: Int64, ms: Int
        if let (v, e) = try? OpenVPNLogParser.logFileStamp(tb, zone: zone).get() {
            t = v; ms = e
        } else {
            switch clock.headerInstant(tb, ctx) {
            case .failure(.blank): return .header
            case .failure(.failed(let r)): return .skipped(r)
            case .success(let (v, e)):
                // After the syslog header: `host openvpn[pid]: ` (the program tag ends at `: `).
                guard let c = tb.find(": ", from: e) else { return .ignored(OpenVPNLogParser.otherMessage) }
                t = v; ms = c + 2
            }
        }
        let m = tb.slice(ms..<tb.count).trimmed()
        if let k = m.find(" Peer Connection Initiated with ") {
            // `ip:port [CN] Peer Connection Initiated with [AF_INET]ip:port`
            guard let sp = m.firstIndex(of: ASCII.space), sp < k, let lb = m.firstIndex(of: UInt8(ascii: "["), from: sp),
                  let rb = m.firstIndex(of: UInt8(ascii: "]"), from: lb), rb <= k else { return .skipped(OpenVPNLogParser.noClient) }
            return edge(cn: m.slice((lb + 1)..<rb), address: m.slice(0..<sp), isEnd: false, at: t, ctx)
        }
        if m.find("client-instance exiting") != nil || m.find("client-instance restarting") != nil {
            // `CN/ip:port SIGTERM[...] received, client-instance exiting`
            guard let sp = m.firstIndex(of: ASCII.space) else { return .skipped(OpenVPNLogParser.noClient) }
            let who = m.slice(0..<sp)
            var slash = -1
            for i in 0..<who.count where who[i] == UInt8(ascii: "/") { slash = i }
            guard slash > 0 else { return .ignored(OpenVPNLogParser.undef) }  // `ip:port` alone: never authenticated
            return edge(cn: who.slice(0..<slash), address: who.slice((slash + 1)..<who.count), isEnd: true, at: t, ctx)
        }
        return .ignored(OpenVPNLogParser.otherMessage)
    }

    private func edge(cn: Bytes, address: Bytes, isEnd: Bool, at t: Int64, _ ctx: ParseContext) -> LineOutcome {
        let account = RemoteAccount.account(cn)
        guard account.count > 0, address.count > 0 else { return .skipped(OpenVPNLogParser.noClient) }
        if account.equalsIgnoringCase("UNDEF") { return .ignored(OpenVPNLogParser.undef) }
        if let r = ctx.stampProblem(t) { return .skipped(r) }
        let p = ctx.resolver.resolveRemote(account)
        ctx.acc.edge(.vpn, SessionEdge(person: p.key, bu: p.bu, at: t, key: hasher.hash(address), isEnd: isEnd))
        ctx.acc.saw(t, family: .vpn, feed: Feeds.vpn, unit: p.bu)
        return .record
    }

    struct NoStamp: Error {}

    /// `2023-10-31 15:09:59 ` or `Tue Aug 12 08:26:29 2025 [us=285967 ]`: the instant (in
    /// `zone`) and where the message starts; nil for a syslog header.
    static func logFileStamp(_ b: Bytes, zone: TimeZoneRules) -> Result<(Int64, Int), NoStamp> {
        if b.count > 20, b[4] == 0x2D, b[10] == ASCII.space, b[19] == ASCII.space,
           let local = try? RemoteTime.localDateTime(date: b.slice(0..<10), time: b.slice(11..<19)) {
            return .success((zone.utc(localSeconds: local), 20))
        }
        // ctime: `Www Mmm dd hh:mm:ss yyyy` (24 bytes, the day space-padded).
        if b.count > 25, b[3] == ASCII.space, b[7] == ASCII.space, b[24] == ASCII.space, TimeParsing.month(b, 4) != nil,
           let t = try? TimeParsing.nss(b.slice(0..<24), zone: zone) {
            var e = 25
            if b.slice(e..<b.count).hasPrefix("us=") { while e < b.count, b[e] != ASCII.space { e += 1 }; e += 1 }
            return .success((t, min(e, b.count)))
        }
        return .failure(NoStamp())
    }
}

/// `openvpn-status`: an OpenVPN server's status file (`--status`), versions 1 (`OpenVPN CLIENT
/// LIST` / `Updated,<time>` / `Common Name,Real Address,...,Connected Since`), 2 (`TITLE`, `TIME,
/// <time>,<epoch>`, `HEADER,CLIENT_LIST,...` naming the columns) and 3 (version 2 with tabs).
///
/// A status file is a snapshot: each client row is a session open since `Connected Since` (the
/// `time_t` column when there is one, else the server-local time in the `vpn` zone) and still
/// open at the file's time. It becomes a session [Connected Since, file time]; the same client
/// (person, real address, start) in later snapshots is the same session, lasting to the latest
/// snapshot that lists it (`SessionAssembly`). So the end of a session is bounded by the
/// snapshots: it is at least the last one that lists the client, and before the next one (a
/// status file rewritten every minute ends a session within a minute of its true end). One
/// snapshot alone gives each session from its start to the snapshot.
///
/// The person is `Username` when the row has one (not `UNDEF`), else the certificate's
/// `Common Name`; `UNDEF` there is a client not yet authenticated: ignored. The routing table,
/// global stats and section lines are structure (headers); a row repeated in one file counts once.
public struct OpenVPNStatusParser: RecordParser {
    public static let undef = Reason("client not yet authenticated (UNDEF)")
    public static let routing = Reason("routing table row (the client list has the session)")
    public static let stats = Reason("global statistics row")
    public static let beforeTime = Reason("client row before the status file's time")
    public static let unknownRow = Reason("not an OpenVPN status row")

    private let zone: TimeZoneRules
    private let hasher: IdentityHasher
    private var snapshot: Int64?
    private var version = 0  // 1: v1 sections; 2: comma v2; 3: tab v3
    private var section = 0  // v1: 1 client list, 2 routing table, 3 global stats
    // Client list columns (v2/v3: from the HEADER row; v1: fixed).
    private var cn = 0, real = 1, since = 4, sinceT = -1, username = -1
    private var fields: [Bytes] = []
    private var headerSeen = false

    public init(settings: IngestSettings) {
        zone = settings.zone(for: "vpn")
        hasher = settings.hasher
    }

    public mutating func parse(_ line: Line, number: Int, _ ctx: ParseContext) -> LineOutcome {
        let b = Bytes(line).trimmed()
        if b.count == 0 { return .header }
        if b.equals("OpenVPN CLIENT LIST") { version = 1; section = 1; return .header }
        if b.equals("ROUTING TABLE") { section = 2; return .header }
        if b.equals("GLOBAL STATS") { section = 3; return .header }
        if b.equals("END") { return .header }
        let sep: UInt8 = version == 3 || (version == 0 && b.firstIndex(of: ASCII.tab) != nil) ? ASCII.tab : ASCII.comma
        split(b, sep)
        let tag = fields[0]
        if tag.equals("TITLE") { version = sep == ASCII.tab ? 3 : 2; return .header }
        if tag.equals("TIME") {
            if version == 0 { version = sep == ASCII.tab ? 3 : 2 }
            if fields.count > 2, let t = try? TimeParsing.epoch(fields[2].trimmed()) { snapshot = t; return .header }
            guard fields.count > 1, let t = try? TimeParsing.nss(fields[1].trimmed(), zone: zone) else { return .skipped(Reasons.badTime) }
            snapshot = t
            return .header
        }
        if tag.equals("Updated") {
            guard fields.count > 1, let t = try? TimeParsing.nss(fields[1].trimmed(), zone: zone) else { return .skipped(Reasons.badTime) }
            snapshot = t
            return .header
        }
        if tag.equals("HEADER") {
            if fields.count > 1, fields[1].equals("CLIENT_LIST") { columns(Array(fields.dropFirst(2)), offset: 1); headerSeen = true }
            return .header
        }
        if tag.equals("CLIENT_LIST") {
            // No HEADER row seen: OpenVPN 2.4's columns.
            if !headerSeen { cn = 1; real = 2; since = 7; sinceT = 8; username = 9 }
            return client(offset: 0, ctx)
        }
        if tag.equals("ROUTING_TABLE") { return .ignored(OpenVPNStatusParser.routing) }
        if tag.equals("GLOBAL_STATS") { return .ignored(OpenVPNStatusParser.stats) }
        if version == 1 {
            if tag.equals("Common Name") || tag.equals("Virtual Address") {
                if section == 1 { columns(fields, offset: 0) }
                return .header
            }
            switch section {
            case 1: return client(offset: 0, ctx)
            case 2: return .ignored(OpenVPNStatusParser.routing)
            case 3: return .ignored(OpenVPNStatusParser.stats)
            default: break
            }
        }
        return .skipped(OpenVPNStatusParser.unknownRow)
    }

    private mutating func split(_ b: Bytes, _ sep: UInt8) {
        fields.removeAll(keepingCapacity: true)
        var s = 0
        for i in 0..<b.count where b[i] == sep { fields.append(b.slice(s..<i)); s = i + 1 }
        fields.append(b.slice(s..<b.count))
    }

    /// Column positions from a header (`offset` 1: a v2/v3 row starts with `CLIENT_LIST`).
    private mutating func columns(_ names: [Bytes], offset: Int) {
        cn = -1; real = -1; since = -1; sinceT = -1; username = -1
        for (i, n) in names.enumerated() {
            let t = n.trimmed()
            if t.equalsIgnoringCase("Common Name") { cn = i + offset }
            else if t.equalsIgnoringCase("Real Address") { real = i + offset }
            else if t.equalsIgnoringCase("Connected Since") { since = i + offset }
            else if t.equalsIgnoringCase("Connected Since (time_t)") { sinceT = i + offset }
            else if t.equalsIgnoringCase("Username") { username = i + offset }
        }
    }

    private func client(offset: Int, _ ctx: ParseContext) -> LineOutcome {
        guard cn >= 0, real >= 0, since >= 0 || sinceT >= 0, fields.count > max(cn, real, since, sinceT) else {
            return .skipped(Reasons.missingColumns)
        }
        guard let snap = snapshot else { return .skipped(OpenVPNStatusParser.beforeTime) }
        var who = username >= 0 && username < fields.count ? fields[username].trimmed() : Bytes(start: nil, count: 0)
        if RemoteAccount.isNobody(who) { who = fields[cn].trimmed() }
        let account = RemoteAccount.account(who)
        if RemoteAccount.isNobody(account) { return .ignored(OpenVPNStatusParser.undef) }
        let start: Int64
        do {
            if sinceT >= 0, let t = try? TimeParsing.epoch(fields[sinceT].trimmed()) { start = t } else {
                guard since >= 0 else { return .skipped(Reasons.badTime) }
                start = try TimeParsing.nss(fields[since].trimmed(), zone: zone)
            }
        } catch { return .skipped(error.reason) }
        let end = max(snap, start)
        if end - start > Reasons.maxClosedSession { return .skipped(Reasons.sessionTooLong) }
        if let r = ctx.stampProblem(end, from: start) { return .skipped(r) }
        let p = ctx.resolver.resolveRemote(account)
        ctx.acc.session(.vpn, SessionFact(person: p.key, bu: p.bu, start: start, end: end, tag: hasher.hash(fields[real].trimmed())))
        ctx.acc.saw(end, family: .vpn, feed: Feeds.vpn, unit: p.bu)
        return .record
    }
}
