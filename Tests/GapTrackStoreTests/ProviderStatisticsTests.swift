import Foundation
import Postgres
import TestDatabase
import Testing

/// sql/033_provider_student_statistics.sql: with many schools in one database, the planner's
/// estimate of "this school's rows of these pupils" must not shrink with the number of schools.
/// Without the dependency statistics it multiplies the two conditions as if independent, and at
/// 40 schools of 30 pupils expects one enrolment where 30 are read (at 200 schools this planned
/// a school's attendance count as a nested loop over every mark and day: BENCHMARKS.md).
@Suite("Planner statistics across providers")
struct ProviderStatisticsTests {
    static let schools = 40
    static let pupilsPerSchool = 30

    @Test func aSchoolsRowsOfItsPupilsAreEstimatedAtTheirNumberWhateverTheSchoolCount() throws {
        try TestDatabase.withMigratedDatabase { connection in
            for school in 1...Self.schools {
                let providerID: Int = try connection.query(
                    "INSERT INTO providers (code, name, kind, urn) VALUES ($1, $2, 'school', $3) RETURNING provider_id",
                    ["school-\(school)", "School \(school)", String(140_000 + school)]
                ).single().decode("provider_id")
                try connection.query(
                    """
                    INSERT INTO students (provider_id, institution_id, legal_surname, forename, date_of_birth)
                    SELECT $1, 'S' || n, 'Surname', 'Forename', DATE '2013-09-01' + n FROM generate_series(1, $2::int) AS n
                    """, [providerID, Self.pupilsPerSchool])
            }
            try connection.execute(
                """
                INSERT INTO enrolments (provider_id, student_id, academic_year, year_group, start_date)
                SELECT provider_id, student_id, '2024/25', '7', DATE '2024-09-02' FROM students;
                INSERT INTO student_markers (provider_id, student_id, marker, starts_on, source)
                SELECT provider_id, student_id, 'eal', DATE '2024-09-02', 'spell' FROM students;
                ANALYZE students, enrolments, student_markers
                """)
            let firstSchool: Int = try connection.query("SELECT min(provider_id) AS p FROM providers").single().decode("p")
            let pupils: [Int] = try connection.query(
                "SELECT student_id FROM students WHERE provider_id = $1 ORDER BY student_id", [firstSchool]
            ).rows.map { try $0.decode("student_id") }
            #expect(pupils.count == Self.pupilsPerSchool)
            let idList = "{" + pupils.map(String.init).joined(separator: ",") + "}"
            for table in ["enrolments", "student_markers"] {
                let estimate = try estimatedRows(
                    "SELECT * FROM \(table) WHERE provider_id = \(firstSchool) AND student_id = ANY ('\(idList)'::bigint[])", on: connection)
                // The independent guess is 30 × 1/40 ≈ 1; with the dependency it is about 30.
                #expect(estimate >= Double(Self.pupilsPerSchool) / 2, "\(table): estimated \(estimate) rows of \(Self.pupilsPerSchool)")
                #expect(estimate <= Double(Self.pupilsPerSchool) * 2, "\(table): estimated \(estimate) rows of \(Self.pupilsPerSchool)")
            }
        }
    }

    private func estimatedRows(_ query: String, on connection: PostgresConnection) throws -> Double {
        let plan: String = try connection.query("EXPLAIN (FORMAT JSON) " + query).single().decode("QUERY PLAN")
        let json = try JSONSerialization.jsonObject(with: Data(plan.utf8)) as? [[String: Any]]
        let top = json?.first?["Plan"] as? [String: Any]
        return try #require(top?["Plan Rows"] as? Double ?? (top?["Plan Rows"] as? Int).map(Double.init))
    }
}
