/// The gap in mean score, others − disadvantaged, in the assessment's own units, with
/// Welch's confidence interval.
///
/// Why Welch: the two groups rarely have equal spreads or sizes, and Welch's interval does
/// not assume either (B. L. Welch, "The generalization of 'Student's' problem when several
/// different population variances are involved", Biometrika 34(1/2), 1947, 28–35;
/// degrees of freedom by F. E. Satterthwaite, Biometrics Bulletin 2(6), 1946, 110–114).
public struct MeanScoreGap: Sendable, Equatable {
    /// mean(others) − mean(disadvantaged); positive when others score higher.
    public var value: Double
    public var disadvantaged: SampleSummary
    public var others: SampleSummary
    /// √(s²_O/n_O + s²_D/n_D).
    public var standardError: Double
    /// Welch–Satterthwaite degrees of freedom.
    public var degreesOfFreedom: Double
    /// Welch t interval; nil when both groups have no spread (the t statistic is undefined).
    public var confidenceInterval: ConfidenceInterval?

    /// - Throws: `StatisticsError` when a group has fewer than two scores or a score is not
    ///   finite.
    public init(disadvantaged: [Double], others: [Double], level: Double = 0.95) throws(StatisticsError) {
        let (d, o) = try SampleSummary.twoGroups(disadvantaged: disadvantaged, others: others, level: level)
        try self.init(disadvantaged: d, others: o, level: level)
    }

    /// The same gap from each group's count, mean and variance (as a database aggregates them).
    /// - Throws: `StatisticsError` when a group has fewer than two students.
    public init(disadvantaged d: SampleSummary, others o: SampleSummary, level: Double = 0.95) throws(StatisticsError) {
        try SampleSummary.requireTwoGroups(d, o, level: level)
        self.disadvantaged = d
        self.others = o
        value = o.mean - d.mean
        let varianceOfMeanO = o.variance / Double(o.count)
        let varianceOfMeanD = d.variance / Double(d.count)
        let variance = varianceOfMeanO + varianceOfMeanD
        standardError = variance.squareRoot()
        let denominator = varianceOfMeanO * varianceOfMeanO / Double(o.count - 1)
            + varianceOfMeanD * varianceOfMeanD / Double(d.count - 1)
        if variance > 0, denominator > 0 {
            degreesOfFreedom = variance * variance / denominator
            let t = StudentT.criticalValue(level: level, degreesOfFreedom: degreesOfFreedom)
            confidenceInterval = ConfidenceInterval(
                lower: value - t * standardError, upper: value + t * standardError, level: level, method: .welch
            )
        } else {
            degreesOfFreedom = Double(o.count + d.count - 2)
            confidenceInterval = nil
        }
    }
}
