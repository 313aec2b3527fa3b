import Foundation
import Postgres
import TestDatabase
import Testing

/// The CLI's import and report paths through a real PgBouncer in transaction pooling mode, on one
/// server session that every transaction shares (docs/scaling.md): the same answers as
/// directly, and a repeated import changes nothing.
@Suite("The CLI through PgBouncer", .serialized, .enabled(if: PgBouncer.runnable("PgBouncerCommandTests"), "\(PgBouncer.missing ?? "")"))
struct PgBouncerCommandTests {
    @Test("demo load, an import and the gap report run through PgBouncer and print what they print directly")
    func importAndReportThroughPgBouncer() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let direct = CommandTests.databaseOption(connection)
            try PgBouncer.with(serverConnections: 1) { bouncer in
                let through = ["--database", try bouncer.through(TestDatabase.conninfo(database: connection.databaseName))]
                _ = try GapTrackCommandLine.run(["demo", "load"] + CohortViewsTests.demo + through)
                #expect(try CohortViewsTests.count(connection, "SELECT count(*)::int AS n FROM students") > 0)

                // A file import, then the same file again: all or nothing, and nothing the second time.
                let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-cli-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: folder) }
                _ = try GapTrackCommandLine.run(
                    ["provider", "add", "--code", "test-school", "--name", "Test School", "--kind", "school", "--urn", "123456", "--la-code", "801"]
                        + through)
                let file = folder.appendingPathComponent("students.csv")
                try ([ImportCommandTests.header] + (0..<6).map(ImportCommandTests.pupil)).joined(separator: "\n").appending("\n")
                    .write(to: file, atomically: true, encoding: .utf8)
                let first = try GapTrackCommandLine.run(["import", "students", file.path, "--provider", "test-school"] + through)
                #expect(first.contains { $0.hasPrefix("students.csv: 6 rows read, 6 inserted, 0 updated, 0 unchanged, 0 rejected (") }, "\(first)")
                let again = try GapTrackCommandLine.run(["import", "students", file.path, "--provider", "test-school"] + through)
                #expect(again.contains { $0.hasPrefix("students.csv: 6 rows read, 0 inserted, 0 updated, 6 unchanged, 0 rejected (") }, "\(again)")

                let report = ["report", "gap", "--provider", "demo-academy", "--cohort", "year-11", "--term", "2024/25-summer", "--format", "json"]
                // A refusal's text quotes a slope at full double precision, whose last digits depend
                // on the order PostgreSQL sums in; every figure is rounded and compared as printed.
                func run(_ arguments: [String]) throws -> [String] {
                    try GapTrackCommandLine.run(arguments).filter { !$0.contains("\"refusal\"") }
                }
                let computed = try run(report + ["--recompute"] + through)
                let cached = try run(report + through)
                let directly = try run(report + ["--recompute"] + direct)
                #expect(computed.count > 100)
                #expect(computed == directly, "lines that differ: \(zip(computed, directly).filter { $0 != $1 }.prefix(5))")
                #expect(cached == computed, "lines that differ: \(zip(cached, computed).filter { $0 != $1 }.prefix(5))")
                // The second report came from the entry the first stored through PgBouncer.
                #expect(try CohortViewsTests.count(connection, "SELECT count(*)::int AS n FROM report_snapshots") >= 1)
            }
        }
    }
}
