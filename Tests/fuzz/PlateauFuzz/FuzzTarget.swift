import PlateauCore

/// One libFuzzer target: a name (the corpus folder `Tests/fuzz/corpus/<name>/`) and a function
/// that runs one input through a stage of plateau and checks properties of the result (a
/// failed check stops the process, which libFuzzer records as a crash with its input).
public struct FuzzTarget: Sendable {
    public let name: String
    public let run: @Sendable (UnsafeRawBufferPointer) -> Void

    public init(_ name: String, _ run: @escaping @Sendable (UnsafeRawBufferPointer) -> Void) {
        self.name = name
        self.run = run
    }
}

/// Every target. To add one: write a `static let` returning a `FuzzTarget` (a new record
/// parser is one line: `FuzzTargets.lines("my-format") { MyParser() }`), list it here, and
/// seed `Tests/fuzz/corpus/<name>/` with a few small real inputs.
public enum FuzzTargets {
    public static let all: [FuzzTarget] = [
        // Record parsers, through the line framer (FORMATS.md).
        lines("parser-nss-csv") { _ in NSSCSVParser() },
        lines("parser-nss-json") { _ in NSSJSONParser() },
        lines("parser-callrecord-lines") { _ in CallRecordLinesParser() },
        document("parser-callrecords-document") { CallRecordsParser() },
        lines("parser-teams-activity") { _ in TeamsUserActivityParser() },
        lines("parser-teams-counts") { _ in TeamsUserCountsParser() },
        lines("parser-zpa-status") { _ in ZPAUserStatusParser() },
        lines("parser-zpa-activity") { _ in ZPAUserActivityParser() },
        lines("parser-asa-syslog") { s in ASASyslogParser(settings: s, fileModified: FuzzTargets.modified) },
        lines("parser-sessions-csv") { _ in SessionsCSVParser() },
        lines("parser-directory") { s in DirectoryParser(builder: DirectoryBuilder(hasher: s.hasher, units: BusinessUnits())) },
        // Remote access and identity (issue 17).
        lines("parser-globalprotect") { s in GlobalProtectParser(settings: s) },
        lines("parser-fortigate") { s in FortiGateParser(settings: s) },
        lines("parser-pulse") { s in PulseSecureParser(settings: s) },
        lines("parser-citrix") { s in CitrixADCParser(settings: s) },
        lines("parser-openvpn-log") { s in OpenVPNLogParser(settings: s, fileModified: FuzzTargets.modified) },
        lines("parser-openvpn-status") { s in OpenVPNStatusParser(settings: s) },
        lines("parser-entra-lines") { _ in JSONLinesOf(EntraSignInParser()) },
        lines("parser-m365-audit-lines") { _ in JSONLinesOf(M365AuditTeamsParser()) },
        lines("parser-m365-audit-csv") { _ in M365AuditCSVParser() },
        document("parser-commonsecuritylog") { CommonSecurityLogParser() },
        // The stages around them.
        sniffer, framer, gzip, jsonSplitter, config, rules, follow,
    ]

    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

    /// The files' modification time the parsers are given (2021-01-01): later stamps are skipped.
    static let modified: Int64 = 1_609_459_200
}

/// Stops the process when a property does not hold: libFuzzer keeps the input as a crash.
@inline(__always)
func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
           file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError("property failed: \(message())", file: file, line: line) }
}

/// A small deterministic generator seeded from the input, for chunk sizes and split points
/// ("a point taken from the input" that does not consume the input's bytes).
struct InputRandom {
    private var state: UInt64
    init(_ bytes: UnsafeRawBufferPointer) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        state = h
    }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// 0 ..< n (0 when n is 0).
    mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
}

/// Feeds `bytes` (a private copy: parsers unescape in place) in pieces whose sizes `piece`
/// chooses (given what is left).
func feedInPieces(_ bytes: [UInt8], _ piece: (Int) -> Int, _ feed: (UnsafeMutableRawBufferPointer) -> Void) {
    var copy = bytes
    copy.withUnsafeMutableBytes { raw in
        var i = 0
        while i < raw.count {
            let n = max(1, min(piece(raw.count - i), raw.count - i))
            feed(UnsafeMutableRawBufferPointer(rebasing: raw[i..<(i + n)]))
            i += n
        }
    }
}
