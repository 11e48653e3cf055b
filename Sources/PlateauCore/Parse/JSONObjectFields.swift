/// The top-level members of one JSON-lines object, as (key, value bytes): strings decoded,
/// numbers and literals as their text; nested objects and arrays are left out. For custom
/// sources, whose keys come from the config.
public struct JSONObjectFields {
    private var keys: [Bytes] = []
    private var values: [Bytes] = []
    /// Why the line is not a readable object, if it is not.
    public private(set) var problem: Reason?

    public init?(_ line: Line) {
        var s = JSONScanner(line)
        do {
            try s.enterRoot()
            while let k = try s.nextKey() {
                let kind = try s.peekKind()
                guard kind == .string || kind == .number || kind == .bool else { continue }
                let v = try s.value()
                keys.append(k); values.append(v.bytes)
            }
            try s.finish()
        } catch {
            problem = error.reason
        }
    }

    /// The value of `key` (case-insensitive), if present.
    public func value(forKey key: String) -> Bytes? {
        let want = Array(key.utf8)
        for (i, k) in keys.enumerated() where k.count == want.count {
            var same = true
            for j in 0..<want.count where ASCII.lower(k[j]) != ASCII.lower(want[j]) { same = false; break }
            if same { return values[i] }
        }
        return nil
    }
}
