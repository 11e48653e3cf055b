/// A feed: a stream of records whose freshness is judged on its own — one of the five built-in
/// sources (meetings, proxy, private access, VPN, virtual desktops) or a `[[source]]` of
/// plateau.toml, by its name. `stale` rules, the dashboard's header and the Prometheus
/// `plateau_feed_last_record_timestamp_seconds` speak of feeds by these names.
///
/// While parsing, a feed is a small integer (a slot): the built-in feeds 0…5, then the custom
/// sources in the order of the config (6 + index). Accumulators of one ingest share the config,
/// so their slots agree; everything kept or shown uses the names.
public enum Feeds {
    public static let meetings = 0, proxy = 1, privateAccess = 2, vpn = 3, vdi = 4, signins = 5
    /// The names of the built-in feeds, by slot (the `Feed`s whose gaps are missing days).
    public static let builtIn = Feed.allCases.map(\.rawValue)
    /// A slot whose records name their own family (a sessions CSV's `source` column).
    public static let byFamily = -1

    /// The slot of a session family's built-in feed.
    @inline(__always)
    public static func slot(_ family: SessionFamily) -> Int {
        switch family {
        case .vpn: return vpn
        case .privateAccess: return privateAccess
        case .vdi: return vdi
        }
    }

    /// The feed of a file: its custom source, or its format's built-in feed; `byFamily` for a
    /// sessions CSV (each row says its family); nil for the directory and unknown files.
    public static func slot(format: InputFormat?, custom: Int?) -> Int? {
        if let custom { return builtIn.count + custom }
        switch format {
        case .teamsCallRecords, .teamsUserActivity, .teamsUserCounts: return meetings
        case .zscalerNSSCSV, .zscalerNSSJSON, .commonSecurityLog: return proxy
        case .zpaUserStatus, .zpaUserActivity: return privateAccess
        case .asaSyslog: return vpn
        case .panosGlobalProtect, .fortigateKV, .pulseSecure, .openVPNLog, .openVPNStatus: return vpn
        case .citrixADC: return byFamily  // VPN sessions and ICA (VDI) connections
        case .sessionsCSV: return byFamily
        case .directory, .none: return nil
        // Identity and Teams formats (issue 17).
        // (An audit file's records are mostly Teams session starts: sign-ins.)
        case .entraSignIns, .m365AuditTeams, .m365AuditCSV: return signins
        case .teamsAttendance: return meetings
        }
    }

    /// Names by slot: the built-in feeds, then the config's custom sources.
    public static func names(_ custom: [CustomSource]) -> [String] { builtIn + custom.map(\.name) }

    /// Every feed a config knows, by name, with the metric whose people it counts (a stale
    /// alert's metric): built-in feeds and `[[source]]`s.
    public static func known(_ custom: [CustomSource]) -> [(name: String, metric: Metric)] {
        var out: [(String, Metric)] = [("meetings", .meetingsUsers), ("proxy", .proxyUsers), ("private_access", .privateAccessUsers),
                                       ("vpn", .vpnUsers), ("vdi", .vdiUsers), ("signins", .signinsUsers)]
        for s in custom where !out.contains(where: { $0.0 == s.name }) {
            switch s.kind {
            case .meeting: out.append((s.name, .meetingsUsers))
            case .proxy: out.append((s.name, .proxyUsers))
            case .session: out.append((s.name, s.family.users))
            }
        }
        return out
    }

    /// The built-in feed of a metric (nil for `remote.users`, which several feeds make).
    public static func feed(of m: Metric) -> String? {
        switch m.population {
        case .meetingsUsers: return "meetings"
        case .proxyUsers, .proxyRemoteUsers: return "proxy"
        case .privateAccessUsers: return "private_access"
        case .vpnUsers: return "vpn"
        case .vdiUsers: return "vdi"
        case .signinsUsers, .signinsTeamsUsers: return "signins"
        default: return nil
        }
    }
}

/// How fresh one feed is: the instant of its newest record, per BU too, and (in `watch`) when
/// bytes last arrived for it.
public struct FeedFreshness: Sendable, Equatable {
    /// The newest record of the feed (Unix seconds); nil: none.
    public var newestRecord: Int64?
    /// The newest record of each BU in this feed, by the rollups' BU id (ALL is not among them).
    public var units: [UInt16: Int64] = [:]
    /// `watch`: the wall-clock instant bytes last arrived in a file of this feed (nil in batch).
    public var lastArrival: Int64?

    public init(newestRecord: Int64? = nil, units: [UInt16: Int64] = [:], lastArrival: Int64? = nil) {
        self.newestRecord = newestRecord; self.units = units; self.lastArrival = lastArrival
    }
}

/// Per feed slot, the newest record overall and per BU: what `Accumulator` keeps while parsing
/// (a flat array per slot, so that a record costs two compares).
public struct FeedTimes: Sendable, Equatable {
    /// Int64.min: none.
    public var newest: [Int64] = []
    /// Per slot, per local BU id.
    public var units: [[Int64]] = []

    public init() {}

    @inline(__always)
    public mutating func saw(_ t: Int64, slot: Int, unit bu: UInt16) {
        if slot >= newest.count { grow(slot) }
        if t > newest[slot] { newest[slot] = t }
        let b = Int(bu)
        if b >= units[slot].count { units[slot].append(contentsOf: repeatElement(Int64.min, count: b + 1 - units[slot].count)) }
        if t > units[slot][b] { units[slot][b] = t }
    }

    mutating func grow(_ slot: Int) {
        newest.append(contentsOf: repeatElement(Int64.min, count: slot + 1 - newest.count))
        while units.count < newest.count { units.append([]) }
    }

    public mutating func merge(_ o: FeedTimes) {
        for (s, t) in o.newest.enumerated() where t != .min {
            if s >= newest.count { grow(s) }
            newest[s] = max(newest[s], t)
        }
        for (s, list) in o.units.enumerated() {
            for (b, t) in list.enumerated() where t != .min { saw(t, slot: s, unit: UInt16(b)) }
        }
    }

    /// By feed name (`names` by slot; slots without a name or a record are left out). Names
    /// shared by two slots (a `[[source]]` named like a built-in feed) are one feed.
    public func byName(_ names: [String]) -> [String: FeedFreshness] {
        var out: [String: FeedFreshness] = [:]
        for (s, t) in newest.enumerated() where t != .min && s < names.count {
            var f = out[names[s]] ?? FeedFreshness()
            f.newestRecord = max(f.newestRecord ?? t, t)
            if s < units.count {
                for (b, u) in units[s].enumerated() where u != .min && b != Int(BusinessUnits.all) {
                    f.units[UInt16(b)] = max(f.units[UInt16(b)] ?? u, u)
                }
            }
            out[names[s]] = f
        }
        return out
    }
}
