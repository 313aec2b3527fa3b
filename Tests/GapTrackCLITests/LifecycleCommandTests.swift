import Foundation
import Postgres
import TestDatabase
import Testing

@Suite("gaptrack import student-records and report lifecycle")
struct LifecycleCommandTests {
    /// Twelve first-year entrants of 2022/23 with HESA names and codes: six in POLAR4 quintile 1
    /// (two left: RSNEND 04 and 07), six in quintile 5 (all continued).
    static let extract = ["HUSID,SURNAME,FNAMES,BIRTHDTE,COURSEID,COMDATE,MODE,YEARPRG,POLAR4,FSM at School,ENDDATE,RSNEND"]
        + (0..<12).map { index in
            let left = index < 2 ? "2023-0\(index + 2)-10,0\(index == 0 ? 4 : 7)" : ","
            return "22000000000\(String(format: "%02d", index)),Surname\(index),Forename\(index),2004-01-15,BSCBIO,2022-09-26,01,1,\(index < 6 ? 1 : 5),\(index % 3 == 0 ? "Y" : "N"),\(left)"
        }

    @Test("a HESA-shaped extract loads with --preset hesa, and the lifecycle report prints the continuation gap")
    func importAndReport() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let database = CommandTests.databaseOption(connection)
            _ = try GapTrackCommandLine.run(["provider", "add", "--code", "test-uni", "--name", "Test University", "--kind", "university",
                                             "--ukprn", "10012345"] + database)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let file = folder.appendingPathComponent("hesa.csv")
            try (Self.extract.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
            let imported = try GapTrackCommandLine.run(["import", "student-records", file.path, "--provider", "test-uni", "--preset", "hesa"] + database)
            #expect(imported.first?.hasPrefix("hesa.csv: 12 rows read, 12 inserted, 0 updated, 0 unchanged, 0 rejected") == true)
            let report = try GapTrackCommandLine.run(["report", "lifecycle", "--provider", "test-uni", "--years", "2022/23",
                                                      "--as-of", "2024-07-31"] + database).joined(separator: "\n")
            // Quintile 1: 4 of 6 continued (66.7%); quintile 5: 6 of 6 (100%); gap 33.3 points.
            #expect(report.contains("66.7%"))
            #expect(report.contains("+33.3 pp"))
            #expect(report.contains("Had free school meals at school"))
            let governors = try GapTrackCommandLine.run(["report", "lifecycle", "--provider", "test-uni", "--as-of", "2024-07-31",
                                                         "--audience", "governors", "--format", "csv"] + database).joined(separator: "\n")
            // Every group is under 10: nothing but c for governors.
            #expect(!governors.contains("66.7") && !governors.contains(",6,"))
            #expect(GapTrackCommandLine.failureMessage(["report", "lifecycle", "--provider", "test-uni", "--years", "2024/25-2021/22"] + database) != nil)
        }
    }
}
