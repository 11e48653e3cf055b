import Foundation

/// The weekly review as one self-contained HTML page (`--format html`, issue 18): inline CSS
/// and SVG, no script, nothing fetched, so it opens from a mail attachment; light and dark
/// (`prefers-color-scheme`), A4 landscape on paper. The group table, the capacity pools, the
/// week's alerts, one chart per metric for the group, then for each chosen metric one small
/// chart per BU (`ReviewChart`), and a legend saying what each figure and line is.
/// Deterministic: the same review gives the same bytes (no clock, no random ids).
public struct ReviewHTML {
    public var metrics: [Metric] = [.remoteUsers, .meetingsUsers]
    public var sort = ReviewText.Sort.ratio
    /// Only this business unit: its table of every metric and its charts.
    public var unit: String?
    /// The BU charts of a metric on one y scale (the largest BU's), instead of each its own.
    public var sharedScale = false

    public init() {}

    /// The size of a small chart (its view box; the page scales it to the grid's column).
    public static let panelWidth = 220.0, panelHeight = 128.0

    public func render(_ review: Review, inputs: [InputReport]) -> String {
        let r = review.rollups
        let k = review.options.minGroup
        let org = review.options.organisation.map(Sanitize.text) ?? "plateau"
        let heading = review.week.map { "\(org) – weekly review \($0.iso)" } ?? "\(org) – review"
        var h = Markup()
        h.raw("<!DOCTYPE html>\n")
        h.open("html", [("lang", "en")])
        h.newline()
        h.open("head")
        h.void("meta", [("charset", "utf-8")])
        h.void("meta", [("name", "viewport"), ("content", "width=device-width, initial-scale=1")])
        h.void("meta", [("name", "color-scheme"), ("content", "light dark")])
        h.void("meta", [("name", "generator"), ("content", "plateau \(PlateauVersion.current)")])
        h.element("title", [], heading)
        h.newline()
        h.open("style")
        h.raw("\n" + Self.style + "\n")   // (no `<` in it: raw text, as HTML reads a style element)
        h.close("style")
        h.close("head")
        h.newline()
        h.open("body")
        h.newline()

        // What this is, in one glance.
        h.open("header")
        h.element("h1", [], heading)
        h.element("p", [("class", "lede")], Self.lede(r))
        var facts: [String] = []
        if let w = review.week { facts.append("Week \(w.iso): Monday \(w.monday.iso) to Sunday \(w.sunday.iso).") }
        if let f = r.firstDay, let l = r.lastDay {
            facts.append("Data from \(CivilDate(daysSinceEpoch: f).iso) to \(CivilDate(daysSinceEpoch: l).iso), days in \(review.options.timezone).")
        }
        let records = inputs.reduce(0) { $0 + $1.account.records }
        let skipped = inputs.reduce(0) { $0 + $1.account.skipped }
        facts.append("\(groupedDigits(inputs.count)) log files, \(groupedDigits(records)) records, \(groupedDigits(skipped)) lines skipped.")
        h.element("p", [("class", "facts")], facts.joined(separator: " "))
        if let gaps = ReviewText.gapSentence(r, ascii: false) { h.element("p", [("class", "gaps")], gaps) }
        h.element("p", [("class", "privacy")], "Only counts of people per business unit and day are in this page; a group of fewer than \(k) people shows as <\(k).")
        h.close("header")
        h.newline()
        guard !review.rows.isEmpty else {
            h.element("p", [], "No records in the inputs.")
            h.close("body"); h.close("html"); h.newline()
            return h.text
        }

        // The table: the group's every metric, or the one BU's.
        let tableRows = unit.map { u in review.rows.filter { $0.name == Sanitize.text(u) } } ?? review.rows.filter { $0.bu == BusinessUnits.all }
        h.open("section", [("id", "summary")])
        h.element("h2", [], unit.map { Sanitize.text($0) } ?? "Group")
        table(&h, tableRows, review, label: "Metric") { ($0.metric.displayName, $0.metric.rawValue) }
        h.close("section")
        h.newline()

        let capacities = review.capacities.filter { c in unit.map { c.name == Sanitize.text($0) } ?? true }
        if !capacities.isEmpty {
            h.open("section", [("id", "capacity")])
            h.element("h2", [], "Capacity")
            h.element("p", [("class", "note")], "The licences of plateau.toml, and when the trend of the last \(CapacityForecast.window) business days (a robust Theil–Sen line) reaches them.")
            h.open("ul")
            for c in capacities { h.element("li", [], ReviewText.capacityLine(c, minGroup: k)) }
            h.close("ul")
            h.close("section")
            h.newline()
        }

        if var report = review.options.alerts {
            if let unit { report.alerts = report.alerts.filter { $0.bu == Sanitize.text(unit) } }
            h.open("section", [("id", "alerts")])
            h.element("h2", [], "Alerts on \(report.period)")
            if report.alerts.isEmpty {
                h.element("p", [], "No alerts (\(report.rules) rule\(report.rules == 1 ? "" : "s")).")
            } else {
                h.open("ul", [("class", "alerts")])
                for a in report.alerts {
                    h.open("li", [("class", a.severity.rawValue)])
                    h.element("b", [], a.severity.rawValue)
                    h.write(" \(a.rule): \(a.message)")
                    h.close("li")
                }
                h.close("ul")
            }
            h.close("section")
            h.newline()
        }

        // The group (or the BU) at a glance: one chart per metric.
        h.open("section", [("id", "glance")])
        h.element("h2", [], unit == nil ? "The group at a glance" : "\(Sanitize.text(unit!)) at a glance")
        grid(&h, tableRows, review, shared: false) { $0.metric.displayName }
        h.close("section")
        h.newline()

        // Each chosen metric: every BU.
        if unit == nil {
            for m in metrics where r.metrics.contains(m) {
                let rows = ReviewText.businessUnits(review, m, sort)
                guard !rows.isEmpty else { continue }
                h.open("section", [("class", "metric"), ("id", m.rawValue)])
                h.element("h2", [], "\(m.displayName) by business unit")
                h.element("p", [("class", "note")], "\(m.displayName): \(m.meaning). \(sharedScale ? "One scale for every business unit." : "Each chart on its own scale.") \(order(sort)).")
                grid(&h, rows, review, shared: sharedScale) { $0.name }
                h.open("details")
                h.element("summary", [], "The figures")
                table(&h, rows, review, label: "Business unit") { ($0.name, nil) }
                h.close("details")
                h.close("section")
                h.newline()
            }
        }

        legend(&h, review, shown: unit == nil ? metrics.filter { r.metrics.contains($0) } : tableRows.map(\.metric))
        h.element("footer", [], "plateau \(PlateauVersion.current) · the figures of the logs, per business unit and day; no person is named.")
        h.newline()
        h.close("body")
        h.newline()
        h.close("html")
        h.newline()
        return h.text
    }

