import GapTrackStore
import GapStatistics

/// How many students of the cohort are in one group this term.
public struct GroupSize: Sendable, Equatable, Codable {
    public var group: ReportGroup
    public var students: ReportedFigure<Int>
    /// Share of `percentBase`, in percent. For `ReportGroup.smcDeclared` it is the declaration rate.
    public var percentOfCohort: ReportedFigure<Estimate>
    public var percentBase: PercentBase
    /// Staff reports: the row rests on a group under the threshold, shown and marked "fewer than
    /// 10 pupils: treat with care" (docs/methodology.md §7.6); nil otherwise.
    public var treatWithCare: Bool?

    /// What a group's percentage is a share of.
    public enum PercentBase: String, Sendable, Equatable, Codable {
        /// The whole cohort.
        case cohort
        /// Those who gave an answer that places them in an SMC group: the Social Mobility
        /// Commission's groups are reported as shares of declared answers (docs/methodology.md §1).
        case smcDeclared = "smc_declared"
    }

    public init(group: ReportGroup, students: ReportedFigure<Int>, percentOfCohort: ReportedFigure<Estimate>, percentBase: PercentBase = .cohort) {
        self.group = group
        self.students = students
        self.percentOfCohort = percentOfCohort
        self.percentBase = percentBase
    }

    /// "12.5%", "45.0% of declared", or `c`.
    public var percentText: String {
        percentOfCohort.text + (percentBase == .smcDeclared && !percentOfCohort.isSuppressed ? " of declared" : "")
    }
}

/// Scores of one group on one assessment.
public struct GroupScores: Sendable, Equatable, Codable {
    public var students: Int
    public var mean: Estimate
    public var standardDeviation: Estimate
    /// Mean percentile rank over the whole cohort (0–1): the gap index's building block.
    public var meanPercentileRank: Estimate

    public init(students: Int, mean: Estimate, standardDeviation: Estimate, meanPercentileRank: Estimate) {
        self.students = students
        self.mean = mean
        self.standardDeviation = standardDeviation
        self.meanPercentileRank = meanPercentileRank
    }
}

/// The attainment gap on one assessment: disadvantaged students against all others in the
/// cohort who took it (docs/methodology.md §5).
public struct SubjectGap: Sendable, Equatable, Codable {
    public var subject: String
    /// The assessment point, e.g. "Autumn mock".
    public var assessment: String
    /// The scale, e.g. `gcse`, `ks2_scaled` (import-formats.md).
    public var scale: String
    public var disadvantaged: ReportedFigure<GroupScores>
    public var others: ReportedFigure<GroupScores>
    /// DfE gap index with its DeLong interval.
    public var gapIndex: ReportedFigure<Estimate>
    /// Mean score of others − disadvantaged, in the scale's points, with Welch's interval; nil
    /// when it cannot be computed (see `notes`).
    public var meanScoreGap: ReportedFigure<Estimate>?
    /// Hedges' g with the Hedges–Olkin interval; nil when it cannot be computed (no spread).
    public var hedgesG: ReportedFigure<Estimate>?
    /// The gap in months of learning by the primary conversion (`monthsConversions`' primary
    /// one), with its inputs; nil when no conversion could be made (see `monthsConversions`).
    public var months: ReportedFigure<MonthsFigure>?
    /// The gap in months by every conversion the report offers (progress rate, educational age),
    /// each with its inputs or the reason it was not made.
    public var monthsConversions: [MonthsConversion]
    /// Anything a reader must know about this row, e.g. why there is no effect size.
    public var notes: [String]
    /// Staff reports: the row rests on a group under the threshold, shown and marked "fewer than
    /// 10 pupils: treat with care" (docs/methodology.md §7.6); nil otherwise.
    public var treatWithCare: Bool?

