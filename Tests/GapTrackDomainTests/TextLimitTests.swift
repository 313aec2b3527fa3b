import GapTrackDomain
import Testing

@Suite("Text limits: Unicode scalars, control characters, short quotes")
struct TextLimitTests {
    @Test func lengthIsCountedInUnicodeScalarsNotGraphemeClusters() {
        let limit = TextLimit(field: "staff", maximum: 5)
        let fiveScalars = "e\u{0301}\u{0301}\u{0301}\u{0301}"
        #expect(fiveScalars.count == 1)
        #expect(limit.problem(fiveScalars) == nil)
        let problem = limit.problem(fiveScalars + "\u{0301}")
        #expect(problem?.hasPrefix("is 6 characters long") == true)
        #expect(problem?.hasSuffix("at most 5 are accepted") == true)
        // A flag is two scalars.
        #expect(limit.problem("🇬🇧🇬🇧🇬🇧") != nil)
        #expect(limit.problem("🇬🇧🇬🇧") == nil)
    }

    @Test func controlCharactersAreRefusedButLineBreaksOnlyWhereAllowed() {
        #expect(TextLimit.staff.problem("A\u{0}B")?.contains("U+0000") == true)
        #expect(TextLimit.staff.problem("A\u{7F}B")?.contains("U+007F") == true)
        #expect(TextLimit.staff.problem("A\u{85}B")?.contains("U+0085") == true)
        #expect(TextLimit.staff.problem("A\tB") != nil)
        #expect(TextLimit.intendedOutcome.problem("A\tB\r\nC") == nil)
        #expect(TextLimit.intendedOutcome.problem("A\u{0}B") != nil)
        // Printable text outside ASCII is fine.
        #expect(TextLimit.staff.problem("Zoë Ó Briain – 張") == nil)
    }

    @Test func quotesShowAShortPrefixWithControlsEscaped() {
        let long = String(repeating: "x", count: 100_000)
        #expect(TextLimit.quoted(long) == String(repeating: "x", count: 40) + "…")
        #expect(TextLimit.quoted("a\u{0}b") == "a\\u{0000}b")
        #expect(TextLimit.quoted("short") == "short")
    }

    @Test func theDocumentedMaximaAreOnePerField() {
        #expect(TextLimit.of("student").maximum == 50)
        #expect(TextLimit.of("reference").maximum == 200)
        #expect(TextLimit.of("staff").maximum == 200)
        #expect(TextLimit.of("intended_outcome").maximum == 2000)
        #expect(TextLimit.of("subject").maximum == 100)
        #expect(TextLimit.of("assessment").maximum == 200)
        #expect(TextLimit.of("result").maximum == 20)
        #expect(TextLimit.of("type").maximum == 200)
        #expect(Set(TextLimit.all.map(\.field)).count == TextLimit.all.count)
    }
}
