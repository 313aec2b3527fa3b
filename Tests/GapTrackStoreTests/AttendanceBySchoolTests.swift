import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// Attendance partitioned by school within term (sql/functions/attendance_term_tables.sql,
/// sql/031_attendance_by_school.sql): every school's first marks of a term are bulk-loaded into a
/// table of its own, whatever other schools hold in the term; later weeks merge into that table;
/// undo of one school's import leaves the other's marks as they were; and the partitions an
/// import wrote are analysed before it commits.
@Suite("Attendance by school within term")
struct AttendanceBySchoolTests {
    static let oak = "oak-school"
    static let elm = "elm-school"

    /// Two schools with four pupils each (serials 0-3 at oak, 100-103 at elm).
    func prepare(_ connection: PostgresConnection) throws -> (importer: Importer, oak: Int, elm: Int) {
        let oak = try #require(try addProvider(connection, code: Self.oak).id)
        let elm = try #require(try addProvider(connection, code: Self.elm).id)
        let importer = Importer(connection: connection)
        _ = try importer.load(.students, try writeCSV("students.csv", studentLines(4)), provider: Self.oak)
        _ = try importer.load(.students, try writeCSV("students.csv", studentLines(4, first: 100)), provider: Self.elm)
        return (importer, oak, elm)
    }

    /// attendance.csv for pupils `serials`, AM present and PM present, on `days` consecutive
    /// weekdays from `first` (all in the autumn term of 2024/25, before the Christmas break).
    func marks(_ serials: Range<Int>, from first: String, days: Int) -> [String] {
        var date = try! CalendarDate(parsing: first)
        var lines = ["student,date,session,code"]
        var day = 0
        while day < days {
            if date.isoWeekday <= 5 {
                for serial in serials {
                    lines.append("\(testUPN(serial)),\(date.isoString),AM,/")
                    lines.append("\(testUPN(serial)),\(date.isoString),PM,\\")
                }
                day += 1
            }
            date = date.adding(days: 1)
        }
        return lines
    }

    /// Each partition that holds marks, with its parent and how many: the path the marks took.
    func layout(_ connection: PostgresConnection) throws -> [String] {
        try connection.query(
            """
            SELECT m.tableoid::regclass::text || ' in ' || i.inhparent::regclass::text || '=' || count(*) AS p
            FROM attendance_marks m JOIN pg_inherits i ON i.inhrelid = m.tableoid
            GROUP BY m.tableoid, i.inhparent
            """).rows.map { try $0.decode("p") }.sorted()
    }

    /// One school's marks, as text.
    func marksOf(_ connection: PostgresConnection, provider: Int) throws -> [String] {
        try connection.query(
            """
            SELECT student_id || ' ' || session_date || ' ' || session || ' ' || code AS m FROM attendance_marks
            WHERE provider_id = $1 ORDER BY student_id, session_date, session
            """, [provider]).rows.map { try $0.decode("m") }
    }

    func bulkLoaded(_ summary: ImportSummary) -> Bool {
        summary.phases.contains { $0.name.hasSuffix("copy \(summary.inserted) marks") }
            && !summary.phases.contains { $0.name == "merge into terms with marks" }
    }

