/// Cisco-ASA-like AnyConnect syslog from a cluster of two concentrators sharing one licence
/// pool (2,500 sessions until 2020-03-15, 10,000 from 2020-03-16; at scale F, F times that):
/// - `vpn/asa-vpn-01-YYYY-MM.log`: `<PRI>`, stamps with the year, host followed by ` : `,
///   angle-bracketed values;
/// - `vpn/asa-vpn-02.log` (the whole range): no `<PRI>`, year-less stamps, host followed by `:`, bare values.
/// Stamps are the devices' local time (Europe/Paris). A session that would exceed the licences
/// is refused (`113029`), which is how the saturation of the week of 03-09 shows.
final class VPNFeed: DailyFeed {
    let g: Generator
    let pop: Population
    let b: Behaviour
    let device1: MonthlyLog
    var device2: LogFile?
    enum Event { case start(GeneratedSession), end(GeneratedSession), refused(GeneratedSession), siteToSite(Int64) }
    var requests = EventQueue<GeneratedSession>()
    var openEnds = EventQueue<Void>()
    var out = EventQueue<Event>()
    let dataEnd: Int64
    var refusedPerDay: [CivilDate: Int] = [:]
    var peakPerDay: [CivilDate: Int] = [:]
    let defectDay = CivilDate(year: 2020, month: 3, day: 25)
    var planted = false
    /// The logs of the other vendors (`--vpn-vendor`), opened as needed.
    var vendorLogs: [VPNVendor: MonthlyLog] = [:]

    init(_ g: Generator) {
        self.g = g
        pop = g.population
        b = g.behaviour
        device1 = MonthlyLog(g, "vpn/asa-vpn-01", "log", format: "asa-syslog")
        dataEnd = g.behaviour.paris.utc(g.options.to.adding(days: 1), 0)
    }

    func licences(at t: Int64) -> Int {
        max(1, Int((Double(Scenario.vpnLicences(on: b.paris.localDate(ofUTC: t))) * g.options.scale).rounded()))
    }

    func write(day: CivilDate) throws {
        for bu in pop.units.indices {
            for p in pop.people(of: bu) where b.wantsVPN(p, bu, day) {
                for s in b.sessions(p, bu, day, .vpnSession) where s.start < dataEnd { requests.push(s.start, s) }
            }
        }
        out.push(b.paris.utc(day, 7_200 + Int(b.draws.bits(.vpnSession, -2, day.day) % 600)), .siteToSite(0))
        let cutoff = b.settled(after: day)
        requests.drain(before: cutoff) { t, s in admit(t, s) }
        try drainOutput(before: cutoff)
    }

    /// Admits a session request against the licences in force, as the concentrator does.
    func admit(_ t: Int64, _ s: GeneratedSession) {
        openEnds.drain(before: t + 1) { _, _ in }   // a session ending at t frees its licence for one starting at t
        let day = b.paris.localDate(ofUTC: t)
        if openEnds.count >= licences(at: t) {
            refusedPerDay[day, default: 0] += 1
            out.push(t, .refused(s))
            return
        }
        openEnds.push(s.end, ())
        peakPerDay[day] = max(peakPerDay[day] ?? 0, openEnds.count)
        out.push(t, .start(s))
        if s.end <= dataEnd { out.push(s.end, .end(s)) }
    }

