import Foundation
import GapStatistics
import GapTrackDomain
import Postgres

/// What an impact report reads. The student-level sets come from the `impact_*` functions of
/// sql/; the queries here group them by matching stratum and role, so what crosses the wire is a
/// few dozen rows whatever the cohort's size. Every value is a bound parameter.
///
/// Not Sendable: it holds a connection, which is used by one thread at a time.
public struct ImpactReportRepository {
    public let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// An assessment point as the impact functions take it: a subject, optionally one
    /// assessment's name (nil: every assessment of the subject in the term), and a term.
    public typealias AssessmentPoint = (subject: String, name: String?, term: AcademicTerm)

    /// Who took part, as `impact_school_roles` and `impact_intervention_records` take it.
    public struct Participation: Sendable {
        public var providerID: Int
        /// Intervention type codes; nil for every type (a programme).
        public var types: [String]?
        /// A programme's reference prefix, or nil.
        public var programme: String?
        public var from: CalendarDate
        public var to: CalendarDate
        /// Only the records with this plan (target, entry and exit as stored, in
        /// `SupportTargets.columnList` order) take part; other delivered records of the type
        /// leave their students out of the comparison pool. Nil: every record of the type.
        public var plan: [String?]?

        public init(providerID: Int, types: [String]?, programme: String?, from: CalendarDate, to: CalendarDate, plan: [String?]? = nil) {
            self.plan = plan
            self.providerID = providerID
            self.types = types
            self.programme = programme
            self.from = from
            self.to = to
        }

        /// $1 provider, $2 types, $3 programme, $4 and $5 the period.
        var parameters: [any PostgresEncodable] { [providerID, types, programme, from.isoString, to.isoString] }

        /// `parameters`, then $6 whether a plan narrows the records and $7 to $14 its columns, as `planMatch` reads them.
        var parametersWithPlan: [any PostgresEncodable] {
            parameters + [plan != nil] + (plan ?? Array(repeating: nil, count: 8)).map { $0 as any PostgresEncodable }
        }

        /// Whether support record `r` has the plan of `parametersWithPlan`.
        static let planMatch = """
            (NOT $6 OR (r.target_kind::text IS NOT DISTINCT FROM $7 AND r.target_subject IS NOT DISTINCT FROM $8
                AND r.entry_assessment IS NOT DISTINCT FROM $9 AND r.entry_academic_year IS NOT DISTINCT FROM $10
                AND r.entry_term::text IS NOT DISTINCT FROM $11 AND r.exit_assessment IS NOT DISTINCT FROM $12
                AND r.exit_academic_year IS NOT DISTINCT FROM $13 AND r.exit_term::text IS NOT DISTINCT FROM $14))
            """
    }

    /// Runs `body` in one transaction, in which `ImpactCohortTables` may keep its tables.
    public func transaction<T>(_ body: (ImpactReportRepository) throws -> T) throws -> T {
        try connection.transaction { try body(ImpactReportRepository(connection: $0)) }
    }

    // MARK: - Checks

    /// Whether the provider holds results of `point`.
    public func assessmentHeld(providerID: Int, _ point: AssessmentPoint) throws -> Bool {
        try connection.query(
            "SELECT impact_assessment_held($1, $2, $3, $4, $5::term_name) AS held",
            [providerID, point.subject, point.name, point.term.year.description, point.term.term.rawValue]
        ).single().decode("held")
    }

    /// Whether any support record's reference starts with `programme` (in any case).
    public func programmeHasRecords(providerID: Int, programme: String) throws -> Bool {
        let found = try connection.query(
            "SELECT count(*)::bigint AS n FROM support_records WHERE provider_id = $1 AND lower(left(reference, length($2))) = lower($2)",
            [providerID, programme])
        return try found.single().decode("n", as: Int.self) > 0
    }

    // MARK: - Schools and colleges

    /// One cohort, disadvantage and prior-band stratum of one role (participant, comparison,
    /// excluded), with the outcome moments of its students.
    public struct SchoolStratumRow: Sendable, Equatable {
        public var cohort: String
        public var disadvantaged: Bool
        public var priorBand: String?
        public var role: String
        public var students: Int
        public var attainment: OutcomeMoments?
        public var attendance: OutcomeMoments?
        public var standardisation: CohortStandardisation
    }

