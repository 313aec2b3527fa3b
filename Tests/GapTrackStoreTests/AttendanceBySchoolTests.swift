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
            && !merged(summary)
    }

    func merged(_ summary: ImportSummary) -> Bool {
        summary.phases.contains { $0.name.hasPrefix("merge") }
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
            #expect(merged(elmWeek2))
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

    /// The journal entries of an import: (action, pupil's student id, marks) for entries by range,
    /// (action, pupil's student id, 1) for entries mark by mark.
    func journal(_ connection: PostgresConnection, importID: Int) throws -> [String] {
        try connection.query(
            """
            SELECT action || ' ' || (row_key ->> 'student_id') || ' ' || coalesce(after ->> 'marks', '1') AS e
            FROM import_changes WHERE import_id = $1 AND table_name = 'attendance_marks'
            """, [importID]).rows.map { try $0.decode("e") }.sorted()
    }

    func studentID(_ connection: PostgresConnection, serial: Int) throws -> Int {
        try connection.query("SELECT student_id FROM students WHERE upn = $1", [testUPN(serial)]).single().decode("student_id")
    }

    @Test("a later week merged into a school's partition goes in by range per pupil: the rows expected, the audit, the report cache and the journal; the same file again changes nothing; undo takes exactly that week away")
    func aLaterWeekMergesByRange() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let (importer, oak, elm) = try prepare(connection)
            _ = try importer.load(.attendance, try writeCSV("attendance.csv", marks(100..<104, from: "2024-09-09", days: 5)), provider: Self.elm)
            let week1 = marks(0..<4, from: "2024-09-09", days: 5)
            let week2 = marks(0..<4, from: "2024-09-16", days: 5)
            _ = try importer.load(.attendance, try writeCSV("attendance.csv", week1), provider: Self.oak)
            let afterWeek1 = try marksOf(connection, provider: oak)
            let elmMarks = try marksOf(connection, provider: elm)
            let changesBefore: Int = try connection.query(
                "SELECT count(*) AS n FROM provider_data_changes WHERE provider_id = $1 AND family = 'attendance'", [oak]).single().decode("n")

            let second = try importer.load(.attendance, try writeCSV("attendance-week2.csv", week2), provider: Self.oak)
            #expect((second.inserted, second.updated) == (40, 0))
            #expect(merged(second))
            #expect(second.phases.contains { $0.name.hasSuffix("new marks into the school's partitions") })
            // Exactly the two weeks' rows, in oak's own partition; elm's untouched.
            var expected: [String] = []
            for serial in 0..<4 {
                let id = try studentID(connection, serial: serial)
                for line in (week1.dropFirst() + week2.dropFirst()) where line.hasPrefix(testUPN(serial) + ",") {
                    let fields = line.split(separator: ",").map(String.init)
                    expected.append("\(id) \(fields[1]) \(fields[2]) \(fields[3])")
                }
            }
            #expect(try marksOf(connection, provider: oak) == expected.sorted { lhs, rhs in
                let l = lhs.split(separator: " "), r = rhs.split(separator: " ")
                return (Int(l[0])!, l[1], l[2]) < (Int(r[0])!, r[1], r[2])
            })
            #expect(try layout(connection) == [
                "attendance_marks_2024_25_autumn_p\(elm) in attendance_marks_2024_25_autumn=40",
                "attendance_marks_2024_25_autumn_p\(oak) in attendance_marks_2024_25_autumn=80",
            ].sorted())
            #expect(try marksOf(connection, provider: elm) == elmMarks)
            // One journal entry per pupil (10 marks each), none mark by mark.
            let pupils = try (0..<4).map { try studentID(connection, serial: $0) }
            #expect(try journal(connection, importID: second.importID) == pupils.map { "insert_marks \($0) 10" }.sorted())
            // The audit entry counts the marks the triggers did not see; the report cache hears of the change.
            let entries = try ImportAuditTests.entries(connection, importID: second.importID)
            #expect(entries.last.flatMap { ImportAuditTests.tableCount($0.after, "attendance_marks", "inserted") } == 40)
            let changesAfter: Int = try connection.query(
                "SELECT count(*) AS n FROM provider_data_changes WHERE provider_id = $1 AND family = 'attendance'", [oak]).single().decode("n")
            #expect(changesAfter > changesBefore)

            // The same file again: nothing changes, nothing is journalled.
            let again = try importer.load(.attendance, try writeCSV("attendance-week2.csv", week2), provider: Self.oak)
            #expect((again.inserted, again.updated) == (0, 0))
            #expect(try journal(connection, importID: again.importID).isEmpty)
            #expect(try marksOf(connection, provider: oak).count == 80)

            // Undo of the second week: the first week exactly as it was.
            let undone = try ImportUndo(connection: connection).undo(importID: second.importID, provider: try ProviderCode(parsing: Self.oak))
            #expect(undone.deleted["attendance_marks"] == 40)
            #expect(try marksOf(connection, provider: oak) == afterWeek1)
            #expect(try marksOf(connection, provider: elm) == elmMarks)
        }
    }

    /// Oak's week from 9 September for `pupils` without pupil 0's Wednesday (its two lines are
    /// returned, with the header first, to be imported later), imported.
    func loadWeekWithAGap(_ importer: Importer, pupils: Range<Int>) throws -> (header: String, wednesday: [String], summary: ImportSummary) {
        let week = marks(pupils, from: "2024-09-09", days: 5)
        let wednesday = week.filter { $0.hasPrefix(testUPN(0) + ",2024-09-11,") }
        #expect(wednesday.count == 2)
        let summary = try importer.load(.attendance, try writeCSV("attendance.csv", week.filter { !wednesday.contains($0) }), provider: Self.oak)
        return (week[0], wednesday, summary)
    }

    @Test("pupils whose new marks fall among marks held, or whose code changed, are merged mark by mark beside the others' ranges; undo restores every mark and code")
    func gapsAndChangesMergeMarkByMark() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let (importer, oak, _) = try prepare(connection)
            let (header, wednesday, _) = try loadWeekWithAGap(importer, pupils: 0..<4)
            let before = try marksOf(connection, provider: oak)
            #expect(before.count == 38)
            // Then: pupil 0's Wednesday, pupil 1's Monday AM changed to N, and week 2 for everyone.
            let changed = "\(testUPN(1)),2024-09-09,AM,N"
            let file = [header] + wednesday + [changed] + marks(0..<4, from: "2024-09-16", days: 5).dropFirst()
            let second = try importer.load(.attendance, try writeCSV("attendance-more.csv", Array(file)), provider: Self.oak)
            #expect((second.inserted, second.updated) == (42, 1))
            let pupils = try (0..<4).map { try studentID(connection, serial: $0) }
            // Pupils 2 and 3 by range; pupils 0 (12 new marks around held ones) and 1 (10 new, 1 changed) mark by mark.
            let expectedJournal = ["insert_marks \(pupils[2]) 10", "insert_marks \(pupils[3]) 10"]
                + Array(repeating: "insert \(pupils[0]) 1", count: 12) + Array(repeating: "insert \(pupils[1]) 1", count: 10)
                + ["update \(pupils[1]) 1"]
            #expect(try journal(connection, importID: second.importID) == expectedJournal.sorted())
            #expect(try marksOf(connection, provider: oak).count == 80)
            let history: Int = try connection.query(
                "SELECT count(*) AS n FROM attendance_mark_history WHERE provider_id = $1 AND code = '/' AND replaced_by_code = 'N'", [oak]).single().decode("n")
            #expect(history == 1)

            let undone = try ImportUndo(connection: connection).undo(importID: second.importID, provider: try ProviderCode(parsing: Self.oak))
            #expect(undone.deleted["attendance_marks"] == 42)
            #expect(undone.restored["attendance_marks"] == 1)
            #expect(try marksOf(connection, provider: oak) == before)
        }
    }

    @Test("an earlier import whose dates a later import's range of new marks falls within cannot be undone first: the later import is named")
    func aLaterRangeInsideAnEarlierOneIsNamed() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let (importer, oak, _) = try prepare(connection)
            let (header, wednesday, first) = try loadWeekWithAGap(importer, pupils: 0..<1)
            // Pupil 0's Wednesday: no mark held on that day, so it goes in by range, inside the first import's range.
            let second = try importer.load(.attendance, try writeCSV("attendance-wednesday.csv", [header] + wednesday), provider: Self.oak)
            let pupil = try studentID(connection, serial: 0)
            #expect(try journal(connection, importID: second.importID) == ["insert_marks \(pupil) 2"])
            let held = try marksOf(connection, provider: oak)
            do {
                _ = try ImportUndo(connection: connection).undo(importID: first.importID, provider: try ProviderCode(parsing: Self.oak))
                Issue.record("the earlier import was undone under the later one")
            } catch ImportUndoError.refused(_, let reason) {
                #expect(reason.contains("import \(second.importID) (attendance-wednesday.csv) changed the same row afterwards"), "\(reason)")
            }
            #expect(try marksOf(connection, provider: oak) == held)
            // In order, later first: nothing left.
            _ = try ImportUndo(connection: connection).undo(importID: second.importID, provider: try ProviderCode(parsing: Self.oak))
            _ = try ImportUndo(connection: connection).undo(importID: first.importID, provider: try ProviderCode(parsing: Self.oak))
            #expect(try marksOf(connection, provider: oak).isEmpty)
        }
    }
}
