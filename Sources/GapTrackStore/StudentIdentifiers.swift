import GapTrackDomain
import Postgres

/// The `student` column of markers, attendance, assessments and support files: the identifier
/// the provider knows the student by (docs/import-formats.md).
enum StudentIdentifiers {
    /// Checks an identifier's shape and check character and returns it in the form every door
    /// looks students up by (`StudentIdentifier`). A 13-character UPN-shaped value must be a
    /// valid UPN and a 10-digit value a valid ULN, whatever the provider; at a school every
    /// student has a UPN, so anything else is an error there. Other values (HESA ids,
    /// institution numbers) are taken as given.
    static func normalise(_ text: String, providerKind: ProviderKind) throws(FieldProblem) -> String {
        let text = StudentIdentifier.normalised(text)
        let bytes = Array(text.utf8)
        if bytes.count == 10, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            return try uln(text)
        }
        let looksLikeUPN = bytes.count == 13 && bytes[0] >= 0x41 && bytes[0] <= 0x5A
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

    /// Fills `student_id` in a staging table from its `student` column (normalised by
    /// `normalise`), with the lookup `Students` uses, set-based. Returns a row error for each line
    /// whose identifier names no student, or names two.
    static func resolve(stagingTable: String, providerID: Int, fileName: String, columnName: String,
                        connection: PostgresConnection) throws -> [RowError] {
        // The matches go into an analysed table of their own before the UPDATE joins them back:
        // as one statement the planner takes the grouped matches for a single row and may loop
        // over the whole staging table for each of them.
        try connection.execute(
            "CREATE TEMP TABLE resolved_students (identifier text PRIMARY KEY, student_id bigint NOT NULL, students bigint NOT NULL) ON COMMIT DROP")
        try connection.query(
            """
            INSERT INTO resolved_students (identifier, student_id, students)
            WITH wanted AS (SELECT DISTINCT student AS identifier FROM \(stagingTable))
            \(Students.matchesSQL(wanted: "wanted"))
            """, [providerID])
        try connection.execute(
            """
            ANALYZE resolved_students;
            UPDATE \(stagingTable) s SET student_id = u.student_id FROM resolved_students u
            WHERE u.identifier = s.student AND u.students = 1;
            """)
        // Fresh statistics: analysed before this, student_id was all NULL, and the planner would
        // expect every later join on it to find nothing (and choose nested loops accordingly).
        try connection.execute("ANALYZE \(stagingTable)")
        let rows = try connection.query(
            """
            SELECT s.line, s.student, coalesce(u.students, 0) AS students
            FROM \(stagingTable) s LEFT JOIN resolved_students u ON u.identifier = s.student
            WHERE s.student_id IS NULL ORDER BY s.line
            """).rows
        try connection.execute("DROP TABLE resolved_students")
        return try rows.map { row in
            let student: String = try row.decode("student")
            let students: Int = try row.decode("students")
            let lookup: StudentLookup = students == 0 ? .unknown : .shared(studentCount: students)
            return RowError(fileName: fileName, line: try row.decode("line"), column: columnName, message: lookup.problem(student) ?? "")
        }
    }
}
