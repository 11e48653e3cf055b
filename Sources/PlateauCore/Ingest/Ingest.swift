#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization

/// read → parse → resolve → accumulate, for a list of discovered inputs. Directories are read
/// first (everything else resolves through them); then every other file — and every large
/// uncompressed file's byte ranges — parses in parallel, one accumulator per thread, merged
/// at the end.
public struct Ingest {
    public var settings: IngestSettings
    public var workers = max(1, System.coreCount)
    /// Uncompressed files larger than this are read as several ranges in parallel.
    public var splitSize: Int64 = 48 << 20

    public init(settings: IngestSettings) { self.settings = settings }

    struct Unit: Sendable {
        var input: Int
        var path: String
        var format: InputFormat?
        var custom: Int?
        var compressed: Bool
        var range: Range<Int64>?
        var header: [UInt8]?
        var part: Int
        var modified: Int64?
        var jsonLines = false
    }

    /// Documents among `discovered` (a README beside the logs) are not inputs: left out.
    public func run(_ given: [DiscoveredInput], progress: IngestProgress? = nil) -> IngestResult {
        let settings = self.settings
        let discovered = given.filter { !$0.document }
        var reports = discovered.map { d in
            InputReport(path: d.path, format: d.custom.map { settings.customSources[$0].name } ?? d.format?.rawValue, size: d.size)
        }
        for (i, d) in discovered.enumerated() where d.format == nil && d.custom == nil {
            reports[i].account.fileError = d.problem ?? (d.unreadable ? "cannot be read" : InputDiscovery.unknownFormat)
        }
        let units = BusinessUnits()
        // Phase 1: the directory.
        let builder = DirectoryBuilder(hasher: settings.hasher, units: units, pseudonyms: settings.pseudonyms)
        for (i, d) in discovered.enumerated() where d.format == .directory {
            let ctx = ParseContext(resolver: Resolver(directory: builder.directory, units: units), settings: settings)
            var parser = DirectoryParser(builder: builder)
            let u = Unit(input: i, path: d.path, format: .directory, compressed: d.compressed, part: 0)
            reports[i].account = Ingest.readUnit(u, parser: &parser, ctx: ctx, progress: progress)
        }
        builder.directory.finishPseudonyms(workers: workers)
        let directory = builder.directory

        // Phase 2: everything else, in parallel.
        var plan: [Unit] = []
        for (i, d) in discovered.enumerated() where d.format != .directory && (d.format != nil || d.custom != nil) {
            let modified = FileInfo.modificationTime(d.path)
            if !d.compressed, d.size > splitSize, Ingest.splittable(d), let header = FileInfo.firstLine(d.path) {
                var start: Int64 = 0, part = 0
                while start < d.size {
                    let end = min(d.size, start + splitSize)
                    plan.append(Unit(input: i, path: d.path, format: d.format, custom: d.custom, compressed: false,
                                     range: start..<end, header: part == 0 ? nil : header, part: part, modified: modified,
                                     jsonLines: d.jsonLines))
                    start = end; part += 1
                }
            } else {
                plan.append(Unit(input: i, path: d.path, format: d.format, custom: d.custom, compressed: d.compressed,
                                 part: 0, modified: modified, jsonLines: d.jsonLines))
            }
        }
        // Largest first, so the last unit to finish is a small one.
        let order = plan.indices.sorted { a, b in
            let sa: Int64 = plan[a].range.map { $0.upperBound - $0.lowerBound } ?? discovered[plan[a].input].size
            let sb: Int64 = plan[b].range.map { $0.upperBound - $0.lowerBound } ?? discovered[plan[b].input].size
            return sa != sb ? sa > sb : a < b
        }
        let next = Atomic<Int>(0)
        let accounts = Mutex<[Int: FileAccount]>([:])
        let accumulators = Mutex<[Accumulator]>([])
        let planned = plan
        let workerCount = max(1, min(workers, plan.count))
        DispatchQueue.concurrentPerform(iterations: workerCount) { _ in
            let acc = Accumulator(keepingSpans: settings.factSpans)
            let resolver = Resolver(directory: directory, units: units)
            while true {
                let k = next.add(1, ordering: .relaxed).oldValue
                guard k < order.count else { break }
                let u = planned[order[k]]
                // Each unit (about a day of one feed) fills a small accumulator that stays in
                // cache while the unit's lines repeat the same facts, then joins the thread's.
                // Its table starts at the size its bytes suggest (a fact per 512 bytes at most
                // read; a gzip file's text taken as 4 times its size), not growing 4–5 times.
                let bytes = u.range.map { $0.upperBound - $0.lowerBound } ?? discovered[u.input].size * (u.compressed ? 4 : 1)
                let capacity = Int(min(max(bytes / 512, 1 << 14), 1 << 18))
                // Call records: a meeting per 700 bytes (the generated records' average length),
                // so the unit's meetings do not grow their table 7 times from empty either.
                let meetings = u.format == .teamsCallRecords ? Int(min(bytes / 700, 1 << 20)) : 0
                var ctx = ParseContext(acc: Accumulator(keepingSpans: settings.factSpans, factCapacity: capacity,
                                                        meetingCapacity: meetings),
                                       resolver: resolver, settings: settings)
                ctx.fileModified = u.modified
                var account = Ingest.read(u, ctx: ctx, progress: progress)
                // Stamps far outside the bulk of the unit (a garbled year) would stretch every
                // series over the years between: read it again without them.
                if let outliers = ctx.stampDays.outliers() {
                    ctx = ParseContext(acc: Accumulator(keepingSpans: settings.factSpans), resolver: resolver, settings: settings)
                    ctx.fileModified = u.modified
                    ctx.excludedDays = outliers
                    account = Ingest.read(u, ctx: ctx, progress: nil)
                }
                acc.merge(ctx.acc)
                accounts.withLock { $0[order[k]] = account }
            }
            accumulators.withLock { $0.append(acc) }
        }
        // Chunks of one file add up in order, their line numbers offset by the lines before.
        let done = accounts.withLock { $0 }
        var lineOffsets: [Int: Int] = [:]
        for (k, u) in plan.enumerated() {
            guard let a = done[k] else { continue }
            let off = lineOffsets[u.input, default: 0]
            reports[u.input].account.append(a, lineOffset: off)
            lineOffsets[u.input] = off + a.lines
        }
        let all = accumulators.withLock { $0 }
        let merged = all.first ?? Accumulator(keepingSpans: settings.factSpans)
        for a in all.dropFirst() { merged.merge(a, workers: workers) }
        return IngestResult(inputs: reports, accumulator: merged, units: units, directory: directory, settings: settings)
    }

