/// `commonsecuritylog`: rows of Microsoft Sentinel's `CommonSecurityLog` table (CEF messages as
/// Log Analytics stores them), exported as JSON: an array (the portal's and `az monitor
/// log-analytics query`'s export), one object per line, or a `value` page. One row as
/// `JSONDocumentSplitter` cuts it out; keys are the table's column names, matched
/// case-insensitively.
///
/// Rows of Zscaler's NSS feeds (`DeviceVendor` `Zscaler`, `DeviceProduct` `NSSWeblog` or
/// `NSSFWlog`) are proxy transactions as in FORMATS.md §3, with Zscaler's CEF mapping of the
/// NSS fields (its Sentinel feed template): the user is `SourceUserName` (CEF `suser`), the
/// location `SourceUserPrivileges` (`spriv`), the department the `DeviceCustomStringN` whose
/// `DeviceCustomStringNLabel` is `dept`. The time is `TimeGenerated`, when Log Analytics received
/// the row (the web feed's template carries no event time): ISO with `Z`, or the portal's
/// US-locale display `3/31/2022, 08:18:20.276 AM`, which is UTC unless `[sources.proxy]` names a
/// zone (the portal's display zone). Rows of other devices that share the table (firewalls,
/// VPNs) are ignored with a reason: the export of a whole table mixes them.
public struct CommonSecurityLogParser: RecordParser {
    static let otherDevice = Reason("another device's CEF row (not a Zscaler NSS web or firewall feed)")
    static let otherZscalerFeed = Reason("a Zscaler CEF row of another feed (not web or firewall)")
    static let unauthenticated = Reason("unauthenticated transaction")
    static let noVendor = Reason("no DeviceVendor/DeviceProduct")

    public init() {}

    /// Up to six custom strings and their labels (CEF `cs1`…`cs6`), in either order.
    private struct CustomStrings {
        var values: (Bytes?, Bytes?, Bytes?, Bytes?, Bytes?, Bytes?) = (nil, nil, nil, nil, nil, nil)
        var labels: (Bytes?, Bytes?, Bytes?, Bytes?, Bytes?, Bytes?) = (nil, nil, nil, nil, nil, nil)

        mutating func set(_ n: Int, label: Bool, _ v: Bytes?) {
            switch (n, label) {
            case (1, false): values.0 = v
            case (2, false): values.1 = v
            case (3, false): values.2 = v
            case (4, false): values.3 = v
            case (5, false): values.4 = v
            case (6, false): values.5 = v
            case (1, true): labels.0 = v
            case (2, true): labels.1 = v
            case (3, true): labels.2 = v
            case (4, true): labels.3 = v
            case (5, true): labels.4 = v
            case (6, true): labels.5 = v
            default: break
            }
        }

        /// The value labelled `dept` or `department`.
        func department() -> Bytes? {
            func isDept(_ l: Bytes?) -> Bool {
                guard let t = l?.trimmed() else { return false }
                return t.equalsIgnoringCase("dept") || t.equalsIgnoringCase("department")
            }
            if isDept(labels.0) { return values.0 }
            if isDept(labels.1) { return values.1 }
            if isDept(labels.2) { return values.2 }
            if isDept(labels.3) { return values.3 }
            if isDept(labels.4) { return values.4 }
            if isDept(labels.5) { return values.5 }
            return nil
        }
    }

