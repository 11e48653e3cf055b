import Dispatch
import Synchronization

/// One input as the reports show it: what it is and how every line was accounted for.
public struct InputReport: Sendable {
    public var path: String
    /// The format's contract name (or a custom source's name); nil when no format claims it.
    public var format: String?
    public var size: Int64
    public var account = FileAccount()
}

/// How far an ingest has got, for a progress line (updated by the reading threads).
public final class IngestProgress: Sendable {
    private let total: Atomic<Int64>
    private let done = Atomic<Int64>(0)
    private let began = Atomic<UInt64>(0)
    public init(totalBytes: Int64) {
        total = Atomic(totalBytes)
        began.store(Self.clock(), ordering: .relaxed)
    }
    /// When the current stretch of reading began (monotonic seconds).
    public var started: Double { Double(began.load(ordering: .relaxed)) / 1e9 }
    public static var now: Double { Double(clock()) / 1e9 }
    static func clock() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
    public func add(_ n: Int64) { done.add(n, ordering: .relaxed) }
    public var bytesDone: Int64 { done.load(ordering: .relaxed) }
    public var totalBytes: Int64 { total.load(ordering: .relaxed) }
    /// `n` more bytes to read in the current stretch.
    public func grow(_ n: Int64) { total.add(n, ordering: .relaxed) }
    /// Starts a new stretch of reading (a live ingest's next read): `n` bytes to go from now.
    public func begin(_ n: Int64) {
        began.store(Self.clock(), ordering: .relaxed)
        done.store(0, ordering: .relaxed)
        total.store(n, ordering: .relaxed)
    }
}

/// The result of reading every input: the accumulated facts and the accounting.
public struct IngestResult: @unchecked Sendable {
    public var inputs: [InputReport]
    public var accumulator: Accumulator
    public var units: BusinessUnits
    public var directory: Directory
    public var settings: IngestSettings
}

