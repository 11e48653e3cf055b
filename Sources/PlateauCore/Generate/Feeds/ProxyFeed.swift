import Foundation

/// Zscaler-like NSS web logs, one file per UTC day: `proxy/nss-web-YYYY-MM-DD.csv` (quoted CSV
/// with a header, SIEM field names) for most BUs, and `proxy/nss-web-americas-YYYY-MM-DD.jsonl`
/// (SIEM JSON wrapper, native NSS names) for the Americas. Lines are written hour by hour
/// without holding a day in memory: memory does not grow with the scale or the line count.
final class ProxyFeedWriter: DailyFeed {
    let g: Generator
    let pop: Population
    let b: Behaviour
    let linesPerUser: Double
    let columns: ProxyColumns
    let unitNames: [[UInt8]]
    let officeNames: [[[UInt8]]]
    let roadWarrior: [UInt8] = Array("Road Warrior".utf8)
    let defectDay = CivilDate(year: 2020, month: 3, day: 24)
    let iberia: Int?

    static let destinations: [(host: [UInt8], path: [UInt8])] = [
        ("teams.microsoft.com", "/api/chatsvc/emea/v1/users/ME/conversations"), ("outlook.office365.com", "/owa/"),
        ("aurore.sharepoint.com", "/sites/intranet/SitePages/Home.aspx"), ("login.microsoftonline.com", "/common/oauth2/token"),
        ("www.google.com", "/search"), ("update.microsoft.com", "/v6/ClientWebService/client.asmx"),
        ("sap.aurore-energy.example", "/sap/bc/gui/sap/its/webgui"), ("www.lemonde.fr", "/"), ("www.linkedin.com", "/feed/"),
        ("zoom.us", "/j/"), ("www.youtube.com", "/watch"), ("github.com", "/aurore-energy"),
    ].map { (Array($0.0.utf8), Array($0.1.utf8)) }

    init(_ g: Generator) {
        self.g = g
        pop = g.population
        b = g.behaviour
        linesPerUser = g.options.proxyLinesPerUser
        columns = g.options.proxyColumns
        unitNames = pop.units.map { Array($0.name.utf8) }
        officeNames = pop.units.map { $0.offices.map { Array($0.utf8) } }
        iberia = pop.units.firstIndex { $0.name == Scenario.brokenProxyFeed.bu }
        if g.options.feeds.contains(.proxy) {
            g.events.append("Iberia's proxy feed broke on \(Scenario.brokenProxyFeed.days.map(\.iso).joined(separator: " and ")): no proxy records from Iberia on those days.")
        }
    }

    func write(day: CivilDate) throws {
        let gz = g.gzip(day, day)
        let csvUnits = pop.units.indices.filter { pop.units[$0].proxyFeed == .csv }
        let jsonUnits = pop.units.indices.filter { pop.units[$0].proxyFeed == .json }
        let csv = try csvUnits.isEmpty ? nil : g.files.file("proxy/nss-web-\(day.iso).csv", format: "zscaler-nss-csv", gzip: gz) { w in
            switch self.columns {
            case .narrow: w.ascii("\"datetime\",\"user\",\"department\",\"location\",\"hostname\",\"url\",\"action\",\"reason\",\"transactionsize\",\"clientip\"")
            case .wide: w.ascii(Self.wideHeader)
            }
            try w.endLine()
        }
        let json = try jsonUnits.isEmpty ? nil : g.files.file("proxy/nss-web-americas-\(day.iso).jsonl", format: "zscaler-nss-json", gzip: gz)
        for hour in 0..<24 {
            let t0 = day.epochSecondsUTC + Int64(hour) * 3600
            if let csv, g.options.plantDefects, day == defectDay, hour == 10 { try plantDefects(csv, t0) }
            if let csv { for bu in csvUnits { try emit(bu, t0, csv, json: false) } }
            if let json { for bu in jsonUnits { try emit(bu, t0, json, json: true) } }
        }
        if let csv { try g.files.close(csv) }
        if let json { try g.files.close(json) }
    }

