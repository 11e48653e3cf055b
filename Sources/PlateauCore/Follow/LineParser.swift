/// The parser of one followed file, kept from poll to poll: a CSV keeps its header, the
/// syslog parser its year state. An enum of the concrete parsers (not `any RecordParser`), so
/// the per-line loop is specialised for each format, as in a batch ingest.
enum LineParser {
    case directory(DirectoryParser)
    case nssCSV(NSSCSVParser)
    case nssJSON(NSSJSONParser)
    case callRecordLines(CallRecordLinesParser)
    case teamsUserActivity(TeamsUserActivityParser)
    case teamsUserCounts(TeamsUserCountsParser)
    case zpaUserStatus(ZPAUserStatusParser)
    case zpaUserActivity(ZPAUserActivityParser)
    case asaSyslog(ASASyslogParser)
    case sessionsCSV(SessionsCSVParser)
    case custom(CustomSourceParser)
    // Remote access (issue 17).
    case globalProtect(GlobalProtectParser)
    case fortigate(FortiGateParser)
    case pulse(PulseSecureParser)
    case citrix(CitrixADCParser)
    case openVPNLog(OpenVPNLogParser)
    case openVPNStatus(OpenVPNStatusParser)
    // Identity and Teams (issue 17).
    case entraLines(JSONLinesOf<EntraSignInParser>)
    case auditLines(JSONLinesOf<M365AuditTeamsParser>)
    case auditCSV(M365AuditCSVParser)
    case commonSecurityLogLines(JSONLinesOf<CommonSecurityLogParser>)

    /// The parser of a line-oriented format; nil for JSON documents and unknown formats.
    static func make(format: InputFormat?, custom: Int?, jsonLines: Bool, settings: IngestSettings,
                     directory: DirectoryBuilder) -> LineParser? {
        if let c = custom { return .custom(CustomSourceParser(settings.customSources[c], settings: settings)) }
        switch format {
        case .directory: return .directory(DirectoryParser(builder: directory))
        case .zscalerNSSCSV: return .nssCSV(NSSCSVParser())
        case .zscalerNSSJSON: return .nssJSON(NSSJSONParser())
        case .teamsCallRecords: return jsonLines ? .callRecordLines(CallRecordLinesParser()) : nil
        case .teamsUserActivity: return .teamsUserActivity(TeamsUserActivityParser())
        case .teamsUserCounts: return .teamsUserCounts(TeamsUserCountsParser())
        case .zpaUserStatus: return .zpaUserStatus(ZPAUserStatusParser())
        case .zpaUserActivity: return .zpaUserActivity(ZPAUserActivityParser())
        // The file's modification time comes from the context at each read (year-less stamps).
        case .asaSyslog: return .asaSyslog(ASASyslogParser(settings: settings))
        case .sessionsCSV: return .sessionsCSV(SessionsCSVParser())
        case .panosGlobalProtect: return .globalProtect(GlobalProtectParser(settings: settings))
        case .fortigateKV: return .fortigate(FortiGateParser(settings: settings))
        case .pulseSecure: return .pulse(PulseSecureParser(settings: settings))
        case .citrixADC: return .citrix(CitrixADCParser(settings: settings))
        case .openVPNLog: return .openVPNLog(OpenVPNLogParser(settings: settings))
        case .openVPNStatus: return .openVPNStatus(OpenVPNStatusParser(settings: settings))
        case .none: return nil
        case .entraSignIns: return jsonLines ? .entraLines(JSONLinesOf(EntraSignInParser())) : nil
        case .m365AuditTeams: return jsonLines ? .auditLines(JSONLinesOf(M365AuditTeamsParser())) : nil
        case .teamsAttendance: return nil  // read whole (a document)
        case .m365AuditCSV: return .auditCSV(M365AuditCSVParser())
        case .commonSecurityLog: return jsonLines ? .commonSecurityLogLines(JSONLinesOf(CommonSecurityLogParser())) : nil
        }
    }

