import Foundation
@testable import PlateauCore
import PlateauTestSupport

/// The real ClickHouse servers of the integration tests live in PlateauTestSupport (shared with
/// the CLI tests); this name lets ClickHouseTests.swift use them without importing it.
typealias ClickHouseTestServer = PlateauTestSupport.ClickHouseTestServer

/// A fresh temporary directory, removed by `cleanup()`.
struct TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "plateau-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// Every regular file under `root`, relative, sorted.
func listFiles(_ root: String) -> [String] {
    let e = FileManager.default.enumerator(atPath: root)
    var out: [String] = []
    while let p = e?.nextObject() as? String {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: root + "/" + p, isDirectory: &isDir), !isDir.boolValue { out.append(p) }
    }
    return out.sorted()
}

/// A file's bytes, gunzipped when it is gzip.
func contents(_ path: String) throws -> [UInt8] {
    let raw = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    guard raw.starts(with: [0x1F, 0x8B]) else { return raw }
    let d = GzipDecoder()
    var out: [UInt8] = []
    try raw.withUnsafeBytes { try d.feed($0) { out.append(contentsOf: $0) } }
    return out
}

func lines(_ path: String) throws -> [Substring] {
    String(decoding: try contents(path), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { $0 }
}

func generate(_ dir: String, scale: Double, from: String, to: String, seed: UInt64 = 2020, gzip: Bool = false,
              feeds: Set<FeedKind> = Set(FeedKind.allCases), proxyLines: Double = 2,
              proxyColumns: ProxyColumns = .narrow, vpnVendor: VPNVendor = .asa) throws -> GeneratorSummary {
    var o = GeneratorOptions(outputDirectory: dir)
    o.scale = scale
    o.seed = seed
    o.from = CivilDate(iso: from)!
    o.to = CivilDate(iso: to)!
    o.gzip = gzip
    o.feeds = feeds
    o.proxyLinesPerUser = proxyLines
    o.proxyColumns = proxyColumns
    o.vpnVendor = vpnVendor
    return try Generator(o).run()
}
