import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres

/// What `gaptrack report students` and `GET /v1/reports/students` ask for.
public struct StudentDrillDownRequest: Sendable, Equatable {
    public var provider: ProviderCode
    public var cohort: CohortCode
    /// The term whose census day places pupils in groups; with `wholeYear`, support and
    /// attendance are counted over its whole academic year.
    public var term: AcademicTerm
    public var wholeYear: Bool
    public var group: ReportGroup?
    /// An intervention type as a person writes it (`tutoring`, `NTP`, a provider's own code).
    public var type: String?
    /// The entry and exit assessments; nil = per subject, the first and the latest of the year.
    public var before: AssessmentPointSelector?
    public var after: AssessmentPointSelector?
    /// Who `disadvantaged` and `others` are; nil = the provider's default, as in the termly report.
    public var comparison: ComparisonGroup?

    public init(
        provider: ProviderCode, cohort: CohortCode, term: AcademicTerm, wholeYear: Bool = false, group: ReportGroup? = nil,
        type: String? = nil, before: AssessmentPointSelector? = nil, after: AssessmentPointSelector? = nil, comparison: ComparisonGroup? = nil
    ) {
        self.provider = provider
        self.cohort = cohort
        self.term = term
        self.wholeYear = wholeYear
        self.group = group
        self.type = type
        self.before = before
        self.after = after
        self.comparison = comparison
    }

    /// The term a university's `--year` stands for: the year's last, so that every result of the
    /// year is in and its census day places students in groups.
    public static func term(ofYear year: AcademicYear) -> AcademicTerm { AcademicTerm(year: year, term: .summer) }
}

/// Reads drill-downs through `StudentDrillDownRepository` (GapTrackStore): a standalone list, or
/// the sections of a staff termly report (the pupils behind its small groups and each support type).
///
/// Not Sendable: it holds a connection, which is used by one thread at a time.
public struct StudentDrillDownQueries {
    public let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// The list `request` asks for.
    /// - Throws: `DrillDownError` for an audience other than staff or an unknown type;
    ///   `TermlyReportError` for an unknown provider, term or cohort.
    public func drillDown(_ request: StudentDrillDownRequest, access: DrillDownAccess) throws -> StudentDrillDown {
        guard access.audience.mayListPupils else { throw DrillDownError.notForAudience(access.audience) }
        let termly = TermlyReportQueries(connection: connection)
        let (providerID, provider) = try termly.provider(code: request.provider)
        let cohort = try reportCohort(request.cohort, providerID: providerID, provider: provider, term: request.term, termly: termly)
        var typeLabel: String?
        var type: String?
        if let text = request.type {
            let types = try StudentDrillDownRepository(connection: connection).interventionTypes()
            let code = (try? InterventionType.parse(text).rawValue) ?? text.lowercased().replacingOccurrences(of: " ", with: "_")
            guard let known = types.first(where: { $0.type == code }) else {
                throw DrillDownError.unknownType(text, valid: types.map(\.type))
            }
            (type, typeLabel) = (known.type, known.label)
        }
        let loaded = try load(
            providerID: providerID, provider: provider, cohort: cohort, term: request.term, wholeYear: request.wholeYear,
            comparison: request.comparison, access: access, before: request.before, after: request.after)
        return loaded.list(DrillDownList(group: request.group, type: type, typeLabel: typeLabel))
    }

