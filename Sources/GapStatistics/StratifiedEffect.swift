
/// An outcome's count, mean and sample variance in one group of one stratum, as PostgreSQL's
/// `count`, `avg` and `var_samp` return them (var_samp uses a numerically stable update, so no
/// sum of squares is ever subtracted here).
public struct OutcomeMoments: Sendable, Equatable {
    public var count: Int
    public var mean: Double
    /// Sample variance (divisor n − 1); nil for a single student.
    public var variance: Double?

    public init(count: Int, mean: Double, variance: Double?) {
        self.count = count
        self.mean = mean
        self.variance = variance
    }

    /// The moments of a list of values (for tests and small in-memory uses).
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        count = values.count
        mean = values.reduce(0, +) / Double(values.count)
        let m = mean
        variance = values.count > 1 ? values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1) : nil
    }

    /// Σ(y − ȳ)²: what the stratum adds to its group's pooled within-stratum variance.
    var sumOfSquares: Double { (variance ?? 0) * Double(count - 1) }
}

/// One stratum of the exact matching: participants and comparison students who share a cohort,
/// disadvantage status and prior-attainment band (or, for universities, an intake year and
/// course), with their outcome moments. Nil moments mean nobody in that group has the outcome.
public struct MatchedStratum: Sendable, Equatable {
    public var key: String
    public var participants: OutcomeMoments?
    public var comparison: OutcomeMoments?

    public init(key: String, participants: OutcomeMoments?, comparison: OutcomeMoments?) {
        self.key = key
        self.participants = participants
        self.comparison = comparison
    }

    /// Both groups are present, so the stratum's participants are matched.
    public var isMatched: Bool { (participants?.count ?? 0) > 0 && (comparison?.count ?? 0) > 0 }
}

/// The average effect on the treated (ATT) from coarsened exact matching: participants are
/// compared only with non-participants of their own stratum, and each stratum's difference is
/// weighted by its share of the matched participants.
///
/// Why this design: it is the matching docs/methodology.md §6.2 describes (the
/// same cohort, disadvantage status and prior-attainment band), it needs no model of how the
/// outcome depends on those variables, and with stratum weights it is exactly the CEM estimate
/// of S. M. Iacus, G. King and G. Porro, "Causal inference without balance checking: coarsened
/// exact matching", Political Analysis 20(1), 2012, 1–24: comparison student i in stratum s gets
/// weight (m_P,s / m_C,s) · (m_C / m_P), so the weighted comparison mean is Σ w_s ȳ_C,s with
/// w_s = m_P,s / m_P. Participants in a stratum with no comparison student are unmatched and left
/// out: the estimate is about the participants who could be matched, and the report counts the
/// others.
///
/// With y a difference (after − before), this is a difference in differences within strata.
///
/// Variance: strata are independent, so Var = Σ w_s² (σ²_P / m_P,s + σ²_C / m_C,s)
/// = σ²_P / m_P + σ²_C Σ w_s² / m_C,s, where σ²_P and σ²_C are each group's pooled
/// within-stratum variance (residual variance after stratum means; one variance per group,
/// because many strata hold only a few students and their own variances would be noise). The
/// interval uses Student's t with Welch–Satterthwaite degrees of freedom from the two pooled
/// variances (B. L. Welch, Biometrika 34, 1947, 28–35), which matters for the small groups
/// schools have.
public struct StratifiedEffect: Sendable, Equatable {
    public var estimate: Double
    public var standardError: Double
    public var degreesOfFreedom: Double
    public var confidenceInterval: ConfidenceInterval
    /// Mean outcome of the matched participants.
    public var participantMean: Double
    /// Weighted mean outcome of the matched comparison students (weights as above).
    public var comparisonMean: Double
    public var matchedParticipants: Int
    public var matchedComparison: Int
    /// Participants with the outcome in strata without a comparison student.
    public var unmatchedParticipants: Int
    /// Comparison students with the outcome in strata without a participant.
    public var unmatchedComparison: Int
    /// Strata with both groups.
    public var matchedStrata: Int
    /// 1 / Σ w_s² / m_C,s: how many comparison students the weighted comparison is worth.
    public var effectiveComparisonSize: Double

