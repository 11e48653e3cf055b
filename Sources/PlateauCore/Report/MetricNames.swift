/// Words for people (issue 18): what the review, markdown and the HTML page call a metric. The
/// contract names (`vpn.peak_sessions`) stay the identifiers of csv, json, the command line,
/// rules.toml and plateau.toml; these are for a reader who has never seen them.
extension Metric {
    /// "VPN peak sessions", "Meeting users".
    public var displayName: String {
        switch self {
        case .meetingsUsers: return "Meeting users"
        case .meetingsCount: return "Meetings"
        case .meetingsMedianMinutes: return "Median meeting length (min)"
        case .meetingsMaxParticipants: return "Largest meeting (people)"
        case .proxyUsers: return "Web proxy users"
        case .proxyRemoteUsers: return "Web proxy users from outside"
        case .privateAccessUsers: return "Private-access users"
        case .privateAccessPeakSessions: return "Private-access peak sessions"
        case .vpnUsers: return "VPN users"
        case .vpnPeakSessions: return "VPN peak sessions"
        case .vdiUsers: return "Virtual-desktop users"
        case .vdiPeakSessions: return "Virtual-desktop peak sessions"
        case .remoteUsers: return "Remote workers"
        case .signinsUsers: return "Sign-in users"
        case .signinsTeamsUsers: return "Teams sign-in users"
        }
    }

    /// One sentence on what a day's figure is, for the HTML legend and a chart's title tooltip.
    public var meaning: String {
        switch self {
        case .meetingsUsers: return "people who joined at least one online meeting that day"
        case .meetingsCount: return "online meetings that started that day (each counted once)"
        case .meetingsMedianMinutes: return "the median length of that day's meetings, in minutes"
        case .meetingsMaxParticipants: return "the most people in one meeting that day"
        case .proxyUsers: return "people who went through the web proxy that day, from anywhere"
        case .proxyRemoteUsers: return "people who went through the web proxy from outside the company's sites"
        case .privateAccessUsers: return "people who reached internal applications through private access"
        case .privateAccessPeakSessions: return "the most private-access sessions open at one moment that day"
        case .vpnUsers: return "people who connected through the VPN that day"
        case .vpnPeakSessions: return "the most VPN sessions open at one moment that day"
        case .vdiUsers: return "people who opened a virtual desktop that day"
        case .vdiPeakSessions: return "the most virtual desktops open at one moment that day"
        case .remoteUsers: return "people who worked from outside by any means (proxy from outside, private access, VPN or virtual desktop), each counted once"
        case .signinsUsers: return "people who signed in to any cloud application that day"
        case .signinsTeamsUsers: return "people who signed in to Teams that day"
        }
    }
}