    @Test("a second school's first marks of a term are bulk-loaded into a table of its own, as the first school's were; undo of either leaves the other's marks untouched")
    func everySchoolGetsTheBulkLoad() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let (importer, oak, elm) = try prepare(connection)
            let oakImport = try importer.load(.attendance, try writeCSV("attendance.csv", marks(0..<4, from: "2024-09-09", days: 5)), provider: Self.oak)
            let elmImport = try importer.load(.attendance, try writeCSV("attendance.csv", marks(100..<104, from: "2024-09-09", days: 5)), provider: Self.elm)
            // 4 pupils × 5 days × 2 sessions each; the second school took the same path as the first.
            #expect((oakImport.inserted, elmImport.inserted) == (40, 40))
            #expect(bulkLoaded(oakImport), "\(oakImport.phases.map(\.name))")
            #expect(bulkLoaded(elmImport), "\(elmImport.phases.map(\.name))")
            #expect(try layout(connection) == [
                "attendance_marks_2024_25_autumn_p\(elm) in attendance_marks_2024_25_autumn=40",
                "attendance_marks_2024_25_autumn_p\(oak) in attendance_marks_2024_25_autumn=40",
            ].sorted())

            // A later week at elm merges into elm's own table only.
            let elmWeek1 = try marksOf(connection, provider: elm)
            let elmWeek2 = try importer.load(.attendance, try writeCSV("attendance.csv", marks(100..<104, from: "2024-09-16", days: 5)), provider: Self.elm)
            #expect((elmWeek2.inserted, elmWeek2.updated) == (40, 0))
            #expect(elmWeek2.phases.contains { $0.name == "merge into terms with marks" })
            #expect(try layout(connection) == [
                "attendance_marks_2024_25_autumn_p\(elm) in attendance_marks_2024_25_autumn=80",
                "attendance_marks_2024_25_autumn_p\(oak) in attendance_marks_2024_25_autumn=40",
            ].sorted())

            // Undo oak's import: elm's marks stay exactly as they were, oak's are gone.
            let elmBefore = try marksOf(connection, provider: elm)
            let oakUndo = try ImportUndo(connection: connection).undo(importID: oakImport.importID, provider: try ProviderCode(parsing: Self.oak))
            #expect(oakUndo.deleted["attendance_marks"] == 40)
            #expect(try marksOf(connection, provider: oak).isEmpty)
            #expect(try marksOf(connection, provider: elm) == elmBefore)

            // Undo elm's first import: its second week stays; oak stays empty.
            _ = try ImportUndo(connection: connection).undo(importID: elmImport.importID, provider: try ProviderCode(parsing: Self.elm))
            #expect(try marksOf(connection, provider: elm) == elmBefore.filter { !elmWeek1.contains($0) })
            #expect(try marksOf(connection, provider: elm).count == 40)
            #expect(try marksOf(connection, provider: oak).isEmpty)
        }
    }

    @Test("the partitions an import wrote are analysed before it commits: after a bulk load and after a merge")
    func statisticsAfterALoad() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let (importer, _, elm) = try prepare(connection)
            _ = try importer.load(.attendance, try writeCSV("attendance.csv", marks(100..<104, from: "2024-09-09", days: 5)), provider: Self.elm)
            let table = "attendance_marks_2024_25_autumn_p\(elm)"
            func statistics() throws -> (columns: Int, rows: Double) {
                let columns: Int = try connection.query("SELECT count(*) AS n FROM pg_stats WHERE tablename = $1", [table]).single().decode("n")
                let rows: Double = try connection.query("SELECT reltuples::float8 AS n FROM pg_class WHERE relname = $1", [table]).single().decode("n")
                return (columns, rows)
            }
            // ANALYZE writes one pg_statistic row per column (five); building the key alone writes none.
            #expect(try statistics() == (5, 40))
            // A merge's INSERT does not move reltuples; only ANALYZE counts the new week's rows.
            _ = try importer.load(.attendance, try writeCSV("attendance.csv", marks(100..<104, from: "2024-09-16", days: 5)), provider: Self.elm)
            #expect(try statistics() == (5, 80))
        }
    }

    @Test("marks the service wrote for a school first keep that school on the merge path, into the term's default, while another school still gets its own table")
    func marksWrittenOutsideAnImportMerge() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let (importer, oak, elm) = try prepare(connection)
            _ = try importer.load(.attendance, try writeCSV("attendance.csv", marks(0..<4, from: "2024-09-09", days: 1)), provider: Self.oak)
            let pupil: Int = try connection.query("SELECT student_id FROM students WHERE upn = $1", [testUPN(100)]).single().decode("student_id")
            let day = try CalendarDate(parsing: "2024-09-09")
            let mark = AttendanceMarks.Mark(studentID: pupil, date: day, session: .am, code: try AttendanceCode.parse("N", on: day))
            _ = try AttendanceMarks(connection: connection, providerID: elm).record([mark])
            let summary = try importer.load(.attendance, try writeCSV("attendance.csv", marks(100..<104, from: "2024-09-09", days: 1)), provider: Self.elm)
            // 7 new marks and the service's N replaced by /.
            #expect((summary.inserted, summary.updated) == (7, 1))
            #expect(!bulkLoaded(summary))
            #expect(try layout(connection) == [
                "attendance_marks_2024_25_autumn_default in attendance_marks_2024_25_autumn=8",
                "attendance_marks_2024_25_autumn_p\(oak) in attendance_marks_2024_25_autumn=8",
            ].sorted())
        }
    }
}