    /// The strata of the students of `cohortTable` (from `ImpactCohortTables.table`) by who took
    /// part; everyone without a role is in the comparison pool. Keeps the roles in
    /// `impact_roles` for `schoolSpend`, until the transaction ends.
    public func schoolStrata(cohortTable: String, participation: Participation) throws -> [SchoolStratumRow] {
        try connection.execute(
            """
            DROP TABLE IF EXISTS pg_temp.impact_roles;
            CREATE TEMPORARY TABLE impact_roles (student_id bigint PRIMARY KEY, role text NOT NULL) ON COMMIT DROP
            """)
        try connection.query(
            "INSERT INTO impact_roles SELECT * FROM impact_school_roles($1, $2::text[], $3, $4::date, $5::date)", participation.parameters)
        if participation.plan != nil {
            // A section judged on one target: students whose delivered records of the type all
            // have another target took the same kind of support, so they are neither its
            // participants nor comparable non-participants.
            try connection.query(
                """
                UPDATE impact_roles i SET role = 'excluded'
                WHERE i.role = 'participant' AND NOT EXISTS (
                    SELECT FROM impact_intervention_records($1, $2::text[], $3, $4::date, $5::date) r
                    WHERE r.student_id = i.student_id AND r.status IN ('active', 'ended') AND \(Participation.planMatch))
                """, participation.parametersWithPlan)
        }
        try connection.execute("ANALYZE pg_temp.impact_roles")
        let grouped = try connection.query(
            """
            SELECT c.cohort, c.disadvantaged, c.prior_band, coalesce(r.role, 'comparison') AS role, count(*)::bigint AS students,
                   count(c.change_sd)::bigint AS attainment_n, avg(c.change_sd) AS attainment_mean, var_samp(c.change_sd) AS attainment_variance,
                   count(c.attendance_after - c.attendance_before)::bigint AS attendance_n,
                   avg(c.attendance_after - c.attendance_before) AS attendance_mean,
                   var_samp(c.attendance_after - c.attendance_before) AS attendance_variance,
                   max(c.cohort_before_students)::bigint AS cohort_before_students, max(c.cohort_before_sd) AS cohort_before_sd,
                   max(c.standardisation) AS standardisation, max(c.banding) AS banding
            FROM pg_temp.\(cohortTable) c
            LEFT JOIN impact_roles r ON r.student_id = c.student_id
            GROUP BY c.cohort, c.disadvantaged, c.prior_band, coalesce(r.role, 'comparison')
            ORDER BY c.cohort, c.disadvantaged, c.prior_band NULLS LAST, coalesce(r.role, 'comparison')
            """)
        return try grouped.rows.map { row in
            let cohort: String = try row.decode("cohort")
            return SchoolStratumRow(
                cohort: cohort, disadvantaged: try row.decode("disadvantaged"), priorBand: try row.decode("prior_band"),
                role: try row.decode("role"), students: try row.decode("students"),
                attainment: try Self.moments(row, prefix: "attainment"), attendance: try Self.moments(row, prefix: "attendance"),
                standardisation: CohortStandardisation(
                    cohort: cohort, beforeStudents: try row.decode("cohort_before_students"),
                    beforeStandardDeviation: try row.decode("cohort_before_sd"), method: try row.decode("standardisation"),
                    banding: try row.decode("banding")))
        }
    }

    /// Spend of the participants of the last `schoolStrata` who are in `cohortTable`.
    public func schoolSpend(cohortTable: String, participation: Participation) throws -> SpendAggregates {
        try spendAggregates(
            participants: "SELECT r.student_id FROM impact_roles r JOIN pg_temp.\(cohortTable) c ON c.student_id = r.student_id WHERE r.role = 'participant'",
            parameters: participation.parametersWithPlan, records: Participation.planMatch)
    }

    // MARK: - Universities: cost-of-living support

    /// Whose cost-of-living support is evaluated: the provider's students of one academic year.
    public struct CostOfLivingSelection: Sendable {
        public var providerID: Int
        public var year: AcademicYear
        public var types: [String]
        /// The data cut's day: continuation due after it is not yet known.
        public var knownBy: CalendarDate?

