import Foundation
import GapTrackDomain
import Postgres

/// The rows a pseudonymised research export is made from (sql/functions/data_protection.sql:
/// research_cohort, research_results, research_support), still keyed by the internal student id,
/// which the export replaces by a pseudonym and never writes.
public struct ResearchRows: Sendable {
    public struct Student: Sendable, Equatable {
        public let studentID: Int
        public let dateOfBirth: CalendarDate
        public let gender: String?
        public let ethnicity: String?
        public let disadvantaged: Bool
        public let sen: String?
        public let eal: Bool
        public let possibleSessions: Int
        public let attendedSessions: Int
        public let absentSessions: Int
        public let unauthorisedAbsences: Int
    }

    public struct Result: Sendable, Equatable {
        public let studentID: Int
        public let subject: String
        public let assessment: String
        public let term: String
        public let scale: String
        public let score: String
    }

    public struct Support: Sendable, Equatable {
        public let studentID: Int
        public let type: String
        public let term: String
        public let hours: String?
        public let sessions: Int?
        public let amount: String?
        public let fundingSource: String?
    }

    public let students: [Student]
    public let results: [Result]
    public let support: [Support]

    /// Reads the cohort's rows in one REPEATABLE READ transaction, so the files agree with each other.
    public static func read(connection: PostgresConnection, providerID: Int, year: AcademicYear, cohort: CohortCode) throws -> ResearchRows {
        try connection.transaction { connection in
            try connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            let parameters: [any PostgresEncodable] = [providerID, year.description, cohort.code]
            let students = try connection.query("""
                SELECT student_id, date_of_birth::text AS date_of_birth, gender, ethnicity, disadvantaged, sen, eal, possible_sessions,
                       attended_sessions, absent_sessions, unauthorised_absences
                FROM research_cohort($1, $2, $3)
                """, parameters).rows.map { row in
                Student(
                    studentID: try row.decode("student_id"), dateOfBirth: try CalendarDate(parsing: try row.decode("date_of_birth") as String),
                    gender: try row.decode("gender"), ethnicity: try row.decode("ethnicity"), disadvantaged: try row.decode("disadvantaged"),
                    sen: try row.decode("sen"), eal: try row.decode("eal"), possibleSessions: try row.decode("possible_sessions"),
                    attendedSessions: try row.decode("attended_sessions"), absentSessions: try row.decode("absent_sessions"),
                    unauthorisedAbsences: try row.decode("unauthorised_absences"))
            }
            let results = try connection.query("SELECT student_id, subject, assessment, term, scale, score::text AS score FROM research_results($1, $2, $3)", parameters).rows.map { row in
                Result(
                    studentID: try row.decode("student_id"), subject: try row.decode("subject"), assessment: try row.decode("assessment"),
                    term: try row.decode("term"), scale: try row.decode("scale"), score: try row.decode("score"))
            }
            let support = try connection.query("""
                SELECT student_id, type, term, hours::text AS hours, sessions, amount::text AS amount, funding_source
                FROM research_support($1, $2, $3)
                """, parameters).rows.map { row in
                Support(
                    studentID: try row.decode("student_id"), type: try row.decode("type"), term: try row.decode("term"),
                    hours: try row.decode("hours"), sessions: try row.decode("sessions"), amount: try row.decode("amount"),
                    fundingSource: try row.decode("funding_source"))
            }
            return ResearchRows(students: students, results: results, support: support)
        }
    }
}
