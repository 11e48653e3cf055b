/// The characters of each glyph mode. Braille packs 2 × 4 dots in a cell, block glyphs eighths
/// of a cell's height, ASCII halves (`.` then `#`); lines and axes use box drawing, or ASCII.
struct ChartGlyphs {
    let mode: GlyphMode

    /// Vertical steps in one cell.
    var levelsPerCell: Int { mode == .braille ? 4 : mode == .blocks ? 8 : 2 }
    /// Horizontal dots in one cell.
    var dotsPerCell: Int { mode == .braille ? 2 : 1 }

    /// The series glyph of one cell: `filled[s]` dots filled from the bottom in dot column `s`
    /// (`levelsPerCell` at most), `base` the cell's lowest level, `top[s]` the column's level
    /// and `weekend[s]` whether the column shows only days off: their area is drawn lighter
    /// (every other braille row, `:` instead of `#`) so weekends stand out without colour too.
    func series(filled: [Int], base: Int, top: [Int], weekend: [Bool]) -> Unicode.Scalar? {
        guard filled.contains(where: { $0 > 0 }) else { return nil }
        switch mode {
        case .braille:
            let bits: [[UInt32]] = [[0x40, 0x04, 0x02, 0x01], [0x80, 0x20, 0x10, 0x08]]
            var v: UInt32 = 0
            for s in filled.indices {
                for r in 0..<filled[s] {
                    let level = base + r
                    if !weekend[s] || level == top[s] - 1 || level % 2 == 0 { v |= bits[s][r] }
                }
            }
            return Unicode.Scalar(0x2800 + v)
        case .blocks:
            let k = filled[0]
            return k >= 8 ? "█" : ["▁", "▂", "▃", "▄", "▅", "▆", "▇"][k - 1]
        case .ascii:
            return filled[0] >= 2 ? (weekend[0] ? ":" : "#") : "."
        }
    }

    var yAxis: String { mode == .ascii ? "|" : "│" }
    var yTick: String { mode == .ascii ? "+" : "┤" }
    var origin: String { mode == .ascii ? "+" : "┼" }
    var xAxis: String { mode == .ascii ? "-" : "─" }
    var xAxisWeekend: String { mode == .ascii ? "." : "┈" }
    var xTick: String { mode == .ascii ? "+" : "┴" }

    var baseline: String { mode == .ascii ? "-" : "┈" }
    var plateau: String { mode == .ascii ? "~" : "╌" }
    var capacity: String { mode == .ascii ? "=" : "━" }
    var capacityRise: String { mode == .ascii ? "|" : "┃" }
    /// Corners of a capacity step, named by the arms they join.
    var capacityLeftUp: String { mode == .ascii ? "+" : "┛" }
    var capacityDownRight: String { mode == .ascii ? "+" : "┏" }
    var capacityLeftDown: String { mode == .ascii ? "+" : "┓" }
    var capacityUpRight: String { mode == .ascii ? "+" : "┗" }
    var onset: String { mode == .ascii ? "|" : "│" }
}

extension GlyphMode {
    /// The next mode for the dashboard's `g` key: braille → blocks → ASCII → braille.
    public var next: GlyphMode {
        let all = GlyphMode.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }
}
