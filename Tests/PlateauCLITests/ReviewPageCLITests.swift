import Foundation
import Testing

/// Issue 18 on the command line: `--format html|svg`, `--out`, one BU's page, the errors.
@Suite struct ReviewPageCLITests {
    static let root = SnapshotGoldenTests.root

    @Test func oneBusinessUnitsPageIsWrittenWholeToTheFileNamed() throws {
        let dir = NSTemporaryDirectory() + "plateau-page-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = dir + "/iberia.html"
        try Data("an older page".utf8).write(to: URL(fileURLWithPath: out))
        let r = try CLITests.run(["--snapshot", "--format", "html", "--bu", "iberia", "--out", out, "--quiet", "SampleLogs"], in: Self.root)
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["iberia.html"])   // no .part left
        let page = try String(contentsOfFile: out, encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>") && page.hasSuffix("</html>\n"))
        // The BU as the data spells it; its every metric as a table row and a chart; no other BU.
        #expect(page.contains("<h2>Iberia</h2>") && page.contains("<h2>Iberia at a glance</h2>"))
        let rows = page.components(separatedBy: "<th scope=\"row\"").count - 1
        #expect(rows >= 10 && page.components(separatedBy: "<figure class=\"panel\">").count - 1 == rows)
        #expect(!page.contains("by business unit") && !page.contains(">Italy<"))
    }

    @Test func anSVGIsOneChartOfOneMetric() throws {
        let r = try CLITests.run(["--snapshot", "--format", "svg", "--metric", "remote.users,vpn.users", "SampleLogs"], in: Self.root)
        #expect(r.code == 64)
        #expect(r.err == "plateau: --format svg draws one chart: name one metric with --metric (e.g. --metric vpn.peak_sessions --bu Iberia)\n")
        let bad = try CLITests.run(["--snapshot", "--format", "pdf", "SampleLogs"], in: Self.root)
        #expect(bad.code == 64 && bad.err.contains("use text, markdown, html, svg, csv or json"))
    }

    @Test func aFileThatCannotBeWrittenIsOneLineNamingIt() throws {
        let r = try CLITests.run(["--snapshot", "--format", "html", "--out", "/nonexistent-dir/review.html", "--quiet", "SampleLogs/vpn"], in: Self.root)
        #expect(r.code != 0)
        #expect(r.err == "plateau: /nonexistent-dir/review.html: cannot write (No such file or directory)\n")
        #expect(r.out.isEmpty)
    }
}
