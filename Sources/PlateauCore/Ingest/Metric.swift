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
        }
    }

    /// True for distinct counts of people.
    public var countsPeople: Bool { population == self }
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
