/// A line is handed to a parser as a mutable slice of the read buffer (terminator and CR
/// removed), so fields can be unescaped in place without copying.
public typealias Line = UnsafeMutableRawBufferPointer

/// A parser of one input format. One instance reads one file (or one chunk of a large file)
/// line by line and adds what it finds to the context's accumulator. To plug in a new
/// format: conform to this protocol and add one line to `ParserRegistry.make`.
public protocol RecordParser {
    /// Parses one line; `number` is 1-based within the file (or chunk).
    mutating func parse(_ line: Line, number: Int, _ ctx: ParseContext) -> LineOutcome
    /// Chunks after the first of a split file get the file's header line first.
    mutating func adoptHeader(_ line: Line, _ ctx: ParseContext)
    /// Adds to `ctx` what the records parsed so far still hold back. A parser may keep the
    /// effects of its last few records (never their outcomes: `parse` returns each line's at
    /// once) to look their people up ahead of use (`UserPipeline`); whoever feeds it lines
    /// calls this after each chunk it feeds (and so before `ctx.acc` is read or the parser's
    /// state copied).
    mutating func flush(_ ctx: ParseContext)
}

extension RecordParser {
    public mutating func adoptHeader(_ line: Line, _ ctx: ParseContext) {}
    public mutating func flush(_ ctx: ParseContext) {}
}

/// What every parser of one thread shares: where facts go, who is who, and the settings.
public final class ParseContext {
    public let acc: Accumulator
    public let resolver: Resolver
    public let settings: IngestSettings
    /// The file being read (for year-less syslog stamps: its modification time).
    public var fileModified: Int64?

    /// `acc` nil: a new accumulator that keeps what `settings` asks for (spans or not), so it
    /// merges with the others of the same ingest.
    public init(acc: Accumulator? = nil, resolver: Resolver, settings: IngestSettings) {
        self.acc = acc ?? Accumulator(keepingSpans: settings.factSpans)
        self.resolver = resolver
        self.settings = settings
    }

    @inline(__always) public func day(_ t: Int64) -> Int { settings.timezone.localDay(t) }

    /// A context like this one whose facts go to a fresh accumulator (a long gzip member's,
    /// kept aside until its check: `Ingest.readMembers`).
    func aside() -> ParseContext {
        let c = ParseContext(acc: Accumulator(keepingSpans: acc.spans != nil), resolver: resolver, settings: settings)
        c.fileModified = fileModified
        c.excludedDays = excludedDays
        return c
    }

    /// Takes over what a context made by `aside()` gathered: its facts and its stamps' days.
    func join(_ other: ParseContext) {
        acc.merge(other.acc)
        stampDays.merge(other.stampDays)
    }

    /// Slack for `stampProblem(_:)`: device clocks and zones mislabelled by hours.
    public static let clockSlack: Int64 = 2 * 86_400

    /// UTC days (days since 1970) whose records are skipped as far outside the rest of their
    /// unit (`StampDays.outliers()`): set for the second reading of such a unit.
    @exclusivity(unchecked) public var excludedDays: Set<Int32>?
    /// The UTC days of the stamps checked so far (this unit's), for `StampDays.outliers()`.
    /// (A context serves one thread; no access check per record.)
    @exclusivity(unchecked) public var stampDays = StampDays()

    /// Why a record's time stamps cannot be counted, or nil. `t` is its latest instant,
    /// `start` its earliest (default `t`). Every record-reading parser asks, so that
    /// - an instant after the file was last written (its modification time, plus `clockSlack`)
    ///   is skipped: a log cannot hold it, so the stamp is garbled — and one stamp in 2107
    ///   would otherwise stretch every series of the review over 87 years;
    /// - a record that starts before `[input] earliest` (plateau.toml) is skipped;
    /// - a stamp on a day the unit's other stamps are far from (`excludedDays`) is skipped.
    /// The stamp's UTC day is tallied (`stampDays`): the hot path is one compare and one add.
    @inline(__always)
    public func stampProblem(_ t: Int64, from start: Int64? = nil, modified: Int64? = nil) -> Reason? {
        if let m = modified ?? fileModified, t > m + ParseContext.clockSlack { return Reasons.afterFile }
        if (start ?? t) < settings.earliest { return Reasons.beforeEarliest }
        if let r = settings.storable, !(r.contains(t) && r.contains(start ?? t)) { return Reasons.notStorable }
        let day = StampDays.utcDay(t)
        stampDays.add(day)
        if let x = excludedDays, x.contains(day) { return Reasons.farOutside }
        return nil
    }

