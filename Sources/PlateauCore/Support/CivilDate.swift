/// A calendar date without a time zone, stored as days since 1970-01-01 (proleptic Gregorian).
/// Arithmetic and formatting are integer-only (H. Hinnant's civil-date algorithms): no
/// Foundation calendar on hot paths.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var day: Int

    public init(daysSinceEpoch: Int) { day = daysSinceEpoch }

    public init(year: Int, month: Int, day d: Int) {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        day = era * 146_097 + doe - 719_468
    }

    /// Parses `YYYY-MM-DD`; nil when malformed or impossible (2020-02-30).
    public init?(iso text: some StringProtocol) {
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return nil }
        func num(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r { let c = b[i]; guard c >= 48, c <= 57 else { return nil }; v = v * 10 + Int(c - 48) }
            return v
        }
        guard let y = num(0..<4), let m = num(5..<7), let d = num(8..<10),
              (1...12).contains(m), d >= 1, d <= CivilDate.daysIn(month: m, year: y) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public var components: (year: Int, month: Int, day: Int) {
        let z = day + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public var isoWeekday: Int { let w = (day + 3) % 7; return (w < 0 ? w + 7 : w) + 1 }
    public var isWeekend: Bool { isoWeekday >= 6 }

    public func adding(days n: Int) -> CivilDate { CivilDate(daysSinceEpoch: day + n) }
    public static func - (a: CivilDate, b: CivilDate) -> Int { a.day - b.day }
    public static func < (a: CivilDate, b: CivilDate) -> Bool { a.day < b.day }

    /// Seconds since the epoch of this date's midnight UTC.
    public var epochSecondsUTC: Int64 { Int64(day) * 86_400 }

    public var iso: String {
        let (y, m, d) = components
        return "\(y)-\(m < 10 ? "0" : "")\(m)-\(d < 10 ? "0" : "")\(d)"
    }
    public var description: String { iso }

    /// ISO-8601 week: the (week-year, week number) this date belongs to.
    public var isoWeek: (year: Int, week: Int) {
        let thursday = adding(days: 4 - isoWeekday)
        let y = thursday.components.year
        let week = (thursday.day - CivilDate(year: y, month: 1, day: 1).day) / 7 + 1
        return (y, week)
    }
}

public let monthAbbreviations = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
public let weekdayAbbreviations = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
