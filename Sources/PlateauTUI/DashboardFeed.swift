import Foundation
import PlateauCore
import Synchronization

/// Where the dashboard's numbers come from: something that can be asked, from one background
/// thread, to read what is new and to build the rollups of everything read so far.
public protocol DashboardSource: AnyObject {
    /// Reads what is new; true when anything was added (or anything about the inputs changed).
    func poll() throws -> Bool
    func rollups() -> Rollups
    /// Files, records and skipped lines so far, and the newest record (the clock is set by the feed).
    var stats: DashboardModel.Stats { get }
    /// A diagnostic worth the status line (an unreadable file), if any.
    var notice: String? { get }
    /// Bytes read of the bytes the current poll set out to read (read from another thread).
    var progress: IngestProgress? { get }
}

extension DashboardSource {
    public var progress: IngestProgress? { nil }
}

/// `--replay SPEED`: "2d/s" (days of data per second of wall time), "12h/s", or a bare number of days.
public struct ReplaySpeed: Equatable, Sendable {
    public var daysPerSecond: Double

    public init?(_ text: String) {
        var t = text.lowercased().trimmingCharacters(in: .whitespaces)
        if t.hasSuffix("/s") { t.removeLast(2) }
        var unit = 1.0
        if t.hasSuffix("d") { t.removeLast() } else if t.hasSuffix("h") { t.removeLast(); unit = 1.0 / 24 }
        guard let v = Double(t), v.isFinite, v > 0, v <= 10_000 else { return nil }
        daysPerSecond = v * unit
    }

    /// The last day shown after `elapsed` seconds of a replay of [first, last]: the first day
    /// at once, then one more day every 1/speed seconds, never past the last.
    public func lastDay(first: Int, last: Int, elapsed: Double) -> Int {
        min(last, first + Int((max(0, elapsed) * daysPerSecond).rounded(.down)))
    }
}

/// Runs the source on a background thread and hands finished models to the UI thread. The UI
/// never waits for reading or analysis; it takes the newest model when it wakes.
public final class DashboardFeed: @unchecked Sendable {
    public struct Settings: Sendable {
        public var options = SnapshotOptions()
        public var capacity: [PlateauConfig.Capacity] = []
        public var pollInterval: Double = 1
        public var replay: ReplaySpeed?
        public var alerts: DashboardModel.AlertSource?
        /// Stale rules of ALL: they judge each feed's newest record against the clock.
        public var feedRules: [AlertRule] = []
        public init() {}
    }

    private let source: DashboardSource
    private let settings: Settings
    private let mailbox = Mutex<(generation: Int, model: DashboardModel?)>((0, nil))
    private let stopping = Atomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private var started = false

    public init(source: DashboardSource, settings: Settings) {
        self.source = source
        self.settings = settings
    }

    /// The source's reading progress (safe from any thread).
    public var progress: IngestProgress? { source.progress }

    /// The newest model if it is newer than `generation`.
    public func take(after generation: Int) -> (Int, DashboardModel)? {
        mailbox.withLock { box in
            guard box.generation > generation, let m = box.model else { return nil }
            return (box.generation, m)
        }
    }

    public func start() {
        started = true
        Thread.detachNewThread { [self] in
            self.loop()
            self.finished.signal()
        }
    }

    /// Stops the thread and waits for it (a poll in progress finishes first).
    /// Stops the thread and waits for it (a poll in progress finishes first), at most `seconds`:
    /// past that the thread is abandoned to the process's exit.
    public func stop(waitingAtMost seconds: Double = .infinity) {
        guard started else { return }
        stopping.store(true, ordering: .relaxed)
        wake.signal()
        if seconds.isFinite { _ = finished.wait(timeout: .now() + seconds) } else { finished.wait() }
        started = false
    }

    private func publish(_ m: DashboardModel) {
        mailbox.withLock { box in box = (box.generation + 1, m) }
    }

