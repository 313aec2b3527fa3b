import Foundation
import GapTrackDomain
import Postgres

/// What a termly report reads, through the set-based report functions of sql/ (`report_*`):
/// counts, sums and rank aggregates, never a row per student, so memory stays flat whatever the
/// cohort's size.
///
/// The lookups (`provider`, `terms`, `cohorts`, `imports`) run anywhere. The figures of a cohort
/// are read inside `snapshot`: one REPEATABLE READ transaction, so every query sees the same
/// data, after `loadCohort` has worked the cohort's disadvantage facts out once into
/// `report_cohort` (dropped at commit).
///
/// Not Sendable: it holds a connection, which is used by one thread at a time.
public struct TermlyReportRepository {
    public let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// A provider as reports name it.
    public struct ProviderRow: Sendable, Equatable {
        public var id: Int
        public var code: String
        public var name: String
        /// `providers.kind`: school, college or university.
        public var kind: String
    }

    /// A cohort with students in a term, as `report_cohorts` lists it.
    public struct CohortListing: Sendable, Equatable {
        public var code: String
        public var label: String
        public var students: Int

        public init(code: String, label: String, students: Int) {
            self.code = code
            self.label = label
            self.students = students
        }
    }

    // MARK: - Lookups

    /// The provider of `code` (already in lower case), or nil.
    public func provider(code: String) throws -> ProviderRow? {
        guard let row = try connection.query(
            "SELECT provider_id, code, name, kind::text AS kind FROM providers WHERE code = $1", [code]
        ).rows.first else { return nil }
        return ProviderRow(id: try row.decode("provider_id"), code: try row.decode("code"), name: try row.decode("name"), kind: try row.decode("kind"))
    }

    /// Every provider's code, in order: the choices an unknown code's error lists.
    public func providerCodes() throws -> [String] {
        try connection.query("SELECT code FROM providers ORDER BY code").rows.map { try $0.decode("code", as: String.self) }
    }

    /// Terms of the academic years with enrolments, latest first.
    public func terms(providerID: Int) throws -> [AcademicTerm] {
        try connection.query("SELECT academic_year || '-' || term AS term FROM report_terms($1)", [providerID]).rows.map {
            try AcademicTerm(parsing: try $0.decode("term", as: String.self))
        }
    }

    /// Cohorts with students in the term, in the order people expect (years, courses, intakes).
    public func cohorts(providerID: Int, term: AcademicTerm) throws -> [CohortListing] {
        try connection.query("SELECT cohort, label, students FROM report_cohorts($1, $2, $3)", [providerID, term.year.description, term.term.rawValue])
            .rows.map { CohortListing(code: try $0.decode("cohort"), label: try $0.decode("label"), students: try $0.decode("students")) }
    }

    /// The imports the report's figures rest on, oldest first: the data cut. An import that was
    /// undone, and the undo itself, left nothing behind, so neither is listed. Times are the
    /// imports' own (finished_at), so the report never depends on the clock.
    public func imports(providerID: Int) throws -> [ImportRecord] {
        try connection.query(
            """
            SELECT kind::text AS kind, file_name, file_sha256, finished_at, rows_read
            FROM imports i
            WHERE i.provider_id = $1 AND i.undoes_import_id IS NULL
              AND NOT EXISTS (SELECT FROM imports u WHERE u.provider_id = i.provider_id AND u.undoes_import_id = i.import_id)
            ORDER BY finished_at, import_id
            """, [providerID]
        ).rows.map { row in
            ImportRecord(
                kind: try row.decode("kind"), file: try row.decode("file_name"), checksum: try row.decode("file_sha256"),
                importedAt: try row.decode("finished_at"), rows: try row.decode("rows_read"))
        }
    }

    // MARK: - The report's transaction

    /// Runs `body` in one REPEATABLE READ transaction: one snapshot for every query of a report.
    public func snapshot<T>(_ body: (TermlyReportRepository) throws -> T) throws -> T {
        try connection.transaction { connection in
            try connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            // No JIT for a report's queries (local to this transaction, so safe behind a transaction
            // pool): they read one provider's rows, which the planner, costing temporary tables and
            // functions by guesses, takes for millions; compiling them cost a third of a
            // 60,000-pupil cold report, the same JSON either way (BENCHMARKS.md, 6 December 2026).
            try connection.execute("SET LOCAL jit = off")
            return try body(TermlyReportRepository(connection: connection))
        }
    }

    /// Works out the cohort's students and their disadvantage facts (the DfE definition) into
    /// `report_cohort`, which the figures below read. Call inside `snapshot`.
    public func loadCohort(providerID: Int, term: AcademicTerm, cohort: String) throws {
        // Enough memory for the hash aggregates of a national cohort not to spill to disk;
        // local to this transaction.
        try connection.execute("SET LOCAL work_mem = '64MB'")
        try connection.query(
            "SELECT report_load_cohort($1, $2, $3, $4)", [providerID, term.year.description, term.term.rawValue, cohort])
    }

