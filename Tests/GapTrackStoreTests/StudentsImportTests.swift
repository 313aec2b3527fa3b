import CSVFormat
import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase
import Testing

@Suite("Importing students.csv")
struct StudentsImportTests {
    @Test func loadsStudentsAndEnrolmentsAndReimportChangesNothing() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let file = try writeCSV("students.csv", studentLines(25))
            let importer = Importer(connection: connection)
            let first = try importer.load(.students, file)
            #expect((first.rowsRead, first.inserted, first.updated, first.unchanged, first.rejected) == (25, 25, 0, 0, 0))
            #expect(first.previousImport == nil)
            #expect(try count(connection, "students") == 25)
            #expect(try count(connection, "enrolments") == 25)
            let before = try databaseFingerprint(connection).replacingOccurrences(of: #"imports=\S+"#, with: "", options: .regularExpression)
            let second = try importer.load(.students, file)
            #expect((second.inserted, second.updated, second.unchanged) == (0, 0, 25))
            #expect(second.previousImport?.importID == first.importID)
            #expect(second.line.hasPrefix("students.csv: 25 rows read, 0 inserted, 0 updated, 25 unchanged, 0 rejected ("))
            let after = try databaseFingerprint(connection).replacingOccurrences(of: #"imports=\S+"#, with: "", options: .regularExpression)
            #expect(before == after, "re-importing the same file must not change a single data row")
            // Both imports are in the ledger, with the file's checksum.
            let ledger = try connection.query("SELECT file_name, file_sha256, rows_read, rows_inserted, rows_unchanged FROM imports ORDER BY import_id").rows
            #expect(ledger.count == 2)
            #expect(try ledger[0].decode("file_sha256") == SHA256.hexDigest(ofFileAt: file).hex)
            #expect(try ledger[1].decode("rows_unchanged") == 25)
        }
    }

