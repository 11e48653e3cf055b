import Foundation
import PlateauCore
import Testing

/// `plateau ingest --store` end to end: the real binary, generated logs, and the rollups of the
/// store compared cell for cell (`--format csv`) with an in-memory snapshot of the same files.
@Suite(.serialized)
struct StoreCLITests {
    static let key = String(repeating: "5a", count: 32)
    static let otherKey = String(repeating: "a5", count: 32)

    /// A scratch directory with its own key and data home (never the user's).
    final class Scratch {
        let dir: String
        var env: [String: String]
        init() {
            dir = NSTemporaryDirectory() + "plateau-store-" + UUID().uuidString
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            env = ["PLATEAU_KEY": StoreCLITests.key, "XDG_DATA_HOME": dir + "/xdg"]
        }
        deinit { try? FileManager.default.removeItem(atPath: dir) }
        var store: String { dir + "/store.db" }
        var data: String { dir + "/data" }

        func run(_ args: [String], env more: [String: String] = [:]) throws -> CLITests.Result {
            try CLITests.run(args, env: env.merging(more) { $1 })
        }

        /// Logs of a small organisation, without the config (so both sides read the same files).
        func generate(scale: String = "0.005", from: String = "2020-03-09", to: String = "2020-03-13", gzip: Bool = false) throws {
            var args = ["generate", "--out", data, "--scale", scale, "--from", from, "--to", to, "--quiet"]
            if gzip { args.append("--gzip") }
            let r = try run(args)
            #expect(r.code == 0, "\(r.err)")
            try? FileManager.default.removeItem(atPath: data + "/README.md")
            try FileManager.default.moveItem(atPath: data + "/plateau.toml", toPath: dir + "/plateau.toml")
            try FileManager.default.moveItem(atPath: data + "/rules.toml", toPath: dir + "/rules.toml")
        }

        var config: [String] { ["--config", dir + "/plateau.toml", "--min-group", "1", "--format", "csv"] }

        func ingest(_ paths: [String]? = nil, _ extra: [String] = []) throws -> CLITests.Result {
            let r = try run(["ingest"] + (paths ?? [data]) + ["--store", store, "--config", dir + "/plateau.toml"] + extra)
            #expect(r.code == 0, "\(r.err)")
            return r
        }

        func storeCSV() throws -> String {
            let r = try run(["snapshot", "--store", store] + config)
            #expect(r.code == 0, "\(r.err)")
            return r.out
        }

        func memoryCSV(_ paths: [String]? = nil) throws -> String {
            let r = try run(["snapshot"] + (paths ?? [data]) + config)
            #expect(r.code == 0, "\(r.err)")
            return r.out
        }
    }

    static func added(_ out: String) -> (lines: Int, records: Int) {
        // The summary line: "<store>: +L lines, +R records from F files"
        guard let last = out.split(separator: "\n").last(where: { $0.contains(" files") }) else { return (-1, -1) }
        let nums = last.split(separator: "+").dropFirst().map { Int($0.prefix { $0.isNumber }) ?? -1 }
        return (nums.first ?? -1, nums.dropFirst().first ?? -1)
    }

    @Test func reingestAddsNothingAndTheStoreEqualsMemory() throws {
        let s = Scratch()
        try s.generate()
        let first = try s.ingest()
        #expect(Self.added(first.out).records > 1000)
        let again = try s.ingest()
        #expect(Self.added(again.out) == (0, 0), "\(again.out)")
        let stored = try s.storeCSV()
        #expect(stored.split(separator: "\n").count > 100)
        #expect(stored == (try s.memoryCSV()))
    }