    private func loop() {
        var history: [(time: Double, records: Int)] = []
        var replayStart: Double?
        var shownLastDay: Int?
        var rollups: Rollups?
        var lastModel: DashboardModel?
        var lastNotice: String?
        var pending = false
        var nextBuild = 0.0
        while !stopping.load(ordering: .relaxed) {
            let now = Date().timeIntervalSince1970
            var changed = false
            var notice: String?
            do {
                pending = try source.poll() || pending
            } catch {
                notice = "\(error)"
            }
            // A rebuild (rollups, analysis, alerts) waits at least three times its own last
            // cost: under a steady trickle of lines it takes at most a quarter of a core.
            if pending && (rollups == nil || now >= nextBuild) {
                changed = true
                pending = false
            }
            var stats = source.stats
            history.append((now, stats.records))
            history.removeAll { now - $0.time > 5.5 }
            if let first = history.first, now - first.time >= 0.5 {
                stats.rate = Double(stats.records - first.records) / (now - first.time)
            }
            stats.now = Int64(now)
            let buildStart = Date()
            if changed || rollups == nil { rollups = source.rollups() }
            var r = rollups!
            if let speed = settings.replay, let f = r.firstDay, let l = r.lastDay {
                // A replay shows the data a day at a time; the clock is the end of the last day shown.
                let start = replayStart ?? now
                replayStart = start
                let day = speed.lastDay(first: f, last: l, elapsed: now - start)
                if day == shownLastDay && !changed && notice == nil { sleep(); continue }
                shownLastDay = day
                r.restrict(from: nil, to: day)
                stats.now = Int64(day + 1) * 86_400
                stats.newestRecord = min(stats.newestRecord ?? stats.now, stats.now)
                stats.rate = nil
                stats.replay = speed.daysPerSecond
            } else if !changed && notice == nil, var last = lastModel {
                // Nothing new: only the header's clock-driven figures move (the feeds' ages, and
                // their levels: a feed that stops is an alert within one poll); no re-analysis.
                if let again = DashboardFeed.clockMoved(last, to: stats) { last = again; lastModel = last; publish(last) }
                sleep(); continue
            }
            var model = DashboardModel.build(r, options: settings.options, capacity: settings.capacity, stats: stats,
                                             alertSource: settings.alerts, feedRules: settings.feedRules)
            model.notice = notice ?? source.notice
            if let n = model.notice, n != lastNotice {
                // To the log file, if the dashboard was given one (stderr is redirected there).
                FileHandle.standardError.write(Data("\(ISO8601DateFormatter().string(from: Date())) plateau: \(Sanitize.line(n))\n".utf8))
                lastNotice = n
            }
            lastModel = model
            publish(model)
            if changed { nextBuild = now + 3 * Date().timeIntervalSince(buildStart) }
            sleep()
        }
    }

    /// `model` at the clock of `stats`, when anything the screen shows moved with it (a feed's
    /// age or level, the freshness, the rate); nil: the same screen.
    public static func clockMoved(_ model: DashboardModel, to stats: DashboardModel.Stats) -> DashboardModel? {
        var next = model
        next.stats = stats
        guard DashboardView.clockSignature(next) != DashboardView.clockSignature(model) || model.stats.rate != stats.rate else { return nil }
        return next
    }

    private func sleep() {
        let interval = settings.replay == nil ? settings.pollInterval : min(settings.pollInterval, 0.25)
        _ = wake.wait(timeout: .now() + interval)
    }
}

/// Inputs read once, on the feed's thread (for `--replay`).
public final class StaticSource: DashboardSource {
    private var read: (() throws -> IngestResult)?
    private var result: IngestResult?
    private var built: Rollups?

    public init(_ read: @escaping () throws -> IngestResult) { self.read = read }

    public func poll() throws -> Bool {
        guard let read else { return false }
        self.read = nil
        let r = try read()
        result = r
        built = RollupBuilder.build(r)
        return true
    }

