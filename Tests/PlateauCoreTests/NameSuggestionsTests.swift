import Testing
@testable import PlateauCore

/// Valid names closest first, for the errors about unknown ones (issue 18).
@Suite struct NameSuggestionsTests {
    @Test func editDistance() {
        func d(_ a: String, _ b: String) -> Int { NameSuggestions.distance(Array(a.unicodeScalars), Array(b.unicodeScalars)) }
        #expect(d("", "") == 0 && d("abc", "") == 3 && d("", "ab") == 2)
        #expect(d("kitten", "sitting") == 3)
        #expect(d("Iberia", "Iberai") == 2)
        #expect(d("meetings.users", "meeting.users") == 1)
    }

    @Test func closestFirstIgnoresCaseAndKeepsTheGivenOrderOnTies() {
        #expect(NameSuggestions.closestFirst("IBERIA", ["Benelux", "Iberia", "Italy"]) == ["Iberia", "Italy", "Benelux"])
        #expect(NameSuggestions.closestFirst("x", ["ab", "cd", "ef"]) == ["ab", "cd", "ef"])
        #expect(NameSuggestions.unknown("metric", "x", []) == "unknown metric 'x' (none is known)")
        #expect(NameSuggestions.unknown("zone", "b", ["a", "b", "c"], limit: 2) == "unknown zone 'b' (closest: b, a, …)")
    }
}
