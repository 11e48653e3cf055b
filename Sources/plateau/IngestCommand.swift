import ArgumentParser
import Foundation
import PlateauCore

/// `plateau ingest PATH ... --to clickhouse://...`: loads what plateau parsed and resolved into
/// ClickHouse (README, "ClickHouse"); files a committed load already holds unchanged are not
/// loaded again.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Load the inputs into ClickHouse (--to clickhouse://...).",
        discussion: """
        Reads every input under PATHs, resolves records to person keys (never names) and business \
        units, and loads daily facts, meetings and sessions into the database of --to, creating its \
        tables when missing (with ?cluster=NAME: local tables on every shard and Distributed tables \
        over them). Loads are repeatable: an unchanged file is not loaded twice, and a load cut short \
        is invisible until it is run again.
        """
    )

    @Argument(help: ArgumentHelp("Log files or directories.", valueName: "PATH"))
    var paths: [String] = []

    @Option(name: .long, help: ArgumentHelp("clickhouse://[user[:password]@]host:port/database[?cluster=NAME] (`env` or empty: PLATEAU_CLICKHOUSE_URL).", valueName: "URL"))
    var to: String?

    @OptionGroup var common: CommonOptions

    func run() throws {
        guard !paths.isEmpty else { throw UsageError(message: "ingest: give the PATHs to load") }
        guard common.source == nil else { throw UsageError(message: "ingest reads PATHs; --source is for snapshot, alerts and watch") }
        let url = try Pipeline.clickHouseURL(to)
        let s = try Pipeline.setup(paths: paths, options: common)
        let discovered = try InputDiscovery.discover(paths, custom: s.config.customSources, exclude: s.exclude)
        var load = ClickHouseLoad(url: url, settings: s.settings)
        if common.verbose { load.log = { warn($0) } }
        let progress = IngestProgress(totalBytes: discovered.reduce(Int64(0)) { $0 + $1.size })
        let meter = ProgressMeter(enabled: !common.quiet, unit: "bytes")
        let result: Result<ClickHouseLoad.Report, Error> = Pipeline.withProgress(progress, meter) {
            Result { try load.run(discovered, progress: progress) }
        }
        let report: ClickHouseLoad.Report
        do { report = try result.get() } catch let e as ClickHouseError {
            if case .usage(let m) = e { throw UsageError(message: m) }
            throw e
        }
        for input in report.inputs {
            if let e = input.account.fileError { warn("\(input.path): \(e)") }
        }
        var out = ""
        for path in report.filesUnchanged { out += "\(path): unchanged, already loaded\n" }
        for input in report.inputs where report.filesLoaded.contains(input.path) {
            out += "\(input.path): \(input.account.records) records loaded (\(input.account.lines) lines, \(input.account.skipped) skipped)\n"
        }
        if report.filesLoaded.isEmpty {
            out += "nothing new to load into \(url)\n"
        } else {
            let rows = ["plateau_facts", "plateau_meetings", "plateau_sessions"].map { "\(report.rows[$0] ?? 0) \($0.dropFirst(8))" }.joined(separator: ", ")
            out += String(format: "load %016llx into %@: %@ in %.2f s (%@ sent in %.2f s)\n", report.load, url.description, rows,
                          report.seconds, humanBytes(Int64(report.bytesSent)), report.insertSeconds)
            if !report.superseded.isEmpty {
                out += "replaces \(report.superseded.count) earlier load\(report.superseded.count == 1 ? "" : "s") (files changed since; all their files were read again)\n"
            }
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}
