/// The metrics of DESIGN.md, by their contract names, in the order reports list them.
public enum Metric: String, CaseIterable, Sendable, Codable, Comparable {
    case meetingsUsers = "meetings.users"
    case meetingsCount = "meetings.count"
    case meetingsMedianMinutes = "meetings.median_minutes"
    case meetingsMaxParticipants = "meetings.max_participants"
    case proxyUsers = "proxy.users"
    case proxyRemoteUsers = "proxy.remote_users"
    case privateAccessUsers = "private_access.users"
    case privateAccessPeakSessions = "private_access.peak_sessions"
    case vpnUsers = "vpn.users"
    case vpnPeakSessions = "vpn.peak_sessions"
    case vdiUsers = "vdi.users"
    case vdiPeakSessions = "vdi.peak_sessions"
    case remoteUsers = "remote.users"
    // Identity-provider sign-ins (issue 17). The fact packing keeps metric + 1 in 4 bits:
    // index 14 is the last a metric can have.
    case signinsUsers = "signins.users"
    case signinsTeamsUsers = "signins.teams_users"

    @inline(__always)
    public var index: Int {
        switch self {
        case .meetingsUsers: return 0
        case .meetingsCount: return 1
        case .meetingsMedianMinutes: return 2
        case .meetingsMaxParticipants: return 3
        case .proxyUsers: return 4
        case .proxyRemoteUsers: return 5
        case .privateAccessUsers: return 6
        case .privateAccessPeakSessions: return 7
        case .vpnUsers: return 8
        case .vpnPeakSessions: return 9
        case .vdiUsers: return 10
        case .vdiPeakSessions: return 11
        case .remoteUsers: return 12
        case .signinsUsers: return 13
        case .signinsTeamsUsers: return 14
        }
    }
    public static func < (a: Metric, b: Metric) -> Bool { a.index < b.index }

    /// The distinct-people metric whose count decides whether a cell of this metric is
    /// small enough to be suppressed.
    public var population: Metric {
        switch self {
        case .meetingsUsers, .meetingsCount, .meetingsMedianMinutes, .meetingsMaxParticipants: return .meetingsUsers
        case .proxyUsers, .proxyRemoteUsers: return self
        case .privateAccessUsers, .privateAccessPeakSessions: return .privateAccessUsers
        case .vpnUsers, .vpnPeakSessions: return .vpnUsers
        case .vdiUsers, .vdiPeakSessions: return .vdiUsers
        case .remoteUsers: return .remoteUsers
        // Each its own population, as proxy.users and proxy.remote_users are.
        case .signinsUsers, .signinsTeamsUsers: return self
        }
    }

    /// True for distinct counts of people.
    public var countsPeople: Bool { population == self }

    /// The feed whose records make this metric; nil for `remote.users`, a union of feeds.
    public var feed: Feed? {
        switch self {
        case .meetingsUsers, .meetingsCount, .meetingsMedianMinutes, .meetingsMaxParticipants: return .meetings
        case .proxyUsers, .proxyRemoteUsers: return .proxy
        case .privateAccessUsers, .privateAccessPeakSessions: return .privateAccess
        case .vpnUsers, .vpnPeakSessions: return .vpn
        case .vdiUsers, .vdiPeakSessions: return .vdi
        case .remoteUsers: return nil
        case .signinsUsers, .signinsTeamsUsers: return .signins
        }
    }
}

/// A kind of input whose records make a family of metrics. A day on which a feed delivered
/// nothing is missing for its metrics, not zero (a broken export is no collapse).
public enum Feed: String, CaseIterable, Sendable, Comparable {
    case meetings, proxy, privateAccess = "private_access", vpn, vdi
    /// Identity-provider sign-in logs (Entra ID).
    case signins

    public var metrics: [Metric] { Metric.allCases.filter { $0.feed == self } }
    public static func < (a: Feed, b: Feed) -> Bool { a.index < b.index }
    var index: Int { Feed.allCases.firstIndex(of: self)! }

    /// The sources of `remote.users` and the metric each brings to the union.
    public static let remoteSources: [(feed: Feed, metric: Metric)] = [
        (.proxy, .proxyRemoteUsers), (.privateAccess, .privateAccessUsers), (.vpn, .vpnUsers), (.vdi, .vdiUsers),
    ]
}

/// A family of session sources: each has `<family>.users` and `<family>.peak_sessions`.
public enum SessionFamily: Int, CaseIterable, Sendable {
    case vpn, privateAccess, vdi

    public var users: Metric { [.vpnUsers, .privateAccessUsers, .vdiUsers][rawValue] }
    public var peak: Metric { [.vpnPeakSessions, .privateAccessPeakSessions, .vdiPeakSessions][rawValue] }

    /// The names a config or a sessions CSV `source` column uses.
    public init?(name: some StringProtocol) {
        switch name.lowercased() {
        case "vpn": self = .vpn
        case "vdi": self = .vdi
        case "private_access", "zpa", "private-access": self = .privateAccess
        default: return nil
        }
    }
}
