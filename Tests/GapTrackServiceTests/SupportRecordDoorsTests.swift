import Foundation
import GapTrackDomain
import GapTrackService
import GapTrackStore
import HummingbirdTesting
import Postgres
import Testing

/// The CSV door of the tests that compare it with the API's.
enum CSVDoor {
    /// One file of `kind` with `fields` (column, value) as its single row, imported for
    /// school-a: nil when it was imported, else the first problem as (column, message).
    static func importing(
        _ kind: ImportKind, _ fields: [(column: String, value: String)], conninfo: String
    ) throws -> (column: String?, message: String)? {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-doors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("\(kind.rawValue).csv")
        let lines = [fields.map(\.column).joined(separator: ","), fields.map(\.value).joined(separator: ",")]
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        do {
            _ = try Importer(connection: try PostgresConnection(conninfo: conninfo))
                .importFile(kind: kind, url: url, provider: ProviderCode(parsing: "school-a"))
        } catch ImportError.invalidRows(_, let shown, _, _, _) {
            let first = try #require(shown.first)
            return (first.column, first.message)
        }
        return nil
    }

    /// The problems of an API answer, by field.
    static func problems(_ response: TestResponse) -> [String: String] {
        Dictionary(response.problems.compactMap { problem in
            (problem["field"] as? String).map { ($0, problem["message"] as? String ?? "") }
        }, uniquingKeysWith: { first, _ in first })
    }

    /// `base` with `column` set to `value` (replaced where it is already there).
    static func row(_ base: [(column: String, value: String)], _ column: String, _ value: String) -> [(column: String, value: String)] {
        base.filter { $0.column != column } + [(column, value)]
    }
}

