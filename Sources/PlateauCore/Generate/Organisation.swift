import Foundation

/// Where a business unit's meeting data comes from in the fictional group.
public enum MeetingFeed: Sendable { case callRecords, activityReport }
/// Which NSS feed carries a business unit's proxy traffic.
public enum ProxyFeed: Sendable { case csv, json }

/// One regional business unit of the fictional group, at `--scale 1`.
public struct BusinessUnitSpec: Sendable {
    public let name: String
    public let country: String
    public let timeZone: String
    public let headcount: Int
    /// The first day of working from home (the country's lockdown).
    public let onset: CivilDate
    /// The day people went back to the office, when they did within the range (China).
    public let returnDay: CivilDate?
    public let offices: [String]
    public let meetingFeed: MeetingFeed
    public let proxyFeed: ProxyFeed
    /// Size of the recurring live events this BU organises during the crisis (0: none).
    public let liveEventSize: Int
    /// Public holidays that fall inside the default range (quiet days, like weekends).
    public let holidays: [CivilDate]
}

private func d(_ m: Int, _ day: Int) -> CivilDate { CivilDate(year: 2020, month: m, day: day) }

/// The fictional energy group: 160,000 employees in 24 regional business units,
/// France about 70,000 of them; each BU's onset is its country's lockdown day.
public enum Organisation {
    public static let name = "Aurore Energy Group"
    public static let domain = "aurore-energy.example"

    static let goodFriday = d(4, 10), easterMonday = d(4, 13), mayDay = d(5, 1)
    static let europe: [CivilDate] = [easterMonday, mayDay]

