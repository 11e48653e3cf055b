/// The input formats of FORMATS.md, by the names the contract uses.
public enum InputFormat: String, CaseIterable, Sendable, Codable {
    case directory
    case teamsCallRecords = "teams-callrecords"
    case teamsUserActivity = "teams-user-activity"
    case teamsUserCounts = "teams-user-counts"
    case zscalerNSSCSV = "zscaler-nss-csv"
    case zscalerNSSJSON = "zscaler-nss-json"
    case zpaUserStatus = "zpa-user-status"
    case zpaUserActivity = "zpa-user-activity"
    case asaSyslog = "asa-syslog"
    case sessionsCSV = "sessions-csv"
    // Remote access (issue 17, VPN and VDI vendors).
    case panosGlobalProtect = "panos-globalprotect"
    case fortigateKV = "fortigate-kv"
    case pulseSecure = "pulse-secure"
    case citrixADC = "citrix-adc"
    case openVPNLog = "openvpn-log"
    case openVPNStatus = "openvpn-status"
    // Identity and Teams (issue 17).
    case entraSignIns = "entra-signins"
    case teamsAttendance = "teams-attendance"
    case m365AuditTeams = "m365-audit-teams"
    case m365AuditCSV = "m365-audit-csv"
    // Zscaler NSS through Microsoft Sentinel (a Log Analytics CommonSecurityLog export).
    case commonSecurityLog = "commonsecuritylog"
}
