/// A `[[source]]` of plateau.toml: maps the columns of another CSV or JSON-lines export onto
/// one of the record kinds plateau counts.
public struct CustomSource: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// One row per person and meeting: `user`, `time` (or `start`), optional `end`,
        /// `meeting` (id), `organizer`, `department`.
        case meeting
        /// One row per web transaction: `user`, `time`, optional `location`, `department`.
        case proxy
        /// One row per session: `user`, `start`, optional `end`, `department`, `id`.
        case session
    }
    public enum Shape: String, Sendable, CaseIterable { case csv, jsonl }

    public var name: String
    public var kind: Kind
    public var shape: Shape
    /// Role (`user`, `time`, …) → column name (CSV header, case-insensitive) or JSON key.
    public var columns: [String: String]
    /// Session sources: the metric family (`vpn`, `vdi`, `private_access`).
    public var family: SessionFamily = .vdi
    /// The zone of stamps without an offset (default: `--tz`).
    public var timezone: String?
    /// Proxy sources: every transaction counts as remote (a source that only sees remote traffic).
    public var allRemote = false

    public init(name: String, kind: Kind, shape: Shape, columns: [String: String]) {
        self.name = name; self.kind = kind; self.shape = shape; self.columns = columns
    }

    public static func roles(_ kind: Kind) -> (required: [String], optional: [String]) {
        switch kind {
        case .meeting: return (["user"], ["time", "start", "end", "meeting", "organizer", "department"])
        case .proxy: return (["user", "time"], ["location", "department"])
        case .session: return (["user", "start"], ["end", "department", "id"])
        }
    }
}
