import PlateauCore

/// A rectangle of the screen.
public struct Rect: Equatable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) { self.x = x; self.y = y; self.width = width; self.height = height }
    public func contains(x px: Int, y py: Int) -> Bool { px >= x && px < x + width && py >= y && py < y + height }
}

/// Where the panels go for a size: panels are dropped (alerts, then the BU list, then the
/// second header line) rather than squeezed until they garble.
public struct DashboardLayout: Equatable, Sendable {
    public var width: Int, height: Int
    public var headerRows = 0
    public var tabs: Rect?
    public var list: Rect?
    public var chart: Rect?
    public var alerts: Rect?
    public var status: Rect?
    /// BU names drawn in the list, by screen row.
    public var listRows: [Int: String] = [:]

    public static let minimumWidth = 40, minimumHeight = 10

    public init(width: Int, height: Int, alertsWanted: Bool) {
        self.width = width; self.height = height
        guard width >= Self.minimumWidth, height >= Self.minimumHeight else { return }
        headerRows = height >= 16 ? 2 : 1
        tabs = Rect(x: 0, y: headerRows, width: width, height: 1)
        status = Rect(x: 0, y: height - 1, width: width, height: 1)
        var bodyTop = headerRows + 1, bodyBottom = height - 1
        if alertsWanted && height >= 20 {
            let h = height >= 40 ? 10 : 5
            alerts = Rect(x: 0, y: bodyBottom - h, width: width, height: h)
            bodyBottom -= h
        }
        let listWidth = width >= 150 ? 54 : width >= 110 ? 44 : width >= 60 ? 34 : 0
        if listWidth > 0 {
            list = Rect(x: 0, y: bodyTop, width: listWidth, height: bodyBottom - bodyTop)
            chart = Rect(x: listWidth + 1, y: bodyTop, width: width - listWidth - 1, height: bodyBottom - bodyTop)
        } else {
            chart = Rect(x: 0, y: bodyTop, width: width, height: bodyBottom - bodyTop)
        }
    }

    /// The BU drawn at a screen position (for mouse clicks).
    public func bu(atColumn x: Int, row y: Int) -> String? {
        guard let list, list.contains(x: x, y: y) else { return nil }
        return listRows[y]
    }
}

/// The whole screen as a pure function of model, state and size.
public enum DashboardView {
    public static func render(_ model: DashboardModel, _ state: DashboardState, width: Int, height: Int) -> (Frame, DashboardLayout) {
        var f = Frame(width: width, height: height)
        var layout = DashboardLayout(width: width, height: height, alertsWanted: state.showAlerts)
        let ascii = state.glyphs == .ascii
        guard layout.tabs != nil else {
            f.put("plateau: window too small", x: 0, y: 0, maxWidth: width)
            f.put("(\(width)×\(height); needs \(DashboardLayout.minimumWidth)×\(DashboardLayout.minimumHeight))".ascii(ascii), x: 0, y: 1, maxWidth: width)
            return (f, layout)
        }
        header(model, state, &f, rows: layout.headerRows, ascii: ascii)
        if let r = layout.tabs { tabs(model, state, &f, r, ascii: ascii) }
        if let r = layout.list { layout.listRows = list(model, state, &f, r, ascii: ascii) }
        if let r = layout.chart { chart(model, state, &f, r, ascii: ascii, withList: layout.list != nil) }
        if let r = layout.alerts { alerts(model, &f, r, ascii: ascii) }
        if let r = layout.status { status(model, state, &f, r, ascii: ascii) }
        if state.showHelp { help(&f, ascii: ascii) }
        return (f, layout)
    }

    // MARK: header and tabs

