import Foundation
import Testing
import PlateauCore
@testable import PlateauTUI
import PlateauTestSupport

/// `watch --source`: the rollups are computed again only when a load was committed since.
@Suite(.serialized, .enabled(if: ClickHouseTestServer.available, "clickhouse-server is not installed (make test installs it)"))
struct ClickHouseSourceTests {
    static func vdi(_ dir: String, _ name: String, _ rows: [String]) throws {
        try FileManager.default.createDirectory(atPath: dir + "/vdi", withIntermediateDirectories: true)
        try Data(("user,start,end,host\n" + rows.map { $0 + "\n" }.joined()).utf8).write(to: URL(fileURLWithPath: dir + "/vdi/" + name))
    }

    @Test func theRollupsAreAskedForAgainOnlyAfterANewLoad() throws {
        let servers = try ClickHouseTestServer.start()
        defer { ClickHouseTestServer.cleanUp(servers) }
        let dir = NSTemporaryDirectory() + "plateau-chsource-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.vdi(dir, "a.csv", ["a@x.example,2020-03-24T09:00:00Z,2020-03-24T10:00:00Z,h1"])
        let url = servers[0].url(database: "watch")
        var settings = IngestSettings()
        settings.timezone = .utc
        _ = try ClickHouseLoad(url: url, settings: settings).run([dir])

        let source = ClickHouseSource(url: url, timezone: .utc, refresh: 0, costFactor: 0)
        let day = CivilDate(year: 2020, month: 3, day: 24).day
        #expect(try source.poll())
        #expect(source.rollups().value(.vdiUsers, bu: BusinessUnits.all, day: day) == 1)
        // Nothing committed since: no new numbers, and the rollups are not computed again.
        #expect(try !source.poll())
        #expect(try !source.poll())
        #expect(source.fetches == 1)
        // A new load: computed again, with it.
        try Self.vdi(dir, "b.csv", ["b@x.example,2020-03-24T09:30:00Z,2020-03-24T11:00:00Z,h2"])
        _ = try ClickHouseLoad(url: url, settings: settings).run([dir])
        #expect(try source.poll())
        #expect(source.fetches == 2)
        #expect(source.rollups().value(.vdiUsers, bu: BusinessUnits.all, day: day) == 2)
        #expect(source.rollups().value(.vdiPeakSessions, bu: BusinessUnits.all, day: day) == 2)
        #expect(source.stats.files == 2)
    }
}
