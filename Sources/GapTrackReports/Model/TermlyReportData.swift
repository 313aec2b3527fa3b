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
    /// Year 10 and 11 cohorts: the KS4 headline counts at each GCSE-scale assessment of the term
    /// with English and maths results (docs/methodology.md §8.3); nil for other cohorts.
    public var keyStage4: [KeyStage4Counts]?

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
    /// What the records target, in words: "maths", "maths (Year 11 mock)", "attendance"; nil for none.
    public var targetLabel: String? {
        switch targetKind {
        case "attendance": SupportTarget.attendanceWord
        case "assessment": subject.map { s in s + (plan[5].map { " (\($0))" } ?? "") }
        case "subject": subject
        default: nil
        }
    }

    /// The request for `ImpactQueries.load`, judged on the records' target (docs/methodology.md
    /// §6.6); nil for a type this version does not know, or a section that cannot be judged
    /// (`notJudgedReason` says why).
    public func request(providerCode: ProviderCode, cohort: CohortCode) -> ImpactRequest? {
        guard let type = InterventionType(rawValue: type), notJudgedReason == nil, let before, let after else { return nil }
        var request = ImpactRequest(providerCode: providerCode, intervention: .type(type), cohort: cohort)
        request.plan = plan
        request.target = targetLabel
        if targetKind == SupportTarget.attendanceWord {
            request.judgedOn = .attendance(before: before, after: after)
            // Attendance has no before result to band on: prior attainment is KS2's.
            request.priorBand = .keyStage2
        } else if let subject {
            request.before = AssessmentPointSelector(subject: subject, name: beforeName, term: before)
            request.after = AssessmentPointSelector(subject: subject, name: afterName, term: after)
        }
        return request
    }

    /// Why a section is not judged, in the fewest words, as the governors' pack lists it
    /// (docs/methodology.md §7.9): read back from a `notJudgedReason`, whose wording it follows.
    public enum NotJudgedKind: String, Sendable, Equatable, CaseIterable {
        case noTarget = "no target"
        case noEntryResult = "no result before it started"
        case noExitResult = "no exit result yet"

        public init(reason: String) {
            self = reason.hasSuffix("names no target") ? .noTarget : reason.contains("before the support started") ? .noEntryResult : .noExitResult
        }
    }

    /// Why the section is not judged, or nil when it can be.
    public var notJudgedReason: String? {
        guard let target = targetLabel else { return "this support names no target" }
        guard let before else {
            return targetKind == SupportTarget.attendanceWord ? "no term of this academic year ended before the support started, to compare attendance with"
                : "no \(target) result this academic year before the support started"
        }
        guard let after, before < after else {
            return targetKind == SupportTarget.attendanceWord ? "no term after the support ended yet, up to the report's term"
                : "no \(target) result after the support yet, up to the report's term"
        }
        return nil
    }
}
