import GapTrackStore
import GapStatistics

/// The GapStatistics formulas, applied to the aggregates PostgreSQL returns instead of to
/// arrays of scores. Each function names the GapStatistics type it mirrors; the tests check
/// that both give the same figures on the same students.
enum AggregateStatistics {
    /// The DfE gap index with DeLong's interval (mirrors `GapIndex`): index = 20 × (mean rank of
    /// others − of disadvantaged) = 20 × (AUC − ½); Var(AUC) = S10/nO + S01/nD, the sample
    /// variances of the placements (DeLong, DeLong and Clarke-Pearson, Biometrics 44(3), 1988).
    /// The interval is taken on the AUC scale, clamped to [0, 1], then mapped to the index.
    static func gapIndex(disadvantaged d: ScoreAggregates, others o: ScoreAggregates, level: Double) -> (estimate: Estimate, standardError: Double?) {
        let rankGap = o.meanPercentileRank - d.meanPercentileRank
        let value = GapIndex.scaleFactor * rankGap
        guard let s01 = d.placementVariance, let s10 = o.placementVariance, d.count > 1, o.count > 1 else {
            return (Estimate(value, unit: .gapIndex), nil)
        }
        let auc = rankGap + 0.5
        let aucError = (s10 / Double(o.count) + s01 / Double(d.count)).squareRoot()
        let z = Normal.criticalValue(level: level)
        let interval = ConfidenceInterval(
            lower: GapIndex.scaleFactor * (max(0, auc - z * aucError) - 0.5),
            upper: GapIndex.scaleFactor * (min(1, auc + z * aucError) - 0.5),
            level: level, method: .deLong)
        return (Estimate(value, unit: .gapIndex, interval: interval), GapIndex.scaleFactor * aucError)
    }

    /// Mean of others − mean of disadvantaged with Welch's interval (`MeanScoreGap`); nil when
    /// a group has fewer than two students.
    static func meanScoreGap(disadvantaged d: ScoreAggregates, others o: ScoreAggregates, level: Double) -> Estimate? {
        guard let gap = try? MeanScoreGap(disadvantaged: d.summary, others: o.summary, level: level) else { return nil }
        return Estimate(gap.value, unit: .scorePoints, interval: gap.confidenceInterval)
    }

    /// Hedges' g with the Hedges–Olkin interval (`StandardisedGap`); nil when a group has fewer
    /// than two students or no score varies.
    static func hedgesG(disadvantaged d: ScoreAggregates, others o: ScoreAggregates, level: Double) -> Estimate? {
        guard let gap = try? StandardisedGap(disadvantaged: d.summary, others: o.summary, level: level) else { return nil }
        return Estimate(gap.hedgesG, unit: .effectSize, interval: gap.confidenceInterval)
    }

    /// The gap in months by the progress rate (`MonthsOfLearning.byProgressRate`), or why not.
    static func progressRateMonths(
        scoreGap: Double, scoreGapStandardError: Double?, progress: ProgressAggregates?, scoreUnits: String, level: Double
    ) -> Result<MonthsOfLearning, MonthsOfLearning.Refusal> {
        guard let progress else { return .failure(.noEarlierAssessment) }
        return MonthsOfLearning.byProgressRate(
            scoreGap: scoreGap, scoreGapStandardError: scoreGapStandardError, paired: progress.paired, meanChange: progress.meanChange,
            changeVariance: progress.changeVariance, monthsBetween: progress.monthsBetween, scoreUnits: scoreUnits, level: level)
    }

    /// Welch's standard error of the score gap, √(s²_O/n_O + s²_D/n_D) (`MeanScoreGap.standardError`).
    static func meanScoreGapStandardError(disadvantaged d: ScoreAggregates, others o: ScoreAggregates) -> Double? {
        try? MeanScoreGap(disadvantaged: d.summary, others: o.summary).standardError
    }

    /// The gap in months by educational age (`MonthsOfLearning.byEducationalAge`), or why not.
    static func educationalAgeMonths(
        rankGap: Double, rankGapStandardError: Double?, gradient: AgeGradientAggregates?, level: Double
    ) -> Result<MonthsOfLearning, MonthsOfLearning.Refusal> {
        guard let gradient else {
            return .failure(.statistics(.tooFewStudents(found: 0, needed: AgeGradientConversion.defaultMinimumStudents)))
        }
        return MonthsOfLearning.byEducationalAge(
            rankGap: rankGap, rankGapStandardError: rankGapStandardError, count: gradient.count, slope: gradient.slope,
            sumSquaresAge: gradient.sumSquaresAge, residualSumSquares: gradient.residualSumSquares, level: level)
    }

    /// Attendance as a ratio of sums, attended ÷ possible, in percent, with the ratio
    /// estimator's variance over students, Var(R) ≈ Σ(aᵢ − R·pᵢ)² / (n(n − 1)·p̄²)
    /// (W. G. Cochran, Sampling Techniques, 3rd ed., 1977, §6.4). Sessions of one student are
    /// not independent, so an interval over sessions would be far too narrow; this one treats
    /// students as the units. Returns the estimate and its standard error in percentage points.
    static func attendance(_ group: AttendanceAggregates, level: Double) -> (estimate: Estimate, standardError: Double?)? {
        guard group.possible > 0 else { return nil }
        let ratio = Double(group.attended) / Double(group.possible)
        guard group.students > 1 else { return (Estimate(100 * ratio, unit: .percent), nil) }
        let n = Double(group.students)
        let meanPossible = Double(group.possible) / n
        let residualSquares = max(0, group.sumAttendedSquared - 2 * ratio * group.sumAttendedTimesPossible + ratio * ratio * group.sumPossibleSquared)
        let standardError = (residualSquares / (n * (n - 1))).squareRoot() / meanPossible
        let z = Normal.criticalValue(level: level)
        let estimate = Estimate(
            100 * ratio, unit: .percent, lower: 100 * max(0, ratio - z * standardError), upper: 100 * min(1, ratio + z * standardError),
            method: "ratio estimator over students (Cochran 1977, §6.4)")
        return (estimate, 100 * standardError)
    }

    /// A share of students in percent with Wilson's interval (`Proportion`).
    static func percentage(_ count: Int, of total: Int, level: Double) -> Estimate? {
        guard let proportion = try? Proportion(count: count, outOf: total, level: level) else { return nil }
        return Estimate(
            100 * proportion.value, unit: .percent, lower: 100 * proportion.confidenceInterval.lower, upper: 100 * proportion.confidenceInterval.upper,
            method: IntervalMethod.wilson.description)
    }

    /// Difference of two independent estimates with a normal interval: √(se₁² + se₂²).
    static func difference(_ first: Double, _ firstError: Double?, minus second: Double, _ secondError: Double?, unit: FigureUnit, method: String, level: Double) -> Estimate {
        let value = first - second
        guard let firstError, let secondError else { return Estimate(value, unit: unit) }
        let standardError = (firstError * firstError + secondError * secondError).squareRoot()
        let z = Normal.criticalValue(level: level)
        return Estimate(value, unit: unit, lower: value - z * standardError, upper: value + z * standardError, method: method)
    }
}

extension ScoreAggregates {
    /// The group's count, mean and variance, as the sample-based statistics take them.
    var summary: SampleSummary { SampleSummary(count: count, mean: mean, variance: variance) }
}
