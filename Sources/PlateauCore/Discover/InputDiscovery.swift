import Foundation

/// One input file found under the PATHs, with its recognised format.
public struct DiscoveredInput: Sendable, Equatable {
    public let path: String
    public let size: Int64
    public let compressed: Bool
    public let format: InputFormat?
    /// The index of the plateau.toml `[[source]]` that claims the file, if one does.
    public var custom: Int? = nil
    /// The file exists but could not be opened.
    public var unreadable = false
    /// Call records written one object per line (not a Graph page or an array): such files
    /// are read line by line and can be split into ranges.
    public var jsonLines = false
    /// Why the file cannot be read (permission, broken link, not a regular file).
    public var problem: String?
    /// No format claims it and its name is a document's (`Documents`): not an input.
    public var document = false

    public init(path: String, size: Int64, compressed: Bool, format: InputFormat?, custom: Int? = nil,
                unreadable: Bool = false, problem: String? = nil) {
        self.unreadable = unreadable || problem != nil
        self.problem = problem
        self.path = path; self.size = size; self.compressed = compressed; self.format = format; self.custom = custom
    }
}

/// Walks PATHs (files or directories, recursively, hidden entries skipped), in a stable
/// (sorted) order, and sniffs each file's format from its (decompressed) first bytes.
public enum InputDiscovery {
    /// The accounting's word for a file no format claims.
    public static let unknownFormat = "no known format; skipped"

    /// The inputs under `paths` (documents beside them left out: see `discoverAll`).
    public static func discover(_ paths: [String], custom: [CustomSource] = [], exclude: Set<String> = []) throws -> [DiscoveredInput] {
        try discoverAll(paths, custom: custom, exclude: exclude).inputs
    }

    /// `custom` sources are tried before the built-in formats; files in `exclude` (the config
    /// and rules files in use) are not inputs, and neither are documents (a README, notes: no
    /// format claims them and their name says what they are), returned apart.
    public static func discoverAll(_ paths: [String], custom: [CustomSource] = [], exclude: Set<String> = []) throws
        -> (inputs: [DiscoveredInput], documents: [String]) {
        let all = try walk(paths, custom: custom, exclude: exclude)
        return (all.filter { !$0.document }, all.filter(\.document).map(\.path))
    }

    static func walk(_ paths: [String], custom: [CustomSource], exclude: Set<String>) throws -> [DiscoveredInput] {
        var found: [DiscoveredInput] = []
        let fm = FileManager.default
        for root in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: root, isDirectory: &isDir) else {
                throw IOError(path: root, "no such file or directory")
            }
            if !isDir.boolValue {
                found.append(try irregular(root) ?? inspect(root, custom: custom))
                continue
            }
            var files: [String] = []
            var visited = Set<DirectoryID>()
            walk(root, &files, &visited)
            for f in files.sorted() where !exclude.contains(FileInfo.canonical(f)) {
                found.append(try irregular(f) ?? inspect(f, custom: custom))
            }
        }
        return found
    }

    struct DirectoryID: Hashable { var device: UInt64; var inode: UInt64 }

    /// Recursion follows symbolic links to directories, but enters each directory once
    /// (a link to a parent would otherwise loop).
    private static func walk(_ dir: String, _ out: inout [String], _ visited: inout Set<DirectoryID>) {
        var ds = stat()
        if stat(dir, &ds) == 0 {
            guard visited.insert(DirectoryID(device: UInt64(ds.st_dev), inode: UInt64(ds.st_ino))).inserted else { return }
        }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
            out.append(dir)  // an unreadable directory is reported as such
            return
        }
        for e in entries where !e.hasPrefix(".") {
            let full = dir.hasSuffix("/") ? dir + e : dir + "/" + e
            var st = stat()
            if stat(full, &st) == 0, st.st_mode & S_IFMT == S_IFDIR { walk(full, &out, &visited) } else { out.append(full) }
        }
    }

    /// A path that is not a regular file plateau can read: reported, never opened (a FIFO
    /// would block the reader).
    static func irregular(_ path: String) -> DiscoveredInput? {
        var st = stat()
        if stat(path, &st) != 0 {
            let why = lstat(path, &st) == 0 ? "broken symbolic link" : String(cString: strerror(errno))
            return DiscoveredInput(path: path, size: 0, compressed: false, format: nil, problem: why)
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG:
            return access(path, R_OK) == 0 ? nil
                : DiscoveredInput(path: path, size: Int64(st.st_size), compressed: false, format: nil, problem: "permission denied")
        case S_IFDIR:
            return DiscoveredInput(path: path, size: 0, compressed: false, format: nil, problem: "directory cannot be read")
        default:
            return DiscoveredInput(path: path, size: 0, compressed: false, format: nil, problem: "not a regular file")
        }
    }

    /// Reads the first bytes of a file (gunzipping when it starts with the gzip magic) and sniffs them.
    public static func inspect(_ path: String, custom: [CustomSource] = []) throws -> DiscoveredInput {
        // stat(2) follows symbolic links (attributesOfItem would give the link's own size).
        var st = stat()
        let size = stat(path, &st) == 0 ? Int64(st.st_size) : 0
        guard let handle = FileHandle(forReadingAtPath: path) else {
            // An unreadable file is reported as an input that could not be read, not fatal.
            return DiscoveredInput(path: path, size: size, compressed: false, format: nil, custom: nil, unreadable: true)
        }
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
        if let c = CustomSourceSniffer.claim(sample, custom) {
            return DiscoveredInput(path: path, size: size, compressed: gz, format: nil, custom: c)
        }
        var found = DiscoveredInput(path: path, size: size, compressed: gz, format: FormatSniffer.sniff(sample))
        if let f = found.format, f.isJSONRecords { found.jsonLines = CallRecordsShape.isJSONLines(sample, pageKeys: f.pageKeys) }
        if found.format == nil { found.document = Documents.isDocument(path) }
        return found
    }
}
