import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// Marksheets with a column per subject (`--layout wide` for assessments; docs/import-formats.md,
/// "Wide files"): one result per non-empty cell, with the guarantees of every import.
@Suite("Wide marksheets")
struct WideMarksheetTests {
    func prepare(_ connection: PostgresConnection) throws -> Importer {
        try addProvider(connection)
        let importer = Importer(connection: connection)
        _ = try importer.load(.students, try writeCSV("students.csv", studentLines(4)))
        return importer
    }

    static func results(_ connection: PostgresConnection) throws -> [String] {
        try connection.query(
            """
            SELECT s.upn || ' ' || p.subject || ' ' || p.name || ' ' || p.academic_year || ' ' || p.term || ' ' || p.scale || ' ' || r.result_text AS r
            FROM assessment_results r JOIN assessment_points p USING (assessment_point_id) JOIN students s USING (student_id) ORDER BY 1
            """).rows.map { try $0.decode("r") }.sorted()
    }

    /// One assessment point for the whole file, given with --fill; the year inferred from the
    /// date (one year). A blank cell is no result, never zero.
    static let oneMock = ImportOptions(
        mapping: ColumnMapping(presets: [.sims], fills: ["assessment=Autumn mock", "scale=gcse", "term=autumn", "date=2024-11-15"]
            .map { try! ColumnMapping.fill(parsing: $0) }),
        layout: .wide)

    static func oneMockFile() throws -> URL {
        try writeCSV("marks.csv", [
            "UPN,Surname,Forename,Reg Group,Maths,English,Science",
            "\(testUPN(0)),Ames,Ben,7A,5,6,",
            "\(testUPN(1)),Bell,Cara,7A,U,,4",
            "\(testUPN(2)),Cole,Dan,7B,,,",
        ])
    }

