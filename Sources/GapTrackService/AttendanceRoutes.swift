import Foundation
import GapTrackDomain
import Hummingbird
import Postgres

/// POST /v1/attendance-marks: record register marks, as attendance.csv does. Re-recording a
/// session with a different code replaces the mark; the schema's trigger keeps the old one in
/// attendance_mark_history (sql/006_attendance.sql).
struct AttendanceRoutes: Sendable {
    let dependencies: ServiceDependencies

    static let bodyFields: Set<String> = ["marks"]
    static let markFields: Set<String> = ["student", "date", "session", "code"]
    static let largestBatch = 5_000

    struct Mark: Sendable {
        let student: String
        let date: CalendarDate
        let session: String
        let code: AttendanceCode
    }

    struct Outcome: Codable, Sendable {
        let received: Int
        let inserted: Int
        let updated: Int
        let unchanged: Int
    }

    func register(on group: RouterGroup<GapTrackRequestContext>) {
        group.post("attendance-marks") { request, context in try await record(request, context) }
    }

    func record(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let caller = try context.caller()
        try caller.require(.recordAttendance)
        var fields = FieldReader(try await dependencies.bodies.object(from: request, fields: Self.bodyFields))
        let marks = fields.objects("marks", maximumCount: Self.largestBatch, fields: Self.markFields) { mark -> Mark? in
            let student = mark.text("student", required: true, maximumLength: 50)
            let date = mark.date("date", required: true)
            let session = mark.parsed("session", required: true) { text -> String in
                let upper = text.uppercased()
                guard upper == "AM" || upper == "PM" else { throw SessionError(text: text) }
                return upper
            }
            var code: AttendanceCode?
            if let date {
                code = mark.parsed("code", required: true) { try AttendanceCode.parse($0, on: date) }
            }
            guard let student, let date, let session, let code else { return nil }
            return Mark(student: student, date: date, session: session, code: code)
        }
        if let marks {
            var seen: [String: Int] = [:]
            for (index, mark) in marks.enumerated() {
                let key = "\(mark.student)|\(mark.date.isoString)|\(mark.session)"
                if let first = seen[key] {
                    fields.report(
                        "marks[\(index)]", nil,
                        "records \(mark.student) \(mark.date.isoString) \(mark.session) a second time (first at marks[\(first)]); send each session once")
                } else {
                    seen[key] = index
                }
            }
        }
        try fields.finish()
        guard let marks else { throw APIError.invalidFields([]) }

        let outcome = try await dependencies.database.run(as: caller, context: context) { connection -> Result<Outcome, APIError> in
            let ids = try connection.studentIDs(providerID: caller.providerID, identifiers: marks.map(\.student))
            let unknown = zip(marks.indices, ids).filter { $0.1 == nil }.map(\.0)
            guard unknown.isEmpty else {
                return .failure(.invalidFields(unknown.prefix(100).map {
                    FieldProblem(field: "marks[\($0)].student", value: marks[$0].student, message: "is not a student of \(caller.providerCode)")
                }))
            }
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
                ), written AS (
                    INSERT INTO attendance_marks AS m (student_id, session_date, session, code)
                    SELECT student_id, session_date, session, code FROM input
                    ON CONFLICT (student_id, session_date, session)
                    DO UPDATE SET code = EXCLUDED.code
                    WHERE m.code IS DISTINCT FROM EXCLUDED.code
                    RETURNING 1
                )
                SELECT (SELECT n FROM prior) AS existing, (SELECT count(*) FROM written) AS written
                """,
                [PostgresArray(ids.map { $0.map(String.init) }), PostgresArray(marks.map(\.date.isoString)),
                 PostgresArray(marks.map(\.session)), PostgresArray(marks.map(\.code.rawValue))]
            ).single()
            let existing: Int = try counts.decode("existing")
            let written: Int = try counts.decode("written")
            let inserted = marks.count - existing
            return .success(Outcome(
                received: marks.count, inserted: inserted, updated: written - inserted, unchanged: existing - (written - inserted)))
        }
        return try JSONResponse.make(try outcome.get())
    }

    struct SessionError: Error, CustomStringConvertible {
        let text: String
        var description: String { "'\(text)' is not a session; use AM or PM" }
    }
}