    /// The same for a record known by its date alone (a usage report's day): after the file if
    /// that day began after it anywhere on Earth (UTC+14); before `earliest` by the date.
    @inline(__always)
    public func stampProblem(date: CivilDate) -> Reason? {
        if let m = fileModified, date.epochSecondsUTC - 14 * 3600 > m + ParseContext.clockSlack { return Reasons.afterFile }
        if date.day < settings.earliestDay { return Reasons.beforeEarliest }
        if let r = settings.storable, !r.contains(date.epochSecondsUTC) { return Reasons.notStorable }
        let day = Int32(truncatingIfNeeded: date.day)
        stampDays.add(day)
        if let x = excludedDays, x.contains(day) { return Reasons.farOutside }
        return nil
    }
}

/// A tally of the UTC days of a unit's time stamps (a file, or a byte range of a large one),
/// to find stamps far from the bulk of their unit. Stamps come in runs of one day (logs are
/// written in time order), so the current day is counted apart and the table touched only when
/// the day changes.
public struct StampDays: Sendable {
    private var day: Int32 = .min
    private var run = 0
    private var days: [Int32: Int] = [:]

    public init() {}

    @inline(__always) static func utcDay(_ t: Int64) -> Int32 {
        Int32(truncatingIfNeeded: t >= 0 ? t / 86_400 : (t - 86_399) / 86_400)
    }

    @inline(__always) mutating func add(_ d: Int32) {
        if d == day { run += 1; return }
        if run > 0 { days[day, default: 0] += run }
        day = d
        run = 1
    }

    mutating func merge(_ o: StampDays) {
        for (d, n) in o.counts { days[d, default: 0] += n }
    }

    /// Stamps per UTC day.
    public var counts: [Int32: Int] {
        var c = days
        if run > 0 { c[day, default: 0] += run }
        return c
    }

    /// Days more than this far from the other stamps start a new cluster.
    public static let gapDays: Int32 = 31
    /// A cluster holding less than this share of the stamps (and not the largest) is an outlier.
    public static let outlierShare = 0.01

    /// The days of the stamps far outside the bulk: the days are cut into clusters wherever
    /// more than `gapDays` days hold no stamp, and every cluster holding less than 1 % of the
    /// stamps, other than the largest, is outside. Nil when there is none (the usual case).
    public func outliers() -> Set<Int32>? {
        let c = counts
        guard c.count > 1 else { return nil }
        let sorted = c.keys.sorted()
        guard let first = sorted.first, let last = sorted.last, last - first > StampDays.gapDays else { return nil }
        var clusters: [(days: ArraySlice<Int32>, stamps: Int)] = []
        var from = 0
        for i in 1...sorted.count {
            if i == sorted.count || sorted[i] - sorted[i - 1] > StampDays.gapDays {
                let slice = sorted[from..<i]
                clusters.append((slice, slice.reduce(0) { $0 + c[$1]! }))
                from = i
            }
        }
        guard clusters.count > 1 else { return nil }
        let total = clusters.reduce(0) { $0 + $1.stamps }
        let largest = clusters.indices.max { clusters[$0].stamps < clusters[$1].stamps }!
        var out = Set<Int32>()
        for (i, cl) in clusters.enumerated() where i != largest && Double(cl.stamps) < StampDays.outlierShare * Double(total) {
            out.formUnion(cl.days)
        }
        return out.isEmpty ? nil : out
    }
}

