/// When a licence pool fills at the present trend (issue 18): a robust line through the last
/// `window` business days of a peak series (Theil–Sen: the median of the slopes between every
/// pair of days, and the median intercept), extended to the capacity in force. One busy day or
/// one gap in the logs does not move it as a least-squares line would: up to 29 % of the points
/// can be outliers.
public struct CapacityForecast: Sendable, Equatable {
    /// Change per business day (from the robust line).
    public var slope: Double
    /// The line's value on the last day of the window.
    public var level: Double
    public var capacity: Double
    /// The last day of the window (days since 1970).
    public var day: Int
    /// Business days after `day` until the line reaches `capacity`: 0 when it already has; nil
    /// when it never will at this trend (flat or falling).
    public var businessDays: Int?

    /// Business days of the window (the issue's "last 10 business days").
    public static let window = 10
    /// Fewest business days with values that make a trend.
    public static let minimumPoints = 5

    /// `points`: business days only (of `businessDays`, ISO weekdays), oldest first, with values
    /// (missing days left out, not zeros); the window is the last `window` of them, placed by
    /// business day (a missing day keeps its place). Nil with fewer than `minimumPoints`.
    public static func make(_ points: [(day: Int, value: Double)], capacity: Double, businessDays: Set<Int> = [1, 2, 3, 4, 5],
                            window: Int = window) -> CapacityForecast? {
        let recent = Array(points.suffix(window))
        guard recent.count >= minimumPoints, capacity > 0 else { return nil }
        let xs = businessIndices(recent.map(\.day), businessDays: businessDays)
        let ys = recent.map(\.value)
        let (slope, intercept) = theilSen(xs, ys)
        let level = intercept + slope * xs.last!
        let days: Int?
        if level >= capacity { days = 0 } else if slope > 1e-9 { days = Int(((capacity - level) / slope).rounded(.up)) } else { days = nil }
        return CapacityForecast(slope: slope, level: level, capacity: capacity, day: recent.last!.day, businessDays: days)
    }

    /// "trend +0.5 a business day: saturates in 30 business days" (the review's Capacity lines
    /// and the dashboard's line under a chart say it alike).
    public var trendPhrase: String {
        let s = (slope * 10).rounded() / 10 + 0   // (+ 0: no "-0.0")
        return "trend \(s >= 0 ? "+" : "")\(s) a business day: \(phrase)"
    }

    /// "licences saturate in 4 business days", "at capacity", "not at this trend".
    public var phrase: String {
        guard let n = businessDays else { return "not at this trend" }
        if n == 0 { return "at capacity now" }
        return "saturates in \(n) business day\(n == 1 ? "" : "s")"
    }

    /// Theil–Sen estimator: the median of pairwise slopes, and the median of y − slope·x.
    public static func theilSen(_ xs: [Double], _ ys: [Double]) -> (slope: Double, intercept: Double) {
        precondition(xs.count == ys.count && !xs.isEmpty)
        var slopes: [Double] = []
        for i in xs.indices {
            for j in xs.indices where j > i && xs[j] != xs[i] { slopes.append((ys[j] - ys[i]) / (xs[j] - xs[i])) }
        }
        let slope = slopes.isEmpty ? 0 : RollupBuilder.median(slopes)
        let intercept = RollupBuilder.median(zip(xs, ys).map { $1 - slope * $0 })
        return (slope, intercept)
    }

    /// Each day's position among the business days from the first: a business day missing
    /// from the logs still passed, so it keeps its place on the line.
    static func businessIndices(_ days: [Int], businessDays: Set<Int>) -> [Double] {
        guard let first = days.first else { return [] }
        var out: [Double] = []
        var n = 0, d = first
        for day in days {
            while d < day { if businessDays.contains(CivilDate(daysSinceEpoch: d).isoWeekday) { n += 1 }; d += 1 }
            out.append(Double(n))
        }
        return out
    }
}
