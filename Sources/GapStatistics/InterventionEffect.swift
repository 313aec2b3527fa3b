/// The impact of an intervention as a standardised difference in differences:
/// (mean change of participants − mean change of the comparison group) / pooled SD of the
/// pre-test scores.
///
/// Why this design: participants are compared with non-participants of the same cohort,
/// disadvantage status and prior-attainment band (domain.md §6); subtracting each group's own
/// change removes what both groups would have gained anyway.
///
/// Why the pooled pre-test SD: it is not affected by the intervention, so the same effect
/// gives the same effect size whatever the treatment did to the spread. This is Morris's
/// d_ppc2 (S. B. Morris, "Estimating effect sizes from pretest-posttest-control group
/// designs", Organizational Research Methods 11(2), 2008, 364–386), which he recommends.
/// Morris multiplies by the small-sample correction c_p = 1 − 3/(4(n_P + n_C − 2) − 1); it
/// is given as `biasCorrectedEffectSize`, while `effectSize` is uncorrected, as the EEF
/// conversion tables are applied to.
///
/// Analytic interval (delta method, normal): the numerator's variance is
/// s²_ΔP/n_P + s²_ΔC/n_C (changes of different students are independent; each student's
/// pre–post correlation is already inside the variance of their change), and the estimated
/// SD adds ES²/(2(n_P + n_C − 2)), as in Hedges and Olkin's variance of d. So
/// Var(ES) ≈ (s²_ΔP/n_P + s²_ΔC/n_C)/s²_pre + ES²/(2(n_P + n_C − 2)).
public struct InterventionEffect: Sendable, Equatable {
    public var effectSize: Double
    /// Morris's d_ppc2 with its small-sample correction c_p.
    public var biasCorrectedEffectSize: Double
    public var meanChangeParticipants: Double
    public var meanChangeComparison: Double
    /// √(((n_P − 1)s²_preP + (n_C − 1)s²_preC)/(n_P + n_C − 2)).
    public var pooledPreTestStandardDeviation: Double
    public var participantCount: Int
    public var comparisonCount: Int
    public var standardError: Double
    public var confidenceInterval: ConfidenceInterval

    /// The effect in EEF months of additional progress.
    public var eefMonths: EEFMonths {
        // Always finite here: init rejects non-finite scores and pre-tests with no spread.
        EEFMonths(finiteEffectSize: effectSize)
    }

    /// - Parameters:
    ///   - participants: each participant's (pre, post) standardised scores.
    ///   - comparison: each comparison student's (pre, post) scores on the same scale.
    /// - Throws: `StatisticsError` for fewer than two students in a group, a non-finite score,
    ///   or pre-test scores with no spread.
    public init(
        participants: [(pre: Double, post: Double)], comparison: [(pre: Double, post: Double)], level: Double = 0.95
    ) throws(StatisticsError) {
        try requireLevel(level)
        guard participants.count >= 2 else { throw .tooFewValues(group: "participants", found: participants.count, needed: 2) }
        guard comparison.count >= 2 else { throw .tooFewValues(group: "comparison", found: comparison.count, needed: 2) }
        try requireFinite(participants.map(\.pre), group: "participants' pre-test")
        try requireFinite(participants.map(\.post), group: "participants' post-test")
        try requireFinite(comparison.map(\.pre), group: "comparison pre-test")
        try requireFinite(comparison.map(\.post), group: "comparison post-test")
        let changeP = try SampleSummary(participants.map { $0.post - $0.pre }, group: "participants' changes")
        let changeC = try SampleSummary(comparison.map { $0.post - $0.pre }, group: "comparison changes")
        let preP = try SampleSummary(participants.map(\.pre), group: "participants' pre-test")
        let preC = try SampleSummary(comparison.map(\.pre), group: "comparison pre-test")
        let nP = Double(participants.count)
        let nC = Double(comparison.count)
        let degrees = nP + nC - 2
        let pooledVariance = ((nP - 1) * preP.variance + (nC - 1) * preC.variance) / degrees
        guard pooledVariance > 0 else { throw .noSpread("the pre-test scores") }
        let pooledSD = pooledVariance.squareRoot()
        let effect = (changeP.mean - changeC.mean) / pooledSD
        effectSize = effect
        biasCorrectedEffectSize = (1 - 3 / (4 * degrees - 1)) * effect
        meanChangeParticipants = changeP.mean
        meanChangeComparison = changeC.mean
        pooledPreTestStandardDeviation = pooledSD
        participantCount = participants.count
        comparisonCount = comparison.count
        let variance = (changeP.variance / nP + changeC.variance / nC) / pooledVariance + effect * effect / (2 * degrees)
        standardError = variance.squareRoot()
        let z = Normal.criticalValue(level: level)
        confidenceInterval = ConfidenceInterval(
            lower: effect - z * standardError, upper: effect + z * standardError, level: level, method: .deltaMethod
        )
    }