    /// The drill-down sections of a termly report: one list per group the report shows with
    /// fewer pupils than its suppression threshold (10), and one per support type delivered in its
    /// term. Nil for governors and the public, whose reports never carry pupil-level rows: whoever
    /// asks, a report shaped for them gets none.
    public func sections(for report: TermlyGapReport, access: DrillDownAccess) throws -> [StudentDrillDown]? {
        guard access.audience.mayListPupils, report.audience.mayListPupils else { return nil }
        let termly = TermlyReportQueries(connection: connection)
        let (providerID, provider) = try termly.provider(code: try ProviderCode(parsing: report.provider.code))
        let loaded = try load(
            providerID: providerID, provider: provider, cohort: report.cohort, term: report.term, wholeYear: false,
            comparison: report.comparison, access: access, before: nil, after: nil)
        let shown = Set(report.groupSizes.map(\.group.id))
        let small = ReportGroup.standardOrder.filter { group in
            guard group != .cohort, shown.contains(group.id), let count = loaded.groupCounts[group] else { return false }
            return count > 0 && count < report.suppressionThreshold
        }
        let types = report.support.byType.compactMap { row in row.type.map { (code: $0, label: row.label) } }
        return small.map { loaded.list(DrillDownList(group: $0)) }
            + types.map { loaded.list(DrillDownList(type: $0.code, typeLabel: $0.label)) }
    }

    /// The cohort as the report names it; an unknown term or cohort gets the termly report's error.
    private func reportCohort(
        _ code: CohortCode, providerID: Int, provider: ReportProvider, term: AcademicTerm, termly: TermlyReportQueries
    ) throws -> ReportCohort {
        guard let listing = TermlyReportQueries.listing(of: code, in: try termly.cohorts(providerID: providerID, term: term), kind: provider.kind) else {
            throw try termly.unknownCohort(code.code, provider: try ProviderCode(parsing: provider.code), term: term)
        }
        return ReportCohort(code: listing.code, label: listing.label)
    }

    /// Everything the lists are cut from, in one REPEATABLE READ snapshot.
    private func load(
        providerID: Int, provider: ReportProvider, cohort: ReportCohort, term: AcademicTerm, wholeYear: Bool, comparison: ComparisonGroup?,
        access: DrillDownAccess, before: AssessmentPointSelector?, after: AssessmentPointSelector?
    ) throws -> LoadedDrillDown {
        let period = wholeYear
            ? StudentDrillDownRepository.Period(from: term.year.startDate, to: term.year.endDate)
            : StudentDrillDownRepository.Period(from: term.startDate, to: term.endDate)
        let includeRestricted = access.restrictedRecords == .included
        return try TermlyReportRepository(connection: connection).snapshot { repository in
            try repository.loadCohort(providerID: providerID, term: term, cohort: cohort.code)
            // A filtered report's lists are of the pupils it is filtered to.
            try repository.filterCohort(providerID: providerID, term: term, filter: cohort.filter ?? .none)
            let dfeDisadvantaged = try repository.dfeDisadvantagedCount()
            let comparison = comparison ?? ComparisonGroup.defaultFor(provider.kind, dfeDisadvantagedStudents: dfeDisadvantaged)
            if comparison != .dfeDisadvantaged { try repository.useComparison(comparison.sqlKey) }
            let counts = try repository.groupCounts()
            let drill = StudentDrillDownRepository(connection: repository.connection)
            try drill.load(comparisonKey: comparison.sqlKey, includeRestricted: includeRestricted)
            let support = try drill.support(providerID: providerID, period: period, includeRestricted: includeRestricted)
            return LoadedDrillDown(
                provider: provider, cohort: cohort, term: term,
                period: wholeYear ? "\(term.year) (the academic year)" : ReportText.term(term), restricted: access.restrictedRecords,
                groupCounts: counts,
                pupils: try drill.pupils(census: term, period: period, includeRestricted: includeRestricted),
                support: Dictionary(grouping: support, by: \.studentID),
                reviews: Dictionary(grouping: try drill.reviews(providerID: providerID, supportIDs: support.map(\.supportID)), by: \.supportID),
                results: Dictionary(grouping: try drill.results(
                    providerID: providerID, term: wholeYear ? StudentDrillDownRequest.term(ofYear: term.year) : term,
                    before: before.map { ($0.subject, $0.name, $0.term) }, after: after.map { ($0.subject, $0.name, $0.term) }), by: \.studentID),
                resultsRule: before == nil && after == nil
                    ? "Entry: each subject's first assessment of \(term.year); exit: its latest up to \(ReportText.term(term))."
                    : "Entry: \(before?.description ?? "none"); exit: \(after?.description ?? "none").")
        }
    }
}

