/// Valid names for an error about an unknown one (`--metric`, `--bu`, a rule's `metric`),
/// closest first: by edit distance, ignoring case, then in the order given — so a typo's
/// intended name leads the list.
public enum NameSuggestions {
    public static func closestFirst(_ name: String, _ known: [String]) -> [String] {
        let n = Array(name.lowercased().unicodeScalars)
        return known.enumerated()
            .map { (distance: distance(n, Array($0.element.lowercased().unicodeScalars)), index: $0.offset, name: $0.element) }
            .sorted { ($0.distance, $0.index) < ($1.distance, $1.index) }
            .map(\.name)
    }

    /// "unknown metric 'x' (valid, closest first: a, b, c)"; past `limit` names, the first
    /// `limit` and "…".
    public static func unknown(_ what: String, _ name: String, _ known: [String], limit: Int = .max) -> String {
        let list = closestFirst(name, known)
        let shown = list.prefix(limit).map(Sanitize.text).joined(separator: ", ") + (list.count > limit ? ", …" : "")
        return "unknown \(what) '\(Sanitize.text(name))' (\(list.isEmpty ? "none is known" : (list.count > limit ? "closest" : "valid, closest first") + ": " + shown))"
    }

    /// Levenshtein distance (insert, delete, substitute: 1 each).
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
