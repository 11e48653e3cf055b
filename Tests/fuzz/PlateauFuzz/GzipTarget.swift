#if canImport(Glibc)
import Glibc
#endif
import PlateauCore

/// Bytes written to memory.
final class MemoryOutput: ByteOutput {
    var bytes: [UInt8] = []
    func write(_ b: UnsafeRawBufferPointer) throws { bytes += b }
    func close() throws {}
}

extension FuzzTargets {
    static func gzipped(_ b: ArraySlice<UInt8>) -> [UInt8] {
        let m = MemoryOutput()
        let g = try! GzipOutput(m)
        try! Array(b).withUnsafeBytes { try g.write($0) }
        try! g.close()
        return m.bytes
    }

    /// What a read of a gzip file gave: each judged member's output and verdict, in order.
    struct Member: Equatable { var verdict: GzipMembers.Verdict; var bytes: [UInt8] }

    /// Reads `file` (through a file: the reader preads) with input windows of `window` bytes,
    /// up to `split` first and then on from where that stopped (as the follower does), or whole.
    static func readMembers(_ file: [UInt8], window: Int, split: Int?) -> (members: [Member], failures: Int) {
        let path = gzipScratch
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        check(fd >= 0, "cannot open \(path)")
        defer { close(fd) }
        _ = file.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        let reader = GzipMembers(inputSize: window)
        var out: [Member] = []
        var parts: [UInt8] = []
        func take(_ e: GzipMembers.Event, keepOpen: Bool) {
            switch e {
            case .member(let b, let v): if v != .open || keepOpen { out.append(Member(verdict: v, bytes: Array(b))) }
            case .part(let b): parts += b
            case .end(let v): if v != .open || keepOpen { out.append(Member(verdict: v, bytes: parts)) }; parts = []
            }
        }
        var at = GzipMembers.Position()
        if let s = split {
            at = (try? reader.read(fd, from: at, to: Int64(s)) { take($0, keepOpen: false) }) ?? at
            parts = []
        }
        _ = try? reader.read(fd, from: at, to: Int64(file.count)) { take($0, keepOpen: true) }
        return (out, reader.failures)
    }

    nonisolated(unsafe) static var gzipScratchPath: String?
    static var gzipScratch: String {
        if let p = gzipScratchPath { return p }
        let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
        let p = "\(base)/plateau-fuzz-gzip-\(getpid())"
        gzipScratchPath = p
        return p
    }

    /// The gzip member reader. The first byte chooses:
    /// - even: the rest of the input is text, compressed as 1–4 members cut at points taken
    ///   from the input, then one byte of the file is changed (or none). Checks: every member
    ///   the change did not touch comes out verified with its own text, in order; the touched
    ///   one is verified with its text or not verified at all (never a wrong text) — unless
    ///   a text itself holds a gzip member, which the damaged member may carry verbatim and
    ///   the reader then rightly finds (the untouched ones must still come out, in order).
    /// - odd: the rest is the file itself.
    /// Both: read with another input window, and in two reads split at a point taken from the
    /// input, the verified members and the failures are the same.
    static let gzip = FuzzTarget("gzip") { input in
        guard let mode = input.first else { return }
        let rest = Array(input.dropFirst())
        var rng = InputRandom(input)
        var file: [UInt8]
        var texts: [[UInt8]] = []
        var touched: Int?
        if mode & 1 == 0 {
            let count = 1 + rng.below(4)
            var cuts = (0..<(count - 1)).map { _ in rng.below(rest.count + 1) }.sorted()
            cuts.append(rest.count)
            var from = 0
            file = []
            var starts: [Int] = []
            for c in cuts where c > from {
                texts.append(Array(rest[from..<c]))
                starts.append(file.count)
                file += gzipped(rest[from..<c])
                from = c
            }
            if rng.below(3) != 0 && !file.isEmpty {
                let at = rng.below(file.count)
                file[at] ^= UInt8(1 + rng.below(255))
                touched = starts.lastIndex { $0 <= at }
            }
        } else {
            file = rest
        }
        if let dump = getenv("PLATEAU_FUZZ_GZIP_DUMP") {
            // The file built from the input, to look at a finding with other tools.
            let fd = open(dump, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            if fd >= 0 { _ = file.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }; close(fd) }
        }
        let whole = readMembers(file, window: FileReader.blockSize, split: nil)
        if mode & 1 == 0 {
            let verified = whole.members.filter { $0.verdict == .verified }.map(\.bytes)
            let untouched = texts.enumerated().filter { $0.offset != touched }.map(\.element)
            // A text that holds a gzip member itself (the corpus has gzip files) can carry it
            // verbatim into the file (a stored block): once its own member is damaged, the
            // reader finds that inner member and rightly reads it. Then the untouched members
            // must still all come out verified, in order, among what was verified.
            let carriesMembers = texts.contains(where: holdsMember)
            func inOrder(_ want: [[UInt8]], within got: [[UInt8]]) -> Bool {
                var k = 0
                for g in got where k < want.count && g == want[k] { k += 1 }
                return k == want.count
            }
            check(verified == texts || verified == untouched || (carriesMembers && touched != nil && inOrder(untouched, within: verified)),
                  "verified \(verified.map(\.count)) of members \(texts.map(\.count)), changed byte in member \(String(describing: touched))")
        }
        let small = readMembers(file, window: 16 + rng.below(64), split: nil)
        check(small.members.filter { $0.verdict == .verified } == whole.members.filter { $0.verdict == .verified } && small.failures == whole.failures,
              "a small window read \(small.members.map { ($0.verdict, $0.bytes.count) }), whole \(whole.members.map { ($0.verdict, $0.bytes.count) })")
        let split = rng.below(file.count + 1)
        let two = readMembers(file, window: FileReader.blockSize, split: split)
        // A read that stops inside a member while a complete member lies after its start takes
        // the first as damaged (it ran on over the next, as a stored block whose length was hit
        // does). A member whose text holds a gzip member in a stored block looks the same until
        // its end is there: only log text, which is never stored verbatim, keeps the split read
        // equal to the whole one. (Any text: the whole and small-window reads above.)
        if !texts.contains(where: holdsMember) && !whole.members.contains(where: { holdsMember($0.bytes) }) {
            check(two.members.filter { $0.verdict == .verified } == whole.members.filter { $0.verdict == .verified },
                  "read in two at \(split): \(two.members.map { ($0.verdict, $0.bytes.count) }), whole \(whole.members.map { ($0.verdict, $0.bytes.count) })")
        }
    }

    /// Whether `t` holds a gzip member's start (`1f 8b 08`).
    static func holdsMember(_ t: [UInt8]) -> Bool {
        t.count >= 3 && (0..<(t.count - 2)).contains { t[$0] == 0x1F && t[$0 + 1] == 0x8B && t[$0 + 2] == 0x08 }
    }
}