    static func header(_ model: DashboardModel, _ state: DashboardState, _ f: inout Frame, rows: Int, ascii: Bool) {
        let bar = Style(color: .title, reverse: true)
        for y in 0..<rows { f.fill(y: y, style: bar) }
        var left = " plateau"
        if let org = model.organisation { left += " · " + org }
        var right = ""
        if let a = model.firstDay, let b = model.lastDay {
            right = "\(CivilDate(daysSinceEpoch: a)) → \(CivilDate(daysSinceEpoch: b)) · "
        }
        right = (right + model.timezone + " ").ascii(ascii)
        let now = model.stats.now
        // A stale feed is an alert: it takes the first row's right side, before the range and
        // the organisation, at every size the header shows (60×15 has this row only).
        let stale = model.feeds.compactMap { feed in feed.level(at: now).map { (feed: feed, level: $0) } }
        var alarmWidth = 0
        if let worst = stale.map(\.level).max() {
            let alarm = staleSummary(stale, now: now, width: f.width - 10, ascii: ascii)
            alarmWidth = alarm.count
            f.put(alarm, x: f.width - alarm.count, y: 0, style: Style(color: worst == .critical ? .critical : .warning, bold: true, reverse: true))
        }
        let used = f.put(left.ascii(ascii), x: 0, y: 0, style: Style(color: .title, bold: true, reverse: true), maxWidth: f.width - 1 - alarmWidth)
        if used + right.count + alarmWidth + 2 <= f.width { f.put(right, x: f.width - alarmWidth - right.count, y: 0, style: bar) }
        guard rows > 1 else { return }
        // Second line: each feed's age (coloured by its rule), then the figures in order of
        // importance, as many as fit.
        let s = model.stats
        let sep = ascii ? " - " : " · "
        var segments: [(text: String, style: Style)] = []
        if let speed = s.replay {
            segments.append(("replaying " + ((speed * 10).rounded() == (speed.rounded() * 10) ? "\(Int(speed.rounded()))" : String(format: "%.1f", speed)) + " days a second", bar))
        }
        if model.feeds.isEmpty {
            if s.replay == nil { segments.append((freshness(s), bar)) }
        } else {
            // Stale feeds first: they must not be the ones that do not fit.
            let ordered = model.feeds.enumerated().sorted { a, b in
                let (la, lb) = (a.element.level(at: now)?.rawValue ?? 0, b.element.level(at: now)?.rawValue ?? 0)
                return la != lb ? la > lb : a.offset < b.offset
            }.map(\.element)
            var previous: DashboardModel.Alert.Severity?
            for feed in ordered {
                let level = feed.level(at: now)
                // The marker once per level: "CRIT vpn 3 h · vdi no records · WARN proxy 20 min".
                let tag = level != nil && level != previous ? (level == .critical ? "CRIT " : "WARN ") : ""
                previous = level
                let text = tag + "\(feed.name) \(feed.age(at: now))"
                let style = level.map { Style(color: $0 == .critical ? .critical : .warning, bold: true, reverse: true) } ?? Style(color: .muted, reverse: true)
                segments.append((text, style))
            }
        }
        if s.replay == nil { segments.append((s.rate.map { "\(groupedDigits(Int($0.rounded()))) records/s" } ?? "– records/s", bar)) }
        segments.append(("\(groupedDigits(s.skipped)) skipped", bar))
        segments.append(("\(groupedDigits(s.files)) file\(s.files == 1 ? "" : "s") followed", bar))
        segments.append(("\(groupedDigits(s.records)) records", bar))
        var x = 0
        for (i, seg) in segments.enumerated() {
            let text = seg.text.ascii(ascii)
            let lead = i == 0 ? " " : sep
            guard x + lead.count + text.count + 1 <= f.width else { continue }
            x += f.put(lead, x: x, y: 1, style: bar)
            x += f.put(text, x: x, y: 1, style: seg.style)
        }
    }

    /// The first row's alarm, as detailed as fits in `width`: "CRIT proxy 2 d · vpn 3 d · WARN
    /// vdi 3 h", then names only, then counts, then a bare "CRIT stale".
    static func staleSummary(_ stale: [(feed: DashboardModel.Feed, level: DashboardModel.Alert.Severity)], now: Int64,
                             width: Int, ascii: Bool) -> String {
        let sep = ascii ? " - " : " · "
        func groups(_ item: (DashboardModel.Feed) -> String, joined: String) -> String {
            [DashboardModel.Alert.Severity.critical, .warning].compactMap { level -> String? in
                let names = stale.filter { $0.level == level }.map { item($0.feed) }
                return names.isEmpty ? nil : (level == .critical ? "CRIT " : "WARN ") + names.joined(separator: joined)
            }.joined(separator: sep)
        }
        let counts = [DashboardModel.Alert.Severity.critical, .warning].compactMap { level -> String? in
            let n = stale.filter { $0.level == level }.count
            return n == 0 ? nil : (level == .critical ? "CRIT " : "WARN ") + "\(n) stale feed\(n == 1 ? "" : "s")"
        }.joined(separator: sep)
        let worst = stale.map(\.level).max() == .critical ? "CRIT" : "WARN"
        let candidates = [groups({ "\($0.name) \($0.age(at: now))" }, joined: sep), groups(\.name, joined: ", "), counts, worst + " stale", worst]
        for c in candidates where c.count + 2 <= width { return (" " + c + " ").ascii(ascii) }
        return (" " + worst + " ").ascii(ascii)
    }

