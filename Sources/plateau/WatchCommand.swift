import ArgumentParser
import Foundation
import PlateauCore
import PlateauTUI

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The live dashboard (the default command).",
        discussion: "Opens the dashboard on the inputs under PATHs (files or directories; default ./SampleLogs). Press q to quit."
    )

    @Argument(help: ArgumentHelp("Log files or directories.", valueName: "PATH"))
    var paths: [String] = []

    func run() throws {
        let roots = paths.isEmpty ? ["SampleLogs"] : paths
        let inputs = try InputDiscovery.discover(roots)
        guard isatty(STDOUT_FILENO) == 1 else {
            throw UsageError(message: "the dashboard needs a terminal on stdout")
        }
        try Dashboard(roots: roots, inputs: inputs).run()
    }
}
