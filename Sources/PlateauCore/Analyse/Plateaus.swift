import Foundation

/// Regimes fixed by the config (`[analysis] baseline` and `crisis`), as day ranges.
public struct AnalysisWindows: Sendable, Equatable {
    public var baseline: ClosedRange<Int>
    public var crisis: ClosedRange<Int>
    public init(baseline: ClosedRange<Int>, crisis: ClosedRange<Int>) { self.baseline = baseline; self.crisis = crisis }
}

/// What the analysis of one daily series found (DESIGN.md, "Plateau analysis").
public struct PlateauAnalysis: Sendable, Equatable {
    public enum Verdict: String, Sendable { case change, noChange = "no-change", tooShort = "too-short" }
    public var verdict: Verdict
    /// Median of the baseline regime (of the whole series when nothing changed).
    public var baseline: Double?
    /// Median of the crisis regime after the ramp.
    public var plateau: Double?
    public var ratio: Double?
    /// First day of the change.
    public var onset: Int?
    /// Calendar days from the onset to the first business day at ≥ 90 % of the way to the plateau.
    public var rampDays: Int?
    /// First day of a return towards the baseline after the plateau.
    public var end: Int?

    static let tooShort = PlateauAnalysis(verdict: .tooShort)
    init(verdict: Verdict, baseline: Double? = nil, plateau: Double? = nil, ratio: Double? = nil,
         onset: Int? = nil, rampDays: Int? = nil, end: Int? = nil) {
        self.verdict = verdict; self.baseline = baseline; self.plateau = plateau; self.ratio = ratio
        self.onset = onset; self.rampDays = rampDays; self.end = end
    }
}

/// Finds the baseline and crisis regimes of a daily series: binary segmentation on log values
/// (so ×5 and ×1.5 shifts weigh alike), on a running median of 5 business days (so a single
/// day's outage or live event neither moves a level nor makes a regime), with a penalised
/// cost — MBIC, 3·σ²·ln n, σ from the MAD of first differences — and segment medians.
public enum PlateauFinder {
    /// Fewer business days than this cannot be judged.
    public static let minimumDays = 10
    /// Shortest regime, in business days.
    public static let minimumSegment = 4
    /// Smallest level change reported (|ln ratio|): a change of less than 10 % is noise here.
    public static let minimumEffect = log(1.1)

