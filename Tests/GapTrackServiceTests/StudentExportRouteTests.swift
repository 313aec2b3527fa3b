import Foundation
import GapTrackStore
import Hummingbird
import HummingbirdTesting
import Postgres
import Testing

/// GET /v1/students/{student}/export: the subject-access document for admins and data leads of the
/// student's provider only, audited with the token that asked (docs/data-protection.md §5).
@Suite struct StudentExportRouteTests {
    @Test func aDataLeadGetsEverythingHeldStaffAndGovernorsAndOtherProvidersDoNot() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let lead = try fixture.token("school-a", .dataLead)
            let staff = try fixture.token("school-a", .staff)
            let governor = try fixture.token("school-a", .governor)
            let otherLead = try fixture.token("school-b", .dataLead)
            let connection = try PostgresConnection(conninfo: conninfo)
            let id: Int = try connection.query("SELECT student_id FROM students WHERE upn = $1", [fixture.restrictedStudentA]).single().decode("student_id")
            var held: [String: Int] = [:]
            for table in ["student_markers", "support_records", "attendance_marks"] {
                held[table] = try connection.query("SELECT count(*) AS n FROM \(table) WHERE student_id = $1", [id]).single().decode("n")
            }
            let count = held
            let (app, _) = makeApplication(conninfo: conninfo)
            try await app.test(.live) { client in
                let path = "/v1/students/\(fixture.restrictedStudentA)/export"
                let answer = try await client.call(.get, path, token: lead)
                #expect(answer.status == .ok, "\(answer.text)")
                let document = answer.object
                #expect((document["student"] as? [String: Any])?["upn"] as? String == fixture.restrictedStudentA)
                // Restricted records too: the person is entitled to everything held on them.
                #expect((document["markers"] as? [Any])?.count == count["student_markers"])
                #expect((document["support"] as? [Any])?.count == count["support_records"])
                #expect(((document["attendance"] as? [String: Any])?["marks"] as? [Any])?.count == count["attendance_marks"])
                let page = try await client.call(.get, path + "?format=html", token: lead)
                #expect(page.status == .ok && page.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(page.text.contains(fixture.restrictedStudentA))

                #expect(try await client.call(.get, path, token: staff).status == .forbidden)
                #expect(try await client.call(.get, path, token: governor).status == .forbidden)
                // Another provider's data lead cannot tell the student exists.
                #expect(try await client.call(.get, path, token: otherLead).status == .notFound)
                #expect(try await client.call(.get, path + "?format=pdf", token: lead).status == .badRequest)
            }
            // Both exports are in the audit log, naming the token.
            let entries = try connection.query(
                "SELECT actor, after ->> 'format' AS format FROM audit_log WHERE table_name = 'subject_access_exports' ORDER BY audit_id").rows
            #expect(try entries.map { try $0.decode("format") as String } == ["json", "html"])
            #expect(try entries.allSatisfy { (try $0.decode("actor") as String).hasPrefix("token:") })
            // The service role cannot call the document's function directly, nor the erasure's.
            try connection.execute("BEGIN")
            defer { try? connection.execute("ROLLBACK") }
            try connection.query("SELECT set_config('role', 'gaptrack_service', true)")
            #expect(throws: PostgresError.self) { try connection.query("SELECT student_subject_access($1, 'json')", [id]) }
        }
    }
}
