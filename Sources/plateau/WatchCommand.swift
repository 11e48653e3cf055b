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

    @Option(name: .long, help: ArgumentHelp("Alert rules for the alerts panel (default: rules.toml next to plateau.toml, when there is one).", valueName: "FILE"))
    var rules: String?

    @Option(name: .long, help: ArgumentHelp("Append diagnostics to FILE while the dashboard runs (default: they only reach the status line).", valueName: "FILE"))
    var log: String?

    @Option(name: .long, help: ArgumentHelp("Print one screen of the given size as text once the inputs are read, and exit (no terminal needed).", valueName: "WxH"))
    var dump: String?

    @Option(name: .long, help: ArgumentHelp("With --dump: the clock of the screen, e.g. 2020-05-12T08:00:00Z (default: now, as the live screen).", valueName: "TIME"))
    var now: String?

    func validate() throws {
        if let dump, Watch.size(dump) == nil { throw ValidationError("--dump: '\(dump)' is not a size like 100x30") }
        if now != nil && dump == nil { throw ValidationError("--now is for --dump (the screen follows the clock)") }
        if let replay, ReplaySpeed(replay) == nil { throw ValidationError("--replay: '\(replay)' is not a speed like 2d/s") }
        guard poll >= 0.1 && poll <= 3600 else { throw ValidationError("--poll must be between 0.1 and 3600 seconds") }
        if let metric, Metric(rawValue: metric) == nil {
            throw ValidationError("--metric: " + NameSuggestions.unknown("metric", metric, Metric.allCases.map(\.rawValue)))
        }
        guard GlyphMode(rawValue: glyphs) != nil else { throw ValidationError("--glyphs must be braille, blocks or ascii") }
    }

    func run() throws {
        // --source: the database's rollups; no PATH (the config comes from --config).
        let database = try common.source.map { try Pipeline.clickHouseURL($0) }
        if database != nil && !paths.isEmpty { throw UsageError(message: "--source reads the rollups from ClickHouse; give no PATH with it") }
        let roots = paths.isEmpty ? (database == nil && common.store == nil ? ["SampleLogs"] : []) : paths
        let rulesPath = rules ?? defaultRules(roots)
        var setup = try Pipeline.setup(paths: roots, options: common, exclude: rulesPath.map { [$0] } ?? [])
        // Days in the zone the database's loads were made in, unless one is named.
        if let database { setup.timezone = try Pipeline.sourceZone(setup, options: common, url: database) }
        // A bad rules file is a bad config: one line, before the screen (exit 64).
        let ruleSet = try rulesPath.map { try AlertRules.load(path: $0, config: setup.config) }
        // A dump is the screen the dashboard would draw now: ages and stale feeds are judged by
        // the wall clock, as on the live screen (--now sets another instant, for tests and replays).
        let clock = try now.map { try Alerts.instant($0) } ?? (dump != nil ? Int64(Date().timeIntervalSince1970) : nil)
        // A PATH that is not there is an error now, not a dashboard that waits for ever.
        for root in roots where database == nil && !FileManager.default.fileExists(atPath: root) {
            throw IOError(path: root, "no such file or directory")
        }
        let store = try common.store.map { try StoreWiring.open($0, settings: setup.settings) }
        if let store { try StoreWiring.pinOrAdopt(store, roots: roots, setup: &setup, options: common) }
        if let dump, let (w, h) = Watch.size(dump) {
            let alerts = ruleSet.map { Watch.alerts($0, config: setup.config, minGroup: common.minGroup, timezone: setup.timezone, now: clock) }
            let source: DashboardSource
            if let database {
                source = ClickHouseSource(url: database, timezone: setup.timezone, refresh: 0)
            } else if let store {
                source = StoreSource(store: store, roots: roots, settings: setup.settings, exclude: setup.exclude)
            } else {
                let discovered = try InputDiscovery.discover(roots, custom: setup.config.customSources, exclude: setup.exclude)
                let settings = setup.settings
                source = StaticSource { Ingest(settings: settings).run(discovered) }
            }
            try Watch.dump(source: source, options: feedOptions(setup), capacity: setup.config.capacity, alerts: alerts,
                           feedRules: ruleSet?.rules ?? [], now: clock,
                           width: w, height: h, metric: metric.flatMap(Metric.init(rawValue:)), glyphs: GlyphMode(rawValue: glyphs) ?? .braille)
            return
        }
        guard isatty(STDOUT_FILENO) == 1, isatty(STDIN_FILENO) == 1 else {
            throw UsageError(message: "the dashboard needs a terminal; for text use `plateau --snapshot`")
        }
        var feedSettings = DashboardFeed.Settings()
        feedSettings.options = feedOptions(setup)
        feedSettings.capacity = setup.config.capacity
        feedSettings.pollInterval = poll
        feedSettings.replay = replay.flatMap(ReplaySpeed.init)
        if let ruleSet {
            feedSettings.alerts = Watch.alerts(ruleSet, config: setup.config, minGroup: common.minGroup, timezone: setup.timezone)
            feedSettings.feedRules = ruleSet.rules.filter(\.judgesFeed)
        }

        let source: DashboardSource
        if let database {
            // The database is asked at most every 10 s (or --poll, if longer).
            source = ClickHouseSource(url: database, timezone: setup.timezone, refresh: max(poll, 10))
        } else if let store {
            source = StoreSource(store: store, roots: roots, settings: setup.settings, exclude: setup.exclude)
        } else if feedSettings.replay != nil {
            let (custom, exclude, settings) = (setup.config.customSources, setup.exclude, setup.settings)
            source = StaticSource {
                Ingest(settings: settings).run(try InputDiscovery.discover(roots, custom: custom, exclude: exclude))
            }
        } else {
            source = LiveSource(roots: roots, settings: setup.settings, exclude: setup.exclude)
        }
        var placeholder = DashboardModel()
        placeholder.organisation = setup.config.organisation
        placeholder.timezone = setup.timezone.identifier
        placeholder.notice = "reading " + (database.map { "\($0)" } ?? roots.joined(separator: ", ")) + "…"
        var dashboard = Dashboard(feed: DashboardFeed(source: source, settings: feedSettings), placeholder: placeholder)
        dashboard.state.glyphs = GlyphMode(rawValue: glyphs) ?? .braille
        dashboard.state.metric = metric.flatMap(Metric.init(rawValue:))
        // Nothing may scribble over the screen: stderr goes to the log (or nowhere) while it is up.
        let saved = dup(STDERR_FILENO)
        let target = log.map { open($0, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600) } ?? open("/dev/null", O_WRONLY | O_CLOEXEC)
        if let log, target < 0 { throw IOError(path: log, errno: errno) }
        dup2(target, STDERR_FILENO)
        close(target)
        defer { dup2(saved, STDERR_FILENO); close(saved) }
        // A signal ends the dashboard as it would end any program: exit 128 + its number.
        if let sig = try dashboard.run() { throw ExitCode(128 + sig) }
    }
}

