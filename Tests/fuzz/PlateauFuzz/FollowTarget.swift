#if canImport(Glibc)
import Glibc
#endif
import PlateauCore

extension FuzzTargets {
    /// Proxy log lines (NSS JSON: no header, so every file of a rotation can start anywhere).
    static let followPool: [[UInt8]] = [
        #"{"time":"Mon Mar 23 09:14:02 2020","login":"ann@corp.example","location":"Road Warrior","dept":"Ops"}"#,
        #"{"time":"Mon Mar 23 10:00:00 2020","login":"bob@corp.example","location":"Paris HQ","dept":"Sales"}"#,
        #"{"sourcetype":"zscalernss-web","event":{"time":"Tue Mar 24 08:01:12 2020","login":"cy@corp.example","location":"Road Warrior"}}"#,
        #"{"time":"Tue Mar 24 11:30:00 2020","login":"","location":"Road Warrior"}"#,
        #"{"time":"Wed Mar 25 07:00:00 2020","login":"dee@corp.example","location":"Lyon"}"#,
    ].map { Array($0.utf8) }

    /// The follower (`plateau watch`, `ingest --store`) on one log that a sequence of
    /// operations decoded from the input writes: appends of whole lines, of lines in two
    /// pieces, of lines made of the input's bytes, polls, rotations by rename and copy-truncate
    /// rotations (plain or gzip copies, a poll between the copy and the truncation or not).
    /// Checks: every line written is counted once, with the outcome a plain reading of all the
    /// bytes written gives it — nothing lost, nothing twice.
    /// Pool lines carry a sequence number, as real lines carry their time: a new file whose
    /// whole content is the start of another followed file is taken for its copy (the rule
    /// for copies; with a pool of five lines, a new log starting with the same line as the
    /// last one would be that, and its lines lost to the check until it grows apart).
    static let follow = FuzzTarget("follow") { input in
        var bytes = Array(input).makeIterator()
        let dir = tempDirectory()
        defer { removeTree(dir) }
        let log = dir + "/proxy.jsonl"
        let live = LiveIngest(roots: [dir], settings: IngestSettings())
        var written: [UInt8] = []
        var size = 0  // of the log now
        var pending: [UInt8] = []
        var rotations = 0
        func write(_ b: [UInt8]) {
            appendFile(log, b)
            written += b
            size += b.count
        }
        func complete() { if !pending.isEmpty { write(pending); pending = [] } }
        var sequence = 0
        func pool(_ b: UInt8?) -> [UInt8] {
            sequence += 1
            return Array("{\"seq\":\(sequence),".utf8) + followPool[Int(b ?? 0) % followPool.count].dropFirst() + [0x0A]
        }
        var ops = 0
        while let op = bytes.next(), ops < 40 {
            ops += 1
            switch op % 6 {
            case 0, 1 where size == 0:
                complete()
                let n = 1 + Int(bytes.next() ?? 0) % 4
                for _ in 0..<n { write(pool(bytes.next())) }
            case 1:
                complete()
                var line: [UInt8] = []
                while let b = bytes.next(), b != 0x0A, line.count < 60 { line.append(b) }
                write(line + [0x0A])
            case 2:
                complete()
                let l = pool(bytes.next())
                let cut = 1 + Int(bytes.next() ?? 0) % (l.count - 1)
                write(Array(l[0..<cut]))
                pending = Array(l[cut...])
            case 3:
                _ = live.poll()
            case 4:
                complete(); _ = live.poll()
                rotations += 1
                _ = rename(log, log + ".\(rotations)")
                size = 0
            default:
                complete(); _ = live.poll()
                rotations += 1
                let how = bytes.next() ?? 0
                copyFile(log, log + ".\(rotations)" + (how & 1 == 1 ? ".gz" : ""), gzip: how & 1 == 1)
                if how & 2 == 2 { _ = live.poll() }
                _ = truncate(log, 0)
                size = 0
                _ = live.poll()
            }
        }
        complete()
        _ = live.poll(); _ = live.poll()
        // The reference: every byte written, read as one stream.
        var expected = FileAccount()
        var parser = NSSJSONParser()
        let ctx = context(IngestSettings())
        ctx.fileModified = nil
        var framer = LineFramer()
        feedInPieces(written, { $0 }) { framer.feed($0, { l, n in expected.count(parser.parse(l, number: n, ctx), line: n) },
                                                     overlong: { n in expected.count(.skipped(Reasons.lineTooLong), line: n) }) }
        var got = (lines: 0, records: 0, ignored: 0, skipped: 0, headers: 0)
        for i in live.inputs {
            got.lines += i.account.lines; got.records += i.account.records; got.ignored += i.account.ignoredCount
            got.skipped += i.account.skipped; got.headers += i.account.headers
        }
        let want = (lines: expected.lines, records: expected.records, ignored: expected.ignoredCount, skipped: expected.skipped, headers: expected.headers)
        check(got == want, "followed \(got), written \(want) (\(ops) operations, \(rotations) rotations); files \(live.inputs.map { "\($0.path.split(separator: "/").last ?? ""): \($0.account.lines) \($0.format ?? "-")" })")
        check(live.totalRecords == want.records, "totalRecords \(live.totalRecords), \(want.records) written")
    }

    // MARK: files

    nonisolated(unsafe) static var directories = 0

    static func tempDirectory() -> String {
        directories += 1
        let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
        let path = "\(base)/plateau-fuzz-\(getpid())-\(directories)"
        mkdir(path, 0o700)
        return path
    }

    static func removeTree(_ path: String) {
        guard let d = opendir(path) else { return }
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { unlink(path + "/" + name) }
        }
        closedir(d)
        rmdir(path)
    }

    static func appendFile(_ path: String, _ bytes: [UInt8]) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        check(fd >= 0, "cannot open \(path)")
        bytes.withUnsafeBytes { b in _ = Glibc.write(fd, b.baseAddress, b.count) }
        close(fd)
    }

    static func readFile(_ path: String) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return out
    }

    static func copyFile(_ from: String, _ to: String, gzip: Bool) {
        let data = readFile(from)
        if gzip {
            guard let out = try? GzipOutput(FileOutput(path: to)) else { check(false, "cannot write \(to)"); return }
            try? data.withUnsafeBytes { try out.write($0) }
            try? out.close()
        } else {
            appendFile(to, data)
        }
    }
}