/// A support record is checked by the same rules whether it comes in through `import support`
/// or through the API's POST and PATCH: the same bad value gets the same message (the CSV names
/// the column, the API the JSON field), and both accept the provider's own catalogue rows.
@Suite struct SupportRecordDoorsTests {
    @Test func theSameBadValueGetsTheSameMessageFromTheImportAndTheAPI() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let token = try fixture.token("school-a", .dataLead)
            let (app, _) = makeApplication(conninfo: conninfo)
            try await app.test(.live) { client in
                // Each bad value as a CSV field and as the JSON value a client would send.
                let cases: [(column: String, csv: String, json: Any)] = [
                    ("type", "juggling", "juggling"),
                    ("funding_source", "lottery", "lottery"),
                    ("status", "maybe", "maybe"),
                    ("start_date", "2025-02-30", "2025-02-30"),
                    ("hours", "-1", -1),
                    ("hours", "7.555", 7.555),
                    ("sessions", "2.5", 2.5),
                    ("amount", "-5", "-5"),
                    ("end_date", "2025-01-01", "2025-01-01"),
                    ("review_date", "31/01/2025", "31/01/2025"),
                ]
                // A good record for the PATCH requests to change.
                let created = try await client.call(.post, "/v1/support-records", token: token, json: json([
                    "student": fixture.studentA, "type": "tutoring", "start_date": "2025-02-03", "reference": "PATCH-ME",
                ]))
                #expect(created.status == .created, "\(created.text)")
                let id = try #require(created.object["id"] as? Int)

                for (serial, example) in cases.enumerated() {
                    let csv: [(column: String, value: String)] = [
                        ("reference", "CSV-\(serial)"), ("student", fixture.studentA), ("type", "tutoring"), ("start_date", "2025-02-03"),
                    ]
                    var body: [String: Any] = [
                        "reference": "API-\(serial)", "student": fixture.studentA, "type": "tutoring", "start_date": "2025-02-03",
                    ]
                    body[example.column] = example.json
                    let imported = try #require(try CSVDoor.importing(.support, CSVDoor.row(csv, example.column, example.csv), conninfo: conninfo), "\(example.column) '\(example.csv)' was imported")
                    #expect(imported.column == example.column)

                    let posted = try await client.call(.post, "/v1/support-records", token: token, json: json(body))
                    #expect(posted.status == .unprocessableContent, "\(posted.text)")
                    #expect(CSVDoor.problems(posted) == [example.column: imported.message], "POST \(example.column)")
                    #expect(imported.message.contains("'\(example.csv)'"), "\(imported.message) quotes the value")

                    // PATCH checks a changed field by the same rule (start_date stays 2025-02-03,
                    // so an end or review date before it is the database's to refuse).
                    guard !["end_date", "review_date"].contains(example.column) else { continue }
                    let patched = try await client.call(
                        .patch, "/v1/support-records/\(id)", token: token, json: json([example.column: example.json]))
                    #expect(patched.status == .unprocessableContent, "\(patched.text)")
                    #expect(CSVDoor.problems(patched) == [example.column: imported.message], "PATCH \(example.column)")
                }
                let type = try #require(try CSVDoor.importing(
                    .support, [("student", fixture.studentA), ("type", "juggling"), ("start_date", "2025-02-03")], conninfo: conninfo))
                #expect(type.message.hasPrefix("'juggling' is not an intervention type; expected one of: bursary, "))
                let end = try #require(try CSVDoor.importing(
                    .support, [("student", fixture.studentA), ("type", "tutoring"), ("start_date", "2025-02-03"), ("end_date", "2025-01-01")],
                    conninfo: conninfo))
                #expect(end.message == "'2025-01-01' is before the start date 03/02/2025")
            }
            let stored: Int = try PostgresConnection(conninfo: conninfo).query(
                "SELECT count(*) AS n FROM support_records WHERE reference LIKE 'CSV-%' OR reference LIKE 'API-%'").single().decode("n")
            #expect(stored == 0)
        }
    }

    @Test func aProvidersOwnTypeAndFundingSourceAreAcceptedByBothDoors() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let setup = try PostgresConnection(conninfo: conninfo)
            try setup.query("SELECT set_config('gaptrack.actor', 'test:fixture', false)")
            try setup.query(
                "INSERT INTO intervention_types VALUES ('forest_school', 'Forest school', false, 'Outdoor learning sessions.')")
            try setup.query("INSERT INTO funding_sources VALUES ('trust_fund', 'Trust fund', 'The academy trust''s own hardship fund.')")
            let token = try fixture.token("school-a", .dataLead)
            let (app, _) = makeApplication(conninfo: conninfo)
            let imported = try CSVDoor.importing(
                .support, [("reference", "CSV-OWN"), ("student", fixture.studentA), ("type", "Forest School"), ("start_date", "2025-02-03"),
                 ("funding_source", "Trust Fund")], conninfo: conninfo)
            #expect(imported == nil, "\(imported.map(\.message) ?? "")")
            try await app.test(.live) { client in
                let created = try await client.call(.post, "/v1/support-records", token: token, json: json([
                    "student": fixture.studentA, "type": "Forest school", "start_date": "2025-02-10", "funding_source": "trust fund",
                    "reference": "API-OWN",
                ]))
                #expect(created.status == .created, "\(created.text)")
                #expect(created.object["type"] as? String == "forest_school")
                #expect(created.object["funding_source"] as? String == "trust_fund")
                let id = try #require(created.object["id"] as? Int)

                let changed = try await client.call(.patch, "/v1/support-records/\(id)", token: token, json: json([
                    "type": "tutoring", "funding_source": "PP",
                ]))
                #expect(changed.status == .ok, "\(changed.text)")
                #expect(changed.object["funding_source"] as? String == "pupil_premium")
                let back = try await client.call(.patch, "/v1/support-records/\(id)", token: token, json: json([
                    "type": "forest_school", "funding_source": "trust_fund",
                ]))
                #expect(back.status == .ok, "\(back.text)")

                let listed = try await client.call(.get, "/v1/support-records?type=forest_school", token: token)
                #expect(listed.status == .ok, "\(listed.text)")
                let references = try #require(listed.object["records"] as? [[String: Any]]).compactMap { $0["reference"] as? String }
                #expect(references.sorted() == ["API-OWN", "CSV-OWN"])

                let unknown = try await client.call(.get, "/v1/support-records?type=juggling", token: token)
                #expect(unknown.status == .badRequest)
                #expect(unknown.errorMessage?.contains("forest_school") == true, "\(unknown.text)")
            }
            let rows = try setup.query(
                "SELECT reference, type, funding_source FROM support_records WHERE reference IN ('CSV-OWN', 'API-OWN') ORDER BY reference"
            ).rows.map { "\(try $0.decode("reference", as: String.self)) \(try $0.decode("type", as: String.self)) \(try $0.decode("funding_source", as: String.self))" }
            #expect(rows == ["API-OWN forest_school trust_fund", "CSV-OWN forest_school trust_fund"])
        }
    }
}
