import GapTrackDomain
import GapTrackStore

/// A termly report's data in the parts the report cache stores apart, each under a key that
/// names the families of tables it reads (`ReportSnapshotCache.Part`): a support import at a
/// school then computes its support figures again and serves its attainment and attendance
/// from the cache (docs/scaling.md, "The report cache invalidated per provider and table
/// family"). The data cut (`TermlyReportData.imports`) is in no part: it is read afresh for every
/// report, so that a write to the import ledger makes no cached figure stale.
///
/// Each part holds what the report shows of its families for every term the report shows, so
/// that `TermlyReportData(parts:)` puts together exactly what one computation makes.
struct ReportDataParts: Sendable, Equatable {
    var attainment: AttainmentPart
    var attendance: AttendancePart
    var support: SupportPart
    /// Only for a report that asked for its impact candidates.
    var impactCandidates: [ImpactCandidate]

    /// The cohort, its groups and its results: the families `pupils` and `assessments`.
    struct AttainmentPart: Sendable, Equatable, Codable {
        var provider: ReportProvider
        var cohort: ReportCohort
        var comparison: ComparisonGroup
        var cohortSize: Int
        var groupCounts: [ReportGroup: Int]
        /// Every term the report shows (its trend, then its own term), with its results.
        var terms: [TermSubjects]
        /// Each year group of a cohort that spans several, without its attendance (in `AttendancePart`).
        var yearGroups: [YearGroupAggregates]?
        var keyStage4: [KeyStage4Counts]?
    }

    struct TermSubjects: Sendable, Equatable, Codable {
        var term: AcademicTerm
        var subjects: [SubjectAggregates]
    }

    /// The cohort's attendance: the families `pupils` and `attendance`.
    struct AttendancePart: Sendable, Equatable, Codable {
        /// Every term the report shows, each with every group's attendance.
        var terms: [TermAttendance]
        /// Each year group's attendance, by the year group's cohort code.
        var yearGroups: [YearGroupAttendance]?
    }

    struct TermAttendance: Sendable, Equatable, Codable {
        var term: AcademicTerm
        var groups: [AttendanceAggregates]
    }

    struct YearGroupAttendance: Sendable, Equatable, Codable {
        var cohort: String
        var groups: [AttendanceAggregates]
    }

    /// Support, funding and spend: the families `pupils` and `support`.
    struct SupportPart: Sendable, Equatable, Codable {
        var byType: [SupportAggregates]
        var total: SupportAggregates
        var funding: [FundingAggregates]
        var spendByTypeAndFund: [TypeFundSpend]
    }
}

extension TermlyReportData {
    /// The report's data from its parts and its data cut, as `TermlyReportQueries.data` computes
    /// it in one go: a term is in the trend when it has results or attendance of either side of
    /// the gap; the attendance table shows `shownGroups` in order.
    init(parts: ReportDataParts, term: AcademicTerm, imports: [ImportRecord], shownGroups: [ReportGroup]) {
        let attainment = parts.attainment
        var trend = [TermAggregates]()
        var attendance = [AttendanceAggregates]()
        for shown in attainment.terms {
            let groups = parts.attendance.terms.first { $0.term == shown.term }?.groups ?? []
            if shown.term == term { attendance = groups }
            let d = groups.first { $0.group == .disadvantaged }
            let o = groups.first { $0.group == .others }
            guard !shown.subjects.isEmpty || d != nil || o != nil else { continue }
            trend.append(TermAggregates(term: shown.term, subjects: shown.subjects, disadvantagedAttendance: d, othersAttendance: o))
        }
        let current = trend.last { $0.term == term }
        self.init(
            provider: attainment.provider, cohort: attainment.cohort, term: term, imports: imports, cohortSize: attainment.cohortSize,
            groupCounts: attainment.groupCounts, subjects: current?.subjects ?? [],
            attendance: shownGroups.compactMap { group in attendance.first { $0.group == group } },
            supportByType: parts.support.byType, supportTotal: parts.support.total, funding: parts.support.funding, trend: trend,
            comparison: attainment.comparison, impactCandidates: parts.impactCandidates,
            supportSpendByTypeAndFund: parts.support.spendByTypeAndFund)
        yearGroups = attainment.yearGroups.map { yearGroups in
            yearGroups.map { yearGroup in
                var whole = yearGroup
                whole.attendance = parts.attendance.yearGroups?.first { $0.cohort == yearGroup.cohort.code }?.groups ?? []
                return whole
            }
        }
        keyStage4 = attainment.keyStage4
    }
}
