#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 client for ClickHouse's HTTP interface over a plain socket: one connection
/// per statement (`Connection: close`), the query in the URL for inserts and in the body
/// otherwise, credentials in the `X-ClickHouse-User`/`X-ClickHouse-Key` headers (never in a
/// URL, so they cannot leak into a message), `wait_end_of_query=1` always, so an error met
/// while the result is produced comes back as an HTTP error rather than a 200 whose body ends
/// in `Code: ...`; a body that ends like that anyway is an error too.
public struct ClickHouseClient: Sendable {
    public var url: ClickHouseURL
    public var endpoint: ClickHouseURL.Endpoint
    /// Seconds to connect, and to wait for each read (a long query answers only at its end).
    public var connectTimeout = 5
    public var readTimeout = 900
    /// Server settings sent with every statement.
    public var settings: [(String, String)] = [("wait_end_of_query", "1")]

    public init(_ url: ClickHouseURL, endpoint: ClickHouseURL.Endpoint? = nil) {
        self.url = url
        self.endpoint = endpoint ?? url.endpoint
    }

    /// Runs a statement whose result is not needed (DDL).
    public func execute(_ sql: String, database: Bool = true) throws {
        _ = try post(sql: sql, database: database)
    }

    /// Runs a query and returns its body (ask for `FORMAT TabSeparated`). The statement goes in
    /// the URL and the body stays empty: a server that refuses the request (bad credentials)
    /// answers before reading a body, and a body left unread makes it reset the connection,
    /// which can lose its answer.
    public func query(_ sql: String) throws -> [UInt8] {
        try post(sql: sql, database: true)
    }

    /// `INSERT INTO ... FORMAT RowBinary` with `data` as the rows.
    public func insert(_ statement: String, data: [UInt8], settings extra: [(String, String)] = []) throws {
        _ = try post(query: statement, body: data, database: true, extra: extra)
    }

    /// Rows of a TabSeparated result, fields unescaped.
    public func rows(_ sql: String) throws -> [[String]] {
        TSV.rows(try query(sql + "\nFORMAT TabSeparated"))
    }

    func post(query: String?, body: [UInt8], database: Bool, extra: [(String, String)] = []) throws -> [UInt8] {
        var params = settings + extra
        if database { params.append(("database", url.database)) }
        if let query { params.append(("query", query)) }
        let target = "/?" + params.map { "\($0.0)=\(ClickHouseClient.percentEncoded($0.1))" }.joined(separator: "&")
        var head = "POST \(target) HTTP/1.1\r\nHost: \(endpoint)\r\nConnection: close\r\n"
        head += "X-ClickHouse-User: \(url.user)\r\n"
        if !url.password.isEmpty { head += "X-ClickHouse-Key: \(url.password)\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        let response = try exchange(Array(head.utf8), body)
        return try check(response)
    }

    /// A statement in the URL; one too long for a URL (HTTP servers cap them at 16 KiB) in the body.
    func post(sql: String, database: Bool) throws -> [UInt8] {
        if sql.utf8.count > 4096 { return try post(query: nil, body: Array(sql.utf8), database: database) }
        return try post(query: sql, body: [], database: database)
    }

    /// The body of a 200 answer; otherwise the server's message as an error.
    func check(_ r: HTTPResponse) throws -> [UInt8] {
        if r.status != 200 {
            let text = scrub(String(decoding: r.body, as: UTF8.self))
            throw ClickHouseError.server(status: r.status, code: ClickHouseClient.errorCode(text), message: ClickHouseClient.oneLine(text))
        }
        // An exception written after a 200 header: "Code: 123, e.displayText() = DB::..." at the end.
        if let tail = ClickHouseClient.trailingException(r.body) {
            let text = scrub(tail)
            throw ClickHouseError.server(status: 200, code: ClickHouseClient.errorCode(text), message: ClickHouseClient.oneLine(text))
        }
        return r.body
    }

    /// The password never appears in a message, even if a server were to echo it.
    func scrub(_ s: String) -> String {
        guard url.password.count >= 3 else { return s }
        return s.replacingAll(url.password, with: "***")
    }

    static func errorCode(_ text: String) -> Int? {
        guard let r = text.firstRange(of: "Code: ") else { return nil }
        return Int(text[r.upperBound...].prefix { $0.isNumber })
    }

    static func oneLine(_ text: String) -> String {
        var t = text.trimmingSpaces
        if let r = t.firstRange(of: ", e.what() = ") { t = String(t[..<r.lowerBound]) }
        t = t.replacingAll("e.displayText() = ", with: "")
        if t.hasPrefix("Code: "), let comma = t.firstIndex(of: ",") { t = String(t[t.index(after: comma)...]).trimmingSpaces }
        let line = t.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).first.map(String.init) ?? ""
        return line.isEmpty ? "(empty answer)" : String(line.prefix(400))
    }