    /// The store keeps each feed's newest record, overall and per BU: the stale rules and the
    /// Prometheus stamps read from it equal those of the files.
    @Test func theStoreKeepsEachFeedsNewestRecord() throws {
        let s = Scratch()
        try s.generate()
        _ = try s.ingest()
        let args = ["--config", s.dir + "/plateau.toml", "--format", "prometheus", "--now", "2020-03-15T12:00:00Z", "--min-group", "1"]
        let stored = try s.run(["alerts", "--store", s.store] + args)
        let files = try s.run(["alerts", s.data] + args)
        #expect(files.code == 1 && stored.code == files.code, "\(files.err) \(stored.err)")
        let stamps = files.out.split(separator: "\n").filter { $0.hasPrefix("plateau_feed_last_record_timestamp_seconds{") }
        #expect(stamps.count > 5 && stamps.contains { $0.contains("feed=\"vdi\",bu=") })
        #expect(stored.out == files.out)
    }

    @Test func gzipInputsAndAnotherWorkingDirectory() throws {
        let s = Scratch()
        try s.generate(gzip: true)
        _ = try s.ingest()
        #expect(Self.added(try s.ingest().out) == (0, 0))
        #expect(try s.storeCSV() == (try s.memoryCSV()))
    }

    /// Splits `file` after about `fraction` of its lines: the head is left in place, the tail returned.
    static func cut(_ file: String, at fraction: Double) throws -> Data {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        var i = Int(Double(bytes.count) * fraction)
        while i < bytes.count && bytes[i] != 0x0A { i += 1 }
        let head = bytes.prefix(i + 1), tail = bytes.suffix(from: i + 1)
        try head.write(to: URL(fileURLWithPath: file))
        return Data(tail)
    }

    static func append(_ file: String, _ data: Data) throws {
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        try h.seekToEnd()
        try h.write(contentsOf: data)
        try h.close()
    }

    @Test func appendedLinesAddExactlyTheirRecords() throws {
        let s = Scratch()
        try s.generate()
        let vpn = s.data + "/vpn/asa-vpn-01-2020-03.log"
        let proxy = try FileManager.default.contentsOfDirectory(atPath: s.data + "/proxy").sorted().first!
        let tailVPN = try Self.cut(vpn, at: 0.4)
        let tailProxy = try Self.cut(s.data + "/proxy/" + proxy, at: 0.5)
        _ = try s.ingest()
        // A line still being written is left until its newline arrives.
        let split = tailVPN.firstIndex(of: 0x0A)!
        try Self.append(vpn, tailVPN.prefix(split / 2))
        #expect(Self.added(try s.ingest().out) == (0, 0))
        try Self.append(vpn, tailVPN.suffix(from: split / 2))
        try Self.append(s.data + "/proxy/" + proxy, tailProxy)
        let r = try s.ingest()
        let newLines = tailVPN.filter { $0 == 0x0A }.count + tailProxy.filter { $0 == 0x0A }.count
        #expect(Self.added(r.out).lines == newLines, "\(r.out)")
        #expect(r.out.contains("asa-vpn-01-2020-03.log: +\(tailVPN.filter { $0 == 0x0A }.count) lines"))
        #expect(try s.storeCSV() == (try s.memoryCSV()))
    }

