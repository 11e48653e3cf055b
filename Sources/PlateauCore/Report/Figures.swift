import Foundation

/// How every figure plateau prints is rounded, and how ratios and changes are made from them
/// — one rule for the review, the dashboard and the alerts: a figure is shown at its metric's
/// precision (people, meetings and sessions as whole numbers, median minutes to a tenth), and
/// ratios, changes and percentages are computed from the figures *as shown*, so that `14 50
/// ×3.6` and `49 50 +2.0%` agree with what a reader can check by hand.
public enum Figures {
    /// `v` at the precision `m` is shown with (halves away from zero, as `%.0f` would not).
    @inline(__always)
    public static func shown(_ v: Double, _ m: Metric) -> Double {
        m.fractional ? (v * 10).rounded() / 10 : v.rounded()
    }

    /// The ratio of two figures as shown; nil when the divisor shows as 0.
    public static func ratio(_ numerator: Double, over denominator: Double, _ m: Metric) -> Double? {
        let d = shown(denominator, m)
        guard d > 0 else { return nil }
        return shown(numerator, m) / d
    }

    /// The relative change from `before` to `after` as shown (0.031 for +3.1 %); nil when
    /// `before` shows as 0.
    public static func change(from before: Double, to after: Double, _ m: Metric) -> Double? {
        ratio(after, over: before, m).map { $0 - 1 }
    }

    /// `1,234` for counts, `41.3` for minutes.
    public static func text(_ v: Double, _ m: Metric) -> String {
        let s = shown(v, m)
        return m.fractional ? String(format: "%.1f", s) : groupedDigits(Int(s))
    }
}

/// A figure of a report: a value, withheld (it would reveal a group under `--min-group`
/// people: `<5`), or missing (no data behind it: `–`).
public enum Figure: Sendable, Equatable {
    case value(Double)
    case withheld
    case missing

    public var value: Double? {
        if case .value(let v) = self { return v }
        return nil
    }
}

extension Metric {
    /// Figures with a fractional part worth showing (a median length in minutes).
    public var fractional: Bool { self == .meetingsMedianMinutes }
}
