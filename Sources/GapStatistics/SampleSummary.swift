/// Count, mean and standard deviation of one group's scores: the inputs every mean-based gap
/// and effect size needs, kept so that reports can show them.
public struct SampleSummary: Sendable, Equatable {
    public var count: Int
    public var mean: Double
    /// Sample variance with divisor n − 1 (the unbiased estimator); 0 when n = 1.
    public var variance: Double

    public var standardDeviation: Double { variance.squareRoot() }

    /// Two-pass algorithm (mean first, then squared deviations), which avoids the
    /// cancellation of the one-pass sum-of-squares formula (T. F. Chan, G. H. Golub and
    /// R. J. LeVeque, "Algorithms for computing the sample variance", American Statistician
    /// 37(3), 1983).
    public init(_ values: [Double], group: String = "values") throws(StatisticsError) {
        guard !values.isEmpty else { throw .emptyGroup(group) }
        try requireFinite(values, group: group)
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        var sumSquares = 0.0
        var sumDeviations = 0.0
        for value in values {
            let deviation = value - mean
            sumSquares += deviation * deviation
            sumDeviations += deviation
        }
        count = values.count
        self.mean = mean
        // Corrected two-pass form: subtracting (Σd)²/n removes the rounding error of the mean.
        variance = values.count > 1 ? (sumSquares - sumDeviations * sumDeviations / n) / (n - 1) : 0
    }

    public init(count: Int, mean: Double, variance: Double) {
        self.count = count
        self.mean = mean
        self.variance = variance
    }
}

extension SampleSummary {
    /// What every two-group gap needs before it computes: a valid level and two or more
    /// students in each group.
    static func requireTwoGroups(_ disadvantaged: SampleSummary, _ others: SampleSummary, level: Double) throws(StatisticsError) {
        try requireTwoGroups(disadvantagedCount: disadvantaged.count, othersCount: others.count, level: level)
    }

    /// The summaries of the two groups' scores, checked as `requireTwoGroups` checks them and
    /// every score finite.
    static func twoGroups(
        disadvantaged: [Double], others: [Double], level: Double
    ) throws(StatisticsError) -> (disadvantaged: SampleSummary, others: SampleSummary) {
        try requireTwoGroups(disadvantagedCount: disadvantaged.count, othersCount: others.count, level: level)
        return (try SampleSummary(disadvantaged, group: "disadvantaged"), try SampleSummary(others, group: "others"))
    }

    private static func requireTwoGroups(disadvantagedCount: Int, othersCount: Int, level: Double) throws(StatisticsError) {
        try requireLevel(level)
        guard disadvantagedCount >= 2 else { throw .tooFewValues(group: "disadvantaged", found: disadvantagedCount, needed: 2) }
        guard othersCount >= 2 else { throw .tooFewValues(group: "others", found: othersCount, needed: 2) }
    }
}
