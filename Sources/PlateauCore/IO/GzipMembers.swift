#if canImport(Glibc)
import Glibc
#endif
import CZlib

/// Reads the members of a gzip file one after the other and judges each by its check.
///
/// zlib checks a member's CRC-32 and length only at its end, so the output of a damaged member
/// looks like any other until then (overwriting 30 bytes near a member's end made 17 lines of a
/// user "R"). Each member's output is therefore handed out with its verdict:
///
/// - A member whose output fits `holdLimit` (4 MiB; every member of a bgzip-style file, most
///   members of concatenated daily files) is held and handed out whole, once judged, in one
///   `.member` event: nothing of it is parsed before its check.
/// - A longer member (the usual single member of a rotated multi-gigabyte log) is handed out
///   in `.part`s as it inflates, then its verdict in `.end`: the reader keeps what it parsed
///   of it aside until then. Memory stays bounded either way, and every byte is inflated once.
///
/// After a member fails, the next one is looked for from the byte after the failed member's
/// start: a damaged member often runs on into the next one before zlib notices (the test file
/// of issue 14 read 106 bytes past its member's end), so its end is not where the next member
/// starts. A candidate (`1f 8b 08`, no reserved flag) is only taken for a member once it
/// passes its check or has inflated `holdLimit` bytes without error; bytes of compressed data
/// that merely look like a header fail within a few bytes and are passed over silently.
/// Zero bytes between members (padding some writers leave) are skipped.
public final class GzipMembers {
    public enum Verdict: Equatable, Sendable {
        /// The member ended and its CRC-32 and length matched.
        case verified
        /// zlib rejected it (its message); its output is not to be trusted.
        case failed(String)
        /// The data ended inside it: cut short, or still being written.
        case open
    }

    public enum Event {
        /// The whole output of a member, held until it was judged.
        case member(UnsafeMutableRawBufferPointer, Verdict)
        /// Output of a member longer than the hold limit, not judged yet.
        case part(UnsafeMutableRawBufferPointer)
        /// The verdict of the member whose parts came before.
        case end(Verdict)
    }

    /// Where a read stopped: the next member's offset, the open member's own offset (to read
    /// it again from its start once it is complete), or where to go on looking for a member.
    public struct Position: Equatable, Sendable {
        public var offset: Int64
        public var hunting: Bool
        public init(offset: Int64 = 0, hunting: Bool = false) { self.offset = offset; self.hunting = hunting }
    }

    public static let defaultHoldLimit = 4 << 20
    static let partSize = 1 << 18
    static let failedReason = Reason("gzip member failed its check")
    static let cutReason = Reason("gzip member cut short before its check")

    public let holdLimit: Int
    /// Members that failed their check in the reads so far, and the first of them.
    public private(set) var failures = 0
    public private(set) var firstFailure: (offset: Int64, reason: String)?
    /// The member the data ended in, when it did (handed out as `.open`).
    public private(set) var openMember: Int64?

    private var stream = z_stream()
    private var active = false
    private var hold: UnsafeMutableRawPointer
    private var holdCapacity: Int
    private var input: [UInt8]
    private var windowStart: Int64 = 0
    private var windowCount = 0
    /// The offset of the member being read.
    private var memberOffset: Int64 = 0
    /// A reader that looks for the next member for another: it does not look further itself.
    private var probing = false

    public init(holdLimit: Int = GzipMembers.defaultHoldLimit, inputSize: Int = FileReader.blockSize) {
        self.holdLimit = max(holdLimit, GzipMembers.partSize)
        holdCapacity = GzipMembers.partSize
        hold = UnsafeMutableRawPointer.allocate(byteCount: holdCapacity, alignment: 16)
        input = [UInt8](repeating: 0, count: inputSize)
    }

    deinit {
        if active { inflateEnd(&stream) }
        hold.deallocate()
    }