    static func trailingException(_ body: [UInt8]) -> String? {
        guard body.count >= 6 else { return nil }
        // The last line that starts with "Code: " and names an exception.
        let tail = String(decoding: body.suffix(4096), as: UTF8.self)
        let lines = tail.split(separator: "\n")
        guard let last = lines.last, last.hasPrefix("Code: "), last.contains("Exception") else { return nil }
        return String(last)
    }

    // MARK: the socket

    struct HTTPResponse { var status: Int; var body: [UInt8] }

    func exchange(_ head: [UInt8], _ body: [UInt8]) throws -> HTTPResponse {
        let fd = try connect()
        defer { close(fd) }
        var sendError: Error?
        do {
            try send(fd, head)
            try send(fd, body)
        } catch {
            // The server may have answered (an error) and closed before taking the whole body:
            // its answer is still worth reading.
            sendError = error
        }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { data.append(contentsOf: buffer[0..<n]); continue }
            if n == 0 { break }
            let e = errno
            if e == EINTR { continue }
            // A reset after part of an answer: use what arrived if it is a whole answer.
            if e == ECONNRESET, let r = try? ClickHouseClient.parse(data, endpoint: endpoint), r.status != 200 { return r }
            if let sendError { throw sendError }
            if e == EAGAIN || e == EWOULDBLOCK {
                throw ClickHouseError.unreachable("clickhouse \(endpoint): no answer within \(readTimeout) s")
            }
            throw ClickHouseError.unreachable("clickhouse \(endpoint): connection lost: \(String(cString: strerror(e)))")
        }
        if data.isEmpty, let sendError { throw sendError }
        return try ClickHouseClient.parse(data, endpoint: endpoint)
    }

    static func parse(_ data: [UInt8], endpoint: ClickHouseURL.Endpoint) throws -> HTTPResponse {
        guard let end = data.firstRange(of: [13, 10, 13, 10]) else {
            throw ClickHouseError.unreachable("clickhouse \(endpoint): the connection closed before an HTTP answer (is this ClickHouse's HTTP port?)")
        }
        let headText = String(decoding: data[..<end.lowerBound], as: UTF8.self)
        let lines = headText.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/"), let status = Int(statusParts[1]) else {
            throw ClickHouseError.protocolError("\(endpoint) did not answer in HTTP (is this ClickHouse's HTTP port?)")
        }
        var chunked = false
        var length: Int?
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = String(line[line.index(after: colon)...]).trimmingSpaces
            if name == "transfer-encoding" && value.lowercased().contains("chunked") { chunked = true }
            if name == "content-length" { length = Int(value) }
        }
        var body = Array(data[end.upperBound...])
        if chunked {
            body = try dechunk(body, endpoint: endpoint)
        } else if let length {
            guard body.count >= length else { throw ClickHouseError.protocolError("\(endpoint): answer cut short (\(body.count) of \(length) bytes)") }
            body.removeLast(body.count - length)
        }
        return HTTPResponse(status: status, body: body)
    }

    static func dechunk(_ raw: [UInt8], endpoint: ClickHouseURL.Endpoint) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        while true {
            guard let lineEnd = raw[i...].firstRange(of: [13, 10]) else {
                throw ClickHouseError.protocolError("\(endpoint): answer cut short (chunked body without its last chunk)")
            }
            let sizeText = String(decoding: raw[i..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";").first.map(String.init)?.trimmingSpaces ?? "", radix: 16) else {
                throw ClickHouseError.protocolError("\(endpoint): malformed chunked answer")
            }
            i = lineEnd.upperBound
            if size == 0 { return out }
            guard i + size <= raw.count else { throw ClickHouseError.protocolError("\(endpoint): answer cut short in the middle of a chunk") }
            out.append(contentsOf: raw[i..<(i + size)])
            i += size + 2
        }
    }

    func connect() throws -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(endpoint.host, String(endpoint.port), &hints, &list)
        guard rc == 0, let first = list else {
            throw ClickHouseError.unreachable("clickhouse \(endpoint): unknown host (\(String(cString: gai_strerror(rc))))")
        }
        defer { freeaddrinfo(list) }
        var lastError: Int32 = 0
        var ai: UnsafeMutablePointer<addrinfo>? = first
        while let a = ai {
            let fd = socket(a.pointee.ai_family, a.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), a.pointee.ai_protocol)
            if fd >= 0 {
                var snd = timeval(tv_sec: connectTimeout, tv_usec: 0)
                var rcv = timeval(tv_sec: readTimeout, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &snd, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &rcv, socklen_t(MemoryLayout<timeval>.size))
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                if Glibc.connect(fd, a.pointee.ai_addr, a.pointee.ai_addrlen) == 0 {
                    // Writes of a large batch may take longer than a connect.
                    var snd2 = timeval(tv_sec: readTimeout, tv_usec: 0)
                    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &snd2, socklen_t(MemoryLayout<timeval>.size))
                    return fd
                }
                lastError = errno
                close(fd)
            } else {
                lastError = errno
            }
            ai = a.pointee.ai_next
        }
        let reason = lastError == EINPROGRESS || lastError == EAGAIN ? "timed out" : String(cString: strerror(lastError))
        throw ClickHouseError.unreachable("clickhouse \(endpoint): cannot connect: \(reason)")
    }

    func send(_ fd: Int32, _ bytes: [UInt8]) throws {
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { send_(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ClickHouseError.unreachable("clickhouse \(endpoint): connection lost while sending: \(String(cString: strerror(errno)))")
            }
            off += n
        }
    }

    static func percentEncoded(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(b >> 4)], hex[Int(b & 15)]], as: UTF8.self)
            }
        }
        return out
    }
}

