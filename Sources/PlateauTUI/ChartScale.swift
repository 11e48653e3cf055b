import Foundation
import PlateauCore

/// The chart's y scale: round ticks (1, 2 or 5 × 10^k apart) from `lo` to `hi`, where `lo` is 0
/// (or, when some values are negative or `fromZero` is false, the last tick below the smallest
/// value) and `hi` is the first tick above the largest value, so the largest value always lies
/// in the top tick band.
struct ChartScale: Equatable {
    var lo: Double
    var hi: Double
    var step: Double
    /// Digits after the decimal point in the tick labels (0 for steps of 1 and more).
    var decimals: Int
    /// The step is `mantissa` × 10^`exponent`; `lo` and `hi` are `loSteps` and `hiSteps` steps.
    private var mantissa = 1, exponent = 0, loSteps = 0, hiSteps = 1

    /// `maxIntervals` bounds the number of tick intervals (the plot's rows decide it);
    /// `integral` keeps the step at 1 or more (counts have no fractional ticks).
    init(min dataMin: Double, max dataMax: Double, maxIntervals: Int, integral: Bool, fromZero: Bool = true) {
        let zero = fromZero || !dataMin.isFinite || !dataMax.isFinite || !(dataMax > dataMin)
        let top = dataMax.isFinite ? (zero ? Swift.max(dataMax, 0) : dataMax) : 0
        let bottom = dataMin.isFinite ? (zero ? Swift.min(dataMin, 0) : Swift.min(dataMin, top)) : 0
        let n = Swift.max(1, maxIntervals)
        let span = top - bottom
        // Start below the answer and climb the 1-2-5 ladder until the ticks fit. Nothing but
        // zeros (or nothing at all) keeps the default, 0 to 1.
        var e = span > 0 ? Int((log10(span / Double(n))).rounded(.down)) - 1 : 300
        if integral { e = Swift.max(0, e) }
        search: while e < 300 {
            for m in [1, 2, 5] {
                let step = ChartScale.value(1, m, e)
                let l = zero ? (bottom < 0 ? -Int(((-bottom / step) - 1e-9).rounded(.up)) : 0) : Int(((bottom / step) - 1e-9).rounded(.up)) - 1
                let h = Int(((top / step) + 1e-9).rounded(.down)) + 1
                if h - l <= n {
                    mantissa = m; exponent = e; loSteps = l; hiSteps = h
                    break search
                }
            }
            e += 1
        }
        step = ChartScale.value(1, mantissa, exponent)
        lo = ChartScale.value(loSteps, mantissa, exponent)
        hi = ChartScale.value(hiSteps, mantissa, exponent)
        decimals = Swift.max(0, -exponent)
    }

    /// k × m × 10^e, correctly rounded (0.3, not 0.30000000000000004).
    private static func value(_ k: Int, _ m: Int, _ e: Int) -> Double {
        e >= 0 ? Double(k * m) * pow(10, Double(e)) : Double(k * m) / pow(10, Double(-e))
    }

    /// The tick values from `lo` to `hi` inclusive, increasing.
    var ticks: [Double] { (loSteps...hiSteps).map { ChartScale.value($0, mantissa, exponent) } }

    /// A tick's label: `2,500`, `0.5`, `-1,000`.
    func label(_ v: Double) -> String { ChartFormat.number(v, decimals: decimals) }
}

/// Number and date formatting for chart labels.
enum ChartFormat {
    /// Thousands separators (the review's grouping) and `decimals` digits after the point.
    static func number(_ v: Double, decimals: Int) -> String {
        let scale = pow(10, Double(decimals))
        let r = (abs(v) * scale).rounded()
        let whole = Int(r / scale)
        let negative = v < 0 && r != 0
        var s = groupedDigits(whole)
        if decimals > 0 {
            let frac = Int(r - Double(whole) * scale)
            let digits = String(frac)
            s += "." + String(repeating: "0", count: decimals - digits.count) + digits
        }
        return (negative ? "-" : "") + s
    }

    /// A level as its reference line shows it: whole numbers from 100 up or when whole,
    /// else one decimal (`189`, `1,013`, `12.5`).
    static func level(_ v: Double) -> String {
        abs(v) >= 100 || v == v.rounded() ? number(v, decimals: 0) : number(v, decimals: 1)
    }

    /// `03-16` for 2020-03-16.
    static func monthDay(_ day: Int) -> String { String(CivilDate(daysSinceEpoch: day).iso.suffix(5)) }

    /// Text for ASCII mode: the dashboard's separators become ASCII, anything else `?`.
    static func ascii(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if u.isASCII { out.append(u); continue }
            switch u {
            case "·", "–", "—", "−": out.append("-")
            case "×": out.append("x")
            case "…": out.append("~")
            default: out.append("?")
            }
        }
        return String(out)
    }
}
