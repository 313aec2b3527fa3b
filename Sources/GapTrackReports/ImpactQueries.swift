import Foundation
import GapTrackDomain
import Postgres

/// Reads the aggregates of an impact report from PostgreSQL. The student-level sets come from
/// the functions of sql/040_intervention_impact.sql; the queries here group them by matching
/// stratum and role, so what crosses the wire is a few dozen rows whatever the cohort's size.
/// Every value is a bound parameter.
public enum ImpactQueries {
    /// Everything `ImpactReportBuilder` needs for `request`.
    /// - Throws: `ImpactError` for a request that cannot be answered (unknown provider, no such
    ///   assessment, ...), `PostgresError` for a database failure.
    public static func load(_ request: ImpactRequest, on connection: PostgresConnection) throws -> ImpactData {
        try load([request], on: connection)[0].get()
    }

    /// Everything `ImpactReportBuilder` needs for each of `requests`, in order, as `load` makes
    /// it for each alone: a request that cannot be answered gets its `ImpactError`. All are read
    /// in one transaction, and school requests on the same assessment points and cohort share
    /// the cohort-wide work (`ImpactCohortTables`), so a termly report's sections cost about one
    /// cohort and a few small role sets, not one cohort each.
    /// - Throws: `PostgresError` for a database failure.
    public static func load(_ requests: [ImpactRequest], on connection: PostgresConnection) throws -> [Result<ImpactData, ImpactError>] {
        var cohorts = ImpactCohortTables()
        return try connection.transaction { connection in
            try requests.map { request in
                do {
                    return .success(try load(request, cohorts: &cohorts, on: connection))
                } catch let error as ImpactError {
                    return .failure(error)
                }
            }
        }
    }

    /// `load` for one request, inside the transaction that owns `cohorts`.
    static func load(_ request: ImpactRequest, cohorts: inout ImpactCohortTables, on connection: PostgresConnection) throws -> ImpactData {
        // The provider and the data cut exactly as the termly report reads them.
        let termly = TermlyReportQueries(connection: connection)
        let (providerID, provider) = try termly.provider(code: request.providerCode)
        let imports = try termly.imports(providerID: providerID)
        if request.intervention.kind == .costOfLiving {
            return try costOfLiving(
                request, providerID: providerID, provider: provider, imports: imports, knownBy: imports.map(\.importedAt).max(), on: connection)
        }
        return try school(request, providerID: providerID, provider: provider, imports: imports, cohorts: &cohorts, on: connection)
    }

    /// The cohort of `code` with its label, if it has students in `term`; otherwise the error
    /// lists the cohorts that do (`report_cohorts`, migration 020, read once per transaction).
    static func cohort(
        _ code: String, term: AcademicTerm, providerID: Int, cohorts: inout ImpactCohortTables, on connection: PostgresConnection
    ) throws -> ReportCohort {
        let listed = try cohorts.reportCohorts(providerID: providerID, term: term, on: connection)
        guard let found = listed.first(where: { $0.code == code }) else {
            throw ImpactError.unknownCohort(code, term: term, valid: listed.map { "\($0.code) (\($0.students))" })
        }
        return ReportCohort(code: found.code, label: found.label)
    }

    // MARK: - Schools and colleges

