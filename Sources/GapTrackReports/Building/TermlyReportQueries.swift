import DisclosureControl
import GapTrackDomain
import GapTrackStore
import Postgres

/// Gathers what a termly report needs, through `TermlyReportRepository` (GapTrackStore): checks
/// the names a user asked for, then reads the cohort's counts, sums and rank aggregates in one
/// snapshot, in the order the report's SQL expects. `TermlyGapReportBuilder` turns the result
/// into figures.
///
/// Not Sendable: it holds a connection, which is used by one thread at a time.
public struct TermlyReportQueries {
    public let connection: PostgresConnection
    /// Earlier terms shown in the trend (besides the report's own).
    public var trendTerms: Int

    public init(connection: PostgresConnection, trendTerms: Int = 5) {
        self.connection = connection
        self.trendTerms = trendTerms
    }

    /// Checks the provider, term and cohort asked for against the data, then reads everything
    /// the report needs.
    /// - Throws: `TermlyReportError` for an unknown provider, a term without enrolments, or a
    ///   cohort with no students in the term (each listing the valid choices); `PostgresError`
    ///   for a database failure.
    ///
    /// - Parameter comparison: who is compared with the others; nil = the default for the
    ///   provider (`ComparisonGroup.defaultFor`: DfE disadvantaged at a school, LSEB at a
    ///   university, and at a college whose cohort holds no school markers).
    /// - Parameter withImpactCandidates: also find the impact sections the report would include
    ///   by default (`TermlyImpactSections.automatic`); off otherwise, to spare a national
    ///   cohort the query.
    /// - Parameter audience: who the report is for: the data is the same for every audience, but
    ///   it is stored under the audience's own key (`ReportSnapshotCache.Key.audience`).
    public func data(
        provider providerCode: ProviderCode, cohort cohortCode: CohortCode, term: AcademicTerm, comparison: ComparisonGroup? = nil,
        withImpactCandidates: Bool = false, audience: ReportAudience = .staff, filter: CohortFilter = .none
    ) throws -> TermlyReportData {
        // A stored report needs none of the checks below (ReportSnapshotCache.swift, sql/functions/report_snapshots.sql).
        if let stored = storedData(
            provider: providerCode, cohort: cohortCode, term: term, comparison: comparison, withImpactCandidates: withImpactCandidates,
            audience: audience, filter: filter
        ) { return stored }
        let (providerID, provider) = try self.provider(code: providerCode)
        let validTerms = try terms(providerID: providerID)
        guard validTerms.contains(term) else {
            throw TermlyReportError.termWithoutEnrolments(term: term.description, provider: provider.name, valid: validTerms.map(\.description))
        }
        let cohorts = try self.cohorts(providerID: providerID, term: term)
        guard let cohort = Self.listing(of: cohortCode, in: cohorts, kind: provider.kind) else {
            throw Self.unknownCohort(cohortCode.code, term: term, cohorts: cohorts)
        }
        let yearGroups = Self.yearGroups(of: cohortCode, in: cohorts)
        let knownGroups = filter.groups.isEmpty ? [] : try PupilGroups(connection: connection).list(providerID: providerID).map(\.code)
        if let unknown = filter.groups.first(where: { !knownGroups.contains($0) }) {
            throw TermlyReportError.unknownPupilGroup(code: unknown, known: knownGroups)
        }
        let reportCohort = ReportCohort(code: cohort.code, label: cohort.label, filter: filter)
        // One snapshot for every query (REPEATABLE READ), and the cohort's disadvantage facts
        // worked out once into report_cohort, dropped at commit.
        return try repository.snapshot { [requestedComparison = comparison] repository in
            // The cached parts still valid in this very snapshot are served; the others are computed
            // here and stored (ReportDataParts, sql/functions/report_snapshots.sql).
            let cache = ReportSnapshotCache(
                key: .init(providerID: providerID, cohort: cohort.code, term: term, comparison: requestedComparison, trendTerms: trendTerms,
                           withImpactCandidates: withImpactCandidates, audience: audience, filter: filter),
                mode: Self.snapshotCache, connection: repository.connection)
            let parts = try Self.parts(
                cache: cache, provider: provider, providerID: providerID, cohort: reportCohort, listing: cohort, cohortCode: cohortCode, term: term,
                filter: filter, yearGroups: yearGroups, requestedComparison: requestedComparison, trendTerms: trendTerms, repository: repository)
            cache.prune()
            return TermlyReportData(
                parts: parts, term: term, imports: try repository.imports(providerID: providerID),
                shownGroups: Self.attendanceGroups(for: provider.kind))
        }
    }

