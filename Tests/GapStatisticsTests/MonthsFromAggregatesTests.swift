import GapStatistics
import TestSupport
import Testing

/// Months of learning from aggregates, against values worked by hand (delta method:
/// SE² = (SE_gap / rate)² + (gap · SE_rate / rate²)², z = 1.959964).
@Suite struct MonthsFromAggregatesTests {
    @Test func progressRateFromPairedChanges() throws {
        // rate = 0.9 / 6 = 0.15 points a month; SE(rate) = √(0.64 / 50) / 6 = 0.0188562;
        // months = 1.2 / 0.15 = 8; SE = √(2² + 1.005663²) = 2.238606; 8 ∓ 4.387588.
        let months = try MonthsOfLearning.byProgressRate(
            scoreGap: 1.2, scoreGapStandardError: 0.3, paired: 50, meanChange: 0.9, changeVariance: 0.64, monthsBetween: 6,
            scoreUnits: "points", level: 0.95).get()
        expectClose(months.months, 8, tolerance: 1e-12, "months")
        expectClose(months.ratePerMonth, 0.15, tolerance: 1e-12, "rate")
        expectClose(months.confidenceInterval?.lower, 3.612412338470386, tolerance: 1e-9, "lower")
        expectClose(months.confidenceInterval?.upper, 12.387587661529615, tolerance: 1e-9, "upper")
        #expect(months.method == .progressRate && months.studentCount == 50 && months.note == nil)
        #expect(months.rateUnits == "points per month of schooling")
    }

    @Test func progressRateRefusals() {
        func refusal(paired: Int = 50, meanChange: Double = 0.9, changeVariance: Double = 0.64, monthsBetween: Double = 6) -> MonthsOfLearning.Refusal? {
            if case let .failure(refusal) = MonthsOfLearning.byProgressRate(
                scoreGap: 1.2, scoreGapStandardError: nil, paired: paired, meanChange: meanChange, changeVariance: changeVariance,
                monthsBetween: monthsBetween, scoreUnits: "points", level: 0.95) { return refusal }
            return nil
        }
        #expect(refusal(paired: 1) == .statistics(.tooFewStudents(found: 1, needed: max(2, ProgressRateConversion.defaultMinimumStudents))))
        #expect(refusal(monthsBetween: 0) == .statistics(.invalidMonthsBetween(0)))
        #expect(refusal(meanChange: -0.5, monthsBetween: 5) == .statistics(.rateNotPositive(rate: -0.1, units: "points per month of schooling")))
        // SE(rate) = √(40 / 50) / 6 = 0.149; 0.15 − 1.96 × 0.149 < 0.
        #expect(refusal(changeVariance: 40) == .progressTooUncertain(level: 0.95))
        #expect(refusal() == nil)
    }

    @Test func educationalAgeFromTheLeastSquaresLine() throws {
        // SE(slope) = √(7 / 118 / 9000) = 0.00256736; months = 0.08 / 0.01 = 8;
        // SE = √(2² + 2.053888²) = 2.866832; 8 ∓ 5.618795.
        let months = try MonthsOfLearning.byEducationalAge(
            rankGap: 0.08, rankGapStandardError: 0.02, count: 120, slope: 0.01, sumSquaresAge: 9000, residualSumSquares: 7, level: 0.95).get()
        expectClose(months.months, 8, tolerance: 1e-9, "months")
        expectClose(months.confidenceInterval?.lower, 2.3812048168837743, tolerance: 1e-9, "lower")
        expectClose(months.confidenceInterval?.upper, 13.618795183116227, tolerance: 1e-9, "upper")
        #expect(months.method == .educationalAge && months.studentCount == 120)
    }

    @Test func educationalAgeRefusals() {
        func refusal(count: Int = 120, slope: Double = 0.01, sumSquaresAge: Double = 9000, residualSumSquares: Double = 7) -> MonthsOfLearning.Refusal? {
            if case let .failure(refusal) = MonthsOfLearning.byEducationalAge(
                rankGap: 0.08, rankGapStandardError: nil, count: count, slope: slope, sumSquaresAge: sumSquaresAge,
                residualSumSquares: residualSumSquares, level: 0.95) { return refusal }
            return nil
        }
        #expect(refusal(count: 3) == .statistics(.tooFewStudents(found: 3, needed: AgeGradientConversion.defaultMinimumStudents)))
        #expect(refusal(sumSquaresAge: 0) == .statistics(.agesDoNotVary))
        #expect(refusal(slope: -0.01) == .statistics(.slopeNotPositive(slope: -0.01, units: "percentile rank (0–1) per month of age")))
        // A residual spread so large that the slope's interval reaches zero.
        #expect(refusal(residualSumSquares: 700) == .gradientTooWeak(level: 0.95))
        #expect(refusal() == nil)
    }
}