    /// What the page is about, for a reader who has never heard of plateau: "How many people
    /// worked remotely and met online, business unit by business unit, counted from the logs of
    /// the web proxy, the VPN and online meetings."
    static func lede(_ r: Rollups) -> String {
        let feeds = Feed.allCases.filter { f in r.metrics.contains { $0.feed == f } }
        let names: [Feed: String] = [.meetings: "online meetings", .proxy: "the web proxy", .privateAccess: "private access",
                                     .vpn: "the VPN", .vdi: "virtual desktops", .signins: "cloud sign-ins"]
        var what: [String] = []
        if feeds.contains(where: { [.proxy, .privateAccess, .vpn, .vdi].contains($0) }) { what.append("worked remotely") }
        if feeds.contains(.meetings) { what.append("met online") }
        if feeds.contains(.signins) && what.isEmpty { what.append("signed in to cloud applications") }
        let list = feeds.compactMap { names[$0] }
        let sources = list.count <= 1 ? list.joined() : list.dropLast().joined(separator: ", ") + " and " + list.last!
        let units = max(0, r.units.count - 2)
        let scope = units == 0 ? "in the group" : units == 1 ? "in the group and its business unit" : "in the group and in each of its \(units) business units"
        return "How many people \(what.isEmpty ? "used the company's services" : what.joined(separator: " and ")), day by day, \(scope), counted from the logs of \(sources.isEmpty ? "its systems" : sources)."
    }

