import Foundation
import PlateauCore
import Testing

/// The remote-access vendors through the store: a mixed estate (GlobalProtect, FortiGate, Pulse,
/// OpenVPN, ASA; Citrix ICA) ingested with `--store` gives the in-memory snapshot cell for cell,
/// so session edges (Pulse, OpenVPN, Citrix: a start and an end logged apart) are kept and
/// paired as the in-memory reading pairs them — also when the ends come in a later ingest.
@Suite(.serialized)
struct RemoteAccessStoreCLITests {
    @Test func aMixedEstateThroughTheStore() throws {
        let s = StoreCLITests.Scratch()
        let g = try s.run(["generate", "--out", s.data, "--scale", "0.005", "--from", "2020-03-09", "--to", "2020-03-20",
                           "--only", "directory,vpn,vdi", "--vpn-vendor", "mixed", "--quiet"])
        #expect(g.code == 0, "\(g.err)")
        try Data("timezone = \"Europe/Paris\"\n[sources.vpn]\ntimezone = \"Europe/Paris\"\nyear = 2020\n".utf8)
            .write(to: URL(fileURLWithPath: s.dir + "/plateau.toml"))
        let files = listFiles(s.data)
        #expect(files.contains { $0.hasPrefix("vpn/pulse-") } && files.contains { $0.hasPrefix("vdi/netscaler-") })
        // Two ingests: the directory and the ASA first, then the vendors' logs.
        let first = files.filter { $0.hasPrefix("directory/") || $0.hasPrefix("vpn/asa") }.map { s.data + "/" + $0 }
        _ = try s.ingest(first)
        _ = try s.ingest()
        let memory = try s.memoryCSV()
        let stored = try s.storeCSV()
        let vpnAndVDI = { (csv: String) in csv.split(separator: "\n").filter { $0.contains("vpn.") || $0.contains("vdi.") } }
        #expect(vpnAndVDI(memory).count > 20)
        #expect(vpnAndVDI(stored) == vpnAndVDI(memory))
    }
}

private func listFiles(_ root: String) -> [String] {
    let e = FileManager.default.enumerator(atPath: root)
    var out: [String] = []
    while let p = e?.nextObject() as? String {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: root + "/" + p, isDirectory: &isDir), !isDir.boolValue { out.append(p) }
    }
    return out.sorted()
}
