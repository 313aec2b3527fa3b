import Foundation
import GapTrackStore
import Postgres
import TestDatabase
import Testing

@Suite("Importing markers.csv")
struct MarkersImportTests {
    /// A provider with 5 students (serials 0-4).
    func prepare(_ connection: PostgresConnection) throws -> Importer {
        try addProvider(connection)
        let importer = Importer(connection: connection)
        _ = try importer.load(.students, try writeCSV("students.csv", studentLines(5)))
        return importer
    }

    func spells(_ connection: PostgresConnection) throws -> [String] {
        try connection.query(
            """
            SELECT s.upn || ' ' || m.marker || coalesce(':' || m.value, '') || ' ' || m.starts_on || '..' || coalesce(m.ends_on::text, 'open') AS spell
            FROM student_markers m JOIN students s USING (student_id) ORDER BY 1
            """).rows.map { try $0.decode("spell") }
    }

    @Test func loadsSpellsAndReimportChangesNothingAndAnEndDateUpdates() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection)
            let lines = [
                "student,marker,value,start_date,end_date",
                "\(testUPN(0)),fsm,,2019-09-01,2021-03-31",
                "\(testUPN(0)),fsm,,2022-01-10,",
                "\(testUPN(1)),SEN,EHCP,2023-09-01,",
                "\(testUPN(1)),eal,B,2020-09-01,",
                "\(testUPN(2)),Pupil Premium,eligible,2024-04-01,2025-03-31",
                "\(testUPN(2)),pupil_premium,funded,2024-04-01,2025-03-31",
                "\(testUPN(3)),smc_parental_occupation,Technical and craft occupations,2024-09-01,",
                "\(testUPN(4)),LAC,,01/04/2024,",
            ]
            let first = try importer.load(.markers, try writeCSV("markers.csv", lines))
            #expect((first.inserted, first.updated, first.unchanged) == (8, 0, 0))
            #expect(try spells(connection).contains("\(testUPN(1)) sen:E 2023-09-01..open"))
            #expect(try spells(connection).contains("\(testUPN(3)) smc_parental_occupation:technical_and_craft 2024-09-01..open"))
            #expect(try spells(connection).contains("\(testUPN(4)) looked_after 2024-04-01..open"))
            let again = try importer.load(.markers, try writeCSV("markers.csv", lines))
            #expect((again.inserted, again.updated, again.unchanged) == (0, 0, 8))
            // The open FSM spell ends: the row with the same start date updates it.
            var ended = lines
            ended[2] = "\(testUPN(0)),fsm,,2022-01-10,2024-07-31"
            let third = try importer.load(.markers, try writeCSV("markers.csv", ended))
            #expect((third.inserted, third.updated, third.unchanged) == (0, 1, 7))
            #expect(try spells(connection).contains("\(testUPN(0)) fsm 2022-01-10..2024-07-31"))
        }
    }

    @Test func anOverlappingFSMSpellIsAnErrorNamingTheOtherSpell() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection)
            _ = try importer.load(.markers, try writeCSV("markers.csv", [
                "student,marker,value,start_date,end_date", "\(testUPN(0)),fsm,,2020-01-01,2020-12-31"]))
            let before = try databaseFingerprint(connection)
            let errors = try importer.rejected(.markers, try writeCSV("markers.csv", [
                "student,marker,value,start_date,end_date",
                "\(testUPN(0)),fsm,,2020-06-01,2021-06-30",     // overlaps the spell held
                "\(testUPN(1)),fsm,,2021-01-01,2021-12-31",
                "\(testUPN(1)),fsm,,2021-12-31,",               // overlaps line 3 by one day
                "\(testUPN(2)),fsm,,2021-01-01,2021-12-31",
                "\(testUPN(2)),fsm,,2022-01-01,",               // touches, does not overlap
            ]))
            #expect(try databaseFingerprint(connection) == before)
            #expect(errors.map(\.line) == [2, 4])
            #expect(errors[0].description == "markers.csv line 2: its fsm spell overlaps the spell already held from 01/01/2020 to 31/12/2020; spells must not overlap, so give the held spell its end date (a row with its start date) or correct these dates")
            #expect(errors[1].message == "its fsm spell overlaps the spell on line 3; spells of the same marker for a student must not overlap")
            // Shortening the held spell and adding the next one in the same file is fine.
            let fixed = try importer.load(.markers, try writeCSV("markers.csv", [
                "student,marker,value,start_date,end_date",
                "\(testUPN(0)),fsm,,2020-01-01,2020-05-31",
                "\(testUPN(0)),fsm,,2020-06-01,2021-06-30",
            ]))
            #expect((fixed.inserted, fixed.updated) == (1, 1))
        }
    }

    @Test func valuesAreCheckedForEachMarker() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection)
            let errors = try importer.rejected(.markers, try writeCSV("markers.csv", [
                "student,marker,value,start_date,end_date",
                "\(testUPN(0)),sen,N,2020-01-01,",
                "\(testUPN(0)),imd_quintile,6,2020-01-01,",
                "\(testUPN(0)),polar4_quintile,,2020-01-01,",
                "\(testUPN(0)),smc_parental_occupation,astronaut,2020-01-01,",
                "\(testUPN(0)),pupil_premium,maybe,2020-01-01,",
                "\(testUPN(0)),young_carer,no,2020-01-01,",
                "\(testUPN(0)),free lunch,,2020-01-01,",
                "\(testUPN(0)),eal,Z,2020-01-01,",
                "\(testUPN(0)),fsm,,2020-01-01,2019-12-31",
                "\(upnWithWrongCheckLetter(0)),fsm,,2020-01-01,",
                "\(testUPN(99)),fsm,,2020-01-01,",
                "\(testUPN(0)),fsm,,2021-01-01,",
                "\(testUPN(0)),fsm,,2021-01-01,2021-02-01",
            ]))
            func message(_ line: Int) -> String { errors.first { $0.line == line }?.description ?? "no error on line \(line)" }
            #expect(message(2).contains("column 'value': 'N' means no SEN"))
            #expect(message(3).contains("IMD quintile '6' is not valid"))
            #expect(message(4).contains("column 'value': is empty; a POLAR4 quintile marker needs"))
            #expect(message(5).contains("'astronaut' is not a recognised answer to the Social Mobility Commission"))
            #expect(message(6).contains("'maybe' is not a pupil premium value"))
            #expect(message(7).contains("'no' is not used for the young_carer marker"))
            #expect(message(8).contains("column 'marker': 'free lunch' is not a marker"))
            #expect(message(9).contains("'Z' is not an EAL proficiency band"))
            #expect(message(10).contains("column 'end_date': '2019-12-31' is before the start date 01/01/2020"))
            #expect(message(11).contains("has a wrong check letter"))
            #expect(message(12).contains("'\(testUPN(99))' is not a student of this provider"))
            #expect(message(14).contains("repeats the fsm spell starting 01/01/2021"))
            #expect(Set(errors.map(\.line)) == Set(2...14).subtracting([13]))
        }
    }
}