    static func splittable(_ d: DiscoveredInput) -> Bool {
        if d.custom != nil { return true }
        switch d.format {
        case .zscalerNSSCSV, .zscalerNSSJSON, .zpaUserStatus, .zpaUserActivity, .sessionsCSV, .teamsUserActivity: return true
        // Remote access (issue 17): one line at a time with no state. (OpenVPN logs keep the
        // syslog year state; a status file's rows need its TIME line.)
        case .panosGlobalProtect, .fortigateKV, .pulseSecure, .citrixADC: return true
        case .teamsCallRecords: return d.jsonLines
        case .entraSignIns, .m365AuditTeams, .commonSecurityLog: return d.jsonLines
        case .m365AuditCSV: return true
        default: return false  // syslog keeps year state; call records may be one JSON document
        }
    }

    /// Reads one unit with the parser its format calls for.
    static func read(_ u: Unit, ctx: ParseContext, progress: IngestProgress?) -> FileAccount {
        if let c = u.custom {
            var p = CustomSourceParser(ctx.settings.customSources[c], settings: ctx.settings)
            return readUnit(u, parser: &p, ctx: ctx, progress: progress)
        }
        switch u.format {
        case .zscalerNSSCSV: var p = NSSCSVParser(); return readUnit(u, parser: &p, ctx: ctx, progress: progress)
        case .zscalerNSSJSON: var p = NSSJSONParser(); return readUnit(u, parser: &p, ctx: ctx, progress: progress)
        case .teamsCallRecords:
            if u.jsonLines { var p = CallRecordLinesParser(); return readUnit(u, parser: &p, ctx: ctx, progress: progress) }
            var p = CallRecordsParser(); return readDocument(u, parser: &p, ctx: ctx, progress: progress)
        case .teamsUserActivity: var p = TeamsUserActivityParser(); return readUnit(u, parser: &p, ctx: ctx, progress: progress)
        case .teamsUserCounts: var p = TeamsUserCountsParser(); return readUnit(u, parser: &p, ctx: ctx, progress: progress)
        case .zpaUserStatus: var p = ZPAUserStatusParser(); return readUnit(u, parser: &p, ctx: ctx, progress: progress)
        case .zpaUserActivity: var p = ZPAUserActivityParser(); return readUnit(u, parser: &p, ctx: ctx, progress: progress)
        case .asaSyslog:
            var p = ASASyslogParser(settings: ctx.settings, fileModified: u.modified)
            return readUnit(u, parser: &p, ctx: ctx, progress: progress)
        case .sessionsCSV: var p = SessionsCSVParser(); return readUnit(u, parser: &p, ctx: ctx, progress: progress)
        // Remote access (issue 17).
        case .panosGlobalProtect: var p = GlobalProtectParser(settings: ctx.settings); return readUnit(u, parser: &p, ctx: ctx, progress: progress)
        case .fortigateKV: var p = FortiGateParser(settings: ctx.settings); return readUnit(u, parser: &p, ctx: ctx, progress: progress)
        case .pulseSecure: var p = PulseSecureParser(settings: ctx.settings); return readUnit(u, parser: &p, ctx: ctx, progress: progress)
        case .citrixADC: var p = CitrixADCParser(settings: ctx.settings); return readUnit(u, parser: &p, ctx: ctx, progress: progress)
        case .openVPNLog:
            var p = OpenVPNLogParser(settings: ctx.settings, fileModified: u.modified)
            return readUnit(u, parser: &p, ctx: ctx, progress: progress)
        case .openVPNStatus: var p = OpenVPNStatusParser(settings: ctx.settings); return readUnit(u, parser: &p, ctx: ctx, progress: progress)
        case .directory, .none: return FileAccount()
        // Identity and Teams (issue 17).
        case .entraSignIns:
            if u.jsonLines { var p = JSONLinesOf(EntraSignInParser()); return readUnit(u, parser: &p, ctx: ctx, progress: progress) }
            var p = EntraSignInParser()
            return readDocument(u, parser: &p, ctx: ctx, progress: progress, pageKeys: InputFormat.entraSignIns.pageKeys)
        case .m365AuditTeams:
            if u.jsonLines { var p = JSONLinesOf(M365AuditTeamsParser()); return readUnit(u, parser: &p, ctx: ctx, progress: progress) }
            var p = M365AuditTeamsParser()
            return readDocument(u, parser: &p, ctx: ctx, progress: progress, pageKeys: InputFormat.m365AuditTeams.pageKeys)
        case .teamsAttendance: return readAttendance(u, ctx: ctx, progress: progress)
        case .m365AuditCSV: var p = M365AuditCSVParser(); return readUnit(u, parser: &p, ctx: ctx, progress: progress)
        case .commonSecurityLog:
            if u.jsonLines { var p = JSONLinesOf(CommonSecurityLogParser()); return readUnit(u, parser: &p, ctx: ctx, progress: progress) }
            var p = CommonSecurityLogParser()
            return readDocument(u, parser: &p, ctx: ctx, progress: progress, pageKeys: InputFormat.commonSecurityLog.pageKeys)
        }
    }

