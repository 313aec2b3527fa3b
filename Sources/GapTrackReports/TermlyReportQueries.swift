import Foundation
import GapTrackDomain
import Postgres

/// Reads what a termly report needs from PostgreSQL, through the set-based report functions of
/// migrations 020–023 (made faster for national cohorts by 070–072): counts, sums and rank
/// aggregates, never a row per student, so memory stays flat whatever the cohort's size.
/// `TermlyGapReportBuilder` turns the result into figures.
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

    /// Resolves and validates the names a user typed, then reads everything the report needs.
    /// - Throws: `TermlyReportError` for an unknown provider, a malformed or empty term, or a
    ///   cohort with no students in the term (each listing the valid choices); `PostgresError`
    ///   for a database failure.
    ///
    /// - Parameter comparison: who is compared with the others; nil = the default for the
    ///   provider (`ComparisonGroup.defaultFor`: DfE disadvantaged at a school, LSEB at a
    ///   university, and at a college whose cohort holds no school markers).
    /// - Parameter withImpactCandidates: also find the impact sections the report would include
    ///   by default (`TermlyImpactSections.automatic`); off otherwise, to spare a national
    ///   cohort the query.
    public func data(
        provider providerCode: String, cohort cohortCode: String, term termText: String, comparison: ComparisonGroup? = nil,
        withImpactCandidates: Bool = false
    ) throws -> TermlyReportData {
        // A stored report needs none of the checks below (ReportSnapshotCache.swift, migration 080).
        if let stored = storedData(
            provider: providerCode, cohort: cohortCode, term: termText, comparison: comparison, withImpactCandidates: withImpactCandidates
        ) { return stored }
        let (providerID, provider) = try self.provider(code: providerCode)
        let validTerms = try terms(providerID: providerID)
        let term: AcademicTerm
        do {
            term = try AcademicTerm(parsing: termText)
        } catch {
            throw TermlyReportError.unrecognisedTerm(text: termText, valid: validTerms.map(\.description))
        }
        guard validTerms.contains(term) else {
            throw TermlyReportError.termWithoutEnrolments(term: term.description, provider: provider.name, valid: validTerms.map(\.description))
        }
        let cohorts = try self.cohorts(providerID: providerID, term: term)
        guard let cohort = cohorts.first(where: { $0.code == cohortCode.lowercased() }) else {
            throw TermlyReportError.unknownCohort(
                cohort: cohortCode, term: term.description,
                valid: cohorts.map { "\($0.code) (\($0.label), \($0.students) student\($0.students == 1 ? "" : "s"))" })
        }
        let reportCohort = ReportCohort(code: cohort.code, label: cohort.label)
        // One transaction: one snapshot for every query (REPEATABLE READ), and the cohort's
        // disadvantage facts worked out once into report_cohort, dropped at commit.
        return try connection.transaction { [requestedComparison = comparison] connection in
            try connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            // Where to keep what is computed here (migration 080). `storedData` above has already
            // looked for a valid entry, so this one only stores: `.use` becomes `.refresh`.
            let cache = ReportSnapshotCache(
                key: .init(providerID: providerID, cohort: cohort.code, term: term, comparison: requestedComparison, trendTerms: trendTerms,
                           withImpactCandidates: withImpactCandidates),
                mode: Self.snapshotCache == .off ? .off : .refresh, connection: connection)
            // Enough memory for the hash aggregates of a national cohort not to spill to disk;
            // local to this transaction.
            try connection.execute("SET LOCAL work_mem = '64MB'")
            try connection.query(
                "SELECT report_load_cohort($1, $2, $3, $4)", [providerID, term.year.description, term.term.rawValue, cohort.code])
            let dfeDisadvantaged: Int = try connection.query("SELECT report_dfe_disadvantaged_count() AS n").single().decode("n")
            let comparison = comparison ?? ComparisonGroup.defaultFor(provider.kind, dfeDisadvantagedStudents: dfeDisadvantaged)
            if comparison != .dfeDisadvantaged {
                // The cohort is loaded with the DfE definition; this replaces it (migration 061).
                try connection.query("SELECT * FROM report_use_comparison($1)", [comparison.sqlKey])
            }
            let counts = try groupCounts()
            let support = try self.support(providerID: providerID, term: term)
            let shownTerms = term.previousTerms(trendTerms).reversed() + [term]
            // Every shown term's results in one pass, after the comparison is settled: each
            // attainment call below then ranks its term's tie blocks instead of reading results.
            try loadResults(providerID: providerID, terms: shownTerms)
            var trend = [TermAggregates]()
            var attendance = [AttendanceAggregates]()
            for earlier in shownTerms {
                let subjects = try attainment(providerID: providerID, resultsTerm: earlier, withProgress: earlier == term)
                let groups = try self.attendance(marksTerm: earlier)
                if earlier == term { attendance = groups }
                let d = groups.first { $0.group == .disadvantaged }
                let o = groups.first { $0.group == .others }
                guard !subjects.isEmpty || d != nil || o != nil else { continue }
                trend.append(TermAggregates(term: earlier, subjects: subjects, disadvantagedAttendance: d, othersAttendance: o))
            }
            let current = trend.last { $0.term == term }
            let shown = Self.attendanceGroups(for: provider.kind)
            return cache.keep(TermlyReportData(
                provider: provider, cohort: reportCohort, term: term, imports: try imports(providerID: providerID),
                cohortSize: counts[.cohort] ?? 0, groupCounts: counts, subjects: current?.subjects ?? [],
                attendance: shown.compactMap { group in attendance.first { $0.group == group } },
                supportByType: support.byType, supportTotal: support.total, funding: try funding(providerID: providerID, term: term),
                trend: trend, comparison: comparison,
                impactCandidates: withImpactCandidates ? try impactCandidates(providerID: providerID, term: term) : []))
        }
    }

    /// The whole report: `data(...)` then `TermlyGapReportBuilder`, then the impact sections
    /// (`TermlyImpactSections`).
    public func report(
        provider: String, cohort: String, term: String, builder: TermlyGapReportBuilder = TermlyGapReportBuilder(),
        comparison: ComparisonGroup? = nil, impact: TermlyImpactSections = .none
    ) throws -> TermlyGapReport {
        let data = try data(provider: provider, cohort: cohort, term: term, comparison: comparison, withImpactCandidates: impact == .automatic)
        var report = builder.build(data)
        try impact.add(to: &report, candidates: data.impactCandidates, rule: builder.rule, on: connection)
        return report
    }

    /// Groups shown in the attendance table, in order.
    static func attendanceGroups(for kind: ReportProvider.Kind) -> [ReportGroup] {
        switch kind {
        case .school, .college: [.cohort, .disadvantaged, .others, .fsm, .lookedAfter, .eal, .sen, .refugee, .youngCarer]
        case .university: [.cohort, .disadvantaged, .others, .imdQuintile(1), .polar4Quintile(1), .firstInFamily, .careLeaver]
        }
    }

    // MARK: - Lookups

    public func provider(code: String) throws -> (id: Int, provider: ReportProvider) {
        let rows = try connection.query("SELECT provider_id, code, name, kind::text AS kind FROM providers WHERE code = $1", [code.lowercased()]).rows
        guard let row = rows.first else {
            let known = try connection.query("SELECT code FROM providers ORDER BY code").rows.map { try $0.decode("code", as: String.self) }
            throw TermlyReportError.unknownProvider(code: code, known: known)
        }
        let kindText: String = try row.decode("kind")
        guard let kind = ReportProvider.Kind(rawValue: kindText) else {
            throw PostgresError.client(message: "provider \(code) has kind '\(kindText)', which this version of gaptrack does not know")
        }
        return (try row.decode("provider_id"), ReportProvider(code: try row.decode("code"), name: try row.decode("name"), kind: kind))
    }

    /// Terms of the academic years with enrolments, latest first.
    public func terms(providerID: Int) throws -> [AcademicTerm] {
        try connection.query("SELECT academic_year || '-' || term AS term FROM report_terms($1)", [providerID]).rows.map {
            try AcademicTerm(parsing: try $0.decode("term", as: String.self))
        }
    }

    /// Cohorts with students in the term, in the order people expect (years, courses, intakes).
    public func cohorts(providerID: Int, term: AcademicTerm) throws -> [(code: String, label: String, students: Int)] {
        try connection.query("SELECT cohort, label, students FROM report_cohorts($1, $2, $3)", [providerID, term.year.description, term.term.rawValue])
            .rows.map { (try $0.decode("cohort"), try $0.decode("label"), try $0.decode("students")) }
    }

    // MARK: - Figures of the loaded cohort (call inside the transaction of `data`)

    /// Students of the loaded cohort in each group.
    func groupCounts() throws -> [ReportGroup: Int] {
        let byID = Dictionary(uniqueKeysWithValues: ReportGroup.standardOrder.map { ($0.id, $0) })
        var counts = [ReportGroup: Int]()
        for row in try connection.query("SELECT group_id, students FROM report_group_counts()").rows {
            if let group = byID[try row.decode("group_id", as: String.self)] { counts[group] = try row.decode("students") }
        }
        return counts
    }

    /// Reads the loaded cohort's results in `terms` into the tie blocks `attainment` ranks, in one
    /// scan of the results instead of one per term (`report_load_results`, migration 071). Optional:
    /// `attainment` reads a term that was not loaded by itself.
    func loadResults(providerID: Int, terms: [AcademicTerm]) throws {
        try connection.query(
            "SELECT report_load_results($1, $2::text[], $3::term_name[])",
            [providerID, terms.map(\.year.description), terms.map(\.term.rawValue)])
    }

    /// Rank and score aggregates of every assessment point of `resultsTerm`, for the loaded cohort;
    /// `withProgress`, the cohort's progress since an earlier point of the subject this year too
    /// (`report_progress_rate`, migrations 060 and 072), which only the report's own term needs.
    func attainment(providerID: Int, resultsTerm: AcademicTerm, withProgress: Bool = false) throws -> [SubjectAggregates] {
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

    /// Intervention types delivered to the loaded cohort this year, each with the before/after
    /// pair of its default impact section (`report_impact_candidates`, migration 062).
    func impactCandidates(providerID: Int, term: AcademicTerm) throws -> [ImpactCandidate] {
        try connection.query(
            "SELECT * FROM report_impact_candidates($1, $2, $3)", [providerID, term.year.description, term.term.rawValue]
        ).rows.compactMap { row in
            guard let before = Term(rawValue: try row.decode("before_term", as: String.self)) else { return nil }
            return ImpactCandidate(
                type: try row.decode("type"), participants: try row.decode("participants"), subject: try row.decode("subject"),
                before: AcademicTerm(year: term.year, term: before), after: term)
        }
    }

    /// Session sums by group in `marksTerm`, for the loaded cohort.
    func attendance(marksTerm: AcademicTerm) throws -> [AttendanceAggregates] {
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

    /// Support that took place in the term for the loaded cohort, by type and in all (see migration 023).
    func support(providerID: Int, term: AcademicTerm) throws -> (byType: [SupportAggregates], total: SupportAggregates) {
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
    func funding(providerID: Int, term: AcademicTerm) throws -> [FundingAggregates] {
        try connection.query(
            "SELECT * FROM report_support_funding($1, $2, $3)", [providerID, term.year.description, term.term.rawValue]
        ).rows.map { row in
            let source: String? = try row.decode("funding_source")
            return FundingAggregates(
                source: source, label: try row.decode("label", as: String?.self) ?? source ?? "Not recorded", students: try row.decode("students"),
                spend: try PoundsAndPence(pence: try row.decode("spend_pence")))
        }
    }

    /// The provider's import ledger, oldest first: the data cut. Times are the imports' own
    /// (finished_at), so the report never depends on the clock.
    public func imports(providerID: Int) throws -> [ImportRecord] {
        try connection.query(
            """
            SELECT kind::text AS kind, file_name, file_sha256, finished_at, rows_read
            FROM imports WHERE provider_id = $1 ORDER BY finished_at, import_id
            """, [providerID]
        ).rows.map { row in
            ImportRecord(
                kind: try row.decode("kind"), file: try row.decode("file_name"), checksum: try row.decode("file_sha256"),
                importedAt: try row.decode("finished_at"), rows: try row.decode("rows_read"))
        }
    }
}
