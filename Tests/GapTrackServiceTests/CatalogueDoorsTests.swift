import Foundation
import GapTrackDomain
import GapTrackService
import GapTrackStore
import HummingbirdTesting
import Postgres
import Testing

/// A provider's own catalogue (docs/import-formats.md, "A provider's own catalogue"): added
/// through the API or `gaptrack catalogue add`, accepted alike by `import support` and
/// POST /v1/support-records, and refused alike, with the same message, to another provider.
@Suite struct CatalogueDoorsTests {
    @Test func anOwnFundIsAcceptedByBothDoorsAndAnotherProvidersIsRefusedByBothWithTheSameMessage() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let setup = try PostgresConnection(conninfo: conninfo)
            try setup.query("SELECT set_config('gaptrack.actor', 'test:fixture', false)")
            // School B's own fund, which school A must neither see nor use.
            _ = try SupportCatalogue(connection: setup).add(providerID: fixture.b, kind: .fundingSource, code: "b_hardship", name: "B's hardship fund")
            let token = try fixture.token("school-a", .dataLead)
            let (app, _) = makeApplication(conninfo: conninfo)
            try await app.test(.live) { client in
                let added = try await client.call(.post, "/v1/catalogue/funding-sources", token: token, json: json([
                    "code": "a_bursary", "name": "A's bursary",
                ]))
                #expect(added.status == .created, "\(added.text)")
                #expect(added.object["own"] as? Bool == true)

                let imported = try CSVDoor.importing(
                    .support, [("reference", "CSV-OWN"), ("student", fixture.studentA), ("type", "tutoring"), ("start_date", "2025-02-03"),
                               ("funding_source", "a_bursary")], conninfo: conninfo)
                #expect(imported == nil, "\(imported.map(\.message) ?? "")")
                let created = try await client.call(.post, "/v1/support-records", token: token, json: json([
                    "student": fixture.studentA, "type": "tutoring", "start_date": "2025-02-10", "funding_source": "a_bursary", "reference": "API-OWN",
                ]))
                #expect(created.status == .created, "\(created.text)")

                let refused = try #require(try CSVDoor.importing(
                    .support, [("reference", "CSV-B"), ("student", fixture.studentA), ("type", "tutoring"), ("start_date", "2025-02-03"),
                               ("funding_source", "b_hardship")], conninfo: conninfo))
                #expect(refused.column == "funding_source")
                #expect(refused.message.hasPrefix("'b_hardship' is not a funding source; expected one of: a_bursary, "))
                #expect(!refused.message.contains("b_hardship,") && !refused.message.hasSuffix("b_hardship"))
                let posted = try await client.call(.post, "/v1/support-records", token: token, json: json([
                    "student": fixture.studentA, "type": "tutoring", "start_date": "2025-02-10", "funding_source": "b_hardship", "reference": "API-B",
                ]))
                #expect(posted.status == .unprocessableContent, "\(posted.text)")
                #expect(CSVDoor.problems(posted) == ["funding_source": refused.message])

                // The listing: shared and A's own, never B's.
                let listed = try await client.call(.get, "/v1/catalogue/funding-sources", token: token)
                #expect(listed.status == .ok, "\(listed.text)")
                let codes = try #require(listed.object["entries"] as? [[String: Any]]).compactMap { $0["code"] as? String }
                #expect(codes.contains("a_bursary") && codes.contains("pupil_premium") && !codes.contains("b_hardship"))

                // A code already there is a conflict; a governor may not add.
                let again = try await client.call(.post, "/v1/catalogue/funding-sources", token: token, json: json(["code": "pupil_premium", "name": "PP"]))
                #expect(again.status == .conflict, "\(again.text)")
                #expect(again.errorMessage == "'pupil_premium' is already a shared funding source; use it as it is")
                let governor = try fixture.token("school-a", .governor)
                let forbidden = try await client.call(.post, "/v1/catalogue/support-types", token: governor, json: json(["code": "x", "name": "X"]))
                #expect(forbidden.status == .forbidden)
                let badCode = try await client.call(.post, "/v1/catalogue/support-types", token: token, json: json(["code": "Forest School", "name": "Forest school"]))
                #expect(CSVDoor.problems(badCode)["code"]?.hasPrefix("'Forest School' is not a catalogue code") == true, "\(badCode.text)")
            }
            // The database refuses another provider's code even from a writer that skips the rules.
            let studentA: Int = try setup.query("SELECT min(student_id) AS id FROM students WHERE provider_id = $1", [fixture.a]).single().decode("id")
            #expect(throws: PostgresError.self) {
                try setup.query(
                    "INSERT INTO support_records (student_id, provider_id, type, starts_on, funding_source) VALUES ($1, $2, 'tutoring', '2025-03-03', 'b_hardship')",
                    [studentA, fixture.a])
            }
            let stored = try setup.query(
                "SELECT reference FROM support_records WHERE reference IN ('CSV-OWN', 'API-OWN', 'CSV-B', 'API-B') ORDER BY reference"
            ).rows.map { try $0.decode("reference", as: String.self) }
            #expect(stored == ["API-OWN", "CSV-OWN"])
        }
    }
}