    public static let units: [BusinessUnitSpec] = [
        .init(name: "Corporate", country: "FR", timeZone: "Europe/Paris", headcount: 8_000, onset: d(3, 17), returnDay: nil,
              offices: ["Paris La Defense"], meetingFeed: .callRecords, proxyFeed: .csv, liveEventSize: 1_750, holidays: europe),
        .init(name: "France Networks", country: "FR", timeZone: "Europe/Paris", headcount: 25_000, onset: d(3, 17), returnDay: nil,
              offices: ["Lyon Part-Dieu", "Lille Euralille", "Marseille Joliette", "Nantes Ile de Nantes"], meetingFeed: .callRecords,
              proxyFeed: .csv, liveEventSize: 0, holidays: europe),
        .init(name: "France Renewables", country: "FR", timeZone: "Europe/Paris", headcount: 7_000, onset: d(3, 17), returnDay: nil,
              offices: ["Montpellier Odysseum"], meetingFeed: .callRecords, proxyFeed: .csv, liveEventSize: 0, holidays: europe),
        .init(name: "France B2B", country: "FR", timeZone: "Europe/Paris", headcount: 10_000, onset: d(3, 17), returnDay: nil,
              offices: ["Paris La Defense", "Bordeaux Euratlantique"], meetingFeed: .callRecords, proxyFeed: .csv, liveEventSize: 0, holidays: europe),
        .init(name: "France B2C", country: "FR", timeZone: "Europe/Paris", headcount: 14_000, onset: d(3, 17), returnDay: nil,
              offices: ["Saint-Denis Pleyel", "Toulouse Compans"], meetingFeed: .callRecords, proxyFeed: .csv, liveEventSize: 0, holidays: europe),
        .init(name: "Global Energy Management", country: "FR", timeZone: "Europe/Paris", headcount: 6_000, onset: d(3, 17), returnDay: nil,
              offices: ["Paris La Defense"], meetingFeed: .callRecords, proxyFeed: .csv, liveEventSize: 0, holidays: europe),
        .init(name: "Benelux", country: "BE", timeZone: "Europe/Brussels", headcount: 9_000, onset: d(3, 18), returnDay: nil,
              offices: ["Brussels North", "Amsterdam Zuidas"], meetingFeed: .callRecords, proxyFeed: .csv, liveEventSize: 0, holidays: europe),
        .init(name: "Generation Europe", country: "BE", timeZone: "Europe/Brussels", headcount: 6_000, onset: d(3, 18), returnDay: nil,
              offices: ["Brussels North"], meetingFeed: .callRecords, proxyFeed: .csv, liveEventSize: 0, holidays: europe),
        .init(name: "UK & Ireland", country: "GB", timeZone: "Europe/London", headcount: 8_000, onset: d(3, 23), returnDay: nil,
              offices: ["London Canary Wharf", "Dublin Docklands"], meetingFeed: .callRecords, proxyFeed: .csv, liveEventSize: 0,
              holidays: [goodFriday, easterMonday]),
        .init(name: "Germany", country: "DE", timeZone: "Europe/Berlin", headcount: 7_000, onset: d(3, 22), returnDay: nil,
              offices: ["Essen Rellinghaus", "Berlin Mitte"], meetingFeed: .callRecords, proxyFeed: .csv, liveEventSize: 0,
              holidays: [goodFriday, easterMonday, mayDay]),
        .init(name: "Italy", country: "IT", timeZone: "Europe/Rome", headcount: 9_000, onset: d(3, 10), returnDay: nil,
              offices: ["Milano Porta Nuova", "Roma EUR"], meetingFeed: .callRecords, proxyFeed: .csv, liveEventSize: 0, holidays: europe),
        .init(name: "Iberia", country: "ES", timeZone: "Europe/Madrid", headcount: 6_000, onset: d(3, 16), returnDay: nil,
              offices: ["Madrid Castellana", "Lisboa Parque das Nacoes"], meetingFeed: .callRecords, proxyFeed: .csv, liveEventSize: 0,
              holidays: [goodFriday, mayDay]),
        .init(name: "Romania", country: "RO", timeZone: "Europe/Bucharest", headcount: 4_000, onset: d(3, 25), returnDay: nil,
              offices: ["Bucuresti Pipera"], meetingFeed: .callRecords, proxyFeed: .csv, liveEventSize: 0, holidays: [d(4, 17), d(4, 20), mayDay]),
        .init(name: "North America", country: "US", timeZone: "America/New_York", headcount: 9_000, onset: d(3, 16), returnDay: nil,
              offices: ["Houston Energy Corridor", "Boston Seaport"], meetingFeed: .callRecords, proxyFeed: .json, liveEventSize: 1_000, holidays: []),
        .init(name: "Mexico", country: "MX", timeZone: "America/Mexico_City", headcount: 3_000, onset: d(3, 23), returnDay: nil,
              offices: ["Ciudad de Mexico Reforma"], meetingFeed: .callRecords, proxyFeed: .json, liveEventSize: 0, holidays: [d(4, 9), goodFriday, mayDay]),
        .init(name: "Brazil", country: "BR", timeZone: "America/Sao_Paulo", headcount: 6_000, onset: d(3, 24), returnDay: nil,
              offices: ["Sao Paulo Berrini", "Rio de Janeiro Centro"], meetingFeed: .callRecords, proxyFeed: .json, liveEventSize: 1_000,
              holidays: [goodFriday, d(4, 21), mayDay]),
        .init(name: "Chile", country: "CL", timeZone: "America/Santiago", headcount: 5_000, onset: d(3, 26), returnDay: nil,
              offices: ["Santiago Las Condes"], meetingFeed: .callRecords, proxyFeed: .json, liveEventSize: 1_000, holidays: [goodFriday, mayDay]),
        .init(name: "Peru", country: "PE", timeZone: "America/Lima", headcount: 2_000, onset: d(3, 16), returnDay: nil,
              offices: ["Lima San Isidro"], meetingFeed: .callRecords, proxyFeed: .json, liveEventSize: 0, holidays: [d(4, 9), goodFriday, mayDay]),
        .init(name: "Middle East", country: "AE", timeZone: "Asia/Dubai", headcount: 3_000, onset: d(3, 26), returnDay: nil,
              offices: ["Dubai DIFC", "Riyadh King Abdullah"], meetingFeed: .callRecords, proxyFeed: .csv, liveEventSize: 0, holidays: []),
        .init(name: "Africa", country: "ZA", timeZone: "Africa/Johannesburg", headcount: 3_000, onset: d(3, 27), returnDay: nil,
              offices: ["Johannesburg Sandton", "Casablanca Anfa"], meetingFeed: .activityReport, proxyFeed: .csv, liveEventSize: 0,
              holidays: [goodFriday, easterMonday, d(4, 27), mayDay]),
        .init(name: "India", country: "IN", timeZone: "Asia/Kolkata", headcount: 4_000, onset: d(3, 25), returnDay: nil,
              offices: ["Mumbai Bandra Kurla", "Pune Hinjawadi"], meetingFeed: .callRecords, proxyFeed: .csv, liveEventSize: 0, holidays: [goodFriday]),
        .init(name: "China", country: "CN", timeZone: "Asia/Shanghai", headcount: 3_000, onset: d(2, 3), returnDay: d(3, 16),
              offices: ["Beijing Chaoyang", "Shanghai Pudong"], meetingFeed: .callRecords, proxyFeed: .csv, liveEventSize: 0, holidays: [d(4, 6), mayDay]),
        .init(name: "Singapore", country: "SG", timeZone: "Asia/Singapore", headcount: 1_500, onset: d(4, 7), returnDay: nil,
              offices: ["Singapore Marina Bay"], meetingFeed: .callRecords, proxyFeed: .csv, liveEventSize: 0, holidays: [goodFriday, mayDay]),
        .init(name: "Australia", country: "AU", timeZone: "Australia/Sydney", headcount: 1_500, onset: d(3, 23), returnDay: nil,
              offices: ["Sydney Barangaroo"], meetingFeed: .callRecords, proxyFeed: .csv, liveEventSize: 0, holidays: [goodFriday, easterMonday]),
    ]

