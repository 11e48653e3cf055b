#if canImport(Glibc)
import Glibc
#endif

/// Large tables probed at random once per log line (the directory's identities) cost a TLB
/// miss per probe on 4 KiB pages: 8 MiB of directory is 2,048 pages, a core's whole
/// second-level TLB, and under virtualisation each miss is a two-dimensional page walk — which
/// a software prefetch waits for before it retires (`UserPipeline`). On 2 MiB pages the same
/// table is four TLB entries (issue 15). Linux backs an anonymous mapping with such pages only
/// when asked (`transparent_hugepage` is `madvise` on Debian), so arrays of at least
/// `threshold` bytes ask, before their pages are first touched. Elsewhere, or when the kernel
/// says no, they are ordinary arrays.
enum HugePages {
    /// 2 MiB: the x86-64 huge page (and arm64's with 4 KiB pages).
    static let size = 2 << 20
    /// Tables smaller than this stay on ordinary pages (a huge page would be mostly empty).
    static let threshold = 4 << 20
    /// `PLATEAU_HUGE_PAGES=0` turns the advice off (a benchmark knob).
    static let enabled: Bool = {
        if let v = getenv("PLATEAU_HUGE_PAGES") { return String(cString: v) != "0" }
        return true
    }()

    /// An array of `count` copies of `value`, its storage advised onto huge pages when large.
    static func array<T>(repeating value: T, count: Int) -> [T] {
        let bytes = count * MemoryLayout<T>.stride
        guard enabled, bytes >= threshold else { return [T](repeating: value, count: count) }
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            advise(UnsafeMutableRawPointer(buffer.baseAddress!), bytes)
            buffer.initialize(repeating: value)
            initialized = count
        }
    }

    /// Advises the whole 2 MiB pages inside `[base, base + bytes)` (malloc maps an allocation
    /// this large fresh: none of it is touched yet).
    static func advise(_ base: UnsafeMutableRawPointer, _ bytes: Int) {
        #if os(Linux)
        let start = (Int(bitPattern: base) + size - 1) & ~(size - 1)
        let end = (Int(bitPattern: base) + bytes) & ~(size - 1)
        guard end > start, let p = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(p, end - start, 14 /* MADV_HUGEPAGE */)
        #endif
    }
}