    /// `days`: every day of the series with its value (nil: suppressed or missing);
    /// only `businessDays` (ISO weekdays) are analysed.
    public static func analyse(_ days: [(day: Int, value: Double?)], businessDays: Set<Int>,
                               windows: AnalysisWindows? = nil) -> PlateauAnalysis {
        let all = days.filter { d in
            d.value != nil && businessDays.contains(CivilDate(daysSinceEpoch: d.day).isoWeekday)
        }.map { (day: $0.day, value: max(0, $0.value!)) }
        if let windows { return fixed(all, windows) }
        let points = episode(all)
        guard points.count >= minimumDays else { return .tooShort }
        let values = points.map(\.value)
        let raw = values.map { log1p($0) }
        let y = runningMedian(raw, window: 5)
        // Small counts are noisier in log than their day-to-day differences show (runs of zeros):
        // a Poisson count of mean λ has a log-scale deviation of about √λ / (λ + 1).
        let lambda = max(median(values), 0.5)
        let sigma = max(noise(raw), lambda.squareRoot() / (lambda + 1))
        // A regime must differ from its neighbour by 10 %, and by more than the day-to-day
        // noise (small counts jump between 0 and 2 without anything happening).
        let effect = max(minimumEffect, sigma)
        let cuts = segment(y, sigma: sigma, effect: effect)
        // Segments and their medians, on the raw values.
        var bounds = [0] + cuts + [y.count]
        bounds = Array(Set(bounds)).sorted()
        var segs: [(from: Int, to: Int, level: Double)] = []
        for (a, b) in zip(bounds, bounds.dropFirst()) where b > a {
            segs.append((a, b, median(Array(values[a..<b]))))
        }
        // Merge neighbours whose levels differ by less than the minimum effect.
        var merged: [(from: Int, to: Int, level: Double)] = []
        for s in segs {
            if let last = merged.last, abs(log1p(s.level) - log1p(last.level)) < effect {
                merged[merged.count - 1] = (last.from, s.to, median(Array(values[last.from..<s.to])))
            } else {
                merged.append(s)
            }
        }
        guard merged.count > 1 else {
            return PlateauAnalysis(verdict: .noChange, baseline: merged[0].level)
        }
        // The crisis plateau: the regime farthest from the first one; it extends over the
        // regimes after it that stay near it.
        let first = log1p(merged[0].level)
        let distance = { (l: Double) in abs(log1p(l) - first) }
        // Weighted by the square root of its length, so a short run of empty days (holidays,
        // a feed gap) does not outweigh weeks of a new level.
        // Measured from the level of the first regime, taken over at least two weeks of
        // business days so that a short first regime that is a fluke does not decide.
        let reference = log1p(median(Array(values[0..<min(values.count, max(merged[0].to, 10))])))
        let weight = { (i: Int) -> Double in
            abs(log1p(merged[i].level) - reference) * Double(merged[i].to - merged[i].from).squareRoot()
        }
        let peak = (1..<merged.count).max { weight($0) < weight($1) }!
        var plateauEnd = merged[peak].to
        var k = peak + 1
        while k < merged.count, abs(log1p(merged[k].level) - log1p(merged[peak].level)) < 2 * minimumEffect {
            plateauEnd = merged[k].to; k += 1
        }
        let plateau = median(Array(values[merged[peak].from..<plateauEnd]))
        // The onset: the first regime a quarter of the way (in log) to the plateau; smaller
        // earlier moves belong to the baseline.
        let total = abs(log1p(plateau) - first)
        let up = plateau > merged[0].level
        let onsetSeg = (1...peak).first { i in
            distance(merged[i].level) >= 0.25 * total && (merged[i].level > merged[0].level) == up
        } ?? peak
        let onsetIndex = merged[onsetSeg].from
        let baseline = median(Array(values[0..<onsetIndex]))
        // The ramp: onset to the first day at 90 % of the way from baseline to plateau.
        var rampIndex = merged[peak].from
        for i in onsetIndex..<plateauEnd {
            let progress = (values[i] - baseline) / (plateau - baseline)
            if progress >= 0.9 { rampIndex = i; break }
        }
        // A return: some later regime is back within half the distance to the baseline; the
        // return begins with the first regime after the plateau.
        var end: Int?
        let half = 0.5 * abs(log1p(plateau) - log1p(baseline))
        if k < merged.count, merged[k...].contains(where: { abs(log1p($0.level) - log1p(baseline)) < half }) {
            end = points[merged[k].from].day
        }
        return PlateauAnalysis(verdict: .change, baseline: baseline, plateau: plateau,
                               ratio: baseline > 0 ? plateau / baseline : nil,
                               onset: points[onsetIndex].day, rampDays: points[rampIndex].day - points[onsetIndex].day, end: end)
    }

