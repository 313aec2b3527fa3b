import GapStatistics
import GapTrackReports
import GapTrackStore
import Testing

/// Straightforward, deliberately naive computations of the aggregates `TermlyReportQueries`
/// reads from PostgreSQL: an independent check on both the SQL and `AggregateStatistics`.
enum ReferenceAggregates {
    /// Midranks over everyone, divided by n; placements by counting every pair (O(n²)).
    static func scores(disadvantaged: [Double], others: [Double]) -> (disadvantaged: ScoreAggregates, others: ScoreAggregates) {
        let all = disadvantaged + others
        let n = Double(all.count)
        func percentileRank(_ score: Double) -> Double {
            let below = all.filter { $0 < score }.count
            let tied = all.filter { $0 == score }.count
            return (Double(below) + Double(tied + 1) / 2) / n
        }
        func placement(_ score: Double, against group: [Double], above: Bool) -> Double {
            var total = 0.0
            for other in group {
                if other == score { total += 0.5 } else if above ? other > score : other < score { total += 1 }
            }
            return total / Double(group.count)
        }
        func summary(_ values: [Double], placements: [Double]) -> ScoreAggregates {
            ScoreAggregates(
                count: values.count, mean: mean(values), variance: variance(values),
                meanPercentileRank: mean(values.map(percentileRank)), placementVariance: values.count > 1 ? variance(placements) : nil)
        }
        return (
            summary(disadvantaged, placements: disadvantaged.map { placement($0, against: others, above: true) }),
            summary(others, placements: others.map { placement($0, against: disadvantaged, above: false) })
        )
    }

    /// Least squares of percentile rank (over the given students) on age.
    static func ageGradient(ages: [Double], scores: [Double]) -> AgeGradientAggregates {
        let n = Double(scores.count)
        let ranks = scores.map { score in
            (Double(scores.filter { $0 < score }.count) + Double(scores.filter { $0 == score }.count + 1) / 2) / n
        }
        let meanAge = mean(ages)
        let meanRank = mean(ranks)
        var sxx = 0.0
        var sxy = 0.0
        for (age, rank) in zip(ages, ranks) {
            sxx += (age - meanAge) * (age - meanAge)
            sxy += (age - meanAge) * (rank - meanRank)
        }
        let slope = sxy / sxx
        let intercept = meanRank - slope * meanAge
        let residuals = zip(ages, ranks).map { $1 - intercept - slope * $0 }
        return AgeGradientAggregates(
            count: scores.count, slope: slope, intercept: intercept, sumSquaresAge: sxx, residualSumSquares: residuals.map { $0 * $0 }.reduce(0, +))
    }

    static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

    static func variance(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let m = mean(values)
        return values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)
    }
}
