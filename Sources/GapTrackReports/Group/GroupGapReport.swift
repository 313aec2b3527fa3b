import GapStatistics
import GapTrackDomain

/// The group report (docs/methodology.md §7.10): a trust's or a local authority's schools side by
/// side for one cohort and term, each subject's gap index and months of learning per school with
/// their 95% intervals, the group's pooled gap, a funnel plot of the gap against cohort size, and
/// the national figures. Made from each school's own termly report data, computed over the
/// school's full data, then shaped for its audience like every report (`GroupReportShaping`).
public struct GroupGapReport: Sendable, Equatable, Codable {
    public var group: ReportProviderGroup
    public var audience: ReportAudience
    public var cohort: ReportCohort
    public var term: AcademicTerm
    /// Who each gap compares with the others, in words (the schools' reports' definition).
    public var comparison: String
    public var suppressionThreshold: Int
    /// One comparison per subject and assessment that at least one member school has.
    public var subjects: [GroupSubjectComparison]
    /// Members with no data for the cohort and term, with the reason.
    public var schoolsWithoutData: [GroupSchoolWithoutData]
    /// Published national figures for the cohort's phase (docs/methodology.md §8); for the
    /// public, left out beside a pooled gap resting on a group under twice the threshold.
    public var nationalFigures: [NationalFigure]
    public var method: [MethodNote]
    public var suppressionNotes: [String]

    public var title: String {
        "Disadvantage gap across \(group.name): \(cohort.label), \(term.year) \(term.term)"
    }
}

public struct ReportProviderGroup: Sendable, Equatable, Codable {
    public var code: String
    public var name: String
    /// `ProviderGroupKind` raw value: trust or local-authority.
    public var kind: String

    public init(code: String, name: String, kind: String) {
        self.code = code
        self.name = name
        self.kind = kind
    }
}

public struct GroupSchoolWithoutData: Sendable, Equatable, Codable {
    public var code: String
    public var name: String
    public var reason: String
}

/// One subject and assessment across the group's schools.
public struct GroupSubjectComparison: Sendable, Equatable, Codable {
    public var subject: String
    public var assessment: String
    public var scale: String
    public var schools: [GroupSchoolGap]
    /// Pupils assessed across the group, by side, and in all.
    public var disadvantaged: ReportedFigure<Int>
    public var others: ReportedFigure<Int>
    public var students: ReportedFigure<Int>
    /// The schools' gap indices pooled (`GapIndexFunnel.pooled`), with its 95% CI.
    public var pooledGapIndex: ReportedFigure<Estimate>?
    /// The same pooling of the schools' months of learning.
    public var pooledMonths: ReportedFigure<Estimate>?
    /// The funnel plot's limits; nil when there is no pooled gap or no mixed cohort to draw from.
    public var funnel: GroupFunnel?

    /// "maths (Summer exam)".
    public var title: String { "\(subject) (\(assessment))" }
}

/// One school's row of a subject comparison.
public struct GroupSchoolGap: Sendable, Equatable, Codable {
    public var code: String
    public var name: String
    public var disadvantaged: ReportedFigure<Int>
    public var others: ReportedFigure<Int>
    /// Pupils assessed: the funnel plot's x axis.
    public var students: ReportedFigure<Int>
    public var gapIndex: ReportedFigure<Estimate>
    /// Months of learning by the school report's primary conversion; nil when none was made.
    public var months: ReportedFigure<Estimate>?
    /// Where the school falls on the funnel; nil without a funnel or an interval.
    public var position: ReportedFigure<FunnelPosition>?
    /// Staff reports: a side under the threshold, shown and marked; nil otherwise.
    public var treatWithCare: Bool?

    /// The name as a table shows it, marked for staff when it rests on a small group.
    public var label: String { treatWithCare == true ? ReportAudience.marked(name) : name }
}

/// The funnel drawn around the pooled gap: its target, the share of disadvantaged pupils the
/// standard error assumes, and the limits at cohort sizes across the plot (docs/methodology.md §5.7).
public struct GroupFunnel: Sendable, Equatable, Codable {
    public var target: Double
    public var disadvantagedShare: Double
    public var curve: [FunnelPoint]

    public struct FunnelPoint: Sendable, Equatable, Codable {
        public var cohortSize: Double
        public var lower95: Double
        public var upper95: Double
        public var lower998: Double
        public var upper998: Double
    }
}
