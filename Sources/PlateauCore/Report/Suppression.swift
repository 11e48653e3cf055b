/// Small-group suppression (DESIGN.md, "Privacy by design"): a cell whose population — the
/// distinct people behind it — is 1 … K−1 is withheld; when exactly one BU is withheld for a
/// metric and day, the next smallest BU is withheld too, so ALL minus the others cannot
/// reveal it (complementary suppression).
public struct Suppression: Sendable {
    public let minGroup: Int
    private var hidden: Set<Cell> = []

    struct Cell: Hashable { var metric: Metric; var bu: UInt16; var day: Int }

    public init(_ r: Rollups, minGroup: Int) {
        self.minGroup = minGroup
        guard minGroup > 1, let first = r.firstDay, let last = r.lastDay else { return }
        for m in r.metrics {
            let pop = m.population
            let bus = r.businessUnits(m)
            for day in first...last {
                var withheld: [UInt16] = []
                var candidates: [(Double, UInt16)] = []
                for bu in bus {
                    let p = r.value(pop, bu: bu, day: day) ?? 0
                    if p >= 1 && p < Double(minGroup) {
                        hidden.insert(Cell(metric: m, bu: bu, day: day))
                        if bu != BusinessUnits.all { withheld.append(bu) }
                    } else if bu != BusinessUnits.all, p >= Double(minGroup) {
                        candidates.append((p, bu))
                    }
                }
                // Ties go to the first name: ids depend on the order units were met, which differs
                // between a batch read, a store and a database of the same data.
                if withheld.count == 1, let next = candidates.min(by: { $0.0 != $1.0 ? $0.0 < $1.0 : r.units[Int($0.1)] < r.units[Int($1.1)] }) {
                    hidden.insert(Cell(metric: m, bu: next.1, day: day))
                }
            }
        }
    }

    public func isSuppressed(_ m: Metric, bu: UInt16, day: Int) -> Bool {
        hidden.contains(Cell(metric: m, bu: bu, day: day))
    }

    /// The value to show: nil when suppressed (or absent).
    public func value(_ r: Rollups, _ m: Metric, bu: UInt16, day: Int) -> Double? {
        isSuppressed(m, bu: bu, day: day) ? nil : r.value(m, bu: bu, day: day)
    }
}
