import GapStatistics
import TestSupport
import Testing

@Suite("Mean score gap (Welch)")
struct MeanScoreGapTests {
    @Test("equal sizes and spreads: 4 degrees of freedom, by hand")
    func equalGroups() throws {
        // D = 1, 2, 3 (mean 2, variance 1); O = 4, 5, 6 (mean 5, variance 1). Gap 3.
        // SE² = 1/3 + 1/3 = 2/3, SE = 0.8164966. df = (2/3)² / ((1/3)²/2 + (1/3)²/2) = 4.
        // t(0.975, 4) = 2.776445 (tables). CI = 3 ± 2.776445 × 0.8164966 = 3 ± 2.266958.
        let gap = try MeanScoreGap(disadvantaged: [1, 2, 3], others: [4, 5, 6])
        expectClose(gap.value, 3, tolerance: 1e-12)
        expectClose(gap.standardError, 0.816_496_580_927_726, tolerance: 1e-12)
        expectClose(gap.degreesOfFreedom, 4, tolerance: 1e-12)
        let ci = try #require(gap.confidenceInterval)
        expectClose(ci.lower, 0.733_042, tolerance: 1e-5)
        expectClose(ci.upper, 5.266_958, tolerance: 1e-5)
        #expect(ci.method == .welch)
    }

    @Test("unequal sizes and spreads: fractional Welch–Satterthwaite df, by hand")
    func unequalGroups() throws {
        // D = 2, 4, 6: mean 4, s² = (4 + 0 + 4)/2 = 4. O = 5, 7, 9, 11, 13: mean 9, s² = (16+4+0+4+16)/4 = 10.
        // Gap 5. SE² = 10/5 + 4/3 = 3.333333, SE = 1.825742.
        // df = 3.333333² / ((10/5)²/4 + (4/3)²/2) = 11.111111 / (1 + 0.888889) = 5.882353.
        // t(0.975, 5.882353) = 2.458824 (SciPy); it must lie between the table's t(5) = 2.5706
        // and t(6) = 2.4469. CI = 5 ± 2.458824 × 1.825742.
        let gap = try MeanScoreGap(disadvantaged: [2, 4, 6], others: [5, 7, 9, 11, 13])
        expectClose(gap.value, 5, tolerance: 1e-12)
        expectClose(gap.disadvantaged.variance, 4, tolerance: 1e-12)
        expectClose(gap.others.variance, 10, tolerance: 1e-12)
        expectClose(gap.degreesOfFreedom, 5.882_352_941, tolerance: 1e-8)
        let ci = try #require(gap.confidenceInterval)
        let multiplier = (ci.upper - gap.value) / gap.standardError
        expectClose(multiplier, 2.458_823_709_699_146, tolerance: 1e-7)
        #expect(multiplier < 2.5706 && multiplier > 2.4469)
    }

    @Test("needs two scores per group")
    func errors() {
        #expect(throws: StatisticsError.tooFewValues(group: "disadvantaged", found: 1, needed: 2)) {
            try MeanScoreGap(disadvantaged: [1], others: [2, 3])
        }
        #expect(throws: StatisticsError.nonFiniteValue(group: "others", position: 2)) {
            try MeanScoreGap(disadvantaged: [1, 2], others: [2, 3, .nan])
        }
    }
}
