import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// An assessments file without an academic_year column takes the pupils file's rule
/// (`FileAcademicYear`): `--academic-year`, else the year its dates name, else a refusal naming
/// the option; and the student-record extract's text fields get the import's own limit errors
/// (docs/import-formats.md, "The academic year and the admission date", "Text limits").
@Suite("Academic year of assessments files; student-record text limits")
struct ImportYearAndLimitTests {
    static let header = "Student,Subject,Assessment,Scale,Term,Date,Result"

    func prepare(_ connection: PostgresConnection) throws -> Importer {
        try WideMarksheetTests().prepare(connection)
    }

    static func years(_ connection: PostgresConnection) throws -> [String] {
        try connection.query("SELECT academic_year || ' ' || name AS y FROM assessment_points ORDER BY 1").rows.map { try $0.decode("y") }
    }

    @Test func anAssessmentsFileWithoutAYearTakesTheOneItsDatesName() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection)
            let file = try writeCSV("assessments.csv", [Self.header,
                "\(testUPN(0)),maths,Mock,gcse,autumn,2024-11-20,5",
                "\(testUPN(1)),maths,Mock,gcse,autumn,2024-11-20,6"])
            let summary = try importer.load(.assessments, file)
            #expect(summary.inserted == 2)
            #expect(try Self.years(connection) == ["2024/25 Mock"])
        }
    }

    @Test func datesInTwoYearsAreRefusedNamingTheOptionAndTheOptionSettlesIt() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection)
            // 20 July 2025 is in 2024/25, 2 September 2025 in 2025/26.
            let file = try writeCSV("assessments.csv", [Self.header,
                "\(testUPN(0)),maths,Summer test,percentage,summer,2025-07-20,55",
                "\(testUPN(1)),maths,Baseline,percentage,autumn,2025-09-02,61"])
            var message = ""
            do { _ = try importer.load(.assessments, file) } catch let error as ImportError { message = error.description }
            #expect(message == "assessments.csv does not say which academic year it is for: it has no academic_year column (MIS exports have none), "
                + "and its 'Date' dates fall in 2 academic years (2024/25 to 2025/26). "
                + "Give the year with --academic-year, e.g. --academic-year 2024/25; nothing was imported.")
            #expect(try count(connection, "assessment_results") == 0)
            // Given the year, the row dated outside it is named by line and column.
            let errors = try importer.rejected(.assessments, file, options: ImportOptions(maxErrorsShown: 10, academicYear: try AcademicYear(parsing: "2024/25")))
            #expect(errors.map(\.description) == ["assessments.csv line 3, column 'Date': '2025-09-02' is not in academic year 2024/25 (01/08/2024 to 31/07/2025)"])
            // A row's own academic_year still wins over the option.
            let withYears = try writeCSV("assessments.csv", ["Student,Subject,Assessment,Scale,Academic Year,Term,Date,Result",
                "\(testUPN(0)),maths,Summer test,percentage,,summer,2025-07-20,55",
                "\(testUPN(1)),maths,Baseline,percentage,2025/26,autumn,2025-09-02,61"])
            _ = try importer.load(.assessments, withYears, options: ImportOptions(academicYear: try AcademicYear(parsing: "2024/25")))
            #expect(try Self.years(connection) == ["2024/25 Summer test", "2025/26 Baseline"])
        }
    }

    /// A 51-character student number (the limit is 50, as for `student`) got the database's raw
    /// CHECK error before; now the import names the file, line and column and quotes a prefix.
    @Test func aStudentNumberOverItsLimitIsTheImportsOwnError() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection, code: "test-uni", kind: .university)
            let before = try databaseFingerprint(connection)
            let long = String(repeating: "S", count: 51)
            // "é" written as e + U+0301: 2 scalars, so 150 of them are 300 scalars, over 200.
            let surname = String(repeating: "e\u{301}", count: 150)
            let file = try writeCSV("extract.csv", [
                "OWNSTU,SURNAME,FNAMES,BIRTHDTE,COURSEID,CTITLE,COMDATE,MODE,YEARPRG,QUALENT3",
                "\(long),Okafor,Ada,2003-03-02,BSCBIO,Biology,2022-09-26,01,1,P50",
                "S1002,\(surname),Tom,2003-11-20,\(String(repeating: "C", count: 61)),Biology,2022-09-26,01,1,P50ABCDEFGH",
            ])
            let errors = try Importer(connection: connection).rejected(.studentRecords, file, provider: "test-uni",
                                                                       options: ImportOptions(mapping: ColumnMapping(presets: [.hesa]), maxErrorsShown: 20))
            #expect(errors.map(\.description) == [
                "extract.csv line 2, column 'OWNSTU': is 51 characters long ('\(String(repeating: "S", count: 40))…'); at most 50 are accepted",
                "extract.csv line 3, column 'SURNAME': is 300 characters long ('\(String(repeating: "e\u{301}", count: 20))…'); at most 200 are accepted",
                "extract.csv line 3, column 'COURSEID': is 61 characters long ('\(String(repeating: "C", count: 40))…'); at most 60 are accepted",
                "extract.csv line 3, column 'QUALENT3': is 11 characters long ('P50ABCDEFGH'); at most 10 are accepted",
            ], "\(errors)")
            #expect(try databaseFingerprint(connection) == before)
        }
    }
}
