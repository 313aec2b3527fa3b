import Foundation
import Postgres
import TestDatabase
import Testing

/// A school's report reads its own rows however many schools the database holds (docs/scaling.md,
/// "Cost per school"): the cohort is listed, and each pupil's disadvantage worked out, through the
/// provider's students, never by reading every school's enrolments and markers.
///
/// Which rows a statement read is counted by PostgreSQL itself (`pg_stat_xact_user_tables`, the
/// current transaction's rows read by sequential scans and fetched through indexes), not timed.
/// Sequential scans, hash and merge joins are switched off in the transaction, so that the answer
/// does not depend on the planner finding two small test schools cheap enough to read whole: what
/// is checked is that a path reading only the provider's rows exists. Before it did, the markers were grouped over every school's rows and
/// the cohort was listed from every school's enrolments of the year, by any path.
@Suite("A school's report reads its own rows", .serialized)
struct ProviderReadPathTests {
    @Test("a small school's cohort and attendance read its own students, enrolments, markers and marks, not a larger school's")
    func aSchoolsCohortReadsItsOwnRows() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let database = CommandTests.databaseOption(connection)
            // The small school first: the larger one, loaded after it, is the "other schools".
            for (code, urn, seed, size) in [("oak-school", "140001", "11", "20"), ("elm-school", "140002", "12", "1000")] {
                _ = try GapTrackCommandLine.run(
                    ["demo", "load", "--only", "school", "--as-provider", code, "--urn", urn, "--seed", seed, "--year-groups", "11",
                     "--cohort-size", size, "--no-leavers", "--attendance-days", "1"] + database)
            }
            try connection.execute("ANALYZE")
            func rows(_ code: String) throws -> (students: Int, enrolments: Int, markers: Int, marks: Int) {
                let row = try connection.query(
                    """
                    SELECT (SELECT count(*) FROM students s WHERE s.provider_id = p.provider_id) AS students,
                           (SELECT count(*) FROM enrolments e JOIN students s USING (student_id) WHERE s.provider_id = p.provider_id) AS enrolments,
                           (SELECT count(*) FROM student_markers m JOIN students s USING (student_id) WHERE s.provider_id = p.provider_id) AS markers,
                           (SELECT count(*) FROM attendance_marks m JOIN students s USING (student_id)
                            WHERE s.provider_id = p.provider_id AND m.session_date BETWEEN '2024-08-01' AND '2024-12-31') AS marks
                    FROM providers p WHERE p.code = $1
                    """, [code]).single()
                return (try row.decode("students"), try row.decode("enrolments"), try row.decode("markers"), try row.decode("marks"))
            }
            let oak = try rows("oak-school")
            let elm = try rows("elm-school")
            // The bounds below would not tell the two paths apart if the other school were as small,
            // and at fifty times the size no plan finds reading it whole the cheaper way.
            #expect(oak.markers > 0 && elm.students > 4 * oak.students && elm.enrolments > 2 * oak.enrolments
                        && elm.markers > 2 * oak.markers, "oak \(oak), elm \(elm)")

            let (loaded, read) = try connection.transaction { connection -> (Int, [String: Int]) in
                try connection.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off")
                let before = try Self.rowsRead(connection)
                let loaded: Int = try connection.query(
                    "SELECT report_load_cohort(p.provider_id, '2024/25', 'summer', 'year-11') AS n FROM providers p WHERE p.code = 'oak-school'"
                ).single().decode("n")
                _ = try connection.query("SELECT * FROM report_attendance('2024/25', 'autumn')")
                let after = try Self.rowsRead(connection)
                return (loaded, after.merging(before) { $0 - $1 })
            }
            // The Year 11 pupils on roll in the summer term: all but a leaver or two.
            #expect(loaded > 0 && loaded <= oak.students)
            #expect(read["attendance_marks", default: -1] <= oak.marks, "marks read: \(read)")
            #expect(elm.marks > oak.marks)
            // Each of Oak's students is read a few times (the cohort, its facts, its markers twice
            // over: current spells and FSM Ever 6; one more for the attendance's provider), each
            // enrolment at most twice; Elm's rows alone are more than that. Markers: Oak's current
            // spells, and the FSM spells for FSM Ever 6, which the planner may take from the index
            // of every school's FSM spells when that is cheaper than a look-up per pupil (at this
            // size it sometimes is); before, every school's markers were read, Elm's included.
            #expect(read["students", default: -1] <= 5 * oak.students, "students read: \(read)")
            #expect(read["enrolments", default: -1] <= 2 * oak.enrolments, "enrolments read: \(read)")
            #expect(read["student_markers", default: -1] < elm.markers / 2, "markers read: \(read); Elm's: \(elm.markers)")
            // The cohort's facts come from those kept per census day (sql/029_student_census_facts.sql): Oak's
            // pupils' rows of the one day, not the markers.
            #expect(read["student_census_facts", default: -1] <= oak.students, "kept facts read: \(read)")
            #expect(read["enrolments", default: 0] > 0 && read["student_census_facts", default: 0] > 0, "the counters moved: \(read)")
        }
    }

    /// Rows read so far in this transaction from the tables a cohort and its attendance are made of
    /// (the attendance terms' partitions together): by sequential scans and fetched through indexes.
    static func rowsRead(_ connection: PostgresConnection) throws -> [String: Int] {
        let rows = try connection.query(
            """
            SELECT CASE WHEN t.relname LIKE 'attendance_marks%' THEN 'attendance_marks' ELSE t.relname::text END AS name,
                   sum(t.seq_tup_read + coalesce(t.idx_tup_fetch, 0))::bigint AS n
            FROM pg_stat_xact_user_tables t
            WHERE t.schemaname = 'public'
              AND (t.relname IN ('students', 'enrolments', 'student_markers', 'student_census_facts') OR t.relname LIKE 'attendance\\_marks\\_%')
            GROUP BY 1
            """).rows
        var read: [String: Int] = [:]
        for row in rows { read[try row.decode("name")] = try row.decode("n") }
        return read
    }
}
