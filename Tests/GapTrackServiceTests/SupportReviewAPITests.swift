import Foundation
import GapTrackDomain
import GapTrackService
import GapTrackStore
import HummingbirdTesting
import Postgres
import Testing

/// Reviews of an intervention over HTTP (docs/methodology.md §6.6): they round-trip, appear in
/// the pupil's timeline, follow their record's restriction, and never reach a governor.
@Suite struct SupportReviewAPITests {
    @Test func aReviewRoundTripsAppearsInTheTimelineAndIsHiddenWhereItsRecordIs() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let staff = try fixture.token("school-a", .staff)
            let admin = try fixture.token("school-a", .admin)
            let governor = try fixture.token("school-a", .governor)
            let otherSchool = try fixture.token("school-b", .admin)
            let (app, _) = makeApplication(conninfo: conninfo)
            try await app.test(.live) { client in
                let created = try await client.call(.post, "/v1/support-records", token: staff, json: json([
                    "student": fixture.studentA, "type": "tutoring", "start_date": "2025-01-13", "reference": "REV-1"]))
                let id = try #require(created.object["id"] as? Int)
                let body = json(["date": "2025-02-10", "reviewer": "Ms Khan", "progress_note": "Secure on fractions.\nNext: ratio.",
                                 "entry_result": "3", "exit_result": "4"])
                let added = try await client.call(.post, "/v1/support-records/\(id)/reviews", token: staff, json: body)
                #expect(added.status == .created, "\(added.text)")
                #expect(added.object["support_record"] as? Int == id)
                #expect(added.object["progress_note"] as? String == "Secure on fractions.\nNext: ratio.")
                #expect(added.object["entry_result"] as? String == "3" && added.object["exit_result"] as? String == "4")
                let repeated = try await client.call(.post, "/v1/support-records/\(id)/reviews", token: staff, json: body)
                #expect(repeated.status == .conflict)
                let early = try await client.call(.post, "/v1/support-records/\(id)/reviews", token: staff, json: json([
                    "date": "2025-01-01", "reviewer": "Ms Khan", "progress_note": "x"]))
                #expect(early.status == .unprocessableContent)
                #expect(CSVDoor.problems(early) == ["date": "'2025-01-01' is before the record's start date 13/01/2025"])
                let missing = try await client.call(.post, "/v1/support-records/\(id)/reviews", token: staff, json: json(["date": "2025-02-11"]))
                #expect(Set(CSVDoor.problems(missing).keys) == ["reviewer", "progress_note"])

                let listed = try await client.call(.get, "/v1/support-records/\(id)/reviews", token: staff)
                #expect((listed.object["reviews"] as? [[String: Any]])?.map { $0["reviewer"] as? String } == ["Ms Khan"])
                let timeline = try await client.call(.get, "/v1/students/\(fixture.studentA)/timeline", token: staff)
                let shown = try #require(timeline.object["reviews"] as? [[String: Any]])
                #expect(shown.count == 1 && shown.first?["support_record"] as? Int == id)

                // Not for governors, nor for another provider.
                #expect(try await client.call(.get, "/v1/support-records/\(id)/reviews", token: governor).status == .forbidden)
                #expect(try await client.call(.post, "/v1/support-records/\(id)/reviews", token: governor, json: body).status == .forbidden)
                #expect(try await client.call(.get, "/v1/support-records/\(id)/reviews", token: otherSchool).status == .notFound)

                // A restricted record's review is seen by the admin and hidden from staff with the record.
                let connection = try PostgresConnection(conninfo: conninfo)
                let restricted: Int = try connection.query(
                    "SELECT support_id FROM support_records WHERE restricted AND provider_id = $1 LIMIT 1", [fixture.a]).single().decode("support_id")
                let start: String = try connection.query(
                    "SELECT starts_on::text AS s FROM support_records WHERE support_id = $1", [restricted]).single().decode("s")
                let hidden = try await client.call(.post, "/v1/support-records/\(restricted)/reviews", token: admin, json: json([
                    "date": start, "reviewer": "Virtual School", "progress_note": "Placement settled."]))
                #expect(hidden.status == .created, "\(hidden.text)")
                #expect(try await client.call(.get, "/v1/support-records/\(restricted)/reviews", token: staff).status == .notFound)
                #expect(try await client.call(.get, "/v1/support-records/\(restricted)/reviews", token: admin).status == .ok)
                let staffTimeline = try await client.call(.get, "/v1/students/\(fixture.restrictedStudentA)/timeline", token: staff)
                #expect(!(staffTimeline.text.contains("Placement settled")), "\(staffTimeline.text)")
                let adminTimeline = try await client.call(.get, "/v1/students/\(fixture.restrictedStudentA)/timeline", token: admin)
                #expect(adminTimeline.text.contains("Placement settled"))

                // Governors' reports carry no review note.
                let report = try await client.call(.get, "/v1/reports/termly?cohort=year-11&term=2024/25-summer", token: governor)
                #expect(!report.text.contains("fractions") && !report.text.contains("Ms Khan"))
            }
        }
    }
}
