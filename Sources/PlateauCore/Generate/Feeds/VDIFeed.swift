/// Virtual-desktop sessions exported from the gateway console, monthly:
/// `vdi/sessions-YYYY-MM.csv` with `user,start,end,host`, times with the gateway's offset
/// (Europe/Paris), ordered by start; `end` is empty for sessions still open at the end.
final class VDIFeed: DailyFeed {
    let g: Generator
    let pop: Population
    let b: Behaviour
    let log: MonthlyLog
    var queue = EventQueue<GeneratedSession>()
    let dataEnd: Int64
    let defectDay = CivilDate(year: 2020, month: 3, day: 31)
    var planted = false
    /// `--vpn-vendor mixed`: the virtual desktops of BUs 4 and 8 behind a Citrix ADC, whose ICA
    /// connections are logged (`vdi/netscaler-YYYY-MM.log`): ICASTART at the start, and
    /// ICAEND_CONNSTAT at the end (queued to its instant).
    lazy var citrix = MonthlyLog(g, "vdi/netscaler", "log", format: "citrix-adc")
    var icaEnds = EventQueue<GeneratedSession>()
    func onCitrix(_ s: GeneratedSession) -> Bool { g.options.vpnVendor == .mixed && (s.bu == 4 || s.bu == 8) }

    init(_ g: Generator) {
        self.g = g
        pop = g.population
        b = g.behaviour
        log = MonthlyLog(g, "vdi/sessions", "csv", format: "sessions-csv") { w in
            w.ascii("user,start,end,host"); try w.endLine()
        }
        dataEnd = g.behaviour.paris.utc(g.options.to.adding(days: 1), 0)
    }

    func write(day: CivilDate) throws {
        for bu in pop.units.indices {
            let f = b.scenario.shift(bu, day), a = b.scenario.activity(bu, day)
            for p in pop.people(of: bu) where b.usesVDI(p, day, shift: f, activity: a) {
                for s in b.sessions(p, bu, day, .vdiSession, lead: 900) where s.start < dataEnd { queue.push(s.start, s) }
            }
        }
        try drain(before: b.settled(after: day))
    }

    func drain(before cutoff: Int64) throws {
        try queue.drain(before: cutoff) { t, s in
            // ICA ends before this instant first: the NetScaler log stays in time order.
            try icaEnds.drain(before: t) { te, se in try ica(se, end: true, at: te) }
            if onCitrix(s) {
                try ica(s, end: false, at: t)
                if s.end <= dataEnd { icaEnds.push(s.end, s) }
                return
            }
            let day = b.paris.localDate(ofUTC: t)
            let f = try log.file(for: day)
            let w = f.w
            if g.options.plantDefects && !planted && day == defectDay {
                planted = true
                g.plant(f, "an impossible time (25:61)")
                pop.writeUPN(s.person, w); w.ascii(",2020-03-31T25:61:00+02:00,2020-03-31T18:00:00+02:00,VDI-POOL-01")
                try w.endLine()
            }
            pop.writeUPN(s.person, w); w.byte(44)
            w.isoOffset(s.start, offsetSeconds: b.paris.offset(atUTC: s.start)); w.byte(44)
            if s.end <= dataEnd { w.isoOffset(s.end, offsetSeconds: b.paris.offset(atUTC: s.end)) }
            w.ascii(",VDI-POOL-"); w.padded(1 + s.person % 12, 2)
            try w.endLine()
            f.saw(t)
        }
        try icaEnds.drain(before: cutoff) { t, s in try ica(s, end: true, at: t) }
    }

    func finish() throws {
        try drain(before: .max)
        try icaEnds.drain(before: .max) { t, s in try ica(s, end: true, at: t) }
        try log.close()
        if g.options.vpnVendor == .mixed { try citrix.close() }
    }

    /// `MM/DD/YYYY:hh:mm:ss GMT`
    func gmt(_ w: ByteWriter, _ t: Int64) {
        let c = WallClock(epochSeconds: t)
        let (y, m, d) = c.date.components
        w.padded(m, 2); w.byte(47); w.padded(d, 2); w.byte(47); w.int(y); w.byte(58)
        w.padded(c.hour, 2); w.byte(58); w.padded(c.minute, 2); w.byte(58); w.padded(c.second, 2); w.ascii(" GMT")
    }

    func ica(_ s: GeneratedSession, end: Bool, at t: Int64) throws {
        let f = try citrix.file(for: b.paris.localDate(ofUTC: t))
        let w = f.w
        gmt(w, t); w.ascii(" ns-gw-01 0-PPE-0 : default SSLVPN "); w.ascii(end ? "ICAEND_CONNSTAT" : "ICASTART"); w.byte(32); w.int(Int(s.id % 1_000_000_000))
        w.ascii(" 0 :  Source 198.51.100."); w.int(1 + s.person % 250); w.ascii(":"); w.int(1024 + Int(s.id % 60_000))
        w.ascii(" - Destination 10.30.0."); w.int(1 + s.person % 12); w.ascii(":2598 - customername  - username:domainname ")
        pop.writeAccount(s.person, w); w.ascii(":AURORE - ")
        if !end { w.ascii("applicationName Desktop - ") }
        w.ascii("startTime \""); gmt(w, s.start); w.ascii("\"")
        if end {
            w.ascii(" - endTime \""); gmt(w, s.end); w.ascii("\" - Duration ")
            let d = Int(s.end - s.start)
            w.padded(d / 3600, 2); w.byte(58); w.padded(d / 60 % 60, 2); w.byte(58); w.padded(d % 60, 2)
            w.ascii("  - Total_bytes_send "); w.int(Int(s.id % 9_000_000)); w.ascii(" - Total_bytes_recv "); w.int(Int(s.id % 3_000_000))
        }
        w.ascii(" - connectionId "); w.int(Int(s.id % 4_000_000_000))
        try w.endLine()
        f.saw(t)
    }
}

extension Draws.Stream {
    static let vdiSession = Self("vdi-session")
}