    /// A percentile bootstrap interval for `effectSize`, resampling students (their pre and
    /// post together) with replacement within each group, reproducible from `settings.seed`.
    public static func bootstrapInterval(
        participants: [(pre: Double, post: Double)], comparison: [(pre: Double, post: Double)], settings: BootstrapSettings
    ) throws(StatisticsError) -> ConfidenceInterval {
        try settings.validate()
        // Validates the data exactly as the analytic estimate does.
        _ = try InterventionEffect(participants: participants, comparison: comparison, level: settings.level)
        let groupP = ResamplableGroup(participants)
        let groupC = ResamplableGroup(comparison)
        var generator = SeededGenerator(seed: settings.seed)
        var weightsP = [Int32](repeating: 0, count: participants.count)
        var weightsC = [Int32](repeating: 0, count: comparison.count)
        var replicates = [Double]()
        replicates.reserveCapacity(settings.replicates)
        let degrees = Double(participants.count + comparison.count - 2)
        for _ in 0..<settings.replicates {
            drawResampleWeights(&weightsP, using: &generator)
            drawResampleWeights(&weightsC, using: &generator)
            let p = groupP.weightedMoments(weightsP)
            let c = groupC.weightedMoments(weightsC)
            let pooledVariance = (p.preSumOfSquares + c.preSumOfSquares) / degrees
            // A resample whose pre-test scores are all equal has no effect size; skip it, as
            // it carries no information about the spread.
            guard pooledVariance > 0 else { continue }
            replicates.append((p.meanChange - c.meanChange) / pooledVariance.squareRoot())
        }
        guard replicates.count >= settings.replicates / 2 else { throw .noSpread("the pre-test scores of most bootstrap resamples") }
        return percentileInterval(of: replicates, settings: settings)
    }
}

/// One group's (pre, post) scores, centred on the group's pre-test mean so that weighted
/// sums of squares do not lose precision to cancellation.
private struct ResamplableGroup {
    let centredPre: [Double]
    let changes: [Double]

    init(_ students: [(pre: Double, post: Double)]) {
        let meanPre = students.reduce(0) { $0 + $1.pre } / Double(students.count)
        centredPre = students.map { $0.pre - meanPre }
        changes = students.map { $0.post - $0.pre }
    }

    /// Mean change and the within-group sum of squared pre-test deviations of a resample.
    func weightedMoments(_ weights: [Int32]) -> (meanChange: Double, preSumOfSquares: Double) {
        var sumChange = 0.0
        var sumPre = 0.0
        var sumPreSquares = 0.0
        for index in weights.indices where weights[index] > 0 {
            let w = Double(weights[index])
            sumChange += w * changes[index]
            sumPre += w * centredPre[index]
            sumPreSquares += w * centredPre[index] * centredPre[index]
        }
        let n = Double(weights.count)
        return (sumChange / n, sumPreSquares - sumPre * sumPre / n)
    }
}