    /// Each part of the report's data: from the cache where its entry is valid in this snapshot,
    /// else computed (and stored). Loading the cohort is shared by every part; each part reads
    /// only its own families beyond it.
    static func parts(
        cache: ReportSnapshotCache, provider: ReportProvider, providerID: Int, cohort: ReportCohort, listing: TermlyReportRepository.CohortListing,
        cohortCode: CohortCode, term: AcademicTerm,
        filter: CohortFilter, yearGroups: [TermlyReportRepository.CohortListing]?, requestedComparison: ComparisonGroup?, trendTerms: Int,
        repository: TermlyReportRepository
    ) throws -> ReportDataParts {
        var attainment = cache.stored(.attainment, as: ReportDataParts.AttainmentPart.self)
        var attendance = cache.stored(.attendance, as: ReportDataParts.AttendancePart.self)
        var support = cache.stored(.support, as: ReportDataParts.SupportPart.self)
        var candidates = cache.key.withImpactCandidates ? cache.stored(.impactCandidates, as: [ImpactCandidate].self) : []
        try repository.loadCohort(providerID: providerID, term: term, cohort: cohort.code)
        guard try repository.filterCohort(providerID: providerID, term: term, filter: filter) > 0 else {
            throw TermlyReportError.filterLeavesNobody(cohort: listing.label, filter: filter.description, term: ReportText.term(term))
        }
        if let attainment, let attendance, let support, let candidates {
            return ReportDataParts(attainment: attainment, attendance: attendance, support: support, impactCandidates: candidates)
        }
        let dfeDisadvantaged = try repository.dfeDisadvantagedCount()
        let comparison = requestedComparison ?? ComparisonGroup.defaultFor(provider.kind, dfeDisadvantagedStudents: dfeDisadvantaged)
        // Each year group first, each loaded on its own; the whole cohort is loaded again after.
        let needsYearGroups = yearGroups != nil && (attainment == nil || attendance == nil)
        let yearGroupData = try yearGroups.flatMap { listings in
            needsYearGroups ? try listings.compactMap { listing in
                try Self.yearGroup(
                    listing, providerID: providerID, term: term, filter: filter, comparison: comparison, withAttainment: attainment == nil,
                    withAttendance: attendance == nil, repository: repository)
            } : nil
        }
        if needsYearGroups {
            try repository.loadCohort(providerID: providerID, term: term, cohort: cohort.code)
            try repository.filterCohort(providerID: providerID, term: term, filter: filter)
        }
        if comparison != .dfeDisadvantaged {
            // The cohort is loaded with the DfE definition; this replaces it.
            try repository.useComparison(comparison.sqlKey)
        }
        let shownTerms = term.previousTerms(trendTerms).reversed() + [term]
        if attainment == nil {
            let counts = try repository.groupCounts()
            // Every shown term's results in one pass, after the comparison is settled: each
            // attainment call below then ranks its term's tie blocks instead of reading results.
            try repository.loadResults(providerID: providerID, terms: shownTerms)
            let computed = ReportDataParts.AttainmentPart(
                provider: provider, cohort: cohort, comparison: comparison, cohortSize: counts[.cohort] ?? 0, groupCounts: counts,
                terms: try shownTerms.map { shown in
                    .init(term: shown, subjects: try repository.attainment(providerID: providerID, resultsTerm: shown, withProgress: shown == term))
                },
                yearGroups: yearGroupData?.map { yearGroup in
                    var withoutAttendance = yearGroup
                    withoutAttendance.attendance = []
                    return withoutAttendance
                },
                keyStage4: NationalFigures.phase(for: cohortCode) == .keyStage4 ? try repository.keyStage4(providerID: providerID, term: term) : nil)
            cache.keep(.attainment, computed)
            attainment = computed
        }
        if attendance == nil {
            let computed = ReportDataParts.AttendancePart(
                terms: try shownTerms.map { .init(term: $0, groups: try repository.attendance(marksTerm: $0)) },
                yearGroups: yearGroupData?.map { .init(cohort: $0.cohort.code, groups: $0.attendance) })
            cache.keep(.attendance, computed)
            attendance = computed
        }
        if support == nil {
            let (byType, total) = try repository.support(providerID: providerID, term: term)
            let computed = ReportDataParts.SupportPart(
                byType: byType, total: total, funding: try repository.funding(providerID: providerID, term: term),
                spendByTypeAndFund: try repository.spendByTypeAndFund(providerID: providerID, term: term))
            cache.keep(.support, computed)
            support = computed
        }
        if candidates == nil {
            let computed = try repository.impactCandidates(providerID: providerID, term: term)
            cache.keep(.impactCandidates, computed)
            candidates = computed
        }
        return ReportDataParts(attainment: attainment!, attendance: attendance!, support: support!, impactCandidates: candidates!)
    }

