import Foundation
import Postgres
import TestDatabase
import Testing

/// The report cache invalidated per provider (sql/021_shard_ready.sql, docs/scaling.md): one
/// school's import makes only its own cached reports compute again.
@Suite("The report cache per provider", .serialized)
struct ReportCachePerProviderTests {
    /// The snapshot a part's entry was computed in (ReportSnapshotCache.Part): a part served from
    /// the cache leaves it as it was; one computed again stores its own.
    static func stored(_ code: String, part: String, on connection: PostgresConnection) throws -> String {
        try connection.query(
            """
            SELECT s.snapshot::text AS snapshot FROM report_snapshots s JOIN providers p
                ON report_snapshot_provider(s.cache_key) = p.provider_id
            WHERE p.code = $1 AND s.cache_key LIKE '%; part ' || $2 || '; families %'
            """, [code, part]
        ).single().decode("snapshot")
    }

    static func loadDemoSchools(_ database: [String]) throws {
        for (code, urn, seed) in [("oak-school", "140001", "11"), ("elm-school", "140002", "12")] {
            _ = try GapTrackCommandLine.run(
                ["demo", "load", "--only", "school", "--as-provider", code, "--urn", urn, "--seed", seed, "--year-groups", "11",
                 "--cohort-size", "40", "--no-leavers", "--attendance-days", "10"] + database)
        }
    }

    @Test("a support import leaves the school's cached attainment and attendance parts served and computes its support part again")
    func aSupportImportComputesOnlyTheSupportPartAgain() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let database = CommandTests.databaseOption(connection)
            try Self.loadDemoSchools(database)
            let gap = ["report", "gap", "--provider", "oak-school", "--cohort", "year-11", "--term", "2024/25-summer", "--format", "json"] + database
            func parts() throws -> [String: String] {
                try Dictionary(uniqueKeysWithValues: ["attainment", "attendance", "support"].map { ($0, try Self.stored("oak-school", part: $0, on: connection)) })
            }
            func supportedPupils(_ lines: [String]) -> [String] { lines.filter { $0.contains("\"students\"") } }
            let before = try GapTrackCommandLine.run(gap)
            let entries = try parts()

            // Support for three of Oak's Year 11 pupils, starting in the summer term.
            let upns: [String] = try connection.query(
                """
                SELECT s.upn FROM students s JOIN providers p USING (provider_id)
                WHERE p.code = 'oak-school' AND NOT EXISTS (SELECT FROM support_records r WHERE r.provider_id = s.provider_id AND r.student_id = s.student_id)
                ORDER BY s.upn LIMIT 3
                """
            ).rows.map { try $0.decode("upn") }
            #expect(upns.count == 3)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let file = folder.appendingPathComponent("support.csv")
            try (["student,type,start_date,end_date"] + upns.map { "\($0),tutoring,2025-04-28,2025-06-27" }).joined(separator: "\n").appending("\n")
                .write(to: file, atomically: true, encoding: .utf8)
            // Changes recorded from here on: older rows go only when no transaction anywhere in the
            // cluster still needs them (`report_snapshot_prune`), which a concurrent test can delay.
            let since: String = try connection.query("SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x").single().decode("x")
            let imported = try GapTrackCommandLine.run(["import", "support", file.path, "--provider", "oak-school"] + database)
            #expect(imported.first?.contains("3 inserted") == true, "\(imported)")
            let families: [String] = try connection.query(
                """
                SELECT DISTINCT family FROM provider_data_changes c JOIN providers p USING (provider_id)
                WHERE p.code = 'oak-school' AND c.xid >= $1::xid8 ORDER BY family
                """, [since]
            ).rows.map { try $0.decode("family") }
            #expect(families == ["imports", "support"], "what the support import recorded: \(families)")

            let after = try GapTrackCommandLine.run(gap)
            let now = try parts()
            #expect(now["attainment"] == entries["attainment"], "the attainment part was served from the cache")
            #expect(now["attendance"] == entries["attendance"], "the attendance part was served from the cache")
            #expect(now["support"] != entries["support"], "the support part was computed again")
            #expect(supportedPupils(after) != supportedPupils(before), "the support section counts the new records")
            #expect(after.contains { $0.contains("\"file\" : \"support.csv\"") }, "the data cut, read afresh, lists the import")
            // What the cache put together is what a computation from scratch prints. A refusal's text
            // quotes a slope at full double precision, whose last digits depend on the order
            // PostgreSQL sums in; the lines that print one are left out.
            let recomputed = try GapTrackCommandLine.run(gap + ["--recompute"])
            #expect(after.filter { !$0.contains("\"refusal\"") } == recomputed.filter { !$0.contains("\"refusal\"") })
            #expect(try parts()["attainment"] != entries["attainment"], "--recompute stored every part afresh")
        }
    }

    @Test("one school's import leaves another school's cached report served from the cache; its own is computed again")
    func oneSchoolsImportLeavesAnothersCachedReportAlone() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let database = CommandTests.databaseOption(connection)
            try Self.loadDemoSchools(database)
            // A refusal's text quotes a slope at full double precision, whose last digits depend on
            // the order PostgreSQL sums in; every figure is rounded and compared as printed.
            func report(_ code: String) throws -> [String] {
                try GapTrackCommandLine.run(
                    ["report", "gap", "--provider", code, "--cohort", "year-11", "--term", "2024/25-summer", "--format", "json"] + database
                ).filter { !$0.contains("\"refusal\"") }
            }
            func stored(_ code: String) throws -> String { try Self.stored(code, part: "attainment", on: connection) }
            let oak = try report("oak-school")
            let elm = try report("elm-school")
            #expect(oak.count > 100 && elm.count > 100)
            let (oakEntry, elmEntry) = (try stored("oak-school"), try stored("elm-school"))

            // An import at Oak: six new pupils.
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let file = folder.appendingPathComponent("students.csv")
            try ([ImportCommandTests.header] + (0..<6).map(ImportCommandTests.pupil)).joined(separator: "\n").appending("\n")
                .write(to: file, atomically: true, encoding: .utf8)
            let imported = try GapTrackCommandLine.run(["import", "students", file.path, "--provider", "oak-school"] + database)
            #expect(imported.contains { $0.hasPrefix("students.csv: 6 rows read, 6 inserted,") }, "\(imported)")

            #expect(try report("elm-school") == elm)
            #expect(try stored("elm-school") == elmEntry, "Elm's report was served from the cache")
            // Computed again, Oak's report lists the new import in its data cut.
            func studentFiles(_ lines: [String]) -> Int { lines.filter { $0.contains("\"file\" : \"students.csv\"") }.count }
            #expect(studentFiles(try report("oak-school")) == studentFiles(oak) + 1)
            #expect(try stored("oak-school") != oakEntry, "Oak's report was computed again after Oak's import")

            // A write no provider claims (here a direct one, as a maintenance script would make)
            // still makes every provider's entry stale.
            let elmBefore = try stored("elm-school")
            try connection.query("UPDATE students SET forename = forename WHERE provider_id = (SELECT provider_id FROM providers WHERE code = 'oak-school')")
            _ = try report("elm-school")
            #expect(try stored("elm-school") != elmBefore)
        }
    }
}
