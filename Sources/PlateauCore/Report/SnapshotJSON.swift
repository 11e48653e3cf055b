/// The review week: an ISO week and its dates.
public struct ReviewWeek: Sendable, Equatable {
    public var year: Int, week: Int
    public var monday: CivilDate
    public var iso: String { "\(year)-W\(week < 10 ? "0" : "")\(week)" }
    public var sunday: CivilDate { monday.adding(days: 6) }

    public init(containing d: CivilDate) {
        monday = d.adding(days: 1 - d.isoWeekday)
        (year, week) = monday.isoWeek
    }

    /// `2020-W13`; nil when malformed or the week does not exist in that year.
    public init?(iso text: String) {
        let parts = text.uppercased().split(separator: "-W")
        guard parts.count == 2, let y = Int(parts[0]), let w = Int(parts[1]), parts[1].count == 2, (1...53).contains(w) else { return nil }
        // Week 1 holds January 4th.
        let jan4 = CivilDate(year: y, month: 1, day: 4)
        let m = jan4.adding(days: 1 - jan4.isoWeekday).adding(days: 7 * (w - 1))
        guard m.isoWeek == (y, w) else { return nil }
        monday = m; year = y; week = w
    }

    /// The last full ISO week (Monday … Sunday) inside [first, last], if any.
    public static func lastFull(first: Int, last: Int) -> ReviewWeek? {
        let l = CivilDate(daysSinceEpoch: last)
        let sunday = l.isoWeekday == 7 ? l : l.adding(days: -l.isoWeekday)
        let monday = sunday.adding(days: -6)
        guard monday.day >= first else { return nil }
        return ReviewWeek(containing: monday)
    }
}

/// What a snapshot shows, beyond the rollups.
public struct SnapshotOptions: Sendable {
    public var timezone: String = "UTC"
    public var organisation: String?
    public var minGroup = 5
    public var week: ReviewWeek?
    public var businessDays: Set<Int> = [1, 2, 3, 4, 5]
    /// Regimes fixed by the config instead of detected.
    public var windows: AnalysisWindows?
    /// The alerts of the review's newest day, when a rules file was found.
    public var alerts: AlertReport?
    /// The series and days csv and json print (`--metric`, `--bu`, `--week`).
    public var filter = SnapshotFilter()
    /// `[[capacity]]` of the config: the review forecasts when each pool fills.
    public var capacities: [PlateauConfig.Capacity] = []
    public init() {}
}

/// What `--format csv|json` prints of the rollups: some metrics, one BU, the days of one week
/// (nil: all). The analysis of a series (baseline, plateau, onset) is of all its days still.
public struct SnapshotFilter: Sendable {
    public var metrics: Set<Metric>?
    /// A BU's name as the data spells it.
    public var unit: String?
    public var days: ClosedRange<Int>?
    public init(metrics: Set<Metric>? = nil, unit: String? = nil, days: ClosedRange<Int>? = nil) {
        self.metrics = metrics; self.unit = unit; self.days = days
    }

    func includes(_ m: Metric, unit name: String) -> Bool {
        (metrics?.contains(m) ?? true) && (unit.map { $0 == name } ?? true)
    }

    /// The days of `first...last` shown (nil: none).
    func days(_ first: Int, _ last: Int) -> ClosedRange<Int>? {
        guard let d = days else { return first...last }
        let lo = max(first, d.lowerBound), hi = min(last, d.upperBound)
        return lo <= hi ? lo...hi : nil
    }
}