    func order(_ s: ReviewText.Sort) -> String {
        switch s {
        case .ratio: return "Largest change first"
        case .name: return "By name"
        case .value: return "Largest this week first"
        }
    }

    /// A table like the text review's, with every column (a page scrolls).
    func table(_ h: inout Markup, _ rows: [Review.Row], _ review: Review, label: String, name: (Review.Row) -> (String, String?)) {
        let k = review.options.minGroup
        func cell(_ f: Figure, _ m: Metric) -> String {
            switch f {
            case .value(let v): return Figures.text(v, m)
            case .withheld: return "<\(k)"
            case .missing: return "–"
            }
        }
        let ends = rows.contains { $0.analysis.end != nil }
        h.open("table")
        h.open("thead")
        h.open("tr")
        h.element("th", [], label)
        for t in ["baseline", "plateau", "ratio", "onset"] + (ends ? ["end"] : []) + ["ramp", "this week", "last week", "change"] {
            h.element("th", [("class", ["onset", "end"].contains(t) ? nil : "n")], t)
        }
        h.close("tr")
        h.close("thead")
        h.open("tbody")
        for row in rows {
            let a = row.analysis
            let (text, id) = name(row)
            h.open("tr")
            h.element("th", [("scope", "row"), ("title", id)], text)
            h.element("td", [("class", "n")], cell(row.baseline, row.metric))
            h.element("td", [("class", "n")], cell(row.plateau, row.metric))
            h.element("td", [("class", "n")], row.ratio.map { "×" + String(format: "%.1f", $0) } ?? "–")
            h.element("td", [], a.onset.map { CivilDate(daysSinceEpoch: $0).iso } ?? (a.verdict == .tooShort ? "too short" : "–"))
            if ends { h.element("td", [], a.end.map { CivilDate(daysSinceEpoch: $0).iso } ?? "–") }
            h.element("td", [("class", "n")], a.rampDays.map { "\($0) d" } ?? "–")
            h.element("td", [("class", "n")], cell(row.week, row.metric))
            h.element("td", [("class", "n")], cell(row.previousWeek, row.metric))
            let change = row.change.map { String(format: "%+.1f%%", $0 * 100) } ?? "–"
            h.element("td", [("class", row.change.map { $0 < 0 ? "n down" : "n up" } ?? "n")], change)
            h.close("tr")
        }
        h.close("tbody")
        h.close("table")
        h.open("p", [("class", "legend")])
        for (i, line) in ReviewText.legend(columns: ["ratio", "last week"], minGroup: k, ascii: false).enumerated() {
            if i > 0 { h.void("br") }
            h.write(line)
        }
        h.close("p")
    }

    /// Small multiples: one `figure.panel` per row.
    func grid(_ h: inout Markup, _ rows: [Review.Row], _ review: Review, shared: Bool, title: (Review.Row) -> String) {
        let top = shared ? ReviewChart.top(rows.map { ReviewChart.highest($0, review) }.max() ?? 0) : nil
        h.open("div", [("class", "grid")])
        for row in rows {
            h.open("figure", [("class", "panel")])
            h.raw(ReviewChart(width: Self.panelWidth, height: Self.panelHeight, title: title(row), yTop: top).svg(row, review))
            h.close("figure")
        }
        h.close("div")
    }

