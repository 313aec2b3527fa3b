import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// Undo reaches the tables later numbered files added for imports (sql/016_journal_later_tables.sql):
/// without their journal triggers an undo would leave a calendar's periods behind.
@Suite("Undoing imports into tables added after the journal")
struct ImportUndoLaterTablesTests {
    @Test("undoing a calendar import removes its periods and gives back the periods it changed")
    func calendarImportUndone() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            let first = try importer.load(.calendar, try writeCSV("calendar.csv", [
                "date_from,date_to,kind,description",
                "2024-09-02,2024-12-20,term,Autumn term",
                "2024-10-28,2024-11-01,holiday,Half term",
            ]))
            #expect(first.inserted == 2)
            let afterFirst = try ImportUndoTests.dataFingerprint(connection)
            // The second file renames a period the first made and adds a closure.
            let second = try importer.load(.calendar, try writeCSV("calendar-2.csv", [
                "date_from,date_to,kind,description",
                "2024-10-28,2024-11-01,holiday,October half term",
                "2024-09-20,2024-09-20,closure,Polling station",
            ]))
            #expect(second.inserted == 1 && second.updated == 1)

            let summary = try ImportUndoTests.undo(connection, second.importID)
            #expect(summary.deleted["school_calendar"] == 1 && summary.restored["school_calendar"] == 1)
            #expect(try ImportUndoTests.dataFingerprint(connection) == afterFirst)
            let description: String = try connection.query(
                "SELECT description FROM school_calendar WHERE kind = 'holiday' AND date_from = '2024-10-28'").single().decode("description")
            #expect(description == "Half term")
        }
    }

    @Test("every table an import may write carries the journal's triggers")
    func everyImportWrittenTableIsJournalled() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let missing: [String] = try connection.query(
                """
                SELECT t FROM unnest(ARRAY['students', 'enrolments', 'student_markers', 'school_calendar', 'he_courses', 'he_instances',
                                           'he_instance_years']) AS t
                WHERE NOT EXISTS (SELECT FROM pg_trigger g WHERE g.tgrelid = t::regclass AND g.tgname = 'gaptrack_import_changes_insert')
                ORDER BY 1
                """).rows.map { try $0.decode("t") }
            #expect(missing == [])
        }
    }
}