/// `--format json`: the `plateau.snapshot/1` schema of DESIGN.md.
public enum SnapshotJSON {
    public static func render(_ r: Rollups, inputs: [InputReport], options o: SnapshotOptions) -> [UInt8] {
        let out = MemoryOutput()
        let w = ByteWriter(out)
        // The same numbers as the text review: one Review, every format.
        let review = Review(r, options: o)
        w.ascii("{\"schema\":\"plateau.snapshot/1\",")
        if let org = o.organisation { w.ascii("\"organisation\":"); w.jsonString(org); w.byte(44) }
        w.ascii("\"timezone\":"); w.jsonString(o.timezone)
        w.ascii(",\"range\":")
        if let f = r.firstDay, let l = r.lastDay {
            w.ascii("{\"from\":\""); w.isoDate(CivilDate(daysSinceEpoch: f)); w.ascii("\",\"to\":\""); w.isoDate(CivilDate(daysSinceEpoch: l)); w.ascii("\"}")
        } else { w.ascii("null") }
        let week = review.week
        w.ascii(",\"week\":")
        if let week {
            w.ascii("{\"iso\":\""); w.text(week.iso); w.ascii("\",\"from\":\""); w.isoDate(week.monday)
            w.ascii("\",\"to\":\""); w.isoDate(week.sunday); w.ascii("\"}")
        } else { w.ascii("null") }
        w.ascii(",\"min_group\":"); w.int(o.minGroup)
        // Each feed's days with data and its gaps: days it delivered nothing, whose values are
        // null (missing), not zero.
        w.ascii(",\"feeds\":[")
        let shown = r.firstDay.flatMap { f in r.lastDay.map { f...$0 } }
        for (i, feed) in Feed.allCases.filter({ r.delivered[$0] != nil }).enumerated() {
            if i > 0 { w.byte(44) }
            let days = r.delivered[feed]!.filter { shown?.contains($0) ?? false }
            w.ascii("{\"feed\":\""); w.text(feed.rawValue); w.ascii("\",\"first\":"); date(w, days.min())
            w.ascii(",\"last\":"); date(w, days.max())
            let gaps = r.gaps(feed)
            w.ascii(",\"missing_days\":"); w.int(gaps.reduce(0) { $0 + $1.count })
            w.ascii(",\"gaps\":[")
            for (k, g) in gaps.enumerated() {
                if k > 0 { w.byte(44) }
                w.ascii("{\"from\":"); date(w, g.lowerBound); w.ascii(",\"to\":"); date(w, g.upperBound); w.byte(125)
            }
            w.ascii("]}")
        }
        w.byte(93)
        w.ascii(",\"inputs\":[")
        for (i, input) in inputs.enumerated() {
            if i > 0 { w.byte(44) }
            let a = input.account
            w.ascii("\n{\"path\":"); w.jsonString(input.path)
            w.ascii(",\"format\":"); if let f = input.format { w.jsonString(f) } else { w.ascii("null") }
            w.ascii(",\"bytes\":"); w.int(Int(input.size))
            w.ascii(",\"lines\":"); w.int(a.lines)
            w.ascii(",\"records\":"); w.int(a.records)
            w.ascii(",\"ignored\":"); w.int(a.ignoredCount)
            w.ascii(",\"skipped\":"); w.int(a.skipped)
            w.ascii(",\"headers\":"); w.int(a.headers)
            tally(w, "ignored_reasons", a.ignored)
            tally(w, "skipped_reasons", a.skippedReasons)
            w.ascii(",\"examples\":[")
            for (k, e) in a.examples.enumerated() {
                if k > 0 { w.byte(44) }
                w.jsonString("\(input.path):\(e.line): \(e.reason)")
            }
            w.byte(93)
            if let err = a.fileError { w.ascii(",\"error\":"); w.jsonString(err) }
            w.byte(125)
        }
        w.ascii("],\n\"series\":[")
        if let first = r.firstDay, let last = r.lastDay {
            var i = 0
            for row in review.rows where o.filter.includes(row.metric, unit: r.units[Int(row.bu)]) {
                let m = row.metric, bu = row.bu, a = row.analysis
                if i > 0 { w.byte(44) }
                i += 1
                w.ascii("\n{\"metric\":\""); w.text(m.rawValue); w.ascii("\",\"bu\":"); w.jsonString(r.units[Int(bu)])
                // Figures as the review shows them (rounded to their metric's precision; the
                // ratio from the levels as shown); a level of a small group is withheld like a
                // cell, and so is a ratio that would reveal one.
                w.ascii(",\"baseline\":"); figure(w, row.baseline, m)
                w.ascii(",\"plateau\":"); figure(w, row.plateau, m)
                w.ascii(",\"ratio\":")
                if let ratio = row.ratio { w.text(String(format: "%.2f", ratio)) } else { w.ascii("null") }
                w.ascii(",\"onset\":"); date(w, a.onset)
                w.ascii(",\"ramp_days\":"); if let d = a.rampDays { w.int(d) } else { w.ascii("null") }
                w.ascii(",\"end\":"); date(w, a.end)
                if a.verdict == .tooShort { w.ascii(",\"analysis\":\"too-short\"") }
                w.ascii(",\"week_value\":"); figure(w, row.week, m)
                w.ascii(",\"previous_week_value\":"); figure(w, row.previousWeek, m)
                w.ascii(",\"days\":[")
                let shownDays = o.filter.days(first, last)
                for day in shownDays.map(Array.init) ?? [] {
                    if day > shownDays!.lowerBound { w.byte(44) }
                    w.ascii("{\"date\":\""); w.isoDate(CivilDate(daysSinceEpoch: day)); w.ascii("\",\"value\":")
                    if review.suppression.isSuppressed(m, bu: bu, day: day) { w.ascii("null,\"suppressed\":true}") }
                    else { number(w, r.value(m, bu: bu, day: day)); w.byte(125) }
                }
                w.ascii("]}")
            }
        }
        w.ascii("],\n\"alerts\":")
        AlertOutput.writeJSON(w, o.alerts?.alerts ?? [])
        w.ascii("}\n")
        try? w.flush()
        return out.bytes
    }

    /// A figure as shown: its value at the metric's precision, or null.
    static func figure(_ w: ByteWriter, _ f: Figure, _ m: Metric) {
        number(w, f.value.map { Figures.shown($0, m) })
    }

    /// `,"name":{"reason":count,...}` in reason order, or nothing for an empty tally.
    static func tally(_ w: ByteWriter, _ name: StaticString, _ counts: [String: Int]) {
        guard !counts.isEmpty else { return }
        w.ascii(",\""); w.ascii(name); w.ascii("\":{")
        for (k, (reason, n)) in counts.sorted(by: { $0.key < $1.key }).enumerated() {
            if k > 0 { w.byte(44) }
            w.jsonString(reason); w.byte(58); w.int(n)
        }
        w.byte(125)
    }

    static func date(_ w: ByteWriter, _ d: Int?) {
        guard let d else { w.ascii("null"); return }
        w.byte(34); w.isoDate(CivilDate(daysSinceEpoch: d)); w.byte(34)
    }

    static func number(_ w: ByteWriter, _ v: Double?) {
        guard let v, v.isFinite else { w.ascii("null"); return }
        guard abs(v) < 1e15 else { w.text(String(format: "%.0f", v)); return }
        if v == v.rounded() { w.int(Int(v)); return }
        let tenths = Int((v * 10).rounded())
        if tenths < 0 { w.byte(45) }
        w.int(abs(tenths) / 10); w.byte(46); w.int(abs(tenths) % 10)
    }
}
