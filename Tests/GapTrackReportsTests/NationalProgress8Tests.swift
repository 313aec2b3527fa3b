@testable import GapTrackReports
import GapTrackStore
import Testing

/// Progress 8 for the years the DfE does not publish it (docs/methodology.md §8.3).
@Suite struct NationalProgress8Tests {
    private func section(resultsYear: Int) -> KeyStage4Section {
        let counts = KeyStage4Counts(
            assessment: "GCSE", subjects: ["English", "Maths"], slots: ["english", "maths"],
            disadvantaged: KeyStage4GroupCounts(pupils: 12, withoutEnglishOrMaths: 0, grade4: 6, grade5: 3),
            others: KeyStage4GroupCounts(pupils: 30, withoutEnglishOrMaths: 0, grade4: 21, grade5: 15))
        return TermlyGapReportBuilder().keyStage4Section(counts, resultsYear: resultsYear)
    }

    /// GCSEs of 2025 and 2026: the KS2 tests of 2020 and 2021 were cancelled, so the section says the
    /// DfE publishes no Progress 8 for that year, quotes why and names the page.
    @Test(arguments: [(2025, "2024/25"), (2026, "2025/26")])
    func aYearWithoutAPublishedProgress8SaysSoWithTheDfEsReason(resultsYear: Int, academicYear: String) {
        let text = section(resultsYear: resultsYear).progress8NotComputed
        #expect(text.hasPrefix("not published for \(academicYear): Department for Education: \"It is not possible to calculate Progress 8"))
        #expect(text.contains("gaps in the baseline caused by COVID-19 disruption"))
        #expect(text.contains("https://explore-education-statistics.service.gov.uk/find-statistics/key-stage-4-performance/2024-25/data-guidance"))
    }

    /// 2024's Progress 8 was published; gaptrack cannot compute the school's own, and says that instead.
    @Test func aPublishedYearStillSaysWhyTheSchoolsOwnIsNotComputed() {
        let text = section(resultsYear: 2024).progress8NotComputed
        #expect(text.hasPrefix("not computed: Progress 8 compares each pupil's Attainment 8"))
        #expect(NationalProgress8.notPublishedText(resultsYear: 2024) == nil)
    }
}