    /// The cohort's own listing: as the database lists it, or for a key stage or the whole school
    /// made from the year groups (and courses) it spans; nil when it has no students in the term.
    static func listing(
        of code: CohortCode, in cohorts: [TermlyReportRepository.CohortListing], kind: ReportProvider.Kind
    ) -> TermlyReportRepository.CohortListing? {
        if let listed = cohorts.first(where: { $0.code == code.code }) { return listed }
        guard let label = code.wholeSchoolLabel else { return nil }
        // Courses and intakes overlap (one student is in both), so the whole roll's size is left
        // to the report itself; here it only matters that there is someone.
        let parts = yearGroups(of: code, in: cohorts) ?? []
        if case .all = code {
            guard !cohorts.isEmpty else { return nil }
            return .init(code: code.code, label: kind == .school ? label : "All students", students: parts.reduce(0) { $0 + $1.students })
        }
        guard !parts.isEmpty else { return nil }
        return .init(code: code.code, label: label, students: parts.reduce(0) { $0 + $1.students })
    }

    /// The year groups with students that a key stage or the whole school spans, in order; nil
    /// for a cohort that is one year group, course or intake.
    static func yearGroups(of code: CohortCode, in cohorts: [TermlyReportRepository.CohortListing]) -> [TermlyReportRepository.CohortListing]? {
        guard code.spansYearGroups else { return nil }
        let wanted = code.yearGroups.map { Set($0.map(\.code)) }
        return cohorts.filter { $0.code.hasPrefix("year-") && (wanted?.contains($0.code) ?? true) }
    }

    /// One year group's aggregates, with the report's filter and comparison, for its section:
    /// its results and its attendance each only when its part is to be computed.
    static func yearGroup(
        _ listing: TermlyReportRepository.CohortListing, providerID: Int, term: AcademicTerm, filter: CohortFilter, comparison: ComparisonGroup,
        withAttainment: Bool, withAttendance: Bool, repository: TermlyReportRepository
    ) throws -> YearGroupAggregates? {
        try repository.loadCohort(providerID: providerID, term: term, cohort: listing.code)
        guard try repository.filterCohort(providerID: providerID, term: term, filter: filter) > 0 else { return nil }
        if comparison != .dfeDisadvantaged { try repository.useComparison(comparison.sqlKey) }
        let counts = try repository.groupCounts()
        if withAttainment { try repository.loadResults(providerID: providerID, terms: [term]) }
        return YearGroupAggregates(
            cohort: ReportCohort(code: listing.code, label: listing.label), cohortSize: counts[.cohort] ?? 0, groupCounts: counts,
            subjects: withAttainment ? try repository.attainment(providerID: providerID, resultsTerm: term, withProgress: true) : [],
            attendance: withAttendance ? try repository.attendance(marksTerm: term).filter { YearGroupSection.groups.contains($0.group) } : [])
    }