    func plantDefects(_ f: LogFile, _ t0: Int64) throws {
        g.plant(f, "an impossible date (Feb 30)")
        switch columns {
        case .narrow:
            f.w.ascii("\"Sun Feb 30 10:02:11 2020\",\"jean.martin@aurore-energy.example\",\"Corporate\",\"Road Warrior\",\"teams.microsoft.com\",\"teams.microsoft.com/\",\"Allowed\",\"Allowed\",\"812\",\"100.64.0.1\"")
        case .wide:
            f.w.ascii("\"Sun Feb 30 10:02:11 2020\",\"Allowed\",\"7000000000000000001\",\"HTTPS\",\"Allowed\",\"812\",\"711\",\"101\",\"Web Conferencing\",\"52.112.0.1\",\"GET\",\"None\",\"Windows Microsoft Windows 10 Enterprise ZTunnel/1.0\",\"NSS\",\"Road Warrior\",\"100.64.0.1\",\"200\",\"jean.martin@aurore-energy.example\",\"teams.microsoft.com/\",\"Zscaler\",\"teams.microsoft.com\",\"203.0.113.1\",\"None\",\"None\",\"None\",\"Microsoft Teams\",\"0\",\"Corporate\",\"Business and Economy\",\"Collaboration\",\"None\",\"Business Use\",\"None\",\"None\",\"None\",\"NO\",\"application/json\",\"None\",\"jean.martin\",\"AUR-LT1\",\"N/A\"")
        }
        try f.w.endLine()
        g.plant(f, "a line cut short (3 of 10 columns)")
        f.w.ascii("\""); f.w.nssTime(t0 + 7); f.w.ascii("\",\"jean.martin@aurore-energy.example\",\"Corp")
        try f.w.endLine()
    }

