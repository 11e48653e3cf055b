/// Zscaler-like private-access (ZPA) LSS logs, JSON lines, rotated monthly:
/// `zpa/user-status-YYYY-MM.jsonl` (one record per client session, written when it ends; a
/// session still open at the end of the data has an empty `TimestampUnAuthentication`) and
/// `zpa/user-activity-YYYY-MM.jsonl` (one record per application connection).
/// ZPA's own clients (`ZPA LSS Client`) appear too, and `PosturesHit` is a string in some
/// records and an array in others, as on real tenants.
final class PrivateAccessFeed: DailyFeed {
    let g: Generator
    let pop: Population
    let b: Behaviour
    let status: MonthlyLog
    let activity: MonthlyLog
    let unitNames: [[UInt8]]
    enum Event { case status(GeneratedSession, open: Bool), connection(GeneratedSession, Int64, Int64, Int) }
    var queue = EventQueue<Event>()
    let dataEnd: Int64
    let defectDay = CivilDate(year: 2020, month: 4, day: 8)
    var planted = false

    init(_ g: Generator) {
        self.g = g
        pop = g.population
        b = g.behaviour
        status = MonthlyLog(g, "zpa/user-status", "jsonl", format: "zpa-user-status")
        activity = MonthlyLog(g, "zpa/user-activity", "jsonl", format: "zpa-user-activity")
        unitNames = pop.units.map { Array($0.name.utf8) }
        dataEnd = g.behaviour.paris.utc(g.options.to.adding(days: 1), 0)
    }

    func write(day: CivilDate) throws {
        for bu in pop.units.indices {
            let f = b.scenario.shift(bu, day), a = b.scenario.activity(bu, day)
            for p in pop.people(of: bu) where b.usesPrivateAccess(p, day, shift: f, activity: a) {
                for s in b.sessions(p, bu, day, .zpaSession, lead: 300) {
                    var s = s
                    if s.start >= dataEnd { continue }
                    let open = s.end > dataEnd
                    if open { s.end = dataEnd }
                    queue.push(s.end, .status(s, open: open))
                    let n = 1 + Int(s.id % 2)
                    let len = max(1, s.end - s.start)
                    for c in 0..<n {
                        let h = splitmix64(s.id &+ UInt64(c))
                        let cs = s.start + 20 + Int64(h % UInt64(len / 2 + 1))
                        let ce = min(s.end, cs + 60 + Int64((h >> 20) % UInt64(len / 2 + 1)))
                        if !open || ce < s.end { queue.push(ce, .connection(s, cs, ce, c)) }
                    }
                }
            }
        }
        // ZPA's own log client reports itself twice a day: not a person.
        let lss = GeneratedSession(person: -1, bu: 0, start: b.paris.utc(day, 3_600), end: b.paris.utc(day, 3_600 + 43_200),
                                   id: b.draws.bits(.zpaSession, -1, day.day))
        queue.push(lss.end, .status(lss, open: false))
        try drain(before: b.settled(after: day))
    }

    func drain(before cutoff: Int64) throws {
        try queue.drain(before: cutoff) { time, e in
            let day = b.paris.localDate(ofUTC: time)
            switch e {
            case .status(let s, let open):
                let f = try status.file(for: day)
                if g.options.plantDefects && !planted && day == defectDay && s.person >= 0 {
                    planted = true
                    g.plant(f, "a record cut off in the middle (truncated JSON)")
                    f.w.ascii("{\"LogTimestamp\":\""); f.w.nssTime(time); f.w.ascii("\",\"Customer\":\"Aurore\",\"Username\":\"")
                    try f.w.endLine()
                }
                writeStatus(f.w, s, time, open: open)
                try f.w.endLine()
                f.saw(time)
            case .connection(let s, let cs, let ce, let c):
                let f = try activity.file(for: day)
                writeConnection(f.w, s, cs, ce, c)
                try f.w.endLine()
                f.saw(ce)
            }
        }
    }

    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    func sessionID(_ w: ByteWriter, _ id: UInt64) {
        let alphabet = Self.alphabet
        var x = id, y = splitmix64(id)
        for i in 0..<20 {
            w.byte(alphabet[Int(x & 63)])
            x >>= 6
            if i == 9 { x = y; y = 0 }
        }
    }

