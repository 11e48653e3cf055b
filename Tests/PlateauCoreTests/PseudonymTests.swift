import Crypto
import Foundation
@testable import PlateauCore
import Testing

/// Keyed pseudonyms: HMAC-SHA256 of the lower-cased identity, computed once per person, and
/// counts that do not depend on them.
struct PseudonymTests {
    let p = PersonPseudonyms(secret: Array(repeating: 7, count: 32))

    @Test func aPseudonymIsTheHMACOfTheLowerCasedIdentityCutTo63Bits() {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("jdoe@corp.example".utf8), using: SymmetricKey(data: Array(repeating: UInt8(7), count: 32)))
        var v: UInt64 = 0
        for (i, b) in mac.prefix(8).enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        #expect(p.pseudonym("JDoe@Corp.EXAMPLE", directory: false) == v & ~Resolver.directoryTag)
        #expect(p.pseudonym("jdoe@corp.example", directory: true) == v | Resolver.directoryTag)
        // Longer than one 64-byte block, too.
        let long = String(repeating: "AbC", count: 50)
        let macLong = HMAC<SHA256>.authenticationCode(for: Array(long.lowercased().utf8), using: SymmetricKey(data: Array(repeating: UInt8(7), count: 32)))
        var w: UInt64 = 0
        for (i, b) in macLong.prefix(8).enumerated() { w |= UInt64(b) << (8 * UInt64(i)) }
        #expect(p.pseudonym(long, directory: false) == w & ~Resolver.directoryTag)
        #expect(PersonPseudonyms(secret: Array(repeating: 8, count: 32)).pseudonym("jdoe@corp.example", directory: false)
                != p.pseudonym("jdoe@corp.example", directory: false))
    }

    @Test func keysAreReadAsHexOrBase64OfAtLeast32Bytes() throws {
        #expect(PlateauKey.decode(String(repeating: "ab", count: 32))?.count == 32)
        #expect(PlateauKey.decode(Data(repeating: 1, count: 32).base64EncodedString())?.count == 32)
        #expect(PlateauKey.decode("abcd") == nil)
        #expect(PlateauKey.decode(Data(repeating: 1, count: 16).base64EncodedString()) == nil)
        #expect(throws: PlateauKey.Problem.self) { try PlateauKey.load(["PLATEAU_KEY": "short"], create: false) }
    }

    @Test func directoryPeopleKeepTheirPseudonymWhateverTheirRowOrder() {
        var settings = IngestSettings()
        settings.pseudonyms = p
        func key(_ rows: [(String, String)], of upn: String) -> UInt64 {
            let units = BusinessUnits()
            var d = Directory(hasher: settings.hasher, pseudonyms: p)
            for (id, u) in rows {
                var a = Array(id.utf8), b = Array(u.utf8)
                a.withUnsafeBytes { ra in b.withUnsafeBytes { rb in d.add(userID: ra, upn: rb, bu: units.id("X")) } }
            }
            let r = Resolver(directory: d, units: units)
            var bytes = Array(upn.utf8)
            return bytes.withUnsafeBytes { r.resolve($0).key }
        }
        let rows = [("g1", "ann@x.org"), ("g2", "bob@x.org"), ("g3", "cy@x.org")]
        let a = key(rows, of: "BOB@x.org"), b = key(rows.reversed(), of: "bob@x.org")
        #expect(a == b && a & Resolver.directoryTag != 0)
        #expect(a == p.pseudonym("bob@x.org", directory: true))
        // Someone outside the directory: the same pseudonym, through the cache, every time.
        let o1 = key(rows, of: "Dee@y.org"), o2 = key([], of: "dee@y.org")
        #expect(o1 == o2 && o1 == p.pseudonym("dee@y.org", directory: false))
    }

    @Test func countsDoNotDependOnTheKey() throws {
        let root = sampleLogsDirectory
        let inputs = try InputDiscovery.discover([root])
        var plain = IngestSettings()
        plain.sourceYears["vpn"] = 2020
        var keyed = plain
        keyed.pseudonyms = p
        let a = RollupBuilder.build(Ingest(settings: plain).run(inputs))
        let b = RollupBuilder.build(Ingest(settings: keyed).run(inputs))
        #expect(a.metrics == b.metrics && a.firstDay == b.firstDay && a.lastDay == b.lastDay)
        for m in a.metrics {
            for bu in a.businessUnits(m) {
                let name = a.units[Int(bu)]
                guard let other = b.units.firstIndex(of: name) else { Issue.record("\(name) missing"); continue }
                #expect(a.values[m]?[bu] == b.values[m]?[UInt16(other)], "\(m) \(name)")
            }
        }
    }
}