    public mutating func parse(_ line: Line, number: Int, _ ctx: ParseContext) -> LineOutcome {
        var s = JSONScanner(line)
        var time: Bytes?, vendor: Bytes?, product: Bytes?, user: Bytes?, location: Bytes?
        var custom = CustomStrings()
        var utcColumn = false
        do throws(JSONError) {
            try s.enterRoot()
            while let k = try s.nextKey() {
                switch k.count {
                case 12 where k.equalsIgnoringCase("DeviceVendor"): vendor = try s.string()
                case 13 where k.equalsIgnoringCase("DeviceProduct"): product = try s.string()
                case 13 where k.equalsIgnoringCase("TimeGenerated"): time = try s.string()
                // The portal's CSV-turned-JSON spelling, which states the zone.
                case 19 where k.equalsIgnoringCase("TimeGenerated [UTC]"): time = try s.string(); utcColumn = true
                case 14 where k.equalsIgnoringCase("SourceUserName"): user = try s.string()
                case 20 where k.equalsIgnoringCase("SourceUserPrivileges"): location = try s.string()
                case 19, 24:
                    // DeviceCustomString1 … DeviceCustomString6, and their Label columns.
                    guard k.slice(0..<18).equalsIgnoringCase("DeviceCustomString") else { break }
                    let n = Int(k[18]) - 48
                    if k.count == 19 { custom.set(n, label: false, try Self.text(&s)) }
                    else if k.slice(19..<24).equalsIgnoringCase("Label") { custom.set(n, label: true, try s.string()) }
                default:
                    break
                }
            }
            try s.finish()
        } catch {
            return .skipped(error.reason)
        }

        guard let v = vendor?.trimmed(), let pr = product?.trimmed(), v.count > 0 || pr.count > 0 else {
            return .skipped(CommonSecurityLogParser.noVendor)
        }
        guard v.equalsIgnoringCase("Zscaler") else { return .ignored(CommonSecurityLogParser.otherDevice) }
        guard pr.equalsIgnoringCase("NSSWeblog") || pr.equalsIgnoringCase("NSSFWlog") else {
            return .ignored(CommonSecurityLogParser.otherZscalerFeed)
        }

        // When.
        guard let stamp = time?.trimmed(), stamp.count > 0 else { return .skipped(Reasons.noTime) }
        let zone = utcColumn ? TimeZoneRules.utc : (ctx.settings.sourceZones["proxy"] ?? .utc)
        let t: Int64
        do throws(TimeError) { t = try LogAnalyticsStamp.parse(stamp, zone: zone) } catch { return .skipped(error.reason) }
        if let r = ctx.stampProblem(t) { return .skipped(r) }

        // Who.
        let name = NSSText.decoded(user?.trimmed() ?? Bytes(start: nil, count: 0))
        if NSSLogin.isAnonymous(name) { return .ignored(CommonSecurityLogParser.unauthenticated) }
        let day = ctx.day(t)
        let p = ctx.resolver.resolve(name, department: custom.department().map(NSSText.decoded))
        ctx.acc.user(.proxyUsers, at: t, day: day, p)
        if let location, ctx.settings.remoteLocations.contains(ctx.settings.hasher.hash(NSSText.decoded(location).trimmed())) {
            ctx.acc.user(.proxyRemoteUsers, at: t, day: day, p)
        }
        ctx.acc.saw(t, feed: Feeds.proxy, unit: p.bu)
        return .record
    }

    /// A string, or a number's text (Log Analytics writes a numeric-looking custom string as a
    /// number); nil for other kinds.
    static func text(_ s: inout JSONScanner) throws(JSONError) -> Bytes? {
        let v = try s.value()
        return v.kind == .string || v.kind == .number ? v.bytes : nil
    }
}

/// Log Analytics' `TimeGenerated`: ISO 8601 (`2022-03-31T08:18:20.276Z`, exact), or the portal's
/// US-locale display (`3/31/2022, 08:18:20.276 AM`, month first, 12-hour clock, a fraction of a
/// second) read in `zone`.
enum LogAnalyticsStamp {
    static func parse(_ b: Bytes, zone: TimeZoneRules) throws(TimeError) -> Int64 {
        let t = b.trimmed()
        if t.count >= 10, ASCII.isDigit(t[0]), t[4] == 0x2D { return try TimeParsing.iso8601(t, zone: zone) }
        // M/D/YYYY, h:mm:ss[.fff] AM|PM
        var nums: (Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0)
        var count = 0, cur = -1, digits = 0
        var pm = false, am = false, fraction = false
        var i = 0
        func put(_ v: Int) throws(TimeError) {
            switch count {
            case 0: nums.0 = v
            case 1: nums.1 = v
            case 2: nums.2 = v
            case 3: nums.3 = v
            case 4: nums.4 = v
            case 5: nums.5 = v
            default: throw .malformed
            }
            count += 1
        }
        while i < t.count {
            let c = t[i]
            if ASCII.isDigit(c) {
                if !fraction {
                    cur = (cur < 0 ? 0 : cur) * 10 + Int(c - 48)
                    digits += 1
                    if digits > 4 { throw .malformed }
                }
            } else {
                if cur >= 0 { try put(cur); cur = -1; digits = 0 }
                switch c {
                case UInt8(ascii: "."):
                    // Only the seconds carry a fraction.
                    guard count == 6, !fraction else { throw .malformed }
                    fraction = true
                case UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: ","), ASCII.space:
                    fraction = false
                    if c == UInt8(ascii: "/") || c == UInt8(ascii: ":") { guard count < 6 else { throw .malformed } }
                default:
                    let l = ASCII.lower(c)
                    guard (l == UInt8(ascii: "a") || l == UInt8(ascii: "p")), i + 1 < t.count, ASCII.lower(t[i + 1]) == UInt8(ascii: "m"),
                          !am, !pm, count >= 5 else { throw .malformed }
                    if l == UInt8(ascii: "p") { pm = true } else { am = true }
                    i += 1
                }
            }
            i += 1
        }
        if cur >= 0 { try put(cur) }
        guard count == 5 || count == 6 else { throw .malformed }
        var h = nums.3
        if pm || am {
            guard (1...12).contains(h) else { throw .malformed }
            if pm && h < 12 { h += 12 }
            if am && h == 12 { h = 0 }
        }
        return zone.utc(localSeconds: try TimeParsing.civil(nums.2, nums.0, nums.1, h, nums.4, count == 6 ? nums.5 : 0))
    }
}
