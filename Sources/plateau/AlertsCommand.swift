import ArgumentParser
import Foundation
import PlateauCore

/// `plateau alerts`: evaluates the rules file on the data, prints the alerts and exits with the
/// monitoring-plugin convention (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN for any failure).
struct Alerts: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate alert rules; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
        discussion: """
        Reads every input under PATHs (default ./SampleLogs), evaluates the rules of --rules \
        (default: rules.toml next to plateau.toml) on the newest day in the data, on --date, or \
        on every day since --since, and prints one line per alert, most severe first. Stale rules \
        judge each feed's newest record against the clock (--now), or, with --date and --since, \
        at the end of each day judged, as if run then. Any failure (bad input, bad rules, no \
        data) exits 3.
        """
    )

    static let formats = ["text", "json", "nagios", "prometheus"]

    @Argument(help: ArgumentHelp("Log files or directories.", valueName: "PATH"))
    var paths: [String] = []

    @Option(name: .long, help: ArgumentHelp("Rules file (default: rules.toml next to plateau.toml).", valueName: "FILE"))
    var rules: String?

    @Option(name: .long, help: ArgumentHelp("Evaluate this day, YYYY-MM-DD, as if run at its end (default: the newest day in the data).", valueName: "DATE"))
    var date: String?

    @Option(name: .long, help: ArgumentHelp("Evaluate every day from this one to the newest, YYYY-MM-DD, each as if run at its end.", valueName: "DATE"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("The instant the run is judged at, e.g. 2020-05-10T12:00:00Z (default: the clock): stale rules measure ages to it.", valueName: "TIME"))
    var now: String?

    @Option(name: .long, help: ArgumentHelp("Output format: text, json, nagios or prometheus.", valueName: "FORMAT"))
    var format: String = "text"

    @Option(name: .long, help: ArgumentHelp("Write to this file (replaced atomically: a temporary file renamed) instead of stdout.", valueName: "FILE"))
    var output: String?

    @OptionGroup var common: CommonOptions

    func run() throws {
        do {
            let report = try evaluate()
            try write(render(report))
            if report.exitCode != 0 { throw ExitCode(report.exitCode) }
        } catch let e as ExitCode {
            throw e
        } catch {
            unknown(Self.describe(error))
        }
    }

    /// UNKNOWN: one line on stderr (and the plugin line on stdout for Nagios), exit 3.
    func unknown(_ message: String) -> Never {
        if format == "nagios" {
            FileHandle.standardOutput.write(Data("PLATEAU UNKNOWN - \(message.split(whereSeparator: \.isNewline).first ?? "")\n".utf8))
        }
        Entry.fail(message, code: 3)
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case let e as UsageError: return e.message
        case let e as CustomStringConvertible: return e.description
        default: return "\(error)"
        }
    }

    func evaluate() throws -> AlertReport {
        guard Self.formats.contains(format) else { throw UsageError(message: "--format \(format): use text, json, nagios or prometheus") }
        guard date == nil || since == nil else { throw UsageError(message: "--date and --since: give one or the other") }
        let dateDay = try date.map { try Self.day($0, "--date") }
        let sinceDay = try since.map { try Self.day($0, "--since") }
        let instant = try now.map { try Self.instant($0) } ?? Int64(Date().timeIntervalSince1970)
        // --source reads the database: no PATH (the config comes from --config); --store alone reads the store.
        if common.source != nil && !paths.isEmpty { throw UsageError(message: "--source reads the rollups from ClickHouse; give no PATH with it") }
        let roots = paths.isEmpty ? (common.source == nil && common.store == nil ? ["SampleLogs"] : []) : paths
        // A PATH that is not there is named first (not the rules file it would have held).
        for root in roots where !FileManager.default.fileExists(atPath: root) { throw IOError(path: root, "no such file or directory") }
        if let output { try Self.checkOutput(output) }
        let env = ProcessInfo.processInfo.environment
        let configPath = PlateauConfig.locate(explicit: common.config, paths: roots, environment: env)
        guard let rulesPath = rules ?? configPath.map(Self.rulesNextTo) else {
            throw UsageError(message: "no rules file: give --rules FILE, or put rules.toml next to plateau.toml")
        }
        let config = try configPath.map { try PlateauConfig.load(path: $0) } ?? PlateauConfig()
        let ruleSet = try AlertRules.load(path: rulesPath, config: config)
        let p = try Pipeline.run(paths: roots, options: common, exclude: [rulesPath])
        let r = p.rollups
        guard let first = r.firstDay, let last = r.lastDay else { throw UsageError(message: "no records in the inputs") }
        // Rules that name a BU or a metric the data lacks could never fire: an error, not an OK.
        try ruleSet.check(against: r)
        var context = Self.context(p, minGroup: common.minGroup, now: instant)
        let (a, b) = (CivilDate(daysSinceEpoch: first).iso, CivilDate(daysSinceEpoch: last).iso)
        var days: ClosedRange<Int>
        if let d = dateDay {
            guard (first...last).contains(d) else { throw UsageError(message: "--date \(date!): no data that day (data \(a) to \(b))") }
            days = d...d
        } else if let s = sinceDay {
            guard s <= last else { throw UsageError(message: "--since \(since!): after the newest day in the data (\(b))") }
            days = max(s, first)...last
        } else {
            // The newest day in the data, up to the day of the run; the feeds, at the run's instant.
            let today = p.timezone.localDay(instant)
            guard today >= first else { throw UsageError(message: "--now \(now ?? ""): before the data (\(a) to \(b))") }
            days = min(last, today)...min(last, today)
            context.feedsAt = instant
        }
        guard days.upperBound >= days.lowerBound && p.timezone.startOfDay(days.lowerBound) <= instant else {
            throw UsageError(message: "--now \(now ?? ""): before the day judged (\(CivilDate(daysSinceEpoch: days.lowerBound).iso))")
        }
        let analyses = AlertEvaluator.analyses(r, businessDays: p.config.businessDays, windows: p.config.windows)
        var report = AlertReport(alerts: AlertEvaluator.evaluate(rollups: r, analyses: analyses, rules: ruleSet, context: context, on: days),
                                 readings: AlertEvaluator.readings(rollups: r, analyses: analyses, rules: ruleSet, context: context, on: days),
                                 rules: ruleSet.rules.count, days: days)
        // Feeds judged after the day judged (a run on old data): the summary says when.
        if context.feedsAt != nil, ruleSet.rules.contains(where: \.judgesFeed), instant >= p.timezone.startOfDay(days.upperBound + 1) {
            report.feedsJudged = Self.localTime(instant, p.timezone)
        }
        report.feeds = AlertReport.feedTimestamps(r, feeds: Feeds.known(p.config.customSources), timezone: p.timezone, minGroup: common.minGroup,
                                                  at: context.feedsAt == nil ? min(instant, p.timezone.startOfDay(days.upperBound + 1)) : nil)
        return report
    }

    /// The context of a batch run: the day of the newest record is in progress (drop and silent
    /// BUs wait for it to end), no day is judged past `now`.
    static func context(_ p: Pipeline, minGroup: Int, now: Int64?) -> AlertContext {
        var c = AlertContext()
        c.businessDays = p.config.businessDays
        c.capacities = p.config.capacity
        c.minGroup = minGroup
        c.timezone = p.timezone
        c.now = now
        let newest = p.rollups.newestRecord.map { p.timezone.localDay($0) } ?? p.rollups.lastDay
        c.today = [newest, now.map { p.timezone.localDay($0) }].compactMap { $0 }.min()
        return c
    }

    /// `rules.toml` in the directory of the config.
    static func rulesNextTo(_ config: String) -> String {
        let dir = (config as NSString).deletingLastPathComponent
        return (dir.isEmpty ? "." : dir) + "/rules.toml"
    }

    static func day(_ text: String, _ option: String) throws -> Int {
        guard let d = CivilDate(iso: text) else { throw UsageError(message: "\(option): '\(text)' is not a date like 2020-03-16") }
        return d.day
    }

    /// `2020-05-10T12:00:00Z`, `2020-05-10T14:00:00+02:00`, or Unix seconds.
    static func instant(_ text: String) throws -> Int64 {
        if let n = Int64(text) { return n }
        let f = ISO8601DateFormatter()
        guard let d = f.date(from: text) else {
            throw UsageError(message: "--now: '\(text)' is not an instant like 2020-05-10T12:00:00Z")
        }
        return Int64(d.timeIntervalSince1970)
    }

    /// "2026-01-15 11:00" in the zone of the days.
    static func localTime(_ t: Int64, _ tz: TimeZoneRules) -> String {
        let w = WallClock(epochSeconds: t + tz.offset(atUTC: t))
        return w.date.iso + String(format: " %02d:%02d", w.hour, w.minute)
    }

    /// `--output` into a folder that is not there is named before any reading.
    static func checkOutput(_ path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        let folder = dir.isEmpty ? "." : dir
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir) else {
            throw IOError(path: folder, "no such directory (for --output \(path))")
        }
        guard isDir.boolValue else { throw IOError(path: folder, "not a directory (for --output \(path))") }
    }

    func render(_ report: AlertReport) -> [UInt8] {
        switch format {
        case "json": return AlertOutput.json(report.alerts)
        case "nagios": return Array(AlertOutput.nagios(report).utf8)
        case "prometheus": return Array(AlertOutput.prometheus(report).utf8)
        default: return Array(AlertOutput.text(report).utf8)
        }
    }

    func write(_ bytes: [UInt8]) throws {
        if let output { try AlertOutput.writeAtomically(bytes, to: output) } else { FileHandle.standardOutput.write(Data(bytes)) }
    }
}
