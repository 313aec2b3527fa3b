import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// `gaptrack import students` with an MIS export as it comes: --preset, --academic-year and
/// --map-values from the command line (docs/import-formats.md).
@Suite("gaptrack import of MIS exports", .serialized)
struct MISImportCommandTests {
    @Test("--academic-year and --map-values load a SIMS export without editing it")
    func academicYearAndValueMaps() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let lines = ["UPN,Surname,Forename,Date of Birth,Year Group,Admission Date,SEN Provisions",
                         "\(ImportCommandTests.upn(1)),Ames,Ben,2009-02-01,11,2020-09-01,K - SEN Support",
                         "\(ImportCommandTests.upn(2)),Cole,Dee,2013-02-01,7,2024-09-04,N - No Special Educational Need"]
            let (database, file) = try ImportCommandTests().prepare(connection, lines)
            let arguments = ["import", "students", file.path, "--provider", "test-school", "--preset", "sims"] + database
            // Without the year: refused, nothing written.
            #expect(throws: (any Error).self) { try GapTrackCommandLine.run(arguments) }
            #expect(try ImportCommandTests().storedCount(connection, "students") == 0)
            let message = GapTrackCommandLine.failureMessage(arguments + ["--academic-year", "2024/26"])
            #expect(message?.contains("--academic-year") == true, "\(message ?? "no error")")
            let output = try GapTrackCommandLine.run(arguments + ["--academic-year", "2024/25",
                "--map-values", "SEN Provisions:K - SEN Support=K,N - No Special Educational Need=N"])
            #expect(output.first?.hasPrefix("students.csv: 2 rows read, 2 inserted") == true, "\(output)")
            let stored = try connection.query(
                "SELECT e.start_date::text AS start, s.admission_date::text AS admission FROM students s JOIN enrolments e USING (student_id) ORDER BY s.upn").rows
            #expect(try stored.map { "\(try $0.decode("start") as String) \(try $0.decode("admission") as String)" }
                    == ["2024-08-01 2020-09-01", "2024-09-04 2024-09-04"])
            #expect(try connection.query("SELECT count(*) AS n FROM student_markers WHERE marker = 'sen'").single().decode("n") == 1)
            // The wide layout is for markers files only, and says so.
            let wide = GapTrackCommandLine.failureMessage(arguments + ["--academic-year", "2024/25", "--layout", "wide"])
            #expect(wide?.contains("--layout wide is for markers files") == true, "\(wide ?? "no error")")
        }
    }
}