    /// Frames `chunk` into lines and parses every complete one; a line still open at the end
    /// of the chunk stays in the framer.
    mutating func feed(_ chunk: UnsafeMutableRawBufferPointer, _ framer: inout LineFramer,
                       _ account: inout FileAccount, _ ctx: ParseContext) {
        switch self {
        case .directory(var p): LineParser.run(&p, chunk, &framer, &account, ctx); self = .directory(p)
        case .nssCSV(var p): LineParser.run(&p, chunk, &framer, &account, ctx); self = .nssCSV(p)
        case .nssJSON(var p): LineParser.run(&p, chunk, &framer, &account, ctx); self = .nssJSON(p)
        case .callRecordLines(var p): LineParser.run(&p, chunk, &framer, &account, ctx); self = .callRecordLines(p)
        case .teamsUserActivity(var p): LineParser.run(&p, chunk, &framer, &account, ctx); self = .teamsUserActivity(p)
        case .teamsUserCounts(var p): LineParser.run(&p, chunk, &framer, &account, ctx); self = .teamsUserCounts(p)
        case .zpaUserStatus(var p): LineParser.run(&p, chunk, &framer, &account, ctx); self = .zpaUserStatus(p)
        case .zpaUserActivity(var p): LineParser.run(&p, chunk, &framer, &account, ctx); self = .zpaUserActivity(p)
        case .asaSyslog(var p): LineParser.run(&p, chunk, &framer, &account, ctx); self = .asaSyslog(p)
        case .sessionsCSV(var p): LineParser.run(&p, chunk, &framer, &account, ctx); self = .sessionsCSV(p)
        case .custom(var p): LineParser.run(&p, chunk, &framer, &account, ctx); self = .custom(p)
        case .globalProtect(var p): LineParser.run(&p, chunk, &framer, &account, ctx); self = .globalProtect(p)
        case .fortigate(var p): LineParser.run(&p, chunk, &framer, &account, ctx); self = .fortigate(p)
        case .pulse(var p): LineParser.run(&p, chunk, &framer, &account, ctx); self = .pulse(p)
        case .citrix(var p): LineParser.run(&p, chunk, &framer, &account, ctx); self = .citrix(p)
        case .openVPNLog(var p): LineParser.run(&p, chunk, &framer, &account, ctx); self = .openVPNLog(p)
        case .openVPNStatus(var p): LineParser.run(&p, chunk, &framer, &account, ctx); self = .openVPNStatus(p)
        case .entraLines(var p): LineParser.run(&p, chunk, &framer, &account, ctx); self = .entraLines(p)
        case .auditLines(var p): LineParser.run(&p, chunk, &framer, &account, ctx); self = .auditLines(p)
        case .auditCSV(var p): LineParser.run(&p, chunk, &framer, &account, ctx); self = .auditCSV(p)
        case .commonSecurityLogLines(var p): LineParser.run(&p, chunk, &framer, &account, ctx); self = .commonSecurityLogLines(p)
        }
    }

    /// State a store keeps between runs beyond the header (which is read again from the file):
    /// the syslog year state.
    var persistentState: [Int64]? {
        get { if case .asaSyslog(let p) = self { return p.yearState }; return nil }
        set {
            guard let v = newValue, case .asaSyslog(var p) = self else { return }
            p.yearState = v
            self = .asaSyslog(p)
        }
    }

    /// A stream resumed past its first line: CSV parsers take their header from it.
    mutating func adoptHeader(_ line: Line, _ ctx: ParseContext) {
        switch self {
        case .directory(var p): p.adoptHeader(line, ctx); self = .directory(p)
        case .nssCSV(var p): p.adoptHeader(line, ctx); self = .nssCSV(p)
        case .teamsUserActivity(var p): p.adoptHeader(line, ctx); self = .teamsUserActivity(p)
        case .teamsUserCounts(var p): p.adoptHeader(line, ctx); self = .teamsUserCounts(p)
        case .sessionsCSV(var p): p.adoptHeader(line, ctx); self = .sessionsCSV(p)
        case .custom(var p): p.adoptHeader(line, ctx); self = .custom(p)
        case .nssJSON, .callRecordLines, .zpaUserStatus, .zpaUserActivity, .asaSyslog: break
        case .globalProtect, .fortigate, .pulse, .citrix, .openVPNLog, .openVPNStatus: break
        case .auditCSV(var p): p.adoptHeader(line, ctx); self = .auditCSV(p)
        case .entraLines, .auditLines, .commonSecurityLogLines: break
        }
    }

    @inline(__always)
    private static func run<P: RecordParser>(_ p: inout P, _ chunk: UnsafeMutableRawBufferPointer, _ framer: inout LineFramer,
                                             _ account: inout FileAccount, _ ctx: ParseContext) {
        framer.feed(chunk, { line, n in account.count(p.parse(line, number: n, ctx), line: n) },
                    overlong: { n in account.count(.skipped(Reasons.lineTooLong), line: n) })
        p.flush(ctx)
    }
}