        public init(providerID: Int, year: AcademicYear, types: [String], knownBy: CalendarDate?) {
            self.providerID = providerID
            self.year = year
            self.types = types
            self.knownBy = knownBy
        }

        var parameters: [any PostgresEncodable] { [providerID, year.description, types, knownBy?.isoString] }
    }

    static let costOfLivingStudents = "impact_cost_of_living_students($1, $2, $3::text[], $4::date)"

    /// Students by LSEB status, with each type of support and with any (`anyType`, type nil),
    /// and the unsupported (type nil, `anyType` false).
    public struct UptakeRow: Sendable, Equatable {
        public var lseb: Bool
        public var anyType: Bool
        public var type: String?
        public var students: Int
    }

    public func costOfLivingUptake(_ selection: CostOfLivingSelection) throws -> [UptakeRow] {
        try connection.query(
            """
            SELECT s.lseb, grouping(t.type) AS any_type, t.type, count(DISTINCT s.student_id)::bigint AS students
            FROM \(Self.costOfLivingStudents) s
            LEFT JOIN LATERAL unnest(s.supported_types) AS t(type) ON true
            GROUP BY GROUPING SETS ((s.lseb, t.type), (s.lseb))
            ORDER BY s.lseb, any_type, t.type NULLS FIRST
            """, selection.parameters
        ).rows.map { row in
            UptakeRow(
                lseb: try row.decode("lseb"), anyType: try row.decode("any_type", as: Int.self) == 1, type: try row.decode("type"),
                students: try row.decode("students"))
        }
    }

    /// The catalogue's display names of `types`, by code.
    public func interventionTypeNames(_ types: [String]) throws -> [String: String] {
        try connection.query("SELECT type, display_name FROM intervention_types WHERE type = ANY ($1::text[])", [types]).rows
            .reduce(into: [String: String]()) { $0[try $1.decode("type")] = try $1.decode("display_name") }
    }

    /// One intake year and course stratum of the LSEB students, supported or not: continuation
    /// (in per cent, this year's intake only) and mean module marks.
    public struct CostOfLivingStratumRow: Sendable, Equatable {
        public var intakeYear: String?
        public var course: String?
        public var supported: Bool
        public var students: Int
        public var continuation: OutcomeMoments?
        /// This year's intake whose continuation is not yet known.
        public var continuationUnknown: Int
        public var moduleMarks: OutcomeMoments?
    }

    public func costOfLivingStrata(_ selection: CostOfLivingSelection) throws -> [CostOfLivingStratumRow] {
        try connection.query(
            """
            SELECT s.intake_year, s.course, cardinality(s.supported_types) > 0 AS supported, count(*)::bigint AS students,
                   (count(s.continued) FILTER (WHERE s.intake_year = $2))::bigint AS continuation_n,
                   avg(CASE WHEN s.continued THEN 100.0 ELSE 0.0 END) FILTER (WHERE s.intake_year = $2 AND s.continued IS NOT NULL)::float8 AS continuation_mean,
                   var_samp(CASE WHEN s.continued THEN 100.0 ELSE 0.0 END) FILTER (WHERE s.intake_year = $2 AND s.continued IS NOT NULL)::float8 AS continuation_variance,
                   (count(*) FILTER (WHERE s.intake_year = $2 AND s.continued IS NULL))::bigint AS continuation_unknown,
                   count(s.mean_mark)::bigint AS marks_n, avg(s.mean_mark) AS marks_mean, var_samp(s.mean_mark) AS marks_variance
            FROM \(Self.costOfLivingStudents) s
            WHERE s.lseb
            GROUP BY s.intake_year, s.course, supported
            ORDER BY s.intake_year, s.course, supported
            """, selection.parameters
        ).rows.map { row in
            CostOfLivingStratumRow(
                intakeYear: try row.decode("intake_year"), course: try row.decode("course"), supported: try row.decode("supported"),
                students: try row.decode("students"), continuation: try Self.moments(row, prefix: "continuation"),
                continuationUnknown: try row.decode("continuation_unknown"), moduleMarks: try Self.moments(row, prefix: "marks"))
        }
    }

