import GapTrackDomain
import Postgres

/// The `student` column of markers, attendance, assessments and support files: the identifier
/// the provider knows the student by (docs/import-formats.md).
enum StudentIdentifiers {
    /// Checks an identifier's shape and check character and returns it normalised (UPNs upper
    /// case). A 13-character UPN-shaped value must be a valid UPN and a 10-digit value a valid
    /// ULN, whatever the provider; at a school every student has a UPN, so anything else is an
    /// error there. Other values (HESA ids, institution numbers) are taken as given.
    static func normalise(_ text: String, providerKind: ProviderKind) throws(FieldProblem) -> String {
        let bytes = Array(text.utf8)
        if bytes.count == 10, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            return try uln(text)
        }
        let looksLikeUPN = bytes.count == 13 && (bytes[0] | 0x20) >= 0x61 && (bytes[0] | 0x20) <= 0x7A
            && bytes[1...11].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
        if looksLikeUPN || providerKind == .school {
            return try upn(text)
        }
        return text
    }

    static func upn(_ text: String) throws(FieldProblem) -> String {
        do {
            return try UPN(text).value
        } catch {
            switch error {
            case .wrongCheckLetter(let upn, let expected, _):
                throw FieldProblem("'\(upn)' has a wrong check letter; expected '\(expected)' (a character is probably mistyped: check it against the pupil's record)")
            default:
                throw FieldProblem(String(describing: error))
            }
        }
    }

    static func uln(_ text: String) throws(FieldProblem) -> String {
        do {
            return try ULN(text).value
        } catch {
            throw FieldProblem(String(describing: error))
        }
    }

    static func hesaID(_ text: String) throws(FieldProblem) -> String {
        do {
            return try HESAStudentID(text).value
        } catch {
            throw FieldProblem(String(describing: error))
        }
    }

    /// Fills `student_id` in a staging table from its `student` column, matching any of the
    /// provider's identifiers, set-based. Returns a row error for each line whose
    /// identifier matches no student (or, impossibly in practice, two).
    static func resolve(stagingTable: String, providerID: Int, fileName: String, columnName: String,
                        connection: PostgresConnection) throws -> [RowError] {
        // The matches go into an analysed table of their own before the UPDATE joins them back.
        // Written as one statement, the planner guessed that the grouped, filtered matches were
        // a single row and could pick a nested loop over the whole staging table for each of
        // them: with 600,000 students that ran for over ten minutes instead of about a second.
        try connection.execute("CREATE TEMP TABLE resolved_students (student text PRIMARY KEY, student_id bigint NOT NULL) ON COMMIT DROP")
        try connection.query(
            """
            INSERT INTO resolved_students (student, student_id)
            WITH wanted AS (SELECT DISTINCT student FROM \(stagingTable)),
            known AS (
                SELECT w.student, st.student_id FROM wanted w JOIN students st ON st.provider_id = $1 AND st.upn = w.student
                UNION ALL
                SELECT w.student, st.student_id FROM wanted w JOIN students st ON st.provider_id = $1 AND st.uln = w.student
                UNION ALL
                SELECT w.student, st.student_id FROM wanted w JOIN students st ON st.provider_id = $1 AND st.hesa_id = w.student
                UNION ALL
                SELECT w.student, st.student_id FROM wanted w JOIN students st ON st.provider_id = $1 AND st.institution_id = w.student
            )
            SELECT student, min(student_id) AS student_id
            FROM known GROUP BY student
            HAVING count(DISTINCT student_id) = 1
            """, [providerID])
        try connection.execute(
            """
            ANALYZE resolved_students;
            UPDATE \(stagingTable) s SET student_id = u.student_id FROM resolved_students u WHERE u.student = s.student;
            DROP TABLE resolved_students;
            """)
        // Fresh statistics: analysed before this, student_id was all NULL, and the planner would
        // expect every later join on it to find nothing (and choose nested loops accordingly).
        try connection.execute("ANALYZE \(stagingTable)")
        let rows = try connection.query(
            "SELECT line, student FROM \(stagingTable) WHERE student_id IS NULL ORDER BY line").rows
        return try rows.map { row in
            let student: String = try row.decode("student")
            return RowError(fileName: fileName, line: try row.decode("line"), column: columnName, message: unknownStudent(student))
        }
    }

    /// The message for an identifier that names none of the provider's students (or two).
    static func unknownStudent(_ student: String) -> String {
        "'\(student)' is not a student of this provider; import them in students.csv first (or check the identifier)"
    }
}