    /// The whole report: `data(...)` then `TermlyGapReportBuilder` (true figures), the impact
    /// sections (`TermlyImpactSections`), then the shaping for `audience` (`TermlyReportShaping`).
    /// - Throws: `TermlyReportShaping.ShapingError` when the tables cannot be made safe for
    ///   governors or the public.
    public func report(
        provider: ProviderCode, cohort: CohortCode, term: AcademicTerm, builder: TermlyGapReportBuilder = TermlyGapReportBuilder(),
        comparison: ComparisonGroup? = nil, impact: TermlyImpactSections = .none, audience: ReportAudience = .staff, filter: CohortFilter = .none
    ) throws -> TermlyGapReport {
        try shapedReport(
            provider: provider, cohort: cohort, term: term, builder: builder, comparison: comparison, impact: impact, audience: audience, filter: filter
        ).report
    }

    /// `report(...)` with the data it was made from and that of its impact sections: what the
    /// disclosure auditor needs to attack it (`TermlyReportTables.published`).
    public func shapedReport(
        provider: ProviderCode, cohort: CohortCode, term: AcademicTerm, builder: TermlyGapReportBuilder = TermlyGapReportBuilder(),
        comparison: ComparisonGroup? = nil, impact: TermlyImpactSections = .none, audience: ReportAudience = .staff, filter: CohortFilter = .none
    ) throws -> (report: TermlyGapReport, data: TermlyReportData, impact: [ImpactData]) {
        // Impact sections match participants within the whole cohort; they are not filtered
        // (docs/methodology.md §7.8), so a filtered report has none.
        let impact = filter.isEmpty ? impact : .none
        if audience.suppresses, filter.conditions.count > 1 {
            throw TermlyReportError.combinedFilter(filter: filter.description, audience: audience.rawValue)
        }
        if audience.suppresses, let refusal = FilterBreakdown.refusal(filter, audience: audience) { throw refusal }
        let data = try data(
            provider: provider, cohort: cohort, term: term, comparison: comparison, withImpactCandidates: impact == .automatic, audience: audience,
            filter: filter)
        if audience.suppresses, data.yearGroups != nil, let refusal = FilterBreakdown.refusalAcrossYearGroups(filter, cohort: cohort.description, audience: audience) {
            throw refusal
        }
        var report = builder.build(data)
        let sections = try impact.add(
            to: &report, provider: provider, cohort: cohort, candidates: data.impactCandidates, rule: builder.rule, audience: audience, on: connection)
        // A filtered view for governors or the public is shaped against the unfiltered cohort, so
        // that the two reports cannot be differenced; a view of gender, EAL, SEN, a marker or a
        // pupil group is its slice of every view of its dimension shaped as one, so that it cannot be
        // differenced against its siblings either (docs/disclosure-control.md §7.7).
        let tiedToWhole = !filter.isEmpty && audience.suppresses
        let breakdown = tiedToWhole && FilterBreakdown.isShapedAsOne(filter) ? try self.breakdown(
            of: filter, data: data, provider: provider, cohort: cohort, term: term, audience: audience, threshold: builder.rule.threshold) : nil
        let whole = tiedToWhole && breakdown == nil ? try self.data(
            provider: provider, cohort: cohort, term: term, comparison: data.comparison, audience: audience) : nil
        let yearGroups = audience.suppresses ? try yearGroupReports(
            data, provider: provider, term: term, builder: builder, audience: audience, filter: filter) : []
        return (try TermlyReportShaping(threshold: builder.rule.threshold).shape(
            report, data: data, impact: sections, whole: whole, breakdown: breakdown, yearGroups: yearGroups, for: audience), data, sections)
    }

