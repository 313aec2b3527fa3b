import Foundation
import GapTrackDomain
import GapTrackService
import GapTrackStore
import HummingbirdTesting
import Postgres
import Testing

/// Every door that names a student (the CSV imports and the API's writes and reads) resolves an
/// identifier by the same rule: white space including a no-break space dropped, letters
/// upper-cased, the same shape check (a UPN's check letter), and an identifier two students
/// share refused with the value named.
@Suite struct StudentIdentifierDoorsTests {
    /// What a door made of an identifier: the student it filed the row against, or its refusal.
    enum Answer: Equatable, CustomStringConvertible {
        case student(Int)
        case refused(String)

        var description: String {
            switch self {
            case .student(let id): "student \(id)"
            case .refused(let message): "refused: \(message)"
            }
        }
    }

    /// The doors, each given an identifier as typed and a serial that keeps its row apart from
    /// the other doors' rows.
    struct Doors {
        let conninfo: String
        let token: String
        let client: any TestClientProtocol

        var connection: PostgresConnection { get throws { try PostgresConnection(conninfo: conninfo) } }

        func studentID(_ sql: String, _ parameters: [any PostgresEncodable]) throws -> Answer {
            .student(try connection.query(sql, parameters).single().decode("student_id"))
        }

        func importing(_ kind: ImportKind, _ lines: [String], then sql: String, _ parameters: [any PostgresEncodable]) throws -> Answer {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-doors-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let url = folder.appendingPathComponent("\(kind.rawValue).csv")
            try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
            do {
                _ = try Importer(connection: try connection).importFile(kind: kind, url: url, provider: ProviderCode(parsing: "school-a"))
            } catch ImportError.invalidRows(_, let shown, _, _, _) {
                return .refused(shown.first?.message ?? "")
            }
            return try studentID(sql, parameters)
        }

        func posting(_ uri: String, _ body: [String: Any], then sql: String, _ parameters: [any PostgresEncodable]) async throws -> Answer {
            let response = try await client.call(.post, uri, token: token, json: json(body))
            guard response.status == .ok || response.status == .created else {
                #expect(response.status == .unprocessableContent, "\(response.text)")
                return .refused(response.problems.first?["message"] as? String ?? response.text)
            }
            return try studentID(sql, parameters)
        }

        func answers(_ identifier: String, serial: Int) async throws -> [String: Answer] {
            let date = CalendarDate(daysSinceEpoch: try CalendarDate(parsing: "2025-01-06").daysSinceEpoch + 7 * serial).isoString
            var answers: [String: Answer] = [:]
            answers["import support"] = try importing(
                .support, ["reference,student,type,start_date", "CSV-\(serial),\(identifier),tutoring,\(date)"],
                then: "SELECT student_id FROM support_records WHERE reference = $1", ["CSV-\(serial)"])
            answers["import attendance"] = try importing(
                .attendance, ["student,date,session,code", "\(identifier),\(date),AM,/"],
                then: "SELECT student_id FROM attendance_marks WHERE session_date = $1::date AND session = 'AM'", [date])
            answers["import assessments"] = try importing(
                .assessments, ["student,subject,assessment,scale,academic_year,term,date,result",
                               "\(identifier),maths,CSV \(serial),gcse,2024/25,spring,2025-02-10,5"],
                then: "SELECT student_id FROM assessment_results JOIN assessment_points USING (assessment_point_id) WHERE name = $1",
                ["CSV \(serial)"])
            answers["POST support-records"] = try await posting(
                "/v1/support-records", ["student": identifier, "type": "tutoring", "start_date": date, "reference": "API-\(serial)"],
                then: "SELECT student_id FROM support_records WHERE reference = $1", ["API-\(serial)"])
            answers["POST attendance-marks"] = try await posting(
                "/v1/attendance-marks", ["marks": [["student": identifier, "date": date, "session": "PM", "code": "/"]]],
                then: "SELECT student_id FROM attendance_marks WHERE session_date = $1::date AND session = 'PM'", [date])
            answers["POST assessment-results"] = try await posting(
                "/v1/assessment-results",
                ["results": [["student": identifier, "subject": "maths", "assessment": "API \(serial)", "scale": "gcse",
                              "academic_year": "2024/25", "term": "spring", "date": "2025-02-10", "result": "5"]]],
                then: "SELECT student_id FROM assessment_results JOIN assessment_points USING (assessment_point_id) WHERE name = $1",
                ["API \(serial)"])
            let path = identifier.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"]))!
            let timeline = try await client.call(.get, "/v1/students/\(path)/timeline", token: token)
            if timeline.status == .ok {
                let upn = try #require((timeline.object["student"] as? [String: Any])?["upn"] as? String)
                answers["GET timeline"] = try studentID("SELECT student_id FROM students WHERE upn = $1", [upn])
            } else {
                #expect(timeline.status == .notFound, "\(timeline.text)")
                answers["GET timeline"] = .refused(timeline.errorMessage ?? timeline.text)
            }
            return answers
        }
    }

    @Test func everyDoorGivesTheSameAnswerForCaseNoBreakSpacesCheckLettersAndSharedIdentifiers() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let setup = try PostgresConnection(conninfo: conninfo)
            try setup.query("SELECT set_config('gaptrack.actor', 'test:fixture', false)")
            // A fourth pupil whose institution id is the third pupil's UPN: that identifier now
            // names two students of school-a.
            let shared = makeUPN(3)
            try setup.query(
                """
                INSERT INTO students (provider_id, upn, institution_id, legal_surname, forename, date_of_birth)
                VALUES ($1, $2, $3, 'Pupil4', 'Sam', '2009-05-01')
                """, [fixture.a, makeUPN(4), shared])
            let second: Int = try setup.query("SELECT student_id FROM students WHERE upn = $1", [makeUPN(2)]).single().decode("student_id")
            // Pupil 2's UPN with its check letter (the first character) mistyped.
            let right = makeUPN(2)
            let mistyped = (right.first == "A" ? "B" : "A") + right.dropFirst()
            let token = try fixture.token("school-a", .dataLead)
            let (app, _) = makeApplication(conninfo: conninfo)
            try await app.test(.live) { client in
                let doors = Doors(conninfo: conninfo, token: token, client: client)
                let cases: [(typed: String, expected: Answer)] = [
                    (makeUPN(2).lowercased(), .student(second)),
                    (makeUPN(2) + "\u{00A0}", .student(second)),
                    ("\u{2003}" + makeUPN(2).lowercased() + " ", .student(second)),
                    (shared, .refused("'\(shared)' belongs to more than one student of this provider; correct the students' identifiers first")),
                    (mistyped.lowercased(), .refused(
                        "'\(mistyped)' has a wrong check letter; expected '\(right.first!)' (a character is probably mistyped: check it against the pupil's record)")),
                    (makeUPN(9), .refused("'\(makeUPN(9))' is not a student of this provider; import them in students.csv first (or check the identifier)")),
                ]
                for (serial, example) in cases.enumerated() {
                    let answers = try await doors.answers(example.typed, serial: serial)
                    #expect(answers.count == 7)
                    for (door, answer) in answers.sorted(by: { $0.key < $1.key }) {
                        #expect(answer == example.expected, "\(door) given '\(example.typed)'")
                    }
                }
            }
        }
    }
}
