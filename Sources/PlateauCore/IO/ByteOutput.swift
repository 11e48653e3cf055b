#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where bytes go: a file, a gzip stream over a file, or memory (tests).
public protocol ByteOutput: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
    func close() throws
}

public struct IOError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let message: String
    public init(path: String, _ message: String) { self.path = path; self.message = message }
    public init(path: String, errno code: Int32) {
        self.path = path
        self.message = String(cString: strerror(code))
    }
    public var description: String { "\(path): \(message)" }
}

/// A file written with write(2); created (or truncated) with mode 0644.
public final class FileOutput: ByteOutput {
    public let path: String
    private var fd: Int32

    public init(path: String, append: Bool = false) throws {
        self.path = path
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC)
        fd = open(path, flags, 0o644)
        if fd < 0 { throw IOError(path: path, errno: errno) }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var p = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = Glibc.write(fd, p, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw IOError(path: path, errno: errno)
            }
            p += n
            left -= n
        }
    }

    public func close() throws {
        guard fd >= 0 else { return }
        let rc = Glibc.close(fd)
        fd = -1
        if rc != 0 { throw IOError(path: path, errno: errno) }
    }

    deinit { if fd >= 0 { _ = Glibc.close(fd) } }
}

/// Collects everything in memory (tests, golden comparisons).
public final class MemoryOutput: ByteOutput {
    public private(set) var bytes: [UInt8] = []
    public private(set) var closed = false
    public init() {}
    public func write(_ b: UnsafeRawBufferPointer) throws { bytes.append(contentsOf: b) }
    public func close() throws { closed = true }
    public func reset() { bytes.removeAll(keepingCapacity: true) }
}
