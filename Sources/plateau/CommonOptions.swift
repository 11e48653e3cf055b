import ArgumentParser
import Foundation
import PlateauCore

/// Options every reading command takes (DESIGN.md, "Commands").
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Time zone whose calendar days are counted (IANA name; default: the config's, else TZ, else UTC).", valueName: "ZONE"))
    var tz: String?

    @Option(name: .long, help: ArgumentHelp("plateau.toml to use (default: plateau.toml in the first PATH, else $XDG_CONFIG_HOME/plateau/plateau.toml).", valueName: "FILE"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Privacy threshold: cells of 1 to K-1 people are suppressed.", valueName: "K"))
    var minGroup: Int = 5

    @Option(name: .long, help: ArgumentHelp("The year of year-less syslog stamps (default: the config's, else each file's modification time).", valueName: "YEAR"))
    var year: Int?

    @Option(name: .long, help: ArgumentHelp("The persistent store (SQLite) to read, after ingesting PATHs into it; 'default' is $XDG_DATA_HOME/plateau/plateau.db.", valueName: "FILE"))
    var store: String?

    @Option(name: .long, help: ArgumentHelp("With --store: drop stored days older than the newest N days.", valueName: "N"))
    var keepDays: Int?

    @Flag(name: .long, help: "Nothing but errors on stderr: no progress line, no notice of files in no known format; ingest prints no report either.")
    var quiet = false

    @Option(name: .long, help: ArgumentHelp("Read the daily rollups from ClickHouse instead of PATHs: clickhouse://[user[:password]@]host:port/database[?cluster=NAME]; `env` (or an empty value) takes PLATEAU_CLICKHOUSE_URL.", valueName: "URL"))
    var source: String?

    @Flag(name: .long, help: "Timings, the first skipped lines of every file, and every file not read (no known format, documents) on stderr.")
    var verbose = false

    func validate() throws {
        guard minGroup >= 1 else { throw ValidationError("--min-group must be at least 1") }
        if let keepDays, keepDays < 1 { throw ValidationError("--keep-days must be at least 1") }
        if let year, !TimeParsing.plausibleYears.contains(year) {
            throw ValidationError("--year \(year) is not a plausible year (\(TimeParsing.plausibleYears.lowerBound)…\(TimeParsing.plausibleYears.upperBound))")
        }
    }
}

/// Config, time zone, discovery and ingest, as every reading command does them.
struct Pipeline {
    let config: PlateauConfig
    let timezone: TimeZoneRules
    let inputs: [InputReport]
    var rollups: Rollups

    /// The config, the time zone and the ingest settings the options and the config call for.
    struct Setup {
        var config: PlateauConfig
        var timezone: TimeZoneRules
        var settings: IngestSettings
        /// Files discovery leaves out (the config and its rules file are not logs).
        var exclude: Set<String>
    }

    /// `exclude`: more files that are not inputs (a rules file given with `--rules`).
    static func setup(paths: [String], options: CommonOptions, exclude more: [String] = []) throws -> Setup {
        let env = ProcessInfo.processInfo.environment
        var config = PlateauConfig()
        if let path = PlateauConfig.locate(explicit: options.config, paths: paths, environment: env) {
            config = try PlateauConfig.load(path: path)
        }
        let zoneName = options.tz ?? config.timezone ?? env["TZ"].flatMap { TimeZoneRules(identifier: $0) != nil ? $0 : nil } ?? "UTC"
        // Any case (`europe/paris`): the zone is then named as the system spells it.
        guard let tz = TimeZoneRules(anyCase: zoneName) else {
            throw UsageError(message: "--tz: " + NameSuggestions.unknown("time zone", zoneName, TimeZoneRules.knownIdentifiers, limit: 5))
        }
        var exclude = Set<String>()
        if let p = config.path {
            exclude.insert(FileInfo.canonical(p))
            let dir = (p as NSString).deletingLastPathComponent
            exclude.insert(FileInfo.canonical((dir.isEmpty ? "." : dir) + "/rules.toml"))
        }
        for path in more { exclude.insert(FileInfo.canonical(path)) }
        var settings = config.settings(timezone: tz)
        if let y = options.year { settings.sourceYears = ["*": y] }  // the command line wins
        settings.pseudonyms = try StoreWiring.pseudonyms(create: options.store != nil)
        return Setup(config: config, timezone: tz, settings: settings, exclude: exclude)
    }

    static func run(paths: [String], options: CommonOptions, exclude more: [String] = []) throws -> Pipeline {
        if options.source != nil { return try fromClickHouse(options: options) }
        let s = try setup(paths: paths, options: options, exclude: more)
        if options.store != nil { return try StoreWiring.pipeline(paths: paths, options: options, setup: s) }
        let (config, tz, exclude, settings) = (s.config, s.timezone, s.exclude, s.settings)
        let t0 = Date()
        let (discovered, documents) = try InputDiscovery.discoverAll(paths, custom: config.customSources, exclude: exclude)
        let t1 = Date()
        let total = discovered.reduce(Int64(0)) { $0 + $1.size }
        let progress = IngestProgress(totalBytes: total)
        let meter = ProgressMeter(enabled: !options.quiet, unit: "bytes")
        let ingest = Ingest(settings: settings)
        let result: IngestResult = withProgress(progress, meter) { ingest.run(discovered, progress: progress) }
        let t2 = Date()
        let rollups = RollupBuilder.build(result)
        let t3 = Date()
        if options.verbose {
            let secs = max(t2.timeIntervalSince(t1), 0.001)
            let lines = result.inputs.reduce(0) { $0 + $1.account.lines }
            warn(String(format: "%d files (%@) found in %.2f s; read %d lines in %.2f s (%@/s, %.0f lines/s); rollups in %.2f s",
                        discovered.count, humanBytes(total), t1.timeIntervalSince(t0), lines, secs,
                        humanBytes(Int64(Double(total) / secs)), Double(lines) / secs, t3.timeIntervalSince(t2)))
        }
        reportFiles(result.inputs, documents: documents, options: options)
        return Pipeline(config: config, timezone: tz, inputs: result.inputs, rollups: rollups)
    }

    /// What stderr says of the files: a file that could not be read (or was cut short) is
    /// named, always; files in no known format make one line (`--verbose` names each; `--quiet`
    /// says nothing of them); documents beside the logs (a README) are no concern (`--verbose`
    /// lists them); skipped lines are counted in the output, and listed with `--verbose`.
    static func reportFiles(_ inputs: [InputReport], documents: [String], options: CommonOptions) {
        var unknown: [String] = []
        for input in inputs {
            if input.account.fileError == InputDiscovery.unknownFormat {
                unknown.append(input.path)
            } else if let e = input.account.fileError {
                warn("\(input.path): \(e)")
            }
            if options.verbose { for ex in input.account.examples { warn("\(input.path):\(ex.line): \(ex.reason)") } }
        }
        if options.verbose {
            for path in unknown { warn("\(path): \(InputDiscovery.unknownFormat)") }
            for path in documents { warn("\(path): a document, not a log; skipped") }
        } else if !options.quiet {
            if unknown.count == 1 { warn("\(unknown[0]): \(InputDiscovery.unknownFormat)") }
            if unknown.count > 1 { warn("\(unknown.count) files in no known format: --verbose lists them") }
        }
    }

    /// `--source clickhouse://...`: the rollups computed by the database (no PATH is read; the
    /// config comes from --config or the user's config directory).
    static func fromClickHouse(options: CommonOptions) throws -> Pipeline {
        var s = try setup(paths: [], options: options)
        let url = try clickHouseURL(options.source)
        s.timezone = try sourceZone(s, options: options, url: url)
        let t0 = Date()
        let rollups = try ClickHouseRollups.fetch(url, timezone: s.timezone)
        if options.verbose { warn(String(format: "rollups from %@ in %.2f s", url.description, Date().timeIntervalSince(t0))) }
        return Pipeline(config: s.config, timezone: s.timezone, inputs: try ClickHouseRollups.inputs(url), rollups: rollups)
    }

    /// The zone of a `--source` read: `--tz`, else plateau.toml's `timezone`, else the zone the
    /// database's loads were made in (the newest load's when they disagree, which stderr says
    /// unless --quiet), else the setup's (TZ, UTC) for a database with no load.
    static func sourceZone(_ s: Setup, options: CommonOptions, url: ClickHouseURL) throws -> TimeZoneRules {
        guard options.tz == nil, s.config.timezone == nil else { return s.timezone }
        let zones = try ClickHouseRollups.loadZones(url)
        guard let newest = zones.first, let tz = TimeZoneRules(identifier: newest.zone) else { return s.timezone }
        if zones.count > 1 && !options.quiet {
            let list = zones.map { "\($0.zone): \($0.loads) load\($0.loads == 1 ? "" : "s")" }.joined(separator: ", ")
            warn("\(url.description): the loads were made in \(zones.count) zones (\(list)); days in \(newest.zone), the newest load's (--tz or plateau.toml's timezone names one)")
        } else if options.verbose {
            warn("\(url.description): days in \(newest.zone), the zone of its loads")
        }
        return tz
    }

    /// A clickhouse:// URL from an option (or PLATEAU_CLICKHOUSE_URL); a bad one is a usage error.
    static func clickHouseURL(_ option: String?) throws -> ClickHouseURL {
        do {
            guard let url = try ClickHouseURL.resolve(option, environment: ProcessInfo.processInfo.environment) else {
                throw UsageError(message: "no ClickHouse URL: give clickhouse://host:port/database, or set \(ClickHouseURL.environmentVariable)")
            }
            return url
        } catch let e as ClickHouseError {
            throw UsageError(message: e.description)
        }
    }

    /// Runs `work` while a thread redraws the progress line.
    static func withProgress<T>(_ progress: IngestProgress, _ meter: ProgressMeter, _ work: () -> T) -> T {
        guard meter.enabled else { return work() }
        let stop = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let box = MeterBox(meter)
        Thread.detachNewThread {
            while stop.wait(timeout: .now() + 0.2) == .timedOut {
                box.meter.bytes(done: progress.bytesDone, total: progress.totalBytes)
            }
            done.signal()
        }
        let r = work()
        stop.signal()
        done.wait()
        meter.finish()
        return r
    }
}

final class MeterBox: @unchecked Sendable {
    let meter: ProgressMeter
    init(_ m: ProgressMeter) { meter = m }
}

/// One diagnostic line on stderr, sanitised like stdout (file names and log text can hold
/// escape sequences).
func warn(_ s: String) {
    FileHandle.standardError.write(Data("plateau: \(Sanitize.line(s))\n".utf8))
}