    static func school(
        _ request: ImpactRequest, providerID: Int, provider: ReportProvider, imports: [ImportRecord], cohorts: inout ImpactCohortTables,
        on connection: PostgresConnection
    ) throws -> ImpactData {
        guard let before = request.before, let after = request.after else { throw ImpactError.missingAssessmentPoints }
        guard before.term < after.term else { throw ImpactError.afterNotLater(before: before, after: after) }
        for point in [before, after] {
            let held = try connection.query(
                "SELECT impact_assessment_held($1, $2, $3, $4, $5::term_name) AS held",
                [providerID, point.subject, point.name, point.term.year.description, point.term.term.rawValue])
            if !(try held.single().decode("held", as: Bool.self)) { throw ImpactError.noSuchAssessment(point, provider: provider.name) }
        }
        let cohort = try request.cohortCode.map { try Self.cohort($0, term: before.term, providerID: providerID, cohorts: &cohorts, on: connection) }
        let period = ImpactPeriod(from: request.from ?? before.term.startDate, to: request.to ?? after.term.endDate)
        guard period.from <= period.to else { throw ImpactError.badPeriod(from: period.from.isoString, to: period.to.isoString) }
        if let programme = request.intervention.programme {
            let found = try connection.query(
                "SELECT count(*)::bigint AS n FROM support_records WHERE provider_id = $1 AND lower(left(reference, length($2))) = lower($2)",
                [providerID, programme])
            if try found.single().decode("n", as: Int.self) == 0 { throw ImpactError.unknownProgramme(programme, provider: provider.name) }
        }
        let types: [String]? = request.intervention.kind == .programme ? nil : request.intervention.types.map(\.rawValue)
        // The participation parameters of impact_school_roles: provider, types, programme, period.
        let parameters: [any PostgresEncodable] = [providerID, types, request.intervention.programme, period.from.isoString, period.to.isoString]
        // The cohort-wide part is worked out once per transaction for all sections on these
        // points (ImpactCohortTables); this section adds only who took part, a few thousand
        // rows that both the strata and the spend read.
        let cohortTable = try cohorts.table(
            providerID: providerID, before: before, after: after, cohort: request.cohortCode, priorBand: request.priorBand, on: connection)
        try connection.execute(
            """
            DROP TABLE IF EXISTS pg_temp.impact_roles;
            CREATE TEMPORARY TABLE impact_roles (student_id bigint PRIMARY KEY, role text NOT NULL) ON COMMIT DROP
            """)
        try connection.query("INSERT INTO impact_roles SELECT * FROM impact_school_roles($1, $2::text[], $3, $4::date, $5::date)", parameters)
        try connection.execute("ANALYZE pg_temp.impact_roles")
        // The rows of impact_school_students (migration 051): everyone without a role here is in the comparison pool.
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
        let spend = try spendAggregates(
            participants: "SELECT r.student_id FROM impact_roles r JOIN pg_temp.\(cohortTable) c ON c.student_id = r.student_id WHERE r.role = 'participant'",
            parameters: parameters, on: connection)
        var counts = [String: Int]()
        var order = [String]()
        var attainment = [String: MatchedStratum]()
        var attendance = [String: MatchedStratum]()
        var standardisation = [String: CohortStandardisation]()
        for row in grouped.rows {
            let role: String = try row.decode("role")
            let cohort: String = try row.decode("cohort")
            counts[role, default: 0] += try row.decode("students", as: Int.self)
            let band: String? = try row.decode("prior_band")
            let key = "\(cohort) | \(try row.decode("disadvantaged", as: Bool.self) ? "disadvantaged" : "not disadvantaged") | \(band ?? "no band")"
            if attainment[key] == nil {
                order.append(key)
                attainment[key] = MatchedStratum(key: key, participants: nil, comparison: nil)
                attendance[key] = MatchedStratum(key: key, participants: nil, comparison: nil)
            }
            switch role {
            case "participant":
                attainment[key]?.participants = try moments(row, prefix: "attainment")
                attendance[key]?.participants = try moments(row, prefix: "attendance")
            case "comparison" where band != nil:
                // Without a prior-attainment band (no KS2 result held) nobody is comparable: such
                // participants stay unmatched.
                attainment[key]?.comparison = try moments(row, prefix: "attainment")
                attendance[key]?.comparison = try moments(row, prefix: "attendance")
            default:
                break
            }
            if standardisation[cohort] == nil {
                standardisation[cohort] = CohortStandardisation(
                    cohort: cohort, beforeStudents: try row.decode("cohort_before_students"),
                    beforeStandardDeviation: try row.decode("cohort_before_sd"), method: try row.decode("standardisation"),
                    banding: try row.decode("banding"))
            }
        }
        return ImpactData(
            provider: provider, intervention: request.intervention, cohort: cohort, period: period, before: before, after: after, imports: imports,
            design: .school(SchoolImpactAggregates(
                participants: counts["participant"] ?? 0, comparisonPool: counts["comparison"] ?? 0, excluded: counts["excluded"] ?? 0,
                priorBand: request.priorBand, attainment: order.compactMap { attainment[$0] }, attendance: order.compactMap { attendance[$0] },
                // Year groups in school order (7, 8, ... 11), then courses.
                standardisation: standardisation.values.sorted { (Int($0.cohort) ?? .max, $0.cohort) < (Int($1.cohort) ?? .max, $1.cohort) })),
            spend: spend)
    }

    /// The moments of `<prefix>_n`, `<prefix>_mean`, `<prefix>_variance`; nil when n = 0.
    static func moments(_ row: PostgresRow, prefix: String) throws -> OutcomeMoments? {
        let count: Int = try row.decode(prefix + "_n")
        guard count > 0, let mean: Double = try row.decode(prefix + "_mean") else { return nil }
        return OutcomeMoments(count: count, mean: mean, variance: try row.decode(prefix + "_variance"))
    }

    /// Spend of the delivered records of the intervention for the students `participants`
    /// selects (a query over the same parameters: $1 provider, $2 types, $3 programme, $4 and
    /// $5 the period), by funding source, by type, and in all, labelled with the catalogues'
    /// display names (funding_sources, intervention_types; migration 008).
    static func spendAggregates(participants: String, parameters: [any PostgresEncodable], on connection: PostgresConnection) throws -> SpendAggregates {
        let result = try connection.query(
            """
            WITH participants AS (\(participants)),
            records AS (
                SELECT r.* FROM impact_intervention_records($1, $2::text[], $3, $4::date, $5::date) r
                WHERE r.status IN ('active', 'ended') AND r.student_id IN (SELECT student_id FROM participants)
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