    /// Each year group of a whole school or key stage as its own report for `audience` prints it
    /// (the gap report: no impact sections), for `TermlyReportShaping`'s `yearGroups`. A year
    /// group whose own report cannot be published for the audience is taken as printing nothing.
    func yearGroupReports(
        _ data: TermlyReportData, provider: ProviderCode, term: AcademicTerm, builder: TermlyGapReportBuilder, audience: ReportAudience,
        filter: CohortFilter
    ) throws -> [(name: String, tables: TableSet)] {
        try (data.yearGroups ?? []).map { yearGroup in
            let cohort = try CohortCode(parsing: yearGroup.cohort.code)
            do {
                let part = try shapedReport(
                    provider: provider, cohort: cohort, term: term, builder: builder, comparison: data.comparison, audience: audience, filter: filter)
                // What a reader of the year group's view knows by its definition, printed or not.
                var tables = try TermlyReportTables.published(part.report, data: part.data)
                for id in FilterBreakdown.zerosByDefinition(in: tables, view: part.data, filter: filter) { tables.setVisibility(.published, of: id) }
                return (yearGroup.cohort.label, tables)
            } catch is TermlyReportShaping.ShapingError {
                let partData = try self.data(provider: provider, cohort: cohort, term: term, comparison: data.comparison, audience: audience, filter: filter)
                var tables = try TermlyReportTables.describe(partData, threshold: builder.rule.threshold).tables
                let known = FilterBreakdown.zerosByDefinition(in: tables, view: partData, filter: filter)
                for cell in tables.cells where cell.visibility == .published && !known.contains(cell.id) {
                    tables.setVisibility(.suppressed, of: cell.id)
                }
                for id in known { tables.setVisibility(.published, of: id) }
                return (yearGroup.cohort.label, tables)
            }
        }
    }

    /// The error for `text`, typed as a cohort that has no students in `term` at the provider or
    /// that cannot be a cohort at all: either way it lists the cohorts that do have students, so
    /// the user can pick one.
    /// - Throws: `TermlyReportError` for an unknown provider or a term without enrolments, as
    ///   `data` would.
    public func unknownCohort(_ text: String, provider providerCode: ProviderCode, term: AcademicTerm) throws -> TermlyReportError {
        let (providerID, provider) = try self.provider(code: providerCode)
        let validTerms = try terms(providerID: providerID)
        guard validTerms.contains(term) else {
            return .termWithoutEnrolments(term: term.description, provider: provider.name, valid: validTerms.map(\.description))
        }
        return Self.unknownCohort(text, term: term, cohorts: try cohorts(providerID: providerID, term: term))
    }

    static func unknownCohort(_ text: String, term: AcademicTerm, cohorts: [TermlyReportRepository.CohortListing]) -> TermlyReportError {
        .unknownCohort(
            cohort: text, term: term.description,
            valid: cohorts.map { "\($0.code) (\($0.label), \($0.students) student\($0.students == 1 ? "" : "s"))" })
    }

    /// Groups shown in the attendance table, in order.
    static func attendanceGroups(for kind: ReportProvider.Kind) -> [ReportGroup] {
        switch kind {
        case .school, .college: [.cohort, .disadvantaged, .others, .fsm, .lookedAfter, .eal, .sen, .refugee, .youngCarer]
        case .university: [.cohort, .disadvantaged, .others, .imdQuintile(1), .polar4Quintile(1), .firstInFamily, .careLeaver]
        }
    }

    // MARK: - Lookups

    var repository: TermlyReportRepository { TermlyReportRepository(connection: connection) }

    /// The provider of `code`, with its id; an unknown code's error lists the known ones.
    public func provider(code: ProviderCode) throws -> (id: Int, provider: ReportProvider) {
        guard let row = try repository.provider(code: code.value) else {
            throw TermlyReportError.unknownProvider(code: code.value, known: try repository.providerCodes())
        }
        guard let kind = ReportProvider.Kind(rawValue: row.kind) else {
            throw PostgresError.client(message: "provider \(code) has kind '\(row.kind)', which this version of gaptrack does not know")
        }
        return (row.id, ReportProvider(code: row.code, name: row.name, kind: kind))
    }

    /// Terms of the academic years with enrolments, latest first.
    public func terms(providerID: Int) throws -> [AcademicTerm] {
        try repository.terms(providerID: providerID)
    }

    /// Cohorts with students in the term, in the order people expect (years, courses, intakes).
    public func cohorts(providerID: Int, term: AcademicTerm) throws -> [TermlyReportRepository.CohortListing] {
        try repository.cohorts(providerID: providerID, term: term)
    }
}
