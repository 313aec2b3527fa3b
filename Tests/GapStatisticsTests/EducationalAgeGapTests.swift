import GapStatistics
import TestSupport
import Testing

@Suite("Months of learning: educational age (after EPI)")
struct EducationalAgeGapTests {
    @Test("recovers a planted gap in months on the rank scale")
    func plantedGap() throws {
        // Latent attainment = 0.1 × age + N(0, 1) − 0.3 for disadvantaged students: the gap is
        // worth 0.3/0.1 = 3 months of age. Ranking is monotone and both effects are small
        // shifts of the same latent scale, so on the rank scale the ratio stays close to 3.
        var generator = SeededGenerator(seed: 4_321)
        var students = [(score: Double, ageInMonths: Double, isDisadvantaged: Bool)]()
        for student in 0..<20_000 {
            let age = 48 + Double(generator.index(below: 12))
            let isDisadvantaged = student % 4 == 0
            let score = 0.1 * age + Normal.sample(using: &generator) - (isDisadvantaged ? 0.3 : 0)
            students.append((score, age, isDisadvantaged))
        }
        let result = try EducationalAgeGap(students: students)
        expectClose(result.monthsOfLearning.months, 3, tolerance: 0.6, "months")
        expectClose(
            result.educationalAgeOthers - result.educationalAgeDisadvantaged, result.monthsOfLearning.months,
            tolerance: 1e-9, "difference of educational ages"
        )
        #expect(result.monthsOfLearning.method == .educationalAge)
        #expect(result.monthsOfLearning.gapUnits == "percentile rank (0–1)")
        #expect(result.monthsOfLearning.studentCount == 20_000)
        expectClose(result.monthsOfLearning.gap, result.gapIndex.value / 20, tolerance: 1e-12)
        #expect(try #require(result.monthsOfLearning.confidenceInterval).contains(3))
    }

    @Test("refuses a cohort with an empty group")
    func emptyGroup() {
        let students = (0..<40).map { (score: Double($0), ageInMonths: Double($0 % 12), isDisadvantaged: false) }
        #expect(throws: MonthsOfLearningError.invalidData(.emptyGroup("disadvantaged"))) {
            try EducationalAgeGap(students: students)
        }
    }
}
