import Foundation
import Postgres
import TestDatabase
import Testing

/// The report cache invalidated per provider (sql/021_shard_ready.sql, docs/scaling.md): one
/// school's import makes only its own cached reports compute again.
@Suite("The report cache per provider", .serialized)
struct ReportCachePerProviderTests {
    @Test("one school's import leaves another school's cached report served from the cache; its own is computed again")
    func oneSchoolsImportLeavesAnothersCachedReportAlone() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let database = CommandTests.databaseOption(connection)
            for (code, urn, seed) in [("oak-school", "140001", "11"), ("elm-school", "140002", "12")] {
                _ = try GapTrackCommandLine.run(
                    ["demo", "load", "--only", "school", "--as-provider", code, "--urn", urn, "--seed", seed, "--year-groups", "11",
                     "--cohort-size", "40", "--no-leavers", "--attendance-days", "10"] + database)
            }
            // A refusal's text quotes a slope at full double precision, whose last digits depend on
            // the order PostgreSQL sums in; every figure is rounded and compared as printed.
            func report(_ code: String) throws -> [String] {
                try GapTrackCommandLine.run(
                    ["report", "gap", "--provider", code, "--cohort", "year-11", "--term", "2024/25-summer", "--format", "json"] + database
                ).filter { !$0.contains("\"refusal\"") }
            }
            // The snapshot an entry was computed in: a report served from the cache leaves it as it
            // was; one computed again stores its own.
            func stored(_ code: String) throws -> String {
                try connection.query(
                    """
                    SELECT s.snapshot::text AS snapshot FROM report_snapshots s JOIN providers p
                        ON report_snapshot_provider(s.cache_key) = p.provider_id
                    WHERE p.code = $1
                    """, [code]
                ).single().decode("snapshot")
            }
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