    /// Narrows the loaded cohort to the students `filter` keeps (`report_filter_cohort`); call
    /// right after `loadCohort`, before any figure is read. Returns the students left.
    @discardableResult
    public func filterCohort(providerID: Int, term: AcademicTerm, filter: CohortFilter) throws -> Int {
        guard !filter.isEmpty else { return try connection.query("SELECT count(*) AS n FROM pg_temp.report_cohort").single().decode("n") }
        return try connection.query(
            "SELECT report_filter_cohort($1, $2, $3, $4, $5, $6, $7::text[], $8::text[]) AS n",
            [providerID, term.year.description, filter.gender, filter.sen?.rawValue,
             filter.eal, filter.formGroup, filter.markers.map(Self.factColumn), filter.groups]
        ).single().decode("n")
    }

    /// The column of `student_disadvantage_facts` that says whether a student holds a marker on
    /// the census day.
    static func factColumn(_ marker: DisadvantageMarkerKind) -> String {
        switch marker {
        case .fsm: "fsm_now"
        case .fsmEver6: "fsm_ever6"
        case .pupilPremium: "pupil_premium_eligible"
        default: marker.rawValue
        }
    }

    /// Students of the loaded cohort who are disadvantaged by the DfE definition.
    public func dfeDisadvantagedCount() throws -> Int {
        try connection.query("SELECT report_dfe_disadvantaged_count() AS n").single().decode("n")
    }

    /// Replaces the loaded cohort's compared group with another definition
    /// (`report_use_comparison`; `comparisonKey` is its key there, e.g. `lseb`).
    public func useComparison(_ comparisonKey: String) throws {
        try connection.query("SELECT * FROM report_use_comparison($1)", [comparisonKey])
    }

    /// Students of the loaded cohort in each group; groups this version does not know are left out.
    public func groupCounts() throws -> [ReportGroup: Int] {
        let byID = Dictionary(uniqueKeysWithValues: ReportGroup.standardOrder.map { ($0.id, $0) })
        var counts = [ReportGroup: Int]()
        for row in try connection.query("SELECT group_id, students FROM report_group_counts()").rows {
            if let group = byID[try row.decode("group_id", as: String.self)] { counts[group] = try row.decode("students") }
        }
        return counts
    }

    /// Reads the loaded cohort's results in `terms` into the tie blocks `attainment` ranks, in one
    /// scan of the results instead of one per term (`report_load_results`). Optional:
    /// `attainment` reads a term that was not loaded by itself.
    public func loadResults(providerID: Int, terms: [AcademicTerm]) throws {
        try connection.query(
            "SELECT report_load_results($1, $2::text[], $3::term_name[])",
            [providerID, terms.map(\.year.description), terms.map(\.term.rawValue)])
    }

    /// Rank and score aggregates of every assessment point of `resultsTerm`, for the loaded cohort;
    /// `withProgress`, the cohort's progress since an earlier point of the subject this year too
    /// (`report_progress_rate`), which only the report's own term needs.
    public func attainment(providerID: Int, resultsTerm: AcademicTerm, withProgress: Bool = false) throws -> [SubjectAggregates] {
        let parameters: [any PostgresEncodable] = [providerID, resultsTerm.year.description, resultsTerm.term.rawValue]
        let rows = try connection.query(
            withProgress
                ? """
                  SELECT a.*, p.earlier_assessment, p.earlier_term, p.paired, p.mean_change, p.change_variance, p.months_between
                  FROM report_attainment($1, $2, $3) a
                  LEFT JOIN report_progress_rate($1, $2, $3) p ON p.assessment_point_id = a.assessment_point_id
                  ORDER BY a.subject, a.assessment
                  """
                : "SELECT * FROM report_attainment($1, $2, $3)",
            parameters
        ).rows
        return try rows.map { row in
            func group(_ prefix: String) throws -> ScoreAggregates? {
                let count: Int = try row.decode(prefix + "_count")
                guard count > 0 else { return nil }
                return ScoreAggregates(
                    count: count, mean: try row.decode(prefix + "_mean"), variance: try row.decode(prefix + "_variance"),
                    meanPercentileRank: try row.decode(prefix + "_mean_rank"), placementVariance: try row.decode(prefix + "_placement_variance", as: Double?.self))
            }
            // No slope when ages do not vary (Sxx = 0): kept as a zero slope over zero spread, which
            // the builder reports as "ages do not vary".
            var gradient: AgeGradientAggregates?
            if let sxx = try row.decode("age_sxx", as: Double?.self) {
                gradient = AgeGradientAggregates(
                    count: try row.decode("age_count"), slope: try row.decode("age_slope", as: Double?.self) ?? 0,
                    intercept: try row.decode("age_intercept", as: Double?.self) ?? 0, sumSquaresAge: sxx,
                    residualSumSquares: try row.decode("age_rss", as: Double?.self) ?? 0)
            }
            var progress: ProgressAggregates?
            if withProgress, let paired = try row.decode("paired", as: Int?.self),
               let earlierTerm = Term(rawValue: try row.decode("earlier_term", as: String.self)) {
                progress = ProgressAggregates(
                    earlierAssessment: try row.decode("earlier_assessment"), earlierTerm: earlierTerm, paired: paired,
                    meanChange: try row.decode("mean_change"), changeVariance: try row.decode("change_variance"),
                    monthsBetween: try row.decode("months_between"))
            }
            return SubjectAggregates(
                subject: try row.decode("subject"), assessment: try row.decode("assessment"), scale: try row.decode("scale"),
                disadvantaged: try group("d"), others: try group("o"), ageGradient: gradient, progress: progress)
        }
    }

