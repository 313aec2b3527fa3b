/// Months of learning from the age gradient within one cohort: fit attainment on age in
/// months at the assessment date by ordinary least squares, and divide a gap by the slope.
///
/// Why: in one year group the oldest students are up to eleven months older than the
/// youngest when they sit the same assessment, and the difference in their attainment is the
/// most direct evidence a school has of what a month of development is worth on that scale.
/// Age at the test is the main driver of month-of-birth differences in English assessments
/// (C. Crawford, L. Dearden and E. Greaves, "Identifying the drivers of month of birth
/// differences in educational attainment", IFS Working Paper W13/09, 2013). Within-cohort
/// gradients shrink as students get older, so at KS4 they give more months per gap than
/// between-key-stage progress would: state the method beside the figure.
///
/// OLS: slope b = Sxy / Sxx, intercept a = ȳ − b·x̄, SE(b) = √(s² / Sxx) with
/// s² = Σ residual² / (n − 2) (N. R. Draper and H. Smith, Applied Regression Analysis,
/// 3rd ed., 1998, ch. 1).
public struct AgeGradientConversion: Sendable, Equatable {
    /// The smallest cohort this conversion accepts by default. A month of age moves a score
    /// by a small fraction of its spread, so in a class of 15 the slope is mostly noise.
    public static let defaultMinimumStudents = 30

    /// Attainment change per month of age, in `scoreUnits` per month.
    public var slope: Double
    public var slopeStandardError: Double
    /// Fitted attainment at age 0 months: only used to place a mean score on the age axis.
    public var intercept: Double
    public var studentCount: Int
    public var scoreUnits: String

    public var rateUnits: String { "\(scoreUnits) per month of age" }

    /// - Parameters:
    ///   - ages: each student's age in months on the assessment date.
    ///   - scores: each student's score, in the same order.
    ///   - scoreUnits: what a score is, for reports ("KS2 scaled-score points").
    /// - Throws: `MonthsOfLearningError` when there are too few students, ages do not vary, or
    ///   the slope is not positive (attainment must rise with age for months to mean anything).
    public init(
        ages: [Double], scores: [Double], scoreUnits: String = "score points",
        minimumStudents: Int = defaultMinimumStudents
    ) throws(MonthsOfLearningError) {
        guard ages.count == scores.count else {
            throw .invalidData(.mismatchedLengths(first: "ages", firstCount: ages.count, second: "scores", secondCount: scores.count))
        }
        do throws(StatisticsError) {
            try requireFinite(ages, group: "age")
            try requireFinite(scores, group: "score")
        } catch {
            throw .invalidData(error)
        }
        let needed = max(3, minimumStudents)
        guard ages.count >= needed else { throw .tooFewStudents(found: ages.count, needed: needed) }
        let n = Double(ages.count)
        let meanAge = ages.reduce(0, +) / n
        let meanScore = scores.reduce(0, +) / n
        var sxx = 0.0
        var sxy = 0.0
        for (age, score) in zip(ages, scores) {
            sxx += (age - meanAge) * (age - meanAge)
            sxy += (age - meanAge) * (score - meanScore)
        }
        guard sxx > 0 else { throw .agesDoNotVary }
        let slope = sxy / sxx
        guard slope > 0 else { throw .slopeNotPositive(slope: slope, units: "\(scoreUnits) per month of age") }
        let intercept = meanScore - slope * meanAge
        var residualSquares = 0.0
        for (age, score) in zip(ages, scores) {
            let residual = score - intercept - slope * age
            residualSquares += residual * residual
        }
        self.slope = slope
        self.intercept = intercept
        slopeStandardError = (residualSquares / (n - 2) / sxx).squareRoot()
        studentCount = ages.count
        self.scoreUnits = scoreUnits
    }

    /// The gradient of percentile rank (over this cohort, 0–1) on age: the scale of the gap
    /// index, so that `months(forGap: index.rankGap)` converts the DfE gap index.
    public static func onPercentileRanks(
        ages: [Double], scores: [Double], minimumStudents: Int = defaultMinimumStudents
    ) throws(MonthsOfLearningError) -> AgeGradientConversion {
        let ranks: PercentileRanks
        do throws(StatisticsError) {
            ranks = try PercentileRanks(scores: scores)
        } catch {
            throw .invalidData(error)
        }
        return try AgeGradientConversion(
            ages: ages, scores: ranks.values, scoreUnits: "percentile rank (0–1)", minimumStudents: minimumStudents
        )
    }

    /// The age (months) at which the fitted line reaches `score`: a group's "educational age".
    public func age(atScore score: Double) -> Double {
        (score - intercept) / slope
    }

    /// Converts a gap on this conversion's scale into months: gap / slope.
    /// - Parameter standardError: the gap's standard error, if known, so the interval
    ///   includes the gap's own uncertainty as well as the slope's.
    public func months(forGap gap: Double, standardError: Double? = nil, level: Double = 0.95) throws(MonthsOfLearningError) -> MonthsOfLearning {
        try convertToMonths(
            gap: gap, gapStandardError: standardError, gapUnits: scoreUnits,
            rate: slope, rateStandardError: slopeStandardError, rateUnits: rateUnits,
            studentCount: studentCount, method: .ageGradient, level: level
        )
    }
}
