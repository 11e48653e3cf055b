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

    @Option(name: .long, help: ArgumentHelp("Output format: json (text, markdown and csv come with the weekly review).", valueName: "FORMAT"))
    var format: String = "json"

    @Option(name: .long, help: ArgumentHelp("Review week, e.g. 2020-W13 (default: the last full ISO week in the data).", valueName: "WEEK"))
    var week: String?

    @OptionGroup var common: CommonOptions

    func run() throws {
        guard format == "json" else {
            throw UsageError(message: "--format \(format): only json is available so far (the text review is issue 4)")
        }
        var reviewWeek: ReviewWeek?
        if let week {
            guard let w = ReviewWeek(iso: week) else { throw UsageError(message: "--week: '\(week)' is not an ISO week like 2020-W13") }
            reviewWeek = w
        }
        let roots = paths.isEmpty ? ["SampleLogs"] : paths
        let p = try Pipeline.run(paths: roots, options: common)
        var o = SnapshotOptions()
        o.timezone = p.timezone.identifier
        o.organisation = p.config.organisation
        o.minGroup = common.minGroup
        o.week = reviewWeek
        o.businessDays = p.config.businessDays
        let bytes = SnapshotJSON.render(p.rollups, inputs: p.inputs, options: o)
        FileHandle.standardOutput.write(Data(bytes))
    }
}