/// The ingest settings that come from the command line and plateau.toml.
public struct IngestSettings: Sendable {
    /// The zone whose calendar dates are the days (`--tz`).
    public var timezone: TimeZoneRules = .utc
    /// NSS locations that mean off-network (lower-cased hashes; a handful, so a linear scan).
    public var remoteLocations: RemoteLocations
    /// Zones of sources whose stamps carry no offset (syslog: default `timezone`).
    public var sourceZones: [String: TimeZoneRules] = [:]
    /// The year of year-less syslog stamps, per source name (`vpn`) or for all (`*`).
    public var sourceYears: [String: Int] = [:]
    /// A session whose end was never seen is closed after this long.
    public var maxSessionSeconds: Int64 = 24 * 3600
    public var customSources: [CustomSource] = []
    public let hasher: IdentityHasher
    /// With a secret key: people are keyed by their pseudonyms (`PersonPseudonyms`), as the
    /// store keeps them; nil: by directory index and identity hash (in memory only).
    public var pseudonyms: PersonPseudonyms?
    /// Keep when each fact happened (`FactSpans`), for a database that computes local days in
    /// any zone (`ingest --to clickhouse://`); costs memory, so off unless asked for.
    public var factSpans = false
    /// `[input] earliest` of plateau.toml: records that start before it are skipped. The
    /// instant its day begins in `timezone`, and the day (for records known by their date).
    public var earliest: Int64 = .min
    public var earliestDay: Int = .min
    /// The instants the destination can hold (ClickHouse's `DateTime`: 1970-01-01 to
    /// 2106-02-07); a record with a stamp outside is a skipped line, not a load that traps.
    /// Nil: any (in memory, the store).
    public var storable: ClosedRange<Int64>?

    public init(hasher: IdentityHasher = IdentityHasher(), remoteLocations: [String] = ["Road Warrior"]) {
        self.hasher = hasher
        self.remoteLocations = RemoteLocations(remoteLocations.map { hasher.hash($0) })
    }

    public mutating func setRemoteLocations(_ names: [String]) {
        remoteLocations = RemoteLocations(names.map { hasher.hash($0.trimmingSpaces) })
    }

    /// The zone of stamps without an offset for a source family (`vpn`, `proxy`, ...).
    public func zone(for source: String) -> TimeZoneRules { sourceZones[source] ?? sourceZones["*"] ?? timezone }
    public func year(for source: String) -> Int? { sourceYears[source] ?? sourceYears["*"] }
}

/// Common reasons, shared so tallies group them.
public enum Reasons {
    public static let badTime = Reason("bad time stamp")
    public static let noTime = Reason("no time stamp")
    public static let impossibleDate = Reason("impossible date")
    public static let missingUser = Reason("no user")
    public static let afterFile = Reason("time stamp after the file was last written")
    public static let beforeEarliest = Reason("time stamp before the configured earliest date")
    public static let farOutside = Reason("time stamp far outside the rest of its file")
    public static let notStorable = Reason("time stamp outside what ClickHouse's DateTime holds (1970 to 2106)")
    public static let missingColumns = Reason("missing columns")
    public static let unterminatedQuote = Reason("unterminated quoted field")
    public static let truncatedJSON = Reason("truncated JSON")
    public static let malformedJSON = Reason("malformed JSON")
    public static let notAnObject = Reason("JSON value is not an object")
    public static let textAfterValue = Reason("text after the JSON value")
    public static let noHeader = Reason("no header line")
    public static let lineTooLong = Reason("line longer than the 16 MiB limit")
    public static let cutShort = Reason("line cut short by the end of the data")
    public static let sessionTooLong = Reason("session longer than 31 days")
    /// Closed sessions longer than this are not believed (a garbled end or duration).
    public static let maxClosedSession: Int64 = 31 * 86_400
}

/// The hashes of the remote location names: few, so a scan beats hashing the hash again.
public struct RemoteLocations: Sendable {
    private let hashes: [UInt64]
    public init(_ hashes: [UInt64]) { self.hashes = hashes }
    @inline(__always)
    public func contains(_ h: UInt64) -> Bool {
        for x in hashes where x == h { return true }
        return false
    }
}