    /// The file error of a file in which members failed, or the data ended inside one; nil.
    public var problem: String? {
        let cut = openMember.map {
            "gzip member at byte \($0) ends before its check (the data stops inside it: cut short, or damaged near its end): its lines are skipped"
        }
        let parts = [GzipMembers.problem(failures: failures, first: firstFailure), cut].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    /// The file error of a file in which `failures` members failed their check.
    public static func problem(failures: Int, first: (offset: Int64, reason: String)?) -> String? {
        guard let f = first, failures > 0 else { return nil }
        if failures == 1 {
            return "gzip member at byte \(f.offset) failed its check (\(f.reason)): its lines are skipped, the members around it were read"
        }
        return "\(failures) gzip members failed their check (the first at byte \(f.offset): \(f.reason)): their lines are skipped, the other members were read"
    }

    /// Reads `fd` from `start` up to `end` (its size), handing out what the members hold.
    /// `progress` receives the count of file bytes passed for the first time. Returns where
    /// to go on: past the last member judged (an open member is handed out as `.open` and
    /// read again from its start the next time).
    @discardableResult
    public func read(_ fd: Int32, from start: Position = Position(), to end: Int64, path: String = "gzip",
                     progress: (Int64) -> Void = { _ in }, _ event: (Event) throws -> Void) throws -> Position {
        var pos = start.offset
        var hunting = start.hunting
        var passed = start.offset
        var inMember = false, streaming = false, trial = false
        var memberStart: Int64 = 0
        var held = 0
        windowCount = 0

        func window(_ at: Int64) throws -> Int {
            if at >= windowStart && at < windowStart + Int64(windowCount) { return Int(at - windowStart) }
            let want = Int(min(Int64(input.count), end - at))
            guard want > 0 else { windowStart = at; windowCount = 0; return 0 }
            var n = 0
            while true {
                n = input.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(at)) }
                if n < 0 && errno == EINTR { continue }
                break
            }
            if n < 0 { throw IOError(path: path, errno: errno) }
            windowStart = at
            windowCount = n
            return 0
        }
        func advance(to p: Int64) {
            pos = p
            if pos > passed { progress(pos - passed); passed = pos }
        }
        func fail(_ reason: String) throws {
            inMember = false
            hunting = true
            let from = memberStart
            if trial && !streaming {
                // Bytes that only looked like a member header.
            } else {
                failures += 1
                if firstFailure == nil { firstFailure = (from, reason) }
                if streaming { try event(.end(.failed(reason))) }
                else { try event(.member(UnsafeMutableRawBufferPointer(start: hold, count: held), .failed(reason))) }
            }
            pos = from + 1
        }

