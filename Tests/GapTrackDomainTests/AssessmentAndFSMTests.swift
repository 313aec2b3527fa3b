import Foundation
import Testing
import GapTrackDomain

private func date(_ text: String) -> CalendarDate { try! CalendarDate(parsing: text) }
private func spell(_ start: String, _ end: String?) -> FSMSpell { try! FSMSpell(start: date(start), end: end.map(date)) }

@Suite("Assessment scales")
struct AssessmentScaleTests {
    @Test("KS2 scaled scores 80-120")
    func ks2() throws {
        #expect(try AssessmentScale.ks2ScaledScore.score("100") == 100)
        #expect(try AssessmentScale.ks2ScaledScore.score("80") == 80)
        #expect(try AssessmentScale.ks2ScaledScore.score("120") == 120)
        #expect(throws: AssessmentScoreError.outOfRange(scale: .ks2ScaledScore, text: "79")) { try AssessmentScale.ks2ScaledScore.score("79") }
        #expect(throws: AssessmentScoreError.outOfRange(scale: .ks2ScaledScore, text: "121")) { try AssessmentScale.ks2ScaledScore.score("121") }
        #expect(throws: AssessmentScoreError.notAWholeNumber(scale: .ks2ScaledScore, text: "100.5")) { try AssessmentScale.ks2ScaledScore.score("100.5") }
        let message = AssessmentScoreError.outOfRange(scale: .ks2ScaledScore, text: "121").description
        #expect(message == "'121' is outside the range of the KS2 scaled score scale; it should be a whole number from 80 to 120")
    }

    @Test("GCSE grades 9-1 and U")
    func gcse() throws {
        #expect(try AssessmentScale.gcse.score("9") == 9)
        #expect(try AssessmentScale.gcse.score("U") == 0)
        #expect(try AssessmentScale.gcse.score("u") == 0)
        #expect(try AssessmentScale.gcse.score("0") == 0)
        #expect(throws: AssessmentScoreError.outOfRange(scale: .gcse, text: "10")) { try AssessmentScale.gcse.score("10") }
        #expect(throws: AssessmentScoreError.notAScore(scale: .gcse, text: "A*")) { try AssessmentScale.gcse.score("A*") }
        #expect(throws: AssessmentScoreError.empty(scale: .gcse)) { try AssessmentScale.gcse.score(" ") }
    }

    @Test("standardised scores 55-145, percentages and HE marks 0-100")
    func otherScales() throws {
        #expect(try AssessmentScale.standardisedScore.score("55") == 55)
        #expect(try AssessmentScale.standardisedScore.score("145") == 145)
        #expect(throws: AssessmentScoreError.self) { try AssessmentScale.standardisedScore.score("54") }
        #expect(throws: AssessmentScoreError.self) { try AssessmentScale.standardisedScore.score("146") }
        #expect(try AssessmentScale.percentage.score("45.5%") == 45.5)
        #expect(try AssessmentScale.heMark.score("62.25") == 62.25)
        #expect(throws: AssessmentScoreError.self) { try AssessmentScale.percentage.score("101") }
        #expect(throws: AssessmentScoreError.self) { try AssessmentScale.heMark.score("-1") }
        #expect(throws: AssessmentScoreError.self) { try AssessmentScale.percentage.score("nan") }
        #expect(throws: AssessmentScoreError.self) { try AssessmentScale.percentage.score("1e2") }
    }

    @Test("degree classes rank third < 2:2 < 2:1 < first")
    func degreeClass() throws {
        #expect(try AssessmentScale.degreeClass.score("First") == 4)
        #expect(try AssessmentScale.degreeClass.score("1st") == 4)
        #expect(try AssessmentScale.degreeClass.score("2:1") == 3)
        #expect(try AssessmentScale.degreeClass.score("Upper second") == 3)
        #expect(try AssessmentScale.degreeClass.score("2:2") == 2)
        #expect(try AssessmentScale.degreeClass.score("3rd") == 1)
        #expect(throws: AssessmentScoreError.notAScore(scale: .degreeClass, text: "Fourth")) { try AssessmentScale.degreeClass.score("Fourth") }
        #expect(DegreeClass.third < .first)
        #expect(DegreeClass.upperSecond.displayName == "2:1")
        #expect(try AssessmentScale.parse("KS2 scaled score") == .ks2ScaledScore)
    }
}

