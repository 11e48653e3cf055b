/// Sniffing of the identity and Teams JSON formats (issue 17) by the top-level keys of the
/// first record, wherever the layout puts it (a line, a page's `value`/`records`/`events`, an
/// array): key names found anywhere in the text would also claim files that only quote such
/// records (a parser's test case holding one as a string, next to what it expects).
extension FormatSniffer {
    static func sniffIdentityRecords(_ data: [UInt8]) -> InputFormat? {
        guard var record = firstRecord(data) else { return nil }
        return record.withUnsafeMutableBytes { classify($0, wrapped: false) }
    }

    /// The bytes of the first complete record of a JSON document's start.
    static func firstRecord(_ data: [UInt8]) -> [UInt8]? {
        var splitter = JSONDocumentSplitter(pageKeys: ["records", "events"], maxRecordBytes: sniffLength)
        var out: [UInt8]?
        var copy = data
        copy.withUnsafeMutableBytes { raw in
            splitter.feed(raw) { e in if out == nil, case .element(let l, _) = e { out = Array(l) } }
        }
        if out == nil { splitter.finish { e in if out == nil, case .element(let l, _) = e { out = Array(l) } } }
        return out
    }

    /// - `entra-signins`: a `category` ending in `SignInLogs` (Azure Monitor), or a Graph
    ///   `signIn`: `createdDateTime`, a user (`userPrincipalName`/`userId`) and `appDisplayName`.
    /// - `m365-audit-teams`: `CreationTime` and `Operation` with `Workload` `MicrosoftTeams`,
    ///   bare or as the JSON string of an exported event's `event.original`.
    /// - `commonsecuritylog`: `DeviceVendor` and `DeviceProduct` (a Log Analytics
    ///   CommonSecurityLog row, whatever its device: the parser tells Zscaler's rows from others).
    static func classify(_ line: Line, wrapped: Bool) -> InputFormat? {
        var s = JSONScanner(line)
        var signInCategory = false, created = false, user = false, app = false
        var creation = false, operation = false, teams = false
        var deviceVendor = false, deviceProduct = false
        var original: Bytes?
        do throws(JSONError) {
            try s.enterRoot()
            while true {
                guard let k = try s.nextKey() else {
                    if s.depth == 0 { break }
                    continue
                }
                if s.depth == 2 {
                    if k.equals("original") { original = try s.string() }
                    continue
                }
                if k.equals("category") {
                    if let v = try s.string(), v.count >= 10, v.slice((v.count - 10)..<v.count).equals("SignInLogs") { signInCategory = true }
                } else if k.equals("createdDateTime") { created = true
                } else if k.equals("userPrincipalName") || k.equals("userId") { user = true
                } else if k.equals("appDisplayName") { app = true
                } else if k.equals("CreationTime") { creation = true
                } else if k.equals("Operation") { operation = true
                } else if k.equals("DeviceVendor") { deviceVendor = true
                } else if k.equals("DeviceProduct") { deviceProduct = true
                } else if k.equals("Workload") { teams = try s.string()?.equals("MicrosoftTeams") ?? false
                } else if k.equals("event") && !wrapped { _ = try s.enterObject()
                }
            }
        } catch {
            return nil
        }
        if signInCategory || (created && user && app) { return .entraSignIns }
        if creation && operation && teams { return .m365AuditTeams }
        if deviceVendor && deviceProduct && !wrapped { return .commonSecurityLog }
        if let o = original, o.count > 0, o[0] == 0x7B, classify(UnsafeMutableRawBufferPointer(mutating: o), wrapped: true) == .m365AuditTeams {
            return .m365AuditTeams
        }
        return nil
    }
}
