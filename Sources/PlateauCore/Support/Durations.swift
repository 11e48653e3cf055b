/// Ages as rules write them and people read them: "15m", "2h", "1d", "1h30m" in; "14 min",
/// "3 h 12 min", "2,224 d" out.
public enum Durations {
    /// Seconds of "15m", "2h", "1d", "1w", "90s", "1h30m", "1.5h" (units s, m or min, h, d, w;
    /// spaces allowed between the parts); nil when it is not one.
    public static func parse(_ text: String) -> Int64? {
        let s = Array(text.lowercased().unicodeScalars.filter { $0 != " " })
        guard !s.isEmpty else { return nil }
        var i = 0
        var total = 0.0
        while i < s.count {
            var digits = ""
            while i < s.count, ("0"..."9").contains(s[i]) || s[i] == "." { digits.unicodeScalars.append(s[i]); i += 1 }
            var unit = ""
            while i < s.count, ("a"..."z").contains(s[i]) { unit.unicodeScalars.append(s[i]); i += 1 }
            guard let n = Double(digits), n.isFinite else { return nil }
            let scale: Double
            switch unit {
            case "s", "sec": scale = 1
            case "m", "min": scale = 60
            case "h": scale = 3600
            case "d": scale = 86_400
            case "w": scale = 7 * 86_400
            default: return nil
            }
            total += n * scale
        }
        guard total < 1e12 else { return nil }
        return Int64(total.rounded())
    }

    /// "45 s", "14 min", "3 h 12 min", "2 d 4 h", "2,224 d": two units at most, the larger
    /// one whole, rounded down.
    public static func format(_ seconds: Int64) -> String {
        let s = max(0, seconds)
        switch s {
        case ..<60: return "\(s) s"
        case ..<3600: return "\(s / 60) min"
        case ..<86_400:
            let m = (s % 3600) / 60
            return "\(s / 3600) h" + (m > 0 ? " \(m) min" : "")
        case ..<(10 * 86_400):
            let h = (s % 86_400) / 3600
            return "\(s / 86_400) d" + (h > 0 ? " \(h) h" : "")
        default: return "\(groupedDigits(Int(s / 86_400))) d"
        }
    }

    /// The short form of the dashboard's header: "45 s", "14 min", "3 h", "2,224 d".
    public static func short(_ seconds: Int64) -> String {
        let s = max(0, seconds)
        switch s {
        case ..<60: return "\(s) s"
        case ..<3600: return "\(s / 60) min"
        case ..<172_800: return "\(s / 3600) h"
        default: return "\(groupedDigits(Int(s / 86_400))) d"
        }
    }
}
