import Foundation
import Testing
@testable import PlateauCore

/// The TOML constructs toml++ asserts on (found by the `config` fuzz target) are refused with a
/// line, before toml++ sees them; everything around them that is valid TOML still loads.
@Suite struct TOMLGuardTests {
    /// Each must be refused on the line given (toml++ would abort the debug build on it).
    static let refused: [(String, Int)] = [
        ("[é]\n", 1),
        ("a = 1\n[.a]\n", 2),
        ("[[ =]]\n", 1),
        ("a = 1\n\n[", 3),
        ("a = [}\n", 1),
        ("a = [1, }]\n", 1),
        ("a = [\n  1,\n  # note\n  }\n]\n", 4),
        ("a = [\u{2028}1]\n", 1),
        ("a = [1,\u{2029}]\n", 1),
        ("a = [\u{85}]\n", 1),
        ("t = { a = [ } ] }\n", 1),
        ("a = [[1], [}]]\n", 1),
    ]

    @Test(arguments: refused)
    func refusesWhatTomlPlusPlusAssertsOn(_ text: String, _ line: Int) {
        let found = TOMLGuard.firstAssertion(text)
        #expect(found?.line == line, "\(text.debugDescription)")
        #expect(throws: ConfigError.self) { try PlateauConfig.parse(text, path: "plateau.toml") }
        #expect(throws: AlertRulesError.self) { try AlertRules.parse(text, path: "rules.toml") }
    }

    /// Valid TOML with every construct the guard tracks: arrays of arrays whose lines start with
    /// `[`, inline tables with commas, `}` and `[` inside strings and comments.
    @Test func letsValidTomlThrough() throws {
        let text = """
            organisation = "a [ } ] group, { \\"quoted\\" }"
            business_days = [
              "Mon", # a comment with } and [
              "Tue",
            ]
            remote_locations = ['}', "[x]", '''multi
            [line]''']
            nested = [
            [1, 2],
            [3],
            ]
            point = { x = 1, y = [2, 3], z = { w = "}" } }

            [sources.vpn]
            timezone = "Europe/Paris"
            """
        #expect(TOMLGuard.firstAssertion(text) == nil)
        // Unknown keys are the configuration's own error, not the guard's.
        #expect(TOMLGuard.firstAssertion("a = [1, 2]\n[[capacity]]\nmetric = \"vpn.peak_sessions\"\n") == nil)
    }

    /// What the guard refuses, the configuration error says with its line.
    @Test func theErrorNamesTheLine() {
        do {
            _ = try PlateauConfig.parse("timezone = \"UTC\"\nremote_locations = [\"a\", }]\n", path: "plateau.toml")
            Issue.record("accepted")
        } catch let e as ConfigError {
            #expect(e.description.contains("plateau.toml"))
            #expect(e.description.contains("line 2"))
            #expect(e.description.contains("array element"))
        } catch { Issue.record("\(error)") }
    }
}
