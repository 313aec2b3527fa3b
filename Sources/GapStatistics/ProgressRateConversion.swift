/// Months of learning from the rate of progress: the mean change in score per month between
/// two assessments, and gap months = gap / rate.
///
/// Why: when the same students sit the same scale twice (autumn and summer standardised
/// tests), their average progress per month is the plainest meaning of "a month of learning"
/// on that scale (docs/methodology.md §5, conversion 2). Paired changes cancel each student's own level,
/// so the rate is estimated far more precisely than from two unrelated groups.
public struct ProgressRateConversion: Sendable, Equatable {
    /// The smallest number of students accepted by default for a paired rate.
    public static let defaultMinimumStudents = 10

    /// Mean change in score per month, in `scoreUnits` per month.
    public var ratePerMonth: Double
    public var rateStandardError: Double
    /// Mean of (second − first) over the students, before dividing by the months.
    public var meanChange: Double
    public var monthsBetween: Double
    public var studentCount: Int
    public var scoreUnits: String

    public var rateUnits: String { "\(scoreUnits) per month of schooling" }

    /// Paired progress of the same students.
    /// - Parameters:
    ///   - first: each student's score at the first assessment.
    ///   - second: the same students' scores at the second, in the same order.
    ///   - monthsBetween: months of schooling between the two assessments (e.g. 8 from
    ///     September to May).
    /// - Throws: `MonthsOfLearningError` for too few students, unequal lists, a non-positive
    ///   interval, or no average progress.
    public init(
        first: [Double], second: [Double], monthsBetween: Double, scoreUnits: String = "score points",
        minimumStudents: Int = defaultMinimumStudents
    ) throws(MonthsOfLearningError) {
        guard first.count == second.count else {
            throw .invalidData(.mismatchedLengths(first: "first scores", firstCount: first.count, second: "second scores", secondCount: second.count))
        }
        guard monthsBetween.isFinite, monthsBetween > 0 else { throw .invalidMonthsBetween(monthsBetween) }
        let needed = max(2, minimumStudents)
        guard first.count >= needed else { throw .tooFewStudents(found: first.count, needed: needed) }
        let changes = zip(first, second).map { $1 - $0 }
        let summary: SampleSummary
        do throws(StatisticsError) {
            try requireFinite(first, group: "first assessment")
            try requireFinite(second, group: "second assessment")
            summary = try SampleSummary(changes, group: "score changes")
        } catch {
            throw .invalidData(error)
        }
        try self.init(
            meanChange: summary.mean, standardErrorOfMeanChange: (summary.variance / Double(summary.count)).squareRoot(),
            monthsBetween: monthsBetween, studentCount: summary.count, scoreUnits: scoreUnits
        )
    }

    /// Progress between consecutive year groups assessed on the same scale at the same point
    /// of the year (e.g. Year 4 and Year 5 in the summer): not paired, so less precise.
    /// - Parameter monthsBetween: usually 12.
    public init(
        earlierYearGroup: [Double], laterYearGroup: [Double], monthsBetween: Double = 12, scoreUnits: String = "score points",
        minimumStudents: Int = defaultMinimumStudents
    ) throws(MonthsOfLearningError) {
        guard monthsBetween.isFinite, monthsBetween > 0 else { throw .invalidMonthsBetween(monthsBetween) }
        let needed = max(2, minimumStudents)
        let smaller = min(earlierYearGroup.count, laterYearGroup.count)
        guard smaller >= needed else { throw .tooFewStudents(found: smaller, needed: needed) }
        let earlier: SampleSummary
        let later: SampleSummary
        do throws(StatisticsError) {
            earlier = try SampleSummary(earlierYearGroup, group: "earlier year group")
            later = try SampleSummary(laterYearGroup, group: "later year group")
        } catch {
            throw .invalidData(error)
        }
        let standardError = (earlier.variance / Double(earlier.count) + later.variance / Double(later.count)).squareRoot()
        try self.init(
            meanChange: later.mean - earlier.mean, standardErrorOfMeanChange: standardError,
            monthsBetween: monthsBetween, studentCount: earlier.count + later.count, scoreUnits: scoreUnits
        )
    }

    private init(
        meanChange: Double, standardErrorOfMeanChange: Double, monthsBetween: Double, studentCount: Int, scoreUnits: String
    ) throws(MonthsOfLearningError) {
        let rate = meanChange / monthsBetween
        guard rate > 0 else { throw .rateNotPositive(rate: rate, units: "\(scoreUnits) per month of schooling") }
        ratePerMonth = rate
        rateStandardError = standardErrorOfMeanChange / monthsBetween
        self.meanChange = meanChange
        self.monthsBetween = monthsBetween
        self.studentCount = studentCount
        self.scoreUnits = scoreUnits
    }

    /// Converts a gap on the same scale into months: gap / rate.
    public func months(forGap gap: Double, standardError: Double? = nil, level: Double = 0.95) throws(MonthsOfLearningError) -> MonthsOfLearning {
        try convertToMonths(
            gap: gap, gapStandardError: standardError, gapUnits: scoreUnits,
            rate: ratePerMonth, rateStandardError: rateStandardError, rateUnits: rateUnits,
            studentCount: studentCount, method: .progressRate, level: level
        )
    }
}
