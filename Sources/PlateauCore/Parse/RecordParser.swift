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
}

extension RecordParser {
    public mutating func adoptHeader(_ line: Line, _ ctx: ParseContext) {}
}

/// What every parser of one thread shares: where facts go, who is who, and the settings.
public final class ParseContext {
    /// Where facts go. A gzip reader points it at a scratch accumulator while a long member is
    /// read, and back once the member passed its check (`Ingest.readMembers`).
    public internal(set) var acc: Accumulator
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

    /// Slack for `written(_:)`: device clocks and zones mislabelled by hours.
    public static let clockSlack: Int64 = 2 * 86_400

    /// False for an instant after the file was last written (its modification time, plus
    /// `clockSlack`): a log cannot hold it, so the stamp is garbled — and one stamp in 2107
    /// would otherwise stretch every series of the review over 87 years.
    @inline(__always) public func written(_ t: Int64, modified: Int64? = nil) -> Bool {
        guard let m = modified ?? fileModified else { return true }
        return t <= m + ParseContext.clockSlack
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
