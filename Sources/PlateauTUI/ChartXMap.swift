import PlateauCore

/// Days onto the plot's horizontal dots (`columns` cells × `perCell` dots; braille has 2 a
/// cell). More days than dots: each dot takes a run of days and shows their maximum, so a peak
/// (and a licence limit reached) is never averaged away; a run of only missing days is a gap.
/// Fewer days than dots: each day is stretched over one or more dots.
struct ChartXMap {
    let days: Int
    let dots: Int
    let perCell: Int
    /// For each dot, the range of day indices (into the model's values) it shows.
    let ranges: [Range<Int>]
    /// For each day index, the first dot showing it.
    let firstDot: [Int]

    init(days: Int, columns: Int, perCell: Int) {
        self.days = max(0, days)
        self.perCell = max(1, perCell)
        dots = days > 0 ? max(0, columns) * self.perCell : 0
        var ranges: [Range<Int>] = []
        var first = Array(repeating: 0, count: self.days)
        for j in 0..<dots {
            let a = j * self.days / dots
            let b = max(a + 1, (j + 1) * self.days / dots)
            ranges.append(a..<b)
        }
        for j in stride(from: dots - 1, through: 0, by: -1) { for i in ranges[j] { first[i] = j } }
        self.ranges = ranges
        firstDot = dots > 0 ? first : []
    }

    /// The cell column that shows day index `i` (its first dot), nil outside the range.
    func column(ofDay i: Int) -> Int? {
        guard i >= 0, i < firstDot.count else { return nil }
        return firstDot[i] / perCell
    }

    /// The day indices a cell column shows.
    func days(ofColumn c: Int) -> Range<Int> {
        let a = c * perCell, b = a + perCell - 1
        guard a >= 0, b < dots else { return 0..<0 }
        return ranges[a].lowerBound..<ranges[b].upperBound
    }
}

/// Date labels for the x-axis: the finest of daily, weekly (Mondays), fortnightly, monthly …
/// yearly labels that fit without touching (two blank columns between labels), each label
/// starting under its day; the last one moves left to end inside the plot if it must.
enum ChartDates {
    enum Scheme: CaseIterable { case daily, mondays, everyOtherMonday, months, twoMonths, quarters, halfYears, years }

    static func matches(_ day: Int, _ scheme: Scheme) -> Bool {
        let d = CivilDate(daysSinceEpoch: day)
        let (_, m, dom) = d.components
        // Weeks are counted from the first Monday after the epoch (1970-01-05), so a zoom or a
        // scroll never renumbers them.
        let week = (day - 4).floorDiv(7)
        switch scheme {
        case .daily: return true
        case .mondays: return d.isoWeekday == 1
        case .everyOtherMonday: return d.isoWeekday == 1 && week.floorMod(2) == 0
        case .months: return dom == 1
        case .twoMonths: return dom == 1 && (m - 1) % 2 == 0
        case .quarters: return dom == 1 && (m - 1) % 3 == 0
        case .halfYears: return dom == 1 && (m - 1) % 6 == 0
        case .years: return dom == 1 && m == 1
        }
    }

    /// A label's text: `MM-DD`; a month as `YYYY-MM` when the range spans years; a year as `YYYY`.
    static func text(_ day: Int, _ scheme: Scheme, years: Bool) -> String {
        let iso = CivilDate(daysSinceEpoch: day).iso
        switch scheme {
        case .years: return String(iso.prefix(4))
        case .months, .twoMonths, .quarters, .halfYears: return String(years ? iso.prefix(7) : iso.suffix(5))
        case .daily, .mondays, .everyOtherMonday: return String(iso.suffix(5))
        }
    }

    /// (tick column, label start column, text) for each label, in plot columns.
    static func labels(firstDay: Int, map: ChartXMap, columns: Int) -> [(tick: Int, start: Int, text: String)] {
        let gap = 2
        guard map.days > 0, columns > 0 else { return [] }
        let years = CivilDate(daysSinceEpoch: firstDay).components.year != CivilDate(daysSinceEpoch: firstDay + map.days - 1).components.year
        var fallback: [(tick: Int, start: Int, text: String)] = []
        for scheme in Scheme.allCases {
            var out: [(tick: Int, start: Int, text: String)] = []
            var fits = true
            for i in 0..<map.days where matches(firstDay + i, scheme) {
                guard let c = map.column(ofDay: i) else { continue }
                if let last = out.last, last.tick == c { continue }
                let t = text(firstDay + i, scheme, years: years)
                let start = min(c, columns - t.count)
                if start < 0 { fits = false; break }
                if let last = out.last, start < last.start + last.text.count + gap { fits = false; break }
                out.append((c, start, t))
            }
            guard fits else { continue }
            if out.count >= 2 { return out }
            if fallback.isEmpty { fallback = out }
        }
        // Nothing fits twice: at least say where the range starts.
        if fallback.isEmpty {
            let t = CivilDate(daysSinceEpoch: firstDay).iso
            for label in [t, String(t.suffix(5))] where label.count <= columns { return [(0, 0, label)] }
        }
        return fallback
    }
}

fileprivate extension Int {
    func floorDiv(_ d: Int) -> Int { let q = self / d; return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q }
    func floorMod(_ d: Int) -> Int { self - floorDiv(d) * d }
}
