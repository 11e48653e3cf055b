import Foundation

/// One input file found under the PATHs, with its recognised format.
public struct DiscoveredInput: Sendable, Equatable {
    public let path: String
    public let size: Int64
    public let compressed: Bool
    public let format: InputFormat?
}

/// Walks PATHs (files or directories, recursively, hidden entries skipped), in a stable
/// (sorted) order, and sniffs each file's format from its (decompressed) first bytes.
public enum InputDiscovery {
    public static func discover(_ paths: [String]) throws -> [DiscoveredInput] {
        var found: [DiscoveredInput] = []
        let fm = FileManager.default
        for root in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: root, isDirectory: &isDir) else {
                throw IOError(path: root, "no such file or directory")
            }
            if !isDir.boolValue { found.append(try inspect(root)); continue }
            var files: [String] = []
            walk(root, &files)
            for f in files.sorted() { found.append(try inspect(f)) }
        }
        return found
    }

    private static func walk(_ dir: String, _ out: inout [String]) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for e in entries where !e.hasPrefix(".") {
            let full = dir.hasSuffix("/") ? dir + e : dir + "/" + e
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDir) else { continue }
            if isDir.boolValue { walk(full, &out) } else { out.append(full) }
        }
    }

    /// Reads the first bytes of a file (gunzipping when it starts with the gzip magic) and sniffs them.
    public static func inspect(_ path: String) throws -> DiscoveredInput {
        let attrs = try? FileManager.default.attributesOfItem(atPath: path)
        let size = (attrs?[.size] as? NSNumber)?.int64Value ?? 0
        guard let handle = FileHandle(forReadingAtPath: path) else { throw IOError(path: path, "cannot be read") }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: FormatSniffer.sniffLength)) ?? Data()
        let gz = head.count >= 2 && head[head.startIndex] == 0x1F && head[head.startIndex + 1] == 0x8B
        var sample = [UInt8]()
        if gz {
            let decoder = GzipDecoder()
            var chunk = head
            while sample.count < FormatSniffer.sniffLength {
                do {
                    try chunk.withUnsafeBytes { try decoder.feed($0) { sample.append(contentsOf: $0) } }
                } catch { break }
                guard let more = try? handle.read(upToCount: 64 * 1024), !more.isEmpty else { break }
                chunk = more
            }
        } else {
            sample = [UInt8](head)
        }
        return DiscoveredInput(path: path, size: size, compressed: gz, format: FormatSniffer.sniff(sample))
    }
}