    /// A Teams attendance report, read whole (`TeamsAttendanceReader`): UTF-16 is decoded, and
    /// the meeting is known once every row is read.
    static func readAttendance(_ u: Unit, ctx: ParseContext, progress: IngestProgress?) -> FileAccount {
        var reader = TeamsAttendanceReader()
        do {
            try FileReader.read(u.path, compressed: u.compressed, range: nil, progress: { progress?.add($0) }) { chunk in
                reader.feed(UnsafeRawBufferPointer(chunk))
            }
        } catch {
            var account = reader.finish(ctx)
            account.fileError = "\(error)"
            return account
        }
        return reader.finish(ctx)
    }

    /// Line-oriented reading: frame, parse, account.
    static func readUnit<P: RecordParser>(_ u: Unit, parser: inout P, ctx: ParseContext, progress: IngestProgress?) -> FileAccount {
        if u.compressed { return readGzipLines(u, parser: &parser, ctx: ctx, progress: progress) }
        var account = FileAccount()
        var framer = LineFramer()
        if var h = u.header { h.withUnsafeMutableBytes { parser.adoptHeader($0, ctx) } }
        do {
            try FileReader.read(u.path, compressed: u.compressed, range: u.range, progress: { progress?.add($0) }) { chunk in
                framer.feed(chunk, { line, n in account.count(parser.parse(line, number: n, ctx), line: n) },
                            overlong: { n in account.count(.skipped(Reasons.lineTooLong), line: n) })
                parser.flush(ctx)
            }
        } catch {
            parser.flush(ctx)
            account.fileError = "\(error)"
            // The data stopped in the middle of a line: it is not a record.
            framer.finish({ _, n in account.count(.skipped(Reasons.cutShort), line: n) },
                          overlong: { n in account.count(.skipped(Reasons.lineTooLong), line: n) })
            return account
        }
        framer.finish({ line, n in account.count(parser.parse(line, number: n, ctx), line: n) },
                      overlong: { n in account.count(.skipped(Reasons.lineTooLong), line: n) })
        parser.flush(ctx)
        return account
    }
}

