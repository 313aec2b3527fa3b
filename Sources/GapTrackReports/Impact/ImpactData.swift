import GapStatistics
import GapTrackDomain
import GapTrackStore

/// The aggregates an impact report is built from: what `ImpactQueries` reads from PostgreSQL
/// (counts, means and variances per matching stratum, spend per funding source; never one row
/// per student) and what `ImpactReportBuilder` turns into estimates, refusals and suppressed
/// cells. As with `TermlyReportData`, the plain boundary lets the statistics be tested without
/// a database and the SQL be tested against a reference computed from the students themselves.
public struct ImpactData: Sendable, Equatable {
    public var provider: ReportProvider
    public var intervention: ImpactIntervention
    public var cohort: ReportCohort?
    public var period: ImpactPeriod
    public var before: AssessmentPointSelector?
    public var after: AssessmentPointSelector?
    public var imports: [ImportRecord]
    public var design: Design
    public var spend: SpendAggregates
    /// What the support targets, in words ("maths", "attendance"); nil when every record of the
    /// intervention counts, whatever it targets (docs/methodology.md §6.6).
    public var target: String?
    /// What the section is judged on.
    public var judgedOn: ImpactJudgement = .assessments

    public enum Design: Sendable, Equatable {
        case school(SchoolImpactAggregates)
        case costOfLiving(CostOfLivingAggregates)
    }

    public init(
        provider: ReportProvider, intervention: ImpactIntervention, cohort: ReportCohort?, period: ImpactPeriod,
        before: AssessmentPointSelector?, after: AssessmentPointSelector?, imports: [ImportRecord], design: Design, spend: SpendAggregates
    ) {
        self.provider = provider
        self.intervention = intervention
        self.cohort = cohort
        self.period = period
        self.before = before
        self.after = after
        self.imports = imports
        self.design = design
        self.spend = spend
    }
}

/// A school or college cohort: strata of (cohort, disadvantaged, prior-attainment band) with the
/// attainment change and the attendance change of each group.
public struct SchoolImpactAggregates: Sendable, Equatable {
    /// Participants in the cohort, whatever data they have.
    public var participants: Int
    /// Non-participants available for comparison, whatever data they have.
    public var comparisonPool: Int
    /// Students left out of both groups (support of the same kind planned, or from another programme).
    public var excluded: Int
    public var priorBand: PriorAttainmentBanding
    /// Change in SD of the cohort's before scores; strata without a band never match.
    public var attainment: [MatchedStratum]
    /// Change in attendance, percentage points.
    public var attendance: [MatchedStratum]
    /// How each cohort's scores were standardised.
    public var standardisation: [CohortStandardisation]

    public init(
        participants: Int, comparisonPool: Int, excluded: Int, priorBand: PriorAttainmentBanding, attainment: [MatchedStratum],
        attendance: [MatchedStratum], standardisation: [CohortStandardisation]
    ) {
        self.participants = participants
        self.comparisonPool = comparisonPool
        self.excluded = excluded
        self.priorBand = priorBand
        self.attainment = attainment
        self.attendance = attendance
        self.standardisation = standardisation
    }
}

/// A university's year: LSEB and other students, uptake by type, and the strata (intake year
/// and course) of supported and unsupported LSEB students for continuation and module marks.
public struct CostOfLivingAggregates: Sendable, Equatable {
    public var academicYear: AcademicYear
    public var lsebStudents: Int
    public var otherStudents: Int
    /// Uptake of each type, and of any (type nil), among LSEB students and others.
    public var uptake: [UptakeAggregates]
    /// Supported LSEB students of the year (any intake).
    public var supportedLSEB: Int
    /// Entrants of the year only (intake year = the year): continued (100) or not (0), percent.
    public var continuation: [MatchedStratum]
    /// Supported LSEB entrants whose continuation is not yet known.
    public var continuationUnknown: Int
    /// Mean module mark in the year.
    public var moduleMarks: [MatchedStratum]

    public init(
        academicYear: AcademicYear, lsebStudents: Int, otherStudents: Int, uptake: [UptakeAggregates], supportedLSEB: Int,
        continuation: [MatchedStratum], continuationUnknown: Int, moduleMarks: [MatchedStratum]
    ) {
        self.academicYear = academicYear
        self.lsebStudents = lsebStudents
        self.otherStudents = otherStudents
        self.uptake = uptake
        self.supportedLSEB = supportedLSEB
        self.continuation = continuation
        self.continuationUnknown = continuationUnknown
        self.moduleMarks = moduleMarks
    }
}

public struct UptakeAggregates: Sendable, Equatable {
    /// Nil for any of the types.
    public var type: InterventionType?
    /// The catalogue's display name (intervention_types), or "Any cost-of-living support".
    public var label: String
    public var lsebSupported: Int
    public var othersSupported: Int

    public init(type: InterventionType?, label: String, lsebSupported: Int, othersSupported: Int) {
        self.type = type
        self.label = label
        self.lsebSupported = lsebSupported
        self.othersSupported = othersSupported
    }
}


/// What an impact section is judged on (docs/methodology.md §6.6): the change in attainment from
/// its before to its after assessment (with attendance over the same terms beside it), or, for
/// support that targets attendance, the change in attendance from one term to another alone.
public enum ImpactJudgement: Sendable, Equatable {
    case assessments
    case attendance(before: AcademicTerm, after: AcademicTerm)
}
