import GapTrackDomain

/// The aggregates a termly report is built from: what `TermlyReportQueries` reads from
/// PostgreSQL (set-based: counts, sums and window-function ranks, never one row per student),
/// and what `TermlyGapReportBuilder` turns into figures, intervals and suppressed cells.
///
/// Keeping this boundary plain lets the statistics be tested without a database, and lets the
/// SQL be tested against the GapStatistics reference on the same students. Codable so that it can
/// be stored and served again while its inputs are unchanged (`ReportSnapshotCache`, migration 080).
public struct TermlyReportData: Sendable, Equatable, Codable {
    public var provider: ReportProvider
    public var cohort: ReportCohort
    public var term: AcademicTerm
    public var imports: [ImportRecord]
    /// Students in the cohort this term.
    public var cohortSize: Int
    /// Students in each group this term (groups with no student may be left out).
    public var groupCounts: [ReportGroup: Int]
    public var subjects: [SubjectAggregates]
    public var attendance: [AttendanceAggregates]
    public var supportByType: [SupportAggregates]
    public var supportTotal: SupportAggregates
    public var funding: [FundingAggregates]
    /// Earlier terms, oldest first, then the report's own term.
    public var trend: [TermAggregates]
    /// Who the "disadvantaged" side of every gap is: the `disadvantaged` group and figures hold
    /// the students of this definition (`report_use_comparison`, migration 061).
    public var comparison: ComparisonGroup
    /// The impact sections the report includes when none is asked for (`report_impact_candidates`,
    /// migration 062).
    public var impactCandidates: [ImpactCandidate]

    public init(
        provider: ReportProvider, cohort: ReportCohort, term: AcademicTerm, imports: [ImportRecord], cohortSize: Int,
        groupCounts: [ReportGroup: Int], subjects: [SubjectAggregates], attendance: [AttendanceAggregates],
        supportByType: [SupportAggregates], supportTotal: SupportAggregates, funding: [FundingAggregates], trend: [TermAggregates],
        comparison: ComparisonGroup = .dfeDisadvantaged, impactCandidates: [ImpactCandidate] = []
    ) {
        self.provider = provider
        self.cohort = cohort
        self.term = term
        self.imports = imports
        self.cohortSize = cohortSize
        self.groupCounts = groupCounts
        self.subjects = subjects
        self.attendance = attendance
        self.supportByType = supportByType
        self.supportTotal = supportTotal
        self.funding = funding
        self.trend = trend
        self.comparison = comparison
        self.impactCandidates = impactCandidates
    }
}

/// An intervention type delivered to the cohort this academic year, with the before and after
/// assessments its default impact section compares (`report_impact_candidates`, migration 062).
public struct ImpactCandidate: Sendable, Equatable, Codable {
    public var type: String
    /// Cohort students with a delivered record of the type.
    public var participants: Int
    /// The subject, as the impact report matches it (any case).
    public var subject: String
    public var before: AcademicTerm
    public var after: AcademicTerm

    public init(type: String, participants: Int, subject: String, before: AcademicTerm, after: AcademicTerm) {
        self.type = type
        self.participants = participants
        self.subject = subject
        self.before = before
        self.after = after
    }

    /// The request for `ImpactQueries.load`, or nil for a type this version does not know.
    public func request(providerCode: String, cohort: String) -> ImpactRequest? {
        guard let type = InterventionType(rawValue: type) else { return nil }
        return ImpactRequest(
            providerCode: providerCode, intervention: .type(type), before: AssessmentPointSelector(subject: subject, term: before),
            after: AssessmentPointSelector(subject: subject, term: after), cohort: cohort)
    }
}

/// One group's scores on one assessment, with the pieces of the rank statistics.
public struct ScoreAggregates: Sendable, Equatable, Codable {
    public var count: Int
    public var mean: Double
    /// Sample variance (divisor n − 1); 0 for a single student.
    public var variance: Double
    /// Mean of the group's percentile ranks over everyone who took the assessment (midranks ÷ n).
    public var meanPercentileRank: Double
    /// Sample variance (divisor n − 1) of the group's DeLong placements: for an other student,
    /// the share of disadvantaged students they outscore (ties ½); for a disadvantaged student,
    /// the share of others who outscore them (ties ½). Nil for a single student.
    public var placementVariance: Double?

    public init(count: Int, mean: Double, variance: Double, meanPercentileRank: Double, placementVariance: Double?) {
        self.count = count
        self.mean = mean
        self.variance = variance
        self.meanPercentileRank = meanPercentileRank
        self.placementVariance = placementVariance
    }
}

/// The least-squares line of percentile rank on age in months at the assessment, over everyone
/// who took it: the age gradient that turns a rank gap into months.
public struct AgeGradientAggregates: Sendable, Equatable, Codable {
    public var count: Int
    public var slope: Double
    public var intercept: Double
    /// Σ(age − mean age)².
    public var sumSquaresAge: Double
    /// Σ residual².
    public var residualSumSquares: Double

