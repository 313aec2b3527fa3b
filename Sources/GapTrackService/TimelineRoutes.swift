import Foundation
import Hummingbird
import Postgres

/// GET /v1/students/{student}/timeline: one student's markers, attendance by term, assessment
/// results and support, for the people who work with them. Restricted markers and support
/// records are absent for staff tokens, because row-level security hides them (sql/033).
struct TimelineRoutes: Sendable {
    let dependencies: ServiceDependencies

    struct Timeline: Codable, Sendable {
        let student: StudentSummary
        let markers: [Marker]
        let attendance: [TermAttendance]
        let assessments: [AssessmentResult]
        let support: [SupportRecord]
    }

    struct StudentSummary: Codable, Sendable {
        let identifier: String
        let upn: String?
        let uln: String?
        let hesaID: String?
        let institutionID: String?
        let forename: String
        let legalSurname: String
        let dateOfBirth: String

        enum CodingKeys: String, CodingKey {
            case identifier, upn, uln, forename
            case hesaID = "hesa_id", institutionID = "institution_id", legalSurname = "legal_surname", dateOfBirth = "date_of_birth"
        }
    }

    struct Marker: Codable, Sendable {
        let marker: String
        let value: String?
        let startDate: String
        let endDate: String?

        enum CodingKeys: String, CodingKey {
            case marker, value
            case startDate = "start_date", endDate = "end_date"
        }
    }

    /// Sessions by category in one reporting term. The absence rate is absent sessions over
    /// possible sessions; persistent absence is 10% or more of them (domain reference, section 3).
    struct TermAttendance: Codable, Sendable {
        let term: String
        let possibleSessions: Int
        let attendedSessions: Int
        let authorisedAbsences: Int
        let unauthorisedAbsences: Int
        let absenceRate: Double?
        let persistentlyAbsent: Bool

        enum CodingKeys: String, CodingKey {
            case term
            case possibleSessions = "possible_sessions", attendedSessions = "attended_sessions"
            case authorisedAbsences = "authorised_absences", unauthorisedAbsences = "unauthorised_absences"
            case absenceRate = "absence_rate", persistentlyAbsent = "persistently_absent"
        }
    }

    struct AssessmentResult: Codable, Sendable {
        let subject: String
        let assessment: String
        let scale: String
        let term: String
        let date: String
        let result: String
        let score: Double
    }

    func register(on group: RouterGroup<GapTrackRequestContext>) {
        group.get("students/{student}/timeline") { request, context in try await timeline(request, context) }
    }

    func timeline(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let caller = try context.caller()
        try caller.require(.readTimeline)
        let identifier = context.parameters.get("student") ?? ""
        let found = try await dependencies.database.run(as: caller, context: context) { connection -> Timeline? in
            guard let studentID = try SupportRecordStore(connection: connection, providerID: caller.providerID).studentID(identifier: identifier)
            else { return nil }
            return try Self.timeline(of: studentID, providerID: caller.providerID, on: connection)
        }
        guard let found else {
            throw APIError.notFound("'\(identifier)' is not a student of \(caller.providerCode) (give a UPN, ULN, HESA id or institution id)")
        }
        return try JSONResponse.make(found)
    }

    static func timeline(of studentID: Int, providerID: Int, on connection: PostgresConnection) throws -> Timeline {
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
            FROM student_markers WHERE student_id = $1 ORDER BY starts_on, marker
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
            WHERE m.student_id = $1
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
            FROM assessment_results r JOIN assessment_points p USING (assessment_point_id)
            WHERE r.student_id = $1
            ORDER BY r.assessed_on, p.subject, p.name
            """, [studentID]
        ).rows.map { row in
            AssessmentResult(
                subject: try row.decode("subject"), assessment: try row.decode("name"), scale: try row.decode("scale"),
                term: try row.decode("term"), date: try row.decode("assessed_on"), result: try row.decode("result_text"),
                score: try row.decode("score"))
        }

        let support = try SupportRecordStore(connection: connection, providerID: providerID)
            .list(.init(studentID: studentID, status: nil, type: nil, afterID: nil, limit: 10_000))
        return Timeline(student: student, markers: markers, attendance: attendance, assessments: assessments, support: support)
    }
}