public enum System {
    public static var coreCount: Int {
        #if canImport(Glibc)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 2
        #endif
    }
}

extension Ingest {
    /// JSON-document reading (call records: JSON lines, Graph pages, arrays): each element
    /// object is a record, accounted on the line where it starts; lines that start no element
    /// are structure (headers). In a gzip file, the records of a member that fails its check
    /// are skipped ("gzip member failed its check"); the splitter reads on across members as
    /// one stream, so a record that a damaged member cut is reported as it finds it.
    static func readDocument<P: RecordParser>(_ u: Unit, parser: inout P, ctx: ParseContext, progress: IngestProgress?,
                                              pageKeys: [StaticString] = []) -> FileAccount {
        var account = FileAccount()
        var splitter = JSONDocumentSplitter(pageKeys: pageKeys)
        var elementLines = Set<Int>()
        var damagedBy: Reason?  // the events come from a member that failed (or was cut short)
        var current = ctx  // a long gzip member's own context, while it is read
        // At the start of a long gzip member: the parser and the account, and the records
        // counted since (how many, and the lines of the first few, for examples).
        var mark: (parser: P, account: FileAccount)?
        var sinceMark = 0
        var linesSinceMark: [Int] = []
        func handle(_ e: JSONDocumentSplitter.Event) {
            let n: Int
            switch e {
            case .element(let line, let at):
                n = at
                account.countElement(damagedBy.map { .skipped($0) } ?? parser.parse(line, number: at, current), line: at)
            case .skipped(let reason, let at):
                n = at
                account.countElement(.skipped(damagedBy ?? reason), line: at)
            }
            elementLines.insert(n)
            if mark != nil {
                sinceMark += 1
                if linesSinceMark.count < FileAccount.maxExamples { linesSinceMark.append(n) }
            }
        }
        if u.compressed {
            func take(_ b: UnsafeMutableRawBufferPointer, _ c: ParseContext) { current = c; splitter.feed(b, handle); parser.flush(c); current = ctx }
            func damaged(_ b: UnsafeMutableRawBufferPointer, _ why: Reason) { damagedBy = why; splitter.feed(b, handle); damagedBy = nil }
            func begin() { mark = (parser, account); sinceMark = 0; linesSinceMark = [] }
            func failed(_ why: Reason) {
                guard let m = mark else { return }
                mark = nil
                parser = m.parser
                account = m.account
                for n in linesSinceMark { account.countElement(.skipped(why), line: n) }
                account.skippedReasons[why.text, default: 0] += sinceMark - linesSinceMark.count
            }
            func verified(_ last: UInt8?) { mark = nil }
            account.fileError = readMembers(u.path, ctx: ctx, progress: progress, take: take, damaged: damaged,
                                            begin: begin, failed: failed, verified: verified)
        } else {
            do {
                try FileReader.read(u.path, compressed: false, range: u.range, progress: { progress?.add($0) }) { chunk in
                    splitter.feed(chunk, handle)
                }
            } catch {
                account.fileError = "\(error)"
            }
        }
        splitter.finish(handle)
        parser.flush(ctx)
        account.lines = splitter.physicalLines
        account.headers = max(0, splitter.physicalLines - elementLines.count)
        return account
    }
}
