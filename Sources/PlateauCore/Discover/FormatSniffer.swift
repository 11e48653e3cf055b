/// Recognises an input's format from its first bytes (never from its name): a CSV header's
/// column names, a JSON object's keys, or syslog message tags. Works on decompressed bytes.
public enum FormatSniffer {
    /// How many bytes of the (decompressed) start of a file the sniffer looks at.
    public static let sniffLength = 64 * 1024

    public static func sniff(_ bytes: some Collection<UInt8>) -> InputFormat? {
        var data = Array(bytes.prefix(sniffLength))
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { data.removeFirst(3) }
        // UTF-16 text (attendance reports): sniffed as its UTF-8 decoding.
        if data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]) || TextDecoding.looksUTF16LE(data) {
            data = TextDecoding.utf8(Array(data.prefix(data.count & ~1)))
        }
        var lines = data.split(separator: 0x0A, maxSplits: 64, omittingEmptySubsequences: true).map { line -> ArraySlice<UInt8> in
            var l = line
            while let last = l.last, last == 0x0D || last == 0x20 || last == 0x09 { l.removeLast() }
            while let first = l.first, first == 0x20 || first == 0x09 { l.removeFirst() }
            return l
        }
        lines.removeAll { $0.isEmpty || $0.first == UInt8(ascii: "#") }
        guard let first = lines.first else { return nil }
        if first.first == UInt8(ascii: "{") || first.first == UInt8(ascii: "[") {
            for line in lines.prefix(16) { if let f = sniffJSON(line) { return f } }
            // A pretty-printed Graph page or array spreads one record over many lines.
            if contains(data, "\"startDateTime\"") && (contains(data, "\"groupCall\"") || contains(data, "\"peerToPeer\"")) {
                return .teamsCallRecords
            }
            // Remote access (issue 17): a SIEM's pretty-printed export of Pulse Secure syslog.
            if contains(data, "\"SyslogMessage\"") && (contains(data, "\"ProcessName\": \"Pulse\"") || contains(data, "PulseSecure")) {
                return .pulseSecure
            }
            // Identity and Teams (issue 17): by the keys of the first record, whatever the layout.
            if let f = sniffIdentityRecords(data) { return f }
            return nil
        }
        if let f = sniffCSVHeader(first) { return f }
        for line in lines.prefix(64) where contains(line, "%ASA-") || contains(line, "%FTD-") { return .asaSyslog }
        // Identity and Teams (issue 17).
        if sniffAttendance(lines.prefix(24)) { return .teamsAttendance }
        if let f = sniffRemoteAccess(lines) { return f }
        return nil
    }

    // MARK: remote access (issue 17: GlobalProtect, FortiGate, Pulse, Citrix ADC, OpenVPN)

    /// The VPN and VDI vendors' logs, by what their lines carry: an OpenVPN status file by its
    /// first line; the others by a line of the first 64 with the vendor's own marks.
    static func sniffRemoteAccess(_ lines: [ArraySlice<UInt8>]) -> InputFormat? {
        guard let first = lines.first else { return nil }
        if first.starts(with: Array("OpenVPN CLIENT LIST".utf8)) || first.starts(with: Array("TITLE,OpenVPN".utf8))
            || first.starts(with: Array("TITLE\tOpenVPN".utf8)) || first.starts(with: Array("HEADER,CLIENT_LIST".utf8))
            || first.starts(with: Array("HEADER\tCLIENT_LIST".utf8)) { return .openVPNStatus }
        for line in lines.prefix(64) {
            let l = Array(line)
            // Documentation quoting log lines (Markdown: `code`, list items) is not a log.
            if contains(l, "`") || l.starts(with: Array("- ".utf8)) || l.starts(with: Array("| ".utf8)) { continue }
            if contains(l, ",GLOBALPROTECT,") || contains(l, ",SYSTEM,globalprotect,") { return .panosGlobalProtect }
            if contains(l, "type=") && contains(l, "subtype=") && (contains(l, "logid=") || contains(l, "log_id=")) { return .fortigateKV }
            if contains(l, "PulseSecure:") || (contains(l, "id=firewall") && contains(l, " realm=") && contains(l, " msg=\"")) { return .pulseSecure }
            if contains(l, " 0-PPE-") && contains(l, ": default ") { return .citrixADC }
            if contains(l, " openvpn[") || contains(l, " openvpn: ") || contains(l, "Peer Connection Initiated with")
                || contains(l, "client-instance exiting") { return .openVPNLog }
        }
        return nil
    }

    static func sniffJSON(_ line: ArraySlice<UInt8>) -> InputFormat? {
        let l = Array(line)
        if contains(l, "\"startDateTime\"") && (contains(l, "\"groupCall\"") || contains(l, "\"peerToPeer\"") || contains(l, "callRecords")) {
            return .teamsCallRecords
        }
        // JSON lines are objects: a line that only quotes one (a parser's test case holding the
        // record as a string, `"message": "{\"sourcetype\": ...`) is not the log.
        guard l.first == UInt8(ascii: "{") else { return nil }
        if contains(l, "zscalernss-web") { return .zscalerNSSJSON }
        if contains(l, "\"SessionStatus\"") { return .zpaUserStatus }
        if contains(l, "\"ConnectionID\"") { return .zpaUserActivity }
        if (contains(l, "\"login\"") || contains(l, "\"user\"")) && (contains(l, "\"time\"") || contains(l, "\"datetime\"") || contains(l, "\"epochtime\"")) {
            return .zscalerNSSJSON
        }
        return nil
    }

    static func sniffCSVHeader(_ line: ArraySlice<UInt8>) -> InputFormat? {
        let columns = Set(line.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map { field -> String in
            var f = Array(field)
            while let c = f.first, c == 0x20 || c == 0x22 { f.removeFirst() }
            while let c = f.last, c == 0x20 || c == 0x22 { f.removeLast() }
            return String(decoding: f, as: UTF8.self).lowercased()
        })
        func has(_ names: String...) -> Bool { names.contains { columns.contains($0) } }
        if has("business_unit") && has("user_id", "upn") { return .directory }
        if has("report date") && has("meetings") { return .teamsUserCounts }
        if has("user principal name") && has("last activity date") { return .teamsUserActivity }
        if has("time", "datetime", "epochtime") && has("login", "user", "elogin")
            && has("location", "department", "dept", "elocation", "edepartment") { return .zscalerNSSCSV }
        if has("user", "username", "upn") && has("start", "logon_start", "logonstartdate") { return .sessionsCSV }
        // Identity and Teams (issue 17): the audit log search exported as CSV.
        if has("auditdata") && has("operation", "operations") && has("creationdate") { return .m365AuditCSV }
        return nil
    }

    /// A Teams attendance report: among its first lines, a participants' header (a name
    /// column and a timestamp or join-time column, in a known language; tab, `;` or `,`).
    static func sniffAttendance(_ lines: ArraySlice<ArraySlice<UInt8>>) -> Bool {
        for line in lines {
            var l = Array(line)
            let found = l.withUnsafeMutableBytes { raw -> Bool in
                let b = UnsafeRawBufferPointer(raw)
                guard let sep = TeamsAttendanceParser.firstSeparator(b) else { return false }
                return TeamsAttendanceParser.roles(TeamsAttendanceParser.split(b, sep).map { b.slice($0) }) != nil
            }
            if found { return true }
        }
        return false
    }

    @inline(__always)
    static func contains(_ hay: some Collection<UInt8>, _ needle: StaticString) -> Bool {
        let n = needle.withUTF8Buffer { Array($0) }
        let h = Array(hay)
        guard n.count <= h.count, let f = n.first else { return false }
        var i = 0
        while i <= h.count - n.count {
            if h[i] == f {
                var j = 1
                while j < n.count && h[i + j] == n[j] { j += 1 }
                if j == n.count { return true }
            }
            i += 1
        }
        return false
    }
}
