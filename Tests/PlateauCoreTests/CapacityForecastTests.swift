import Foundation
import Testing
@testable import PlateauCore

/// The capacity forecast (issue 18): Theil–Sen over the last 10 business days of a peak series.
@Suite struct CapacityForecastTests {
    /// Business days (Mon–Fri) from Monday 2020-03-02, `n` of them.
    static func businessDays(_ n: Int) -> [Int] {
        var out: [Int] = []
        var d = CivilDate(year: 2020, month: 3, day: 2).day
        while out.count < n { if CivilDate(daysSinceEpoch: d).isoWeekday <= 5 { out.append(d) }; d += 1 }
        return out
    }

    @Test func aKnownSlopeGivesTheDayTheLineReachesTheCapacity() throws {
        let days = Self.businessDays(10)
        let points = days.enumerated().map { (day: $0.element, value: 100 + 5 * Double($0.offset)) }
        let f = try #require(CapacityForecast.make(points, capacity: 200))
        #expect(f.slope == 5 && f.level == 145 && f.day == days.last!)
        #expect(f.businessDays == 11)   // 145 + 11 × 5 = 200
        #expect(f.phrase == "saturates in 11 business days")
        // Only the last 10 business days count: a different past changes nothing.
        let longer = [(day: days[0] - 7, value: 900.0)] + points
        #expect(CapacityForecast.make(longer, capacity: 200) == f)
    }

    @Test func outliersDoNotMoveTheLine() throws {
        let days = Self.businessDays(10)
        var points = days.enumerated().map { (day: $0.element, value: 100 + 5 * Double($0.offset)) }
        points[3].value = 900    // one busy day
        points[6].value = 0      // one day a concentrator's log was cut
        let f = try #require(CapacityForecast.make(points, capacity: 200))
        #expect(abs(f.slope - 5) < 0.5)
        #expect((10...12).contains(f.businessDays ?? -1))
        // Least squares would be pulled far off by the same two days.
        let xs: [Double] = (0..<10).map(Double.init)
        let ys: [Double] = points.map(\.value)
        let mx: Double = xs.reduce(0, +) / 10, my: Double = ys.reduce(0, +) / 10
        var sxy = 0.0, sxx = 0.0
        for (x, y) in zip(xs, ys) { sxy += (x - mx) * (y - my); sxx += (x - mx) * (x - mx) }
        #expect(abs(sxy / sxx - 5) > 5)
    }

    @Test func aMissingDayKeepsItsPlaceOnTheLine() throws {
        let days = Self.businessDays(11)
        var points = days.enumerated().map { (day: $0.element, value: 10 + 2 * Double($0.offset)) }
        points.remove(at: 4)   // a Friday without logs: the next Monday is still x = 5
        let f = try #require(CapacityForecast.make(points, capacity: 40))
        #expect(f.slope == 2 && f.level == 30 && f.businessDays == 5)
    }

    @Test func flatFallingFullAndShortSeries() throws {
        let days = Self.businessDays(10)
        let flat = try #require(CapacityForecast.make(days.map { (day: $0, value: 50.0) }, capacity: 63))
        #expect(flat.businessDays == nil && flat.phrase == "not at this trend")
        let falling = try #require(CapacityForecast.make(days.enumerated().map { (day: $0.element, value: 60 - Double($0.offset)) }, capacity: 63))
        #expect(falling.businessDays == nil && falling.slope == -1)
        let full = try #require(CapacityForecast.make(days.map { (day: $0, value: 63.0) }, capacity: 63))
        #expect(full.businessDays == 0 && full.phrase == "at capacity now")
        #expect(CapacityForecast.make(Array(days.prefix(4)).map { (day: $0, value: 1.0) }, capacity: 63) == nil)
        #expect(CapacityForecast.make(days.map { (day: $0, value: 1.0) }, capacity: 0) == nil)
    }

    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("SampleLogs").path

    /// SampleLogs' VPN: a flat series under its 63 licences until the lockdown's step on 03-09
    /// (the trend gave no warning: the step came from outside it), at capacity the week after,
    /// and, against the 250 licences from 03-16, a ramp that the trend saw filling the pool.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: samples + "/plateau.toml")))
    func sampleLogsVPN() throws {
        let config = try PlateauConfig.load(path: Self.samples + "/plateau.toml")
        let zone = try #require(TimeZoneRules(identifier: "Europe/Paris"))
        let (_, r) = try ingest([Self.samples + "/vpn", Self.samples + "/directory"], settings: config.settings(timezone: zone))
        func forecast(through last: String, capacity: Double) throws -> CapacityForecast {
            let end = try #require(CivilDate(iso: last)).day
            let points = (r.firstDay!...end).filter { CivilDate(daysSinceEpoch: $0).isoWeekday <= 5 }
                .compactMap { d in r.value(.vpnPeakSessions, bu: BusinessUnits.all, day: d).map { (day: d, value: $0) } }
            return try #require(CapacityForecast.make(points, capacity: capacity))
        }
        let before = try forecast(through: "2020-03-06", capacity: 63)
        #expect(abs(before.slope) < 2, "\(before)")
        #expect((before.businessDays ?? .max) > 10, "\(before)")   // a `forecast` rule of 10 days stays quiet
        #expect(try forecast(through: "2020-03-13", capacity: 63).businessDays == 0)
        let ramp = try forecast(through: "2020-03-20", capacity: 250)
        #expect(ramp.slope > 5 && (1...10).contains(ramp.businessDays ?? -1), "\(ramp)")
    }
}
