/// Funnel plot control limits for schools' gap indices plotted against cohort size
/// (docs/methodology.md §5.7).
///
/// D. J. Spiegelhalter, "Funnel plots for comparing institutional performance", Statistics in
/// Medicine 24 (2005) 1185–1202: each institution's estimate is plotted against a measure of its
/// precision, and control limits target ± z·SE(n) drawn around a target; a school inside the 95%
/// limits (z = 1.96, about 2 standard errors) shows only the variation chance gives a cohort of
/// its size, one outside the 99.8% limits (z = 3.09, about 3) is an "alarm" (§2, §3 of the paper).
///
/// The SE at the target, as the paper asks (the variance of an in-control institution, not the
/// institution's own): the gap index is 20·(AUC − ½) (`GapIndex`), so its SE is 20 × the SE of
/// an AUC equal to A₀ = ½ + target/20, by J. A. Hanley and B. J. McNeil, "The meaning and use of
/// the area under a receiver operating characteristic (ROC) curve", Radiology 143 (1982) 29–36:
///   Var(A) = [A(1−A) + (n_D − 1)(Q₁ − A²) + (n_O − 1)(Q₂ − A²)] / (n_D·n_O),
///   Q₁ = A/(2 − A), Q₂ = 2A²/(1 + A),
/// with n_D = p·n and n_O = (1 − p)·n, p the group's pooled share of disadvantaged pupils: the
/// cohort size n is the one number on the x axis, so the split is taken to be the group's. At
/// A = ½ it is the Mann–Whitney null variance (n + 1)/(12·n_D·n_O).
public struct GapIndexFunnel: Sendable, Equatable {
    /// The line the funnel is drawn around: the group's pooled gap index.
    public var target: Double
    /// The group's share of disadvantaged pupils among those assessed (0 < p < 1).
    public var disadvantagedShare: Double

    /// The levels drawn: 95% ("warning") and 99.8% ("alarm"), Spiegelhalter's 2 and 3 SDs.
    public static let levels = [0.95, 0.998]

    public init(target: Double, disadvantagedShare: Double) throws(StatisticsError) {
        guard target.isFinite, abs(target) < GapIndex.scaleFactor / 2 else {
            throw .invalidSetting("the funnel's target gap index must be between -10 and 10, not \(target)")
        }
        guard disadvantagedShare > 0, disadvantagedShare < 1 else {
            throw .invalidSetting("the funnel needs both disadvantaged and other pupils (share \(disadvantagedShare))")
        }
        self.target = target
        self.disadvantagedShare = disadvantagedShare
    }

    /// The smallest cohort for which the limits are drawn: one pupil in each group at the share.
    public var smallestCohort: Double { 2 / min(disadvantagedShare, 1 - disadvantagedShare) }

    /// SE of the gap index of an in-control school with `cohortSize` pupils assessed.
    public func standardError(cohortSize n: Double) -> Double {
        let a = 0.5 + target / GapIndex.scaleFactor
        let nD = disadvantagedShare * n
        let nO = (1 - disadvantagedShare) * n
        let q1 = a / (2 - a)
        let q2 = 2 * a * a / (1 + a)
        let variance = (a * (1 - a) + (nD - 1) * (q1 - a * a) + (nO - 1) * (q2 - a * a)) / (nD * nO)
        return GapIndex.scaleFactor * max(0, variance).squareRoot()
    }

    /// The control limits at `cohortSize` for a two-sided `level`, clamped to the index's range.
    public func limits(cohortSize n: Double, level: Double) -> (lower: Double, upper: Double) {
        let half = Normal.criticalValue(level: level) * standardError(cohortSize: n)
        let bound = GapIndex.scaleFactor / 2
        return (max(-bound, target - half), min(bound, target + half))
    }

    /// Where a school's gap falls: inside both funnels, or outside the 95% or the 99.8% limits,
    /// above (a wider gap than the group's) or below.
    public func position(gap: Double, cohortSize n: Double) -> FunnelPosition {
        let alarm = limits(cohortSize: n, level: 0.998)
        let warning = limits(cohortSize: n, level: 0.95)
        if gap > alarm.upper { return .above998 }
        if gap < alarm.lower { return .below998 }
        if gap > warning.upper { return .above95 }
        if gap < warning.lower { return .below95 }
        return .within
    }

    /// The group's pooled estimate: the schools' estimates weighted by the precision each
    /// school's cohort gives when there is no gap, the Mann–Whitney null precision
    /// 12·n_D·n_O/(n + 1) (`nullPrecision`), with SE √(Σ w²·SE²)/Σ w from the schools' own SEs.
    /// Not 1/SE² (the fixed-effect meta-analysis weight): DeLong's variance shrinks towards 0 as a
    /// gap nears complete separation, so an extreme school would weigh most and pull the funnel's
    /// target to itself, hiding the very outlier the plot is for (Spiegelhalter 2005, §5, on the
    /// target's choice). Estimates without a positive weight or a finite SE are left out; nil when
    /// none is left.
    public static func pooled(_ estimates: [(value: Double, standardError: Double, weight: Double)]) -> (value: Double, standardError: Double)? {
        let usable = estimates.filter { $0.weight > 0 && $0.standardError.isFinite && $0.standardError >= 0 && $0.value.isFinite }
        guard !usable.isEmpty else { return nil }
        let total = usable.map(\.weight).reduce(0, +)
        let value = usable.map { $0.value * $0.weight }.reduce(0, +) / total
        let variance = usable.map { $0.weight * $0.weight * $0.standardError * $0.standardError }.reduce(0, +) / (total * total)
        return (value, variance.squareRoot())
    }

    /// 1 / Var(AUC) under no gap, from Mann–Whitney: 12·n_D·n_O/(n_D + n_O + 1).
    public static func nullPrecision(disadvantaged: Int, others: Int) -> Double {
        12 * Double(disadvantaged) * Double(others) / Double(disadvantaged + others + 1)
    }
}

/// A school's place on the funnel plot.
public enum FunnelPosition: String, Sendable, Equatable, Codable, CaseIterable {
    case within
    case above95 = "above_95"
    case below95 = "below_95"
    case above998 = "above_99_8"
    case below998 = "below_99_8"

    /// Briefly, for table cells.
    public var shortLabel: String {
        switch self {
        case .within: "within 95%"
        case .above95: "above 95%"
        case .below95: "below 95%"
        case .above998: "above 99.8%"
        case .below998: "below 99.8%"
        }
    }

    /// In words, for notes.
    public var label: String {
        switch self {
        case .within: "within the 95% limits"
        case .above95: "above the 95% limit (wider gap)"
        case .below95: "below the 95% limit (narrower gap)"
        case .above998: "above the 99.8% limit (wider gap: look into it)"
        case .below998: "below the 99.8% limit (narrower gap: look into it)"
        }
    }
}
