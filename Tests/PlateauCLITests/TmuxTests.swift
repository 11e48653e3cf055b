import Foundation
import PlateauTestSupport
import Testing

/// Drives the real dashboard in a tmux pane: what it draws, how it resizes, and that every
/// way out (q, Ctrl-C, SIGTERM) leaves the terminal restored (tmux's `alternate_on` is 0
/// again, which only happens when ncurses' endwin ran).
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux")))
struct TmuxTests {
    let socket = "plateau-test-\(UUID().uuidString.prefix(8))"

    @discardableResult
    func tmux(_ args: String...) throws -> String {
        // The shared spawn (PlateauTestSupport): waitpid rather than Process.waitUntilExit, which
        // can hang when the tmux client forks the tmux server; and an empty signal mask, without
        // which the server would never see SIGCHLD or SIGTERM and kill-server would leave it (and
        // its panes) running for ever. Output goes through a file: the server would keep a pipe
        // open for ever.
        let path = NSTemporaryDirectory() + "\(socket)-\(UUID().uuidString)"
        defer { unlink(path) }
        guard let pid = try? spawnProcess(["/usr/bin/tmux", "-L", socket, "-f", "/dev/null"] + args, stdout: path) else { return "" }
        waitForExit(pid)
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// Polls `condition` until it holds (up to `seconds`): waiting for an event, not for a time
    /// (the bound only matters when the event never comes).
    func eventually(_ what: String, seconds: Int = 10, _ condition: () throws -> Bool) throws {
        for _ in 0..<(seconds * 20) {
            if try condition() { return }
            usleep(50_000)
        }
        Issue.record("timed out waiting for \(what); the screen:\n\((try? screen())?.joined(separator: "\n") ?? "")")
    }

    func screen() throws -> [String] { try tmux("capture-pane", "-p", "-t", "s").split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
    func format(_ f: String) throws -> String { try tmux("display-message", "-p", "-t", "s", f).trimmingCharacters(in: .whitespacesAndNewlines) }

    var statusFile: String { NSTemporaryDirectory() + "\(socket)-exit" }

    /// The dashboard's exit status, once it has exited.
    func exitStatus() -> String? {
        (try? String(contentsOfFile: statusFile, encoding: .utf8)).flatMap { $0.hasSuffix("\n") ? String($0.dropLast()) : nil }
    }

    /// The dashboard's process: the pane's shell's child.
    func dashboardPID() throws -> Int32? {
        let shell = try format("#{pane_pid}")
        let children = (try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)) ?? ""
        return children.split(separator: " ").first.flatMap { Int32($0) }
    }

    func start(_ dir: String, env: String = "") throws {
        // A wall-sized pane: the header's second row holds every feed's age (2020 data: all of
        // them stale against today's clock) and still the figures the tests read.
        try tmux("new-session", "-d", "-s", "s", "-x", "160", "-y", "40", "cat")
        try tmux("set-option", "-g", "remain-on-exit", "on")
        // The shell writes the dashboard's exit status to a file (tmux's own record of it is not
        // reliable), then stays as `cat` so the pane's screen can still be read.
        unlink(statusFile)
        try tmux("respawn-pane", "-k", "-t", "s", "\(env) LANG=C.UTF-8 TERM=xterm-256color \(CLITests.binary) watch \(dir); echo $? > \(statusFile); exec cat")
        try eventually("the dashboard") { let s = try screen().joined(); return s.contains("files followed") && s.contains("ALL") }
    }

    func sampleDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "plateau-tmux-" + UUID().uuidString
        let r = try CLITests.run(["generate", "--out", dir, "--scale", "0.005", "--from", "2020-03-16", "--to", "2020-03-17", "--quiet"])
        #expect(r.code == 0)
        return dir
    }

    /// On a terminal, reading shows a progress line on stderr (bytes done of total, rate, time
    /// left) and wipes it at the end; with --quiet nothing of the kind appears.
    @Test func readingShowsProgressOnATerminal() throws {
        let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../SampleLogs").standardized.path
        let done = NSTemporaryDirectory() + "\(socket)-status"
        defer { _ = try? tmux("kill-server"); unlink(done) }
        // The pane stays open after the run (`exec cat`), its exit status goes to a file.
        func run(_ extra: String) throws {
            unlink(done)
            try tmux("respawn-pane", "-k", "-t", "s",
                     "\(CLITests.binary) snapshot --format json \(extra) \(samples) > /dev/null; echo $? > \(done); exec cat")
        }
        try tmux("new-session", "-d", "-s", "s", "-x", "120", "-y", "10", "cat")
        try run("")
        var seen = ""
        // Each run reads all of SampleLogs (a debug build on a busy machine: tens of seconds).
        try eventually("the progress line", seconds: 120) {
            let first = try screen().first ?? ""
            if first.contains("reading") { seen = first }
            return !seen.isEmpty || FileManager.default.fileExists(atPath: done)
        }
        #expect(seen.contains(" of ") && seen.contains("/s") && seen.contains("left"), "\(seen)")
        try eventually("the end of the run", seconds: 120) { (try? String(contentsOfFile: done, encoding: .utf8))?.hasSuffix("\n") == true }
        #expect(try String(contentsOfFile: done, encoding: .utf8) == "0\n")
        #expect(!(try screen().joined().contains("reading")))  // wiped at the end
        try run("--quiet")
        try eventually("the quiet run", seconds: 120) { (try? String(contentsOfFile: done, encoding: .utf8))?.hasSuffix("\n") == true }
        // Nothing at all: no progress, and no notice of the README beside the logs (no input).
        let quiet = try screen().filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        #expect(quiet.isEmpty, "\(quiet)")
    }

