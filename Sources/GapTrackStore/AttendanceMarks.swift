import GapTrackDomain
import Postgres

/// Register marks written one batch at a time (POST /v1/attendance-marks). Re-recording a
/// session with a different code replaces the mark; the schema's trigger keeps the old one in
/// attendance_mark_history.
public struct AttendanceMarks {
    let connection: PostgresConnection
    /// The provider whose pupils the marks are for (each mark's student is resolved for it).
    let providerID: Int

    public init(connection: PostgresConnection, providerID: Int) {
        self.connection = connection
        self.providerID = providerID
    }

    public struct Mark: Sendable {
        public let studentID: Int
        public let date: CalendarDate
        public let session: AttendanceSession
        public let code: AttendanceCode

        public init(studentID: Int, date: CalendarDate, session: AttendanceSession, code: AttendanceCode) {
            self.studentID = studentID
            self.date = date
            self.session = session
            self.code = code
        }
    }

    /// Writes the batch in one statement: the columns travel as arrays the server unnests.
    public func record(_ marks: [Mark]) throws -> RecordedCounts {
        // attendance_marks is partitioned, where RETURNING cannot read xmax to tell inserts from
        // updates; so count the sessions already marked (the CTE reads the snapshot before the
        // upsert) and the rows the upsert wrote.
        let counts = try connection.query(
            """
            WITH input AS (
                SELECT * FROM unnest($1::bigint[], $2::date[], $3::session_half[], $4::attendance_code[])
                    AS i(student_id, session_date, session, code)
            ), prior AS (
                SELECT count(*) AS n FROM attendance_marks m JOIN input i USING (student_id, session_date, session)
                WHERE m.provider_id = $5
            ), written AS (
                INSERT INTO attendance_marks AS m (provider_id, student_id, session_date, session, code)
                SELECT $5, student_id, session_date, session, code FROM input
                ON CONFLICT (provider_id, student_id, session_date, session)
                DO UPDATE SET code = EXCLUDED.code
                WHERE m.code IS DISTINCT FROM EXCLUDED.code
                RETURNING 1
            )
            SELECT (SELECT n FROM prior) AS existing, (SELECT count(*) FROM written) AS written
            """,
            [marks.map(\.studentID), marks.map(\.date.isoString), marks.map(\.session.rawValue), marks.map(\.code.rawValue), providerID]
        ).single()
        let existing: Int = try counts.decode("existing")
        let written: Int = try counts.decode("written")
        let inserted = marks.count - existing
        return RecordedCounts(received: marks.count, inserted: inserted, updated: written - inserted, unchanged: existing - (written - inserted))
    }
}

/// The half of a school day a register mark is for (the database's `session_half`).
public enum AttendanceSession: String, Sendable, Hashable, CaseIterable {
    case am = "AM"
    case pm = "PM"

    /// "am", "AM" or "Am"; anything else is refused with what is accepted.
    public init(parsing text: String) throws(AttendanceSessionError) {
        guard let session = Self(rawValue: StudentIdentifier.normalised(text)) else { throw .notASession(text) }
        self = session
    }
}

public enum AttendanceSessionError: Error, Equatable, Sendable, CustomStringConvertible {
    case notASession(String)

    public var description: String {
        switch self {
        case .notASession(let text): "'\(text)' is not a session; expected AM or PM"
        }
    }
}

/// The rules an attendance mark's fields must meet, whichever door it comes in by: the API
/// reads a mark through here, and attendance.csv's byte-level reader gives the same messages
/// (docs/methodology.md §3).
public enum AttendanceMarkRules {
    /// A session's date, within the academic years the database holds.
    public static func date(_ text: String) throws(FieldProblem) -> CalendarDate {
        let date = try FieldParsers.date(text)
        guard FieldParsers.supportedAcademicYears.contains(AcademicYear(containing: date).startYear) else {
            throw FieldProblem(outsideHeldYears(text))
        }
        return date
    }

    static func outsideHeldYears(_ text: String) -> String {
        "'\(text)' is outside the academic years gaptrack holds (2010/11 to 2040/41)"
    }

    public static func session(_ text: String) throws(FieldProblem) -> AttendanceSession {
        do { return try AttendanceSession(parsing: text) } catch { throw FieldProblem(error.description) }
    }

    /// A national attendance code in use on the session's date.
    public static func code(_ text: String, on date: CalendarDate) throws(FieldProblem) -> AttendanceCode {
        do { return try AttendanceCode.parse(text, on: date) } catch { throw FieldProblem(error.description) }
    }
}
