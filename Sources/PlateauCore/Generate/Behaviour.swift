/// The scenario applied to people: who does what on which day, and when they work.
/// Every answer is a pure function of (seed, person, day), shared by all feeds so that, for
/// instance, the meeting users of the call records and of the usage reports are the same.
struct Behaviour {
    let population: Population
    let scenario: Scenario
    let draws: Draws
    let zones: [ZoneOffsets]
    let paris: ZoneOffsets

    init(population: Population, from: CivilDate, to: CivilDate) {
        self.population = population
        scenario = Scenario(units: population.units)
        draws = population.draws
        zones = population.units.map { ZoneOffsets($0.timeZone, from: from, to: to) }
        paris = ZoneOffsets("Europe/Paris", from: from, to: to)
    }

    enum ProxyState { case none, office, remote }

    @inline(__always)
    func proxyState(_ p: Int, _ day: CivilDate, shift f: Double, activity a: Double) -> ProxyState {
        let u = draws.unit(.proxyState, p, day.day)
        let remote = Scenario.proxyRemote.at(f) * a
        if u < remote { return .remote }
        return u < remote + Scenario.proxyOffice.at(f) * a ? .office : .none
    }

    @inline(__always)
    func usesPrivateAccess(_ p: Int, _ day: CivilDate, shift f: Double, activity a: Double) -> Bool {
        draws.unit(.privateAccess, p, day.day) < Scenario.privateAccess.at(f) * a
    }

    @inline(__always)
    func usesVDI(_ p: Int, _ day: CivilDate, shift f: Double, activity a: Double) -> Bool {
        draws.unit(.vdi, p, day.day) < Scenario.vdi.at(f) * a
    }

    @inline(__always)
    func wantsVPN(_ p: Int, _ bu: Int, _ day: CivilDate) -> Bool {
        draws.unit(.vpn, p, day.day) < scenario.vpnDemand(bu, day)
    }

    @inline(__always)
    func inMeetings(_ p: Int, _ day: CivilDate, shift f: Double, activity a: Double) -> Bool {
        draws.unit(.meetingUser, p, day.day) < Scenario.meetingUsers.at(f) * a
    }

    /// The person's working hours that day, in seconds after local midnight: a habitual start
    /// between 07:30 and 10:00, ±30 min from day to day, for 7–9 hours.
    @inline(__always)
    func workWindow(_ p: Int, _ day: CivilDate) -> (start: Int, end: Int) {
        let habitual = 27_000 + Int(draws.unit(.workStart, p) * 9_000)
        let start = habitual + Int((draws.unit(.workStart, p, day.day) - 0.5) * 3_600)
        let length = 25_200 + Int(draws.unit(.workLength, p, day.day) * 7_200)
        return (start, start + length)
    }

    /// About 0.4 % of people are missing from the directory export.
    func inDirectory(_ p: Int) -> Bool { draws.unit(.directory, p) >= 0.004 }
}

extension Draws.Stream {
    static let proxyState = Self("proxy-state")
    static let privateAccess = Self("private-access")
    static let vdi = Self("vdi")
    static let vpn = Self("vpn")
    static let meetingUser = Self("meeting-user")
    static let workStart = Self("work-start")
    static let workLength = Self("work-length")
    static let directory = Self("directory")
    static let mixedCase = Self("mixed-case")
}