    /// The lines of BU `bu` in the UTC hour starting at `t0`.
    @inline(__always)
    func emit(_ bu: Int, _ t0: Int64, _ f: LogFile, json: Bool) throws {
        let zone = b.zones[bu]
        let local = t0 + Int64(zone.offset(atUTC: t0))
        let day = CivilDate(daysSinceEpoch: Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400))
        guard day >= g.options.from, day <= g.options.to else { return }
        let hs = Int(local - day.epochSecondsUTC), he = hs + 3600
        guard he > 25_000, hs < 70_200 else { return }
        if bu == iberia && Scenario.brokenProxyFeed.days.contains(day) { return }
        let f0 = b.scenario.shift(bu, day), a = b.scenario.activity(bu, day)
        let offices = officeNames[bu]
        let w = f.w
        let spread = 2 * linesPerUser - 1
        for p in pop.people(of: bu) {
            let state = b.proxyState(p, day, shift: f0, activity: a)
            if state == .none { continue }
            let (ws, we) = b.workWindow(p, day)
            if we <= hs || ws >= he { continue }
            let n = 1 + Int(b.draws.unit(.proxyLines, p, day.day) * spread)
            let len = we - ws
            let jlo = max(0, (hs - ws) * n / len - 1), jhi = min(n - 1, (he - ws) * n / len + 1)
            if jlo > jhi { continue }
            let capitals = b.draws.unit(.mixedCase, p) < 0.03
            let remote = state == .remote
            let location = remote ? roadWarrior : offices[p % offices.count]
            for j in jlo...jhi {
                let bits = b.draws.bits(.proxyLine, p, day.day, j)
                let t = ws + (j * len + Int(bits % UInt64(len))) / n
                guard t >= hs, t < he else { continue }
                let epoch = t0 + Int64(t - hs)
                let destIndex = Int((bits >> 20) % UInt64(Self.destinations.count))
                let blocked = (bits >> 32) % 100 < 3
                let size = 200 + Int((bits >> 40) % 60_000)
                line(w, json: json, epoch: epoch, person: p, capitals: capitals, bu: bu, location: location, dest: destIndex,
                     blocked: blocked, size: size, remote: remote)
                try w.endLine()
                if (bits >> 56) % 64 == 0 {
                    // An unauthenticated transaction (no login): counted, never a person.
                    line(w, json: json, epoch: epoch, person: -1 - Int((bits >> 58) % 3), capitals: false, bu: bu,
                         location: location, dest: destIndex, blocked: false, size: size / 2, remote: remote)
                    try w.endLine()
                }
                f.saw(epoch)
            }
        }
    }

    @inline(__always)
    func line(_ w: ByteWriter, json: Bool, epoch: Int64, person p: Int, capitals: Bool, bu: Int, location: [UInt8],
              dest d: Int, blocked: Bool, size: Int, remote: Bool) {
        let dest = Self.destinations[d]
        if json {
            w.ascii("{ \"sourcetype\" : \"zscalernss-web\", \"event\" :{\"time\":\""); w.nssTime(epoch)
            w.ascii("\",\"login\":\"")
            if p >= 0 { pop.writeUPN(p, w, capitals: capitals) } else if p == -1 { w.ascii("unknown") } else { w.ascii("Not available") }
            w.ascii("\",\"proto\":\"HTTPS\",\"eurl\":\""); w.bytes(dest.host); w.bytes(dest.path)
            w.ascii("\",\"action\":\""); w.ascii(blocked ? "Blocked" : "Allowed")
            w.ascii("\",\"reqsize\":\""); w.int(size / 8); w.ascii("\",\"respsize\":\""); w.int(size)
            w.ascii("\",\"location\":\""); w.bytes(location); w.ascii("\",\"dept\":\""); w.bytes(unitNames[bu])
            w.ascii("\",\"cip\":\""); clientIP(w, p, bu, remote); w.ascii("\"}}")
        } else if columns == .wide {
            wideLine(w, epoch: epoch, person: p, capitals: capitals, bu: bu, location: location, dest: d,
                     blocked: blocked, size: size, remote: remote)
        } else {
            w.byte(34); w.nssTime(epoch); w.ascii("\",\"")
            if p >= 0 { pop.writeUPN(p, w, capitals: capitals) }
            w.ascii("\",\""); w.bytes(unitNames[bu]); w.ascii("\",\""); w.bytes(location); w.ascii("\",\"")
            w.bytes(dest.host); w.ascii("\",\""); w.bytes(dest.host); w.bytes(dest.path); w.ascii("\",\"")
            w.ascii(blocked ? "Blocked\",\"Not allowed to browse this category" : "Allowed\",\"Allowed")
            w.ascii("\",\""); w.int(size); w.ascii("\",\""); clientIP(w, p, bu, remote); w.byte(34)
        }
    }

    static let wideHeader: StaticString = """
        "datetime","reason","event_id","protocol","action","transactionsize","responsesize","requestsize",\
        "urlcategory","serverip","requestmethod","refererURL","useragent","product","location","ClientIP","status",\
        "user","url","vendor","hostname","clientpublicIP","threatcategory","threatname","filetype","appname",\
        "pagerisk","department","urlsupercategory","appclass","dlpengine","urlclass","threatclass",\
        "dlpdictionaries","fileclass","bwthrottle","contenttype","unscannabletype","deviceowner","devicehostname",\
        "keyprotectiontype"
        """
    /// Per destination (same order as `destinations`): URL category, super-category, app
    /// name, app class and content type, as the SIEM feed spells them.
    static let destinationClasses: [(cat: [UInt8], superCat: [UInt8], app: [UInt8], appClass: [UInt8], content: [UInt8])] = [
        ("Web Conferencing", "Business and Economy", "Microsoft Teams", "Collaboration", "application/json"),
        ("Web Based Email", "Internet Communication", "Outlook", "Webmail", "text/html"),
        ("Corporate Marketing", "Business and Economy", "SharePoint Online", "Collaboration", "text/html"),
        ("Professional Services", "Business and Economy", "Microsoft Login", "Business", "application/json"),
        ("Web Search", "Information Technology", "Google Search", "General Browsing", "text/html"),
        ("Software Updates", "Information Technology", "Windows Update", "IT Services", "application/octet-stream"),
        ("Corporate Marketing", "Business and Economy", "SAP", "Enterprise", "text/html"),
        ("News and Media", "News and Media", "General Browsing", "General Browsing", "text/html"),
        ("Professional Networking", "Social Networking", "LinkedIn", "Social Networking", "text/html"),
        ("Web Conferencing", "Business and Economy", "Zoom", "Collaboration", "application/json"),
        ("Streaming Media", "Entertainment/Recreation", "YouTube", "Streaming Media", "video/mp4"),
        ("Professional Services", "Information Technology", "GitHub", "IT Services", "text/html"),
    ].map { (Array($0.0.utf8), Array($0.1.utf8), Array($0.2.utf8), Array($0.3.utf8), Array($0.4.utf8)) }
    /// The second one holds a comma inside its quotes, as real user agents do.
    static let userAgents: [StaticString] = [
        "Windows Microsoft Windows 10 Enterprise ZTunnel/1.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/80.0.3987.149 Safari/537.36",
        "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.12527; Pro)",
    ]

    /// A line of the 41-column SIEM web feed; the extra fields derive from the line's bits and
    /// the person, so the narrow feed's draws (and bytes) stay as they were.
    @inline(__always)
    func wideLine(_ w: ByteWriter, epoch: Int64, person p: Int, capitals: Bool, bu: Int, location: [UInt8],
                  dest d: Int, blocked: Bool, size: Int, remote: Bool) {
        let more = splitmix64((UInt64(bitPattern: epoch) &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(truncatingIfNeeded: p &+ 8) ^ UInt64(size))
        let dest = Self.destinations[d], c = Self.destinationClasses[d]
        w.byte(34); w.nssTime(epoch); w.ascii("\",\"")
        w.ascii(blocked ? "Not allowed to browse this category" : "Allowed"); w.ascii("\",\"")
        w.int(1_000_000_000_000_000_000 + Int(more % 8_000_000_000_000_000_000)); w.ascii("\",\"HTTPS\",\"")
        w.ascii(blocked ? "Blocked" : "Allowed"); w.ascii("\",\"")
        w.int(size); w.ascii("\",\""); w.int(size - size / 8); w.ascii("\",\""); w.int(size / 8); w.ascii("\",\"")
        w.bytes(c.cat); w.ascii("\",\"52.112."); w.int(d); w.byte(46); w.int(Int((more >> 8) & 255)); w.ascii("\",\"")
        w.ascii((more >> 16) % 4 == 0 ? "POST" : "GET"); w.ascii("\",\"None\",\"")
        w.ascii(Self.userAgents[(p < 0 ? 0 : p) % Self.userAgents.count]); w.ascii("\",\"NSS\",\"")
        w.bytes(location); w.ascii("\",\""); clientIP(w, p, bu, remote); w.ascii("\",\"")
        w.ascii(blocked ? "403" : "200"); w.ascii("\",\"")
        if p >= 0 { pop.writeUPN(p, w, capitals: capitals) }
        w.ascii("\",\""); w.bytes(dest.host); w.bytes(dest.path); w.ascii("\",\"Zscaler\",\""); w.bytes(dest.host)
        w.ascii("\",\""); if remote { w.ascii("203.0.113.") } else { w.ascii("198.51.100.") }; w.int((p < 0 ? 7 : p) & 255)
        w.ascii("\",\"None\",\"None\",\"None\",\""); w.bytes(c.app); w.ascii("\",\"0\",\"")
        w.bytes(unitNames[bu]); w.ascii("\",\""); w.bytes(c.superCat); w.ascii("\",\""); w.bytes(c.appClass)
        w.ascii("\",\"None\",\"Business Use\",\"None\",\"None\",\"None\",\"NO\",\""); w.bytes(c.content)
        w.ascii("\",\"None\",\"")
        if p >= 0 { pop.writeAccount(p, w, capitals: capitals) } else { w.ascii("NA") }
        w.ascii("\",\""); if p >= 0 { w.ascii("AUR-LT"); w.int(p) }; w.ascii("\",\"N/A\"")
    }

    @inline(__always)
    func clientIP(_ w: ByteWriter, _ p: Int, _ bu: Int, _ remote: Bool) {
        let q = p < 0 ? 7 : p
        if remote { w.ascii("100.64.") } else { w.ascii("10."); w.int(bu + 1); w.byte(46) }
        w.int((q >> 8) & 255); w.byte(46); w.int(q & 255)
    }

    func finish() throws {}
}

extension Draws.Stream {
    static let proxyLines = Self("proxy-lines")
    static let proxyLine = Self("proxy-line")
}
