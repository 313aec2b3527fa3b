import Foundation
import GapTrackDomain
import Postgres

extension ImpactQueries {
    /// A university's cost-of-living support in one academic year: uptake among LSEB students
    /// and others, and, among LSEB students, continuation and module marks of the supported
    /// against the unsupported of the same intake year and course (impact_cost_of_living_students).
    static func costOfLiving(
        _ request: ImpactRequest, providerID: Int, provider: ReportProvider, imports: [ImportRecord], knownBy: Date?,
        on connection: PostgresConnection
    ) throws -> ImpactData {
        guard let year = request.academicYear else { throw ImpactError.costOfLivingNeedsAYear }
        let period = ImpactPeriod(from: request.from ?? year.startDate, to: request.to ?? year.endDate)
        guard period.from <= period.to else { throw ImpactError.badPeriod(from: period.from.isoString, to: period.to.isoString) }
        let types = request.intervention.types.map(\.rawValue)
        // The data cut's day: continuation due after it is not yet known.
        let knownBy = knownBy.map { CalendarDate(daysSinceEpoch: Int(($0.timeIntervalSince1970 / 86_400).rounded(.down))).isoString }
        let students = "impact_cost_of_living_students($1, $2, $3::text[], $4::date)"
        let parameters: [any PostgresEncodable] = [providerID, year.description, types, knownBy]

        let uptakeRows = try connection.query(
            """
            SELECT s.lseb, grouping(t.type) AS any_type, t.type, count(DISTINCT s.student_id)::bigint AS students
            FROM \(students) s
            LEFT JOIN LATERAL unnest(s.supported_types) AS t(type) ON true
            GROUP BY GROUPING SETS ((s.lseb, t.type), (s.lseb))
            ORDER BY s.lseb, any_type, t.type NULLS FIRST
            """, parameters)
        var totals = [Bool: Int]()
        var unsupported = [Bool: Int]()
        var byType = [InterventionType: [Bool: Int]]()
        for row in uptakeRows.rows {
            let lseb: Bool = try row.decode("lseb")
            let students: Int = try row.decode("students")
            if try row.decode("any_type", as: Int.self) == 1 {
                totals[lseb] = students
            } else if let code: String = try row.decode("type") {
                if let type = InterventionType(rawValue: code) { byType[type, default: [:]][lseb] = students }
            } else {
                unsupported[lseb] = students
            }
        }
        var uptake = [UptakeAggregates(
            type: nil, label: "Any cost-of-living support", lsebSupported: (totals[true] ?? 0) - (unsupported[true] ?? 0),
            othersSupported: (totals[false] ?? 0) - (unsupported[false] ?? 0))]
        let names = try connection.query("SELECT type, display_name FROM intervention_types WHERE type = ANY ($1::text[])", [types]).rows
            .reduce(into: [String: String]()) { $0[try $1.decode("type")] = try $1.decode("display_name") }
        for type in request.intervention.types {
            uptake.append(UptakeAggregates(
                type: type, label: names[type.rawValue] ?? ImpactIntervention.label(for: type), lsebSupported: byType[type]?[true] ?? 0,
                othersSupported: byType[type]?[false] ?? 0))
        }

        let strataRows = try connection.query(
            """
            SELECT s.intake_year, s.course, cardinality(s.supported_types) > 0 AS supported, count(*)::bigint AS students,
                   (count(s.continued) FILTER (WHERE s.intake_year = $2))::bigint AS continuation_n,
                   avg(CASE WHEN s.continued THEN 100.0 ELSE 0.0 END) FILTER (WHERE s.intake_year = $2 AND s.continued IS NOT NULL)::float8 AS continuation_mean,
                   var_samp(CASE WHEN s.continued THEN 100.0 ELSE 0.0 END) FILTER (WHERE s.intake_year = $2 AND s.continued IS NOT NULL)::float8 AS continuation_variance,
                   (count(*) FILTER (WHERE s.intake_year = $2 AND s.continued IS NULL))::bigint AS continuation_unknown,
                   count(s.mean_mark)::bigint AS marks_n, avg(s.mean_mark) AS marks_mean, var_samp(s.mean_mark) AS marks_variance
            FROM \(students) s
            WHERE s.lseb
            GROUP BY s.intake_year, s.course, supported
            ORDER BY s.intake_year, s.course, supported
            """, parameters)
        var order = [String]()
        var continuation = [String: MatchedStratum]()
        var marks = [String: MatchedStratum]()
        var supportedLSEB = 0
        var continuationUnknown = 0
        for row in strataRows.rows {
            let intake: String? = try row.decode("intake_year")
            let course: String? = try row.decode("course")
            let key = "intake \(intake ?? "unknown") | \(course ?? "no course")"
            let supported: Bool = try row.decode("supported")
            if continuation[key] == nil {
                order.append(key)
                continuation[key] = MatchedStratum(key: key, participants: nil, comparison: nil)
                marks[key] = MatchedStratum(key: key, participants: nil, comparison: nil)
            }
            let continued = try moments(row, prefix: "continuation")
            let marked = try moments(row, prefix: "marks")
            if supported {
                supportedLSEB += try row.decode("students", as: Int.self)
                continuationUnknown += try row.decode("continuation_unknown", as: Int.self)
                continuation[key]?.participants = continued
                marks[key]?.participants = marked
            } else {
                continuation[key]?.comparison = continued
                marks[key]?.comparison = marked
            }
        }
        // The spend query binds $1-$5 as (provider, types, programme, from, to); the students
        // function takes the year and the cut's day as $6 and $7.
        let spend = try spendAggregates(
            participants: """
                SELECT student_id FROM impact_cost_of_living_students($1, $6, $2::text[], $7::date)
                WHERE cardinality(supported_types) > 0
                """,
            parameters: [providerID, types, nil as String?, period.from.isoString, period.to.isoString, year.description, knownBy],
            on: connection)
        return ImpactData(
            provider: provider, intervention: request.intervention, cohort: nil, period: period, before: nil, after: nil, imports: imports,
            design: .costOfLiving(CostOfLivingAggregates(
                academicYear: year, lsebStudents: totals[true] ?? 0, otherStudents: totals[false] ?? 0, uptake: uptake,
                supportedLSEB: supportedLSEB, continuation: order.compactMap { continuation[$0] },
                continuationUnknown: continuationUnknown, moduleMarks: order.compactMap { marks[$0] })),
            spend: spend)
    }
}