    @Test func aChangedRowUpdatesOnlyThatStudent() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            _ = try importer.load(.students, try writeCSV("students.csv", studentLines(10)))
            var lines = studentLines(10)
            lines[4] = lines[4].replacingOccurrences(of: "Surname3", with: "Surname-Changed")
            lines[7] = lines[7].replacingOccurrences(of: ",7,2024-09-02", with: ",8,2024-09-02")
            let summary = try importer.load(.students, try writeCSV("students.csv", lines))
            #expect((summary.inserted, summary.updated, summary.unchanged) == (0, 2, 8))
            #expect(try connection.query("SELECT legal_surname FROM students WHERE upn = $1", [testUPN(3)]).single().decode("legal_surname") == "Surname-Changed")
            #expect(try connection.query("SELECT e.year_group FROM enrolments e JOIN students s USING (student_id) WHERE s.upn = $1", [testUPN(6)]).single().decode("year_group") == "8")
            // A blank optional field keeps what is held.
            var blanks = studentLines(10)
            blanks[1] = blanks[1].replacingOccurrences(of: ",F,2024/25", with: ",,2024/25")
            let third = try importer.load(.students, try writeCSV("students.csv", blanks))
            #expect(third.updated == 2) // rows 4 and 7 change back; the blank gender changes nothing
            #expect(try connection.query("SELECT gender FROM students WHERE upn = $1", [testUPN(0)]).single().decode("gender") == "F")
        }
    }

    @Test func everyValidationRuleNamesLineColumnValueAndExpectation() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let header = "upn,uln,legal_surname,forename,date_of_birth,gender,academic_year,year_group,start_date,leave_date,leave_reason,fsm,sen_status,eal"
            let good = { (serial: Int) in "\(testUPN(serial)),,S,F,2013-01-01,F,2024/25,7,2024-09-02,,,N,N,N" }
            let file = try writeCSV("students.csv", [
                header,
                good(0),                                                                                   // line 2: fine
                "\(upnWithWrongCheckLetter(1)),,S,F,2013-01-01,F,2024/25,7,2024-09-02,,,N,N,N",          // 3: check letter
                "\(testUPN(2)),1234567890,S,F,2013-01-01,F,2024/25,7,2024-09-02,,,N,N,N",                // 4: ULN check digit
                "\(testUPN(3)),,S,F,31/02/2013,F,2024/25,7,2024-09-02,,,N,N,N",                          // 5: no such day
                "\(testUPN(4)),,S,F,2013-01-01,Q,2024/25,7,2024-09-02,,,N,N,N",                          // 6: gender
                "\(testUPN(5)),,S,F,2013-01-01,F,2024/26,7,2024-09-02,,,N,N,N",                          // 7: academic year
                "\(testUPN(6)),,S,F,2013-01-01,F,2024/25,15,2024-09-02,,,N,N,N",                         // 8: year group
                "\(testUPN(7)),,S,F,2013-01-01,F,2024/25,7,2025-09-02,,,N,N,N",                          // 9: start outside the year
                "\(testUPN(8)),,S,F,2013-01-01,F,2024/25,7,2024-09-02,2024-09-01,,N,N,N",                // 10: leave before start
                "\(testUPN(9)),,S,F,2013-01-01,F,2024/25,7,2024-09-02,,expelled,N,N,N",                  // 11: leave reason (and no date)
                "\(testUPN(10)),,S,F,2013-01-01,F,2024/25,7,2024-09-02,,,maybe,N,N",                     // 12: yes/no
                "\(testUPN(11)),,S,F,2013-01-01,F,2024/25,7,2024-09-02,,,N,Z,N",                         // 13: SEN status
                "\(testUPN(12)),,S,F,2013-01-01,F,2024/25,7,2024-09-02,,,N,N,G",                         // 14: EAL value
                ",,S,F,2013-01-01,F,2024/25,7,2024-09-02,,,N,N,N",                                       // 15: no identifier
                "\(testUPN(13)),,,F,2013-01-01,F,2024/25,,2024-09-02,,,N,N,N",                           // 16: surname and year group empty
                "\(testUPN(14)),,S,F,2013-01-01,F,2024/25,7",                                            // 17: too few fields
                good(0).replacingOccurrences(of: "2024/25,7,2024-09-02", with: "2024/25,8,2024-09-03"),   // 18: same pupil, same year as line 2
            ])
            let before = try databaseFingerprint(connection)
            let errors = try Importer(connection: connection).rejected(.students, file)
            #expect(try databaseFingerprint(connection) == before, "a rejected file writes nothing")
            func error(_ line: Int, _ column: String?) -> RowError? { errors.first { $0.line == line && $0.column == column } }
            #expect(error(3, "upn")?.description == "students.csv line 3, column 'upn': '\(upnWithWrongCheckLetter(1))' has a wrong check letter; expected '\(testUPN(1).first!)' (a character is probably mistyped: check it against the pupil's record)")
            #expect(error(4, "uln")?.message.contains("'1234567890' fails the ULN check digit test") == true)
            #expect(error(5, "date_of_birth")?.message.contains("'31/02/2013' is not a real calendar day") == true)
            #expect(error(6, "gender")?.message == "'Q' is not a gender code; expected F, M, X or U")
            #expect(error(7, "academic_year")?.message.contains("'2024/26'") == true)
            #expect(error(8, "year_group")?.message == "'15' is not a year group; expected R, 1 to 14 (or N1, N2 for nursery)")
            #expect(error(9, "start_date")?.message.contains("is not in academic year 2024/25") == true)
            #expect(error(10, "leave_date")?.message.contains("is before the start date") == true)
            #expect(error(11, "leave_reason")?.message.contains("'expelled' is not a leave reason") == true)
            #expect(error(12, "fsm")?.message.contains("'maybe' is not yes or no") == true)
            #expect(error(13, "sen_status")?.message.contains("'Z' is not a recognised SEN status") == true)
            #expect(error(14, "eal")?.message.contains("'G' is not an EAL value") == true)
            #expect(error(15, nil)?.message.contains("has no student identifier") == true)
            #expect(error(16, "legal_surname")?.message.contains("is empty") == true)
            #expect(error(16, "year_group")?.message.contains("which a school's students need") == true)
            #expect(error(17, nil)?.message.contains("has 8 fields but the header has 14") == true)
            #expect(error(18, nil)?.message.contains("already has a row for 2024/25 on line 2") == true)
            #expect(Set(errors.map(\.line)) == Set(3...18))
        }
    }

    @Test func oneBadRowInTheMiddleLeavesTheDatabaseUnchanged() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            _ = try importer.load(.students, try writeCSV("students.csv", studentLines(5)))
            var lines = studentLines(200)
            lines[100] = lines[100].replacingOccurrences(of: testUPN(99), with: upnWithWrongCheckLetter(99))
            lines[3] = lines[3].replacingOccurrences(of: "Surname2", with: "Renamed") // a change that must not land
            let before = try databaseFingerprint(connection)
            let errors = try importer.rejected(.students, try writeCSV("students.csv", lines))
            #expect(errors.map(\.line) == [101])
            #expect(try databaseFingerprint(connection) == before)
        }
    }

    @Test func errorsAreCappedAndCounted() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let lines = studentLines(30).enumerated().map { index, line in index == 0 ? line : line.replacingOccurrences(of: ",2013-", with: ",20x3-") }
            do {
                _ = try Importer(connection: connection).load(.students, try writeCSV("students.csv", lines), options: ImportOptions(maxErrorsShown: 5))
                Issue.record("should have been rejected")
            } catch let error as ImportError {
                guard case .invalidRows(_, let shown, let total, let invalid, let read) = error else { throw error }
                #expect((shown.count, total, invalid, read) == (5, 30, 30, 30))
                #expect(error.description.contains("25 more errors not shown"))
                #expect(error.description.contains("Nothing was imported: 30 of 30 rows in students.csv are invalid"))
            }
        }
    }

    @Test func skipInvalidLoadsTheRestAndWritesRejectsWithReasons() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            var lines = studentLines(10)
            lines[5] = lines[5].replacingOccurrences(of: testUPN(4), with: upnWithWrongCheckLetter(4))
            lines[8] = lines[8].replacingOccurrences(of: ",M,", with: ",?,")
            let file = try writeCSV("students.csv", lines)
            let summary = try Importer(connection: connection).load(.students, file, options: ImportOptions(skipInvalid: true))
            #expect((summary.inserted, summary.rejected) == (8, 2))
            #expect(try count(connection, "students") == 8)
            let rejectsURL = try #require(summary.rejectsFile)
            #expect(rejectsURL.lastPathComponent == "students.rejects.csv")
            let rejects = try CSVTable(path: rejectsURL.path)
            #expect(rejects.header.names == ["rejected_line", "rejected_because"] + lines[0].split(separator: ",").map(String.init))
            #expect(rejects.records.count == 2)
            #expect(rejects.records[0].fields[0] == "6")
            #expect(rejects.records[0].fields[1].hasPrefix("column 'upn': '\(upnWithWrongCheckLetter(4))' has a wrong check letter"))
            #expect(rejects.records[0].fields.dropFirst(2).joined(separator: ",") == lines[5], "the row as it was in the file")
            #expect(rejects.records[1].fields[0] == "9")
            #expect(rejects.records[1].fields[1] == "column 'gender': '?' is not a gender code; expected F, M, X or U")
            let ledger = try connection.query("SELECT rows_read, rows_inserted, rows_rejected, skip_invalid FROM imports").single()
            #expect(try ledger.decode("rows_rejected") == 2)
            #expect(try ledger.decode("skip_invalid") == true)
        }
    }

    /// A SIMS-style export: the columns have the MIS's names and there are columns gaptrack
    /// does not use; it loads with --preset sims and no editing.
    @Test func anMISExportLoadsThroughAPreset() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let header = "Adno,UPN,Legal Surname,Legal Forename,Forename,DOB,Gender,Ethnicity,NC Year Actual,Admission Date,FSM Eligible,FSM Ever 6,SEN Status,EAL,In Care,Academic Year"
            let rows = (0..<12).map { serial in
                "\(9000 + serial),\(testUPN(serial)),Legal\(serial),Forename\(serial),Preferred\(serial),0\(1 + serial % 9)/03/2013,\(serial % 2 == 0 ? "Female" : "Male"),WBRI,Year 7,04/09/2024,\(serial % 3 == 0 ? "Yes" : "No"),\(serial % 4 == 0 ? "Y" : "N"),\(["N", "K", "E"][serial % 3]),\(serial % 5 == 0 ? "Y" : "N"),\(serial == 7 ? "True" : "False"),2024/25"
            }
            let file = try writeCSV("SIMS export.csv", [header] + rows)
            // Without the preset, the header lacks gaptrack's names.
            #expect(throws: ImportError.self) { try Importer(connection: connection).load(.students, file) }
            let summary = try Importer(connection: connection).load(.students, file, options: ImportOptions(mapping: ColumnMapping(presets: [.sims])))
            #expect(summary.inserted == 12)
            #expect(summary.ignoredColumns == ["Adno", "Forename"])
            let pupil = try connection.query(
                "SELECT s.legal_surname, s.forename, s.date_of_birth::text AS dob, s.gender, s.ethnicity, e.year_group, e.start_date::text AS start FROM students s JOIN enrolments e USING (student_id) WHERE s.upn = $1",
                [testUPN(3)]).single()
            #expect(try pupil.decode("forename") == "Forename3", "'Legal Forename' wins over the preferred 'Forename'")
            #expect(try pupil.decode("dob") == "2013-03-04")
            #expect(try pupil.decode("gender") == "M")
            #expect(try pupil.decode("year_group") == "7")
            #expect(try pupil.decode("start") == "2024-09-04")
            let markers = try connection.query(
                "SELECT marker::text AS marker, count(*) AS n FROM student_markers GROUP BY marker ORDER BY marker").rows
            let counts = Dictionary(uniqueKeysWithValues: try markers.map { (try $0.decode("marker") as String, try $0.decode("n") as Int) })
            #expect(counts == ["fsm": 4, "fsm_ever_6": 3, "sen": 8, "eal": 3, "looked_after": 1])
        }
    }

    /// Column names no preset knows load through --map pairs or a mapping file.
    @Test func aMappingFileRenamesColumns() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let lines = ["Pupil Number,Family,Given,Born,Cohort,NCY,Joined"] + (0..<3).map { "\(testUPN($0)),Fam\($0),Giv\($0),2013-01-01,2024/25,7,2024-09-02" }
            let mapping = try writeCSV("mapping.txt", ["# their name = ours", "Pupil Number=upn", "Family = legal_surname", "Given=forename", "", "Born=date_of_birth", "Cohort=academic_year", "NCY=year_group"])
            let pairs = try ColumnMapping.pairs(fromFile: mapping) + [try ColumnMapping.Pair(parsing: "Joined=start_date")]
            let summary = try Importer(connection: connection).load(.students, try writeCSV("students.csv", lines), options: ImportOptions(mapping: ColumnMapping(pairs: pairs)))
            #expect(summary.inserted == 3)
            #expect(try connection.query("SELECT forename FROM students WHERE upn = $1", [testUPN(2)]).single().decode("forename") == "Giv2")
        }
    }

    @Test func rowsSharingAnIdentifierAreOneStudentAcrossYears() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let uln = testULN(1)
            let lines = [
                "upn,uln,legal_surname,forename,date_of_birth,academic_year,year_group,start_date,fsm",
                "\(testUPN(1)),,Old,Name,2008-01-01,2023/24,10,2023-09-04,Y",
                "\(testUPN(1)),\(uln),New,Name,2008-01-01,2024/25,11,2024-09-02,Y",
                ",\(uln),New,Name,2008-01-01,2025/26,12,2025-09-01,N",
            ]
            let summary = try Importer(connection: connection).load(.students, try writeCSV("students.csv", lines))
            #expect(summary.inserted == 3)
            let student = try connection.query("SELECT count(*) OVER () AS n, legal_surname, upn, uln FROM students").single()
            #expect(try student.decode("n") == 1)
            #expect(try student.decode("legal_surname") == "New", "the latest year's row speaks for the student")
            #expect(try student.decode("uln") == uln)
            #expect(try count(connection, "enrolments") == 3)
            // Two FSM snapshots: one spell per academic year, each to 31 July.
            let spells: [String] = try connection.query("SELECT starts_on || '..' || ends_on AS s FROM student_markers ORDER BY starts_on").rows.map { try $0.decode("s") }
            #expect(spells == ["2023-09-04..2024-07-31", "2024-09-02..2025-07-31"])
            // Two different UPNs for one ULN cannot both be right.
            let conflicting = [lines[0], "\(testUPN(5)),\(testULN(9)),A,B,2008-01-01,2024/25,11,2024-09-02,N", "\(testUPN(6)),\(testULN(9)),A,B,2008-01-01,2025/26,12,2025-09-01,N"]
            let errors = try Importer(connection: connection).rejected(.students, try writeCSV("students.csv", conflicting))
            #expect(errors.count == 2)
            #expect(errors.allSatisfy { $0.message.contains("give different UPNs") })
        }
    }

    @Test func snapshotColumnsBecomeDatedSpellsAndAChangedStatusSplitsTheSpell() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            let header = ",sen_status,pupil_premium,eal"
            _ = try importer.load(.students, try writeCSV("students.csv", studentLines(1, extraHeader: header) { _ in ",K,Y,B" }))
            let asOf = CalendarDate(year: 2025, month: 1, day: 6)!
            // In January the MIS says EHC plan: the SEN support spell ends the day before.
            let january = try importer.load(.students, try writeCSV("students.csv", studentLines(1, extraHeader: header) { _ in ",E,Y,Y" }),
                                            options: ImportOptions(asOf: asOf))
            #expect(january.updated == 1)
            let spells: [String] = try connection.query(
                "SELECT marker || ':' || coalesce(value, '-') || ':' || starts_on || '..' || coalesce(ends_on::text, 'open') AS s FROM student_markers ORDER BY marker, starts_on").rows.map { try $0.decode("s") }
            #expect(spells == [
                "pupil_premium:eligible:2024-09-02..2025-07-31",
                "eal:B:2024-09-02..2025-07-31",
                "sen:K:2024-09-02..2025-01-05",
                "sen:E:2025-01-06..2025-07-31",
            ])
            // The same January file again changes nothing (EAL 'Y' without a band keeps band B).
            let again = try importer.load(.students, try writeCSV("students.csv", studentLines(1, extraHeader: header) { _ in ",E,Y,Y" }),
                                          options: ImportOptions(asOf: asOf))
            #expect((again.updated, again.unchanged) == (0, 1))
        }
    }

    @Test func aCollegeNeedsCoursesAndValidULNs() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection, code: "test-college", kind: .college)
            let lines = ["uln,legal_surname,forename,date_of_birth,academic_year,course,start_date",
                         "\(testULN(3)),A,B,2007-05-05,2024/25,ALEVEL-MATHS,2024-09-09",
                         "\(testULN(4)),A,B,2007-05-05,2024/25,,2024-09-09",
                         "9999999999,A,B,2007-05-05,2024/25,BTEC,2024-09-09"]
            let errors = try Importer(connection: connection).rejected(.students, try writeCSV("students.csv", lines), provider: "test-college")
            #expect(errors.map(\.line) == [3, 4])
            #expect(errors[0].message.contains("need a course"))
            #expect(errors[1].message.contains("ILR placeholder"))
        }
    }
}
