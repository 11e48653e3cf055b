import Foundation
import PlateauCore

/// `watch --source clickhouse://...`: the rollups the database computes (ClickHouseRollups),
/// asked for again every `refresh` seconds; a failure (a shard down, bad credentials) reaches
/// the status line through the feed, and the last good numbers stay on screen.
public final class ClickHouseSource: DashboardSource {
    private let url: ClickHouseURL
    private let timezone: TimeZoneRules
    private let refresh: Double
    private var lastAsked: Double?
    private var built: Rollups?
    private var inputs: [InputReport] = []

    public init(url: ClickHouseURL, timezone: TimeZoneRules, refresh: Double) {
        self.url = url
        self.timezone = timezone
        self.refresh = refresh
    }

    public func poll() throws -> Bool {
        let now = Date().timeIntervalSince1970
        if let lastAsked, now - lastAsked < refresh { return false }
        lastAsked = now
        built = try ClickHouseRollups.fetch(url, timezone: timezone)
        inputs = try ClickHouseRollups.inputs(url)
        return true
    }

    public func rollups() -> Rollups { built ?? RollupBuilder.empty }

    public var stats: DashboardModel.Stats {
        var s = DashboardModel.Stats()
        s.newestRecord = built?.newestRecord
        s.files = inputs.count
        s.records = inputs.reduce(0) { $0 + $1.account.records }
        s.skipped = inputs.reduce(0) { $0 + $1.account.skipped }
        return s
    }

    public var notice: String? { built == nil ? nil : "from \(url)" }
}
