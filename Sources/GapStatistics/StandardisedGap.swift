/// The gap in standard-deviation units, as Hedges' g: (mean others − mean disadvantaged) /
/// pooled SD, times the small-sample correction J.
///
/// Why standardise: it lets a school compare the gap across assessments with different
/// scales, and it is the effect-size scale the EEF months table expects.
///
/// - Pooled SD: s_p = √(((n_O − 1)s²_O + (n_D − 1)s²_D) / (n_O + n_D − 2)).
/// - Cohen's d = gap / s_p; J = 1 − 3 / (4(n_O + n_D) − 9); g = J·d. J removes d's upward
///   bias in small samples (L. V. Hedges, "Distribution theory for Glass's estimator of
///   effect size and related estimators", Journal of Educational Statistics 6(2), 1981,
///   107–128; L. V. Hedges and I. Olkin, Statistical Methods for Meta-Analysis, 1985, ch. 5).
/// - Variance: Var(d) ≈ (n_O + n_D)/(n_O·n_D) + d²/(2(n_O + n_D)) and Var(g) = J²·Var(d)
///   (Hedges and Olkin 1985, ch. 5; M. Borenstein et al., Introduction to Meta-Analysis,
///   2009, eqs. 4.20 and 4.24). The interval is g ± z·√Var(g).
public struct StandardisedGap: Sendable, Equatable {
    /// Hedges' g.
    public var hedgesG: Double
    /// Cohen's d, before the small-sample correction.
    public var cohensD: Double
    /// The correction factor J.
    public var correction: Double
    public var pooledStandardDeviation: Double
    public var disadvantaged: SampleSummary
    public var others: SampleSummary
    public var standardError: Double
    public var confidenceInterval: ConfidenceInterval

    /// - Throws: `StatisticsError` when a group has fewer than two scores, a score is not
    ///   finite, or every score is equal (no spread to standardise by).
    public init(disadvantaged: [Double], others: [Double], level: Double = 0.95) throws(StatisticsError) {
        let (d, o) = try SampleSummary.twoGroups(disadvantaged: disadvantaged, others: others, level: level)
        try self.init(disadvantaged: d, others: o, level: level)
    }

    /// The same effect size from each group's count, mean and variance (as a database
    /// aggregates them).
    /// - Throws: `StatisticsError` when a group has fewer than two students or no score varies.
    public init(disadvantaged d: SampleSummary, others o: SampleSummary, level: Double = 0.95) throws(StatisticsError) {
        try SampleSummary.requireTwoGroups(d, o, level: level)
        let nD = Double(d.count)
        let nO = Double(o.count)
        let pooledVariance = ((nO - 1) * o.variance + (nD - 1) * d.variance) / (nO + nD - 2)
        guard pooledVariance > 0 else { throw .noSpread("the scores within each group") }
        self.disadvantaged = d
        self.others = o
        pooledStandardDeviation = pooledVariance.squareRoot()
        cohensD = (o.mean - d.mean) / pooledStandardDeviation
        correction = 1 - 3 / (4 * (nO + nD) - 9)
        hedgesG = correction * cohensD
        let varianceOfD = (nO + nD) / (nO * nD) + cohensD * cohensD / (2 * (nO + nD))
        standardError = (correction * correction * varianceOfD).squareRoot()
        let z = Normal.criticalValue(level: level)
        confidenceInterval = ConfidenceInterval(
            lower: hedgesG - z * standardError, upper: hedgesG + z * standardError, level: level, method: .hedgesOlkin
        )
    }
}
