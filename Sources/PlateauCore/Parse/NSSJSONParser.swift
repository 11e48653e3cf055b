/// `zscaler-nss-json` (FORMATS.md §3b): NSS web events as JSON lines, bare or in the SIEM
/// wrapper `{"sourcetype":"zscalernss-web","event":{...}}`, with the field names of §3a
/// matched case-insensitively: time `time`/`datetime` (`Mon Mar 23 09:14:02 2020`, UTC unless
/// a `tz` field names a zone or offset; ISO and epoch spellings are accepted too) or
/// `epochtime`; user `login`/`user`; BU `dept`/`department`; `location`. The URL-encoded
/// spellings (`elogin`, `edepartment`, `elocation`; `locationname` of firewall templates) are
/// read too, and `%XX` escapes in these fields are decoded (`Road%20Warrior`).
///
/// Every authenticated transaction makes its user a `proxy.users` user of its day, and a
/// `proxy.remote_users` and `remote.users` user when its location is a remote one. A hot
/// path: one pass over the line, no allocation, the time stamp parsed once per second.
public struct NSSJSONParser: RecordParser {
    // The previous time stamp's text, zone and instant: events come in time order.
    private var lastTime: [UInt8] = []
    private var lastTimeZone: UInt64 = 0
    private var lastInstant: Int64 = 0
    private var lastDay = 0
    // The zone of the last `tz` field seen (0: none).
    private var zoneKey: UInt64 = 0
    private var zone: TimeZoneRules? = .utc

    static let unauthenticated = Reason("unauthenticated transaction")
    static let unknownZone = Reason("unknown time zone in the tz field")

    public init() {
        lastTime.reserveCapacity(64)
    }

    public mutating func parse(_ line: Line, number: Int, _ ctx: ParseContext) -> LineOutcome {
        var s = JSONScanner(line)
        var time: Bytes?, epoch: Bytes?, login: Bytes?, user: Bytes?, dept: Bytes?, location: Bytes?, tz: Bytes?
        var hasUserField = false
        do throws(JSONError) {
            try s.enterRoot()
            while true {
                guard let k = try s.nextKey() else {
                    if s.depth == 0 { break }
                    continue  // the end of `event`: back in the wrapper
                }
                switch k.count {
                case 2:
                    if k.equalsIgnoringCase("tz") { tz = try s.string() }
                case 4:
                    if k.equalsIgnoringCase("time") { time = try s.string() ?? time }
                    else if k.equalsIgnoringCase("user") { user = try s.string(); hasUserField = true }
                    else if k.equalsIgnoringCase("dept") { dept = try s.string() ?? dept }
                case 5:
                    if k.equalsIgnoringCase("login") { login = try s.string(); hasUserField = true }
                    else if s.depth == 1 && k.equalsIgnoringCase("event") { _ = try s.enterObject() }
                case 6:
                    if k.equalsIgnoringCase("elogin") { if login == nil { login = try s.string(); hasUserField = true } }
                case 8:
                    if k.equalsIgnoringCase("datetime") { if time == nil { time = try s.string() } }
                    else if k.equalsIgnoringCase("location") { location = try s.string() }
                case 9:
                    if k.equalsIgnoringCase("elocation") { if location == nil { location = try s.string() } }
                    else if k.equalsIgnoringCase("epochtime") {
                        let v = try s.value()
                        if v.kind == .number || v.kind == .string { epoch = v.bytes }
                    }
                case 10:
                    if k.equalsIgnoringCase("department") { if dept == nil { dept = try s.string() } }
                case 11:
                    if k.equalsIgnoringCase("edepartment") { if dept == nil { dept = try s.string() } }
                case 12:
                    // The firewall feed's SIEM templates name the location so.
                    if k.equalsIgnoringCase("locationname") { if location == nil { location = try s.string() } }
                default:
                    break
                }
            }
            try s.finish()
        } catch {
            return .skipped(error.reason)
        }

        // When: the text stamp, else the epoch.
        let t: Int64, day: Int
        if let text = time?.trimmed(), text.count > 0 {
            var zoneID: UInt64 = 0
            var rules = ctx.settings.sourceZones["proxy"] ?? TimeZoneRules.utc  // NSS stamps are UTC unless configured
            if let z = tz?.trimmed(), z.count > 0 {
                zoneID = ctx.settings.hasher.hash(z, lowercase: false) | 1
                if zoneID != zoneKey { zoneKey = zoneID; zone = NSSZone.parse(z) }
                guard let found = zone else { return .skipped(NSSJSONParser.unknownZone) }
                rules = found
            }
            if zoneID == lastTimeZone && text.elementsEqual(lastTime) {
                t = lastInstant
                day = lastDay
            } else {
                do throws(TimeError) { t = try TextStamp.parse(text, zone: rules) } catch { return .skipped(error.reason) }
                day = ctx.day(t)
                lastTime.removeAll(keepingCapacity: true)
                lastTime.append(contentsOf: text)
                lastTimeZone = zoneID
                lastInstant = t
                lastDay = day
            }
        } else if let e = epoch?.trimmed(), e.count > 0 {
            do throws(TimeError) { t = try TimeParsing.epoch(e) } catch { return .skipped(error.reason) }
            day = ctx.day(t)
        } else {
            return .skipped(Reasons.noTime)
        }
        if let r = ctx.stampProblem(t) { return .skipped(r) }

        // Who.
        // A `null` login is as anonymous as an empty one; no login field at all is a defect.
        guard let raw = (login ?? user)?.trimmed() else {
            return hasUserField ? .ignored(NSSJSONParser.unauthenticated) : .skipped(Reasons.missingUser)
        }
        let name = NSSText.decoded(raw)
        if NSSLogin.isAnonymous(name) { return .ignored(NSSJSONParser.unauthenticated) }
        let p = ctx.resolver.resolve(name, department: dept.map(NSSText.decoded))
        ctx.acc.user(.proxyUsers, at: t, day: day, p)
        if let location, ctx.settings.remoteLocations.contains(ctx.settings.hasher.hash(NSSText.decoded(location).trimmed())) {
            ctx.acc.user(.proxyRemoteUsers, at: t, day: day, p)
        }
        ctx.acc.saw(t, feed: Feeds.proxy, unit: p.bu)
        return .record
    }
}

/// Time stamps of JSON records in any spelling `TimeParsing.any` knows, with the shape of a
/// text stamp (`Mon Mar 23 09:14:02 2020`) checked first: `TimeParsing.nss` reads the day's
/// digits without a bound and indexes past a short stamp, which must not trap on garbage.
enum TextStamp {
    @inline(__always)
    static func parse(_ b: Bytes, zone: TimeZoneRules) throws(TimeError) -> Int64 {
        let t = b.trimmed()
        guard t.count > 0 else { throw .malformed }
        if !ASCII.isDigit(t[0]) {
            // Www Mmm [ d]d hh:mm:ss yyyy: a 1- or 2-digit day, then 14 bytes.
            guard t.count == 23 || t.count == 24 else { throw .malformed }
            var i = 8
            if t[i] == ASCII.space { i += 1 }
            var k = i
            while k < t.count, ASCII.isDigit(t[k]) { k += 1 }
            guard k > i, k - i <= 2, k + 14 == t.count else { throw .malformed }
        }
        return try TimeParsing.any(t, zone: zone)
    }
}