    /// What of the screen moves with the clock alone (feed ages and levels, the freshness):
    /// when it changes, the feed hands the UI the model again without rebuilding it.
    public static func clockSignature(_ model: DashboardModel) -> String {
        let now = model.stats.now
        return (model.feeds.isEmpty ? freshness(model.stats) : "") + model.feeds.map { f in
            let level = f.level(at: now)
            // The arrival of bytes is shown for stale feeds only.
            return "|\(f.name) \(f.age(at: now)) \(level.map { "\($0.rawValue) \(f.lastArrival.map { Durations.short(now - $0) } ?? "")" } ?? "-")"
        }.joined()
    }

    /// "newest record 14 s ago".
    public static func freshness(_ s: DashboardModel.Stats) -> String {
        guard let newest = s.newestRecord else { return "no records yet" }
        let age = max(0, s.now - newest)
        let text: String
        switch age {
        case ..<60: text = "\(age) s"
        case ..<3600: text = "\(age / 60) min"
        case ..<172_800: text = "\(age / 3600) h"
        default: text = "\(groupedDigits(Int(age / 86_400))) d"
        }
        return "newest record \(text) ago"
    }

    static func tabs(_ model: DashboardModel, _ state: DashboardState, _ f: inout Frame, _ r: Rect, ascii: Bool) {
        guard !model.metrics.isEmpty else {
            f.put(" waiting for data…".ascii(ascii), x: r.x, y: r.y, style: Style(color: .muted), maxWidth: r.width)
            return
        }
        let selected = state.metric(model).flatMap { model.metrics.firstIndex(of: $0) } ?? 0
        let labels = model.metrics.map { " \($0.rawValue) " }
        // Scroll the tab strip so the selected tab is always whole on screen.
        var start = 0
        func width(_ a: Int, _ b: Int) -> Int { labels[a...b].reduce(0) { $0 + $1.count + 1 } }
        while start < selected && width(start, selected) > r.width - 2 { start += 1 }
        var x = r.x
        if start > 0 { f.put(ascii ? "<" : "‹", x: x, y: r.y, style: Style(color: .muted)); x += 1 }
        for i in start..<labels.count {
            let style = i == selected ? Style(color: .accent, bold: true, reverse: true) : Style(color: .muted)
            if x + labels[i].count > r.x + r.width - 1 {
                f.put(ascii ? ">" : "›", x: r.x + r.width - 1, y: r.y, style: Style(color: .muted))
                break
            }
            x += f.put(labels[i], x: x, y: r.y, style: style) + 1
        }
    }

    // MARK: the BU list

