#if canImport(Glibc)
import Glibc
#endif

/// The committed inputs of `Tests/fuzz/corpus/<target>/`, for replays without libFuzzer.
public enum Corpus {
    /// `path` itself if it is a file, else the files in it (not recursive), sorted.
    public static func files(_ path: String) -> [String] {
        guard let d = opendir(path) else { return [path] }
        defer { closedir(d) }
        var out: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if !name.hasPrefix(".") { out.append(path + "/" + name) }
        }
        return out.sorted()
    }

    public static func read(_ path: String) -> [UInt8] { FuzzTargets.readFile(path) }
}
