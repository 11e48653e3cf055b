import Foundation
import PlateauCore

/// `watch --source clickhouse://...`: the rollups the database computes (ClickHouseRollups).
/// Every `refresh` seconds it asks whether a load was committed since (one small query on
/// `plateau_loads`), and only then computes the rollups again: a wall screen left on for weeks
/// costs the cluster next to nothing while no load comes, and never more than a third of its
/// time when the rollups are slow to compute. A failure (a shard down, bad credentials)
/// reaches the status line through the feed, and the last good numbers stay on screen.
public final class ClickHouseSource: DashboardSource {
    private let url: ClickHouseURL
    private let timezone: TimeZoneRules
    private let refresh: Double
    /// The rollups are not computed again sooner than this many times their last cost after it.
    private let costFactor: Double
    private var lastAsked: Double?
    private var lastFetched = 0.0
    private var lastCost = 0.0
    private var loads: String?
    private var built: Rollups?
    private var inputs: [InputReport] = []
    /// How many times the rollups were computed (for tests).
    public private(set) var fetches = 0

    public init(url: ClickHouseURL, timezone: TimeZoneRules, refresh: Double, costFactor: Double = 3) {
        self.url = url
        self.timezone = timezone
        self.refresh = refresh
        self.costFactor = costFactor
    }

    public func poll() throws -> Bool {
        let now = Date().timeIntervalSince1970
        if let lastAsked, now - lastAsked < refresh { return false }
        if built != nil && now - lastFetched < costFactor * lastCost { return false }
        lastAsked = now
        let committed = try ClickHouseRollups.loadsFingerprint(url)
        if built != nil && committed == loads { return false }
        let rollups = try ClickHouseRollups.fetch(url, timezone: timezone)
        inputs = try ClickHouseRollups.inputs(url)
        built = rollups
        loads = committed
        fetches += 1
        lastFetched = now
        lastCost = Date().timeIntervalSince1970 - now
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
