/// Months of learning from the aggregates a database returns instead of from arrays of scores:
/// the twins of `ProgressRateConversion` and `AgeGradientConversion` (docs/methodology.md §5),
/// with the same refusals and the same delta-method interval (`convertToMonths`), so a figure
/// read from PostgreSQL and one computed from the scores agree.
///
/// One refusal more than the sample-based conversions make: where the rate's own interval
/// includes zero, `convertToMonths` still gives a figure (without an interval), but a figure
/// like "680 months" from a flat gradient misleads more than it tells, so a report prints none.
extension MonthsOfLearning {
    /// Why a gap was not turned into months.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// One of the refusals of the sample-based conversions (too few students, no age spread,
        /// no positive slope or rate).
        case statistics(MonthsOfLearningError)
        /// The slope's own interval reaches zero: the months could be any size.
        case gradientTooWeak(level: Double)
        /// No earlier assessment of the subject on the same scale this academic year.
        case noEarlierAssessment
        /// The progress rate's own interval reaches zero: the months could be any size.
        case progressTooUncertain(level: Double)

        public var description: String {
            switch self {
            // Never the exact count: it may be below the suppression threshold.
            case let .statistics(.tooFewStudents(_, needed)):
                "fewer than \(needed) students have both a score and the other input; converting to months needs at least \(needed), or the rate is mostly noise"
            case let .statistics(error): error.description
            case let .gradientTooWeak(level):
                "within this cohort, rank rises too little with age to say how much a month is worth (the age gradient's "
                    + "\(Int((level * 100).rounded()))% interval includes zero)"
            case .noEarlierAssessment:
                "the cohort sat no earlier assessment of this subject on the same scale this academic year, so there is no progress to measure a month by"
            case let .progressTooUncertain(level):
                "the students' progress between the two assessments is too uncertain to say how much a month is worth (the progress rate's "
                    + "\(Int((level * 100).rounded()))% interval includes zero)"
            }
        }
    }

    /// The gap in months by the progress rate: score gap ÷ (mean paired change ÷ months
    /// between), as `ProgressRateConversion(first:second:monthsBetween:)` then
    /// `months(forGap:standardError:)` make it, from the paired students' count, mean change and
    /// its sample variance (divisor n − 1).
    public static func byProgressRate(
        scoreGap: Double, scoreGapStandardError: Double?, paired: Int, meanChange: Double, changeVariance: Double, monthsBetween: Double,
        scoreUnits: String, level: Double
    ) -> Result<MonthsOfLearning, Refusal> {
        let needed = max(2, ProgressRateConversion.defaultMinimumStudents)
        guard paired >= needed else { return .failure(.statistics(.tooFewStudents(found: paired, needed: needed))) }
        guard monthsBetween.isFinite, monthsBetween > 0 else { return .failure(.statistics(.invalidMonthsBetween(monthsBetween))) }
        let rateUnits = "\(scoreUnits) per month of schooling"
        let rate = meanChange / monthsBetween
        guard rate > 0 else { return .failure(.statistics(.rateNotPositive(rate: rate, units: rateUnits))) }
        let rateError = (changeVariance / Double(paired)).squareRoot() / monthsBetween
        guard rate - Normal.criticalValue(level: level) * rateError > 0 else { return .failure(.progressTooUncertain(level: level)) }
        return Result { () throws(MonthsOfLearningError) in
            try convertToMonths(
                gap: scoreGap, gapStandardError: scoreGapStandardError, gapUnits: scoreUnits, rate: rate, rateStandardError: rateError,
                rateUnits: rateUnits, studentCount: paired, method: .progressRate, level: level)
        }.mapError { .statistics($0) }
    }

    /// The gap in months as the difference of educational ages on the percentile-rank scale:
    /// rank gap ÷ slope of rank on age, as `EducationalAgeGap` makes it, from the least-squares
    /// line's count, slope, Σ(age − mean age)² and residual sum of squares.
    public static func byEducationalAge(
        rankGap: Double, rankGapStandardError: Double?, count: Int, slope: Double, sumSquaresAge: Double, residualSumSquares: Double,
        level: Double
    ) -> Result<MonthsOfLearning, Refusal> {
        let needed = AgeGradientConversion.defaultMinimumStudents
        guard count >= needed else { return .failure(.statistics(.tooFewStudents(found: count, needed: needed))) }
        guard sumSquaresAge > 0 else { return .failure(.statistics(.agesDoNotVary)) }
        let rateUnits = "percentile rank (0–1) per month of age"
        guard slope > 0 else { return .failure(.statistics(.slopeNotPositive(slope: slope, units: rateUnits))) }
        let slopeError = (residualSumSquares / (Double(count) - 2) / sumSquaresAge).squareRoot()
        guard slope - Normal.criticalValue(level: level) * slopeError > 0 else { return .failure(.gradientTooWeak(level: level)) }
        return Result { () throws(MonthsOfLearningError) in
            try convertToMonths(
                gap: rankGap, gapStandardError: rankGapStandardError, gapUnits: "percentile rank (0–1)", rate: slope, rateStandardError: slopeError,
                rateUnits: rateUnits, studentCount: count, method: .educationalAge, level: level)
        }.mapError { .statistics($0) }
    }
}
