import Foundation
import Testing
import GapTrackDomain

@Suite("Cohort codes: the one grammar")
struct CohortCodeTests {
    @Test("every spelling of a year group is the same cohort", arguments: [
        ("year-11", "year-11"), ("Year 11", "year-11"), ("Y11", "year-11"), ("11", "year-11"), (" YEAR-11\u{00A0}", "year-11"),
        ("year-r", "year-r"), ("R", "year-r"), ("Reception", "year-r"), ("n1", "year-n1"), ("year-14", "year-14"),
    ])
    func yearGroups(text: String, code: String) throws {
        #expect(try CohortCode(parsing: text).code == code)
    }

    @Test("courses and intakes keep their codes, lower case")
    func coursesAndIntakes() throws {
        #expect(try CohortCode(parsing: "course-BSC-PSY") == .course("bsc-psy"))
        #expect(try CohortCode(parsing: "BSC-PSY").code == "course-bsc-psy")
        #expect(try CohortCode(parsing: "intake-2024") == .intake(2024))
        #expect(try CohortCode(parsing: "intake-2024").code == "intake-2024")
    }

    @Test("school years map to the phase numbers")
    func schoolYears() throws {
        #expect(try CohortCode(parsing: "year-r").schoolYear == 0)
        #expect(try CohortCode(parsing: "year-7").schoolYear == 7)
        #expect(try CohortCode(parsing: "intake-2024").schoolYear == nil)
    }

    @Test("malformed cohorts are refused with the reason", arguments: ["", "year-15", "year-x", "intake-24", "intake-abcd", "two words"])
    func refused(text: String) {
        #expect(throws: CohortCodeError.self) { try CohortCode(parsing: text) }
    }

    @Test("JSON round trip writes the code")
    func codable() throws {
        let data = try JSONEncoder().encode([CohortCode.yearGroup("11")])
        #expect(String(decoding: data, as: UTF8.self) == "[\"year-11\"]")
        #expect(try JSONDecoder().decode([CohortCode].self, from: data) == [.yearGroup("11")])
    }
}

@Suite("Provider codes")
struct ProviderCodeTests {
    @Test("codes are trimmed and lower-cased")
    func normalised() throws {
        #expect(try ProviderCode(parsing: " Demo-Academy\u{00A0}").value == "demo-academy")
    }

    @Test("codes outside the rule are refused", arguments: ["", "a", "-lead", "has space", "semi;colon", String(repeating: "a", count: 64)])
    func refused(text: String) {
        #expect(throws: ProviderCodeError.invalid(text)) { try ProviderCode(parsing: text) }
    }
}
