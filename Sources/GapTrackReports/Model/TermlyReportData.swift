import GapTrackDomain
import GapTrackStore

/// The aggregates a termly report is built from: what `TermlyReportQueries` reads from
/// PostgreSQL (set-based: counts, sums and window-function ranks, never one row per student),
/// and what `TermlyGapReportBuilder` turns into figures, intervals and suppressed cells.
///
/// Keeping this boundary plain lets the statistics be tested without a database, and lets the
/// SQL be tested against the GapStatistics reference on the same students. Codable so that it can
/// be stored and served again while its inputs are unchanged (`ReportSnapshotCache`).
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
    /// Spend by type and fund together: not printed, audited (`TermlyReportTables`).
    public var supportSpendByTypeAndFund: [TypeFundSpend]
    /// Earlier terms, oldest first, then the report's own term.
    public var trend: [TermAggregates]
    /// Who the "disadvantaged" side of every gap is: the `disadvantaged` group and figures hold
    /// the students of this definition (`report_use_comparison`).
    public var comparison: ComparisonGroup
    /// The impact sections the report includes when none is asked for (`report_impact_candidates`).
    public var impactCandidates: [ImpactCandidate]
    /// Each year group of a cohort that spans several, in order; nil otherwise.
    public var yearGroups: [YearGroupAggregates]?

    public init(
        provider: ReportProvider, cohort: ReportCohort, term: AcademicTerm, imports: [ImportRecord], cohortSize: Int,
        groupCounts: [ReportGroup: Int], subjects: [SubjectAggregates], attendance: [AttendanceAggregates],
        supportByType: [SupportAggregates], supportTotal: SupportAggregates, funding: [FundingAggregates], trend: [TermAggregates],
        comparison: ComparisonGroup = .dfeDisadvantaged, impactCandidates: [ImpactCandidate] = [], supportSpendByTypeAndFund: [TypeFundSpend] = []
    ) {
        self.supportSpendByTypeAndFund = supportSpendByTypeAndFund
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

extension ImpactCandidate {
    /// The request for `ImpactQueries.load`, or nil for a type this version does not know.
    public func request(providerCode: ProviderCode, cohort: CohortCode) -> ImpactRequest? {
        guard let type = InterventionType(rawValue: type) else { return nil }
        return ImpactRequest(
            providerCode: providerCode, intervention: .type(type), before: AssessmentPointSelector(subject: subject, term: before),
            after: AssessmentPointSelector(subject: subject, term: after), cohort: cohort)
    }
}
