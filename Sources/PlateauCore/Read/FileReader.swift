#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Reads a file's bytes in large blocks with read(2)/pread(2), gunzipping when asked, and
/// hands them on as mutable chunks. A byte range of an uncompressed file can be read on its
/// own: the range owns the lines that *start* inside it, so ranges of one file read in
/// parallel see every line exactly once.
public enum FileReader {
    public static let blockSize = 1 << 20

    /// Reads `path` (all of it, or the lines starting in `range`), calling `chunk` with
    /// decompressed data and `progress` with the count of file bytes consumed.
    public static func read(_ path: String, compressed: Bool, range: Range<Int64>? = nil,
                            progress: (Int64) -> Void = { _ in },
                            _ chunk: (UnsafeMutableRawBufferPointer) throws -> Void) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IOError(path: path, errno: errno) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: blockSize)
        if compressed {
            // Every member's output, in order (a member that fails its check too: the caller
            // learns of it by the error thrown at the end, after the members past it).
            let members = GzipMembers()
            var cut = false
            try members.read(fd, to: .max, path: path, progress: progress) { event in
                switch event {
                case .member(let b, let verdict): try chunk(b); if verdict == .open { cut = true }
                case .part(let b): try chunk(b)
                case .end(let verdict): if verdict == .open { cut = true }
                }
            }
            if members.failures > 0, let problem = members.problem { throw ReadError.damaged(problem) }
            if cut { throw ReadError.cutShort }
            return
        }
        let lower = range?.lowerBound ?? 0
        let upper = range?.upperBound ?? Int64.max
        var offset = lower > 0 ? lower - 1 : 0
        var skipping = lower > 0  // skip the tail of the line that started before the range
        var finished = false
        while !finished {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
            if n < 0 { if errno == EINTR { continue }; throw IOError(path: path, errno: errno) }
            if n == 0 { break }
            progress(Int64(min(Int64(n), max(0, upper - offset))))
            try buffer.withUnsafeMutableBytes { raw in
                var s = 0, e = n
                if skipping {
                    guard let nl = memchr(raw.baseAddress!, 0x0A, n) else { s = n; return }
                    s = raw.baseAddress!.distance(to: UnsafeMutableRawPointer(nl)) + 1
                    skipping = false
                    // The first line owned would start at or after the end: none is ours.
                    if offset + Int64(s) >= upper { finished = true; return }
                }
                // Past the end of the range, stop at the end of the line in progress.
                if offset + Int64(n) >= upper {
                    let from = max(s, Int(upper - 1 - offset))
                    if from < n, let nl = memchr(raw.baseAddress! + from, 0x0A, n - from) {
                        e = raw.baseAddress!.distance(to: UnsafeMutableRawPointer(nl)) + 1
                        finished = true
                    }
                }
                if e > s { try chunk(UnsafeMutableRawBufferPointer(rebasing: raw[s..<e])) }
            }
            offset += Int64(n)
        }
    }
}

public enum ReadError: Error, Equatable, CustomStringConvertible {
    case cutShort
    case corrupt(String)
    /// Gzip members failed their check (`GzipMembers.problem`).
    case damaged(String)
    public var description: String {
        switch self {
        case .cutShort: return "gzip data cut short: the lines of its last member, which could not be checked, are skipped"
        case .corrupt(let m): return "\(m); the lines before it were read"
        case .damaged(let m): return m
        }
    }
}
