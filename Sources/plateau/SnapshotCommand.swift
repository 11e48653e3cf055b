import ArgumentParser
import Foundation
import PlateauCore

/// `plateau snapshot` (also `plateau --snapshot`): the rollups and the weekly review.
struct Snapshot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the daily rollups and the weekly review (also: plateau --snapshot).",
        discussion: """
        Reads every input under PATHs (default ./SampleLogs) and prints, for every metric and \
        business unit (and ALL), the daily series in --tz. --format json prints the \
        plateau.snapshot/1 schema of DESIGN.md, with the accounting of every input.
        """
    )

    @Argument(help: ArgumentHelp("Log files or directories.", valueName: "PATH"))
    var paths: [String] = []

    @Option(name: .long, help: ArgumentHelp("Output format: text (the review), markdown, html (the review as one self-contained page with charts), svg (one chart: --metric M [--bu B]), csv (one row per metric, BU and day) or json.", valueName: "FORMAT"))
    var format: String = "text"

    @Option(name: .long, help: ArgumentHelp("Write to FILE instead of standard output (replaced whole once written).", valueName: "FILE"))
    var out: String?

    @Flag(name: .long, help: "html: the charts of a metric's business units on one scale (the largest one's), not each on its own.")
    var sharedScale = false

    @Option(name: .long, help: ArgumentHelp("Width of the text review in columns.", valueName: "N"))
    var width: Int = 100

    @Flag(name: .long, help: "Plain ASCII: no block glyphs, dashes or ×.")
    var ascii = false

    @Option(name: .long, help: ArgumentHelp("Metrics with a table of business units (text, markdown) or a chart per business unit (html), comma-separated (default: remote.users,meetings.users); with svg, the one metric charted; with csv or json, the only metrics printed (default: all).", valueName: "LIST"))
    var metric: String?

    @Option(name: .long, help: ArgumentHelp("Order of the business units: name, ratio or value (this week).", valueName: "ORDER"))
    var sort: String = "ratio"

    @Option(name: .long, help: ArgumentHelp("Review week, e.g. 2020-W13 (default: the last full ISO week in the data); with csv or json, only its days are printed.", valueName: "WEEK"))
    var week: String?

    @Option(name: .long, help: ArgumentHelp("Only this business unit (any case), in every format (svg: the BU charted; default ALL).", valueName: "NAME"))
    var bu: String?

    @Option(name: .long, help: ArgumentHelp("First day shown, YYYY-MM-DD.", valueName: "DATE"))
    var from: String?

    @Option(name: .long, help: ArgumentHelp("Last day shown, YYYY-MM-DD.", valueName: "DATE"))
    var to: String?

    @OptionGroup var common: CommonOptions

    func run() throws {
        guard ["text", "markdown", "html", "svg", "csv", "json"].contains(format) else {
            throw UsageError(message: "--format \(format): use text, markdown, html, svg, csv or json")
        }
        guard width >= 40 else { throw UsageError(message: "--width must be at least 40") }
        guard let order = ReviewText.Sort(rawValue: sort) else { throw UsageError(message: "--sort \(sort): use name, ratio or value") }
        var chosen: [Metric] = []
        for name in (metric ?? "remote.users,meetings.users").split(separator: ",") {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let m = Metric(rawValue: trimmed) ?? Metric.allCases.first(where: { $0.rawValue.lowercased() == trimmed.lowercased() }) else {
                throw UsageError(message: "--metric: " + NameSuggestions.unknown("metric", trimmed, Metric.allCases.map(\.rawValue)))
            }
            chosen.append(m)
        }
        if format == "svg" && chosen.count != 1 {
            throw UsageError(message: "--format svg draws one chart: name one metric with --metric (e.g. --metric vpn.peak_sessions --bu Iberia)")
        }
        var reviewWeek: ReviewWeek?
        if let week {
            guard let w = ReviewWeek(iso: week) else { throw UsageError(message: "--week: '\(week)' is not an ISO week like 2020-W13") }
            reviewWeek = w
        }
        let fromDay = try from.map { f -> Int in
            guard let d = CivilDate(iso: f) else { throw UsageError(message: "--from: '\(f)' is not a date like 2020-03-16") }
            return d.day
        }
        let toDay = try to.map { t -> Int in
            guard let d = CivilDate(iso: t) else { throw UsageError(message: "--to: '\(t)' is not a date like 2020-05-10") }
            return d.day
        }
        if let f = fromDay, let t = toDay, f > t { throw UsageError(message: "--from \(from!) is after --to \(to!)") }
        // --source reads the database: no PATH (the config comes from --config); --store alone reads the store.
        if common.source != nil && !paths.isEmpty { throw UsageError(message: "--source reads the rollups from ClickHouse; give no PATH with it") }
        let roots = paths.isEmpty ? (common.source == nil && common.store == nil ? ["SampleLogs"] : []) : paths
        var p = try Pipeline.run(paths: roots, options: common)
        // Nothing to review is said as such, not printed as an empty review.
        guard let first = p.rollups.firstDay, let last = p.rollups.lastDay else {
            let place = common.source != nil ? "the database" : roots.isEmpty ? StoreWiring.path(common.store) : roots.joined(separator: ", ")
            let known = p.inputs.filter { $0.format != nil }.count
            throw IOError(path: place, "no records (\(known) file\(known == 1 ? "" : "s") in a known format\(p.inputs.count > known ? ", \(p.inputs.count - known) not read" : ""))")
        }
        p.rollups.restrict(from: fromDay, to: toDay)
        guard p.rollups.firstDay != nil else {
            let range = [from.map { "from \($0)" }, to.map { "to \($0)" }].compactMap { $0 }.joined(separator: " ")
            throw UsageError(message: "no records \(range) (the data runs \(CivilDate(daysSinceEpoch: first).iso) to \(CivilDate(daysSinceEpoch: last).iso))")
        }
        // A BU in any case (`iberia`): as the data spells it.
        var unit = bu
        if let bu, !p.rollups.units.contains(bu) {
            let named = p.rollups.units.enumerated().filter { $0.offset > Int(BusinessUnits.unassigned) }.map(\.element)
            guard let match = p.rollups.units.first(where: { $0.lowercased() == bu.lowercased() }) else {
                let list = NameSuggestions.closestFirst(bu, named).map(Sanitize.text).joined(separator: ", ")
                throw UsageError(message: "--bu: no business unit '\(Sanitize.text(bu))' in the data (\(named.isEmpty ? "it names none" : "closest first: " + list))")
            }
            unit = match
        }
        var o = SnapshotOptions()
        o.timezone = p.timezone.identifier
        o.organisation = p.config.organisation
        o.minGroup = common.minGroup
        o.week = reviewWeek
        o.businessDays = p.config.businessDays
        o.windows = p.config.windows
        o.alerts = try alerts(p)
        o.capacities = p.config.capacity
        // csv and json print what --metric, --bu and --week name (all of it by default).
        o.filter = SnapshotFilter(metrics: metric == nil ? nil : Set(chosen), unit: unit,
                                  days: reviewWeek.map { $0.monday.day...$0.sunday.day })
        let bytes: [UInt8]
        switch format {
        case "json":
            bytes = SnapshotJSON.render(p.rollups, inputs: p.inputs, options: o)
        case "csv":
            bytes = SnapshotCSV.render(p.rollups, minGroup: o.minGroup, filter: o.filter)
        case "html":
            var page = ReviewHTML()
            page.metrics = chosen
            page.sort = order
            page.unit = unit
            page.sharedScale = sharedScale
            bytes = Array(page.render(Review(p.rollups, options: o), inputs: p.inputs).utf8)
        case "svg":
            let review = Review(p.rollups, options: o)
            let name = unit ?? p.rollups.units[Int(BusinessUnits.all)]
            guard let row = review.rows.first(where: { $0.metric == chosen[0] && p.rollups.units[Int($0.bu)] == name }) else {
                throw UsageError(message: "--format svg: no \(chosen[0].rawValue) for \(Sanitize.text(name)) in the data")
            }
            let title = "\(chosen[0].displayName) – \(row.name)"
            bytes = Array((ReviewChart(width: 720, height: 405, title: title, standalone: true).svg(row, review) + "\n").utf8)
        default:
            var t = ReviewText()
            t.width = width
            t.ascii = ascii
            t.markdown = format == "markdown"
            t.metrics = chosen
            t.sort = order
            t.unit = unit
            bytes = Array(t.render(Review(p.rollups, options: o), inputs: p.inputs).utf8)
        }
        try emit(bytes)
    }

    /// Standard output, or `--out FILE` written beside it and renamed over it once whole (a
    /// reader never sees half a page).
    func emit(_ bytes: [UInt8]) throws {
        guard let out else {
            FileHandle.standardOutput.write(Data(bytes))
            return
        }
        let temp = out + ".part"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw IOError(path: out, "cannot write (\(String(cString: strerror(errno))))") }
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let reason = String(cString: strerror(errno))
                close(fd); unlink(temp)
                throw IOError(path: out, "cannot write (\(reason))")
            }
            done += n
        }
        close(fd)
        if rename(temp, out) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw IOError(path: out, "cannot write (\(reason))")
        }
    }

    /// The alerts of the newest day shown, by the rules.toml next to the config (if any), as if
    /// judged at the end of that day (stale rules too: the review is the same whenever it is
    /// printed). A bad rules file is a bad config: one line naming the rule and the key, exit 64
    /// (a review without its alerts would say nothing is wrong).
    func alerts(_ p: Pipeline) throws -> AlertReport? {
        guard let config = p.config.path, let last = p.rollups.lastDay else { return nil }
        let path = Alerts.rulesNextTo(config)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let rules = try AlertRules.load(path: path, config: p.config)
        try rules.check(against: p.rollups)
        let context = Alerts.context(p, minGroup: common.minGroup, now: nil)
        let analyses = AlertEvaluator.analyses(p.rollups, businessDays: p.config.businessDays, windows: p.config.windows)
        return AlertReport(alerts: AlertEvaluator.evaluate(rollups: p.rollups, analyses: analyses, rules: rules, context: context, on: last...last),
                           readings: [], rules: rules.rules.count, days: last...last)
    }
}
