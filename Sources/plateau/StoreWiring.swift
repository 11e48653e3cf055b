import Foundation
import PlateauCore

/// `--store`: the key, the store, ingesting PATHs into it, and the pipeline read from it.
enum StoreWiring {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// `--store default` (and `plateau ingest` without `--store`): $XDG_DATA_HOME/plateau/plateau.db.
    static func path(_ option: String?) -> String {
        guard let option, option != "default" else { return PlateauKey.dataDirectory(environment) + "/plateau.db" }
        return option
    }

    /// The key, when one is configured (`PLATEAU_KEY` or the key file); made at first use of a store.
    static func pseudonyms(create: Bool) throws -> PersonPseudonyms? {
        try PlateauKey.load(environment, create: create)
    }

    static func open(_ option: String?, settings: IngestSettings) throws -> Store {
        let p = try settings.pseudonyms ?? pseudonyms(create: true)!
        return try Store(path: path(option), pseudonyms: p)
    }

    /// Ingests `paths` into the store, with a progress line on a terminal.
    static func ingest(_ paths: [String], into store: Store, setup: Pipeline.Setup, options: CommonOptions,
                       batchBytes: Int64 = 32 << 20) throws -> StoreIngest.Report {
        guard !paths.isEmpty else { return StoreIngest.Report.empty }
        try store.pin(timezone: setup.timezone.identifier)
        for root in paths where !FileManager.default.fileExists(atPath: root) {
            throw IOError(path: root, "no such file or directory")
        }
        let total = StoreIngest.totalBytes(paths)
        let progress = IngestProgress(totalBytes: total)
        let meter = ProgressMeter(enabled: !options.quiet, unit: "bytes")
        let result: Result<StoreIngest.Report, Error> = Pipeline.withProgress(progress, meter) {
            Result { try StoreIngest.run(roots: paths, settings: setup.settings, exclude: setup.exclude, store: store,
                                            batchBytes: batchBytes, progress: progress) }
        }
        return try result.get()
    }

    /// `snapshot` / `alerts` with `--store`: PATHs ingested first, then the rollups of the store.
    static func pipeline(paths: [String], options: CommonOptions, setup given: Pipeline.Setup) throws -> Pipeline {
        var setup = given
        let store = try open(options.store, settings: setup.settings)
        try pinOrAdopt(store, roots: [], setup: &setup, options: options)
        _ = try ingest(paths, into: store, setup: setup, options: options)
        if let days = options.keepDays { try store.prune(keepDays: days) }
        let (rollups, inputs) = try store.rollups(settings: setup.settings)
        return Pipeline(config: setup.config, timezone: setup.timezone, inputs: inputs, rollups: rollups)
    }

    /// Without --tz or a config's zone, the days are the store's; a store's first ingest
    /// records its zone (facts are stored by day).
    static func pinOrAdopt(_ store: Store, roots: [String], setup: inout Pipeline.Setup, options: CommonOptions) throws {
        if options.tz == nil, setup.config.timezone == nil, let zone = try store.timezone(), let tz = TimeZoneRules(identifier: zone) {
            setup.timezone = tz
            setup.settings.timezone = tz
        }
        if !roots.isEmpty { try store.pin(timezone: setup.timezone.identifier) }
    }
}
