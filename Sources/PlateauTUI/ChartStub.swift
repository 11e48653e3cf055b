// TEMPORARY: replaced by the chart branch's Chart.swift at merge.
import PlateauCore
public enum GlyphMode: String, CaseIterable, Sendable { case braille, blocks, ascii }
public struct ChartModel: Sendable {
    public var firstDay: Int
    public var values: [Double?]
    public var businessDays: Set<Int>
    public var baseline: Double?, plateau: Double?
    public var onsetDay: Int?
    public var capacity: [(from: Int, value: Double)]
    public var title: String
    public init(firstDay: Int, values: [Double?], businessDays: Set<Int>, baseline: Double?, plateau: Double?, onsetDay: Int?, capacity: [(from: Int, value: Double)], title: String) {
        self.firstDay = firstDay; self.values = values; self.businessDays = businessDays; self.baseline = baseline; self.plateau = plateau; self.onsetDay = onsetDay; self.capacity = capacity; self.title = title
    }
}
public enum Chart {
    public static func draw(_ m: ChartModel, into f: inout Frame, x: Int, y: Int, width: Int, height: Int, glyphs: GlyphMode) {
        f.put(m.title, x: x, y: y, maxWidth: width)
        f.put(Sparkline.render(m.values, width: width, ascii: glyphs == .ascii), x: x, y: y + height - 1, maxWidth: width)
    }
}
