import Foundation
import PlateauCore

/// A real ClickHouse server for the integration tests: listening on 127.0.0.1 only, on free
/// ports, with its config, users (a password for `default`) and data in a temporary folder;
/// stopped by PID (SIGTERM, then SIGKILL) by `stop()`, which `deinit` calls too, so a failing
/// test cannot leave it behind.
public final class ClickHouseTestServer: @unchecked Sendable {
    public static let password = "Pw-7f3a-secret"

    /// The server binary, when installed (`make test` installs Debian's package).
    public static let binary: String? = {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/bin"]
        return dirs.map { $0 + "/clickhouse-server" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
    public static var available: Bool { binary != nil }

    public let dir: String
    public let httpPort: Int
    public let tcpPort: Int
    private var pid: pid_t = 0
    /// A shell that stops the server if the test process dies without stopping it (killed).
    private var watchdog: pid_t = 0

    /// A cluster definition every server of a test carries: name → the TCP ports of its shards.
    struct Cluster { var name: String; var tcpPorts: [Int] }

    init(dir: String, httpPort: Int, tcpPort: Int) {
        self.dir = dir
        self.httpPort = httpPort
        self.tcpPort = tcpPort
    }

    /// Starts `count` servers (their configs naming the cluster when `cluster` is given).
    public static func start(_ count: Int = 1, cluster: String? = nil) throws -> [ClickHouseTestServer] {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("plateau-ch-\(UUID().uuidString.prefix(8))").path
        var servers: [ClickHouseTestServer] = []
        var ports = Set<Int>()
        for i in 0..<count {
            var http = freePort(), tcp = freePort()
            while ports.contains(http) || ports.contains(tcp) || http == tcp { http = freePort(); tcp = freePort() }
            ports.formUnion([http, tcp])
            servers.append(ClickHouseTestServer(dir: root + "/s\(i)", httpPort: http, tcpPort: tcp))
        }
        let def = cluster.map { Cluster(name: $0, tcpPorts: servers.map(\.tcpPort)) }
        do {
            for s in servers { try s.launch(cluster: def) }
            for s in servers { try s.waitReady() }
        } catch {
            for s in servers { s.stop() }
            throw error
        }
        return servers
    }

    deinit { stop() }

    public func url(database: String, cluster: String? = nil, password: String = ClickHouseTestServer.password) -> ClickHouseURL {
        ClickHouseURL(host: "127.0.0.1", port: httpPort, database: database, user: "default", password: password, cluster: cluster)
    }

    func launch(cluster: Cluster?) throws {
        guard let binary = ClickHouseTestServer.binary else { throw ClickHouseError.unreachable("clickhouse-server is not installed") }
        let fm = FileManager.default
        for sub in ["data", "tmp", "user_files", "format_schemas", "log"] {
            try fm.createDirectory(atPath: "\(dir)/\(sub)", withIntermediateDirectories: true)
        }
        var remote = ""
        if let cluster {
            let shards = cluster.tcpPorts.map {
                "<shard><replica><host>127.0.0.1</host><port>\($0)</port><user>default</user><password>\(ClickHouseTestServer.password)</password></replica></shard>"
            }.joined()
            remote = "<remote_servers><\(cluster.name)>\(shards)</\(cluster.name)></remote_servers>"
        }
        let config = """
            <yandex>
              <logger><level>warning</level><log>\(dir)/log/server.log</log><errorlog>\(dir)/log/error.log</errorlog><console>0</console></logger>
              <listen_host>127.0.0.1</listen_host>
              <http_port>\(httpPort)</http_port>
              <tcp_port>\(tcpPort)</tcp_port>
              <path>\(dir)/data/</path>
              <tmp_path>\(dir)/tmp/</tmp_path>
              <user_files_path>\(dir)/user_files/</user_files_path>
              <format_schema_path>\(dir)/format_schemas/</format_schema_path>
              <users_config>\(dir)/users.xml</users_config>
              <default_profile>default</default_profile>
              <default_database>default</default_database>
              <timezone>UTC</timezone>
              <mark_cache_size>67108864</mark_cache_size>
              <max_concurrent_queries>50</max_concurrent_queries>
              \(remote)
            </yandex>
            """
        let users = """
            <yandex>
              <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
              <users><default>
                <password>\(ClickHouseTestServer.password)</password>
                <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
                <profile>default</profile><quota>default</quota>
              </default></users>
              <quotas><default></default></quotas>
            </yandex>
            """
        try Data(config.utf8).write(to: URL(fileURLWithPath: "\(dir)/config.xml"))
        try Data(users.utf8).write(to: URL(fileURLWithPath: "\(dir)/users.xml"))
        // The shared spawn (Spawn.swift): with the runner's blocked signals handed on, the server
        // would never see SIGTERM.
        let child: pid_t
        do {
            child = try spawnProcess([binary, "--config-file=\(dir)/config.xml"],
                                     stdout: "\(dir)/log/stdout.log", stderr: "\(dir)/log/stderr.log")
        } catch {
            throw ClickHouseError.unreachable("\(error)")
        }
        pid = child
        try Data("\(child)\n".utf8).write(to: URL(fileURLWithPath: "\(dir)/pid"))
        // Whatever happens to this process (even SIGKILL), the server does not outlive it.
        let script = "while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; kill -TERM \(child) 2>/dev/null; sleep 5; kill -KILL \(child) 2>/dev/null"
        if let w = try? spawnProcess(["/bin/sh", "-c", script]) { watchdog = w }
    }

    /// Ends the watchdog (by its PID) once the server is stopped.
    private func endWatchdog() {
        guard watchdog > 0 else { return }
        kill(watchdog, SIGKILL)
        waitForExit(watchdog)
        watchdog = 0
    }

    /// True while the child runs (reaps it once it has exited).
    public var isRunning: Bool {
        guard pid > 0 else { return false }
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid || (r < 0 && errno == ECHILD) { pid = 0; return false }
        return true
    }

    func waitReady() throws {
        let client = ClickHouseClient(url(database: "default"))
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if !isRunning {
                let log = (try? String(contentsOfFile: "\(dir)/log/error.log", encoding: .utf8)) ?? ""
                throw ClickHouseError.unreachable("test server exited at start: \(log.suffix(500))")
            }
            if (try? client.execute("SELECT 1", database: false)) != nil { return }
            usleep(100_000)
        }
        throw ClickHouseError.unreachable("test server on \(httpPort) not ready after 20 s")
    }

    /// Stops the server: SIGTERM, then SIGKILL after 5 s; waits for it to be gone.
    public func stop() {
        defer { endWatchdog() }
        guard isRunning else { return }
        let child = pid
        kill(child, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while isRunning && Date() < deadline { usleep(50_000) }
        if isRunning {
            kill(child, SIGKILL)
            waitForExit(child)
            pid = 0
        }
    }

    /// Removes the servers' folder (after they stopped).
    public static func cleanUp(_ servers: [ClickHouseTestServer]) {
        for s in servers { s.stop() }
        if let first = servers.first {
            try? FileManager.default.removeItem(atPath: (first.dir as NSString).deletingLastPathComponent)
        }
    }

    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
