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
    }

    func finish() throws {
        try drain(before: .max)
        try log.close()
    }
}

extension Draws.Stream {
    static let vdiSession = Self("vdi-session")
}