    /// Spend of the supported students of `selection` in the period.
    public func costOfLivingSpend(_ selection: CostOfLivingSelection, from: CalendarDate, to: CalendarDate) throws -> SpendAggregates {
        // The spend query binds $1-$5 as (provider, types, programme, from, to); the students
        // function takes the year and the cut's day as $6 and $7.
        try spendAggregates(
            participants: """
                SELECT student_id FROM impact_cost_of_living_students($1, $6, $2::text[], $7::date)
                WHERE cardinality(supported_types) > 0
                """,
            parameters: [
                selection.providerID, selection.types, nil as String?, from.isoString, to.isoString, selection.year.description,
                selection.knownBy?.isoString,
            ])
    }

    // MARK: - Shared

    /// The moments of `<prefix>_n`, `<prefix>_mean`, `<prefix>_variance`; nil when n = 0.
    static func moments(_ row: PostgresRow, prefix: String) throws -> OutcomeMoments? {
        let count: Int = try row.decode(prefix + "_n")
        guard count > 0, let mean: Double = try row.decode(prefix + "_mean") else { return nil }
        return OutcomeMoments(count: count, mean: mean, variance: try row.decode(prefix + "_variance"))
    }

    /// Spend of the delivered records of the intervention for the students `participants`
    /// selects (a query over the same parameters: $1 provider, $2 types, $3 programme, $4 and
    /// $5 the period), by funding source, by type, and in all, labelled with the catalogues'
    /// display names (funding_sources, intervention_types).
    /// `records`: a further condition on the records `r` counted.
    func spendAggregates(participants: String, parameters: [any PostgresEncodable], records: String = "true") throws -> SpendAggregates {
        let result = try connection.query(
            """
            WITH participants AS (\(participants)),
            records AS (
                SELECT r.* FROM impact_intervention_records($1, $2::text[], $3, $4::date, $5::date) r
                WHERE r.status IN ('active', 'ended') AND r.student_id IN (SELECT student_id FROM participants) AND \(records)
            ),
            grouped AS (
                SELECT grouping(r.funding_source) AS all_sources, grouping(r.type) AS all_types, r.funding_source, r.type,
                       count(DISTINCT r.student_id)::bigint AS students, (coalesce(sum(r.amount), 0) * 100)::bigint AS pence,
                       coalesce(sum(r.sessions), 0)::bigint AS sessions, coalesce(sum(r.hours), 0)::float8 AS hours,
                       (count(*) FILTER (WHERE r.amount IS NULL))::bigint AS without_amount
                FROM records r
                GROUP BY GROUPING SETS ((r.funding_source), (r.type), ())
            )
            SELECT g.*, f.display_name AS source_name, t.display_name AS type_name
            FROM grouped g
            LEFT JOIN funding_sources f ON f.funding_source = g.funding_source
            LEFT JOIN intervention_types t ON t.type = g.type
            ORDER BY g.all_sources, g.all_types, g.funding_source NULLS LAST, g.type
            """, parameters)
        var bySource = [SpendLine]()
        var byType = [SpendLine]()
        var total = SpendLine(code: nil, label: "All participants", students: 0, spend: .zero)
        var withoutAmount = 0
        for row in result.rows {
            let allSources: Int = try row.decode("all_sources")
            let allTypes: Int = try row.decode("all_types")
            var line = SpendLine(
                code: nil, label: "All participants", students: try row.decode("students"),
                spend: try PoundsAndPence(pence: try row.decode("pence")), sessions: try row.decode("sessions"), hours: try row.decode("hours"))
            switch (allSources, allTypes) {
            case (0, _):
                line.code = try row.decode("funding_source")
                line.label = try row.decode("source_name", as: String?.self) ?? "Not recorded"
                bySource.append(line)
            case (_, 0):
                line.code = try row.decode("type")
                line.label = try row.decode("type_name", as: String?.self) ?? line.code ?? ""
                byType.append(line)
            default:
                total = line
                withoutAmount = try row.decode("without_amount")
            }
        }
        return SpendAggregates(byFundingSource: bySource, byType: byType, total: total, recordsWithoutAmount: withoutAmount)
    }
}
