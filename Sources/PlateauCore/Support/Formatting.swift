/// Human-readable sizes for status lines: `999 B`, `1.2 MB`, `4.7 GB` (decimal units).
public func humanBytes(_ n: Int64) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"]
    var v = Double(n), i = 0
    while v >= 1000 && i < units.count - 1 { v /= 1000; i += 1 }
    if i == 0 { return "\(n) B" }
    let tenths = Int((v * 10).rounded())
    return "\(tenths / 10).\(tenths % 10) \(units[i])"
}

/// 40512 → "40,512".
public func groupedDigits(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (n < 0 ? "-" : "") + out
}

/// "reading 1.2 GB of 4.7 GB (25%)  310.0 MB/s  11s left": the progress of reading bytes, for
/// the stderr progress line and the dashboard's status line alike.
public func readingProgress(done: Int64, total: Int64, elapsed: Double) -> String {
    let rate = Double(done) / max(elapsed, 0.001)
    let left = rate > 0 ? Double(max(0, total - done)) / rate : 0
    let pct = total > 0 ? Int(100 * min(done, total) / total) : 0
    return "reading \(humanBytes(done)) of \(humanBytes(total)) (\(pct)%)  \(humanBytes(Int64(rate)))/s  \(Int(left.rounded()))s left"
}