    @Test func aColumnPerSubjectLoadsOneResultPerCellAndReimportChangesNothing() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection)
            let file = try Self.oneMockFile()
            let summary = try importer.load(.assessments, file, options: Self.oneMock)
            // 3 rows, 4 non-empty cells: 4 results; pupil 2's blank row holds none.
            #expect(summary.rowsRead == 3)
            #expect((summary.inserted, summary.updated, summary.unchanged, summary.rejected) == (4, 0, 0, 0))
            #expect(summary.notices.first == "3 rows held 4 results: inserted, updated and unchanged count results, rejected counts rows")
            #expect(summary.ignoredColumns == ["Surname", "Forename", "Reg Group"])
            #expect(try Self.results(connection) == [
                "\(testUPN(0)) english Autumn mock 2024/25 autumn gcse 6",
                "\(testUPN(0)) maths Autumn mock 2024/25 autumn gcse 5",
                "\(testUPN(1)) maths Autumn mock 2024/25 autumn gcse U",
                "\(testUPN(1)) science Autumn mock 2024/25 autumn gcse 4",
            ].sorted())
            // The ledger's counts add up: 4 results + 0 rejected rows.
            let ledger = try connection.query("SELECT rows_read, rows_inserted FROM imports WHERE import_id = $1", [summary.importID]).single()
            #expect((try ledger.decode("rows_read") as Int, try ledger.decode("rows_inserted") as Int) == (4, 4))
            let again = try importer.load(.assessments, file, options: Self.oneMock)
            #expect((again.inserted, again.updated, again.unchanged) == (0, 0, 4))
            // A changed cell replaces one result.
            let remarked = try writeCSV("marks.csv", [
                "UPN,Surname,Forename,Reg Group,Maths,English,Science",
                "\(testUPN(0)),Ames,Ben,7A,6,6,",
            ])
            let third = try importer.load(.assessments, remarked, options: Self.oneMock)
            #expect((third.inserted, third.updated, third.unchanged) == (0, 1, 1))
        }
    }

    /// A dry run counts what the import would write and writes nothing; undo removes exactly
    /// what the marksheet inserted.
    @Test func aDryRunWritesNothingAndUndoRemovesTheResults() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection)
            let before = try ImportUndoTests.dataFingerprint(connection)
            var dry = Self.oneMock
            dry.dryRun = true
            let counted = try importer.load(.assessments, try Self.oneMockFile(), options: dry)
            #expect((counted.inserted, counted.updated, counted.unchanged) == (4, 0, 0))
            #expect(try ImportUndoTests.dataFingerprint(connection) == before)
            let loaded = try importer.load(.assessments, try Self.oneMockFile(), options: Self.oneMock)
            #expect(try count(connection, "assessment_results") == 4)
            _ = try ImportUndoTests.undo(connection, loaded.importID)
            #expect(try ImportUndoTests.dataFingerprint(connection) == before)
        }
    }

    /// Headers that carry the point's year and term (`Maths 2024/25 Autumn`); the assessment,
    /// scale and date come from the row's own columns.
    @Test func headersCarryTheAcademicYearAndTerm() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection)
            let file = try writeCSV("marks.csv", [
                "UPN,Assessment,Scale,Date,Maths 2024/25 Autumn,Maths 2024/25 Spring,Reading Summer 2024/25",
                "\(testUPN(0)),Teacher assessment,standardised,2024-12-10,98,101,104",
                "\(testUPN(1)),Teacher assessment,standardised,2024-12-10,87,,90",
            ])
            let summary = try importer.load(.assessments, file, options: ImportOptions(mapping: ColumnMapping(presets: [.sims]), layout: .wide))
            #expect((summary.inserted, summary.rejected) == (5, 0))
            #expect(try Self.results(connection) == [
                "\(testUPN(0)) maths Teacher assessment 2024/25 autumn standardised_score 98",
                "\(testUPN(0)) maths Teacher assessment 2024/25 spring standardised_score 101",
                "\(testUPN(0)) reading Teacher assessment 2024/25 summer standardised_score 104",
                "\(testUPN(1)) maths Teacher assessment 2024/25 autumn standardised_score 87",
                "\(testUPN(1)) reading Teacher assessment 2024/25 summer standardised_score 90",
            ].sorted())
        }
    }

    /// A bad cell names the line, the subject's column and the value; an unknown pupil names the
    /// line; nothing is written. With --skip-invalid the bad line is skipped whole (its good
    /// cells too) and goes to the rejects file as written.
    @Test func badCellsNameLineAndSubjectColumnAndALineIsSkippedWhole() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection)
            let before = try databaseFingerprint(connection)
            let file = try writeCSV("marks.csv", [
                "UPN,Surname,Forename,Reg Group,Maths,English,Science",
                "\(testUPN(0)),Ames,Ben,7A,5,6,",
                "\(testUPN(1)),Bell,Cara,7A,11,7,A*",
                "\(testUPN(9)),Nobody,Known,7B,4,,",
            ])
            var options = Self.oneMock
            options.maxErrorsShown = 50
            let errors = try importer.rejected(.assessments, file, options: options)
            #expect(errors.map(\.line) == [3, 3, 4])
            #expect(errors[0].description.hasPrefix("marks.csv line 3, column 'Maths': '11'"), "\(errors[0])")
            #expect(errors[1].description.hasPrefix("marks.csv line 3, column 'Science': 'A*'"), "\(errors[1])")
            #expect(errors[2].description.hasPrefix("marks.csv line 4"))
            #expect(errors[2].description.contains(testUPN(9)))
            #expect(try databaseFingerprint(connection) == before)

            options.skipInvalid = true
            let summary = try importer.load(.assessments, file, options: options)
            #expect((summary.inserted, summary.rejected) == (2, 2))
            #expect(try Self.results(connection) == [
                "\(testUPN(0)) english Autumn mock 2024/25 autumn gcse 6",
                "\(testUPN(0)) maths Autumn mock 2024/25 autumn gcse 5",
            ])
            let rejects = try String(contentsOf: try #require(summary.rejectsFile), encoding: .utf8)
            #expect(rejects.contains("\(testUPN(1)),Bell,Cara,7A,11,7,A*"))
            #expect(!rejects.contains("\(testUPN(0))"))
        }
    }

    /// A mapping file declares the layout, the filled columns and which columns are subjects.
    @Test func aMappingFileDeclaresTheLayoutAndTheAssessment() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection)
            let mappingFile = try writeCSV("marksheet.txt", [
                "# SIMS marksheet export", "Adno=student", "[layout]", "wide",
                "[fill]", "assessment=KS2 practice", "scale=ks2_scaled", "term=summer", "date=2025-05-12",
            ])
            let mapping = try ColumnMapping.read(fromFile: mappingFile)
            #expect(mapping.layout == .wide)
            let file = try writeCSV("marks.csv", [
                "Adno,Attendance %,Reading,Maths",
                "\(testUPN(0)),96.5,104,99",
                "\(testUPN(1)),88.0,,101",
            ])
            let options = ImportOptions(mapping: ColumnMapping(pairs: mapping.pairs, fills: mapping.fills), layout: mapping.layout!,
                                        subjectColumns: ["Reading", "Maths"])
            let summary = try importer.load(.assessments, file, options: options)
            #expect(summary.inserted == 3)
            #expect(summary.ignoredColumns == ["Attendance %"])
            #expect(try Self.results(connection).count == 3)
        }
    }

    /// Header problems stop the import before any row: two columns for one subject and point, a
    /// header of only a year and term, a file with no subject column.
    @Test func headerProblemsAreNamed() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection)
            func failure(_ header: String) throws -> String {
                let file = try writeCSV("marks.csv", [header, "\(testUPN(0))" + String(repeating: ",5", count: header.split(separator: ",").count - 1)])
                do {
                    _ = try importer.load(.assessments, file, options: Self.oneMock)
                } catch let error as ImportError {
                    return error.description
                }
                throw TestFailure("\(header) loaded")
            }
            #expect(try failure("UPN,Maths,MATHS") == "marks.csv line 1, column 'MATHS': names the same subject as the column 'Maths'; a marksheet has one column per subject and point; nothing was imported.")
            #expect(try failure("UPN,Maths,2024/25 Autumn").hasPrefix("marks.csv line 1, column '2024/25 Autumn': names no subject"))
            #expect(try failure("UPN,Surname").contains("the file has no subject columns"))
            // `Maths` takes the row's term, so on an autumn row it is the same point as `Maths Autumn`.
            let twice = try importer.rejected(.assessments, try writeCSV("marks.csv", ["UPN,Maths,Maths Autumn", "\(testUPN(0)),5,6"]),
                                              options: Self.oneMock)
            #expect(twice.map(\.description) == ["marks.csv line 2, column 'Maths Autumn': gives a second result for the assessment the column 'Maths' gives on this row; "
                + "name the year or term in the headers so that each column is one assessment"])
            // A point without a date anywhere is said once, with how to give one.
            let undated = try writeCSV("marks.csv", ["UPN,Maths", "\(testUPN(0)),5"])
            var options = Self.oneMock
            options.mapping.fills.removeAll { $0.ours == "date" }
            do {
                _ = try importer.load(.assessments, undated, options: options)
                Issue.record("a marksheet without a date loaded")
            } catch let error as ImportError {
                #expect(error.description == "marks.csv has no 'date' column, which a marksheet's results need: give the column, or one value for the whole file with --fill date=2024-11-15; nothing was imported")
            }
        }
    }
}