    @Test func renamedCopiedAndTruncatedFiles() throws {
        let s = Scratch()
        try s.generate()
        let fm = FileManager.default
        let vpn1 = s.data + "/vpn/asa-vpn-01-2020-03.log", vpn2 = s.data + "/vpn/asa-vpn-02.log"
        let tail1 = try Self.cut(vpn1, at: 0.5)
        let tail2 = try Self.cut(vpn2, at: 0.5)
        _ = try s.ingest()
        // Rename rotation: the old file goes on under its new name, the new one starts empty.
        try fm.moveItem(atPath: vpn1, toPath: vpn1 + ".1")
        try tail1.write(to: URL(fileURLWithPath: vpn1))
        // Copy-truncate: the copy holds what was read, the file starts again.
        try fm.copyItem(atPath: vpn2, toPath: vpn2 + ".1")
        try tail2.write(to: URL(fileURLWithPath: vpn2))
        let r = try s.ingest()
        #expect(r.out.contains("asa-vpn-01-2020-03.log.1: rotated"), "\(r.out)")
        #expect(r.out.contains("asa-vpn-02.log: truncated"), "\(r.out)")
        #expect(r.out.contains("asa-vpn-02.log.1: a copy"), "\(r.out)")
        #expect(Self.added(r.out).lines == tail1.filter { $0 == 0x0A }.count + tail2.filter { $0 == 0x0A }.count, "\(r.out)")
        #expect(Self.added(try s.ingest().out) == (0, 0))
        #expect(try s.storeCSV() == (try s.memoryCSV()))
        // A file replaced by other content (new inode, same name) is read from the start.
        let zpa = try fm.contentsOfDirectory(atPath: s.data + "/zpa").sorted().first!
        let content = try Data(contentsOf: URL(fileURLWithPath: s.data + "/zpa/" + zpa))
        try fm.removeItem(atPath: s.data + "/zpa/" + zpa)
        let half = try Self.cutData(content, at: 0.3)
        try half.write(to: URL(fileURLWithPath: s.data + "/zpa/" + zpa))
        let replaced = try s.ingest()
        #expect(replaced.out.contains("\(zpa): +\(half.filter { $0 == 0x0A }.count) lines"), "\(replaced.out)")
    }

    static func cutData(_ bytes: Data, at fraction: Double) throws -> Data {
        var i = Int(Double(bytes.count) * fraction)
        while i < bytes.count && bytes[bytes.startIndex + i] != 0x0A { i += 1 }
        return Data(bytes.prefix(i + 1))
    }

    @Test func twoIngestsAtOnce() throws {
        let s = Scratch()
        try s.generate(scale: "0.01")
        let procs = (0..<2).map { _ -> Process in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CLITests.binary)
            p.arguments = ["ingest", s.data, "--store", s.store, "--config", s.dir + "/plateau.toml", "--quiet", "--batch-bytes", "65536"]
            p.environment = ProcessInfo.processInfo.environment.merging(s.env) { $1 }
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            return p
        }
        for p in procs { try p.run() }
        for p in procs { p.waitUntilExit(); #expect(p.terminationStatus == 0) }
        #expect(Self.added(try s.ingest().out) == (0, 0))
        #expect(try s.storeCSV() == (try s.memoryCSV()))
    }

