import GapStatistics
import TestSupport
import Testing

/// The mean gap and Hedges' g from each group's count, mean and variance (what the report SQL
/// returns) give exactly what they give from the scores, and the values worked by hand.
@Suite struct SummaryStatisticsTests {
    static let disadvantaged: [Double] = [1, 2, 3, 4]
    static let others: [Double] = [3, 5, 7]

    @Test func meanScoreGapFromSummariesIsTheGapFromScores() throws {
        let fromScores = try MeanScoreGap(disadvantaged: Self.disadvantaged, others: Self.others)
        let fromSummaries = try MeanScoreGap(
            disadvantaged: SampleSummary(count: 4, mean: 2.5, variance: 5.0 / 3), others: SampleSummary(count: 3, mean: 5, variance: 4))
        // 5 − 2.5; √(4/3 + (5/3)/4) = √1.75.
        expectClose(fromSummaries.value, 2.5, tolerance: 1e-12, "gap")
        expectClose(fromSummaries.standardError, 1.3228756555322954, tolerance: 1e-12, "standard error")
        expectClose(fromSummaries.confidenceInterval?.lower, fromScores.confidenceInterval?.lower, tolerance: 1e-12, "lower")
        expectClose(fromSummaries.confidenceInterval?.upper, fromScores.confidenceInterval?.upper, tolerance: 1e-12, "upper")
        #expect(throws: StatisticsError.tooFewValues(group: "others", found: 1, needed: 2)) {
            try MeanScoreGap(disadvantaged: SampleSummary(count: 4, mean: 2.5, variance: 1), others: SampleSummary(count: 1, mean: 5, variance: 0))
        }
    }

    @Test func hedgesGFromSummariesIsTheEffectSizeFromScores() throws {
        let fromScores = try StandardisedGap(disadvantaged: Self.disadvantaged, others: Self.others)
        let fromSummaries = try StandardisedGap(
            disadvantaged: SampleSummary(count: 4, mean: 2.5, variance: 5.0 / 3), others: SampleSummary(count: 3, mean: 5, variance: 4))
        // s_p = √((2·4 + 3·5/3) / 5) = √2.6; d = 2.5 / s_p = 1.550434; J = 1 − 3/19; g = 1.305629.
        expectClose(fromSummaries.pooledStandardDeviation, 1.61245154965971, tolerance: 1e-12, "pooled SD")
        expectClose(fromSummaries.hedgesG, 1.3056287851495625, tolerance: 1e-12, "g")
        expectClose(fromSummaries.confidenceInterval.lower, fromScores.confidenceInterval.lower, tolerance: 1e-12, "lower")
        expectClose(fromSummaries.confidenceInterval.upper, fromScores.confidenceInterval.upper, tolerance: 1e-12, "upper")
        #expect(throws: StatisticsError.noSpread("the scores within each group")) {
            try StandardisedGap(disadvantaged: SampleSummary(count: 4, mean: 2, variance: 0), others: SampleSummary(count: 3, mean: 5, variance: 0))
        }
    }
}
