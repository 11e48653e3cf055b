/// `--format csv`: one row per metric × BU × day, for a spreadsheet. Withheld cells have an
/// empty value and `suppressed` = 1; missing days (the feed delivered nothing) an empty value
/// and `suppressed` = 0.
public enum SnapshotCSV {
    public static func render(_ r: Rollups, minGroup: Int, filter: SnapshotFilter = SnapshotFilter()) -> [UInt8] {
        let out = MemoryOutput()
        let w = ByteWriter(out)
        let suppression = Suppression(r, minGroup: minGroup)
        w.ascii("metric,bu,date,value,suppressed"); try? w.endLine()
        guard let first = r.firstDay, let last = r.lastDay, let days = filter.days(first, last) else { try? w.flush(); return out.bytes }
        for m in r.metrics {
            for bu in r.businessUnits(m) where filter.includes(m, unit: r.units[Int(bu)]) {
                let name = Sanitize.text(r.units[Int(bu)])
                for d in days {
                    w.text(m.rawValue); w.byte(44); w.csvField(name); w.byte(44); w.isoDate(CivilDate(daysSinceEpoch: d)); w.byte(44)
                    if suppression.isSuppressed(m, bu: bu, day: d) { w.ascii(",1") } else {
                        // A day its feed delivered nothing for is missing: an empty value, not 0.
                        if let v = r.value(m, bu: bu, day: d) { SnapshotJSON.number(w, v) }
                        w.ascii(",0")
                    }
                    try? w.endLine()
                }
            }
        }
        try? w.flush()
        return out.bytes
    }
}
