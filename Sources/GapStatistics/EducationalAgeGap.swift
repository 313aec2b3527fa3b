/// The gap in months as the difference between the two groups' "educational ages" on the
/// percentile-rank scale: the idea of the Education Policy Institute's method, carried out
/// with what a school's own data allows.
///
/// What EPI publishes about its method:
/// - J. Andrews, D. Robinson and J. Hutchinson, "Closing the Gap? Trends in Educational
///   Attainment and Disadvantage", Education Policy Institute, August 2017: all pupils are
///   ranked, the mean rank of disadvantaged pupils and of other pupils is taken, the gap is
///   the difference of the mean ranks, and "to aid interpretation this is then converted
///   into months of progress".
/// - D. Robinson, "Closing the Gap? Research from the Education Policy Institute",
///   presentation, September 2017, "Methodology (in one slide)": results → average rank →
///   compared with age-related expectations → average "educational age" of each group;
///   the attainment gap in months is the difference of the two educational ages.
/// - EPI, "Education in England: Annual Report" 2024 and 2025, methodology pages
///   (epi.org.uk): the attainment measure used in each phase.
///
/// What was not found: the age-related expectations themselves, i.e. EPI's constants for
/// turning a mean rank into an educational age in each phase (its KS2 and KS4 factors
/// plainly differ: 2024's KS4 index 3.92 reads as 19.1 months, KS2's 3.13 as 10.0). None is
/// invented here, so these figures will not reproduce EPI's national months.
///
/// What is done instead: the age-related expectation is the within-cohort line of
/// percentile rank on age in months at the assessment (`AgeGradientConversion` on ranks).
/// Each group's educational age is the age at which that line reaches the group's mean
/// rank; the gap in months is the difference, which equals the rank gap ÷ the slope.
public struct EducationalAgeGap: Sendable, Equatable {
    public var gapIndex: GapIndex
    /// Percentile rank (0–1) per month of age, over the whole cohort.
    public var gradient: AgeGradientConversion
    /// Age in months at which the cohort's fitted line reaches the disadvantaged mean rank.
    public var educationalAgeDisadvantaged: Double
    /// Age in months at which the cohort's fitted line reaches the others' mean rank.
    public var educationalAgeOthers: Double
    /// educationalAgeOthers − educationalAgeDisadvantaged, with its inputs and interval.
    public var monthsOfLearning: MonthsOfLearning

    /// - Parameter students: every student of the cohort with a score, their age in months on
    ///   the assessment date, and whether they are disadvantaged.
    /// - Throws: `MonthsOfLearningError` when a group is empty, the cohort is smaller than
    ///   `minimumStudents`, or rank does not rise with age.
    public init(
        students: [(score: Double, ageInMonths: Double, isDisadvantaged: Bool)],
        minimumStudents: Int = AgeGradientConversion.defaultMinimumStudents,
        level: Double = 0.95
    ) throws(MonthsOfLearningError) {
        let index: GapIndex
        do throws(StatisticsError) {
            index = try GapIndex(scores: students.map { ($0.score, $0.isDisadvantaged) }, level: level)
        } catch {
            throw .invalidData(error)
        }
        let gradient = try AgeGradientConversion.onPercentileRanks(
            ages: students.map(\.ageInMonths), scores: students.map(\.score), minimumStudents: minimumStudents
        )
        var months = try gradient.months(
            forGap: index.rankGap, standardError: index.standardError.map { $0 / GapIndex.scaleFactor }, level: level
        )
        months.method = .educationalAge
        gapIndex = index
        self.gradient = gradient
        educationalAgeDisadvantaged = gradient.age(atScore: index.meanPercentileRankDisadvantaged)
        educationalAgeOthers = gradient.age(atScore: index.meanPercentileRankOthers)
        monthsOfLearning = months
    }
}
