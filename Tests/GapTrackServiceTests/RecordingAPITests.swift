import Foundation
import GapTrackDomain
import GapTrackService
import GapTrackStore
import Hummingbird
import HummingbirdTesting
import Postgres
import Testing

/// Attendance marks, assessment results and the audit trail they leave, over HTTP.
@Suite struct RecordingAPITests {
    @Test func reRecordingASessionReplacesTheMarkAndKeepsItsHistory() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let token = try fixture.token("school-a", .dataLead, label: "Register sync")
            let (app, _) = makeApplication(conninfo: conninfo)
            try await app.test(.live) { client in
                let first = try await client.call(.post, "/v1/attendance-marks", token: token, json: json(["marks": [
                    ["student": fixture.studentA, "date": "2025-01-06", "session": "am", "code": "/"],
                    ["student": fixture.studentA, "date": "2025-01-06", "session": "PM", "code": "n"],
                ]]))
                #expect(first.status == .ok, "\(first.text)")
                #expect(first.object["inserted"] as? Int == 2)
                let second = try await client.call(.post, "/v1/attendance-marks", token: token, json: json(["marks": [
                    ["student": fixture.studentA, "date": "2025-01-06", "session": "AM", "code": "/"],
                    ["student": fixture.studentA, "date": "2025-01-06", "session": "PM", "code": "M"],
                    ["student": fixture.studentA, "date": "2025-01-07", "session": "AM", "code": "L"],
                ]]))
                #expect(second.object["inserted"] as? Int == 1)
                #expect(second.object["updated"] as? Int == 1)
                #expect(second.object["unchanged"] as? Int == 1)

                let bad = try await client.call(.post, "/v1/attendance-marks", token: token, json: json(["marks": [
                    ["student": fixture.studentA, "date": "2025-01-08", "session": "AM", "code": "H"],
                    ["student": fixture.studentA, "date": "2025-01-08", "session": "EVE", "code": "/"],
                    ["student": fixture.studentA, "date": "2025-01-09", "session": "AM", "code": "ZZ"],
                    ["student": fixture.studentA, "date": "2025-01-09", "session": "AM", "code": "/"],
                    ["student": fixture.studentA, "date": "2025-01-09", "session": "AM", "code": "/", "note": "x"],
                ]]))
                #expect(bad.status == .unprocessableContent)
                let fields = Set(bad.problems.compactMap { $0["field"] as? String })
                #expect(fields == ["marks[0].code", "marks[1].session", "marks[2].code", "marks[4].note"])
                let duplicate = try await client.call(.post, "/v1/attendance-marks", token: token, json: json(["marks": [
                    ["student": fixture.studentA, "date": "2025-01-09", "session": "AM", "code": "/"],
                    ["student": fixture.studentA, "date": "2025-01-09", "session": "PM", "code": "/"],
                    ["student": fixture.studentA, "date": "2025-01-09", "session": "AM", "code": "N"],
                ]]))
                #expect(duplicate.problems.compactMap { $0["field"] as? String } == ["marks[2]"])
                #expect((duplicate.problems.first?["message"] as? String)?.contains("marks[0]") == true)
                #expect((bad.problems.first { $0["field"] as? String == "marks[0].code" }?["message"] as? String)?.contains("withdrawn") == true)
            }
            let connection = try PostgresConnection(conninfo: conninfo)
            let history = try connection.query(
                """
                SELECT h.code::text AS old, h.replaced_by_code::text AS new FROM attendance_mark_history h
                JOIN students s USING (student_id) WHERE s.upn = $1 AND h.session_date = '2025-01-06'
                """, [fixture.studentA]
            ).rows
            #expect(history.count == 1)
            #expect(try history.first?.decode("old", as: String.self) == "N")
            #expect(try history.first?.decode("new", as: String.self) == "M")
            let marks9: Int = try connection.query("SELECT count(*) AS n FROM attendance_marks WHERE session_date >= '2025-01-08'").single().decode("n")
            #expect(marks9 == 0, "a request with a bad mark stores none of its marks")

