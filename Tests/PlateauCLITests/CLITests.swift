import Foundation
import Testing

/// End-to-end: the built `plateau` binary, as a user or a script runs it.
struct CLITests {
    static let binary: String = {
        // The test bundle lives next to the products it was built with.
        let dir = Bundle.main.bundleURL.deletingLastPathComponent()
        for candidate in [dir.appendingPathComponent("plateau"), Bundle.main.bundleURL.appendingPathComponent("plateau")]
        where FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/plateau").path
    }()

    struct Result { let code: Int32; let out: String; let err: String }

    /// Runs the binary with `args`; `shell`: `args[0]` is the program to run instead (a shell
    /// that sets a limit, then runs the binary).
    static func run(_ args: [String], env: [String: String] = [:], in directory: String? = nil, shell: Bool = false) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: shell ? args[0] : binary)
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        p.arguments = shell ? Array(args.dropFirst()) : args
        p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        let out = Pipe(), err = Pipe()
        // Close-on-exec, so that a process another test spawns meanwhile (a tmux server, which
        // lives on) does not inherit the write ends and keep the reads below from ever ending;
        // the child still gets its own ends, dup2'ed onto 1 and 2.
        for h in [out.fileHandleForReading, out.fileHandleForWriting, err.fileHandleForReading, err.fileHandleForWriting] {
            _ = fcntl(h.fileDescriptor, F_SETFD, FD_CLOEXEC)
        }
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(code: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
    }

    @Test func helpNamesEveryCommand() throws {
        let r = try Self.run(["--help"])
        #expect(r.code == 0)
        #expect(r.out.contains("watch") && r.out.contains("generate"))
        let g = try Self.run(["help", "generate"])
        #expect(g.code == 0 && g.out.contains("--scale") && g.out.contains("--seed") && g.out.contains("--out"))
    }

    @Test(arguments: [["--bogus"], ["generate", "--out", "/tmp/x", "--frobnicate"], ["generate"],
                      ["generate", "--out", "/tmp/x", "--from", "2020-02-30"], ["generate", "--out", "/tmp/x", "--scale", "-1"],
                      ["generate", "--out", "/tmp/x", "--only", "fax"],
                      ["snapshot", "--width", "20", "/tmp"], ["snapshot", "--sort", "size", "/tmp"], ["snapshot", "--metric", "teams.users", "/tmp"],
                      ["--snapshot", "--format", "pdf", "/tmp"], ["snapshot", "--from", "2020-02-30", "/tmp"], ["snapshot", "--year", "20", "/tmp"]])
    func usageErrorsExit64WithOneLine(_ args: [String]) throws {
        let r = try Self.run(args)
        #expect(r.code == 64)
        #expect(r.err.hasPrefix("plateau: "))
        #expect(r.err.split(separator: "\n").count == 1, "\(r.err)")
        #expect(r.out.isEmpty)
    }

    @Test func missingInputExits66() throws {
        let r = try Self.run(["watch", "/nonexistent/plateau-logs"])
        #expect(r.code == 66)
        #expect(r.err == "plateau: /nonexistent/plateau-logs: no such file or directory\n")
    }

    @Test func generateWritesALogDirectoryQuietlyWhenNotATerminal() throws {
        let dir = NSTemporaryDirectory() + "plateau-cli-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try Self.run(["generate", "--out", dir, "--scale", "0.005", "--from", "2020-03-16", "--to", "2020-03-17"])
        #expect(r.code == 0)
        #expect(!r.err.contains("\r"))            // no progress line when stderr is not a terminal
        #expect(r.err.contains("wrote") && r.err.contains(" people, into "))
        for f in ["README.md", "plateau.toml", "rules.toml", "directory/people.csv", "vpn/asa-vpn-02.log"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/" + f), "\(f)")
        }
        let q = try Self.run(["generate", "--out", dir + "-q", "--scale", "0.005", "--from", "2020-03-16", "--to", "2020-03-16", "--quiet"])
        defer { try? FileManager.default.removeItem(atPath: dir + "-q") }
        #expect(q.code == 0 && q.err.isEmpty)
    }
}
