import ArgumentParser
import Foundation
import PlateauCore

/// `plateau ingest PATH ... [--store FILE]`: persists what is new under PATHs;
/// `plateau ingest PATH ... --to clickhouse://...`: loads them into ClickHouse (README, "ClickHouse").
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Read what is new under PATHs into the persistent store, or load them into ClickHouse (--to).",
        discussion: """
        Store (default): reads only what is new since the last run: a grown file adds its new lines, \
        a rotated file is recognised under its new name, a truncated or replaced file is read from the \
        start. Prints what it added per file. The store is --store FILE (default \
        $XDG_DATA_HOME/plateau/plateau.db); people are kept as keyed pseudonyms (key: PLATEAU_KEY, \
        else the key file $XDG_DATA_HOME/plateau/key, made at first use).

        --to clickhouse://...: resolves records to person pseudonyms (never names) and business \
        units, and loads daily facts, meetings and sessions into the database, creating its tables \
        when missing (with ?cluster=NAME: local tables on every shard and Distributed tables over \
        them). Loads are append-only: each reads only what is new since the last load (the offsets \
        of every file are kept in the database, so any host can load next), follows rotations and \
        copy-truncates as the store does, and a load cut short is invisible (and cleaned up later).
        """
    )

    @Argument(help: ArgumentHelp("Log files or directories.", valueName: "PATH"))
    var paths: [String] = []

    @Option(name: .long, help: ArgumentHelp("clickhouse://[user[:password]@]host:port/database[?cluster=NAME] (`env` or empty: PLATEAU_CLICKHOUSE_URL).", valueName: "URL"))
    var to: String?

    @Flag(name: .long, help: "Compact the store (VACUUM) after the rest.")
    var vacuum = false

    @Option(name: .long, help: ArgumentHelp("Most bytes of a file read in one transaction.", visibility: .hidden))
    var batchBytes: Int64 = 32 << 20

    @OptionGroup var common: CommonOptions

    func run() throws {
        if to != nil {
            guard common.store == nil, !vacuum else { throw UsageError(message: "ingest: --to loads into ClickHouse; --store and --vacuum are for the store") }
            try runClickHouse()
        } else {
            try runStore()
        }
    }

    /// The persistent store: what is new since the last run.
    func runStore() throws {
        guard !paths.isEmpty || vacuum || common.keepDays != nil else {
            throw UsageError(message: "ingest: give PATHs to read (or --vacuum, --keep-days N)")
        }
        var options = common
        if options.store == nil { options.store = "default" }
        var setup = try Pipeline.setup(paths: paths, options: options)
        let store = try StoreWiring.open(options.store, settings: setup.settings)
        try StoreWiring.pinOrAdopt(store, roots: paths, setup: &setup, options: options)
        let report = try StoreWiring.ingest(paths, into: store, setup: setup, options: options, batchBytes: max(4096, batchBytes))
        // PATHs without a single log (a wrong folder) are an error, not "+0 records" for ever.
        if !paths.isEmpty && report.followed == 0 {
            throw IOError(path: paths.joined(separator: ", "), "no file in a known format: nothing to ingest")
        }
        if !common.quiet {
            for f in report.files {
                print("\(Sanitize.text(f.path)): +\(f.lines) lines, +\(f.records) records")
            }
            for p in report.rotated { print("\(Sanitize.text(p)): rotated, read on under this name") }
            for p in report.truncated { print("\(Sanitize.text(p)): truncated or replaced, read from the start") }
            for p in report.copies { print("\(Sanitize.text(p)): a copy of what was read, not read again") }
            print("\(Sanitize.text(store.path)): +\(report.lines) lines, +\(report.records) records from \(report.files.count) files")
        }
        if let days = common.keepDays, let first = try store.prune(keepDays: days), !common.quiet {
            print("\(Sanitize.text(store.path)): days before \(CivilDate(daysSinceEpoch: first).iso) dropped")
        }
        if vacuum { try store.vacuum() }
    }

    /// `--to`: one load into ClickHouse.
    func runClickHouse() throws {
        guard !paths.isEmpty else { throw UsageError(message: "ingest: give the PATHs to load") }
        guard common.source == nil else { throw UsageError(message: "ingest reads PATHs; --source is for snapshot, alerts and watch") }
        let began = Date()
        let url = try Pipeline.clickHouseURL(to)
        var s = try Pipeline.setup(paths: paths, options: common)
        // People go to the database as keyed pseudonyms (the store's key, made at first use).
        s.settings.pseudonyms = try s.settings.pseudonyms ?? StoreWiring.pseudonyms(create: true)
        // The first log found is enough to go on (a cron load every few minutes does not sniff
        // every file twice); without one, the files are reported and nothing is loaded.
        guard InputDiscovery.holdsALog(paths, custom: s.config.customSources, exclude: s.exclude) else {
            let (discovered, documents) = try InputDiscovery.discoverAll(paths, custom: s.config.customSources, exclude: s.exclude)
            Pipeline.reportFiles(Ingest(settings: s.settings).run(discovered).inputs, documents: documents, options: common)
            throw IOError(path: paths.joined(separator: ", "), "no file in a known format: nothing to load")
        }
        var load = ClickHouseLoad(url: url, settings: s.settings)
        let progress = IngestProgress(totalBytes: StoreIngest.totalBytes(paths))
        if common.verbose {
            load.log = { warn($0) }
            warn(String(format: "setup (config, key, a first log found, the bytes counted): %.3f s", Date().timeIntervalSince(began)))
        }
        let meter = ProgressMeter(enabled: !common.quiet, unit: "bytes")
        let result: Result<ClickHouseLoad.Report, Error> = Pipeline.withProgress(progress, meter) {
            Result { try load.run(paths, exclude: s.exclude, progress: progress) }
        }
        let report: ClickHouseLoad.Report
        do { report = try result.get() } catch let e as ClickHouseError {
            if case .usage(let m) = e { throw UsageError(message: m) }
            throw e
        }
        Pipeline.reportFiles(report.inputs, documents: [], options: common)
        if report.outOfRange > 0 {
            warn("\(report.outOfRange) facts, meetings or sessions with a time outside 1970 … 2106 not loaded (ClickHouse's DateTime cannot hold them; a file snapshot counts them)")
        }
        var out = ""
        for f in report.added { out += "\(Sanitize.text(f.path)): +\(f.lines) lines, +\(f.records) records\n" }
        for p in report.rotated { out += "\(Sanitize.text(p)): rotated, read on under this name\n" }
        for p in report.truncated { out += "\(Sanitize.text(p)): truncated or replaced, read from the start\n" }
        for p in report.copies { out += "\(Sanitize.text(p)): a copy of what was read, not read again\n" }
        if report.load == 0 {
            out += "nothing new to load into \(url)\n"
        } else {
            let rows = ["plateau_facts", "plateau_meetings", "plateau_session_pieces"].map { "\(report.rows[$0] ?? 0) \($0.dropFirst(8).replacingOccurrences(of: "_", with: " "))" }.joined(separator: ", ")
            out += String(format: "load %016llx into %@: +%d lines, +%d records; %@; %d sessions computed again in %d partitions; %.2f s (%@ sent; its INSERTs, several at once, took %.2f s in all)\n",
                          report.load, url.description, report.linesAdded, report.recordsAdded, rows, report.sessionsRebuilt,
                          report.partitionsReplaced, report.seconds, humanBytes(Int64(report.bytesSent)), report.insertSeconds)
            if !report.abandoned.isEmpty {
                out += "deleted the rows of \(report.abandoned.count) earlier load\(report.abandoned.count == 1 ? "" : "s") cut short\n"
            }
        }
        // --quiet: as with --store, nothing but errors (a cron job mails only those).
        if !common.quiet { FileHandle.standardOutput.write(Data(out.utf8)) }
    }
}
