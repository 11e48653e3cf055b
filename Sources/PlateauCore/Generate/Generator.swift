import Foundation

/// The families of files `plateau generate` writes (FORMATS.md).
public enum FeedKind: String, CaseIterable, Sendable {
    case directory, meetings, proxy, zpa, vpn, vdi
}

public struct GeneratorOptions: Sendable {
    public var outputDirectory: String
    public var scale: Double = 1
    public var seed: UInt64 = 2020
    public var from = CivilDate(year: 2020, month: 1, day: 6)
    public var to = CivilDate(year: 2020, month: 5, day: 10)
    public var feeds = Set(FeedKind.allCases)
    /// Mean proxy transactions per active user and day (at least one each).
    public var proxyLinesPerUser: Double = 6
    /// The columns of the NSS CSV files (the JSON files keep theirs).
    public var proxyColumns: ProxyColumns = .narrow
    /// The VPN concentrators' vendor (`asa` keeps the seed organisation's logs); `mixed`: some
    /// BUs on GlobalProtect, FortiGate, Pulse and OpenVPN, and Citrix ICA for some VDI.
    public var vpnVendor: VPNVendor = .asa
    /// Gzip every file except the daily files of the last day (kept plain, as today's live
    /// logs are, so a demo can append to them).
    public var gzip = false
    /// Plant malformed lines (listed in the README the run writes).
    public var plantDefects = true
    /// Write README.md, plateau.toml and rules.toml next to the logs.
    public var writeDocuments = true

    public init(outputDirectory: String) { self.outputDirectory = outputDirectory }
}

/// The shape of the generated NSS CSV: NSS feeds are configured per customer, and a parser's
/// (or DuckDB's) cost depends on how many columns a line carries and where the user is.
public enum ProxyColumns: String, CaseIterable, Sendable {
    /// 10 columns: `datetime,user,department,location,hostname,url,action,reason,transactionsize,clientip`.
    case narrow
    /// 41 columns of Zscaler's SIEM web feed, in the order of a real sample (the user is the
    /// 18th, the department the 28th); one user agent holds a quoted comma.
    case wide
}

public struct GeneratorProgress: Sendable {
    public let daysDone: Int, daysTotal: Int
    public let bytesWritten: Int64
}

/// A malformed line the generator planted on purpose, for the README and the tests.
public struct PlantedDefect: Sendable, Equatable {
    public let file: String, line: Int, what: String
}

public struct GeneratorSummary: Sendable {
    public let files: [(path: String, format: String, bytes: Int64, lines: Int)]
    public let defects: [PlantedDefect]
    public let people: Int
    public let events: [String]
}

/// Writes every format of FORMATS.md for the fictional group, day by day, streaming.
public final class Generator {
    public let options: GeneratorOptions
    let population: Population
    let behaviour: Behaviour
    let files: OutputFiles
    var defects: [PlantedDefect] = []
    var events: [String] = []

    public init(_ options: GeneratorOptions) throws {
        guard options.scale > 0, options.scale.isFinite else { throw GeneratorError.badOption("--scale must be a positive number") }
        guard options.from <= options.to else { throw GeneratorError.badOption("--from must not be after --to") }
        guard options.proxyLinesPerUser >= 1 else { throw GeneratorError.badOption("--proxy-lines must be at least 1") }
        self.options = options
        population = Population(scale: options.scale, seed: options.seed)
        behaviour = Behaviour(population: population, from: options.from, to: options.to)
        files = OutputFiles(root: options.outputDirectory)
    }

    /// Whether a file covering `first...last` is gzipped: all of them with `--gzip`, except a
    /// daily file of the last day.
    func gzip(_ first: CivilDate, _ last: CivilDate) -> Bool { options.gzip && !(first == last && last == options.to) }

    func plant(_ f: LogFile, _ what: String) {
        defects.append(PlantedDefect(file: f.relativePath, line: f.nextLine, what: what))
    }

    public func run(progress: ((GeneratorProgress) -> Void)? = nil) throws -> GeneratorSummary {
        try FileManager.default.createDirectory(atPath: options.outputDirectory, withIntermediateDirectories: true)
        var feeds: [DailyFeed] = []
        if options.feeds.contains(.directory) { try DirectoryFeed(self).writeAll() }
        if options.feeds.contains(.meetings) { feeds.append(MeetingsFeed(self)) }
        if options.feeds.contains(.proxy) { feeds.append(ProxyFeedWriter(self)) }
        if options.feeds.contains(.zpa) { feeds.append(PrivateAccessFeed(self)) }
        if options.feeds.contains(.vpn) { feeds.append(VPNFeed(self)) }
        if options.feeds.contains(.vdi) { feeds.append(VDIFeed(self)) }
        let total = options.to - options.from + 1
        for i in 0..<total {
            let day = options.from.adding(days: i)
            for f in feeds { try f.write(day: day) }
            progress?(GeneratorProgress(daysDone: i + 1, daysTotal: total, bytesWritten: files.bytesSoFar))
        }
        for f in feeds { try f.finish() }
        try files.closeAll()
        if options.writeDocuments { try SampleDocuments(self).write() }
        return GeneratorSummary(files: files.written.sorted { $0.path < $1.path }, defects: defects,
                                people: population.count, events: events)
    }
}

public enum GeneratorError: Error, CustomStringConvertible, Equatable {
    case badOption(String)
    public var description: String {
        switch self { case .badOption(let m): return m }
    }
}

/// A feed writes its files one local day at a time, then flushes what is still pending.
protocol DailyFeed: AnyObject {
    func write(day: CivilDate) throws
    func finish() throws
}
