import Foundation
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// sql/031_attendance_by_school.sql takes apart the term tables the attendance import made before
/// it (one table of every school's marks per term) into one partition per school under the term.
@Suite("Attendance by school: migrating term tables")
struct AttendanceBySchoolMigrationTests {
    @Test("a term table holding two schools' marks becomes a term partitioned by school, every mark kept, each in a keyed table of its own")
    func termTablesMigrate() throws {
        let project = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let sql = project.appendingPathComponent("sql")
        let before = FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-before-031-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: sql, to: before)
        defer { try? FileManager.default.removeItem(at: before) }
        for file in try FileManager.default.contentsOfDirectory(atPath: before.path)
        where file.hasSuffix(".sql") && (Int(file.prefix(3)) ?? 0) >= 31 {
            try FileManager.default.removeItem(at: before.appendingPathComponent(file))
        }
        try ShardReadyTests.removeDefinitionsAfter(version: 30, in: before.appendingPathComponent("functions"))
        try TestDatabase.withEmptyDatabase { connection in
            _ = try MigrationRunner(folder: before).apply(on: connection)
            // Two schools with a pupil each, and a term table as the import made it before 031:
            // LIKE attendance_marks, its key, attached for the term's dates.
            var students: [Int] = []
            for (code, urn) in [("oak-school", "140001"), ("elm-school", "140002")] {
                let provider: Int = try connection.query(
                    "INSERT INTO providers (code, name, kind, urn) VALUES ($1, $1, 'school', $2) RETURNING provider_id", [code, urn]
                ).single().decode("provider_id")
                students.append(try connection.query(
                    """
                    INSERT INTO students (provider_id, institution_id, legal_surname, forename, date_of_birth)
                    VALUES ($1, $2, 'Khan', 'Amira', '2009-03-04') RETURNING student_id
                    """, [provider, "P-" + urn]).single().decode("student_id"))
            }
            try connection.execute(
                """
                CREATE TABLE attendance_marks_2024_25_autumn (LIKE attendance_marks INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
                ALTER TABLE attendance_marks_2024_25_autumn ADD PRIMARY KEY (provider_id, student_id, session_date, session);
                ALTER TABLE attendance_marks ATTACH PARTITION attendance_marks_2024_25_autumn FOR VALUES FROM ('2024-09-01') TO ('2025-01-01');
                """)
            try connection.query(
                """
                INSERT INTO attendance_marks (provider_id, student_id, session_date, session, code)
                SELECT s.provider_id, s.student_id, d::date, h::session_half, CASE WHEN h = 'AM' THEN '/' ELSE 'N' END::attendance_code
                FROM students s, generate_series(DATE '2024-09-02', DATE '2024-09-06', '1 day') d, unnest(ARRAY['AM', 'PM']) h
                WHERE s.student_id = ANY ($1)
                """, [students])
            let marks = "SELECT provider_id || ' ' || student_id || ' ' || session_date || ' ' || session || ' ' || code AS m FROM attendance_marks ORDER BY 1"
            let held: [String] = try connection.query(marks).rows.map { try $0.decode("m") }
            #expect(held.count == 20)

            let applied = try MigrationRunner(folder: sql).apply(on: connection)
            #expect(applied.map(\.fileName).contains("031_attendance_by_school.sql"))
            #expect(try connection.query(marks).rows.map { try $0.decode("m") as String } == held)
            let providers: [Int] = try connection.query("SELECT provider_id FROM providers ORDER BY provider_id").rows.map { try $0.decode("provider_id") }
            let layout: [String] = try connection.query(
                """
                SELECT c.relname || ' ' || c.relkind::text || ' in ' || i.inhparent::regclass::text || ' ' || pg_get_expr(c.relpartbound, c.oid) AS p
                FROM pg_partition_tree('attendance_marks') t JOIN pg_class c ON c.oid = t.relid JOIN pg_inherits i ON i.inhrelid = t.relid
                """).rows.map { try $0.decode("p") as String }.sorted()
            #expect(layout == [
                "attendance_marks_2024_25_autumn p in attendance_marks FOR VALUES FROM ('2024-09-01') TO ('2025-01-01')",
                "attendance_marks_2024_25_autumn_default r in attendance_marks_2024_25_autumn DEFAULT",
                "attendance_marks_2024_25_autumn_p\(providers[0]) r in attendance_marks_2024_25_autumn FOR VALUES IN ('\(providers[0])')",
                "attendance_marks_2024_25_autumn_p\(providers[1]) r in attendance_marks_2024_25_autumn FOR VALUES IN ('\(providers[1])')",
                "attendance_marks_default r in attendance_marks DEFAULT",
            ].sorted())
            // Each school's partition holds its own marks, and they are keyed.
            let perSchool: [String] = try connection.query(
                "SELECT tableoid::regclass::text || '=' || count(*) || '/' || min(provider_id) AS p FROM attendance_marks GROUP BY tableoid"
            ).rows.map { try $0.decode("p") as String }.sorted()
            #expect(perSchool == providers.map { "attendance_marks_2024_25_autumn_p\($0)=10/\($0)" }.sorted())
            #expect(try connection.query(
                "SELECT count(*) AS n FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid WHERE c.relname LIKE 'attendance_marks_2024_25_autumn_p%' AND x.indisprimary"
            ).single().decode("n") as Int == 2)
            // The old term-level functions are gone; only the school-level ones remain.
            let functions: [String] = try connection.query(
                "SELECT p.oid::regprocedure::text AS f FROM pg_proc p WHERE p.proname IN ('attendance_term_is_empty', 'attendance_create_term_table', 'attendance_attach_term_table') ORDER BY 1"
            ).rows.map { try $0.decode("f") }
            #expect(functions == ["attendance_attach_term_table(text,term_name,bigint)", "attendance_create_term_table(text,term_name,bigint)"])
        }
    }
}