    public func rollups() -> Rollups { built ?? RollupBuilder.empty }

    public var stats: DashboardModel.Stats {
        var s = DashboardModel.Stats()
        guard let result else { return s }
        s.files = result.inputs.count
        s.records = result.inputs.reduce(0) { $0 + $1.account.records }
        s.skipped = result.inputs.reduce(0) { $0 + $1.account.skipped }
        s.newestRecord = built?.newestRecord
        return s
    }

    public var notice: String? { result.flatMap { DashboardFeed.notice($0.inputs) } }
}

/// Inputs followed as they grow (`LiveIngest`): appends, new files, rotation, truncation.
public final class LiveSource: DashboardSource {
    private let live: LiveIngest
    private var lastNotice: String?

    public init(roots: [String], settings: IngestSettings, exclude: Set<String>) {
        live = LiveIngest(roots: roots, settings: settings, exclude: exclude)
    }

    public func poll() throws -> Bool { live.poll().changed }

    /// Open sessions last until now, as FORMATS.md asks of live mode — when the data is live,
    /// that is when its newest record is within the session cap of now; an old data set keeps
    /// the batch rule (open sessions end at their source's newest stamp), so that its numbers
    /// are the review's.
    public func rollups() -> Rollups {
        let now = Int64(Date().timeIntervalSince1970)
        let live = self.live.newestRecord.map { now - $0 <= self.live.settings.maxSessionSeconds } ?? false
        return self.live.rollups(now: live ? now : nil)
    }

    public var stats: DashboardModel.Stats {
        var s = DashboardModel.Stats()
        s.files = live.filesFollowed
        s.records = live.totalRecords
        s.skipped = live.skippedLines
        s.newestRecord = live.newestRecord
        return s
    }

    public var notice: String? { DashboardFeed.notice(live.inputs) }

    public var progress: IngestProgress? { live.progress }
}

extension DashboardFeed {
    /// "2 files skipped: README.md (no known format), …" for the status line.
    public static func notice(_ inputs: [InputReport]) -> String? {
        let bad = inputs.filter { $0.account.fileError != nil }
        guard let first = bad.first else { return nil }
        let name = (first.path as NSString).lastPathComponent
        return bad.count == 1 ? "\(name): \(first.account.fileError!)" : "\(bad.count) files not read; first: \(name): \(first.account.fileError!)"
    }
}

/// `watch --store`: what the roots hold is written into the store as it is followed, and the
/// screen shows the store (its history, and what a cron `ingest` adds meanwhile); read again
/// from the store whenever it changed.
public final class StoreSource: DashboardSource {
    private let follower: StoreIngest.Follower
    private let settings: IngestSettings
    private var built: Rollups?
    private var inputs: [InputReport] = []

    public init(store: Store, roots: [String], settings: IngestSettings, exclude: Set<String>) {
        follower = StoreIngest.Follower(store: store, roots: roots, settings: settings, exclude: exclude)
        self.settings = settings
    }

    public func poll() throws -> Bool {
        guard try follower.poll() || built == nil else { return false }
        let newest = try follower.store.newestRecord()
        let now = Int64(Date().timeIntervalSince1970)
        let live = newest.map { now - $0 <= settings.maxSessionSeconds } ?? false
        let (r, i) = try follower.store.rollups(settings: settings, now: live ? now : nil)
        built = r
        inputs = i
        return true
    }

    public func rollups() -> Rollups { built ?? RollupBuilder.empty }

    public var stats: DashboardModel.Stats {
        var s = DashboardModel.Stats()
        s.files = inputs.count
        s.records = inputs.reduce(0) { $0 + $1.account.records }
        s.skipped = inputs.reduce(0) { $0 + $1.account.skipped }
        s.newestRecord = built?.newestRecord
        return s
    }

    public var notice: String? { DashboardFeed.notice(inputs) }
}