    public init(count: Int, slope: Double, intercept: Double, sumSquaresAge: Double, residualSumSquares: Double) {
        self.count = count
        self.slope = slope
        self.intercept = intercept
        self.sumSquaresAge = sumSquaresAge
        self.residualSumSquares = residualSumSquares
    }
}

public struct SubjectAggregates: Sendable, Equatable, Codable {
    public var subject: String
    public var assessment: String
    public var scale: String
    public var disadvantaged: ScoreAggregates?
    public var others: ScoreAggregates?
    /// Nil when ages are missing or do not vary.
    public var ageGradient: AgeGradientAggregates?
    /// The cohort's paired progress since an earlier assessment of the same subject and scale
    /// this academic year; nil when there is none (e.g. in the autumn term).
    public var progress: ProgressAggregates?

    public init(
        subject: String, assessment: String, scale: String, disadvantaged: ScoreAggregates?, others: ScoreAggregates?,
        ageGradient: AgeGradientAggregates?, progress: ProgressAggregates? = nil
    ) {
        self.subject = subject
        self.assessment = assessment
        self.scale = scale
        self.disadvantaged = disadvantaged
        self.others = others
        self.ageGradient = ageGradient
        self.progress = progress
    }
}

/// The paired progress of the cohort's students between an earlier assessment of the same subject
/// and scale and this one (`report_progress_rate`, migration 060): the inputs of
/// GapStatistics.ProgressRateConversion(first:second:monthsBetween:).
public struct ProgressAggregates: Sendable, Equatable, Codable {
    /// The earlier assessment's name, e.g. "Year 11 autumn mock".
    public var earlierAssessment: String
    public var earlierTerm: Term
    /// Students with a result at both.
    public var paired: Int
    /// Mean of (this score − earlier score).
    public var meanChange: Double
    /// Sample variance (divisor n − 1) of the change; 0 for one student.
    public var changeVariance: Double
    /// Mean days between the two results ÷ 30.4375.
    public var monthsBetween: Double

    public init(earlierAssessment: String, earlierTerm: Term, paired: Int, meanChange: Double, changeVariance: Double, monthsBetween: Double) {
        self.earlierAssessment = earlierAssessment
        self.earlierTerm = earlierTerm
        self.paired = paired
        self.meanChange = meanChange
        self.changeVariance = changeVariance
        self.monthsBetween = monthsBetween
    }
}

/// Session sums of one group's students over the term, with the sums of squares and products
/// the ratio estimator's variance needs (attended a, possible p per student).
public struct AttendanceAggregates: Sendable, Equatable, Codable {
    public var group: ReportGroup
    public var students: Int
    public var possible: Int
    public var attended: Int
    public var sumAttendedSquared: Double
    public var sumPossibleSquared: Double
    public var sumAttendedTimesPossible: Double
    public var persistentlyAbsent: Int
    public var severelyAbsent: Int

    public init(
        group: ReportGroup, students: Int, possible: Int, attended: Int, sumAttendedSquared: Double, sumPossibleSquared: Double,
        sumAttendedTimesPossible: Double, persistentlyAbsent: Int, severelyAbsent: Int
    ) {
        self.group = group
        self.students = students
        self.possible = possible
        self.attended = attended
        self.sumAttendedSquared = sumAttendedSquared
        self.sumPossibleSquared = sumPossibleSquared
        self.sumAttendedTimesPossible = sumAttendedTimesPossible
        self.persistentlyAbsent = persistentlyAbsent
        self.severelyAbsent = severelyAbsent
    }
}

public struct SupportAggregates: Sendable, Equatable, Codable {
    /// The type's code (`intervention_types.type`); nil for all types together.
    public var type: String?
    public var label: String
    public var students: Int
    public var disadvantagedStudents: Int
    public var sessions: Int
    public var hours: Double
    public var spend: PoundsAndPence

    public init(type: String?, label: String, students: Int, disadvantagedStudents: Int, sessions: Int, hours: Double, spend: PoundsAndPence) {
        self.type = type
        self.label = label
        self.students = students
        self.disadvantagedStudents = disadvantagedStudents
        self.sessions = sessions
        self.hours = hours
        self.spend = spend
    }
}

public struct FundingAggregates: Sendable, Equatable, Codable {
    /// The source's code (`funding_sources.funding_source`); nil where none was recorded.
    public var source: String?
    public var label: String
    public var students: Int
    public var spend: PoundsAndPence

    public init(source: String?, label: String, students: Int, spend: PoundsAndPence) {
        self.source = source
        self.label = label
        self.students = students
        self.spend = spend
    }
}

/// One term's headline figures for the trend: the gap index per subject and the attendance of
/// the two groups.
public struct TermAggregates: Sendable, Equatable, Codable {
    public var term: AcademicTerm
    public var subjects: [SubjectAggregates]
    public var disadvantagedAttendance: AttendanceAggregates?
    public var othersAttendance: AttendanceAggregates?

    public init(term: AcademicTerm, subjects: [SubjectAggregates], disadvantagedAttendance: AttendanceAggregates?, othersAttendance: AttendanceAggregates?) {
        self.term = term
        self.subjects = subjects
        self.disadvantagedAttendance = disadvantagedAttendance
        self.othersAttendance = othersAttendance
    }
}
