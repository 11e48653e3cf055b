import CZlib

/// A gzip stream over another output (deflate level 6 unless told otherwise).
public final class GzipOutput: ByteOutput {
    private let inner: ByteOutput
    private var stream = z_stream()
    private var out = [UInt8](repeating: 0, count: 1 << 17)
    private var finished = false
    private let name: String

    public init(_ inner: ByteOutput, level: Int32 = 6, name: String = "gzip") throws {
        self.inner = inner
        self.name = name
        guard plateau_deflate_init_gzip(&stream, level) == Z_OK else {
            throw IOError(path: name, "cannot start gzip compression")
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(bytes.count)
        try pump(flush: Z_NO_FLUSH)
    }

    private func pump(flush: Int32) throws {
        repeat {
            let produced: Int = try out.withUnsafeMutableBytes { buf in
                stream.next_out = buf.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(buf.count)
                let rc = deflate(&stream, flush)
                if rc == Z_STREAM_ERROR { throw IOError(path: name, "gzip compression failed") }
                return buf.count - Int(stream.avail_out)
            }
            if produced > 0 { try out.withUnsafeBytes { try inner.write(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) } }
            if flush == Z_FINISH { if stream.avail_out != 0 { break } } else if stream.avail_in == 0 && stream.avail_out != 0 { break }
        } while true
    }

    public func close() throws {
        guard !finished else { return }
        finished = true
        stream.next_in = nil
        stream.avail_in = 0
        try pump(flush: Z_FINISH)
        deflateEnd(&stream)
        try inner.close()
    }

    deinit { if !finished { deflateEnd(&stream) } }
}

public enum GzipError: Error, Equatable, CustomStringConvertible {
    case corrupt(String)
    public var description: String {
        switch self { case .corrupt(let m): return "corrupt gzip data (\(m))" }
    }
}

/// Streaming gunzip: feed compressed chunks, receive decompressed chunks. Concatenated
/// members (as `cat a.gz b.gz` or rotated appends produce) are read one after the other.
public final class GzipDecoder {
    private var stream = z_stream()
    private var out = [UInt8](repeating: 0, count: 1 << 18)
    private var active = false
    public private(set) var atMemberEnd = true

    public init() {}

    private func start() throws {
        if active { inflateEnd(&stream) }
        stream = z_stream()
        guard plateau_inflate_init_gzip(&stream) == Z_OK else { throw GzipError.corrupt("cannot start inflate") }
        active = true
    }

    /// Decompresses `input`, calling `sink` with each decompressed piece.
    public func feed(_ input: UnsafeRawBufferPointer, _ sink: (UnsafeMutableRawBufferPointer) throws -> Void) throws {
        guard let base = input.baseAddress, input.count > 0 else { return }
        stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        while stream.avail_in > 0 {
            if atMemberEnd {
                // A new member begins; skip zero padding some writers leave after a member.
                let p = stream.next_in!, n = stream.avail_in
                if p.pointee == 0 { stream.next_in = p + 1; stream.avail_in = n - 1; continue }
                try start()
                stream.next_in = p
                stream.avail_in = n
                atMemberEnd = false
            }
            let (rc, produced): (Int32, Int) = out.withUnsafeMutableBytes { buf in
                stream.next_out = buf.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(buf.count)
                let rc = inflate(&stream, Z_NO_FLUSH)
                return (rc, buf.count - Int(stream.avail_out))
            }
            if produced > 0 { try out.withUnsafeMutableBytes { try sink(UnsafeMutableRawBufferPointer(rebasing: $0[0..<produced])) } }
            switch rc {
            case Z_OK: continue
            case Z_STREAM_END: atMemberEnd = true
            case Z_BUF_ERROR: if produced == 0 && stream.avail_in > 0 { throw GzipError.corrupt("no progress") }
            default: throw GzipError.corrupt(stream.msg.map { String(cString: $0) } ?? "inflate error \(rc)")
            }
        }
    }

    deinit { if active { inflateEnd(&stream) } }
}
