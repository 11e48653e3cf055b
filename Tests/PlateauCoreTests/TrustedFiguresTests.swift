import Foundation
import Testing
@testable import PlateauCore

/// Issue 14: figures that do not depend on the privacy threshold, gaps that are not zeros,
/// rounding that agrees with itself, and sorting that does not leak withheld figures.
@Suite struct TrustedFiguresTests {
    static let monday = CivilDate(year: 2020, month: 3, day: 2).day
    static let names = ["ALL", "UNASSIGNED", "Big", "China", "Tiny"]
    static let big: UInt16 = 2, china: UInt16 = 3, tiny: UInt16 = 4

    /// `days[bu]` gives one value per day from `monday` (nil: no value that day), for `m`.
    func rollups(_ m: Metric, _ days: [UInt16: [Double?]]) -> Rollups {
        var r = Rollups(units: Self.names)
        for (bu, values) in days {
            for (i, v) in values.enumerated() { if let v { r.values[m, default: [:]][bu, default: [:]][Self.monday + i] = v } }
        }
        r.fillRange(present: [m])
        return r
    }

    func review(_ r: Rollups, minGroup: Int, week: Int = 1) -> Review {
        var o = SnapshotOptions()
        o.minGroup = minGroup
        o.week = ReviewWeek(containing: CivilDate(daysSinceEpoch: Self.monday + 7 * week))
        return Review(r, options: o)
    }

    func row(_ review: Review, _ m: Metric, _ bu: UInt16) -> Review.Row {
        review.rows.first { $0.metric == m && $0.bu == bu }!
    }

    /// Two weeks: China 9 a day, then 7, 9, 9, 8, 11; Tiny has 3 people on Tuesday, Wednesday and
    /// Friday of the second week, so China (the next smallest) is withheld with it those days.
    var chinaWeeks: Rollups {
        let weekend: [Double?] = [0, 0]
        let china: [Double?] = [9, 9, 9, 9, 9] + weekend + [7, 9, 9, 8, 11] + weekend
        let tiny: [Double?] = [0, 0, 0, 0, 0] + weekend + [0, 3, 3, 0, 3] + weekend
        let bigv: [Double?] = Array(repeating: 40, count: 14)
        let all = (0..<14).map { i in (china[i] ?? 0) + (tiny[i] ?? 0) + (bigv[i] ?? 0) as Double? }
        return rollups(.remoteUsers, [0: all, Self.big: bigv, Self.china: china, Self.tiny: tiny])
    }

    @Test func aWeeklyFigureDoesNotDependOnTheThreshold() {
        let r = chinaWeeks
        let five = review(r, minGroup: 5), one = review(r, minGroup: 1)
        // The complement really withholds China's Tuesday: the trend shows a gap there.
        #expect(five.suppression.isSuppressed(.remoteUsers, bu: Self.china, day: Self.monday + 8))
        let c5 = row(five, .remoteUsers, Self.china), c1 = row(one, .remoteUsers, Self.china)
        #expect(c5.week == .value(9) && c1.week == .value(9))
        #expect(c5.previousWeek == .value(9))
        #expect(c5.change == 0 && c1.change == 0)
        // Tiny's weekly median is 3 people: withheld at 5, shown at 1, and so is its change.
        let t5 = row(five, .remoteUsers, Self.tiny), t1 = row(one, .remoteUsers, Self.tiny)
        #expect(t5.week == .withheld && t1.week == .value(3))
        #expect(t5.change == nil)
    }

    @Test func aSmallWeeklyMedianIsWithheldAndSoIsItsChange() {
        let weekend: [Double?] = [0, 0]
        let small: [Double?] = [3, 3, 3, 3, 3] + weekend + [4, 4, 4, 4, 4] + weekend
        let r = rollups(.vpnUsers, [0: Array(repeating: 50, count: 14), Self.big: Array(repeating: 46, count: 14), Self.tiny: small])
        let t5 = row(review(r, minGroup: 5), .vpnUsers, Self.tiny)
        #expect(t5.week == .withheld && t5.previousWeek == .withheld && t5.change == nil)
        let t1 = row(review(r, minGroup: 1), .vpnUsers, Self.tiny)
        #expect(t1.week == .value(4) && t1.previousWeek == .value(3))
        #expect(abs(t1.change! - (4.0 / 3 - 1)) < 1e-12)
    }

