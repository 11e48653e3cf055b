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
    public let totalBytes: Int64
    private let done = Atomic<Int64>(0)
    public init(totalBytes: Int64) { self.totalBytes = totalBytes }
    public func add(_ n: Int64) { done.add(n, ordering: .relaxed) }
    public var bytesDone: Int64 { done.load(ordering: .relaxed) }
}

/// The result of reading every input: the accumulated facts and the accounting.
public struct IngestResult: @unchecked Sendable {
    public var inputs: [InputReport]
    public var accumulator: Accumulator
    public var units: BusinessUnits
    public var directory: Directory
    public var settings: IngestSettings
}