    /// Why no estimate can be made from these strata.
    public enum Failure: Error, Sendable, Equatable {
        case noMatchedStrata
        /// Fewer than two students in a group, or no variation within strata, so there is no variance.
        case noVariance(group: String)
    }

    /// - Parameter extraVariance: added to the variance, given the estimate (the uncertainty of an
    ///   estimated standardiser, for effect sizes).
    public static func estimate(
        strata: [MatchedStratum], level: Double = 0.95, extraVariance: (Double) -> Double = { _ in 0 }
    ) -> Result<StratifiedEffect, Failure> {
        let matched = strata.filter(\.isMatched)
        guard !matched.isEmpty else { return .failure(.noMatchedStrata) }
        let participants = matched.compactMap(\.participants)
        let comparison = matched.compactMap(\.comparison)
        let mP = participants.reduce(0) { $0 + $1.count }
        let mC = comparison.reduce(0) { $0 + $1.count }
        let unmatchedP = strata.filter { !$0.isMatched }.reduce(0) { $0 + ($1.participants?.count ?? 0) }
        let unmatchedC = strata.filter { !$0.isMatched }.reduce(0) { $0 + ($1.comparison?.count ?? 0) }
        var estimate = 0.0
        var participantMean = 0.0
        var comparisonMean = 0.0
        var weightSquaredOverComparison = 0.0
        for stratum in matched {
            let p = stratum.participants!, c = stratum.comparison!
            let w = Double(p.count) / Double(mP)
            estimate += w * (p.mean - c.mean)
            participantMean += w * p.mean
            comparisonMean += w * c.mean
            weightSquaredOverComparison += w * w / Double(c.count)
        }
        guard let (varianceP, dfP) = pooledVariance(participants) else { return .failure(.noVariance(group: "participants")) }
        guard let (varianceC, dfC) = pooledVariance(comparison) else { return .failure(.noVariance(group: "comparison students")) }
        let partP = varianceP / Double(mP)
        let partC = varianceC * weightSquaredOverComparison
        let variance = partP + partC + extraVariance(estimate)
        guard variance > 0 else { return .failure(.noVariance(group: "participants and comparison students")) }
        let satterthwaite = (partP + partC) * (partP + partC) / (partP * partP / dfP + partC * partC / dfC)
        let degrees = satterthwaite.isFinite && satterthwaite > 0 ? satterthwaite : dfP + dfC
        let standardError = variance.squareRoot()
        let t = StudentT.criticalValue(level: level, degreesOfFreedom: degrees)
        return .success(StratifiedEffect(
            estimate: estimate, standardError: standardError, degreesOfFreedom: degrees,
            confidenceInterval: ConfidenceInterval(
                lower: estimate - t * standardError, upper: estimate + t * standardError, level: level, method: .welch),
            participantMean: participantMean, comparisonMean: comparisonMean, matchedParticipants: mP, matchedComparison: mC,
            unmatchedParticipants: unmatchedP, unmatchedComparison: unmatchedC, matchedStrata: matched.count,
            effectiveComparisonSize: 1 / weightSquaredOverComparison))
    }

    /// Σ_s Σ_i (y − ȳ_s)² / (n − S) over one group's strata, with its degrees of freedom. When
    /// every stratum holds one student (n = S) there is no within-stratum variation to use, and
    /// the group's variance around its overall mean is taken instead (larger, so conservative).
    static func pooledVariance(_ groups: [OutcomeMoments]) -> (variance: Double, degreesOfFreedom: Double)? {
        let n = groups.reduce(0) { $0 + $1.count }
        let degrees = n - groups.count
        if degrees >= 1 {
            return (groups.reduce(0) { $0 + $1.sumOfSquares } / Double(degrees), Double(degrees))
        }
        guard n >= 2 else { return nil }
        let mean = groups.reduce(0) { $0 + Double($1.count) * $1.mean } / Double(n)
        let total = groups.reduce(0) { $0 + $1.sumOfSquares + Double($1.count) * ($1.mean - mean) * ($1.mean - mean) }
        return (total / Double(n - 1), Double(n - 1))
    }
}

extension StratifiedEffect.Failure: CustomStringConvertible {
    public var description: String {
        switch self {
        case .noMatchedStrata: "no participant could be matched with a comparison student of the same stratum"
        case let .noVariance(group): "the outcome does not vary among the \(group), so its uncertainty cannot be estimated"
        }
    }
}
