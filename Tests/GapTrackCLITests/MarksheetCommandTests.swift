import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// `gaptrack import assessments --layout wide` (or a mapping file's `[layout]`) with `--fill`, and
/// `--academic-year` only where a file's year cannot be read from its dates
/// (docs/import-formats.md, "Wide files", "The academic year and the admission date").
@Suite("gaptrack import of marksheets", .serialized)
struct MarksheetCommandTests {
    @Test("a marksheet with a column per subject loads through a mapping file, and prints that it counts results")
    func marksheetThroughAMappingFile() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let (database, students) = try ImportCommandTests().prepare(connection, [ImportCommandTests.header] + (1...2).map(ImportCommandTests.pupil))
            _ = try GapTrackCommandLine.run(["import", "students", students.path, "--provider", "test-school"] + database)
            let folder = students.deletingLastPathComponent()
            let marks = folder.appendingPathComponent("marks.csv")
            try ("Adno,Name,Maths,English\n\(ImportCommandTests.upn(1)),Ben Ames,5,6\n\(ImportCommandTests.upn(2)),Cara Bell,,4\n")
                .write(to: marks, atomically: true, encoding: .utf8)
            let mapping = folder.appendingPathComponent("marksheet.txt")
            try "Adno=student\n[layout]\nwide\n[fill]\nassessment=Autumn mock\nscale=gcse\nterm=autumn\n"
                .write(to: mapping, atomically: true, encoding: .utf8)
            let arguments = ["import", "assessments", marks.path, "--provider", "test-school", "--mapping", mapping.path] + database
            // No date: refused before any row (the message is checked in WideMarksheetTests), nothing written.
            #expect(GapTrackCommandLine.failureMessage(arguments) != nil)
            #expect(try ImportCommandTests().storedCount(connection, "assessment_results") == 0)
            let output = try GapTrackCommandLine.run(arguments + ["--fill", "date=2024-11-15"])
            #expect(output.first?.hasPrefix("marks.csv: 2 rows read, 3 inserted, 0 updated, 0 unchanged, 0 rejected") == true, "\(output)")
            #expect(output.contains("2 rows held 3 results: inserted, updated and unchanged count results, rejected counts rows"), "\(output)")
            #expect(output.contains("Columns not used: 'Name'"), "\(output)")
            #expect(try ImportCommandTests().storedCount(connection, "assessment_results") == 3)
            let again = try GapTrackCommandLine.run(arguments + ["--fill", "date=2024-11-15"])
            #expect(again.contains { $0.hasPrefix("marks.csv: 2 rows read, 0 inserted, 0 updated, 3 unchanged") }, "\(again)")
        }
    }

    @Test("--academic-year is refused where every row's date names its year, and --layout wide where no layout is wide")
    func optionsWhereTheyDoNotApply() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let (database, file) = try ImportCommandTests().prepare(connection, [ImportCommandTests.header, ImportCommandTests.pupil(1)])
            for kind in ["markers", "attendance", "support", "calendar", "student-records"] {
                let message = GapTrackCommandLine.failureMessage(["import", kind, file.path, "--provider", "test-school", "--academic-year", "2024/25"] + database)
                #expect(message?.contains("--academic-year is for students and assessments files") == true, "\(kind): \(message ?? "no error")")
            }
            let wide = GapTrackCommandLine.failureMessage(["import", "support", file.path, "--provider", "test-school", "--layout", "wide"] + database)
            #expect(wide?.contains("--layout wide is for markers files (a column per flag) and assessments files (a column per subject)") == true, "\(wide ?? "no error")")
        }
    }
}
