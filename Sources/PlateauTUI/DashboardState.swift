import PlateauCore

/// What the operator has chosen on the dashboard: a pure value, changed only by `apply`, so
/// every key's effect is a testable function (state, event) → state.
public struct DashboardState: Equatable, Sendable {
    public enum Sort: String, CaseIterable, Sendable { case name, ratio, value }

    /// The metric shown; nil (or one without data) shows the first metric with data.
    public var metric: Metric?
    /// The selected BU by name ("ALL" first); kept by name so that new BUs arriving while
    /// following do not move the selection.
    public var selectedBU = "ALL"
    public var sort = Sort.name
    public var glyphs = GlyphMode.braille
    /// False when the terminal's locale cannot show UTF-8: glyphs stay ASCII (`g` does nothing).
    public private(set) var unicode = true

    /// The terminal cannot show UTF-8 (`LANG=C`): ASCII glyphs and box drawing from now on.
    public mutating func keepToASCII() {
        unicode = false
        glyphs = .ascii
    }
    public var showAlerts = true
    public var showHelp = false
    /// Days shown, ending at the newest day; nil shows the whole range.
    public var zoomDays: Int?
    /// BU name filter (case-insensitive substring); `editingFilter` while `/` is being typed.
    public var filter = ""
    public var editingFilter = false
    public var quit = false

    public init() {}

    public static let minimumZoom = 14

    /// What the terminal reported, already decoded.
    public enum Event: Equatable, Sendable {
        case key(Key)
        /// A mouse click at a screen row and column.
        case click(x: Int, y: Int)
    }

    public enum Key: Equatable, Sendable {
        case char(Character)
        case up, down, left, right, tab, backTab, enter, escape, backspace, ctrlC
    }

    /// Applies one event. `model` supplies what the keys move through (metrics, visible BUs);
    /// `layout` maps clicks to list rows.
    public mutating func apply(_ event: Event, model: DashboardModel, layout: DashboardLayout? = nil) {
        switch event {
        case .click(let x, let y):
            // The help overlay covers the list: a click closes it, as a key does, and selects
            // nothing under it.
            if showHelp { showHelp = false; return }
            guard let layout, let bu = layout.bu(atColumn: x, row: y) else { return }
            selectedBU = bu
        case .key(let key):
            if key == .ctrlC { quit = true; return }
            if editingFilter { editFilter(key, model: model); return }
            if showHelp {
                // Any key closes the help overlay; q still quits.
                showHelp = false
                if key == .char("q") { quit = true }
                return
            }
            switch key {
            case .char("q"), .char("Q"): quit = true
            case .char("?"): showHelp = true
            case .down, .char("j"): moveSelection(1, model)
            case .up, .char("k"): moveSelection(-1, model)
            case .right, .char("l"), .tab: cycleMetric(1, model)
            case .left, .char("h"), .backTab: cycleMetric(-1, model)
            case .char("+"), .char("="): zoomIn(model)
            case .char("-"), .char("_"): zoomOut(model)
            case .char("0"): zoomDays = nil
            case .char("/"): editingFilter = true
            case .char("s"): sort = Sort.allCases[(Sort.allCases.firstIndex(of: sort)! + 1) % Sort.allCases.count]
            case .char("g"): if unicode { glyphs = glyphs.next }
            case .char("a"): showAlerts.toggle()
            case .escape: filter = ""; keepSelectionVisible(model)
            default: break
            }
        }
    }

    mutating func editFilter(_ key: Key, model: DashboardModel) {
        switch key {
        case .enter: editingFilter = false
        case .escape: editingFilter = false; filter = ""
        case .backspace: if !filter.isEmpty { filter.removeLast() }
        case .char(let c) where !c.isNewline && c.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }):
            if filter.count < 40 { filter.append(c) }
        default: break
        }
        keepSelectionVisible(model)
    }

    /// The metric shown (nil when there is no data yet).
    public func metric(_ model: DashboardModel) -> Metric? {
        if let metric, model.metrics.contains(metric) { return metric }
        return model.metrics.first
    }

    /// The BU rows of the current metric, filtered and sorted as chosen; ALL always first.
    public func visibleRows(_ model: DashboardModel) -> [DashboardModel.Row] {
        guard let m = metric(model), let rows = model.rows[m] else { return [] }
        let needle = filter.lowercased()
        var all: DashboardModel.Row?
        var rest: [DashboardModel.Row] = []
        for r in rows {
            if r.bu == BusinessUnits.all { all = r; continue }
            if needle.isEmpty || r.name.lowercased().contains(needle) { rest.append(r) }
        }
        switch sort {
        case .name: rest.sort { $0.name < $1.name }
        case .ratio: rest.sort { ($0.shownRatio ?? -1, $1.name) > ($1.shownRatio ?? -1, $0.name) }
        case .value: rest.sort { ($0.today ?? -1, $1.name) > ($1.today ?? -1, $0.name) }
        }
        return (all.map { [$0] } ?? []) + rest
    }

    mutating func moveSelection(_ step: Int, _ model: DashboardModel) {
        let rows = visibleRows(model)
        guard !rows.isEmpty else { return }
        let i = rows.firstIndex { $0.name == selectedBU } ?? 0
        selectedBU = rows[max(0, min(rows.count - 1, i + step))].name
    }

    mutating func keepSelectionVisible(_ model: DashboardModel) {
        let rows = visibleRows(model)
        if !rows.contains(where: { $0.name == selectedBU }), let first = rows.first { selectedBU = first.name }
    }

    mutating func cycleMetric(_ step: Int, _ model: DashboardModel) {
        let n = model.metrics.count
        guard n > 0, let current = metric(model), let i = model.metrics.firstIndex(of: current) else { return }
        metric = model.metrics[((i + step) % n + n) % n]
    }

    mutating func zoomIn(_ model: DashboardModel) {
        let span = zoomDays ?? model.dayCount
        zoomDays = max(DashboardState.minimumZoom, span / 2)
    }

    mutating func zoomOut(_ model: DashboardModel) {
        guard let z = zoomDays else { return }
        let wider = z * 2
        zoomDays = wider >= model.dayCount ? nil : wider
    }

    /// The days shown: the zoom window ending at the newest day.
    public func visibleDays(_ model: DashboardModel) -> ClosedRange<Int>? {
        guard let f = model.firstDay, let l = model.lastDay else { return nil }
        guard let z = zoomDays else { return f...l }
        return max(f, l - z + 1)...l
    }
}
