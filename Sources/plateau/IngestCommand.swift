import ArgumentParser
import Foundation
import PlateauCore

/// `plateau ingest PATH ... [--store FILE]`: persists what is new under PATHs.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Read what is new under PATHs into the persistent store (idempotent).",
        discussion: """
        Reads only what is new since the last run: a grown file adds its new lines, a rotated \
        file is recognised under its new name, a truncated or replaced file is read from the \
        start. Prints what it added per file. The store is --store FILE (default \
        $XDG_DATA_HOME/plateau/plateau.db); people are kept as keyed pseudonyms (key: \
        PLATEAU_KEY, else the key file $XDG_DATA_HOME/plateau/key, made at first use).
        """
    )

    @Argument(help: ArgumentHelp("Log files or directories.", valueName: "PATH"))
    var paths: [String] = []

    @Flag(name: .long, help: "Compact the store (VACUUM) after the rest.")
    var vacuum = false

    @Option(name: .long, help: ArgumentHelp("Most bytes of a file read in one transaction.", visibility: .hidden))
    var batchBytes: Int64 = 32 << 20

    @OptionGroup var common: CommonOptions

    func run() throws {
        guard !paths.isEmpty || vacuum || common.keepDays != nil else {
            throw UsageError(message: "ingest: give PATHs to read (or --vacuum, --keep-days N)")
        }
        var options = common
        if options.store == nil { options.store = "default" }
        var setup = try Pipeline.setup(paths: paths, options: options)
        let store = try StoreWiring.open(options.store, settings: setup.settings)
        try StoreWiring.pinOrAdopt(store, roots: paths, setup: &setup, options: options)
        let report = try StoreWiring.ingest(paths, into: store, setup: setup, options: options, batchBytes: max(4096, batchBytes))
        if !common.quiet {
            for f in report.files {
                print("\(f.path): +\(f.lines) lines, +\(f.records) records")
            }
            for p in report.rotated { print("\(p): rotated, read on under this name") }
            for p in report.truncated { print("\(p): truncated or replaced, read from the start") }
            for p in report.copies { print("\(p): a copy of what was read, not read again") }
            print("\(store.path): +\(report.lines) lines, +\(report.records) records from \(report.files.count) files")
        }
        if let days = common.keepDays, let first = try store.prune(keepDays: days), !common.quiet {
            print("\(store.path): days before \(CivilDate(daysSinceEpoch: first).iso) dropped")
        }
        if vacuum { try store.vacuum() }
    }
}