    public init(
        subject: String, assessment: String, scale: String,
        disadvantaged: ReportedFigure<GroupScores>, others: ReportedFigure<GroupScores>,
        gapIndex: ReportedFigure<Estimate>, meanScoreGap: ReportedFigure<Estimate>?, hedgesG: ReportedFigure<Estimate>?,
        months: ReportedFigure<MonthsFigure>?, notes: [String], monthsConversions: [MonthsConversion] = []
    ) {
        self.subject = subject
        self.assessment = assessment
        self.scale = scale
        self.disadvantaged = disadvantaged
        self.others = others
        self.gapIndex = gapIndex
        self.meanScoreGap = meanScoreGap
        self.hedgesG = hedgesG
        self.months = months
        self.notes = notes
        self.monthsConversions = monthsConversions
    }

    /// "maths (Autumn mock)".
    public var title: String {
        let title = "\(subject) (\(assessment))"
        return treatWithCare == true ? ReportAudience.marked(title) : title
    }
}

/// A gap in months of learning with the conversion used and its inputs, since a month figure
/// means nothing without them (GapStatistics.MonthsOfLearning).
public struct MonthsFigure: Sendable, Equatable, Codable {
    public var months: Estimate
    /// `MonthsOfLearningMethod` raw value, e.g. `educationalAge`.
    public var method: String
    /// The method in words.
    public var methodDescription: String
    /// The gap converted, in `gapUnits`.
    public var gap: Estimate
    public var gapUnits: String
    /// Attainment change per month used as the divisor; nil for the EEF table.
    public var ratePerMonth: Estimate?
    public var rateUnits: String?
    /// Students the rate was estimated from.
    public var studentCount: Int
    public var note: String?
    /// Progress rate: months between the earlier assessment and this one.
    public var monthsBetween: Estimate?
    /// Progress rate: the earlier assessment the progress is measured from, e.g. "Year 11 autumn
    /// mock (autumn)".
    public var comparedWith: String?

    public init(
        months: Estimate, method: String, methodDescription: String, gap: Estimate, gapUnits: String,
        ratePerMonth: Estimate?, rateUnits: String?, studentCount: Int, note: String?, monthsBetween: Estimate? = nil, comparedWith: String? = nil
    ) {
        self.months = months
        self.method = method
        self.methodDescription = methodDescription
        self.gap = gap
        self.gapUnits = gapUnits
        self.ratePerMonth = ratePerMonth
        self.rateUnits = rateUnits
        self.studentCount = studentCount
        self.note = note
        self.monthsBetween = monthsBetween
        self.comparedWith = comparedWith
    }

    /// From the GapStatistics value.
    public init(_ months: MonthsOfLearning, gapUnit: FigureUnit) {
        self.init(
            months: Estimate(months.months, unit: .months, interval: months.confidenceInterval),
            method: months.method.rawValue, methodDescription: months.method.description,
            gap: Estimate(months.gap, unit: gapUnit), gapUnits: months.gapUnits,
            ratePerMonth: months.ratePerMonth.map { Estimate($0, unit: .ratePerMonth) }, rateUnits: months.rateUnits,
            studentCount: months.studentCount, note: months.note)
    }
}

/// The gap in months by one conversion (docs/methodology.md §5): its figure with inputs, or why there is
/// none. A report shows every conversion it offers and marks one as primary, since months
/// made different ways differ and a reader must know which is which.
public struct MonthsConversion: Sendable, Equatable, Codable {
    /// `MonthsOfLearningMethod` raw value: `progressRate` or `educationalAge`.
    public var method: String
    /// "Progress rate", "Educational age".
    public var label: String
    /// The figure the report leads with (`SubjectGap.months`).
    public var isPrimary: Bool
    /// The months with their inputs, `c` when the gap is withheld, nil when refused.
    public var figure: ReportedFigure<MonthsFigure>?
    /// Why no figure was made, in words; nil when there is one.
    public var refusal: String?

    public init(method: String, label: String, isPrimary: Bool, figure: ReportedFigure<MonthsFigure>?, refusal: String?) {
        self.method = method
        self.label = label
        self.isPrimary = isPrimary
        self.figure = figure
        self.refusal = refusal
    }
}