/// What one snapshot read: every pupil of the cohort with their support and results, cut into
/// lists without going back to the database.
struct LoadedDrillDown {
    var provider: ReportProvider
    var cohort: ReportCohort
    var term: AcademicTerm
    var period: String
    var restricted: RestrictedRecords
    /// True group sizes, from the provider's full records.
    var groupCounts: [ReportGroup: Int]
    var pupils: [StudentDrillDownRepository.PupilRow]
    var support: [Int: [StudentDrillDownRepository.SupportRow]]
    /// Reviews by support record: only of the records above, so a restricted record's reviews go with it.
    var reviews: [Int: [StudentDrillDownRepository.ReviewRow]]
    var results: [Int: [StudentDrillDownRepository.ResultRow]]
    var resultsRule: String

    /// The pupils of `list`: members of its group (as the caller may see them) who received its
    /// type of support; in a type's list, only that type's records.
    func list(_ list: DrillDownList) -> StudentDrillDown {
        let pupils = pupils.compactMap { row -> DrillDownPupil? in
            if let group = list.group, !row.groups.contains(group) { return nil }
            let records = (support[row.studentID] ?? []).filter { list.type == nil || $0.type == list.type }
            if list.type != nil, records.isEmpty { return nil }
            return DrillDownPupil(
                forename: row.forename, surname: row.surname, upn: row.upn, uln: row.uln, markers: row.markers,
                support: records.map {
                    DrillDownSupport(
                        type: $0.type, typeLabel: $0.typeLabel, startsOn: $0.startsOn, endsOn: $0.endsOn, hours: $0.hours, sessions: $0.sessions,
                        spend: $0.amount, fundingSource: $0.fundingSource, fundingLabel: $0.fundingLabel, reference: $0.reference,
                        reviews: (reviews[$0.supportID] ?? []).map {
                            DrillDownReview(date: $0.date, reviewer: $0.reviewer, progressNote: $0.progressNote, entryResult: $0.entryResult, exitResult: $0.exitResult)
                        })
                },
                attendance: row.sessions.map(DrillDownAttendance.init), results: Self.results(results[row.studentID] ?? []))
        }
        var notes = [restricted.note]
        if let group = list.group, list.type == nil, let counted = groupCounts.first(where: { $0.key.id == group })?.value, counted != pupils.count {
            notes.append("The report counts \(counted) pupils in this group; \(counted - pupils.count) are not listed because only restricted records place them in it.")
        }
        if pupils.contains(where: { $0.attendance == nil }) {
            notes.append("A pupil with no attendance figure had no possible session in the period.")
        }
        return StudentDrillDown(
            provider: provider, cohort: cohort, term: term, period: period, list: list, restrictedRecords: restricted, pupils: pupils,
            resultsRule: resultsRule, notes: notes)
    }

    /// Entry and exit paired by subject (compared ignoring case and surrounding spaces, as the
    /// impact report compares them), in subject order.
    static func results(_ rows: [StudentDrillDownRepository.ResultRow]) -> [DrillDownResult] {
        var bySubject = [String: DrillDownResult]()
        for row in rows {
            let point = DrillDownResult.Point(assessment: row.assessment, term: row.term, score: row.score, scale: row.scale)
            let key = row.subject.trimmingCharacters(in: .whitespaces).lowercased()
            var result = bySubject[key] ?? DrillDownResult(subject: key)
            switch row.point {
            case .entry: result.entry = point
            case .exit: result.exit = point
            }
            bySubject[key] = result
        }
        return bySubject.keys.sorted().compactMap { bySubject[$0] }
    }
}
