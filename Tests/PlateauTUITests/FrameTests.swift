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

    @Test func wideGlyphsNeverPushARowPastItsWidth() {
        var f = Frame(width: 12, height: 1)
        f.put("中国業務 ok|", x: 0, y: 0)
        #expect(f.lines[0] == "???? ok|    ")
        #expect(!f.cells.contains { Frame.isWide($0.scalar) })
    }
}