extension Watch {
    /// rules.toml next to the config, if both exist (a missing default is no error).
    func defaultRules(_ roots: [String]) -> String? {
        let env = ProcessInfo.processInfo.environment
        guard let config = PlateauConfig.locate(explicit: common.config, paths: roots, environment: env) else { return nil }
        let path = Alerts.rulesNextTo(config)
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// The alerts panel: the alerts of the last two weeks shown, newest first; the day of the
    /// clock is "in progress" only while the data is live. The feeds' stale rules are judged
    /// by the screen itself, at every tick (`DashboardModel.Feed`). A rule that names a BU or a
    /// metric the data lacks (data still to come, perhaps) is a critical line of the panel.
    static func alerts(_ all: AlertRules, config: PlateauConfig, minGroup: Int, timezone: TimeZoneRules,
                       now clock: Int64? = nil) -> DashboardModel.AlertSource {
        var counted = all
        counted.rules = all.rules.filter { !$0.judgesFeed }
        let rules = counted
        return { r, analyses in
            guard let first = r.firstDay, let last = r.lastDay else { return [] }
            let now = clock ?? Int64(Date().timeIntervalSince1970)
            let today = timezone.localDay(now)
            do { try rules.check(against: r) } catch {
                return [DashboardModel.Alert(severity: .critical, day: min(today, last), text: "\(error)")]
            }
            let found = AlertEvaluator.evaluate(rollups: r, rules: rules, config: config, minGroup: minGroup,
                                                on: max(first, last - 13)...last, today: today <= last ? today : nil, analyses: analyses)
            // One line per rule × metric × BU: its newest day (a shift fires every day of its window).
            var seen = Set<String>()
            return found.sorted { ($0.day, $0.severity) > ($1.day, $1.severity) }.compactMap { a in
                guard seen.insert("\(a.rule)\u{1F}\(a.metric.rawValue)\u{1F}\(a.bu)").inserted else { return nil }
                return DashboardModel.Alert(severity: a.severity == .critical ? .critical : .warning, day: a.day, text: "\(a.rule): \(a.message)")
            }
        }
    }

    func feedOptions(_ setup: Pipeline.Setup) -> SnapshotOptions {
        var o = SnapshotOptions()
        o.timezone = setup.timezone.identifier
        o.organisation = setup.config.organisation
        o.minGroup = common.minGroup
        o.businessDays = setup.config.businessDays
        o.windows = setup.config.windows
        return o
    }

    static func size(_ text: String) -> (Int, Int)? {
        let p = text.lowercased().split(separator: "x")
        guard p.count == 2, let w = Int(p[0]), let h = Int(p[1]), (1...1000).contains(w), (1...1000).contains(h) else { return nil }
        return (w, h)
    }

    /// `--dump WxH`: the screen the dashboard would draw once everything is read, as text.
    static func dump(source: DashboardSource, options: SnapshotOptions, capacity: [PlateauConfig.Capacity],
                     alerts: DashboardModel.AlertSource?, feedRules: [AlertRule], now: Int64?, width: Int, height: Int,
                     metric: Metric?, glyphs: GlyphMode) throws {
        _ = try source.poll()
        var stats = source.stats
        stats.now = now ?? Int64(Date().timeIntervalSince1970)
        let rollups = source.rollups()
        var model = DashboardModel.build(rollups, options: options, capacity: capacity, stats: stats, alertSource: alerts,
                                         feedRules: feedRules)
        model.notice = source.notice
        var state = DashboardState()
        state.metric = metric
        state.glyphs = glyphs
        let (frame, _) = DashboardView.render(model, state, width: width, height: height)
        print(frame.lines.map { $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }.joined(separator: "\n"))
    }
}
