import ArgumentParser
import Foundation
import PlateauCore
import PlateauTUI

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The live dashboard (the default command).",
        discussion: """
        Opens the dashboard on the inputs under PATHs (files or directories; default ./SampleLogs) \
        and follows them: lines appended, new files, rotated and truncated files. Press ? for the keys, q to quit.
        """
    )

    @Argument(help: ArgumentHelp("Log files or directories.", valueName: "PATH"))
    var paths: [String] = []

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: ArgumentHelp("Play the data as if it were arriving live, SPEED days of data a second (e.g. 2d/s, 12h/s).", valueName: "SPEED"))
    var replay: String?

    @Option(name: .long, help: ArgumentHelp("Seconds between two looks at the inputs.", valueName: "SECONDS"))
    var poll: Double = 1

    @Option(name: .long, help: ArgumentHelp("Opening metric (e.g. remote.users).", valueName: "METRIC"))
    var metric: String?

    @Option(name: .long, help: ArgumentHelp("Glyphs of the chart: braille, blocks or ascii.", valueName: "MODE"))
    var glyphs: String = "braille"

    func validate() throws {
        if let replay, ReplaySpeed(replay) == nil { throw ValidationError("--replay: '\(replay)' is not a speed like 2d/s") }
        guard poll >= 0.1 && poll <= 3600 else { throw ValidationError("--poll must be between 0.1 and 3600 seconds") }
        if let metric, Metric(rawValue: metric) == nil { throw ValidationError("--metric: unknown metric '\(metric)'") }
        guard GlyphMode(rawValue: glyphs) != nil else { throw ValidationError("--glyphs must be braille, blocks or ascii") }
    }

    func run() throws {
        let roots = paths.isEmpty ? ["SampleLogs"] : paths
        let setup = try Pipeline.setup(paths: roots, options: common)
        // A PATH that is not there is an error now, not a dashboard that waits for ever.
        for root in roots where !FileManager.default.fileExists(atPath: root) {
            throw IOError(path: root, "no such file or directory")
        }
        guard isatty(STDOUT_FILENO) == 1, isatty(STDIN_FILENO) == 1 else {
            throw UsageError(message: "the dashboard needs a terminal; for text use `plateau --snapshot`")
        }
        var feedSettings = DashboardFeed.Settings()
        feedSettings.options.timezone = setup.timezone.identifier
        feedSettings.options.organisation = setup.config.organisation
        feedSettings.options.minGroup = common.minGroup
        feedSettings.options.businessDays = setup.config.businessDays
        feedSettings.options.windows = setup.config.windows
        feedSettings.capacity = setup.config.capacity
        feedSettings.pollInterval = poll
        feedSettings.replay = replay.flatMap(ReplaySpeed.init)

        let source: DashboardSource
        if feedSettings.replay != nil {
            let (custom, exclude, settings) = (setup.config.customSources, setup.exclude, setup.settings)
            source = StaticSource {
                Ingest(settings: settings).run(try InputDiscovery.discover(roots, custom: custom, exclude: exclude))
            }
        } else {
            source = try LiveSource(roots: roots, settings: setup.settings, exclude: setup.exclude)
        }
        var placeholder = DashboardModel()
        placeholder.organisation = setup.config.organisation
        placeholder.timezone = setup.timezone.identifier
        placeholder.notice = "reading " + roots.joined(separator: ", ") + "…"
        var dashboard = Dashboard(feed: DashboardFeed(source: source, settings: feedSettings), placeholder: placeholder)
        dashboard.state.glyphs = GlyphMode(rawValue: glyphs) ?? .braille
        dashboard.state.metric = metric.flatMap(Metric.init(rawValue:))
        try dashboard.run()
    }
}

// TEMPORARY until the follow branch lands: reads once.
final class LiveSource: DashboardSource {
    let inner: StaticSource
    init(roots: [String], settings: IngestSettings, exclude: Set<String>) throws {
        inner = StaticSource { Ingest(settings: settings).run(try InputDiscovery.discover(roots, custom: settings.customSources, exclude: exclude)) }
    }
    func poll() throws -> Bool { try inner.poll() }
    func rollups() -> Rollups { inner.rollups() }
    var stats: DashboardModel.Stats { inner.stats }
    var notice: String? { inner.notice }
}
