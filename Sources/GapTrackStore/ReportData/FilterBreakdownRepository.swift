import GapTrackDomain
import Postgres

/// Which values of one filter dimension the students of a cohort hold, and how those sets of
/// students overlap: what the governors' shaping of a filtered view needs to know which views are
/// parts of others or of the whole (docs/disclosure-control.md §7.7). Counts only, never a student.
public struct FilterBreakdownRepository {
    public let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// A dimension a single filter condition names (`CohortFilter`).
    public enum Dimension: String, Sendable, Hashable {
        case gender, sen, eal, form, marker, group
    }

    /// Students of both values (the same value twice: students of that value).
    public struct Overlap: Sendable, Equatable {
        public let first: String
        public let second: String
        public let students: Int
    }

    /// Every pair of values of `dimension` held by students of the cohort, with the students
    /// holding both; values as the filter takes them (gender F, sen any/k/e/none, eal yes/no, a
    /// form group in lower case, a marker's name, a group's code). Also the cohort's size.
    public func overlaps(
        providerID: Int, term: AcademicTerm, cohort: String, dimension: Dimension
    ) throws -> (students: Int, overlaps: [Overlap]) {
        try TermlyReportRepository(connection: connection).snapshot { repository in
            try repository.loadCohort(providerID: providerID, term: term, cohort: cohort)
            let students: Int = try repository.connection.query("SELECT count(*) AS n FROM pg_temp.report_cohort").single().decode("n")
            let rows = try repository.connection.query(
                """
                WITH m AS (\(Self.membership(dimension)))
                SELECT a.v AS first, b.v AS second, count(*) AS n
                FROM m a JOIN m b ON a.student_id = b.student_id
                GROUP BY a.v, b.v ORDER BY a.v, b.v
                """, [providerID, term.year.description, DisadvantageMarkerKind.filterableFacts]).rows
            // Markers by the names a filter takes, not their fact columns.
            let names = Dictionary(uniqueKeysWithValues: CohortFilter.filterableMarkers.map { (TermlyReportRepository.factColumn($0), $0.rawValue) })
            func named(_ value: String) -> String { dimension == .marker ? names[value] ?? value : value }
            return (students, try rows.map {
                Overlap(first: named(try $0.decode("first")), second: named(try $0.decode("second")), students: try $0.decode("n"))
            })
        }
    }

    /// (student_id, v) for each value a student of the loaded cohort holds, as `report_filter_cohort` reads it.
    static func membership(_ dimension: Dimension) -> String {
        switch dimension {
        case .gender:
            "SELECT c.student_id, s.gender AS v FROM pg_temp.report_cohort c JOIN students s ON s.student_id = c.student_id "
                + "WHERE s.gender IS NOT NULL AND $1::bigint IS NOT NULL AND $2::text IS NOT NULL AND $3::text[] IS NOT NULL"
        case .sen:
            "SELECT c.student_id, v FROM pg_temp.report_cohort c, LATERAL (VALUES (CASE WHEN c.sen IS NULL THEN 'none' ELSE lower(c.sen) END), "
                + "(CASE WHEN c.sen IS NOT NULL THEN 'any' END)) AS x(v) WHERE v IS NOT NULL "
                + "AND $1::bigint IS NOT NULL AND $2::text IS NOT NULL AND $3::text[] IS NOT NULL"
        case .eal:
            "SELECT c.student_id, CASE WHEN coalesce(c.eal, false) THEN 'yes' ELSE 'no' END AS v FROM pg_temp.report_cohort c "
                + "WHERE $1::bigint IS NOT NULL AND $2::text IS NOT NULL AND $3::text[] IS NOT NULL"
        case .form:
            "SELECT DISTINCT c.student_id, lower(e.form_group) AS v FROM pg_temp.report_cohort c JOIN enrolments e "
                + "ON e.provider_id = $1 AND e.student_id = c.student_id AND e.academic_year = $2 "
                + "WHERE e.form_group IS NOT NULL AND $3::text[] IS NOT NULL"
        case .marker:
            "SELECT c.student_id, m AS v FROM pg_temp.report_cohort c, unnest($3::text[]) AS m "
                + "WHERE coalesce(to_jsonb(c) ->> m, 'false') = 'true' AND $1::bigint IS NOT NULL AND $2::text IS NOT NULL"
        case .group:
            "SELECT DISTINCT c.student_id, g.code AS v FROM pg_temp.report_cohort c JOIN student_group_members g "
                + "ON g.provider_id = $1 AND g.student_id = c.student_id WHERE $2::text IS NOT NULL AND $3::text[] IS NOT NULL"
        }
    }
}

extension DisadvantageMarkerKind {
    /// The `report_cohort` fact column of every marker a filter can name.
    static var filterableFacts: [String] {
        CohortFilter.filterableMarkers.map(TermlyReportRepository.factColumn)
    }
}
