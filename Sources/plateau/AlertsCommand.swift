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
        on every day since --since, and prints one line per alert, most severe first. Any \
        failure (bad input, bad rules, no data) exits 3.
        """
    )

    static let formats = ["text", "json", "nagios", "prometheus"]

    @Argument(help: ArgumentHelp("Log files or directories.", valueName: "PATH"))
    var paths: [String] = []

    @Option(name: .long, help: ArgumentHelp("Rules file (default: rules.toml next to plateau.toml).", valueName: "FILE"))
    var rules: String?

    @Option(name: .long, help: ArgumentHelp("Evaluate this day, YYYY-MM-DD (default: the newest day in the data).", valueName: "DATE"))
    var date: String?

    @Option(name: .long, help: ArgumentHelp("Evaluate every day from this one to the newest, YYYY-MM-DD.", valueName: "DATE"))
    var since: String?

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
        // --source reads the database: no PATH (the config comes from --config); --store alone reads the store.
        if common.source != nil && !paths.isEmpty { throw UsageError(message: "--source reads the rollups from ClickHouse; give no PATH with it") }
        let roots = paths.isEmpty ? (common.source == nil && common.store == nil ? ["SampleLogs"] : []) : paths
        let env = ProcessInfo.processInfo.environment
        let configPath = PlateauConfig.locate(explicit: common.config, paths: roots, environment: env)
        guard let rulesPath = rules ?? configPath.map(Self.rulesNextTo) else {
            throw UsageError(message: "no rules file: give --rules FILE, or put rules.toml next to plateau.toml")
        }
        let ruleSet = try AlertRules.load(path: rulesPath)
        let p = try Pipeline.run(paths: roots, options: common, exclude: [rulesPath])
        let r = p.rollups
        for (rule, bu) in AlertEvaluator.missingUnits(ruleSet, in: r) { warn("\(rulesPath): rule '\(rule)': no business unit '\(bu)' in the data") }
        guard let first = r.firstDay, let last = r.lastDay else { throw UsageError(message: "no records in the inputs") }
        var days = last...last
        if let d = dateDay {
            guard (first...last).contains(d) else { throw UsageError(message: "--date \(date!): no data that day (data \(CivilDate(daysSinceEpoch: first).iso) to \(CivilDate(daysSinceEpoch: last).iso))") }
            days = d...d
        } else if let s = sinceDay {
            guard s <= last else { throw UsageError(message: "--since \(since!): after the newest day in the data (\(CivilDate(daysSinceEpoch: last).iso))") }
            days = max(s, first)...last
        }
        let context = Self.context(p, minGroup: common.minGroup)
        let analyses = AlertEvaluator.analyses(r, businessDays: p.config.businessDays, windows: p.config.windows)
        return AlertReport(alerts: AlertEvaluator.evaluate(rollups: r, analyses: analyses, rules: ruleSet, context: context, on: days),
                           readings: AlertEvaluator.readings(rollups: r, analyses: analyses, rules: ruleSet, context: context, on: days),
                           rules: ruleSet.rules.count, days: days)
    }

    /// The context of a batch run: "now" is the newest record of all sources.
    static func context(_ p: Pipeline, minGroup: Int) -> AlertContext {
        var c = AlertContext()
        c.businessDays = p.config.businessDays
        c.capacities = p.config.capacity
        c.minGroup = minGroup
        c.today = p.rollups.newestRecord.map { p.timezone.localDay($0) } ?? p.rollups.lastDay
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
