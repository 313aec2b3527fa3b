import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase
import Testing

@Suite("Importing attendance.csv")
struct AttendanceImportTests {
    /// A provider with `students` pupils.
    func prepare(_ connection: PostgresConnection, students: Int = 4) throws -> Importer {
        try addProvider(connection)
        let importer = Importer(connection: connection)
        _ = try importer.load(.students, try writeCSV("students.csv", studentLines(students)))
        return importer
    }

    /// Marks for every pupil, AM and PM, on school days from `first` for `days` weekdays that
    /// are not the bank holidays of the 2024/25 Christmas break (the default calendar's school
    /// days, docs/methodology.md §3.3).
    func marks(students: Int, from first: String, days: Int, code: (Int, Int, String) -> String = { _, _, half in half == "AM" ? "/" : "\\" }) -> [String] {
        var date = try! CalendarDate(parsing: first)
        var lines = ["student,date,session,code"]
        var day = 0
        while day < days {
            if date.isoWeekday <= 5, !["2024-12-25", "2024-12-26", "2025-01-01"].contains(date.isoString) {
                for student in 0..<students {
                    for half in ["AM", "PM"] { lines.append("\(testUPN(student)),\(date.isoString),\(half),\(code(student, day, half))") }
                }
                day += 1
            }
            date = date.adding(days: 1)
        }
        return lines
    }

    func markTable(_ connection: PostgresConnection) throws -> [String] {
        try connection.query(
            "SELECT s.upn || ' ' || m.session_date || ' ' || m.session || ' ' || m.code AS m FROM attendance_marks m JOIN students s USING (student_id) ORDER BY s.student_id, m.session_date, m.session"
        ).rows.map { try $0.decode("m") }
    }

