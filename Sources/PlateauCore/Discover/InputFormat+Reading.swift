/// How the files of a format are read: line by line, or whole (a JSON document, a report).
extension InputFormat {
    /// JSON formats whose files are either one record per line or one document (a page, an
    /// array): `InputDiscovery` tells which from the first line (`DiscoveredInput.jsonLines`).
    public var isJSONRecords: Bool {
        switch self {
        case .teamsCallRecords, .entraSignIns, .m365AuditTeams, .commonSecurityLog: return true
        default: return false
        }
    }

    /// Read whole, not line by line (not split into ranges, re-read whole when followed):
    /// JSON documents, and attendance reports (UTF-16; the meeting is known at the end).
    public func readsWhole(jsonLines: Bool) -> Bool {
        switch self {
        case .teamsAttendance: return true
        default: return isJSONRecords && !jsonLines
        }
    }

    /// Top-level keys whose array holds a page's records, besides Graph's `value`.
    public var pageKeys: [StaticString] {
        switch self {
        case .entraSignIns: return ["records"]  // Azure Monitor / Event Hub batches
        case .m365AuditTeams: return ["records", "events"]
        default: return []
        }
    }
}
