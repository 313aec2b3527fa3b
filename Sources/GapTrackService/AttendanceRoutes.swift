import Foundation
import GapTrackDomain
import GapTrackStore
import Hummingbird
import Postgres

/// POST /v1/attendance-marks: record register marks, as attendance.csv does. Re-recording a
/// session with a different code replaces the mark; the schema's trigger keeps the old one in
/// attendance_mark_history.
struct AttendanceRoutes: Sendable {
    let dependencies: ServiceDependencies

    static let bodyFields: Set<String> = ["marks"]
    static let markFields: Set<String> = ["student", "date", "session", "code"]
    static let largestBatch = 5_000

    struct Mark: Sendable {
        let student: StudentIdentifier
        let date: CalendarDate
        let session: AttendanceSession
        let code: AttendanceCode
    }

    func register(on group: RouterGroup<GapTrackRequestContext>) {
        group.post("attendance-marks") { request, context in try await record(request, context) }
    }

    func record(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let caller = try context.caller()
        try caller.require(.recordAttendance)
        var fields = FieldReader(try await dependencies.bodies.object(from: request, fields: Self.bodyFields))
        let marks = fields.objects("marks", maximumCount: Self.largestBatch, fields: Self.markFields) { mark -> Mark? in
            let student = mark.text("student", required: true).map(StudentIdentifier.init)
            let date = mark.checked("date", required: true, AttendanceMarkRules.date)
            let session = mark.checked("session", required: true, AttendanceMarkRules.session)
            var code: AttendanceCode?
            if let date {
                code = mark.checked("code", required: true) { (text: String) throws(FieldProblem) in try AttendanceMarkRules.code(text, on: date) }
            }
            guard let student, let date, let session, let code else { return nil }
            return Mark(student: student, date: date, session: session, code: code)
        }
        if let marks {
            var seen: [String: Int] = [:]
            for (index, mark) in marks.enumerated() {
                let key = "\(mark.student)|\(mark.date.isoString)|\(mark.session.rawValue)"
                if let first = seen[key] {
                    fields.report(
                        "marks[\(index)]", nil,
                        "records \(mark.student) \(mark.date.isoString) \(mark.session.rawValue) a second time (first at marks[\(first)]); send each session once")
                } else {
                    seen[key] = index
                }
            }
        }
        try fields.finish()
        guard let marks else { throw APIError.invalidFields([]) }

        let outcome = try await dependencies.database.run(as: caller, context: context) { connection -> Result<RecordedCounts, APIError> in
            let lookups = try Students(connection: connection).lookUp(marks.map(\.student), providerID: caller.providerID)
            let problems = Self.studentProblems(lookups, identifiers: marks.map(\.student), list: "marks")
            guard problems.isEmpty else { return .failure(.invalidFields(problems)) }
            let placing = try Self.placementProblems(marks, lookups: lookups, providerID: caller.providerID, connection: connection)
            guard placing.isEmpty else { return .failure(.invalidFields(placing)) }
            return .success(try AttendanceMarks(connection: connection, providerID: caller.providerID).record(zip(marks, lookups).map { mark, lookup in
                AttendanceMarks.Mark(studentID: lookup.studentID!, date: mark.date, session: mark.session, code: mark.code)
            }))
        }
        return try JSONResponse.make(try outcome.get())
    }

    /// A field problem for each mark the school's calendar or the pupil's on-roll dates rule out
    /// (at most 100), with the messages attendance.csv gives.
    static func placementProblems(_ marks: [Mark], lookups: [StudentLookup], providerID: Int,
                                  connection: PostgresConnection) throws -> [FieldProblem] {
        guard let first = marks.map(\.date).min(), let last = marks.map(\.date).max() else { return [] }
        let placement = try AttendanceMarkPlacement.load(providerID: providerID, from: first, to: last, connection: connection)
        let problems = placement.problems(zip(marks, lookups).map { mark, lookup in
            AttendanceMarkPlacement.Mark(studentID: lookup.studentID!, date: mark.date, code: mark.code)
        })
        return problems.sorted { $0.key < $1.key }.prefix(100).map { index, message in
            FieldProblem(field: "marks[\(index)].date", value: marks[index].date.isoString, message: message)
        }
    }

    /// A field problem for each identifier that names no single student (at most 100), with the
    /// message every door gives.
    static func studentProblems(_ lookups: [StudentLookup], identifiers: [StudentIdentifier], list: String) -> [FieldProblem] {
        zip(lookups, identifiers).enumerated().compactMap { index, pair -> FieldProblem? in
            guard let message = pair.0.problem(pair.1.value) else { return nil }
            return FieldProblem(field: "\(list)[\(index)].student", value: pair.1.value, message: message)
        }.prefix(100).map { $0 }
    }
}