    func drainOutput(before cutoff: Int64) throws {
        try out.drain(before: cutoff) { t, e in
            // Sessions of a BU on another vendor's concentrator go to that vendor's log.
            switch e {
            case .start(let s), .end(let s), .refused(let s):
                let v = g.options.vpnVendor.vendor(ofBU: s.bu)
                if v != .asa {
                    if case .refused = e { return }
                    if case .start = e { try writeVendor(v, start: true, s, at: t) } else { try writeVendor(v, start: false, s, at: t) }
                    return
                }
            case .siteToSite: break
            }
            let local = t + Int64(b.paris.offset(atUTC: t))
            let day = WallClock(epochSeconds: local).date
            let (s, first): (GeneratedSession?, Bool) = {
                switch e {
                case .start(let s), .end(let s), .refused(let s): return (s, s.id % 10 < 6)
                case .siteToSite: return (nil, true)
                }
            }()
            let f: LogFile
            if first { f = try device1.file(for: day) } else {
                if device2 == nil { device2 = try g.files.file("vpn/asa-vpn-02.log", format: "asa-syslog", gzip: g.gzip(g.options.from, g.options.to)) }
                f = device2!
            }
            let w = f.w
            if first && g.options.plantDefects && !planted && day == defectDay, let s, case .start = e {
                planted = true
                g.plant(f, "no time stamp")
                w.ascii("%ASA-6-113039: Group <GP_AnyConnect> User <"); account(w, s); w.ascii("> IP <198.51.100.1> AnyConnect parent session started.")
                try w.endLine()
            }
            switch e {
            case .start(let s):
                prefix(w, local, first, severity: 6, id: 113_039)
                who(w, s, first); w.ascii(" AnyConnect parent session started."); try w.endLine()
                prefix(w, local + 1, first, severity: 6, id: 722_022)
                who(w, s, first); w.ascii(" TCP SVC connection established without compression"); try w.endLine()
            case .end(let s):
                prefix(w, local, first, severity: 5, id: 722_023)
                who(w, s, first); w.ascii(" TCP SVC connection terminated without compression"); try w.endLine()
                prefix(w, local, first, severity: 4, id: 113_019)
                w.ascii("Group = "); w.ascii(first ? "GP_AnyConnect" : "GP_Remote"); w.ascii(", Username = "); account(w, s)
                w.ascii(", IP = "); ip(w, s); w.ascii(", Session disconnected. Session Type: SSL, Duration: ")
                duration(w, Int(s.end - s.start))
                w.ascii(", Bytes xmt: "); w.int(Int(s.id % 90_000_000)); w.ascii(", Bytes rcv: "); w.int(Int((s.id >> 27) % 400_000_000))
                w.ascii(", Reason: "); w.ascii(s.end - s.start > 43_200 ? "Max time exceeded" : (s.id >> 50) % 5 == 0 ? "Idle Timeout" : "User Requested")
                try w.endLine()
            case .refused(let s):
                prefix(w, local, first, severity: 4, id: 113_029)
                who(w, s, first); w.ascii(" Session could not be established: session limit of "); w.int(licences(at: t)); w.ascii(" reached")
                try w.endLine()
            case .siteToSite:
                prefix(w, local, first, severity: 4, id: 113_019)
                w.ascii("Group = 192.0.2.10, Username = 192.0.2.10, IP = 192.0.2.10, Session disconnected. Session Type: LAN-to-LAN, Duration: 23h:59m:12s, Bytes xmt: 297103, Bytes rcv: 1216163, Reason: Lifetime expired")
                try w.endLine()
            }
            f.saw(t)
        }
    }

    func prefix(_ w: ByteWriter, _ local: Int64, _ first: Bool, severity: Int, id: Int) {
        if first {
            w.byte(60); w.int(160 + severity); w.byte(62)
            w.syslogTime(local, withYear: true); w.ascii(" asa-vpn-01 : %ASA-")
        } else {
            w.syslogTime(local, withYear: false); w.ascii(" asa-vpn-02: %ASA-")
        }
        w.int(severity); w.byte(45); w.int(id); w.ascii(": ")
    }

    func who(_ w: ByteWriter, _ s: GeneratedSession, _ brackets: Bool) {
        if brackets {
            w.ascii("Group <GP_AnyConnect> User <"); account(w, s); w.ascii("> IP <"); ip(w, s); w.byte(62)
        } else {
            w.ascii("Group GP_Remote User "); account(w, s); w.ascii(" IP "); ip(w, s)
        }
    }

    /// Bare account names mostly (`jean.martin`), the full UPN for about one person in ten.
    func account(_ w: ByteWriter, _ s: GeneratedSession) {
        let capitals = b.draws.unit(.mixedCase, s.person) < 0.03
        if b.draws.unit(.vpnLogin, s.person) < 0.1 { pop.writeUPN(s.person, w, capitals: capitals) }
        else { pop.writeAccount(s.person, w, capitals: capitals) }
    }

    func ip(_ w: ByteWriter, _ s: GeneratedSession) {
        w.ascii(s.person % 2 == 0 ? "198.51.100." : "203.0.113."); w.int(1 + (s.person / 2) % 254)
    }

    func duration(_ w: ByteWriter, _ seconds: Int) {
        let d = seconds / 86_400, h = (seconds / 3600) % 24, m = (seconds / 60) % 60, s = seconds % 60
        if d > 0 { w.int(d); w.ascii("d ") }
        w.int(h); w.ascii("h:"); w.padded(m, 2); w.ascii("m:"); w.padded(s, 2); w.byte(UInt8(ascii: "s"))
    }

    func finish() throws {
        requests.drain(before: .max) { t, s in admit(t, s) }
        try drainOutput(before: .max)
        try device1.close()
        if let d = device2 { try g.files.close(d) }
        for v in VPNVendor.allCases { try vendorLogs[v]?.close() }
        let saturated = refusedPerDay.filter { $0.value > 0 }.keys.sorted()
        if !saturated.isEmpty {
            g.events.append("The VPN ran out of licences on \(saturated.map(\.iso).joined(separator: ", ")) (113029 'session limit reached' lines).")
        }
    }
}

extension Draws.Stream {
    static let vpnSession = Self("vpn-session")
    static let vpnLogin = Self("vpn-login")
}
