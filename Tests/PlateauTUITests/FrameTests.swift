import Testing
@testable import PlateauCore
@testable import PlateauTUI

struct FrameTests {
    @Test func escapeSequencesAndControlsFromLogsNeverReachTheScreen() {
        var f = Frame(width: 30, height: 1)
        f.put("evil\u{1B}[2J\u{07}bu\u{9B}31m\u{200B}x\r\n", x: 0, y: 0)
        let line = f.lines[0]
        #expect(!line.unicodeScalars.contains { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) })
        #expect(line.hasPrefix("evil?[2J?bu?31mx??"))
    }

    @Test func textIsClippedToTheFrameAndToItsWidth() {
        var f = Frame(width: 10, height: 2)
        #expect(f.put("abcdefghijklmnop", x: 4, y: 0) == 6)
        #expect(f.put("abcdef", x: 0, y: 1, maxWidth: 3) == 3)
        #expect(f.put("zzz", x: 0, y: 5) == 0)
        #expect(f.lines == ["    abcdef", "abc       "])
    }

    @Test func combiningMarksDoNotShiftColumns() {
        var f = Frame(width: 6, height: 1)
        f.put("e\u{301}te\u{301}|", x: 0, y: 0)
        #expect(f.lines[0] == "ete|  ")
    }
}

struct InputsViewTests {
    let inputs = [
        DiscoveredInput(path: "Logs/proxy/nss-web-2020-03-23.csv.gz", size: 1_234_567, compressed: true, format: .zscalerNSSCSV),
        DiscoveredInput(path: "Logs/vpn/asa-vpn-02.log", size: 999, compressed: false, format: .asaSyslog),
        DiscoveredInput(path: "Logs/notes\u{1B}[31m.txt", size: 12, compressed: false, format: nil),
    ]

    @Test func fitsEightyByTwentyFour() {
        let f = InputsView(roots: ["Logs"], inputs: inputs).render(width: 80, height: 24)
        let l = f.lines
        #expect(l.count == 24 && l.allSatisfy { $0.unicodeScalars.count == 80 })
        #expect(l[0].contains("plateau") && l[0].contains("3 files · 2 recognised · 1.2 MB"))
        #expect(l[4].hasPrefix(" zscaler-nss-csv") && l[4].contains("1.2 MB") && l[4].contains("proxy/nss-web-2020-03-23.csv.gz"))
        #expect(l[5].contains("asa-syslog") && l[5].contains("999 B"))
        #expect(l[6].contains("unknown") && l[6].contains("notes?[31m.txt"))
        #expect(l[23].contains("q quit"))
        #expect(f[1, 6].style.color == .warning)
    }

    @Test func scrollsAndSaysHowManyRemain() {
        let many = (0..<50).map { DiscoveredInput(path: "L/f\($0)", size: 1, compressed: false, format: .directory) }
        var v = InputsView(roots: ["L"], inputs: many)
        #expect(v.render(width: 80, height: 10).lines[9].contains("45 more below"))
        v.scroll = 10
        #expect(v.render(width: 80, height: 10).lines[4].contains("f10"))
    }

    @Test func degradesOnTinyWindowsAndUsesWideOnes() {
        #expect(InputsView(roots: ["L"], inputs: inputs).render(width: 12, height: 3).lines[0] == "plateau: win")
        let wide = InputsView(roots: ["L"], inputs: inputs).render(width: 200, height: 60)
        #expect(wide.lines[0].hasSuffix("1.2 MB "))
    }
}