@Suite("School census days")
struct SchoolCensusTests {
    @Test("first Thursday of October, third Thursday of January and of May", arguments: [
        (2022, ["2022-10-06", "2023-01-19", "2023-05-18"]),
        (2023, ["2023-10-05", "2024-01-18", "2024-05-16"]),
        (2024, ["2024-10-03", "2025-01-16", "2025-05-15"]),
    ])
    func publishedDates(startYear: Int, expected: [String]) {
        #expect(SchoolCensus.censusDays(of: AcademicYear(startYear: startYear)) == expected.map(date))
    }
}

@Suite("FSM Ever 6 reference")
struct FSMEver6Tests {
    // The October 2022 census day: the 2023-24 pupil premium counts FSM recorded in any census
    // from January 2017 to October 2022.
    let october2022Census = date("2022-10-06")

    @Test("the window holds 18 census days: January 2017 to October 2022")
    func window() {
        let days = FSMEver6.qualifyingCensusDays(on: october2022Census)
        #expect(days.count == 18)
        #expect(days.first == date("2017-01-19"))
        #expect(days.last == date("2022-10-06"))
    }

    @Test("eligible on a census day within six years")
    func eligibleOnCensusDay() {
        // Eligible across the January 2017 census (19 January 2017) only.
        let spells = [spell("2017-01-09", "2017-02-10")]
        #expect(FSMEver6.isEver6(spells: spells, on: october2022Census))
        #expect(FSMEver6.latestEligibleCensusDay(spells: spells, on: october2022Census) == date("2017-01-19"))
        // Six years after that census day it no longer counts.
        #expect(!FSMEver6.isEver6(spells: spells, on: date("2023-01-19")))
        #expect(FSMEver6.isEver6(spells: spells, on: date("2023-01-18")))
    }

    @Test("the census exactly six years back is outside the window")
    func lowerBoundExcluded() {
        let spells = [spell("2016-09-01", "2016-12-20")] // covers the 6 October 2016 census only
        #expect(!FSMEver6.isEver6(spells: spells, on: october2022Census))
        #expect(FSMEver6.isEver6(spells: spells, on: date("2022-10-05")))
    }

    @Test("eligibility that falls between census days never counts")
    func betweenCensuses() {
        let spells = [spell("2023-02-01", "2023-04-30")] // after January, before May 2023
        #expect(!FSMEver6.isEver6(spells: spells, on: date("2024-01-01")))
    }

    @Test("a new, open spell counts from the next census day")
    func openSpell() {
        let spells = [spell("2024-09-10", nil)]
        #expect(!FSMEver6.isEver6(spells: spells, on: date("2024-10-02")))
        #expect(FSMEver6.isEver6(spells: spells, on: date("2024-10-03")))
        #expect(FSMEver6.isEver6(spells: spells, on: date("2030-10-02")))
    }

    @Test("spells include their end day")
    func endDayIncluded() {
        let spells = [spell("2024-01-01", "2024-01-18")] // ends on the spring 2024 census day
        #expect(FSMEver6.isEver6(spells: spells, on: date("2024-06-01")))
        let endsDayBefore = [spell("2024-01-01", "2024-01-17")]
        #expect(!FSMEver6.isEver6(spells: endsDayBefore, on: date("2024-06-01")))
    }

    @Test("no spells, and a spell that ends before it starts")
    func edgeCases() {
        #expect(!FSMEver6.isEver6(spells: [], on: october2022Census))
        #expect(throws: FSMSpellError.self) { try FSMSpell(start: date("2024-02-01"), end: date("2024-01-01")) }
    }

    @Test("decoding a spell or a date range checks the dates are in order")
    func codable() throws {
        let open = spell("2024-09-10", nil)
        #expect(try JSONDecoder().decode(FSMSpell.self, from: JSONEncoder().encode(open)) == open)
        let backwards = Data(#"{"start":"2024-02-01","end":"2024-01-01"}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(FSMSpell.self, from: backwards) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(CalendarDateRange.self, from: backwards) }
    }

    @Test("explicit census days, for a year the DfE moved one")
    func explicitCensusDays() {
        let spells = [spell("2020-01-01", "2020-01-31")]
        #expect(FSMEver6.isEver6(spells: spells, on: date("2021-01-01"), censusDays: [date("2020-01-23")]))
        #expect(!FSMEver6.isEver6(spells: spells, on: date("2021-01-01"), censusDays: [date("2020-02-06")]))
        #expect(!FSMEver6.isEver6(spells: spells, on: date("2026-01-24"), censusDays: [date("2020-01-23")]))
    }
}
