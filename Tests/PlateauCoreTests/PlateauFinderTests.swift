import Foundation
import Testing
@testable import PlateauCore

/// The plateau analysis on synthetic series with known answers (business days only count).
@Suite struct PlateauFinderTests {
    let monday = CivilDate(year: 2020, month: 1, day: 6)
    let weekdays: Set<Int> = [1, 2, 3, 4, 5]

    /// `f(i)` for the i-th business day from 2020-01-06, over `n` business days (weekends 0).
    func series(_ n: Int, noise: Double = 0, seed: UInt64 = 1, _ f: (Int) -> Double) -> [(day: Int, value: Double?)] {
        var rng = SplitMix64(seed: seed)
        var out: [(day: Int, value: Double?)] = []
        var d = monday, i = 0
        while i < n {
            if d.isWeekend { out.append((d.day, 0)) } else {
                out.append((d.day, max(0, (f(i) * (1 + noise * rng.normal())).rounded())))
                i += 1
            }
            d = d.adding(days: 1)
        }
        return out
    }
    func businessDay(_ i: Int) -> Int {
        var d = monday, k = 0
        while true { if !d.isWeekend { if k == i { return d.day }; k += 1 }; d = d.adding(days: 1) }
    }

    @Test func aCleanStepUpAndDown() {
        let up = PlateauFinder.analyse(series(60) { $0 < 30 ? 8000 : 40000 }, businessDays: weekdays)
        #expect(up.verdict == .change && up.baseline == 8000 && up.plateau == 40000 && up.ratio == 5)
        #expect(up.onset == businessDay(30) && up.rampDays == 0 && up.end == nil)
        let down = PlateauFinder.analyse(series(60) { $0 < 40 ? 9000 : 4500 }, businessDays: weekdays)
        #expect(down.ratio == 0.5 && down.onset == businessDay(40))
    }

    @Test func aSlowRampWithNoise() {
        // 7,500 → 40,000 over 10 business days, 5 % noise.
        let a = PlateauFinder.analyse(series(80, noise: 0.05) { i in
            i < 40 ? 7500 : i >= 50 ? 40000 : 7500 + Double(i - 39) * 3250
        }, businessDays: weekdays)
        #expect(a.verdict == .change)
        #expect(abs(a.ratio! / 5.33 - 1) < 0.1)
        let onset = a.onset!
        #expect(onset >= businessDay(38) && onset <= businessDay(42), "onset \(CivilDate(daysSinceEpoch: onset))")
        #expect(a.rampDays! >= 7 && a.rampDays! <= 16)
    }

    @Test func aSmallShiftIsFoundOnLogs() {
        let a = PlateauFinder.analyse(series(60, noise: 0.02) { $0 < 30 ? 13000 : 19000 }, businessDays: weekdays)
        #expect(a.verdict == .change && abs(a.ratio! / 1.46 - 1) < 0.05)
    }

    @Test func noiseAloneIsNoChange() {
        for seed in UInt64(1)...5 {
            let a = PlateauFinder.analyse(series(80, noise: 0.05, seed: seed) { _ in 5000 }, businessDays: weekdays)
            #expect(a.verdict == .noChange && a.onset == nil && a.plateau == nil, "seed \(seed)")
            #expect(abs(a.baseline! / 5000 - 1) < 0.03)
        }
    }

    @Test func singleDayOutliersNeitherMoveLevelsNorMakeRegimes() {
        let a = PlateauFinder.analyse(series(60, noise: 0.03) { i in
            i == 12 ? 500 : i == 47 ? 60000 : i < 30 ? 8000 : 40000   // an outage, then a live event
        }, businessDays: weekdays)
        #expect(a.onset == businessDay(30))
        #expect(abs(a.baseline! / 8000 - 1) < 0.03 && abs(a.plateau! / 40000 - 1) < 0.03)
    }

    @Test func aReturnToBaselineHasAnEnd() {
        let a = PlateauFinder.analyse(series(70) { i in i < 20 ? 10 : i < 45 ? 60 : 10 }, businessDays: weekdays)
        #expect(a.onset == businessDay(20) && a.end == businessDay(45) && a.plateau == 60)
    }