    @Test func theStoreHoldsNoNameAddressOrGUID() throws {
        let s = Scratch()
        try s.generate()
        _ = try s.ingest()
        let people = try String(contentsOfFile: s.data + "/directory/people.csv", encoding: .utf8)
        var needles: Set<String> = []
        for row in people.split(separator: "\n").dropFirst() {
            let f = row.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) }
            guard f.count >= 3 else { continue }
            for v in f[0..<3] where v.count >= 6 { needles.insert(v); needles.insert(v.lowercased()) }
        }
        #expect(needles.count > 100)
        needles.insert(StoreCLITests.key)
        var checked = 0
        for suffix in ["", "-wal"] {
            guard let bytes = FileManager.default.contents(atPath: s.store + suffix), !bytes.isEmpty else { continue }
            checked += 1
            for n in needles { #expect(bytes.range(of: Data(n.utf8)) == nil, "\(n) found in store\(suffix)") }
        }
        #expect(checked >= 1)
    }

    @Test func aStoreOpenedWithAnotherKeyIsRefused() throws {
        let s = Scratch()
        try s.generate(from: "2020-03-09", to: "2020-03-09")
        _ = try s.ingest()
        let r = try s.run(["snapshot", "--store", s.store] + s.config, env: ["PLATEAU_KEY": StoreCLITests.otherKey])
        #expect(r.code == 64)
        #expect(r.err.contains("another key") && r.err.split(separator: "\n").count == 1, "\(r.err)")
        let i = try s.run(["ingest", s.data, "--store", s.store], env: ["PLATEAU_KEY": StoreCLITests.otherKey])
        #expect(i.code == 64)
    }

    @Test func aKeyFileIsMadeAtFirstUseWithMode0600() throws {
        let s = Scratch()
        try s.generate(from: "2020-03-09", to: "2020-03-09")
        s.env["PLATEAU_KEY"] = nil
        // The usual umask, which would make files 0644: the modes below are plateau's doing.
        let umaskBefore = umask(0o022)
        let r = try s.run(["ingest", s.data, "--store", s.store, "--quiet"])
        umask(umaskBefore)
        #expect(r.code == 0, "\(r.err)")
        let keyFile = s.dir + "/xdg/plateau/key"
        let attrs = try FileManager.default.attributesOfItem(atPath: keyFile)
        #expect((attrs[.posixPermissions] as? Int) == 0o600)
        // The store and its SQLite companions are the owner's alone too (whatever the umask).
        var companions = 0
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: s.store + suffix) {
            companions += 1
            let mode = try FileManager.default.attributesOfItem(atPath: s.store + suffix)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(s.store + suffix): \(String(mode ?? 0, radix: 8))")
        }
        #expect(companions >= 1)
        #expect(try s.run(["snapshot", "--store", s.store] + s.config).code == 0)
    }

    /// Bytes a process has read so far (`rchar` of /proc/PID/io), nil once it is gone.
    static func bytesRead(_ pid: Int32) -> Int64? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("rchar:") {
            return Int64(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// THE test: `plateau ingest` killed with SIGKILL at random points (when it has read a random
    /// number of bytes, so kills land in reading, parsing, and SQLite commits alike), run again
    /// and again until one run finishes; the store then equals one clean ingest, cell for cell,
    /// and one more run adds nothing. Plain and gzipped logs, at least 40 kills in all.
    @Test func killedAtRandomPointsThenRunAgainEndsWithTheSameRollups() throws {
        let s = Scratch()
        try s.generate(scale: "0.01", from: "2020-03-09", to: "2020-03-20")
        // The same logs gzipped (all but the last day's file): whole files per transaction.
        let zipped = s.dir + "/zipped"
        let z = try s.run(["generate", "--out", zipped, "--scale", "0.01", "--from", "2020-03-09", "--to", "2020-03-20", "--quiet", "--gzip"])
        #expect(z.code == 0)
        for f in ["README.md", "rules.toml", "plateau.toml"] { try? FileManager.default.removeItem(atPath: zipped + "/" + f) }
        func size(_ root: String) -> Int64 {
            (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).reduce(Int64(0)) { sum, f in
                sum + ((try? FileManager.default.attributesOfItem(atPath: root + "/" + f)[.size] as? Int64) ?? 0)
            }
        }
        let sets = [(s.data, try s.memoryCSV(), size(s.data)), (zipped, try s.memoryCSV([zipped]), size(zipped) * 4)]
        #expect(sets[0].2 > 5_000_000)
        #expect(sets[0].1 == sets[1].1)
        var rng = SystemRandomNumberGenerator()
        var kills = 0
        var campaign = 0
        while kills < 40 || campaign < 4 {
            campaign += 1
            let (data, expected, dataBytes) = sets[campaign % 2]
            #expect(campaign <= 30, "kills never landed")
            if campaign > 30 { break }
            let store = s.dir + "/killed-\(campaign).db"
            var finished = false
            var rounds = 0
            while !finished {
                rounds += 1
                #expect(rounds < 200)
                if rounds >= 200 { break }
                let p = Process()
                p.executableURL = URL(fileURLWithPath: CLITests.binary)
                p.arguments = ["ingest", data, "--store", store, "--config", s.dir + "/plateau.toml", "--quiet", "--batch-bytes", "131072"]
                p.environment = ProcessInfo.processInfo.environment.merging(s.env) { $1 }
                p.standardOutput = FileHandle.nullDevice
                p.standardError = FileHandle.nullDevice
                try p.run()
                let threshold = Int64.random(in: (dataBytes / 8)...dataBytes, using: &rng)
                var killed = false
                while p.isRunning {
                    if let n = Self.bytesRead(p.processIdentifier), n >= threshold {
                        killed = kill(p.processIdentifier, SIGKILL) == 0
                        break
                    }
                    usleep(500)  // polling the condition above, not timing anything
                }
                p.waitUntilExit()
                if killed && p.terminationReason == .uncaughtSignal {
                    kills += 1
                } else {
                    #expect(p.terminationStatus == 0)
                    finished = true
                }
            }
            let again = try s.run(["ingest", data, "--store", store, "--config", s.dir + "/plateau.toml"])
            #expect(Self.added(again.out) == (0, 0), "\(again.out)")
            let r = try s.run(["snapshot", "--store", store] + s.config)
            #expect(r.code == 0, "\(r.err)")
            #expect(r.out == expected, "campaign \(campaign) after \(rounds) runs")
        }
        #expect(kills >= 40)
        print("StoreCLITests: \(kills) SIGKILLs over \(campaign) stores")
    }

    /// A follower writing into the store as it goes (what `watch --store` does) while a cron
    /// `ingest` of the same files runs: neither reads what the other committed, and the store
    /// ends equal to one clean ingest.
    @Test func aFollowerAndAnIngestShareAStore() throws {
        let s = Scratch()
        try s.generate(scale: "0.01")
        let expected = try s.memoryCSV()
        let config = try PlateauConfig.load(path: s.dir + "/plateau.toml")
        var settings = config.settings(timezone: TimeZoneRules(identifier: config.timezone ?? "UTC")!)
        settings.pseudonyms = try PlateauKey.load(s.env, create: false)
        let store = try Store(path: s.store, pseudonyms: settings.pseudonyms!)
        let follower = StoreIngest.Follower(store: store, roots: [s.data], settings: settings)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLITests.binary)
        p.arguments = ["ingest", s.data, "--store", s.store, "--config", s.dir + "/plateau.toml", "--quiet", "--batch-bytes", "65536"]
        p.environment = ProcessInfo.processInfo.environment.merging(s.env) { $1 }
        try p.run()
        var polls = 0
        while p.isRunning { _ = try follower.poll(); polls += 1 }
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        _ = try follower.poll()
        #expect(polls > 0)
        #expect(try s.storeCSV() == expected)
        #expect(Self.added(try s.ingest().out) == (0, 0))
    }

    @Test func watchAlertsAndSnapshotReadTheStoreAloneAndKeepDaysPrunes() throws {
        let s = Scratch()
        try s.generate()
        _ = try s.ingest()
        let dump = try s.run(["watch", "--store", s.store, "--dump", "100x30", "--now", "2020-03-14T00:00:00Z"])
        #expect(dump.code == 0, "\(dump.err)")
        #expect(dump.out.contains("records") && dump.out.contains("ALL"))
        // watch PATH --store writes what it reads into the store (here a second one).
        let watched = s.dir + "/watched.db"
        let w = try s.run(["watch", s.data, "--store", watched, "--config", s.dir + "/plateau.toml", "--dump", "100x30"])
        #expect(w.code == 0, "\(w.err)")
        let fromWatch = try s.run(["snapshot", "--store", watched] + s.config)
        #expect(fromWatch.out == (try s.memoryCSV()))
        let alerts = try s.run(["alerts", "--store", s.store, "--config", s.dir + "/plateau.toml", "--format", "json"])
        #expect([0, 1, 2].contains(alerts.code), "\(alerts.err)")
        #expect(alerts.out.hasPrefix("["), "\(alerts.out)")
        let before = try s.storeCSV()
        #expect(before.contains("2020-03-09"))
        let pruned = try s.run(["ingest", "--store", s.store, "--keep-days", "2", "--vacuum"])
        #expect(pruned.code == 0, "\(pruned.err)")
        let after = try s.storeCSV()
        #expect(!after.contains("2020-03-09") && after.contains("2020-03-13"))
    }
}