    @Test func aNewTermIsBulkLoadedIntoItsOwnPartitionAndReimportChangesNothing() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection)
            let file = try writeCSV("attendance.csv", marks(students: 4, from: "2024-12-19", days: 10)) // 7 days in autumn, 3 in spring
            let first = try importer.load(.attendance, file)
            #expect((first.rowsRead, first.inserted, first.updated, first.unchanged) == (80, 80, 0, 0))
            let partitions = try connection.query(
                "SELECT regexp_replace(tableoid::regclass::text, '_p[0-9]+$', '_p') AS p, count(*) AS n FROM attendance_marks GROUP BY 1 ORDER BY 1").rows
            #expect(try partitions.map { "\(try $0.decode("p") as String)=\(try $0.decode("n") as Int)" }
                    == ["attendance_marks_2024_25_autumn_p=56", "attendance_marks_2024_25_spring_p=24"])
            let before = try markTable(connection)
            let again = try importer.load(.attendance, file)
            #expect((again.inserted, again.updated, again.unchanged) == (0, 0, 80))
            #expect(try markTable(connection) == before)
            #expect(try count(connection, "attendance_mark_history") == 0)
        }
    }

    /// Re-recording a session replaces its mark and keeps the old one in the history.
    @Test func aChangedMarkReplacesTheOldOneAndKeepsItInHistory() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection)
            let original = marks(students: 2, from: "2024-09-02", days: 5)
            _ = try importer.load(.attendance, try writeCSV("attendance.csv", original))
            // The unexplained absence on day 3 turns out to be illness; plus a new week.
            let corrected = marks(students: 2, from: "2024-09-02", days: 10) { student, day, half in
                if student == 1 && day == 2 && half == "AM" { return "I" }
                return half == "AM" ? "/" : "\\"
            }
            var withN = original
            withN[1 + 2 * 2 * 2 + 2] = withN[1 + 2 * 2 * 2 + 2].replacingOccurrences(of: ",/", with: ",N") // student 1, day 2, AM
            _ = try importer.load(.attendance, try writeCSV("attendance.csv", withN))
            let summary = try importer.load(.attendance, try writeCSV("attendance.csv", corrected))
            #expect((summary.inserted, summary.updated, summary.unchanged) == (20, 1, 19))
            let history = try connection.query(
                "SELECT h.code::text AS old, h.replaced_by_code::text AS new, h.session_date::text AS day, h.replaced_by_import_id FROM attendance_mark_history h ORDER BY history_id").rows
            #expect(history.count == 2)
            #expect(try history.map { "\(try $0.decode("old") as String)>\(try $0.decode("new") as String) \(try $0.decode("day") as String)" }
                    == ["/>N 2024-09-04", "N>I 2024-09-04"])
            #expect(try history[1].decode("replaced_by_import_id") as Int? == summary.importID)
            #expect(try connection.query("SELECT code::text AS c FROM attendance_marks WHERE session_date = '2024-09-04' AND session = 'AM' AND student_id = (SELECT student_id FROM students WHERE upn = $1)", [testUPN(1)]).single().decode("c") == "I")
        }
    }

    @Test func aDuplicateSessionInOneFileIsAnError() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection)
            var lines = marks(students: 2, from: "2024-09-02", days: 2)
            lines.append("\(testUPN(0)),2024-09-02,am,L")
            let before = try databaseFingerprint(connection)
            let errors = try importer.rejected(.attendance, try writeCSV("attendance.csv", lines))
            #expect(try databaseFingerprint(connection) == before)
            #expect(errors.map(\.description) == ["attendance.csv line 10: records the same session (02/09/2024 AM) for the same student as line 2; a session has one mark in a file"])
            // With --skip-invalid the first mark stays and the repeat is rejected.
            let summary = try importer.load(.attendance, try writeCSV("attendance.csv", lines), options: ImportOptions(skipInvalid: true))
            #expect((summary.inserted, summary.rejected) == (8, 1))
            #expect(try connection.query("SELECT code::text AS c FROM attendance_marks WHERE session_date = '2024-09-02' AND session = 'AM' AND student_id = (SELECT student_id FROM students WHERE upn = $1)", [testUPN(0)]).single().decode("c") == "/")
        }
    }

    @Test func everyFieldIsValidatedAndOneBadRowChangesNothing() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection)
            _ = try importer.load(.attendance, try writeCSV("attendance.csv", marks(students: 4, from: "2024-09-02", days: 3)))
            var lines = marks(students: 4, from: "2024-09-09", days: 3)
            lines.insert(contentsOf: [
                "\(testUPN(0)),2024-09-16,AM,H",                        // 12: withdrawn code
                "\(testUPN(0)),2024-09-16,PM,ZZ",                       // 13: unknown code
                "\(testUPN(0)),2024-09-17,noon,/",                      // 14: session
                "\(testUPN(0)),2024-09-31,AM,/",                        // 15: no such day
                "\(testUPN(77)),2024-09-17,AM,/",                       // 16: unknown pupil
                "\(upnWithWrongCheckLetter(1)),2024-09-17,AM,/",        // 17: check letter
                "\(testUPN(0)),2009-09-17,AM,/",                        // 18: before the years held
                "\(testUPN(0)),2024-09-18,AM",                          // 19: too few fields
                "\(testUPN(0)),2024-09-18,PM,",                         // 20: empty code
            ], at: 11)
            let before = try databaseFingerprint(connection)
            let errors = try importer.rejected(.attendance, try writeCSV("attendance.csv", lines))
            #expect(try databaseFingerprint(connection) == before)
            func message(_ line: Int) -> String { errors.first { $0.line == line }?.description ?? "no error on line \(line)" }
            #expect(message(12) == "attendance.csv line 12, column 'code': code 'H' was withdrawn from 01/08/2024 and cannot be used for a session on 16/09/2024; use C (leave of absence in exceptional circumstances) or G (holiday not authorised)")
            #expect(message(13).hasPrefix("attendance.csv line 13, column 'code': 'ZZ' is not a national attendance code; the codes in use from August 2024 are: / \\ L"))
            #expect(message(14) == "attendance.csv line 14, column 'session': 'noon' is not a session; expected AM or PM")
            #expect(message(15).contains("column 'date': '2024-09-31' is not a real calendar day"))
            #expect(message(16).contains("column 'student': '\(testUPN(77))' is not a student of this provider"))
            #expect(message(17).contains("column 'student': '\(upnWithWrongCheckLetter(1))' has a wrong check letter; expected '\(testUPN(1).first!)'"))
            #expect(message(18).contains("is outside the academic years gaptrack holds"))
            #expect(message(19).contains("has 3 fields but the header has 4"))
            #expect(message(20).contains("column 'code': is empty"))
            #expect(Set(errors.map(\.line)) == Set(12...20))
            // H was a valid code before August 2024: history loads, for a pupil enrolled that year.
            try connection.query(
                "INSERT INTO enrolments (student_id, academic_year, year_group, start_date) SELECT student_id, '2023/24', '6', '2023-09-04' FROM students WHERE upn = $1",
                [testUPN(0)])
            let history = try importer.load(.attendance, try writeCSV("attendance.csv", ["student,date,session,code", "\(testUPN(0)),2024-07-15,AM,H"]))
            #expect(history.inserted == 1)
        }
    }

    /// Marks for a term that already has a partition are merged; marks written outside an import
    /// (which land in the default partition) keep that term on the merge path.
    @Test func existingTermsAreMergedAndNewOnesBulkLoadedInOneFile() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection, students: 3)
            let studentID: Int = try connection.query("SELECT student_id FROM students WHERE upn = $1", [testUPN(2)]).single().decode("student_id")
            try connection.query("INSERT INTO attendance_marks VALUES ($1, '2025-01-06', 'AM', 'N')", [studentID])
            _ = try importer.load(.attendance, try writeCSV("attendance.csv", marks(students: 3, from: "2024-10-01", days: 2)))
            let lines = marks(students: 3, from: "2024-10-01", days: 2) + marks(students: 3, from: "2025-01-06", days: 2).dropFirst()
                + marks(students: 3, from: "2025-04-22", days: 1).dropFirst()
            let summary = try importer.load(.attendance, try writeCSV("attendance.csv", lines))
            // Autumn unchanged (12); spring merged around the stray mark (11 new, 1 changed N -> /); summer new (6).
            #expect((summary.inserted, summary.updated, summary.unchanged) == (17, 1, 12))
            let partitions: [String] = try connection.query(
                "SELECT regexp_replace(tableoid::regclass::text, '_p[0-9]+$', '_p') || '=' || count(*) AS p FROM attendance_marks GROUP BY tableoid ORDER BY 1").rows.map { try $0.decode("p") }
            #expect(partitions == ["attendance_marks_2024_25_autumn_p=12", "attendance_marks_2024_25_summer_p=6", "attendance_marks_default=12"])
            #expect(try count(connection, "attendance_mark_history") == 1)
        }
    }

    /// Quoted fields, CRLF line ends, a byte order mark, lower-case UPNs and codes, UK dates and
    /// an MIS export's column names (through the attendance aliases of a preset).
    @Test func readsSpreadsheetStyleCSV() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection, students: 2)
            let text = "\u{FEFF}UPN,Session Date,AM/PM,Mark,Comment\r\n"
                + "\(testUPN(0).lowercased()),02/09/2024,AM,\"/\",\"late bus, \"\"again\"\"\"\r\n"
                + "\"\(testUPN(0))\",02/09/2024,pm,\"\\\",\r\n"
                + "\r\n"
                + "\(testUPN(1)),2024-09-02,AM,l,\"two\nlines\"\r\n"
                + "\(testUPN(1)),2024-09-02,PM,j1,"
            let url = try writeCSV("register.csv", [])
            try text.write(to: url, atomically: true, encoding: .utf8)
            let summary = try importer.load(.attendance, url, options: ImportOptions(mapping: ColumnMapping(presets: [.arbor])))
            #expect((summary.rowsRead, summary.inserted) == (4, 4))
            #expect(summary.ignoredColumns == ["Comment"])
            #expect(try markTable(connection) == [
                "\(testUPN(0)) 2024-09-02 AM /", "\(testUPN(0)) 2024-09-02 PM \\",
                "\(testUPN(1)) 2024-09-02 AM L", "\(testUPN(1)) 2024-09-02 PM J1",
            ])
            // Line numbers count the line break inside the quoted comment.
            let bad = text.replacingOccurrences(of: ",PM,j1,", with: ",PM,XX,")
            try bad.write(to: url, atomically: true, encoding: .utf8)
            let errors = try importer.rejected(.attendance, url, options: ImportOptions(mapping: ColumnMapping(presets: [.arbor]), maxErrorsShown: 10))
            #expect(errors.map(\.line) == [7])
            #expect(errors.first?.column == "Mark")
        }
    }
}
