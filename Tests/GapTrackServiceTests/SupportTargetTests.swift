import Foundation
import GapTrackDomain
import GapTrackService
import GapTrackStore
import HummingbirdTesting
import Postgres
import Testing

/// A support record's target and its planned entry and exit assessments (docs/methodology.md
/// §6.6), through `import support` and the API: the same checks at both doors, and errors that
/// name the line and column (or field).
@Suite struct SupportTargetTests {
    /// School A assesses maths (Year 8, autumn and summer, beside the fixture's Year 11 autumn mock) and English (autumn).
    static func withAssessments(_ fixture: TwoProviders) throws {
        let connection = try PostgresConnection(conninfo: fixture.conninfo)
        try connection.query("SELECT set_config('gaptrack.actor', 'test:fixture', false)")
        for (subject, name, term) in [("maths", "Year 8 autumn assessment", "autumn"), ("maths", "Year 8 summer assessment", "summer"),
                                      ("english", "Year 8 autumn assessment", "autumn")] {
            try connection.query(
                "INSERT INTO assessment_points (provider_id, subject, name, scale, academic_year, term) VALUES ($1, $2, $3, 'standardised_score', '2024/25', $4::term_name)",
                [fixture.a, subject, name, term])
        }
    }

    /// Imports support.csv with `rows` under `header` for school-a; the problems, or nil when it was imported.
    static func importing(_ header: String, _ rows: [String], conninfo: String) throws -> [RowError]? {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-targets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("support.csv")
        try (([header] + rows).joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        do {
            _ = try Importer(connection: try PostgresConnection(conninfo: conninfo))
                .importFile(kind: .support, url: url, provider: ProviderCode(parsing: "school-a"))
        } catch ImportError.invalidRows(_, let shown, _, _, _) {
            return shown
        }
        return nil
    }

    @Test func theImportRefusesABadTargetNamingTheLineAndColumnAndStoresNothing() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            try Self.withAssessments(fixture)
            let header = "reference,student,type,start_date,target,entry_assessment,exit_assessment"
            let good = "T-1,\(fixture.studentA),tutoring,2024-10-01,maths,maths@2024/25-autumn,maths@2024/25-summer"
            let cases: [(row: String, column: String, message: String)] = [
                ("T-2,\(fixture.studentA),tutoring,2024-10-01,history,,", "target",
                 "'history' is not a subject this provider assesses; expected one of: english, maths, or attendance"),
                ("T-2,\(fixture.studentA),tutoring,2024-10-01,maths:Year 9 mock@2024/25-autumn,,", "target",
                 "'maths:Year 9 mock@2024/25-autumn': there is no maths assessment named 'Year 9 mock' in 2024/25 autumn; expected one of: Autumn mock, Year 8 autumn assessment"),
                ("T-2,\(fixture.studentA),tutoring,2024-10-01,maths,maths@2024/25-summer,maths@2024/25-autumn", "exit_assessment",
                 "'maths@2024/25-autumn' is not after the entry assessment maths@2024/25-summer; the exit assessment comes after the entry"),
                ("T-2,\(fixture.studentA),tutoring,2024-10-01,maths,english@2024/25-autumn,", "entry_assessment",
                 "'english@2024/25-autumn' is in english but the target is maths; entry and exit assessments are in the target's subject"),
                ("T-2,\(fixture.studentA),tutoring,2024-10-01,attendance,maths@2024/25-autumn,", "entry_assessment",
                 "'maths@2024/25-autumn' needs a subject or assessment target; name the target (e.g. maths) or leave entry_assessment empty"),
                ("T-2,\(fixture.studentA),tutoring,2024-10-01,maths,maths@2024/25-spring,", "entry_assessment",
                 "'maths@2024/25-spring': there is no maths assessment in 2024/25 spring"),
            ]
            for example in cases {
                let problems = try #require(try Self.importing(header, [good, example.row], conninfo: conninfo), "\(example.row) was imported")
                let problem = try #require(problems.first)
                #expect(problems.count == 1)
                #expect(problem.line == 3, "the bad row is the file's third line")
                #expect(problem.column == example.column)
                #expect(problem.message == example.message)
            }
            // All or nothing: the good row on line 2 was not stored either.
            let stored: Int = try PostgresConnection(conninfo: conninfo).query(
                "SELECT count(*) AS n FROM support_records WHERE reference LIKE 'T-%'").single().decode("n")
            #expect(stored == 0)

            // The good row alone is stored, with the provider's spelling; importing it again changes nothing.
            #expect(try Self.importing(header, [good], conninfo: conninfo) == nil)
            #expect(try Self.importing(header, [good], conninfo: conninfo) == nil)
            let row = try PostgresConnection(conninfo: conninfo).query(
                """
                SELECT target_kind::text AS kind, target_subject, entry_term::text AS entry, exit_term::text AS exit, updated_at = created_at AS untouched
                FROM support_records WHERE reference = 'T-1'
                """).single()
            #expect(try row.decode("kind", as: String.self) == "subject")
            #expect(try row.decode("target_subject", as: String.self) == "maths")
            #expect(try row.decode("entry", as: String.self) == "autumn")
            #expect(try row.decode("exit", as: String.self) == "summer")
            #expect(try row.decode("untouched", as: Bool.self), "the second import of the same file changed the record")
        }
    }

    @Test func theAPIStoresReadsAndChangesATargetByTheImportsRules() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            try Self.withAssessments(fixture)
            let token = try fixture.token("school-a", .dataLead)
            let (app, _) = makeApplication(conninfo: conninfo)
            try await app.test(.live) { client in
                let created = try await client.call(.post, "/v1/support-records", token: token, json: json([
                    "student": fixture.studentA, "type": "tutoring", "start_date": "2024-10-01", "target": " MATHS ",
                    "entry_assessment": "maths@2024/25-autumn", "exit_assessment": "maths:year 8 summer assessment@2024/25-summer",
                ]))
                #expect(created.status == .created, "\(created.text)")
                #expect(created.object["target"] as? String == "maths")
                #expect(created.object["entry_assessment"] as? String == "maths@2024/25-autumn")
                #expect(created.object["exit_assessment"] as? String == "maths:Year 8 summer assessment@2024/25-summer")
                let id = try #require(created.object["id"] as? Int)

                let shown = try await client.call(.get, "/v1/support-records/\(id)", token: token)
                #expect(shown.object["target"] as? String == "maths")

                // An exit before the stored entry: the same message as the import's, naming the field.
                let backwards = try await client.call(.patch, "/v1/support-records/\(id)", token: token, json: json([
                    "entry_assessment": "maths@2024/25-summer", "exit_assessment": "maths@2024/25-autumn",
                ]))
                #expect(backwards.status == .unprocessableContent, "\(backwards.text)")
                #expect(CSVDoor.problems(backwards) == [
                    "exit_assessment": "'maths@2024/25-autumn' is not after the entry assessment maths@2024/25-summer; the exit assessment comes after the entry",
                ])

                // Attendance, with the assessments cleared; then an assessment target, which is its own exit.
                let attendance = try await client.call(.patch, "/v1/support-records/\(id)", token: token, json: json([
                    "target": "attendance", "entry_assessment": NSNull(), "exit_assessment": NSNull(),
                ]))
                #expect(attendance.status == .ok, "\(attendance.text)")
                #expect(attendance.object["target"] as? String == "attendance")
                #expect(attendance.object["entry_assessment"] == nil || attendance.object["entry_assessment"] is NSNull)
                let assessment = try await client.call(.patch, "/v1/support-records/\(id)", token: token, json: json([
                    "target": "maths:Year 8 summer assessment@2024/25-summer",
                ]))
                #expect(assessment.status == .ok, "\(assessment.text)")
                #expect(assessment.object["target"] as? String == "maths:Year 8 summer assessment@2024/25-summer")
                #expect(assessment.object["exit_assessment"] as? String == "maths:Year 8 summer assessment@2024/25-summer")
                let cleared = try await client.call(.patch, "/v1/support-records/\(id)", token: token, json: json(["target": NSNull()]))
                #expect(cleared.status == .ok, "\(cleared.text)")
                #expect(cleared.object["target"] == nil || cleared.object["target"] is NSNull)

                let unknown = try await client.call(.post, "/v1/support-records", token: token, json: json([
                    "student": fixture.studentA, "type": "mentoring", "start_date": "2024-10-01", "target": "history",
                ]))
                #expect(unknown.status == .unprocessableContent)
                #expect(CSVDoor.problems(unknown) == ["target": "'history' is not a subject this provider assesses; expected one of: english, maths, or attendance"])
            }
        }
    }
}
