import Foundation
import PlateauCore

/// A one-line progress display on stderr, drawn only when stderr is a terminal:
/// work done of total, bytes, rate and time left, redrawn at most 5 times a second.
final class ProgressMeter {
    let enabled: Bool
    let unit: String
    let started = Date()
    var lastDraw = Date.distantPast
    var drew = false

    init(enabled: Bool, unit: String) {
        self.enabled = enabled && isatty(STDERR_FILENO) == 1
        self.unit = unit
    }

    /// Counted work (files, days): `done` of `total`, with `bytes` written so far.
    func update(done: Int64, total: Int64, bytes: Int64) {
        guard enabled, due(done == total) else { return }
        let elapsed = max(Date().timeIntervalSince(started), 0.001)
        let rate = Double(bytes) / elapsed
        let left = done > 0 ? elapsed * Double(total - done) / Double(done) : 0
        let pct = total > 0 ? Int(100 * done / total) : 0
        draw("\(done)/\(total) \(unit) (\(pct)%)  \(humanBytes(bytes))  \(humanBytes(Int64(rate)))/s  \(Int(left.rounded()))s left")
    }

    /// Bytes read of a known total.
    func bytes(done: Int64, total: Int64) {
        guard enabled, due(false) else { return }
        draw(readingProgress(done: done, total: total, elapsed: Date().timeIntervalSince(started)))
    }

    private func due(_ force: Bool) -> Bool {
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= 0.2 else { return false }
        lastDraw = now
        return true
    }

    private func draw(_ line: String) {
        FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
        drew = true
    }

    func finish() {
        if drew { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