        while true {
        while pos < end {
            if !inMember {
                let i = try window(pos)
                guard windowCount > i else { break }
                if hunting {
                    // The next `1f 8b 08` with no reserved flag bit, wholly inside the window.
                    let found: Int? = input.withUnsafeBytes { raw in
                        var k = i
                        while k + 3 < windowCount {
                            if raw[k] == 0x1F && raw[k + 1] == 0x8B && raw[k + 2] == 0x08 && raw[k + 3] & 0xE0 == 0 { return k }
                            k += 1
                        }
                        return nil
                    }
                    guard let k = found else {
                        let windowEnd = windowStart + Int64(windowCount)
                        if windowEnd >= end { advance(to: max(pos, end - 3)); return Position(offset: pos, hunting: true) }
                        // Read on from the last three bytes: a header may straddle the windows.
                        windowCount = 0
                        advance(to: max(pos + 1, windowEnd - 3))
                        continue
                    }
                    advance(to: windowStart + Int64(k))
                    trial = true
                } else {
                    if input[i] == 0 { advance(to: pos + 1); continue }  // padding between members
                    trial = false
                }
                try begin()
                inMember = true
                streaming = false
                memberStart = pos
                memberOffset = pos
                held = 0
            }
            let i = try window(pos)
            guard windowCount > i else { break }
            let room: Int
            if streaming {
                room = GzipMembers.partSize
            } else {
                if held == holdCapacity {
                    if holdCapacity < holdLimit {
                        let bigger = min(holdLimit, holdCapacity * 2)
                        let h = UnsafeMutableRawPointer.allocate(byteCount: bigger, alignment: 16)
                        h.copyMemory(from: hold, byteCount: held)
                        hold.deallocate()
                        hold = h
                        holdCapacity = bigger
                    } else {
                        // Long enough to be a member, not bytes that look like a header.
                        try event(.part(UnsafeMutableRawBufferPointer(start: hold, count: held)))
                        held = 0
                        streaming = true
                        trial = false
                        continue
                    }
                }
                room = holdCapacity - held
            }
            let inputLeft = windowCount - i
            let (rc, used, produced): (Int32, Int, Int) = input.withUnsafeMutableBytes { raw in
                stream.next_in = (raw.baseAddress! + i).assumingMemoryBound(to: Bytef.self)
                stream.avail_in = uInt(inputLeft)
                let out = streaming ? hold : hold + held
                stream.next_out = out.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(room)
                let rc = inflate(&stream, Z_NO_FLUSH)
                return (rc, inputLeft - Int(stream.avail_in), room - Int(stream.avail_out))
            }
            advance(to: pos + Int64(used))
            if streaming {
                if produced > 0 { try event(.part(UnsafeMutableRawBufferPointer(start: hold, count: produced))) }
            } else {
                held += produced
            }
            switch rc {
            case Z_OK:
                continue
            case Z_STREAM_END:
                inMember = false
                hunting = false
                if streaming { try event(.end(.verified)) }
                else { try event(.member(UnsafeMutableRawBufferPointer(start: hold, count: held), .verified)) }
            case Z_BUF_ERROR where used > 0 || produced > 0:
                continue
            default:
                try fail(stream.msg.map { String(cString: $0) } ?? "inflate error \(rc)")
            }
        }
        if inMember {
            if trial && !streaming {
                // The data ends inside a candidate not yet confirmed: a member still being
                // written, or bytes that only look like a header and whose "header" swallows
                // the rest (an extra field's length, a name without its zero byte) — with the
                // members after it. A member found after it settles it as the latter. (The
                // probe does not probe again: a second such candidate leaves the first
                // unsettled, so a read costs at most two passes over the data.)
                if !probing, let next = try probe(fd, after: memberStart, to: end, path: path) {
                    inMember = false
                    pos = next
                    hunting = false
                    continue
                }
                return Position(offset: memberStart, hunting: true)
            }
            // The data ends inside a member: cut short, still being written, or damaged so
            // that it ran on over the members after it (zlib reads them as its own data). A
            // member found after its start settles it.
            if !probing, let next = try probe(fd, after: memberStart, to: end, path: path) {
                try fail("it runs on into the member at byte \(next)")
                pos = next
                hunting = false
                continue
            }
            openMember = memberStart
            if streaming { try event(.end(.open)) }
            else { try event(.member(UnsafeMutableRawBufferPointer(start: hold, count: held), .open)) }
            return Position(offset: memberStart, hunting: false)
        }
        return Position(offset: pos, hunting: hunting)
        }
    }

    private struct Found: Error { let offset: Int64 }

    /// The offset of the first member after `start` (one that passes its check or inflates
    /// `holdLimit` bytes without error), or nil.
    private func probe(_ fd: Int32, after start: Int64, to end: Int64, path: String) throws -> Int64? {
        let finder = GzipMembers(holdLimit: holdLimit, inputSize: 1 << 16)
        finder.probing = true
        do {
            try finder.read(fd, from: Position(offset: start + 1, hunting: true), to: end, path: path) { _ in
                throw Found(offset: finder.memberOffset)
            }
        } catch let f as Found {
            return f.offset
        }
        return nil
    }

    private func begin() throws {
        if active {
            guard inflateReset(&stream) == Z_OK else { throw GzipError.corrupt("cannot restart inflate") }
            return
        }
        stream = z_stream()
        guard plateau_inflate_init_gzip(&stream) == Z_OK else { throw GzipError.corrupt("cannot start inflate") }
        active = true
    }
}