    static func list(_ model: DashboardModel, _ state: DashboardState, _ f: inout Frame, _ r: Rect, ascii: Bool) -> [Int: String] {
        guard let m = state.metric(model), r.height >= 2 else { return [:] }
        let rows = state.visibleRows(model)
        let sparkWidth = r.width >= 54 ? 16 : r.width >= 44 ? 10 : 0
        let nameWidth = r.width - 16 - (sparkWidth > 0 ? sparkWidth + 1 : 0)
        let head = Style(color: .muted, bold: true)
        let capacity = r.height - 1
        let selected = rows.firstIndex { $0.name == state.selectedBU } ?? 0
        let offset = capacity > 0 ? (selected / capacity) * capacity : 0
        let heading = rows.count > capacity ? "units \(offset + 1)–\(min(rows.count, offset + capacity)) of \(rows.count)" : "business unit"
        f.put(heading.ascii(ascii), x: r.x + 1, y: r.y, style: head, maxWidth: nameWidth)
        // The newest day with data: "today" while following, the data's last day otherwise.
        let today = model.newestDay[m].map { d -> String in let c = CivilDate(daysSinceEpoch: d).components; return String(format: "%02d-%02d", c.month, c.day) } ?? "today"
        f.put(today.leftPadded(7), x: r.x + nameWidth + 2, y: r.y, style: head)
        f.put("ratio".leftPadded(6), x: r.x + nameWidth + 10, y: r.y, style: head)
        if sparkWidth > 0 { f.put("trend", x: r.x + nameWidth + 17, y: r.y, style: head) }
        var drawn: [Int: String] = [:]
        for (i, row) in rows.dropFirst(offset).prefix(capacity).enumerated() {
            let y = r.y + 1 + i
            let isSelected = row.name == state.selectedBU
            let base = isSelected ? Style(color: .accent, bold: true, reverse: true) : Style(bold: row.bu == BusinessUnits.all)
            if isSelected { f.fill(y: y, from: r.x, to: r.x + r.width, style: base) }
            f.put(isSelected ? (ascii ? ">" : "▸") : " ", x: r.x, y: y, style: base)
            let name = row.name.ascii(ascii)
            f.put(name.count > nameWidth ? String(name.prefix(nameWidth - 1)) + (ascii ? "~" : "…") : name, x: r.x + 1, y: y, style: base)
            let today = row.todayWithheld ? "<\(model.minGroup)" : format(row.today, m, ascii: ascii)
            f.put(today.leftPadded(7), x: r.x + nameWidth + 2, y: y, style: base)
            let ratio = row.shownRatio.map { (ascii ? "x" : "×") + String(format: "%.1f", $0) } ?? (ascii ? "-" : "–")
            var ratioStyle = base
            if !isSelected, let q = row.shownRatio { ratioStyle.color = q >= 1.1 ? .good : q <= 0.9 ? .warning : .normal }
            f.put(ratio.leftPadded(6), x: r.x + nameWidth + 10, y: y, style: ratioStyle)
            if sparkWidth > 0 {
                let days = state.visibleDays(model).map { d in Array(row.values[(d.lowerBound - model.firstDay!)...(d.upperBound - model.firstDay!)]) } ?? row.values
                f.put(Sparkline.render(days, width: sparkWidth, ascii: ascii), x: r.x + nameWidth + 17, y: y,
                      style: isSelected ? base : Style(color: .accent))
            }
            drawn[y] = row.name
        }
        // The separator between the list and the chart.
        for y in r.y..<(r.y + r.height) { f.put(ascii ? "|" : "│", x: r.x + r.width, y: y, style: Style(color: .muted)) }
        return drawn
    }

    static func format(_ v: Double?, _ m: Metric, ascii: Bool) -> String {
        guard let v else { return ascii ? "-" : "–" }
        return m == .meetingsMedianMinutes ? String(format: "%.1f", v) : groupedDigits(Int(v.rounded()))
    }

    // MARK: the chart

    static func chart(_ model: DashboardModel, _ state: DashboardState, _ f: inout Frame, _ r: Rect, ascii: Bool, withList: Bool) {
        guard let m = state.metric(model), let days = state.visibleDays(model), let first = model.firstDay else { return }
        let row = model.row(m, bu: state.selectedBU) ?? model.rows[m]?.first
        guard let row else { return }
        let x0 = r.x + 1, w = r.width - 1
        // One line of figures above the chart: the levels, the ratio, the onset and the ramp.
        func day(_ d: Int, short: Bool) -> String {
            let c = CivilDate(daysSinceEpoch: d)
            return short ? String(format: "%02d-%02d", c.components.month, c.components.day) : "\(c)"
        }
        func facts(short: Bool) -> [String] {
            var out: [String] = []
            switch row.analysis.verdict {
            case .tooShort: out.append("too short to judge")
            case .noChange: out.append("no change · level \(format(row.plateau ?? row.baseline, m, ascii: ascii))")
            case .change:
                out.append((short ? "base " : "baseline ") + (row.baseline.map { format($0, m, ascii: ascii) } ?? "<\(model.minGroup)"))
                out.append((short ? "plat " : "plateau ") + (row.plateau.map { format($0, m, ascii: ascii) } ?? "<\(model.minGroup)"))
                if let q = row.shownRatio { out.append((ascii ? "x" : "×") + String(format: "%.1f", q)) }
                if let o = row.analysis.onset { out.append("onset " + day(o, short: short)) }
                if let d = row.analysis.rampDays { out.append("ramp \(d) d") }
                if let e = row.analysis.end { out.append("end " + day(e, short: short)) }
            }
            return out.map { $0.ascii(ascii) }
        }
        let sep = ascii ? " - " : " · "
        let long = facts(short: false).joined(separator: sep)
        // Narrow: short dates, then as many facts as fit whole (the levels first).
        var line = long
        if long.count > w {
            line = ""
            for p in facts(short: true) where (line.isEmpty ? p.count : line.count + 3 + p.count) <= w {
                line += (line.isEmpty ? "" : sep) + p
            }
        }
        let title = "\(m.rawValue) · \(row.name)"
        f.put(title.ascii(ascii), x: x0, y: r.y, style: Style(color: .title, bold: true), maxWidth: w)
        if r.height >= 4 {
            f.put(line, x: x0, y: r.y + 1, style: Style(color: .muted), maxWidth: w)
        }
        let top = r.height >= 4 ? r.y + 2 : r.y + 1
        // Under the chart of a series with licences: how full they are and when the trend of
        // the last 10 business days fills them (the review's Capacity line, in short).
        var bottom = r.y + r.height
        if let c = row.capacityReading, r.height >= 8 {
            bottom -= 1
            let (text, style) = capacityLine(c, m, ascii: ascii, width: w)
            f.put(text, x: x0, y: bottom, style: style, maxWidth: w)
        }
        let lo = days.lowerBound - first, hi = days.upperBound - first
        let capacity = model.capacity[m]?[row.name] ?? (row.bu == BusinessUnits.all ? model.capacity[m]?["ALL"] : nil) ?? []
        let cm = ChartModel(firstDay: days.lowerBound, values: Array(row.values[lo...hi]), businessDays: model.businessDays,
                            baseline: row.baseline, plateau: row.plateau, onsetDay: row.analysis.onset,
                            capacity: capacity, title: "", fromZero: m != .meetingsMedianMinutes)
        Chart.draw(cm, into: &f, x: x0, y: top, width: w, height: bottom - top, glyphs: state.glyphs)
    }