    @Test func drawsAnswersKeysResizesAndQuitsCleanly() throws {
        let dir = try sampleDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir); _ = try? tmux("kill-server"); unlink(statusFile) }
        try start(dir)
        let s = try screen()
        #expect(s[0].contains("plateau"))
        #expect(s.contains { $0.contains("ALL") } && s.contains { $0.contains("Benelux") })
        #expect(s.contains { $0.contains("meetings.users · ALL") })
        #expect(try format("#{alternate_on}") == "1")
        // Lines appended to a followed file are read and counted once.
        func records() throws -> Int? {
            guard let line = try screen().first(where: { $0.contains(" records") && $0.contains("files followed") }),
                  let r = line.range(of: #"[0-9,]+ records *$"#, options: .regularExpression) else { return nil }
            return Int(line[r].split(separator: " ")[0].replacingOccurrences(of: ",", with: ""))
        }
        let before = try #require(try records())
        let proxy = dir + "/proxy/nss-web-2020-03-16.csv"
        let lines = try String(contentsOfFile: proxy, encoding: .utf8).split(separator: "\n").suffix(3)
        let h = try #require(FileHandle(forWritingAtPath: proxy))
        h.seekToEndOfFile()
        h.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        try h.close()
        try eventually("the appended lines") { try records() == before + 3 }
        // j selects the next unit: the chart follows it.
        try tmux("send-keys", "-t", "s", "j")
        try eventually("the second unit selected") { try screen().contains { $0.contains("meetings.users · Africa") || $0.contains("meetings.users · Benelux") } }
        // l moves to the next metric.
        try tmux("send-keys", "-t", "s", "l")
        try eventually("the next metric") { try screen().contains { $0.contains("meetings.count · ") } }
        // ? opens the help overlay, any key closes it.
        try tmux("send-keys", "-t", "s", "?")
        try eventually("the help overlay") { try screen().contains { $0.contains("filter units by name") } }
        try tmux("send-keys", "-t", "s", "x")
        try eventually("the help closed") { !(try screen().contains { $0.contains("filter units by name") }) }
        try tmux("resize-window", "-t", "s", "-x", "80", "-y", "24")
        try eventually("the 80×24 layout") {
            let l = try screen()
            return l.count >= 24 && l[23].contains("? help") && l[0].count <= 80 && l.contains { $0.contains("meetings.count · ") }
        }
        try tmux("send-keys", "-t", "s", "q")
        try eventually("exit") { exitStatus() != nil }
        #expect(exitStatus() == "0")   // it exited, it did not crash
        #expect(try format("#{alternate_on}") == "0")
    }

    /// Under a locale that cannot show UTF-8 (`LC_ALL=C`) braille would be blank: the dashboard
    /// keeps to ASCII glyphs and box drawing by itself, and says why in the status line.
    @Test func aLocaleWithoutUTF8GetsAnASCIIScreen() throws {
        let dir = try sampleDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir); _ = try? tmux("kill-server"); unlink(statusFile) }
        try start(dir, env: "LC_ALL=C")
        let s = try screen()
        #expect(s.last { !$0.isEmpty }?.contains("locale not UTF-8") == true, "\(s.joined(separator: "\n"))")
        #expect(s.allSatisfy { $0.unicodeScalars.allSatisfy(\.isASCII) }, "\(s.joined(separator: "\n"))")
        // The chart is drawn (ASCII marks beside its axis), not left blank.
        #expect(s.contains { $0.contains("|") && ($0.contains("#") || $0.contains(":") || $0.contains(".")) })
        // g cannot switch to glyphs the locale cannot show.
        try tmux("send-keys", "-t", "s", "g")
        try tmux("send-keys", "-t", "s", "q")
        try eventually("exit") { exitStatus() != nil }
        #expect(exitStatus() == "0")
        #expect(try screen().allSatisfy { $0.unicodeScalars.allSatisfy(\.isASCII) })
    }

    @Test(arguments: ["C-c", "SIGTERM"])
    func everyWayOutRestoresTheTerminal(_ how: String) throws {
        let dir = try sampleDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir); _ = try? tmux("kill-server"); unlink(statusFile) }
        try start(dir, env: "NO_COLOR=1")
        if how == "SIGTERM" {
            let pid = try #require(try dashboardPID())
            kill(pid, SIGTERM)
        } else {
            try tmux("send-keys", "-t", "s", how)
        }
        try eventually("exit") { exitStatus() != nil }
        #expect(try format("#{alternate_on}") == "0")
        // A signal ends it as it ends any program: 128 + the signal; Ctrl-C is a key (exit 0).
        #expect(exitStatus() == (how == "SIGTERM" ? "143" : "0"))
    }
}