    @Test func tooShortConstantAndZeroSeries() {
        #expect(PlateauFinder.analyse(series(6) { $0 < 3 ? 1 : 100 }, businessDays: weekdays).verdict == .tooShort)
        let flat = PlateauFinder.analyse(series(40) { _ in 1234 }, businessDays: weekdays)
        #expect(flat.verdict == .noChange && flat.baseline == 1234)
        let zero = PlateauFinder.analyse(series(40) { _ in 0 }, businessDays: weekdays)
        #expect(zero.verdict == .noChange && zero.baseline == 0 && zero.ratio == nil)
    }

    @Test func weekendsAreLeftOut() {
        // Quiet weekends (0) would look like a collapse every week if they were analysed.
        let a = PlateauFinder.analyse(series(40) { _ in 900 }, businessDays: weekdays)
        #expect(a.verdict == .noChange && a.baseline == 900)
    }

    @Test func configWindowsOverrideDetection() {
        // A gentle drift detection would not call a change; the config says where the regimes are.
        let s = series(60) { i in i < 20 ? 100 : i < 40 ? 100 + Double(i - 19) * 2 : 140 }
        let w = AnalysisWindows(baseline: businessDay(0)...businessDay(19), crisis: businessDay(45)...businessDay(59))
        let a = PlateauFinder.analyse(s, businessDays: weekdays, windows: w)
        #expect(a.verdict == .change && a.baseline == 100 && a.plateau == 140 && a.ratio == 1.4)
        #expect(a.onset == businessDay(24))  // 110: a quarter of the way to 140
        #expect(a.onset.map { o in businessDay(37) - o } == a.rampDays)  // 136: 90 % of the way
    }
}

/// A series read across a long silence (issue: a record of today after the 2020 sample).
@Suite struct PlateauEpisodeTests {
    let weekdays: Set<Int> = [1, 2, 3, 4, 5]

    /// 60 business days from 2020-01-06, 8,000 then 40,000 with a little noise, weekends out.
    func crisis() -> [(day: Int, value: Double?)] {
        var out: [(day: Int, value: Double?)] = []
        var d = CivilDate(year: 2020, month: 1, day: 6), i = 0
        var rng = SplitMix64(seed: 3)
        while i < 60 {
            if !d.isWeekend {
                out.append((d.day, ((i < 30 ? 8000 : 40000) * (1 + 0.03 * rng.normal())).rounded()))
                i += 1
            }
            d = d.adding(days: 1)
        }
        return out
    }

    /// A few days of small counts years later, on each weekday in turn: the 2020 analysis stands.
    @Test func aFewDaysAfterALongSilenceDoNotMoveThePlateau() {
        let before = PlateauFinder.analyse(crisis(), businessDays: weekdays)
        #expect(before.verdict == .change && before.plateau != nil)
        for start in 0..<7 {
            for length in [1, 3, 9] {
                var s = crisis()
                let first = CivilDate(year: 2026, month: 12, day: 1).day + start
                for k in 0..<length { s.append((first + k, 1)) }
                let after = PlateauFinder.analyse(s, businessDays: weekdays)
                #expect(after == before, "\(length) day(s) from \(CivilDate(daysSinceEpoch: first).iso)")
            }
        }
    }

    /// Two long observation periods: the last one is the one analysed.
    @Test func theLastLongPeriodIsAnalysed() {
        var s = crisis()
        let later = CivilDate(year: 2021, month: 3, day: 1).day
        var d = later, i = 0
        while i < 40 {
            if !CivilDate(daysSinceEpoch: d).isWeekend { s.append((d, i < 20 ? 900 : 3000)); i += 1 }
            d += 1
        }
        let a = PlateauFinder.analyse(s, businessDays: weekdays)
        #expect(a.verdict == .change && a.baseline == 900 && a.plateau == 3000)
        #expect(a.onset! > later)
        // The days of the gap are missing (nil), not zeros: the same.
        var withNils = s
        for day in (crisis().last!.day + 1)..<later { withNils.append((day, nil)) }
        withNils.sort { $0.day < $1.day }
        #expect(PlateauFinder.analyse(withNils, businessDays: weekdays) == a)
    }

    /// A gap shorter than `episodeGap` (a holiday fortnight with no values) is read across.
    @Test func aShortGapIsReadAcross() {
        let s = crisis()
        var cut = s
        cut.removeSubrange(40..<48)   // ten calendar days missing inside the plateau
        let a = PlateauFinder.analyse(cut, businessDays: weekdays)
        #expect(a.verdict == .change && a.onset == PlateauFinder.analyse(s, businessDays: weekdays).onset)
    }
}