    /// "licences 194 of 250 (78 %) on 05-08 · trend -0.2 a business day: not at this trend", as
    /// much as fits; warning colour within 10 business days of full, critical when full.
    static func capacityLine(_ c: DashboardModel.CapacityReading, _ m: Metric, ascii: Bool, width: Int) -> (String, Style) {
        let date = CivilDate(daysSinceEpoch: c.day).components
        let on = String(format: "%02d-%02d", date.month, date.day)
        let share = "\(format(c.value, m, ascii: ascii)) of \(format(c.capacity, m, ascii: ascii)) (\(Int((100 * c.value / c.capacity).rounded())) %)"
        let sep = ascii ? " - " : " · "
        var style = Style(color: .muted)
        var trend = "too few business days for a trend", phrase = "no trend yet"
        if let f = c.forecast {
            trend = f.trendPhrase
            phrase = f.phrase
            if let n = f.businessDays, n <= 10 { style = Style(color: n == 0 ? .critical : .warning, bold: true) }
        }
        // The longest that fits: the date, then the slope, then the words go.
        let candidates = ["licences " + share + " on " + on + sep + trend, "licences " + share + sep + trend,
                          "licences " + share + sep + phrase, share + sep + phrase, phrase]
        return ((candidates.first { $0.count <= width } ?? phrase).ascii(ascii), style)
    }

    // MARK: alerts, status, help

    static func alerts(_ model: DashboardModel, _ f: inout Frame, _ r: Rect, ascii: Bool) {
        let rule = ascii ? "-" : "─"
        f.put(String(repeating: rule, count: r.width), x: r.x, y: r.y, style: Style(color: .muted))
        // The feeds' stale alerts of this very moment come first.
        let all = model.feedAlerts(at: model.stats.now, zone: model.zone) + model.alerts
        let crit = all.filter { $0.severity == .critical }.count
        let title = " alerts: \(all.count)" + (crit > 0 ? " (\(crit) critical) " : " ")
        f.put(title, x: r.x + 2, y: r.y, style: Style(color: crit > 0 ? .critical : .muted, bold: true))
        if all.isEmpty {
            f.put(" No alerts.", x: r.x, y: r.y + 1, style: Style(color: .muted), maxWidth: r.width)
            return
        }
        for (i, a) in all.prefix(r.height - 1).enumerated() {
            let y = r.y + 1 + i
            let tag = a.severity == .critical ? "CRIT" : "WARN"
            let style = Style(color: a.severity == .critical ? .critical : .warning, bold: a.severity == .critical)
            f.put(" \(CivilDate(daysSinceEpoch: a.day)) ", x: r.x, y: y, style: Style(color: .muted))
            f.put(tag, x: r.x + 12, y: y, style: style)
            f.put(a.text.ascii(ascii), x: r.x + 17, y: y, maxWidth: r.width - 17)
        }
    }

