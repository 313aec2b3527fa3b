import GapStatistics
import TestSupport
import Testing

@Suite("Months of learning: progress rate")
struct ProgressRateConversionTests {
    @Test("paired rate and its SE, by hand")
    func handWorked() throws {
        // Changes 104−100 = 4, 105−102 = 3, 104−98 = 6, 107−104 = 3: mean 4, s² = (0+1+4+1)/3 = 2.
        // Over 8 months: rate 0.5 a month, SE = √(2/4)/8 = 0.0883883. Gap 2 points → 4 months.
        let conversion = try ProgressRateConversion(
            first: [100, 102, 98, 104], second: [104, 105, 104, 107], monthsBetween: 8, minimumStudents: 4
        )
        expectClose(conversion.ratePerMonth, 0.5, tolerance: 1e-12)
        expectClose(conversion.rateStandardError, 0.5.squareRoot() / 8, tolerance: 1e-12)
        let months = try conversion.months(forGap: 2)
        expectClose(months.months, 4, tolerance: 1e-12)
        #expect(months.method == .progressRate)
        #expect(months.rateUnits == "score points per month of schooling")
        // Rate only: SE(months) = 2 × 0.0883883/0.25 = 0.7071068; CI 4 ± 1.959964 × 0.7071068.
        expectClose(try #require(months.confidenceInterval).lower, 4 - 1.959_964 * 0.707_106_8, tolerance: 1e-5)
        #expect(months.note?.contains("rate only") == true)
    }

    @Test("recovers a planted rate from 500 paired students")
    func plantedRate() throws {
        // Autumn N(100, 15²); summer = autumn + 0.75 × 8 + N(0, 4²): 0.75 points a month.
        // SE(rate) = 4/√500/8 ≈ 0.022.
        var generator = SeededGenerator(seed: 808)
        let autumn = normalSample(count: 500, mean: 100, standardDeviation: 15, using: &generator)
        let summer = autumn.map { $0 + 6 + Normal.sample(standardDeviation: 4, using: &generator) }
        let conversion = try ProgressRateConversion(first: autumn, second: summer, monthsBetween: 8)
        expectClose(conversion.ratePerMonth, 0.75, tolerance: 0.09)
        #expect(conversion.studentCount == 500)
    }

    @Test("consecutive year groups: difference of means over 12 months")
    func yearGroups() throws {
        // Year 4 mean 100, Year 5 mean 106: 6 points in 12 months = 0.5 a month.
        let earlier = (0..<20).map { 100 + Double($0 % 5) - 2 }
        let later = (0..<20).map { 106 + Double($0 % 5) - 2 }
        let conversion = try ProgressRateConversion(earlierYearGroup: earlier, laterYearGroup: later)
        expectClose(conversion.ratePerMonth, 0.5, tolerance: 1e-12)
        #expect(conversion.studentCount == 40)
    }

    @Test("refuses no progress, a bad interval and too few students")
    func refusals() {
        let first = (0..<12).map { Double($0) }
        #expect(throws: MonthsOfLearningError.self) {
            try ProgressRateConversion(first: first, second: first.map { $0 - 1 }, monthsBetween: 8)
        }
        #expect(throws: MonthsOfLearningError.invalidMonthsBetween(0)) {
            try ProgressRateConversion(first: first, second: first, monthsBetween: 0)
        }
        #expect(throws: MonthsOfLearningError.tooFewStudents(found: 3, needed: 10)) {
            try ProgressRateConversion(first: [1, 2, 3], second: [2, 3, 4], monthsBetween: 8)
        }
    }
}
