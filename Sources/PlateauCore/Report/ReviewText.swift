import Foundation

/// The weekly review as plain text (`--format text`) or Markdown tables: a header, the group
/// table (one row per metric) and, per chosen metric, a table of BUs. Fits `width` columns by
/// dropping the least important columns first, never by wrapping; `ascii` keeps to ASCII.
public struct ReviewText {
    public enum Sort: String, CaseIterable, Sendable { case name, ratio, value }
    public var width = 100
    public var ascii = false
    public var markdown = false
    public var metrics: [Metric] = [.remoteUsers, .meetingsUsers]
    public var sort = Sort.ratio
    /// Only this business unit: its table of every metric replaces the group's.
    public var unit: String?

    public init() {}

    struct Column {
        var title: String
        var right: Bool
        /// Dropped first when the table is too wide: lower goes first.
        var priority: Int
        var cells: [String]
    }

    public func render(_ review: Review, inputs: [InputReport]) -> String {
        var out: [String] = []
        let r = review.rollups
        let dash = ascii ? "-" : "–"
        let org = review.options.organisation.map(Sanitize.text) ?? "plateau"
        if let w = review.week {
            out.append(clip("\(markdown ? "# " : "")\(org) \(dash) weekly review \(w.iso) (\(w.monday.iso) to \(w.sunday.iso))"))
        } else {
            out.append(clip("\(markdown ? "# " : "")\(org) \(dash) review (no full week in the data)"))
        }
        let records = inputs.reduce(0) { $0 + $1.account.records }
        let skipped = inputs.reduce(0) { $0 + $1.account.skipped }
        let range = r.firstDay.map { f in "\(CivilDate(daysSinceEpoch: f).iso) to \(CivilDate(daysSinceEpoch: r.lastDay!).iso)" } ?? "no data"
        out.append(clip(r.firstDay == nil ? "No records in the inputs (days in \(review.options.timezone))." : "Data \(range), days in \(review.options.timezone)."))
        if let gaps = gapLine(r) { out.append(contentsOf: wrap(gaps)) }
        let k = review.options.minGroup
        out.append(clip("\(group(inputs.count)) inputs, \(group(records)) records, \(group(skipped)) lines skipped; <\(k): fewer than \(k) people."))
        out.append("")
        if review.rows.isEmpty { return out.joined(separator: "\n") + "\n" }
        if let unit {
            out.append(contentsOf: table(Sanitize.text(unit), rows: review.rows.filter { $0.name == unit }, label: "metric", review) { $0.metric.displayName })
            out.append(contentsOf: capacity(review))
            out.append(contentsOf: alerts(review))
            return out.joined(separator: "\n") + "\n"
        }
        out.append(contentsOf: table("Group", rows: review.rows.filter { $0.bu == BusinessUnits.all }, label: "metric", review) { $0.metric.displayName })
        out.append(contentsOf: capacity(review))
        for m in metrics where r.metrics.contains(m) {
            let rows = Self.businessUnits(review, m, sort)
            out.append("")
            out.append(contentsOf: table("\(m.displayName) by business unit", rows: rows, label: "business unit", review) { $0.name })
        }
        out.append(contentsOf: alerts(review))
        return out.joined(separator: "\n") + "\n"
    }

    /// The BU rows of metric `m` in `sort` order (the text tables' and the page's charts'). By
    /// the figures as shown: a withheld or missing one sorts last (its hidden value must not
    /// place it); ties by name.
    public static func businessUnits(_ review: Review, _ m: Metric, _ sort: Sort) -> [Review.Row] {
        var rows = review.rows.filter { $0.metric == m && $0.bu != BusinessUnits.all }
        switch sort {
        case .name: rows.sort { $0.name < $1.name }
        case .ratio: rows.sort { ($0.ratio ?? -1, $1.name) > ($1.ratio ?? -1, $0.name) }
        case .value: rows.sort { ($0.week.value.map { Figures.shown($0, m) } ?? -1, $1.name) > ($1.week.value.map { Figures.shown($0, m) } ?? -1, $0.name) }
        }
        return rows
    }

    /// "No records from proxy on 2020-04-22 to 2020-04-23, vdi on 25 days: missing (–), not
    /// zero." — the feeds with gaps, so a reader knows a blank is no collapse; nil without.
    func gapLine(_ r: Rollups) -> String? { Self.gapSentence(r, ascii: ascii) }

    public static func gapSentence(_ r: Rollups, ascii: Bool) -> String? {
        let dash = ascii ? "-" : "–"
        var parts: [String] = []
        for feed in Feed.allCases {
            let runs = r.gaps(feed)
            guard !runs.isEmpty else { continue }
            let days = runs.reduce(0) { $0 + $1.count }
            let name = feed.rawValue.replacingOccurrences(of: "_", with: " ")
            if runs.count <= 2 {
                let spans = runs.map { g in
                    g.count == 1 ? CivilDate(daysSinceEpoch: g.lowerBound).iso
                        : "\(CivilDate(daysSinceEpoch: g.lowerBound).iso) to \(CivilDate(daysSinceEpoch: g.upperBound).iso)"
                }
                parts.append("\(name) on \(spans.joined(separator: " and "))")
            } else {
                parts.append("\(name) on \(days) days")
            }
        }
        guard !parts.isEmpty else { return nil }
        return "No records from \(parts.joined(separator: ", ")): missing (\(dash)), not zero."
    }

    /// A sentence on as many lines of `width` as it takes (words are never cut; markdown keeps
    /// one line).
    func wrap(_ text: String) -> [String] {
        let t = ascii ? asciiOnly(text) : text
        guard !markdown, t.count > width else { return [t] }
        var lines: [String] = [], line = ""
        for word in t.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width { lines.append(line); line = "" }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(line) }
        return lines.map(clip)
    }

    /// The `[[capacity]]` pools: the last business day's value against the capacity in force,
    /// and when the trend of the last 10 business days reaches it (`CapacityForecast`).
    func capacity(_ review: Review) -> [String] {
        let readings = review.capacities.filter { c in unit.map { c.name == Sanitize.text($0) } ?? true }
        guard !readings.isEmpty else { return [] }
        let theil = ascii ? "Theil-Sen" : "Theil–Sen"
        let lines = readings.map { Self.capacityLine($0, minGroup: review.options.minGroup) }
        let legend = "the licences of plateau.toml, and when the trend of the last \(CapacityForecast.window) business days (a robust \(theil) line) reaches them."
        if markdown { return ["", "## Capacity", "", "The" + legend.dropFirst(3), ""] + lines.map { "- " + $0 } }
        return [""] + wrap("Capacity: " + legend) + lines.flatMap(wrap)
    }

    /// "VPN peak sessions, ALL, 2020-05-08: 194 of 250 (78 %); trend -0.2 a business day: not at
    /// this trend." — one capacity pool (text, markdown and the HTML page say it alike).
    public static func capacityLine(_ c: Review.CapacityReading, minGroup: Int) -> String {
        let date = CivilDate(daysSinceEpoch: c.day)
        var s = "\(c.metric.displayName), \(c.name), \(date.iso): "
        switch c.value {
        case .value(let v): s += "\(Figures.text(v, c.metric)) of \(Figures.text(c.capacity, c.metric)) (\(Int((100 * v / c.capacity).rounded())) %)"
        case .withheld: s += "<\(minGroup) of \(Figures.text(c.capacity, c.metric))"
        case .missing: s += "no value, capacity \(Figures.text(c.capacity, c.metric))"
        }
        if let f = c.forecast {
            s += "; " + f.trendPhrase
        } else {
            s += "; too few business days for a trend"
        }
        return s + "."
    }

    /// A short section of the alerts of the newest day, when there is a rules file.
    func alerts(_ review: Review) -> [String] {
        guard var report = review.options.alerts else { return [] }
        // The review of one BU shows that BU's alerts.
        if let unit { report.alerts = report.alerts.filter { $0.bu == Sanitize.text(unit) } }
        let lines = AlertOutput.reviewSection(report, width: width - (markdown ? 2 : 0), ascii: ascii)
        guard markdown else { return [""] + lines }
        return ["", "## " + lines[0], ""] + lines.dropFirst().map { "- " + $0 }
    }

    func table(_ title: String, rows: [Review.Row], label: String, _ review: Review, name: (Review.Row) -> String) -> [String] {
        let k = review.options.minGroup
        let none = ascii ? "-" : "–"
        func cell(_ f: Figure, _ m: Metric) -> String {
            switch f {
            case .value(let v): return Figures.text(v, m)
            case .withheld: return "<\(k)"
            case .missing: return none
            }
        }
        var cols = [
            Column(title: label, right: false, priority: 100, cells: rows.map(name)),
            Column(title: "baseline", right: true, priority: 7, cells: rows.map { cell($0.baseline, $0.metric) }),
            Column(title: "plateau", right: true, priority: 8, cells: rows.map { cell($0.plateau, $0.metric) }),
            // From the levels as shown; not shown when a level is withheld (it would reveal it).
            Column(title: "ratio", right: true, priority: 9, cells: rows.map { row in
                row.ratio.map { (ascii ? "x" : "×") + String(format: "%.1f", $0) } ?? none
            }),
            Column(title: "onset", right: false, priority: 5, cells: rows.map { $0.analysis.onset.map { CivilDate(daysSinceEpoch: $0).iso } ?? ($0.analysis.verdict == .tooShort ? "too short" : none) }),
            Column(title: "ramp", right: true, priority: 2, cells: rows.map { $0.analysis.rampDays.map { "\($0) d" } ?? none }),
            Column(title: "this week", right: true, priority: 10, cells: rows.map { cell($0.week, $0.metric) }),
            Column(title: "last week", right: true, priority: 3, cells: rows.map { cell($0.previousWeek, $0.metric) }),
            Column(title: "change", right: true, priority: 6, cells: rows.map { $0.change.map { String(format: "%+.1f%%", $0 * 100) } ?? none }),
        ]
        // The return to the office, when a series has one.
        if rows.contains(where: { $0.analysis.end != nil }) {
            cols.insert(Column(title: "end", right: false, priority: 4, cells: rows.map { $0.analysis.end.map { CivilDate(daysSinceEpoch: $0).iso } ?? none }), at: 5)
        }
        let sep = markdown ? 3 : 2
        func total(_ cs: [Column]) -> Int {
            cs.reduce(0) { $0 + max($1.title.count, $1.cells.map(\.count).max() ?? 0) } + sep * (cs.count - 1) + (markdown ? 4 : 0)
        }
        // The trend is the least important column: it takes what room is left (12 to 40
        // columns) or goes; then the others go, least important first.
        // Markdown keeps every column (a wiki scrolls), with a trend of 20 days' width.
        let trendMin = 12
        if markdown {
            cols.append(Column(title: "trend", right: false, priority: 1, cells: rows.map { Sparkline.render($0.trend, width: 20, ascii: ascii) }))
        } else if total(cols) + sep + trendMin <= width {
            let w = min(40, width - total(cols) - sep)
            cols.append(Column(title: "trend", right: false, priority: 1, cells: rows.map { Sparkline.render($0.trend, width: w, ascii: ascii) }))
        } else {
            while total(cols) > width, let i = cols.indices.filter({ cols[$0].priority < 100 }).min(by: { cols[$0].priority < cols[$1].priority }) {
                cols.remove(at: i)
            }
        }
        // Still too wide (a very narrow width): shorten the labels.
        var widths = cols.map { c in max(c.title.count, c.cells.map(\.count).max() ?? 0) }
        let over = widths.reduce(0, +) + sep * (cols.count - 1) + (markdown ? 4 : 0) - width
        if over > 0 && !markdown { widths[0] = max(6, widths[0] - over) }

        func pad(_ s: String, _ w: Int, _ right: Bool) -> String {
            var t = s
            if t.count > w { t = String(t.prefix(max(0, w - 1))) + (ascii ? "~" : "…") }
            let fill = String(repeating: " ", count: max(0, w - t.count))
            return right ? fill + t : t + fill
        }
        var lines: [String] = []
        lines.append(markdown ? "## \(title)" : title)
        if markdown { lines.append("") }
        func line(_ cells: [String]) -> String {
            let parts = cells.enumerated().map { pad($1, widths[$0], cols[$0].right) }
            if markdown { return "| " + parts.joined(separator: " | ") + " |" }
            var l = parts.joined(separator: String(repeating: " ", count: sep))
            while l.last == " " { l.removeLast() }
            return l
        }
        lines.append(line(cols.map(\.title)))
        if markdown {
            lines.append("|" + cols.enumerated().map { i, c in c.right ? String(repeating: "-", count: widths[i] + 1) + ":" : ":" + String(repeating: "-", count: widths[i] + 1) }.joined(separator: "|") + "|")
        } else {
            lines.append(String(repeating: ascii ? "-" : "─", count: min(width, widths.reduce(0, +) + sep * (cols.count - 1))))
        }
        for i in rows.indices { lines.append(line(cols.map { $0.cells[i] })) }
        let legend = Self.legend(columns: Set(cols.map(\.title)), minGroup: k, ascii: ascii)
        return lines + (markdown ? [""] + legend.map { "_\($0)_  " } : legend.flatMap(wrap))
    }

    /// Two lines under every table saying what its figures are (issue 18: "this week" is a
    /// median of business days, which would otherwise read as a total). Only the columns shown.
    static func legend(columns: Set<String>, minGroup k: Int, ascii: Bool) -> [String] {
        let dash = ascii ? "-" : "–"
        var first = "baseline, plateau: median business day before onset and after ramp"
        if columns.contains("ratio") { first += "; ratio = plateau \(ascii ? "/" : "÷") baseline" }
        var second = columns.contains("last week") ? "this week, last week" : "this week"
        second += ": median business day, not a total; <\(k): fewer than \(k) people; \(dash): no data."
        return [first + ".", second]
    }

    func clip(_ s: String) -> String {
        let t = ascii ? asciiOnly(s) : s
        return t.count <= width ? t : String(t.prefix(width - 1)) + (ascii ? "~" : "…")
    }

    func asciiOnly(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { $0.isASCII ? $0 : "?" }))
    }

    func group(_ n: Int) -> String { groupedDigits(n) }
}

/// A series as a row of block glyphs (` ▁▂▃▄▅▆▇█`, or ASCII ` .:-=+*#%`), each cell the median
/// of its share of the days; withheld days are blanks.
public enum Sparkline {
    public static func render(_ values: [Double?], width: Int, ascii: Bool) -> String {
        guard width > 0, !values.isEmpty else { return "" }
        let glyphs: [Character] = ascii ? [".", ":", "-", "=", "+", "*", "#", "%"] : ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        let n = min(width, values.count)
        var cells: [Double?] = []
        for i in 0..<n {
            let a = i * values.count / n, b = max(a + 1, (i + 1) * values.count / n)
            let xs = values[a..<b].compactMap { $0 }
            cells.append(xs.isEmpty ? nil : RollupBuilder.median(xs))
        }
        let top = cells.compactMap { $0 }.max() ?? 0
        return String(cells.map { c -> Character in
            guard let c else { return " " }
            guard top > 0 else { return glyphs[0] }
            return glyphs[min(glyphs.count - 1, Int((c / top) * Double(glyphs.count - 1) + 0.5))]
        })
    }
}
