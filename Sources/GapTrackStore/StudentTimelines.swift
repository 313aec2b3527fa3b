import Foundation
import Postgres

/// One student's markers, attendance by term, assessment results and support, for the people
/// who work with them (GET /v1/students/{student}/timeline). Restricted markers and support
/// records are absent for staff, because row-level security hides them.
public struct StudentTimelines {
    let connection: PostgresConnection
    let providerID: Int

    public init(connection: PostgresConnection, providerID: Int) {
        self.connection = connection
        self.providerID = providerID
    }

    public struct Timeline: Codable, Sendable {
        public let student: StudentSummary
        public let markers: [Marker]
        public let attendance: [TermAttendance]
        public let assessments: [AssessmentResult]
        public let support: [SupportRecord]
        /// Reviews of the support above, oldest first (docs/methodology.md §6.6).
        public let reviews: [SupportReview]
    }

    public struct StudentSummary: Codable, Sendable {
        public let identifier: String
        public let upn: String?
        public let uln: String?
        public let hesaID: String?
        public let institutionID: String?
        public let forename: String
        public let legalSurname: String
        public let dateOfBirth: String

        enum CodingKeys: String, CodingKey {
            case identifier, upn, uln, forename
            case hesaID = "hesa_id", institutionID = "institution_id", legalSurname = "legal_surname", dateOfBirth = "date_of_birth"
        }
    }

    public struct Marker: Codable, Sendable {
        public let marker: String
        public let value: String?
        public let startDate: String
        public let endDate: String?

        enum CodingKeys: String, CodingKey {
            case marker, value
            case startDate = "start_date", endDate = "end_date"
        }
    }

    /// Sessions by category in one reporting term. The absence rate is absent sessions over
    /// possible sessions; persistent absence is 10% or more of them (docs/methodology.md §3).
    public struct TermAttendance: Codable, Sendable {
        public let term: String
        public let possibleSessions: Int
        public let attendedSessions: Int
        public let authorisedAbsences: Int
        public let unauthorisedAbsences: Int
        public let absenceRate: Double?
        public let persistentlyAbsent: Bool

        enum CodingKeys: String, CodingKey {
            case term
            case possibleSessions = "possible_sessions", attendedSessions = "attended_sessions"
            case authorisedAbsences = "authorised_absences", unauthorisedAbsences = "unauthorised_absences"
            case absenceRate = "absence_rate", persistentlyAbsent = "persistently_absent"
        }
    }

    public struct AssessmentResult: Codable, Sendable {
        public let subject: String
        public let assessment: String
        public let scale: String
        public let term: String
        public let date: String
        public let result: String
        public let score: Double
    }

    /// The student's timeline; the student id comes from `Students.lookUp`.
    public func timeline(of studentID: Int) throws -> Timeline {
        let studentRow = try connection.query(
            """
            SELECT coalesce(upn, uln, hesa_id, institution_id) AS identifier, upn, uln, hesa_id, institution_id,
                   forename, legal_surname, date_of_birth::text AS date_of_birth
            FROM students WHERE student_id = $1
            """, [studentID]
        ).single()
        let student = StudentSummary(
            identifier: try studentRow.decode("identifier"), upn: try studentRow.decode("upn", as: String?.self),
            uln: try studentRow.decode("uln", as: String?.self), hesaID: try studentRow.decode("hesa_id", as: String?.self),
            institutionID: try studentRow.decode("institution_id", as: String?.self), forename: try studentRow.decode("forename"),
            legalSurname: try studentRow.decode("legal_surname"), dateOfBirth: try studentRow.decode("date_of_birth"))

        let markers = try connection.query(
            """
            SELECT marker::text AS marker, value, starts_on::text AS starts_on, ends_on::text AS ends_on
            FROM student_markers
            WHERE provider_id = (SELECT s.provider_id FROM students s WHERE s.student_id = $1) AND student_id = $1
            ORDER BY starts_on, marker
            """, [studentID]
        ).rows.map { row in
            Marker(
                marker: try row.decode("marker"), value: try row.decode("value", as: String?.self),
                startDate: try row.decode("starts_on"), endDate: try row.decode("ends_on", as: String?.self))
        }

        let attendance = try connection.query(
            """
            SELECT t.academic_year || '-' || t.term AS term,
                   count(*) FILTER (WHERE c.counts_as_possible) AS possible,
                   count(*) FILTER (WHERE c.counts_as_attendance) AS attended,
                   count(*) FILTER (WHERE c.category = 'authorised_absence') AS authorised,
                   count(*) FILTER (WHERE c.category = 'unauthorised_absence') AS unauthorised
            FROM attendance_marks m
            JOIN attendance_codes c ON c.code = m.code
            JOIN terms t ON m.session_date BETWEEN t.starts_on AND t.ends_on
            WHERE m.provider_id = (SELECT s.provider_id FROM students s WHERE s.student_id = $1) AND m.student_id = $1
            GROUP BY t.academic_year, t.term, t.starts_on
            ORDER BY t.starts_on
            """, [studentID]
        ).rows.map { row in
            let possible: Int = try row.decode("possible")
            let authorised: Int = try row.decode("authorised")
            let unauthorised: Int = try row.decode("unauthorised")
            let rate = possible == 0 ? nil : Double(authorised + unauthorised) / Double(possible)
            return TermAttendance(
                term: try row.decode("term"), possibleSessions: possible, attendedSessions: try row.decode("attended"),
                authorisedAbsences: authorised, unauthorisedAbsences: unauthorised,
                absenceRate: rate.map { ($0 * 10_000).rounded() / 10_000 }, persistentlyAbsent: (rate ?? 0) >= 0.10)
        }

        let assessments = try connection.query(
            """
            SELECT p.subject, p.name, p.scale::text AS scale, p.academic_year || '-' || p.term AS term,
                   r.assessed_on::text AS assessed_on, r.result_text, r.score::float8 AS score
            FROM assessment_results r JOIN assessment_points p ON p.provider_id = r.provider_id AND p.assessment_point_id = r.assessment_point_id
            WHERE r.provider_id = (SELECT s.provider_id FROM students s WHERE s.student_id = $1) AND r.student_id = $1
            ORDER BY r.assessed_on, p.subject, p.name
            """, [studentID]
        ).rows.map { row in
            AssessmentResult(
                subject: try row.decode("subject"), assessment: try row.decode("name"), scale: try row.decode("scale"),
                term: try row.decode("term"), date: try row.decode("assessed_on"), result: try row.decode("result_text"),
                score: try row.decode("score"))
        }

        let support = try SupportRecords(connection: connection, providerID: providerID)
            .list(.init(studentID: studentID, status: nil, type: nil, afterID: nil, limit: 10_000))
        let reviews = try SupportReviews(connection: connection, providerID: providerID).forStudent(studentID)
        return Timeline(student: student, markers: markers, attendance: attendance, assessments: assessments, support: support, reviews: reviews)
    }
}