    /// What every line of a chart and every column means, in words.
    func legend(_ h: inout Markup, _ review: Review, shown: [Metric]) {
        let k = review.options.minGroup
        h.open("section", [("id", "legend")])
        h.element("h2", [], "How to read this page")
        h.open("ul", [("class", "key")])
        let keys: [(String, String)] = [
            ("series", "the figure of each business day (weekends and holidays left out)"),
            ("base", "baseline: the median business day before the change"),
            ("plat", "plateau: the median business day once the change settled (after the ramp)"),
            ("on", "onset: the first day of the change"),
            ("end", "end: the first day of a return towards the baseline"),
            ("cap", "capacity: the licences in force (plateau.toml)"),
            ("gap", "no records from the feed that day: missing, not zero"),
            ("wk", "the review week"),
        ]
        for (cls, text) in keys {
            h.open("li")
            h.open("svg", [("class", "chart swatch"), ("viewBox", "0 0 28 12"), ("width", "28"), ("height", "12"), ("aria-hidden", "true")])
            if cls == "gap" || cls == "wk" {
                h.empty("rect", [("class", cls), ("x", "4"), ("y", "0"), ("width", "20"), ("height", "12")])
            } else if cls == "on" || cls == "end" {
                h.empty("line", [("class", cls), ("x1", "14"), ("x2", "14"), ("y1", "0"), ("y2", "12")])
            } else {
                h.empty("line", [("class", cls), ("x1", "2"), ("x2", "26"), ("y1", "6"), ("y2", "6")])
            }
            h.close("svg")
            h.write(" " + text)
            h.close("li")
        }
        h.open("li")
        h.write("A break in the line: a day whose group had fewer than \(k) people (not shown), or no records.")
        h.close("li")
        h.close("ul")
        h.open("dl")
        let terms: [(String, String)] = [
            ("this week, last week", "the median business day of the ISO week (Monday to Friday) — a typical day, not a total"),
            ("ratio", "plateau ÷ baseline, from the figures as shown"),
            ("ramp", "calendar days from the onset to the first business day at 90 % of the way to the plateau"),
            ("change", "this week against last week"),
            ("<\(k)", "fewer than \(k) people behind the figure: withheld to protect them, as is the smallest other business unit of the day when only one is withheld"),
        ]
        for (t, d) in terms { h.element("dt", [], t); h.element("dd", [], d) }
        var seen = Set<Metric>()
        for m in [.remoteUsers] + shown where review.rollups.metrics.contains(m) && seen.insert(m).inserted {
            h.element("dt", [("title", m.rawValue)], m.displayName)
            h.element("dd", [], m.meaning)
        }
        h.close("dl")
        h.close("section")
        h.newline()
    }

    /// The page's style: the palette (light, dark), the layout, A4 landscape on paper.
    public static let style = ReviewChart.palette(":root") + "\n" + """
    :root{color-scheme:light dark}
    *{box-sizing:border-box}
    body{margin:24px auto;padding:0 16px;max-width:1200px;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,DejaVu Sans,sans-serif}
    h1{font-size:22px;margin:0 0 6px}
    h2{font-size:17px;margin:28px 0 8px}
    header p{margin:2px 0;color:var(--muted)}
    header p.lede{color:var(--fg);font-size:15px;margin:0 0 6px}
    p.gaps{color:var(--warn)}
    .note,.legend{color:var(--muted);font-size:12.5px}
    table{border-collapse:collapse;font-variant-numeric:tabular-nums;margin:4px 0}
    th,td{padding:3px 10px;text-align:left;white-space:nowrap}
    thead th{border-bottom:1px solid var(--frame);font-weight:600;color:var(--muted)}
    tbody tr:nth-child(even){background:var(--stripe)}
    tbody th{font-weight:500}
    .n{text-align:right}
    td.down{color:var(--crit)}
    ul.alerts li.critical b{color:var(--crit)}
    ul.alerts li.warning b{color:var(--warn)}
    .grid{display:grid;grid-template-columns:repeat(6,minmax(0,1fr));gap:8px}
    figure.panel{margin:0;border:1px solid var(--frame);background:var(--panel);break-inside:avoid}
    figure.panel svg{display:block;width:100%;height:auto}
    details{margin-top:8px}
    summary{cursor:pointer;color:var(--muted)}
    ul.key{list-style:none;padding:0;columns:2}
    ul.key li{margin:2px 0}
    .swatch{vertical-align:middle}
    dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px}
    dt{font-weight:600}
    dd{margin:0}
    footer{margin-top:28px;color:var(--muted);font-size:12px}
    @media (max-width:900px){.grid{grid-template-columns:repeat(3,minmax(0,1fr))}}
    @page{size:A4 landscape;margin:10mm}
    @media print{body{margin:0;padding:0;max-width:none;font-size:10.5px}h2{break-after:avoid}table{font-size:10px}summary{display:none}.grid{grid-template-columns:repeat(6,minmax(0,1fr));gap:4px}}
    """ + "\n" + ReviewChart.style
}
