#if canImport(Glibc)
import Glibc
#endif

/// What a follower needs to know of a file without reading it: which file it is (device and
/// inode), how long, and when it last changed.
struct FileStat: Sendable, Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    /// Modification time in nanoseconds.
    var modified: Int64
    var regular: Bool

    var identity: FileIdentity { FileIdentity(device: device, inode: inode) }

    init(_ st: stat) {
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        size = Int64(st.st_size)
        modified = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        regular = st.st_mode & S_IFMT == S_IFREG
    }

    static func of(_ path: String) -> FileStat? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return FileStat(st)
    }

    /// The same file, grown or not, is a change worth looking at.
    func differs(from o: FileStat) -> Bool { size != o.size || modified != o.modified }
}

struct FileIdentity: Hashable, Sendable {
    var device: UInt64
    var inode: UInt64
}

/// The cheap half of discovery, run on every poll: the paths under the roots (the walk of
/// `InputDiscovery`: recursive, hidden entries skipped, symbolic links to directories followed
/// once, sorted) with one stat(2) each. Nothing is opened or read.
enum FileScan {
    struct Entry {
        var path: String
        /// nil: the path could not be stat'ed (a broken link, a file removed during the walk).
        var stat: FileStat?
    }

    static func scan(_ roots: [String]) -> [Entry] {
        var out: [Entry] = []
        for root in roots {
            guard let st = FileStat.of(root) else {
                // A root that does not exist (yet) is looked for again at the next poll.
                continue
            }
            var isDir = false
            var raw = stat()
            if stat(root, &raw) == 0 { isDir = raw.st_mode & S_IFMT == S_IFDIR }
            if !isDir { out.append(Entry(path: root, stat: st)); continue }
            var found: [Entry] = []
            var visited = Set<FileIdentity>()
            walk(root, &found, &visited)
            found.sort { $0.path < $1.path }
            out.append(contentsOf: found)
        }
        return out
    }

    private static func walk(_ dir: String, _ out: inout [Entry], _ visited: inout Set<FileIdentity>) {
        var ds = stat()
        if stat(dir, &ds) == 0 {
            guard visited.insert(FileIdentity(device: UInt64(ds.st_dev), inode: UInt64(ds.st_ino))).inserted else { return }
        }
        guard let d = opendir(dir) else {
            out.append(Entry(path: dir, stat: nil))  // an unreadable directory is reported as such
            return
        }
        defer { closedir(d) }
        var subdirectories: [String] = []
        let fd = dirfd(d)
        let prefix = dir.hasSuffix("/") ? dir : dir + "/"
        while let e = readdir(d) {
            // Hidden entries (and . and ..) are skipped before anything else is done.
            if e.pointee.d_name.0 == 0x2E { continue }
            var st = stat()
            // fstatat relative to the open directory: the kernel resolves one name, not the path.
            let ok = withUnsafePointer(to: &e.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { fstatat(fd, $0, &st, 0) == 0 }
            }
            let full = prefix + withUnsafePointer(to: &e.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if ok {
                if st.st_mode & S_IFMT == S_IFDIR { subdirectories.append(full) } else { out.append(Entry(path: full, stat: FileStat(st))) }
            } else {
                out.append(Entry(path: full, stat: nil))
            }
        }
        for s in subdirectories { walk(s, &out, &visited) }
    }
}

extension InputDiscovery {
    /// Whether some file under `paths` is a log in a known format (not the directory): sniffs
    /// files in walk order and stops at the first one (a cron load's cheap check that it was
    /// given the right folder).
    public static func holdsALog(_ paths: [String], custom: [CustomSource] = [], exclude: Set<String> = []) -> Bool {
        FileScan.scan(paths).contains { e in
            guard e.stat?.regular == true, exclude.isEmpty || !exclude.contains(FileInfo.canonical(e.path)) else { return false }
            let s = Sniffed.sniff(e.path, custom: custom)
            return (s.format != nil && s.format != .directory) || s.custom != nil
        }
    }
}