    /// The config fixes the regimes: levels are the medians of the business days in each
    /// window; the onset is the first day after the baseline window a quarter of the way to the
    /// plateau, the ramp ends at 90 %, and an end is the first of three days back under half way
    /// after the crisis window.
    static func fixed(_ points: [(day: Int, value: Double)], _ w: AnalysisWindows) -> PlateauAnalysis {
        let before = points.filter { w.baseline.contains($0.day) }.map(\.value)
        let during = points.filter { w.crisis.contains($0.day) }.map(\.value)
        guard !before.isEmpty, !during.isEmpty else { return .tooShort }
        let b = median(before), p = median(during)
        guard b != p else { return PlateauAnalysis(verdict: .noChange, baseline: b) }
        let progress = { (v: Double) in (v - b) / (p - b) }
        let after = points.filter { $0.day > w.baseline.upperBound }
        let onset = after.first { progress($0.value) >= 0.25 }?.day
        let full = after.first { progress($0.value) >= 0.9 }?.day
        var end: Int?
        let later = points.filter { $0.day > w.crisis.upperBound }
        if later.count >= 3 {
            for i in 0...(later.count - 3) where (i..<(i + 3)).allSatisfy({ progress(later[$0].value) < 0.5 }) {
                end = later[i].day; break
            }
        }
        return PlateauAnalysis(verdict: .change, baseline: b, plateau: p, ratio: b > 0 ? p / b : nil,
                               onset: onset, rampDays: onset.flatMap { o in full.map { $0 - o } }, end: end)
    }

    /// Change points (start indexes of new segments) by binary segmentation with an MBIC penalty.
    /// Longest run of days with no value that a series is read across: past it, the days
    /// before and after are two observation periods (a feed silent for months, then a few
    /// records of today), not one regime that changed.
    public static let episodeGap = 28

    /// The points to analyse: the last observation period (points no more than `episodeGap`
    /// days apart) long enough to analyse, else the first, else all of them. A few days of records after a long
    /// silence must not move the plateau found before it (it moved with the weekday they fell
    /// on: a business day's partial count joined the last regime).
    static func episode(_ points: [(day: Int, value: Double)]) -> [(day: Int, value: Double)] {
        var end = points.count
        var k = points.count - 1
        while k > 0 {
            if points[k].day - points[k - 1].day > episodeGap {
                if end - k >= minimumDays { return Array(points[k..<end]) }
                end = k
            }
            k -= 1
        }
        return end == points.count || end >= minimumDays ? Array(points[0..<end]) : points
    }

    static func segment(_ y: [Double], sigma: Double, effect: Double) -> [Int] {
        let n = y.count
        let penalty = 3 * sigma * sigma * log(Double(n))
        var prefix = [0.0], prefix2 = [0.0]
        for v in y { prefix.append(prefix.last! + v); prefix2.append(prefix2.last! + v * v) }
        func cost(_ a: Int, _ b: Int) -> Double {
            let m = Double(b - a)
            let s = prefix[b] - prefix[a]
            return (prefix2[b] - prefix2[a]) - s * s / m
        }
        var cuts: [Int] = []
        var stack = [(0, n)]
        while let (a, b) = stack.popLast() {
            guard b - a >= 2 * minimumSegment else { continue }
            let whole = cost(a, b)
            var best = -1, bestGain = 0.0
            for t in (a + minimumSegment)...(b - minimumSegment) {
                let gain = whole - cost(a, t) - cost(t, b)
                if gain > bestGain { bestGain = gain; best = t }
            }
            // A regime must also differ from its neighbour by the minimum effect.
            if best > 0, bestGain > penalty,
               abs(median(Array(y[a..<best])) - median(Array(y[best..<b]))) >= effect {
                cuts.append(best)
                stack.append((a, best)); stack.append((best, b))
            }
        }
        return cuts.sorted()
    }

    /// σ of day-to-day noise of the raw log values: 1.4826 · MAD of the first differences / √2,
    /// with a floor so a perfectly flat series does not make every wiggle a regime.
    static func noise(_ y: [Double]) -> Double {
        let d = zip(y.dropFirst(), y).map { $0 - $1 }
        guard !d.isEmpty else { return 0.05 }
        let m = median(d)
        let mad = median(d.map { abs($0 - m) })
        return max(1.4826 * mad / 2.0.squareRoot(), 0.02)
    }

    static func runningMedian(_ x: [Double], window: Int) -> [Double] {
        let h = window / 2
        return x.indices.map { i in median(Array(x[max(0, i - h)...min(x.count - 1, i + h)])) }
    }

    static func median(_ xs: [Double]) -> Double { RollupBuilder.median(xs) }
}
