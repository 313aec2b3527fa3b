import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// `--layout wide` markers files: a column per flag, one row per pupil (docs/import-formats.md,
/// "Wide files"), reconciled with marker history like a pupils file's snapshot columns.
@Suite("Wide markers files")
struct WideMarkersTests {
    static func spells(_ connection: PostgresConnection) throws -> [String] {
        try connection.query(
            """
            SELECT s.upn || ' ' || m.marker || coalesce(' ' || m.value, '') || ' ' || m.starts_on || '..' || coalesce(m.ends_on::text, '') AS spell
            FROM student_markers m JOIN students s USING (student_id) ORDER BY 1
            """).rows.map { try $0.decode("spell") }
    }

    @Test func flagColumnsBecomeSpellsAndConfirmTheHistory() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            _ = try importer.load(.students, try writeCSV("students.csv", studentLines(3)))
            // FSM since 10 January 2023, still open: the history the wide file's tick confirms.
            _ = try importer.load(.markers, try writeCSV("markers.csv", ["student,marker,start_date", "\(testUPN(0)),fsm,2023-01-10"]))
            let wide = try writeCSV("flags.csv", [
                "UPN,FSM Eligible,EAL,SEN Status,In Care",
                "\(testUPN(0)),Y,N,N,N",
                "\(testUPN(1)),Y,Y,K,N",
                "\(testUPN(2)),N,N,N,Y",
            ])
            let options = ImportOptions(mapping: ColumnMapping(presets: [.sims]), asOf: try CalendarDate(parsing: "2024-10-01"), layout: .wide)
            let summary = try importer.load(.markers, wide, options: options)
            #expect(summary.rowsRead == 3)
            // Pupil 0: the history's spell only. Pupil 1: FSM, EAL and SEN K from the date to the
            // year's end (31 July 2025). Pupil 2: looked after likewise.
            let spells = try Self.spells(connection)
            #expect(Set(spells) == [
                "\(testUPN(0)) fsm 2023-01-10..",
                "\(testUPN(1)) eal 2024-10-01..2025-07-31",
                "\(testUPN(1)) fsm 2024-10-01..2025-07-31",
                "\(testUPN(1)) sen K 2024-10-01..2025-07-31",
                "\(testUPN(2)) looked_after 2024-10-01..2025-07-31",
            ], "\(spells)")
            let again = try importer.load(.markers, wide, options: options)
            #expect(again.inserted == 0 && again.updated == 0)
            #expect(try Self.spells(connection).count == 5)
        }
    }

    /// A row without a date, an unknown pupil, a flag that is not yes or no: each named by line and
    /// column, and nothing written.
    @Test func badRowsAreNamedAndNothingIsWritten() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            _ = try importer.load(.students, try writeCSV("students.csv", studentLines(2)))
            let before = try databaseFingerprint(connection)
            let wide = try writeCSV("flags.csv", [
                "student,as_of,fsm,looked_after",
                "\(testUPN(0)),,Y,N",
                "\(testUPN(1)),2024-10-01,maybe,N",
                "\(testUPN(7)),2024-10-01,Y,N",
            ])
            let errors = try importer.rejected(.markers, wide, options: ImportOptions(maxErrorsShown: 50, layout: .wide))
            #expect(errors.map(\.line) == [2, 3, 4])
            #expect(errors[0].description == "flags.csv line 2: has no date the flags held: give an as_of column or --as-of DATE")
            #expect(errors[1].description.hasPrefix("flags.csv line 3, column 'fsm': 'maybe' is not yes or no"))
            #expect(errors[2].description.hasPrefix("flags.csv line 4"))
            #expect(errors[2].description.contains(testUPN(7)))
            #expect(try databaseFingerprint(connection) == before)
        }
    }
}

