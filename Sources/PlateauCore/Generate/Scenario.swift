/// How the fictional group behaves day by day: the levels before and during the crisis for
/// each service, each BU's ramp after its onset, quiet weekends and holidays, and the events
/// planted for the alerts to find. Rates are per employee and business day, so the whole
/// group reproduces the CTO's figures at `--scale 1` (160,000 people).
public struct Scenario: Sendable {
    /// A level before the crisis and on its plateau, per employee and business day.
    public struct Level: Sendable {
        public let before: Double, during: Double
        @inline(__always) public func at(_ f: Double) -> Double { before + (during - before) * f }
    }

    // CTO figures / 160,000 employees, calibrated so that the figures counted per Paris day
    // (where the Americas' evenings and Asia's mornings spill over) match them
    // (Tests/figures/check_figures.py at --scale 1).
    public static let meetingUsers = Level(before: 7_050.0 / 160_000, during: 41_000.0 / 160_000)
    public static let meetings = Level(before: 4_250.0 / 160_000, during: 25_500.0 / 160_000)
    public static let proxyRemote = Level(before: 8_300.0 / 160_000, during: 61_000.0 / 160_000)
    public static let proxyOffice = Level(before: 0.58, during: 0.05)
    public static let privateAccess = Level(before: 12_300.0 / 160_000, during: 18_200.0 / 160_000)
    /// VPN demand: with ~85 % of a day's users connected at the busiest instant, these give
    /// peaks of about 1,700 before and 8,500 during (68 % and 85 % of the licences).
    public static let vpn = Level(before: 1_950.0 / 160_000, during: 10_000.0 / 160_000)
    /// The week before most lockdowns, people tried working from home: demand beyond the
    /// 2,500 licences of the time, so the VPN saturates.
    public static let vpnRehearsal = 3_600.0 / 160_000
    public static let vdi = Level(before: 35.0 / 160_000, during: 1_440.0 / 160_000)
    /// Median meeting length in minutes: meetings got about a third shorter.
    public static let meetingMinutes = Level(before: 60, during: 40)

    /// Activity on weekends and public holidays, relative to a business day.
    public static let quietDayFactor = 0.06

    /// Share of each day's change reached 0, 1, 2, … days after the onset.
    public static let ramp: [Double] = [0.35, 0.6, 0.8, 0.92]
    /// Share of the change left 0, 1, 2, … days after a return to the office.
    public static let rampDown: [Double] = [0.6, 0.35, 0.15, 0.05]

    public static let vpnLicences: [(from: CivilDate, licences: Int)] = [
        (CivilDate(year: 2000, month: 1, day: 1), 2_500),
        (CivilDate(year: 2020, month: 3, day: 16), 10_000),
    ]
    public static let vpnRehearsalWeek = CivilDate(year: 2020, month: 3, day: 9)..<CivilDate(year: 2020, month: 3, day: 16)

    // Planted events (SampleLogs/README.md lists them).
    public static let meetingOutage = (bu: "UK & Ireland", day: CivilDate(year: 2020, month: 4, day: 2), keep: 0.08)
    public static let brokenProxyFeed = (bu: "Iberia", days: [CivilDate(year: 2020, month: 4, day: 15), CivilDate(year: 2020, month: 4, day: 16)])
    public static let townHall = (bu: "Corporate", day: CivilDate(year: 2020, month: 3, day: 19), size: 2_000)

    public let units: [BusinessUnitSpec]
    public init(units: [BusinessUnitSpec] = Organisation.units) { self.units = units }

    /// How far BU `bu` has moved from its baseline towards its crisis level on `day` (0…1).
    public func shift(_ bu: Int, _ day: CivilDate) -> Double {
        let u = units[bu]
        var f = 0.0
        let since = day - u.onset
        if since >= 0 { f = since < Self.ramp.count ? Self.ramp[since] : 1 }
        if let back = u.returnDay, day >= back {
            let after = day - back
            f *= after < Self.rampDown.count ? Self.rampDown[after] : 0
        }
        return f
    }

    /// 1 on a business day; `quietDayFactor` on a weekend or a public holiday of the BU.
    public func activity(_ bu: Int, _ day: CivilDate) -> Double {
        day.isWeekend || units[bu].holidays.contains(day) ? Self.quietDayFactor : 1
    }

    public func vpnDemand(_ bu: Int, _ day: CivilDate) -> Double {
        var p = Self.vpn.at(shift(bu, day))
        if Self.vpnRehearsalWeek.contains(day) { p = max(p, Self.vpnRehearsal) }
        return p * activity(bu, day)
    }

    public static func vpnLicences(on day: CivilDate) -> Int {
        vpnLicences.last { $0.from <= day }!.licences
    }
}