    /// The VPN feed delivered nothing on Wednesday to Friday of the second week: those days are
    /// missing for every BU (nil, not 0), the week's median is over the days with data, and a
    /// BU without sessions on a day the feed delivered is a real 0.
    @Test func daysAFeedDeliveredNothingAreMissingNotZero() {
        let weekend: [Double?] = [2, 2]
        let all: [Double?] = [30, 30, 30, 30, 30] + weekend + [30, 30, nil, nil, nil] + weekend + [30]
        let big: [Double?] = [20, 20, 20, 20, 20] + weekend + [30, 30, nil, nil, nil] + weekend + [30]
        let china: [Double?] = [10, 10, 10, 10, 10] + weekend
        let r = rollups(.vpnUsers, [0: all, Self.big: big, Self.china: china])
        #expect(r.value(.vpnUsers, bu: Self.china, day: Self.monday + 7) == 0)  // the feed delivered: a real zero
        #expect(r.value(.vpnUsers, bu: Self.china, day: Self.monday + 14) == 0)
        for d in 9...11 {
            #expect(r.value(.vpnUsers, bu: 0, day: Self.monday + d) == nil)
            #expect(r.value(.vpnUsers, bu: Self.big, day: Self.monday + d) == nil)
            #expect(r.value(.vpnUsers, bu: Self.china, day: Self.monday + d) == nil)
        }
        #expect(r.gaps(.vpn) == [(Self.monday + 9)...(Self.monday + 11)])
        let rv = review(r, minGroup: 1)
        #expect(row(rv, .vpnUsers, 0).week == .value(30))
        #expect(row(rv, .vpnUsers, Self.china).week == .value(0))
        // The CSV leaves missing days empty and says they are not withheld.
        let csv = String(decoding: SnapshotCSV.render(r, minGroup: 1), as: UTF8.self)
        #expect(csv.contains("vpn.users,China,2020-03-11,,0\n"))
        #expect(csv.contains("vpn.users,China,2020-03-09,0,0\n"))
        let json = String(decoding: SnapshotJSON.render(r, inputs: [], options: SnapshotOptions()), as: UTF8.self)
        #expect(json.contains(#"{"feed":"vpn","first":"2020-03-02","last":"2020-03-16","missing_days":3,"gaps":[{"from":"2020-03-11","to":"2020-03-13"}]}"#))
        #expect(json.contains(#"{"date":"2020-03-11","value":null}"#))
    }

    /// A gap stays out of the analysis: a feed that stops for weeks is no collapse to 0.
    @Test func aLongGapIsNoCollapse() {
        var days: [Double?] = []
        for i in 0..<70 {
            let weekend = CivilDate(daysSinceEpoch: Self.monday + i).isWeekend
            days.append(i < 28 ? (weekend ? 5 : 100) : i < 56 ? (weekend ? 20 : 500) : nil)
        }
        days.append(500)  // one record long after the gap
        let r = rollups(.proxyRemoteUsers, [0: days])
        let a = row(review(r, minGroup: 1), .proxyRemoteUsers, 0).analysis
        #expect(a.plateau == 500 && a.baseline == 100 && a.end == nil)
    }

    /// remote.users is the union of its sources: on a day one of its main sources delivered
    /// nothing it is missing (the rest would read as a drop); a source that brings almost no
    /// one (VDI at 1 % of the union) does not blank it.
    @Test func theUnionIsMissingWhenAMainSourceIs() {
        var r = Rollups(units: Self.names)
        let first = Self.monday
        for i in 0..<14 {
            let proxy = i == 9 ? nil : 80.0
            let vpn = 20.0
            let vdi: Double? = i % 3 == 0 ? 1 : nil
            if let proxy { r.values[.proxyRemoteUsers, default: [:]][0, default: [:]][first + i] = proxy; r.values[.proxyUsers, default: [:]][0, default: [:]][first + i] = proxy * 2 }
            r.values[.vpnUsers, default: [:]][0, default: [:]][first + i] = vpn
            if let vdi { r.values[.vdiUsers, default: [:]][0, default: [:]][first + i] = vdi }
            r.values[.remoteUsers, default: [:]][0, default: [:]][first + i] = (proxy ?? 0) + vpn + (vdi ?? 0)
        }
        r.fillRange(present: [.proxyUsers, .proxyRemoteUsers, .vpnUsers, .vdiUsers, .remoteUsers])
        #expect(r.value(.remoteUsers, bu: 0, day: first + 9) == nil)
        #expect(r.value(.remoteUsers, bu: 0, day: first + 1) == 100)  // no VDI record that day: still known
        #expect(r.value(.vdiUsers, bu: 0, day: first + 1) == nil)
    }

