import GapTrackDomain

/// What a user asks `gaptrack report impact` for: which provider and intervention, which
/// assessment points before and after, which cohort and period, and how prior attainment is
/// banded for matching.
public struct ImpactRequest: Sendable, Equatable {
    public var providerCode: ProviderCode
    public var intervention: ImpactIntervention
    /// Schools and colleges: the assessment before the intervention and the one after.
    public var before: AssessmentPointSelector?
    public var after: AssessmentPointSelector?
    /// A year group, course or intake; nil = every cohort.
    public var cohort: CohortCode?
    /// Support overlapping these dates counts; nil = from the start of the term of `before` to
    /// the end of the term of `after` (for universities: the academic year).
    public var from: CalendarDate?
    public var to: CalendarDate?
    public var priorBand: PriorAttainmentBanding
    /// Universities: the academic year whose students, support and marks are compared.
    public var academicYear: AcademicYear?
    /// Only the records with this plan take part (`ImpactReportRepository.Participation.plan`);
    /// nil = every record of the intervention.
    public var plan: [String?]?
    /// The target of the records with `plan`, in words, for the section's title.
    public var target: String?
    /// Judged on assessments (`before`, `after`) or, for support that targets attendance, on
    /// attendance between two terms.
    public var judgedOn: ImpactJudgement = .assessments

    public init(
        providerCode: ProviderCode, intervention: ImpactIntervention, before: AssessmentPointSelector? = nil,
        after: AssessmentPointSelector? = nil, cohort: CohortCode? = nil, from: CalendarDate? = nil, to: CalendarDate? = nil,
        priorBand: PriorAttainmentBanding = .automatic, academicYear: AcademicYear? = nil
    ) {
        self.providerCode = providerCode
        self.intervention = intervention
        self.before = before
        self.after = after
        self.cohort = cohort
        self.from = from
        self.to = to
        self.priorBand = priorBand
        self.academicYear = academicYear
    }

    /// An impact section of a termly report, written `TYPE,BEFORE,AFTER`, e.g.
    /// `tutoring,maths@2024/25-autumn,maths@2024/25-summer`, for the termly report's provider and
    /// cohort (what `gaptrack report termly --impact ...` takes).
    public init(termlySection text: String, providerCode: ProviderCode, cohort: CohortCode) throws(ImpactError) {
        self.init(section: try TermlySection(parsing: text), providerCode: providerCode, cohort: cohort)
    }

    /// The impact section `section` of the termly report of `providerCode` and `cohort`.
    public init(section: TermlySection, providerCode: ProviderCode, cohort: CohortCode) {
        self.init(providerCode: providerCode, intervention: .type(section.type), before: section.before, after: section.after, cohort: cohort)
    }

    /// An impact section of a termly report as `--impact` takes it: `TYPE,BEFORE,AFTER`.
    public struct TermlySection: Sendable, Equatable {
        public var type: InterventionType
        public var before: AssessmentPointSelector
        public var after: AssessmentPointSelector

        public init(parsing text: String) throws(ImpactError) {
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace() }
            guard parts.count == 3 else { throw .badTermlySection(text) }
            do { type = try InterventionType.parse(parts[0]) } catch { throw .badTermlySection(text) }
            before = try AssessmentPointSelector(parsing: parts[1])
            after = try AssessmentPointSelector(parsing: parts[2])
        }
    }
}

/// How prior attainment is coarsened into bands for exact matching.
public enum PriorAttainmentBanding: String, Sendable, Equatable, Codable, CaseIterable {
    /// KS2 bands in a cohort where 90% or more of the students have a KS2 result; elsewhere
    /// thirds of the before scores. See `impact_school_students` (sql/functions/impact_school.sql) for why KS2 comes first.
    case automatic = "auto"
    /// KS2 scaled score bands: below 100, 100–109, 110 or more (expected and high standards).
    case keyStage2 = "ks2"
    /// Thirds of the cohort's "before" scores (cut at the 1/3 and 2/3 quantiles).
    case beforeTerciles = "before-terciles"

    /// The value `impact_school_students` takes.
    var sqlValue: String {
        switch self {
        case .automatic: "auto"
        case .keyStage2: "ks2"
        case .beforeTerciles: "pre_terciles"
        }
    }

    /// How a cohort was banded, from the `banding` column, in words.
    static func describe(sqlValue: String) -> String {
        sqlValue == "ks2" ? "KS2 scaled score bands (below 100, 100–109, 110 or more)" : "thirds of the cohort's before scores"
    }
}

/// An assessment point as users name it (`GapTrackDomain.AssessmentPointName`): the impact
/// report's before and after.
public typealias AssessmentPointSelector = AssessmentPointName

extension AssessmentPointName {
    /// Reads `SUBJECT[:NAME]@YYYY/YY-TERM`.
    public init(parsing text: String) throws(ImpactError) {
        guard let point = AssessmentPointName(text: text) else { throw .badAssessmentPoint(text) }
        self = point
    }
}

private extension StringProtocol {
    func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