            // The audit log names the token and holds the mark before and after.
            let audit = try connection.query(
                """
                SELECT actor, actor_role, before ->> 'code' AS before, after ->> 'code' AS after FROM audit_log
                WHERE table_name = 'attendance_marks' AND action = 'update' AND after ->> 'session_date' = '2025-01-06'
                """
            ).single()
            #expect(try audit.decode("actor", as: String.self).hasSuffix("Register sync"))
            #expect(try audit.decode("actor", as: String.self).hasPrefix("token:"))
            #expect(try audit.decode("actor_role", as: String.self) == "data_lead")
            #expect(try audit.decode("before", as: String.self) == "N")
            #expect(try audit.decode("after", as: String.self) == "M")
        }
    }

    @Test func assessmentResultsCreateTheirPointAndKeepOneResultPerStudent() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let token = try fixture.token("school-a", .admin)
            let (app, _) = makeApplication(conninfo: conninfo)
            @Sendable func result(_ student: String, _ value: String, scale: String = "gcse", date: String = "2025-03-10") -> [String: Any] {
                ["student": student, "subject": "science", "assessment": "Spring mock", "scale": scale, "academic_year": "2024/25",
                 "term": "spring", "date": date, "result": value]
            }
            try await app.test(.live) { client in
                let first = try await client.call(.post, "/v1/assessment-results", token: token, json: json(["results": [
                    result(fixture.studentA, "U"), result(fixture.restrictedStudentA, "7"),
                ]]))
                #expect(first.status == .ok, "\(first.text)")
                #expect(first.object["inserted"] as? Int == 2)
                let again = try await client.call(.post, "/v1/assessment-results", token: token, json: json(["results": [
                    result(fixture.studentA, "4"), result(fixture.restrictedStudentA, "7"),
                ]]))
                #expect(again.object["updated"] as? Int == 1)
                #expect(again.object["unchanged"] as? Int == 1)
                let bad = try await client.call(.post, "/v1/assessment-results", token: token, json: json(["results": [
                    result(fixture.studentA, "10"), result(fixture.studentA, "5", date: "2025-09-01"),
                    result(fixture.studentA, "55", scale: "ks2_scaled_score"),
                ]]))
                #expect(bad.status == .unprocessableContent)
                #expect(Set(bad.problems.compactMap { $0["field"] as? String }) == ["results[0].result", "results[1].date", "results[2].result"])
                let otherScale = try await client.call(.post, "/v1/assessment-results", token: token, json: json(["results": [
                    result(fixture.studentA, "100", scale: "ks2_scaled_score"),
                ]]))
                #expect(otherScale.status == .unprocessableContent)
                #expect((otherScale.problems.first?["message"] as? String)?.contains("gcse") == true)

                let timeline = try await client.call(.get, "/v1/students/\(fixture.studentA)/timeline", token: token)
                let results = (timeline.object["assessments"] as? [[String: Any]] ?? []).filter { $0["subject"] as? String == "science" }
                #expect(results.count == 1)
                #expect(results.first?["result"] as? String == "4")
                #expect(results.first?["score"] as? Double == 4)
                #expect(results.first?["term"] as? String == "2024/25-spring")
            }
            let score: String = try PostgresConnection(conninfo: conninfo).query(
                """
                SELECT r.score::text AS score FROM assessment_results r JOIN students s USING (student_id)
                JOIN assessment_points p USING (assessment_point_id) WHERE s.upn = $1 AND p.subject = 'science'
                """, [fixture.studentA]).single().decode("score")
            #expect(score == "4")
        }
    }

    @Test func theAuditLogShowsAServiceChangeWithItsTokenBeforeAndAfter() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let staff = try fixture.token("school-a", .staff, label: "J Smith")
            let admin = try fixture.token("school-a", .admin)
            let (app, _) = makeApplication(conninfo: conninfo)
            try await app.test(.live) { client in
                let created = try await client.call(.post, "/v1/support-records", token: staff, json: json([
                    "student": fixture.studentA, "type": "mentoring", "start_date": "2025-02-01", "sessions": 3,
                ]))
                let id = try #require(created.object["id"] as? Int)
                _ = try await client.call(.patch, "/v1/support-records/\(id)", token: staff, json: json(["sessions": 6]))
                let page = try await client.call(.get, "/v1/audit?table=support_records&limit=2", token: admin)
                #expect(page.status == .ok)
                let entries = try #require(page.object["entries"] as? [[String: Any]])
                #expect(entries.count == 2)
                let update = entries[0]
                #expect(update["action"] as? String == "update")
                #expect((update["actor"] as? String)?.hasSuffix(" J Smith") == true)
                #expect(update["actor_role"] as? String == "staff")
                let before = try JSONSerialization.jsonObject(with: Data((update["before"] as? String ?? "{}").utf8)) as? [String: Any]
                let after = try JSONSerialization.jsonObject(with: Data((update["after"] as? String ?? "{}").utf8)) as? [String: Any]
                #expect(before?["sessions"] as? Int == 3)
                #expect(after?["sessions"] as? Int == 6)
                #expect(update["row_key"] as? String == "{\"support_id\": \(id)}")
                #expect(entries[1]["action"] as? String == "insert")
                #expect(page.object["next_before_id"] as? Int == entries[1]["audit_id"] as? Int)
            }
            // And `gaptrack audit` reads the same entries through AuditEntries.
            let entries = try AuditEntries(connection: try PostgresConnection(conninfo: conninfo))
                .entries(.init(providerCode: try ProviderCode(parsing: "school-a"), table: "support_records", actorContains: "J Smith", limit: 10))
            #expect(entries.map(\.action) == ["update", "insert"])
        }
    }
}
