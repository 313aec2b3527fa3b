import Foundation
import GapTrackService
import GapTrackStore
import HummingbirdTesting
import Postgres
import Testing

/// The support-record endpoints over HTTP, against the real service on a loopback port.
@Suite struct SupportRecordAPITests {
    @Test func aDataLeadRecordsChangesListsAndEndsASupportRecord() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let token = try fixture.token("school-a", .dataLead, label: "MIS integration")
            let (app, _) = makeApplication(conninfo: conninfo)
            try await app.test(.live) { client in
                let created = try await client.call(.post, "/v1/support-records", token: token, json: json([
                    "student": fixture.studentA, "type": "1:1 tuition", "start_date": "03/02/2025", "hours": 12.5, "sessions": 10,
                    "amount": "£1,234.50", "funding_source": "PP", "staff": "Ms Patel", "intended_outcome": "Reach grade 5",
                    "review_date": "2025-03-31",
                ]))
                #expect(created.status == .created, "\(created.text)")
                let record = created.object
                let id = try #require(record["id"] as? Int)
                #expect(created.headers[.location] == "/v1/support-records/\(id)")
                #expect(record["type"] as? String == "tutoring")
                #expect(record["start_date"] as? String == "2025-02-03")
                #expect(record["amount"] as? String == "1234.50")
                #expect(record["funding_source"] as? String == "pupil_premium")
                #expect(record["status"] as? String == "active")
                #expect(record["student"] as? String == fixture.studentA)

                // Stored exactly: numeric pounds and pence, in the caller's provider.
                let stored = try PostgresConnection(conninfo: conninfo).query(
                    "SELECT amount::text AS amount, provider_id, hours::text AS hours FROM support_records WHERE support_id = $1", [id]
                ).single()
                #expect(try stored.decode("amount", as: String.self) == "1234.50")
                #expect(try stored.decode("hours", as: String.self) == "12.50")
                #expect(try stored.decode("provider_id", as: Int.self) == fixture.a)

                let changed = try await client.call(.patch, "/v1/support-records/\(id)", token: token, json: json(["staff": NSNull(), "sessions": 12]))
                #expect(changed.status == .ok, "\(changed.text)")
                #expect(changed.object["staff"] == nil)
                #expect(changed.object["sessions"] as? Int == 12)
                #expect(changed.object["amount"] as? String == "1234.50")

                let tooEarly = try await client.call(.post, "/v1/support-records/\(id)/end", token: token, json: json(["end_date": "2025-01-01"]))
                #expect(tooEarly.status == .unprocessableContent)
                #expect(tooEarly.problems.first?["field"] as? String == "end_date")
                #expect(tooEarly.problems.first?["message"] as? String == "'2025-01-01' is before the start date 03/02/2025")

                let ended = try await client.call(.post, "/v1/support-records/\(id)/end", token: token, json: json(["end_date": "2025-04-04"]))
                #expect(ended.status == .ok, "\(ended.text)")
                #expect(ended.object["status"] as? String == "ended")
                #expect(ended.object["end_date"] as? String == "2025-04-04")

                let listed = try await client.call(.get, "/v1/support-records?student=\(fixture.studentA)&status=ended", token: token)
                #expect(listed.status == .ok)
                let records = try #require(listed.object["records"] as? [[String: Any]])
                #expect(records.map { $0["id"] as? Int } == [id])

                let duplicate = try await client.call(.post, "/v1/support-records", token: token, json: json([
                    "student": fixture.studentA, "type": "tutoring", "start_date": "2025-02-03",
                ]))
                #expect(duplicate.status == .conflict)
                #expect(duplicate.errorMessage?.contains("id \(id)") == true)
            }
        }
    }

    @Test func everyBadFieldIsNamedAndNothingIsStored() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let token = try fixture.token("school-a", .staff)
            let (app, _) = makeApplication(conninfo: conninfo)
            let before: Int = try PostgresConnection(conninfo: conninfo).query("SELECT count(*) AS n FROM support_records").single().decode("n")
            try await app.test(.live) { client in
                let response = try await client.call(.post, "/v1/support-records", token: token, json: json([
                    "student": fixture.studentA, "type": "juggling", "start_date": "2025-02-30", "hours": -1, "sessions": 2.5,
                    "amount": "-5", "funding_source": "lottery", "status": "maybe", "restricted": "yes",
                ]))
                #expect(response.status == .unprocessableContent)
                #expect(response.errorCode == "invalid_fields")
                let fields = Set(response.problems.compactMap { $0["field"] as? String })
                #expect(fields == ["type", "start_date", "hours", "sessions", "amount", "funding_source", "status", "restricted"])
                let typeProblem = response.problems.first { $0["field"] as? String == "type" }
                #expect((typeProblem?["message"] as? String)?.contains("tutoring") == true, "the message lists the accepted types")
                #expect(typeProblem?["value"] as? String == "juggling")

                let missing = try await client.call(.post, "/v1/support-records", token: token, json: json(["amount": 5]))
                #expect(Set(missing.problems.compactMap { $0["field"] as? String }) == ["student", "type", "start_date"])

                let misspelt = try await client.call(.post, "/v1/support-records", token: token, json: json([
                    "student": fixture.studentA, "type": "tutoring", "start_date": "2025-01-01", "ammount": "5",
                ]))
                #expect(misspelt.status == .unprocessableContent)
                #expect(misspelt.problems.first?["field"] as? String == "ammount")

                let unknownStudent = try await client.call(.post, "/v1/support-records", token: token, json: json([
                    "student": "A999999999999", "type": "tutoring", "start_date": "2025-01-01",
                ]))
                #expect(unknownStudent.status == .unprocessableContent)
                #expect(unknownStudent.problems.first?["field"] as? String == "student")
            }
            let after: Int = try PostgresConnection(conninfo: conninfo).query("SELECT count(*) AS n FROM support_records").single().decode("n")
            #expect(after == before)
        }
    }

    @Test func malformedOversizedAndNonJSONBodiesAreRefusedWithAReason() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let token = try fixture.token("school-a", .dataLead)
            let (app, _) = makeApplication(conninfo: conninfo, maximumBodyBytes: 4096)
            try await app.test(.live) { client in
                for body in ["{\"student\": ", "[1, 2]", "null", "{\"student\" \"x\"}", "{} {}", "{'a': 1}", "\u{1}"] {
                    let response = try await client.call(.post, "/v1/support-records", token: token, json: body)
                    #expect(response.status == .badRequest, "body \(body) gave \(response.status)")
                    #expect(response.errorCode == "malformed_json")
                }
                let huge = json(["student": fixture.studentA, "type": "tutoring", "start_date": "2025-01-01",
                                 "intended_outcome": String(repeating: "x", count: 10_000)])
                let tooLarge = try await client.call(.post, "/v1/support-records", token: token, json: huge)
                #expect(tooLarge.status == .contentTooLarge)
                #expect(tooLarge.errorMessage?.contains("4096") == true)

                let form = try await client.call(.post, "/v1/support-records", token: token, json: "student=x", contentType: "application/x-www-form-urlencoded")
                #expect(form.status == .unsupportedMediaType)

                let nowhere = try await client.call(.get, "/v1/nothing-here", token: token)
                #expect(nowhere.status == .notFound)
                #expect(nowhere.errorMessage?.contains("/openapi.yaml") == true)

                let badID = try await client.call(.get, "/v1/support-records/abc", token: token)
                #expect(badID.status == .badRequest)
                let badQuery = try await client.call(.get, "/v1/support-records?stauts=active", token: token)
                #expect(badQuery.status == .badRequest)
                #expect(badQuery.errorMessage?.contains("stauts") == true)

                // After all of that the service still answers.
                let health = try await client.call(.get, "/health", token: nil)
                #expect(health.status == .ok)
            }
        }
    }

    @Test func sqlInjectionStringsAreStoredVerbatimAndHarmless() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let token = try fixture.token("school-a", .dataLead)
            let (app, _) = makeApplication(conninfo: conninfo)
            let hostile = [
                "Robert'); DROP TABLE support_records; --",
                "' OR '1'='1",
                "x\\'; SELECT set_config('gaptrack.provider_id', '2', true); --",
                "$1 $$ \\ \" -- /* */",
                "🙂 Zoë O'Brien",
            ]
            try await app.test(.live) { client in
                for (index, text) in hostile.enumerated() {
                    let response = try await client.call(.post, "/v1/support-records", token: token, json: json([
                        "reference": text, "student": fixture.studentA, "type": "mentoring",
                        "start_date": "2025-01-\(String(format: "%02d", index + 1))", "staff": text, "intended_outcome": text,
                    ]))
                    #expect(response.status == .created, "\(response.text)")
                    #expect(response.object["staff"] as? String == text)
                    let id = try #require(response.object["id"] as? Int)
                    let read = try await client.call(.get, "/v1/support-records/\(id)", token: token)
                    #expect(read.object["intended_outcome"] as? String == text)
                    #expect(read.object["reference"] as? String == text)
                }
                // As a query parameter, too: no student is called that, and nothing breaks.
                let probe = try await client.call(
                    .get, "/v1/support-records?student=%27%20OR%20%271%27%3D%271", token: token)
                #expect(probe.status == .notFound)
            }
            let connection = try PostgresConnection(conninfo: conninfo)
            let stored: [String] = try connection.query(
                "SELECT staff FROM support_records WHERE type = 'mentoring' ORDER BY starts_on").rows.map { try $0.decode("staff") }
            #expect(stored == hostile)
            // Every record is still A's: the set_config text did not change the scope.
            let misplaced: Int = try connection.query(
                "SELECT count(*) AS n FROM support_records WHERE type = 'mentoring' AND provider_id <> $1", [fixture.a]).single().decode("n")
            #expect(misplaced == 0)
            let tables: Int = try connection.query("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'support_records'").single().decode("n")
            #expect(tables == 1)
        }
    }
}
