import ArgumentParser
import Foundation
import PlateauCore

/// Parses the command line, runs the command, and maps every outcome to an exit code:
/// 0 success, 64 usage (EX_USAGE), 66 unreadable input (EX_NOINPUT), 1 anything else.
/// Errors are one line on stderr, never a stack trace.
@main
enum Entry {
    static func main() {
        // A file size limit reached (`ulimit -f`) fails the write (EFBIG), as a full disk does,
        // instead of killing the process: the store's transaction rolls back and we say so.
        signal(SIGXFSZ, SIG_IGN)
        #if canImport(Glibc)
        // glibc raises its mmap threshold each time a large block is freed (up to 32 MiB), so
        // the tables that grow while logs are read soon come from the heap, and what they free
        // when they grow or merge stays in the process. A fixed threshold (the default 128 KiB)
        // keeps large blocks mmapped and returns them when freed: 16 % less peak memory on the
        // call-records bench set, at the same speed (README, Speed).
        // (`mallopt` is not in Swift's Glibc module: looked up. RTLD_DEFAULT is a null handle.)
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        if let f = dlsym(nil, "mallopt") { _ = unsafeBitCast(f, to: Mallopt.self)(-3 /* M_MMAP_THRESHOLD */, 128 * 1024) }
        #endif
        var command: ParsableCommand
        do {
            command = try Plateau.parseAsRoot(rewritingSnapshotFlag(Array(CommandLine.arguments.dropFirst())))
        } catch {
            let code = Plateau.exitCode(for: error)
            if code == .success {
                print(Plateau.fullMessage(for: error))
                exit(0)
            }
            // `plateau alerts` keeps the monitoring-plugin codes: a usage error is UNKNOWN.
            fail(Plateau.message(for: error), code: CommandLine.arguments.dropFirst().first == "alerts" ? 3 : 64)
        }
        do {
            try command.run()
        } catch let e as UsageError {
            fail(e.message, code: 64)
        } catch let e as IOError {
            fail(e.description, code: 66)
        } catch let e as ConfigError {
            fail(e.description, code: 64)
        } catch let e as AlertRulesError {
            fail(e.description, code: 64)
        } catch let e as Store.WriteFailed {
            fail(e.description, code: 1)
        } catch let e as Store.Problem {
            fail(e.description, code: 64)
        } catch let e as PlateauKey.Problem {
            fail(e.description, code: 64)
        } catch {
            // Help and version requests, and ArgumentParser's own errors, arrive here too.
            let code = Plateau.exitCode(for: error)
            if code == .success {
                print(Plateau.fullMessage(for: error))
                exit(0)
            }
            if error is ExitCode { exit(code.rawValue) }
            fail(Plateau.message(for: error), code: code == .validationFailure ? 64 : 1)
        }
    }

    /// `plateau [options] --snapshot [args]` is `plateau snapshot [options] [args]`.
    static func rewritingSnapshotFlag(_ args: [String]) -> [String] {
        guard let i = args.firstIndex(of: "--snapshot") else { return args }
        let subcommands: Set<String> = ["watch", "generate", "snapshot", "alerts", "ingest", "help"]
        if let first = args.first, subcommands.contains(first) { return args }
        var rest = args
        rest.remove(at: i)
        return ["snapshot"] + rest
    }

    static func fail(_ message: String, code: Int32) -> Never {
        let line = message.split(whereSeparator: \.isNewline).first.map(String.init) ?? "error"
        FileHandle.standardError.write(Data("plateau: \(Sanitize.line(line.replacingOccurrences(of: "Error: ", with: "")))\n".utf8))
        exit(code)
    }
}

/// A usage error found after parsing (a bad date, an unknown feed name).
struct UsageError: Error { let message: String }

struct Plateau: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plateau",
        abstract: "Collaboration-usage telemetry: daily users, meetings and session peaks per business unit.",
        discussion: """
        plateau reads the logs organisations export (Teams call records and usage reports, Zscaler \
        NSS and ZPA logs, Cisco ASA VPN syslog, virtual-desktop sessions), resolves every record \
        to a person and a business unit, and shows the daily series and their plateaus.

        Without a subcommand, plateau opens the live dashboard (`plateau watch`) on ./SampleLogs.
        """,
        version: PlateauVersion.current,
        subcommands: [Watch.self, Snapshot.self, Alerts.self, Generate.self, IngestCommand.self],
        defaultSubcommand: Watch.self
    )
}
