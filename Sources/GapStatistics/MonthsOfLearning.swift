/// A gap expressed in months of learning, carrying the inputs it was made from.
///
/// "Months of learning" is not a unit of any assessment: it is the gap divided by how much
/// attainment changes per month. Different choices of "per month" give different numbers
/// (EPI's KS4 factor differs from its KS2 factor, docs/methodology.md §5), so a figure in months is
/// meaningless without its method, its rate and the rate's units. A report prints them all.
public struct MonthsOfLearning: Sendable, Equatable, CustomStringConvertible {
    /// The gap in months (positive: disadvantaged students are behind).
    public var months: Double
    /// Interval for `months`; nil when it cannot be given honestly (see `note`).
    public var confidenceInterval: ConfidenceInterval?
    public var method: MonthsOfLearningMethod
    /// The gap that was converted, in `gapUnits`.
    public var gap: Double
    public var gapUnits: String
    /// Attainment change per month used as the divisor (slope or rate); nil for the EEF table.
    public var ratePerMonth: Double?
    /// Units of `ratePerMonth`, e.g. "scaled-score points per month of age".
    public var rateUnits: String?
    /// Number of students the rate (or, for EEF, the effect size) was estimated from.
    public var studentCount: Int
    /// Anything a reader must know, e.g. why there is no interval.
    public var note: String?

    public init(
        months: Double, confidenceInterval: ConfidenceInterval?, method: MonthsOfLearningMethod,
        gap: Double, gapUnits: String, ratePerMonth: Double?, rateUnits: String?, studentCount: Int, note: String? = nil
    ) {
        self.months = months
        self.confidenceInterval = confidenceInterval
        self.method = method
        self.gap = gap
        self.gapUnits = gapUnits
        self.ratePerMonth = ratePerMonth
        self.rateUnits = rateUnits
        self.studentCount = studentCount
        self.note = note
    }

    public var description: String {
        var text = "\(months) months (\(method); gap \(gap) \(gapUnits)"
        if let ratePerMonth, let rateUnits { text += "; rate \(ratePerMonth) \(rateUnits)" }
        text += "; n = \(studentCount))"
        if let confidenceInterval { text += ", \(confidenceInterval)" }
        if let note { text += ". \(note)" }
        return text
    }
}

/// The conversions gaptrack offers (docs/methodology.md §5, "Gap in months of learning").
public enum MonthsOfLearningMethod: String, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    /// Gap ÷ within-cohort slope of attainment on age in months (`AgeGradientConversion`).
    case ageGradient
    /// Gap ÷ mean progress per month between two assessments (`ProgressRateConversion`).
    case progressRate
    /// EEF Toolkit bands from an effect size (`EEFMonths`).
    case eefToolkit
    /// Difference of the groups' "educational ages" on the rank scale (`EducationalAgeGap`),
    /// the idea of EPI's published method.
    case educationalAge

    public var description: String {
        switch self {
        case .ageGradient: "age gradient within the cohort"
        case .progressRate: "progress rate between assessments"
        case .eefToolkit: "EEF Toolkit effect-size bands"
        case .educationalAge: "educational age on the percentile-rank scale (after EPI's method)"
        }
    }
}

/// Why a gap could not be turned into months.
public enum MonthsOfLearningError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooFewStudents(found: Int, needed: Int)
    case agesDoNotVary
    case slopeNotPositive(slope: Double, units: String)
    case rateNotPositive(rate: Double, units: String)
    case invalidMonthsBetween(Double)
    case gapNotFinite
    case invalidData(StatisticsError)

    public var description: String {
        switch self {
        case let .tooFewStudents(found, needed):
            "only \(found) students have both a score and the other input; converting to months needs at least \(needed), or the rate is mostly noise"
        case .agesDoNotVary:
            "every student has the same age in months, so there is no age gradient to convert with"
        case let .slopeNotPositive(slope, units):
            "attainment does not rise with age in this cohort (slope \(slope) \(units)), so a gap cannot be expressed in months this way; use another conversion"
        case let .rateNotPositive(rate, units):
            "students made no progress on average between the two assessments (rate \(rate) \(units)), so a gap cannot be expressed in months this way"
        case let .invalidMonthsBetween(months):
            "the time between assessments must be a positive number of months, not \(months)"
        case .gapNotFinite:
            "the gap to convert is missing or not a number"
        case let .invalidData(error):
            error.description
        }
    }
}

/// months = gap / rate, with a delta-method interval that adds the two relative errors as if
/// independent: SE(m)² ≈ (SE_gap / rate)² + (gap · SE_rate / rate²)² (a first-order Taylor
/// expansion of a ratio; e.g. G. Casella and R. L. Berger, Statistical Inference, 2nd ed.,
/// 2002, §5.5.4). When the rate's own interval reaches zero the ratio is unbounded, so no
/// interval is given and the note says why.
func convertToMonths(
    gap: Double, gapStandardError: Double?, gapUnits: String,
    rate: Double, rateStandardError: Double, rateUnits: String,
    studentCount: Int, method: MonthsOfLearningMethod, level: Double
) throws(MonthsOfLearningError) -> MonthsOfLearning {
    guard gap.isFinite, gapStandardError.map({ $0.isFinite && $0 >= 0 }) ?? true else { throw .gapNotFinite }
    guard level > 0, level < 1 else {
        throw .invalidData(.invalidSetting("confidence level \(level) must lie strictly between 0 and 1"))
    }
    let months = gap / rate
    let z = Normal.criticalValue(level: level)
    var interval: ConfidenceInterval?
    var note: String?
    if rate - z * rateStandardError <= 0 {
        note = "No interval: the rate's own \(Int((level * 100).rounded()))% interval includes zero, so the months could be any size."
    } else {
        let fromGap = (gapStandardError ?? 0) / rate
        let fromRate = gap * rateStandardError / (rate * rate)
        let standardError = (fromGap * fromGap + fromRate * fromRate).squareRoot()
        interval = ConfidenceInterval(lower: months - z * standardError, upper: months + z * standardError, level: level, method: .deltaMethod)
        if gapStandardError == nil { note = "Interval reflects the uncertainty of the rate only; no standard error was given for the gap." }
    }
    return MonthsOfLearning(
        months: months, confidenceInterval: interval, method: method, gap: gap, gapUnits: gapUnits,
        ratePerMonth: rate, rateUnits: rateUnits, studentCount: studentCount, note: note
    )
}
