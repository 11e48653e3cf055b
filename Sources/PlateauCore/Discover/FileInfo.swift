import Foundation

/// File facts the reader needs: modification time, first line (a CSV header for the ranges
/// of a split file), canonical path.
public enum FileInfo {
    public static func modificationTime(_ path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int64(st.st_mtim.tv_sec)
    }

    /// The first line of an uncompressed file (at most 1 MiB), without its terminator.
    public static func firstLine(_ path: String) -> [UInt8]? {
        guard let h = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? h.close() }
        guard let d = try? h.read(upToCount: 1 << 20) else { return nil }
        let bytes = [UInt8](d)
        guard let nl = bytes.firstIndex(of: 0x0A) else { return nil }
        var line = Array(bytes[..<nl])
        if line.last == 0x0D { line.removeLast() }
        if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
        return line
    }

    public static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}

/// Decides whether a plateau.toml `[[source]]` claims a file, from its first bytes: a CSV
/// whose header names every mapped column, or JSON lines whose first object has every key.
public enum CustomSourceSniffer {
    public static func claim(_ sample: [UInt8], _ sources: [CustomSource]) -> Int? {
        guard !sources.isEmpty else { return nil }
        var data = ArraySlice(sample)
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { data = data.dropFirst(3) }
        let firstLine = data.split(separator: 0x0A, maxSplits: 1, omittingEmptySubsequences: true).first ?? []
        let text = String(decoding: firstLine, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        for (i, s) in sources.enumerated() {
            let wanted = Set(s.columns.values.map { $0.lowercased() })
            switch s.shape {
            case .csv:
                guard !text.hasPrefix("{") else { continue }
                let names = Set(text.split(separator: ",", omittingEmptySubsequences: false).map {
                    $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" \t")).lowercased()
                })
                if wanted.isSubset(of: names) { return i }
            case .jsonl:
                guard text.hasPrefix("{") else { continue }
                let lower = text.lowercased()
                if wanted.allSatisfy({ lower.contains("\"\($0)\"") }) { return i }
            }
        }
        return nil
    }
}
