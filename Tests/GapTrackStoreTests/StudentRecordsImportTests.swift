import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// A student-record extract shaped as a HESA return extract: HESA field names as its header,
/// HESA codes as its values, no academic-year column, one row per student per year.
let hesaExtract = [
    "HUSID,OWNSTU,SURNAME,FNAMES,BIRTHDTE,SEXID,ETHNIC,COURSEID,CTITLE,COMDATE,MODE,YEARPRG,QUALENT3,TOTALTARIFF,POLAR4,IMD Quintile,TUNDRA,CARELEAVER,ESTRANGED,PARED,FSM at School,DISABLE,ENDDATE,RSNEND,CLASS",
    // Continues into year 2, then qualifies with a 2:1.
    "2211234567890,S1001,Okafor,Ada,2003-03-02,10,22,BSCBIO,Biology,2022-09-26,01,1,P50,112,1,1,1,02,02,02,Y,00,,,",
    "2211234567890,S1001,Okafor,Ada,2003-03-02,10,22,BSCBIO,Biology,2022-09-26,01,2,,,,,,,,,,,,,",
    "2211234567890,S1001,Okafor,Ada,2003-03-02,10,22,BSCBIO,Biology,2022-09-26,01,3,,,,,,,,,,,2025-06-30,01,02",
    // Leaves in the first year for health reasons (RSNEND 04).
    "2211234567891,S1002,Barnes,Tom,2003-11-20,11,10,BSCBIO,Biology,2022-09-26,01,1,P50,96,5,5,5,01,01,01,N,51,2023-02-10,04,",
    // A mature part-time student, still studying.
    "2211234567892,S1003,Iqbal,Sara,1990-05-01,10,32,BAHIST,History,2023-09-25,31,1,X06,,3,2,,,,,,00,,,",
]

@Suite("Importing a student-record extract")
struct StudentRecordsImportTests {
    static let options = ImportOptions(mapping: ColumnMapping(presets: [.hesa]), maxErrorsShown: 100)

    @Test func aHESAShapedExtractLoadsWithoutEditing() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection, code: "test-uni", kind: .university)
            let url = try writeCSV("hesa-extract.csv", hesaExtract)
            let importer = Importer(connection: connection)
            let summary = try importer.load(.studentRecords, url, provider: "test-uni", options: Self.options)
            #expect(summary.rowsRead == 5)
            #expect(summary.inserted == 5)
            #expect(summary.ignoredColumns == [])
            #expect(try count(connection, "students") == 3)
            #expect(try count(connection, "he_courses") == 2)
            #expect(try count(connection, "he_instances") == 3)
            #expect(try count(connection, "he_instance_years") == 5)

            let instances = try connection.query(
                """
                SELECT s.hesa_id, h.mode::text, h.tariff_points, h.polar4_quintile, h.care_leaver, h.first_in_family,
                       h.fsm_at_school, h.disabled, h.leaving_reason_code, h.leaving_code_list, h.leaving_outcome::text,
                       h.classification::text
                FROM he_instances h JOIN students s USING (student_id) ORDER BY s.hesa_id
                """).rows
            // Entry fields come from the first year's row, leaving fields from the last.
            #expect(try instances[0].decode("tariff_points") as Int? == 112)
            #expect(try instances[0].decode("leaving_outcome") as String? == "qualified")
            #expect(try instances[0].decode("classification") as String? == "upper_second")
            // PARED 02 (no parent with a higher-education qualification): first in family.
            #expect(try instances[0].decode("first_in_family") as Bool? == true)
            #expect(try instances[0].decode("care_leaver") as Bool? == false)
            #expect(try instances[0].decode("fsm_at_school") as Bool? == true)
            // RSNEND 04 is "Health reasons" in HESA's list: the student left without completing.
            #expect(try instances[1].decode("leaving_reason_code") as String? == "04")
            #expect(try instances[1].decode("leaving_code_list") as String? == "RSNEND")
            #expect(try instances[1].decode("leaving_outcome") as String? == "left")
            #expect(try instances[1].decode("disabled") as Bool? == true)
            #expect(try instances[2].decode("mode") as String == "part_time")
            #expect(try instances[2].decode("leaving_outcome") as String? == nil)

            // Years without an academic-year column: entry year plus year of programme.
            let years = try connection.query(
                "SELECT academic_year, year_of_programme FROM he_instance_years y JOIN students s USING (student_id) WHERE s.hesa_id = '2211234567890' ORDER BY 1").rows
            #expect(try years.map { try $0.decode("academic_year") as String } == ["2022/23", "2023/24", "2024/25"])

            let again = try importer.load(.studentRecords, url, provider: "test-uni", options: Self.options)
            #expect(again.inserted == 0 && again.updated == 0 && again.unchanged == 5)
            #expect(try count(connection, "students") == 3)
        }
    }

    @Test func theLifecycleMeasuresFollowTheOfSDates() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let provider = try addProvider(connection, code: "test-uni", kind: .university)
            _ = try Importer(connection: connection).load(.studentRecords, try writeCSV("hesa-extract.csv", hesaExtract),
                                                          provider: "test-uni", options: Self.options)
            let rows = try connection.query(
                """
                SELECT s.hesa_id, l.entry_year, l.mature, l.continued, l.completed, l.good_honours
                FROM lifecycle_students($1, $2::date) l JOIN students s USING (student_id) ORDER BY s.hesa_id
                """, [provider.id!, "2024-10-12"]).rows
            // Ada: commenced 2022-09-26, still studying on 2023-10-11 (one year and 15 days later).
            #expect(try rows[0].decode("continued") as Bool? == true)
            // Completion is measured on 2026-10-11, after the as-of date: not yet known.
            #expect(try rows[0].decode("completed") as Bool? == nil)
            #expect(try rows[0].decode("good_honours") as Bool? == true)
            #expect(try rows[0].decode("entry_year") as String == "2022/23")
            // Tom left on 2023-02-10 with RSNEND 04, before 2023-10-11.
            #expect(try rows[1].decode("continued") as Bool? == false)
            #expect(try rows[1].decode("mature") as Bool == false)
            // Sara: part-time from 2023-09-25, measured two years and 15 days later (2025-10-10), after the as-of date.
            #expect(try rows[2].decode("continued") as Bool? == nil)
            #expect(try rows[2].decode("mature") as Bool == true)
        }
    }

    @Test func aDataFuturesReasonOutsideItsListIsRefusedByLineColumnAndValue() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection, code: "test-uni", kind: .university)
            let url = try writeCSV("datafutures.csv", [
                "HUSID,SURNAME,FNAMES,BIRTHDTE,COURSEID,COMDATE,SCSMODE,YEARPRG,ENGENDDATE,RSNENGEND",
                "2211234567890,Okafor,Ada,2003-03-02,BSCBIO,2022-09-26,01,1,2023-02-10,04",
                "2211234567891,Barnes,Tom,2003-11-20,BSCBIO,2022-09-26,64,1,,",
            ])
            let errors = try Importer(connection: connection).rejected(.studentRecords, url, provider: "test-uni", options: Self.options)
            #expect(errors.count == 2)
            #expect(errors[0].fileName == "datafutures.csv" && errors[0].line == 2 && errors[0].column == "RSNENGEND")
            #expect(errors[0].message.contains("'04' is not a RSNENGEND code"))
            #expect(errors[1].line == 3 && errors[1].column == "SCSMODE" && errors[1].message.contains("'64'"))
            // All or nothing: nothing was written.
            #expect(try count(connection, "students") == 0)
            #expect(try count(connection, "he_instances") == 0)
            #expect(try count(connection, "imports") == 0)
        }
    }
}
