import ArgumentParser
import Foundation
import PlateauCore

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a fictional group's logs in every input format.",
        discussion: """
        Writes the logs of a fictional energy group of 160,000 employees (at --scale 1) in 24 \
        business units that moved to working from home in March 2020: the directory, Teams call \
        records and usage reports, Zscaler NSS proxy logs (CSV and JSON), ZPA logs, Cisco ASA VPN \
        syslog and virtual-desktop sessions, plus a README, plateau.toml and rules.toml. The \
        output is deterministic for a given seed.
        """
    )

    @Option(name: .long, help: ArgumentHelp("Directory to write into (created if missing).", valueName: "DIR"))
    var out: String

    @Option(name: .long, help: "Size of the group relative to 160,000 employees.")
    var scale: Double = 1

    @Option(name: .long, help: "Seed of the pseudo-random choices (same seed, same bytes).")
    var seed: UInt64 = 2020

    @Option(name: .long, help: ArgumentHelp("First day (local), YYYY-MM-DD.", valueName: "DATE"))
    var from: String = "2020-01-06"

    @Option(name: .long, help: ArgumentHelp("Last day (local), YYYY-MM-DD.", valueName: "DATE"))
    var to: String = "2020-05-10"

    @Option(name: .long, help: ArgumentHelp("Only these feeds, comma-separated: \(FeedKind.allCases.map(\.rawValue).joined(separator: ",")).", valueName: "LIST"))
    var only: String?

    @Option(name: .long, help: "Mean proxy transactions per active user and day.")
    var proxyLines: Double = 6

    @Option(name: .long, help: ArgumentHelp("Columns of the NSS CSV files: narrow (10: datetime,user,department,location,hostname,url,action,reason,transactionsize,clientip) or wide (the 41 of Zscaler's SIEM web feed, user 18th, department 28th).", valueName: "narrow|wide"))
    var proxyColumns: String = ProxyColumns.narrow.rawValue

    @Option(name: .long, help: ArgumentHelp("The VPN's vendor: asa (the default), globalprotect, fortigate, pulse, openvpn, or mixed (three BUs on GlobalProtect, two on FortiGate, one on Pulse, one on OpenVPN, the rest on ASA; Citrix ICA for two BUs' virtual desktops).", valueName: "VENDOR"))
    var vpnVendor: String = VPNVendor.asa.rawValue

    @Flag(name: .long, help: "Write the logs gzipped (.gz), except the daily files of the last day (--to), left plain as logs still being written; the directory, the Teams user-counts report and the Graph call-record pages are always plain.")
    var gzip = false

    @Flag(name: .long, help: "Do not plant malformed lines.")
    var noDefects = false

    @Flag(name: .long, help: "No progress line on stderr.")
    var quiet = false

    func run() throws {
        var o = GeneratorOptions(outputDirectory: out)
        o.scale = scale
        o.seed = seed
        guard let f = CivilDate(iso: from) else { throw UsageError(message: "--from: not a date (YYYY-MM-DD): \(from)") }
        guard let t = CivilDate(iso: to) else { throw UsageError(message: "--to: not a date (YYYY-MM-DD): \(to)") }
        o.from = f
        o.to = t
        if let only {
            var set = Set<FeedKind>()
            for name in only.split(separator: ",") {
                guard let k = FeedKind(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                    throw UsageError(message: "--only: unknown feed '\(name)' (known: \(FeedKind.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                set.insert(k)
            }
            o.feeds = set
            o.writeDocuments = false
        }
        o.proxyLinesPerUser = proxyLines
        guard let columns = ProxyColumns(rawValue: proxyColumns) else {
            throw UsageError(message: "--proxy-columns: '\(proxyColumns)' is neither narrow nor wide")
        }
        o.proxyColumns = columns
        guard let vendor = VPNVendor(rawValue: vpnVendor) else {
            throw UsageError(message: "--vpn-vendor: '\(vpnVendor)' is none of \(VPNVendor.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        o.vpnVendor = vendor
        o.gzip = gzip
        o.plantDefects = !noDefects
        let generator: Generator
        do { generator = try Generator(o) } catch let e as GeneratorError { throw UsageError(message: e.description) }
        let meter = ProgressMeter(enabled: !quiet, unit: "days")
        let summary = try generator.run { p in
            meter.update(done: Int64(p.daysDone), total: Int64(p.daysTotal), bytes: p.bytesWritten)
        }
        meter.finish()
        let bytes = summary.files.reduce(Int64(0)) { $0 + $1.bytes }
        let lines = summary.files.reduce(0) { $0 + $1.lines }
        if !quiet {
            FileHandle.standardError.write(Data("plateau: wrote \(summary.files.count) files, \(lines) lines, \(humanBytes(bytes)) on disk, \(summary.people) people, into \(out)\n".utf8))
        }
    }
}