    func user(_ w: ByteWriter, _ s: GeneratedSession) {
        if s.person < 0 { w.ascii("ZPA LSS Client"); return }
        pop.writeUPN(s.person, w, capitals: b.draws.unit(.mixedCase, s.person) < 0.03)
    }

    func writeStatus(_ w: ByteWriter, _ s: GeneratedSession, _ time: Int64, open: Bool) {
        w.ascii("{\"LogTimestamp\":\""); w.nssTime(time)
        w.ascii("\",\"Customer\":\"Aurore Energy\",\"Username\":\""); user(w, s)
        w.ascii("\",\"SessionID\":\""); sessionID(w, s.id)
        w.ascii(open ? "\",\"SessionStatus\":\"ZPN_STATUS_AUTHENTICATED\"" : "\",\"SessionStatus\":\"ZPN_STATUS_DISCONNECTED\"")
        w.ascii(",\"Version\":\"20.18.0-21\",\"ZEN\":\"FR-PAR1\",\"PublicIP\":\"203.0.113."); w.int(Int(s.id % 250) + 1)
        w.ascii("\",\"TimestampAuthentication\":\""); w.isoUTC(s.start, fraction: 3, fractionValue: 0)
        w.ascii("\",\"TimestampUnAuthentication\":\"")
        if !open { w.isoUTC(s.end, fraction: 3, fractionValue: 0) }
        w.ascii("\",\"TotalBytesRx\":"); w.int(Int(s.id % 50_000_000)); w.ascii(",\"TotalBytesTx\":"); w.int(Int((s.id >> 26) % 9_000_000))
        w.ascii(",\"Platform\":\"windows\",\"ClientType\":\"zpn_client_type_zapp\",\"SAMLAttributes\":\"")
        if s.person >= 0 { w.ascii("department:"); w.bytes(unitNames[s.bu]); w.ascii(",email:"); pop.writeUPN(s.person, w) }
        w.ascii("\",\"PosturesHit\":")
        w.ascii(s.id & 1 == 0 ? "\"crowdstrike-running,disk-encrypted\"" : "[\"crowdstrike-running\",\"disk-encrypted\"]")
        w.ascii(",\"PosturesMiss\":"); w.ascii(s.id & 2 == 0 ? "\"\"" : "[]")
        w.byte(UInt8(ascii: "}"))
    }

    func writeConnection(_ w: ByteWriter, _ s: GeneratedSession, _ cs: Int64, _ ce: Int64, _ c: Int) {
        w.ascii("{\"LogTimestamp\":\""); w.nssTime(ce)
        w.ascii("\",\"Customer\":\"Aurore Energy\",\"SessionID\":\""); sessionID(w, s.id)
        w.ascii("\",\"ConnectionID\":\""); sessionID(w, splitmix64(s.id &+ UInt64(c) &+ 77))
        w.ascii("\",\"ConnectionStatus\":\"close\",\"Username\":\""); user(w, s)
        w.ascii("\",\"Application\":\""); w.ascii(c % 2 == 0 ? "SAP ERP" : "SCADA Historian")
        w.ascii("\",\"TimestampConnectionStart\":\""); w.isoUTC(cs, fraction: 3, fractionValue: Int(s.id % 1000))
        w.ascii("\",\"TimestampConnectionEnd\":\""); w.isoUTC(ce, fraction: 3, fractionValue: Int((s.id >> 10) % 1000))
        w.ascii("\",\"ZENTotalBytesRxClient\":"); w.int(Int((s.id >> 3) % 2_000_000)); w.byte(UInt8(ascii: "}"))
    }

    func finish() throws {
        try drain(before: .max)
        try status.close()
        try activity.close()
    }
}

extension Draws.Stream {
    static let zpaSession = Self("zpa-session")
}
