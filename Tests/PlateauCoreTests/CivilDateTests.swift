import Foundation
import Testing
@testable import PlateauCore

struct CivilDateTests {
    @Test func roundTripsAgainstFoundationFrom1583To2517() {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        // Foundation's Gregorian calendar is Julian before October 1582.
        for day in stride(from: -140_000, through: 200_000, by: 997) {
            let d = CivilDate(daysSinceEpoch: day)
            let c = cal.dateComponents([.year, .month, .day, .weekday], from: Date(timeIntervalSince1970: Double(day) * 86_400))
            let (y, m, dd) = d.components
            #expect(y == c.year && m == c.month && dd == c.day)
            #expect(CivilDate(year: y, month: m, day: dd) == d)
            #expect(d.isoWeekday == (c.weekday! + 5) % 7 + 1)
        }
    }

    @Test func parsesOnlyRealDates() {
        #expect(CivilDate(iso: "2020-02-29")?.iso == "2020-02-29")
        #expect(CivilDate(iso: "2019-02-29") == nil)
        #expect(CivilDate(iso: "2020-02-30") == nil)
        #expect(CivilDate(iso: "2020-13-01") == nil)
        #expect(CivilDate(iso: "2020-3-01") == nil)
        #expect(CivilDate(iso: "2020-03-0x") == nil)
    }

    @Test func isoWeeksAtYearBoundaries() {
        #expect(CivilDate(iso: "2020-03-23")!.isoWeek == (2020, 13))
        #expect(CivilDate(iso: "2019-12-30")!.isoWeek == (2020, 1))
        #expect(CivilDate(iso: "2021-01-03")!.isoWeek == (2020, 53))
        #expect(CivilDate(iso: "2020-03-23")!.isoWeekday == 1)
        #expect(CivilDate(iso: "2020-03-22")!.isWeekend)
    }

    @Test func wallClockSplitsNegativeInstants() {
        let w = WallClock(epochSeconds: -1)
        #expect(w.date.iso == "1969-12-31" && w.hour == 23 && w.minute == 59 && w.second == 59)
    }
}
