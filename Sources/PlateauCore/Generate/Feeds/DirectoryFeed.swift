/// `directory/people.csv`: who belongs to which BU. A few people are missing (their records
/// resolve through the log's own department, or to UNASSIGNED), some UPNs are stored with
/// capitals, and some display names need CSV quoting ("Martin, Jean").
final class DirectoryFeed {
    let g: Generator
    init(_ g: Generator) { self.g = g }

    func writeAll() throws {
        let pop = g.population, b = g.behaviour
        let f = try g.files.file("directory/people.csv", format: "directory", gzip: false) {
            $0.ascii("user_id,upn,display_name,business_unit,country"); try $0.endLine()
        }
        let w = f.w
        var missing = 0
        for bu in pop.units.indices {
            let unit = pop.units[bu]
            for p in pop.people(of: bu) {
                guard b.inDirectory(p) else { missing += 1; continue }
                pop.guid(p, into: w); w.byte(44)
                let upn = pop.upn(p)
                // The directory and the logs disagree on case for some people.
                w.text(g.population.draws.unit(.directoryCase, p) < 0.05 ? upn.uppercased() : upn); w.byte(44)
                let name = pop.displayName(p)
                if g.population.draws.unit(.directoryCase, p, 1) < 0.1 {
                    let parts = name.split(separator: " ")
                    w.csvField("\(parts.last ?? ""), \(parts.first ?? "")")
                } else {
                    w.csvField(name)
                }
                w.byte(44); w.csvField(unit.name); w.byte(44); w.text(unit.country)
                try w.endLine()
            }
        }
        g.events.append("\(missing) people are missing from directory/people.csv: their meetings and VPN sessions count under UNASSIGNED, their proxy and private-access records under the department the log carries.")
        try g.files.close(f)
    }
}

extension Draws.Stream {
    static let directoryCase = Self("directory-case")
}
