import Foundation

/// One file a generator run is writing, with the time of its newest record.
final class LogFile {
    let relativePath: String
    let format: String
    let w: ByteWriter
    var newest: Int64 = 0
    init(_ relativePath: String, _ format: String, _ w: ByteWriter) {
        self.relativePath = relativePath; self.format = format; self.w = w
    }
    @inline(__always) func saw(_ epoch: Int64) { if epoch > newest { newest = epoch } }
    /// The 1-based number of the line about to be written.
    var nextLine: Int { w.linesWritten + 1 }
}

/// The files a generator run writes: created on first use (header included), gzipped when
/// asked, closed when their period ends, and given the time of their newest record as
/// modification time (as a log file would have; year-less syslog relies on it).
final class OutputFiles {
    let root: String
    private var open: [String: LogFile] = [:]
    private(set) var written: [(path: String, format: String, bytes: Int64, lines: Int)] = []
    private var closedBytes: Int64 = 0

    init(root: String) { self.root = root }

    /// The file at `relativePath` (`.gz` appended when `gzip`), opened with `header` the first time.
    func file(_ relativePath: String, format: String, gzip: Bool,
              header: ((ByteWriter) throws -> Void)? = nil) throws -> LogFile {
        let rel = gzip ? relativePath + ".gz" : relativePath
        if let f = open[rel] { return f }
        let full = root + "/" + rel
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        let raw = try FileOutput(path: full)
        let out: ByteOutput = gzip ? try GzipOutput(raw, name: full) : raw
        let f = LogFile(rel, format, ByteWriter(out))
        try header?(f.w)
        open[rel] = f
        return f
    }

    func close(_ f: LogFile) throws {
        guard open.removeValue(forKey: f.relativePath) != nil else { return }
        try finish(f)
    }

    func closeAll() throws {
        for f in open.values.sorted(by: { $0.relativePath < $1.relativePath }) { try finish(f) }
        open.removeAll()
    }

    private func finish(_ f: LogFile) throws {
        try f.w.close()
        let full = root + "/" + f.relativePath
        let size = ((try? FileManager.default.attributesOfItem(atPath: full))?[.size] as? NSNumber)?.int64Value ?? f.w.bytesWritten
        closedBytes += f.w.bytesWritten
        written.append((f.relativePath, f.format, size, f.w.linesWritten))
        if f.newest > 0 {
            var times = [timespec(tv_sec: Int(f.newest), tv_nsec: 0), timespec(tv_sec: Int(f.newest), tv_nsec: 0)]
            _ = utimensat(AT_FDCWD, full, &times, 0)
        }
    }

    /// Uncompressed bytes produced so far (for progress).
    var bytesSoFar: Int64 { closedBytes + open.values.reduce(0) { $0 + $1.w.bytesWritten } }
}

/// A log that rotates monthly: `prefix-YYYY-MM.ext`, the previous month closed on change.
final class MonthlyLog {
    let g: Generator
    let prefix: String, ext: String, format: String
    let header: ((ByteWriter) throws -> Void)?
    private var current: LogFile?
    private var key = -1

    init(_ g: Generator, _ prefix: String, _ ext: String, format: String, header: ((ByteWriter) throws -> Void)? = nil) {
        self.g = g; self.prefix = prefix; self.ext = ext; self.format = format; self.header = header
    }

    /// The file for records of local date `date`.
    func file(for date: CivilDate) throws -> LogFile {
        let (y, m, _) = date.components
        if y * 12 + m == key, let current { return current }
        if let current { try g.files.close(current) }
        key = y * 12 + m
        let last = CivilDate(year: y, month: m, day: CivilDate.daysIn(month: m, year: y))
        let name = "\(prefix)-\(y)-\(m < 10 ? "0" : "")\(m).\(ext)"
        let f = try g.files.file(name, format: format, gzip: g.gzip(CivilDate(year: y, month: m, day: 1), last), header: header)
        current = f
        return f
    }

    func close() throws {
        if let current { try g.files.close(current) }
        current = nil
        key = -1
    }
}

/// A generated session: who, which BU, when (UTC), and a stable id for its details.
struct GeneratedSession {
    var person: Int
    var bu: Int
    var start: Int64
    var end: Int64
    var id: UInt64
}

extension Behaviour {
    /// The sessions a person opens on a working day: usually one over their working hours,
    /// sometimes two (a break), and now and then one left open overnight.
    func sessions(_ p: Int, _ bu: Int, _ day: CivilDate, _ stream: Draws.Stream, lead: Int = 600) -> [GeneratedSession] {
        let (ws, we) = workWindow(p, day)
        let zone = zones[bu]
        let bits = draws.bits(stream, p, day.day)
        let start = zone.utc(day, ws - Int(bits % UInt64(lead)))
        var end = zone.utc(day, we + Int((bits >> 16) % UInt64(lead)))
        if (bits >> 32) % 100 < 4 { end += Int64(36_000 + (bits >> 40) % 21_600) }  // left open overnight
        if (bits >> 48) % 100 < 12 {
            let mid = zone.utc(day, (ws + we) / 2)
            return [GeneratedSession(person: p, bu: bu, start: start, end: mid - 300, id: bits),
                    GeneratedSession(person: p, bu: bu, start: mid + 900 + Int64((bits >> 8) % 1200), end: end, id: splitmix64(bits))]
        }
        return [GeneratedSession(person: p, bu: bu, start: start, end: end, id: bits)]
    }

    /// The UTC instant after which nothing of local days up to `day` is still to be started:
    /// the earliest session of the next day anywhere (UTC+14) begins after it.
    func settled(after day: CivilDate) -> Int64 { day.adding(days: 1).epochSecondsUTC - 8 * 3600 }
}