@inline(__always)
private func send_(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    Glibc.send(fd, p, n, Int32(MSG_NOSIGNAL))
}

/// TabSeparated results: rows of fields, with ClickHouse's escapes undone.
public enum TSV {
    public static func rows(_ body: [UInt8]) -> [[String]] {
        var out: [[String]] = []
        var row: [String] = []
        var field: [UInt8] = []
        var i = 0
        let n = body.count
        while i < n {
            let b = body[i]
            if b == 9 { row.append(String(decoding: field, as: UTF8.self)); field.removeAll(keepingCapacity: true) }
            else if b == 10 {
                row.append(String(decoding: field, as: UTF8.self)); field.removeAll(keepingCapacity: true)
                out.append(row); row = []
            } else if b == 92, i + 1 < n {
                i += 1
                switch body[i] {
                case UInt8(ascii: "t"): field.append(9)
                case UInt8(ascii: "n"): field.append(10)
                case UInt8(ascii: "r"): field.append(13)
                case UInt8(ascii: "0"): field.append(0)
                case UInt8(ascii: "b"): field.append(8)
                case UInt8(ascii: "f"): field.append(12)
                default: field.append(body[i])
                }
            } else { field.append(b) }
            i += 1
        }
        if !field.isEmpty || !row.isEmpty { row.append(String(decoding: field, as: UTF8.self)); out.append(row) }
        return out
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = self[...]
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