    /// Intervention types and targets delivered to the loaded cohort this year, each with the
    /// entry and exit its default impact section is judged on (`report_impact_candidates`).
    public func impactCandidates(providerID: Int, term: AcademicTerm) throws -> [ImpactCandidate] {
        try connection.query(
            "SELECT * FROM report_impact_candidates($1, $2, $3)", [providerID, term.year.description, term.term.rawValue]
        ).rows.map { row in
            func term(_ prefix: String) throws -> AcademicTerm? {
                guard let year = try row.decode(prefix + "_year", as: String?.self), let term = try row.decode(prefix + "_term", as: String?.self)
                else { return nil }
                return try? AcademicTerm(parsing: "\(year)-\(term)")
            }
            return ImpactCandidate(
                type: try row.decode("type"), participants: try row.decode("participants"), targetKind: try row.decode("target_kind", as: String?.self),
                subject: try row.decode("target_subject", as: String?.self),
                plan: try SupportTargets.columnList.components(separatedBy: ", ").map { try row.decode($0, as: String?.self) },
                before: try term("before"), beforeName: try row.decode("before_name", as: String?.self),
                after: try term("after"), afterName: try row.decode("after_name", as: String?.self))
        }
    }

    /// Session sums by group in `marksTerm`, for the loaded cohort, in the order of
    /// `report_attendance`; groups this version does not know are left out.
    public func attendance(marksTerm: AcademicTerm) throws -> [AttendanceAggregates] {
        let byID = Dictionary(uniqueKeysWithValues: ReportGroup.standardOrder.map { ($0.id, $0) })
        return try connection.query(
            "SELECT * FROM report_attendance($1, $2)", [marksTerm.year.description, marksTerm.term.rawValue]
        ).rows.compactMap { row in
            guard let group = byID[try row.decode("group_id", as: String.self)] else { return nil }
            return AttendanceAggregates(
                group: group, students: try row.decode("students"), possible: try row.decode("possible"), attended: try row.decode("attended"),
                sumAttendedSquared: try row.decode("sum_attended_squared"), sumPossibleSquared: try row.decode("sum_possible_squared"),
                sumAttendedTimesPossible: try row.decode("sum_attended_possible"), persistentlyAbsent: try row.decode("persistently_absent"),
                severelyAbsent: try row.decode("severely_absent"))
        }
    }

    /// Support that took place in the term for the loaded cohort, by type and in all.
    public func support(providerID: Int, term: AcademicTerm) throws -> (byType: [SupportAggregates], total: SupportAggregates) {
        var byType = [SupportAggregates]()
        var total = SupportAggregates(type: nil, label: "All support", students: 0, disadvantagedStudents: 0, sessions: 0, hours: 0, spend: .zero)
        for row in try connection.query(
            "SELECT * FROM report_support($1, $2, $3)", [providerID, term.year.description, term.term.rawValue]
        ).rows {
            let type: String? = try row.decode("type")
            let aggregates = SupportAggregates(
                type: type, label: try row.decode("label", as: String?.self) ?? type ?? "All support", students: try row.decode("students"),
                disadvantagedStudents: try row.decode("disadvantaged_students"), sessions: try row.decode("sessions"),
                hours: try row.decode("hours"), spend: try PoundsAndPence(pence: try row.decode("spend_pence")))
            if type == nil { total = aggregates } else { byType.append(aggregates) }
        }
        total.label = "All support"
        return (byType, total)
    }

    /// Spend by funding source, for the loaded cohort.
    public func funding(providerID: Int, term: AcademicTerm) throws -> [FundingAggregates] {
        try connection.query(
            "SELECT * FROM report_support_funding($1, $2, $3)", [providerID, term.year.description, term.term.rawValue]
        ).rows.map { row in
            let source: String? = try row.decode("funding_source")
            return FundingAggregates(
                source: source, label: try row.decode("label", as: String?.self) ?? source ?? "Not recorded", students: try row.decode("students"),
                spend: try PoundsAndPence(pence: try row.decode("spend_pence")))
        }
    }

    /// Spend by type and funding source together, for the loaded cohort: the inner cells behind
    /// the support and funding tables.
    public func spendByTypeAndFund(providerID: Int, term: AcademicTerm) throws -> [TypeFundSpend] {
        try connection.query(
            "SELECT * FROM report_support_type_fund($1, $2, $3)", [providerID, term.year.description, term.term.rawValue]
        ).rows.map { row in
            TypeFundSpend(
                type: try row.decode("type"), source: try row.decode("funding_source"), spend: try PoundsAndPence(pence: try row.decode("spend_pence")))
        }
    }
}
