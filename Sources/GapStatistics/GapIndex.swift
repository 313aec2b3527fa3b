/// The DfE disadvantage gap index: 20 × (mean percentile rank of others − mean percentile
/// rank of disadvantaged students), ranks taken over the whole cohort.
///
/// 0 means no gap; 10 means every disadvantaged student scored below every other student;
/// negative values mean disadvantaged students are ahead. Source: DfE, "Measuring
/// disadvantaged pupils' attainment gaps over time", Statistical Working Paper SFR 40/2014
/// (December 2014), used since in the KS2 and KS4 national statistics; docs/methodology.md §5.
///
/// Why ranks: they put any scale (scaled scores, GCSE grades, tracker percentages) on one
/// footing and are not moved by changes in a scale's spread from year to year.
///
/// The identity behind the interval: with midranks, mean rank of others − mean rank of
/// disadvantaged = AUC − ½ exactly, where AUC = P(O > D) + ½ P(O = D) = U / (nO·nD), U the
/// Mann–Whitney statistic (H. B. Mann and D. R. Whitney, Annals of Mathematical Statistics
/// 18(1), 1947). So index = 20·(AUC − ½), and DeLong's variance of the AUC gives its
/// standard error (see `TwoGroupRanking.areaUnderCurve()`).
public struct GapIndex: Sendable, Equatable {
    /// The DfE's scale factor: a rank gap of ½ (complete separation) reads as 10.
    public static let scaleFactor = 20.0

    /// The index, 20 × (mean rank of others − mean rank of disadvantaged).
    public var value: Double
    public var meanPercentileRankDisadvantaged: Double
    public var meanPercentileRankOthers: Double
    public var disadvantagedCount: Int
    public var othersCount: Int
    /// P(an other student outscores a disadvantaged one) + ½ P(they tie): the AUC.
    public var probabilityOthersAhead: Double
    /// DeLong standard error of the index; nil when a group has a single student.
    public var standardError: Double?
    /// Normal interval from the DeLong standard error, clamped to the index's range
    /// [−10, 10]; nil when `standardError` is. When one group entirely outscores the other
    /// the DeLong variance is 0 and the interval shrinks to the point: report the counts for
    /// such small, separated groups.
    public var confidenceInterval: ConfidenceInterval?

    /// Mean rank of others − mean rank of disadvantaged, on the 0–1 rank scale (index / 20):
    /// the gap that `EducationalAgeGap` converts into months.
    public var rankGap: Double { meanPercentileRankOthers - meanPercentileRankDisadvantaged }

    /// - Parameters:
    ///   - disadvantaged: scores of the disadvantaged students.
    ///   - others: scores of all other students in the cohort, on the same scale.
    ///   - level: confidence level of the DeLong interval.
    /// - Throws: `StatisticsError` for an empty group or a non-finite score.
    /// - Complexity: O(n log n) for n students.
    public init(disadvantaged: [Double], others: [Double], level: Double = 0.95) throws(StatisticsError) {
        guard !disadvantaged.isEmpty else { throw .emptyGroup("disadvantaged") }
        guard !others.isEmpty else { throw .emptyGroup("others") }
        try requireFinite(disadvantaged, group: "disadvantaged")
        try requireFinite(others, group: "others")
        try requireLevel(level)
        let ranking = TwoGroupRanking(disadvantaged: disadvantaged, others: others)
        let means = ranking.meanPercentileRanks()
        let (auc, variance) = ranking.areaUnderCurve()
        meanPercentileRankDisadvantaged = means.disadvantaged
        meanPercentileRankOthers = means.others
        disadvantagedCount = disadvantaged.count
        othersCount = others.count
        value = Self.scaleFactor * (means.others - means.disadvantaged)
        probabilityOthersAhead = auc
        if let variance {
            let aucError = variance.squareRoot()
            let z = Normal.criticalValue(level: level)
            standardError = Self.scaleFactor * aucError
            confidenceInterval = ConfidenceInterval(
                lower: Self.scaleFactor * (max(0, auc - z * aucError) - 0.5),
                upper: Self.scaleFactor * (min(1, auc + z * aucError) - 0.5),
                level: level,
                method: .deLong
            )
        } else {
            standardError = nil
            confidenceInterval = nil
        }
    }

    /// The same, from one list of students each marked disadvantaged or not.
    public init(scores: [(score: Double, isDisadvantaged: Bool)], level: Double = 0.95) throws(StatisticsError) {
        var disadvantaged = [Double]()
        var others = [Double]()
        for student in scores {
            if student.isDisadvantaged { disadvantaged.append(student.score) } else { others.append(student.score) }
        }
        try self.init(disadvantaged: disadvantaged, others: others, level: level)
    }
}