    /// Ratios and changes come from the figures as shown: a baseline of 13.5 shows as 14, so
    /// the ratio to 50 is ×3.6 (not 50 / 13.5 = 3.7), and 50 after 48.5 (shown 49) is +2.0 %.
    @Test func ratiosAndChangesAreThoseOfTheShownFigures() {
        #expect(Figures.shown(13.5, .remoteUsers) == 14 && Figures.shown(41.25, .meetingsMedianMinutes) == 41.3)
        #expect(Figures.ratio(50, over: 13.5, .remoteUsers) == 50.0 / 14)
        #expect(Figures.change(from: 48.5, to: 50, .remoteUsers) == 50.0 / 49 - 1)
        #expect(Figures.text(69.5, .proxyUsers) == "70")

        // A BU at 13 and 14 people on alternate business days (median 13.5) for 14 of them, then 50.
        var days: [Double?] = []
        var business = 0
        for i in 0..<42 {
            let weekend = CivilDate(daysSinceEpoch: Self.monday + i).isWeekend
            days.append(weekend ? 0 : business < 14 ? (business % 2 == 0 ? 13 : 14) : 50)
            if !weekend { business += 1 }
        }
        let r = rollups(.remoteUsers, [0: days.map { $0.map { $0 + 200 } }, Self.china: days])
        let rv = review(r, minGroup: 5, week: 5)
        let china = row(rv, .remoteUsers, Self.china)
        #expect(china.analysis.baseline == 13.5)
        #expect(china.ratio == 50.0 / 14)
        var t = ReviewText()
        t.width = 120
        let text = t.render(rv, inputs: [])
        let line = text.split(separator: "\n").first { $0.hasPrefix("China") }!
        #expect(line.contains(" 14 ") && line.contains(" 50 ") && line.contains("×3.6"), "\(line)")
        let json = String(decoding: SnapshotJSON.render(r, inputs: [], options: rv.options), as: UTF8.self)
        #expect(json.contains(#""bu":"China","baseline":14,"plateau":50,"ratio":3.57,"#), "\(json.prefix(2000))")
    }

    /// A feed's freshness slot and its gaps speak of the same feed.
    @Test func feedSlotsAndFeedsAgree() {
        #expect(Feeds.builtIn[Feeds.meetings] == Feed.meetings.rawValue && Feeds.builtIn[Feeds.proxy] == Feed.proxy.rawValue)
        #expect(Feeds.builtIn[Feeds.privateAccess] == Feed.privateAccess.rawValue && Feeds.builtIn[Feeds.vpn] == Feed.vpn.rawValue)
        #expect(Feeds.builtIn[Feeds.vdi] == Feed.vdi.rawValue && Feeds.builtIn.count == Feed.allCases.count)
        for family in SessionFamily.allCases { #expect(Feeds.builtIn[Feeds.slot(family)] == family.users.feed?.rawValue) }
    }

    /// Sorting by ratio ranks withheld ratios last, whatever their hidden value. (By value a
    /// withheld figure is under the threshold, so it ranks low anyway: nothing to test there.)
    @Test func withheldFiguresSortLast() {
        var days: [UInt16: [Double?]] = [:]
        for (bu, base, lift) in [(Self.big, 40.0, 2.0), (Self.china, 10.0, 3.0), (Self.tiny, 2.0, 10.0)] {
            days[bu] = (0..<42).map { i in
                CivilDate(daysSinceEpoch: Self.monday + i).isWeekend ? 0 : (i < 21 ? base : base * lift) + Double(i % 2)
            }
        }
        days[0] = (0..<42).map { i in days.values.reduce(0.0) { $0 + ($1[i] ?? 0) } }
        let r = rollups(.remoteUsers, days)
        let rv = review(r, minGroup: 5, week: 5)
        #expect(row(rv, .remoteUsers, Self.tiny).baseline == .withheld)  // its ratio, ×10, is the highest
        do {
            let sort = ReviewText.Sort.ratio
            var t = ReviewText()
            t.metrics = [.remoteUsers]
            t.sort = sort
            t.width = 120
            let lines = t.render(rv, inputs: []).split(separator: "\n")
            let table = lines.drop { !$0.hasPrefix("Remote workers by business unit") }
            let order = table.compactMap { l in ["Big", "China", "Tiny"].first { l.hasPrefix($0) } }
            #expect(order.last == "Tiny", "\(sort): \(order)")
        }
    }
}