    public static var totalHeadcount: Int { units.reduce(0) { $0 + $1.headcount } }
}

/// The people of the group at a given scale: person `i` belongs to the BU whose range holds `i`.
/// Identities (GUID, UPN, account name) are pure functions of (seed, i): nothing is stored.
public struct Population: Sendable {
    public let draws: Draws
    public let units: [BusinessUnitSpec]
    /// `firstPerson[b]..<firstPerson[b+1]` are the people of BU `b`.
    public let firstPerson: [Int]
    public var count: Int { firstPerson[units.count] }

    public init(scale: Double, seed: UInt64, units: [BusinessUnitSpec] = Organisation.units) {
        self.draws = Draws(seed: seed)
        self.units = units
        var starts = [0]
        for u in units { starts.append(starts.last! + max(1, Int((Double(u.headcount) * scale).rounded()))) }
        firstPerson = starts
    }

    public func people(of bu: Int) -> Range<Int> { firstPerson[bu]..<firstPerson[bu + 1] }

    public func unit(of person: Int) -> Int {
        var lo = 0, hi = units.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if firstPerson[mid] <= person { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// The Entra object id: a version-4-shaped GUID derived from the person.
    public func guid(_ p: Int, into w: ByteWriter) {
        let a = draws.bits(.guid, p), b = draws.bits(.guid, p, 1)
        w.hex(a >> 32, digits: 8); w.byte(45)
        w.hex(a >> 16, digits: 4); w.byte(45)
        w.byte(UInt8(ascii: "4")); w.hex(a, digits: 3); w.byte(45)
        w.hex(0x8 | ((b >> 62) & 0x3), digits: 1); w.hex(b >> 48, digits: 3); w.byte(45)
        w.hex(b, digits: 12)
    }

    public func guid(_ p: Int) -> String {
        let m = MemoryOutput(), w = ByteWriter(m)
        guid(p, into: w)
        try? w.flush()
        return String(decoding: m.bytes, as: UTF8.self)
    }

    /// The account name (UPN local part): `first.last`, with a number when the pair repeats.
    public func account(_ p: Int) -> String {
        let m = MemoryOutput(), w = ByteWriter(m)
        writeAccount(p, w)
        try? w.flush()
        return String(decoding: m.bytes, as: UTF8.self)
    }

    public func upn(_ p: Int) -> String { "\(account(p))@\(Organisation.domain)" }

    public func displayName(_ p: Int) -> String {
        let parts = account(p).split(separator: ".")
        return parts.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
    }
}

extension Draws.Stream {
    static let guid = Self("guid")
}

/// First and last names of the fictional people (a mix of the group's countries).
let firstNames = [
    "adele", "ahmed", "aisha", "alain", "alba", "alex", "alice", "amara", "amelie", "ana", "andre", "andrea",
    "anna", "anton", "arjun", "aurelie", "ayumi", "bao", "beatriz", "benoit", "bianca", "bruno", "camille", "carla",
    "carlos", "carmen", "cecile", "chen", "chiara", "chloe", "claire", "daniel", "david", "diego", "elena", "elif",
    "elise", "emma", "enzo", "eric", "fatima", "felix", "fernanda", "florian", "francesca", "gabriel", "giulia", "hanna",
    "hugo", "ines", "ioana", "isabel", "ivan", "jade", "jan", "javier", "jean", "joao", "jonas", "jose", "julia",
    "julien", "karim", "katarina", "kenji", "lars", "laura", "lea", "leila", "leo", "liam", "lina", "lucas", "lucia",
    "luis", "manon", "marc", "maria", "marie", "marta", "mateo", "mathieu", "maya", "mehdi", "mei", "mia", "mihai",
    "nadia", "nathan", "nicolas", "nina", "noah", "noemie", "olga", "oliver", "omar", "paolo", "pauline", "pedro",
    "pierre", "priya", "rafael", "raj", "rania", "rosa", "sacha", "samir", "sara", "sebastien", "sofia", "sophie",
    "stefan", "sunita", "tariq", "theo", "thomas", "valentina", "victor", "wei", "yann", "yasmine", "yuki", "zoe",
]
let lastNames = [
    "abadie", "adeyemi", "almeida", "andersen", "arnaud", "bakker", "barbier", "becker", "benali", "bernard", "bianchi",
    "blanc", "bonnet", "brun", "castro", "chen", "colombo", "costa", "dubois", "dumont", "durand", "esposito", "faure",
    "fernandes", "ferrari", "fischer", "fontaine", "fournier", "garcia", "garnier", "gauthier", "gomez", "greco",
    "gupta", "hoffmann", "huang", "janssens", "kaur", "khan", "klein", "kumar", "lambert", "laurent", "lefebvre",
    "legrand", "leroy", "li", "lopez", "marchand", "martin", "martinez", "mercier", "meyer", "michel", "moreau",
    "morel", "muller", "murphy", "nguyen", "nowak", "okafor", "oliveira", "otieno", "pereira", "perrin", "petit",
    "popescu", "ricci", "richard", "robert", "rodrigues", "romano", "rossi", "rousseau", "roux", "sanchez", "santos",
    "schmidt", "schneider", "sharma", "silva", "simon", "singh", "smith", "tanaka", "thomas", "vidal", "vincent",
    "wagner", "wang", "weber", "williams", "wu", "yilmaz", "zhang",
]

let firstNameBytes: [[UInt8]] = firstNames.map { Array($0.utf8) }
let lastNameBytes: [[UInt8]] = lastNames.map { Array($0.utf8) }
let domainBytes: [UInt8] = Array(Organisation.domain.utf8)

extension Population {
    /// Writes the account name (`first.last[N]`) without building a String; `capitals`
    /// spells it as some people type it (`First.Last`).
    @inline(__always)
    public func writeAccount(_ p: Int, _ w: ByteWriter, capitals: Bool = false) {
        let f = firstNames.count, pairs = firstNames.count * lastNames.count
        // p ↦ (p·7919 + offset) mod pairs is a bijection on each block of `pairs` people
        // (7919 is a prime coprime with the number of pairs): names spread, and never repeat
        // within a round; later rounds carry a number, as real directories do.
        let k = (p % pairs * 7_919 + Int(draws.seed % 9_973)) % pairs
        let first = firstNameBytes[k % f], last = lastNameBytes[k / f]
        if capitals {
            w.byte(first[0] &- 32); w.bytes(first[1...]); w.byte(46); w.byte(last[0] &- 32); w.bytes(last[1...])
        } else {
            w.bytes(first); w.byte(46); w.bytes(last)
        }
        let round = p / pairs
        if round > 0 { w.int(round + 1) }
    }

    @inline(__always)
    public func writeUPN(_ p: Int, _ w: ByteWriter, capitals: Bool = false) {
        writeAccount(p, w, capitals: capitals)
        w.byte(64)
        if capitals { w.ascii("Aurore-Energy.example") } else { w.bytes(domainBytes) }
    }
}