    static let hints = "q quit · ↑↓ BU · ←→ metric · +/- zoom · 0 all · / filter · s sort · g glyphs · a alerts"

    static func status(_ model: DashboardModel, _ state: DashboardState, _ f: inout Frame, _ r: Rect, ascii: Bool) {
        let bar = Style(color: .muted, reverse: true)
        f.fill(y: r.y, style: bar)
        var right = " ? help "
        if r.width >= 70 { right = " sort \(state.sort.rawValue) · \(state.zoomDays.map { "\($0) d" } ?? "all days") · \(state.unicode ? state.glyphs.rawValue : "ascii: locale not UTF-8") ·" + right }
        let rightWidth = right.count
        if state.editingFilter {
            f.put(" filter: \(state.filter)_", x: r.x, y: r.y, style: Style(color: .accent, bold: true, reverse: true), maxWidth: r.width - rightWidth)
        } else if let n = model.notice {
            f.put((" " + n).ascii(ascii), x: r.x, y: r.y, style: Style(color: .warning, reverse: true), maxWidth: r.width - rightWidth)
        } else {
            let filter = state.filter.isEmpty ? "" : "filter “\(state.filter)” · Esc clears · "
            f.put((" " + filter + hints).ascii(ascii), x: r.x, y: r.y, style: bar, maxWidth: r.width - rightWidth - 1)
        }
        if rightWidth > 0 { f.put(right.ascii(ascii), x: r.x + r.width - right.count, y: r.y, style: bar) }
    }

    public static let helpLines = [
        "q  Ctrl-C       quit",
        "?               this help (any key closes it)",
        "↑ ↓  j k        select a business unit",
        "← →  h l  Tab   change metric",
        "+  -            zoom the time range in / out",
        "0               show the whole range",
        "/               filter units by name (Enter keeps, Esc clears)",
        "s               sort: name, ratio, value",
        "g               glyphs: braille, blocks, ASCII",
        "a               show / hide the alerts panel",
        "mouse click     select the unit under the pointer",
    ]

    static func help(_ f: inout Frame, ascii: Bool) {
        let lines = helpLines.map { $0.ascii(ascii) }
        let w = min(f.width - 2, (lines.map(\.count).max() ?? 0) + 4)
        let h = min(f.height - 2, lines.count + 4)
        guard w > 10, h > 4 else { return }
        let x0 = (f.width - w) / 2, y0 = (f.height - h) / 2
        let border = Style(color: .accent, bold: true)
        let (tl, tr, bl, br, hz, vt) = ascii ? ("+", "+", "+", "+", "-", "|") : ("┌", "┐", "└", "┘", "─", "│")
        for y in y0..<(y0 + h) { f.fill(y: y, from: x0, to: x0 + w, style: .plain) }
        f.put(tl + String(repeating: hz, count: w - 2) + tr, x: x0, y: y0, style: border)
        f.put(bl + String(repeating: hz, count: w - 2) + br, x: x0, y: y0 + h - 1, style: border)
        for y in (y0 + 1)..<(y0 + h - 1) {
            f.put(vt, x: x0, y: y, style: border)
            f.put(vt, x: x0 + w - 1, y: y, style: border)
        }
        f.put(" keys ", x: x0 + 2, y: y0, style: border)
        for (i, l) in lines.prefix(h - 4).enumerated() { f.put(l, x: x0 + 2, y: y0 + 2 + i, maxWidth: w - 4) }
    }
}

extension String {
    func padded(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }

    /// The string with every non-ASCII glyph replaced, for `g` ASCII mode.
    func ascii(_ on: Bool) -> String {
        guard on else { return self }
        var out = String.UnicodeScalarView()
        for s in unicodeScalars {
            switch s {
            case "·": out.append(contentsOf: "-".unicodeScalars)
            case "→": out.append(contentsOf: "->".unicodeScalars)
            case "×": out.append("x")
            case "–", "—", "─": out.append("-")
            case "…": out.append(contentsOf: "...".unicodeScalars)
            case "↑", "↓": out.append(s == "↑" ? "^" : "v")
            case "←": out.append("<")
            case "“", "”": out.append("\"")
            default: out.append(s.isASCII ? s : "?")
            }
        }
        return String(out)
    }
}
