/// Where a ClickHouse database is: `clickhouse://[user[:password]@]host:port/database[?cluster=NAME]`
/// (also `&shards=host:port,host:port`: the HTTP endpoints of the shards, where the cluster's
/// own table lists only their native ports). The password is never part of a description.
public struct ClickHouseURL: Sendable, Equatable, CustomStringConvertible {
    public var user = "default"
    public var password = ""
    public var host = "127.0.0.1"
    public var port = 8123
    public var database = "plateau"
    public var cluster: String?
    /// HTTP endpoints of the cluster's shards (default: each shard's host at `port`).
    public var shards: [Endpoint] = []

    public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) { self.host = host; self.port = port }
        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// The environment variable a URL (with its credentials) may come from.
    public static let environmentVariable = "PLATEAU_CLICKHOUSE_URL"

    public init(host: String, port: Int, database: String, user: String = "default", password: String = "", cluster: String? = nil) {
        self.host = host; self.port = port; self.database = database; self.user = user; self.password = password; self.cluster = cluster
    }

    /// Parses a URL; the error never repeats the password.
    public init(parsing text: String) throws {
        let scheme = "clickhouse://"
        guard text.hasPrefix(scheme) else {
            throw ClickHouseError.usage("not a clickhouse:// URL: \(ClickHouseURL.redacted(text))")
        }
        var rest = Substring(text.dropFirst(scheme.count))
        var query: Substring = ""
        if let q = rest.firstIndex(of: "?") { query = rest[rest.index(after: q)...]; rest = rest[..<q] }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") { path = rest[rest.index(after: slash)...]; rest = rest[..<slash] }
        if let at = rest.lastIndex(of: "@") {
            let cred = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = cred.firstIndex(of: ":") {
                user = ClickHouseURL.percentDecoded(cred[..<colon])
                password = ClickHouseURL.percentDecoded(cred[cred.index(after: colon)...])
            } else {
                user = ClickHouseURL.percentDecoded(cred)
            }
            if user.isEmpty { user = "default" }
        }
        guard let endpoint = ClickHouseURL.endpoint(rest, defaultPort: 8123) else {
            throw ClickHouseError.usage("clickhouse URL: '\(rest)' is not host:port")
        }
        host = endpoint.host; port = endpoint.port
        if !path.isEmpty { database = ClickHouseURL.percentDecoded(path) }
        guard ClickHouseSQL.isPlainName(database) else {
            throw ClickHouseError.usage("clickhouse URL: database '\(database)' must be letters, digits and _")
        }
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            let key = String(kv[0]), value = kv.count > 1 ? ClickHouseURL.percentDecoded(kv[1]) : ""
            switch key {
            case "cluster":
                guard ClickHouseSQL.isPlainName(value) else { throw ClickHouseError.usage("clickhouse URL: cluster '\(value)' must be letters, digits and _") }
                cluster = value
            case "shards":
                for s in value.split(separator: ",") {
                    guard let e = ClickHouseURL.endpoint(s, defaultPort: 8123) else { throw ClickHouseError.usage("clickhouse URL: shard '\(s)' is not host:port") }
                    shards.append(e)
                }
            default:
                throw ClickHouseError.usage("clickhouse URL: unknown parameter '\(key)' (use cluster=NAME, shards=host:port,...)")
            }
        }
    }

    /// The URL given, else `PLATEAU_CLICKHOUSE_URL`; with both, the variable's credentials are
    /// used when the argument carries none (so a password need not be typed).
    public static func resolve(_ argument: String?, environment: [String: String]) throws -> ClickHouseURL? {
        let env = try environment[environmentVariable].flatMap { $0.isEmpty ? nil : try ClickHouseURL(parsing: $0) }
        guard let argument, argument != "env" && !argument.isEmpty else { return env }
        var url = try ClickHouseURL(parsing: argument)
        if let env, !argument.dropFirst("clickhouse://".count).contains("@") { url.user = env.user; url.password = env.password }
        return url
    }

    public var endpoint: Endpoint { Endpoint(host: host, port: port) }

    /// The URL without its password.
    public var description: String {
        let cred = password.isEmpty ? (user == "default" ? "" : "\(user)@") : "\(user):***@"
        var s = "clickhouse://\(cred)\(endpoint)/\(database)"
        if let cluster { s += "?cluster=\(cluster)" }
        return s
    }

    /// A URL-ish text with whatever sits between `//` and `@` masked.
    public static func redacted(_ text: String) -> String {
        guard let start = text.range(of: "//"), let at = text[start.upperBound...].firstIndex(of: "@") else { return text }
        return String(text[..<start.upperBound]) + "***" + String(text[at...])
    }

    static func endpoint(_ s: Substring, defaultPort: Int) -> Endpoint? {
        var host = s, portText: Substring?
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { return nil }
            host = s[s.index(after: s.startIndex)..<close]
            let after = s[s.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { return nil }
        } else if let colon = s.lastIndex(of: ":") {
            host = s[..<colon]; portText = s[s.index(after: colon)...]
        }
        guard !host.isEmpty else { return nil }
        var port = defaultPort
        if let portText { guard let p = Int(portText), (1...65535).contains(p) else { return nil }; port = p }
        return Endpoint(host: String(host), port: port)
    }

    static func percentDecoded(_ s: Substring) -> String {
        var out: [UInt8] = []
        var bytes = Array(s.utf8)[...]
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: "%"), bytes.count >= 2,
               let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) {
                out.append(v); bytes = bytes.dropFirst(2)
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// What can go wrong talking to ClickHouse, each as one clear line (never a password).
public enum ClickHouseError: Error, CustomStringConvertible, Equatable {
    /// A bad URL or option.
    case usage(String)
    /// The server cannot be reached (refused, unknown host, timed out).
    case unreachable(String)
    /// The server answered with an error (HTTP status, ClickHouse code and message).
    case server(status: Int, code: Int?, message: String)
    /// The answer was not what plateau expects (cut short, not the columns asked for).
    case protocolError(String)
    /// The data in the database does not fit this query (another time zone, a newer schema).
    case data(String)

    public var description: String {
        switch self {
        case .usage(let m): return m
        case .unreachable(let m): return m
        case .server(let status, let code, let message):
            let what: String
            switch code {
            case 192, 193, 194, 516: what = "authentication failed"
            case 279, 209, 210: what = "a shard is unreachable; no partial counts are returned"
            case 81: what = "no such database"
            default: what = "query failed"
            }
            return "clickhouse: \(what) (HTTP \(status)\(code.map { ", code \($0)" } ?? "")): \(message)"
        case .protocolError(let m): return "clickhouse: \(m)"
        case .data(let m): return "clickhouse: \(m)"
        }
    }

    /// The ClickHouse error code, if the server gave one.
    public var code: Int? { if case .server(_, let c, _) = self { return c }; return nil }
}
