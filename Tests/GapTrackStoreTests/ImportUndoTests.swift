import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// `gaptrack import undo` reverses exactly one import from the journal of what it changed, refuses
/// when something later rests on it, and `--dry-run` writes nothing on any kind of import
/// (docs/import-formats.md, "Undo and dry run").
@Suite("Undoing an import, and dry runs")
struct ImportUndoTests {
    static let provider = try! ProviderCode(parsing: "test-school")

    /// Every row of every table but the ledgers, the journal and the bookkeeping, as text: what an
    /// undo must give back exactly.
    static func dataFingerprint(_ connection: PostgresConnection) throws -> String {
        try fingerprint(connection, leavingOut: ["imports", "import_changes", "audit_log", "data_changes", "provider_data_changes", "import_audit_scopes",
                                                 "report_snapshots", "report_snapshot_horizon", "schema_migrations", "schema_definitions"])
    }

    static func fingerprint(_ connection: PostgresConnection, leavingOut: [String] = []) throws -> String {
        let tables: [String] = try connection.query(
            """
            SELECT c.relname FROM pg_class c
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
            ORDER BY 1
            """).rows.map { try $0.decode("relname") }
        return try tables.filter { !leavingOut.contains($0) }.map { table in
            let row = try connection.query(
                "SELECT count(*) AS n, coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') AS h FROM \(table) t").single()
            return "\(table)=\(try row.decode("n") as Int):\(try row.decode("h") as String)"
        }.joined(separator: "\n")
    }

    static func undo(_ connection: PostgresConnection, _ importID: Int) throws -> UndoSummary {
        try ImportUndo(connection: connection).undo(importID: importID, provider: provider, operatingSystemUser: "alice")
    }

    /// The refusal's text, for an undo that must be refused.
    static func refusal(_ connection: PostgresConnection, _ importID: Int) throws -> String {
        do {
            _ = try undo(connection, importID)
        } catch let error as ImportUndoError {
            return error.description
        }
        throw TestFailure("undoing import \(importID) succeeded but should have been refused")
    }

    @Test func undoingAStudentsImportRemovesWhatItInsertedAndTheFileLoadsAgain() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            let empty = try Self.dataFingerprint(connection)
            let file = try writeCSV("students.csv", studentLines(5, extraHeader: ",fsm", extra: { $0 % 2 == 0 ? ",Y" : ",N" }))
            let first = try importer.load(.students, file)
            #expect(first.inserted == 5)
            #expect(try count(connection, "student_markers") == 3)
            let ledgerBefore = try Self.fingerprint(connection, leavingOut: []).split(separator: "\n").first { $0.hasPrefix("imports=") }

            let summary = try Self.undo(connection, first.importID)
            #expect(summary.deleted["students"] == 5)
            #expect(summary.deleted["enrolments"] == 5)
            #expect(summary.deleted["student_markers"] == 3)
            #expect(try Self.dataFingerprint(connection) == empty)

            // The ledger only grew: the import's row is as it was, and the undo is a row of its own.
            let ledger = try ImportUndo(connection: connection).list(provider: Self.provider)
            #expect(ledger.map(\.importID) == [first.importID, summary.undoID])
            #expect(ledger[0].undoneBy == summary.undoID && ledger[0].inserted == 5)
            #expect(ledger[1].undoes == first.importID && ledger[1].fileName == "students.csv")
            let firstRowNow: String = try connection.query(
                "SELECT (to_jsonb(i) - 'undoes_import_id')::text AS r FROM imports i WHERE import_id = $1", [first.importID]).single().decode("r")
            #expect(ledgerBefore != nil && firstRowNow.contains("\"rows_inserted\": 5"))
            // One audit entry for the undo, naming its ledger row and the rows per table.
            let entry: String = try connection.query(
                "SELECT after::text AS a FROM audit_log WHERE row_key = jsonb_build_object('import_id', $1::bigint)",
                [summary.undoID]).single().decode("a")
            #expect(entry.contains("\"undoes_import_id\": \(first.importID)"))
            #expect(entry.contains("\"students\": {\"deleted\": 5}"))

            // The same file again is a fresh import, not "already imported".
            let again = try importer.load(.students, file)
            #expect(again.previousImport == nil)
            #expect((again.inserted, again.unchanged) == (5, 0))
            #expect(try count(connection, "students") == 5)
            // Undone twice: refused with the undo's id.
            #expect(throws: ImportUndoError.alreadyUndone(importID: first.importID, undoID: summary.undoID)) {
                try Self.undo(connection, first.importID)
            }
            // An undo is not undone; the file is imported again instead.
            #expect(try Self.refusal(connection, summary.undoID).contains("it is the undo of import \(first.importID)"))
        }
    }

    @Test func undoingAnUpdateRestoresTheValuesItReplacedExactly() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            _ = try importer.load(.students, try writeCSV("students.csv", studentLines(3)))
            let before = try Self.dataFingerprint(connection)
            let rowBefore: String = try connection.query(
                "SELECT to_jsonb(s)::text AS r FROM students s WHERE upn = $1", [testUPN(1)]).single().decode("r")
            var renamed = studentLines(3)
            renamed[2] = renamed[2].replacingOccurrences(of: "Surname1", with: "Renamed")
            renamed.append(studentLines(4)[4])
            let second = try importer.load(.students, try writeCSV("students.csv", renamed))
            #expect((second.inserted, second.updated) == (1, 1))
            let summary = try Self.undo(connection, second.importID)
            #expect(summary.restored["students"] == 1)
            #expect(summary.deleted["students"] == 1)
            let rowAfter: String = try connection.query(
                "SELECT to_jsonb(s)::text AS r FROM students s WHERE upn = $1", [testUPN(1)]).single().decode("r")
            #expect(rowAfter == rowBefore)
            #expect(try Self.dataFingerprint(connection) == before)
        }
    }

    @Test func aLaterImportOfTheSameRowsIsNamedAndNothingChanges() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            let first = try importer.load(.students, try writeCSV("students.csv", studentLines(3)))
            var renamed = studentLines(3)
            renamed[1] = renamed[1].replacingOccurrences(of: "Surname0", with: "Renamed")
            let second = try importer.load(.students, try writeCSV("students-new.csv", renamed))
            let held = try Self.fingerprint(connection)
            let reason = try Self.refusal(connection, first.importID)
            #expect(reason.contains("import \(first.importID) cannot be undone: import \(second.importID) (students-new.csv) changed the same row afterwards"))
            #expect(reason.contains("undo import \(second.importID) first"))
            #expect(try Self.fingerprint(connection) == held)
            // Undoing the later one first, then the earlier, leaves nothing.
            _ = try Self.undo(connection, second.importID)
            _ = try Self.undo(connection, first.importID)
            #expect(try count(connection, "students") == 0)
        }
    }

    @Test func aResultOrSupportRecordOnAStudentItCreatedIsNamed() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            let students = try importer.load(.students, try writeCSV("students.csv", studentLines(2)))
            let results = try importer.load(.assessments, try writeCSV("assessments.csv", [
                "student,subject,assessment,scale,academic_year,term,date,result", "\(testUPN(1)),maths,Mock,gcse,2024/25,autumn,2024-11-20,5"]))
            let held = try Self.fingerprint(connection)
            let reason = try Self.refusal(connection, students.importID)
            #expect(reason.contains("assessment_results"))
            #expect(reason.contains("rests on a record it created; it came from import \(results.importID) (assessments.csv); undo that first"))
            #expect(try Self.fingerprint(connection) == held)

            // A support record added outside an import (the service, or by hand) is named as such.
            _ = try Self.undo(connection, results.importID)
            try connection.execute(
                """
                INSERT INTO support_records (student_id, provider_id, type, starts_on)
                SELECT student_id, provider_id, 'tutoring', '2024-10-01' FROM students WHERE upn = '\(testUPN(0))'
                """)
            let outside = try Self.refusal(connection, students.importID)
            #expect(outside.contains("support_records"))
            #expect(outside.contains("it came from outside an import"))
        }
    }

    @Test func aRowChangedOutsideAnImportIsNamed() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            let first = try importer.load(.students, try writeCSV("students.csv", studentLines(2)))
            try connection.execute("UPDATE students SET forename = 'Changed' WHERE upn = '\(testUPN(1))'")
            let reason = try Self.refusal(connection, first.importID)
            #expect(reason.contains("students {\"student_id\":"))
            #expect(reason.contains("was changed or deleted after it, outside an import"))
            #expect(try count(connection, "students") == 2)
        }
    }

    @Test func attendanceBulkLoadedAndMergedIsUndoneBothWays() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            _ = try importer.load(.students, try writeCSV("students.csv", studentLines(3)))
            let withoutMarks = try Self.dataFingerprint(connection)
            var lines = ["student,date,session,code"]
            for student in 0..<3 {
                for day in ["2024-09-09", "2024-09-10", "2025-01-13"] {
                    lines.append("\(testUPN(student)),\(day),AM,/")
                    lines.append("\(testUPN(student)),\(day),PM,\\")
                }
            }
            let bulk = try importer.load(.attendance, try writeCSV("attendance.csv", lines))
            #expect(bulk.inserted == 18)
            // One journal entry per student and term, not one per mark.
            #expect(try connection.query("SELECT count(*) AS n FROM import_changes WHERE import_id = $1 AND action = 'insert_marks'",
                                         [bulk.importID]).single().decode("n") == 6)
            let loaded = try Self.dataFingerprint(connection)

            // A second file changes two marks and adds one session: merged, and undone exactly.
            var changed = lines
            changed[1] = "\(testUPN(0)),2024-09-09,AM,N"
            changed[2] = "\(testUPN(0)),2024-09-09,PM,L"
            changed.append("\(testUPN(1)),2024-09-11,AM,/")
            let merged = try importer.load(.attendance, try writeCSV("attendance-2.csv", changed))
            #expect((merged.inserted, merged.updated) == (1, 2))
            #expect(try Self.refusal(connection, bulk.importID).contains("import \(merged.importID) (attendance-2.csv) changed the same row afterwards"))
            let undoMerge = try Self.undo(connection, merged.importID)
            #expect(undoMerge.restored["attendance_marks"] == 2)
            #expect(undoMerge.deleted["attendance_marks"] == 1)
            // The codes are back; the replacements stay in the marks' history, as any re-recording does.
            let marksNow = try Self.dataFingerprint(connection).split(separator: "\n").filter { $0.hasPrefix("attendance_marks=") }
            let marksLoaded = loaded.split(separator: "\n").filter { $0.hasPrefix("attendance_marks=") }
            #expect(marksNow == marksLoaded)

            let undoBulk = try Self.undo(connection, bulk.importID)
            #expect(undoBulk.deleted["attendance_marks"] == 18)
            #expect(try count(connection, "attendance_marks") == 0)
            let noHistory = try Self.dataFingerprint(connection).split(separator: "\n").filter { !$0.hasPrefix("attendance_mark_history=") }
            #expect(noHistory == withoutMarks.split(separator: "\n").filter { !$0.hasPrefix("attendance_mark_history=") })
            let again = try importer.load(.attendance, try writeCSV("attendance.csv", lines))
            #expect(again.previousImport == nil && again.inserted == 18)
            // A mark changed by hand since a bulk load rests on it; one added on another day does not.
            try connection.execute(
                "UPDATE attendance_marks SET code = 'M' WHERE session_date = '2024-09-10' AND session = 'AM' AND student_id = (SELECT student_id FROM students WHERE upn = '\(testUPN(1))')")
            let reason = try Self.refusal(connection, again.importID)
            #expect(reason.contains("attendance_marks {\"session\": \"AM\", \"student_id\": "))
            #expect(reason.contains("after it, outside an import"))
        }
    }

    @Test func anUnknownImportIsNamedWithTheCommandThatListsThem() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            #expect(throws: ImportUndoError.notFound(importID: 99, provider: "test-school")) { try Self.undo(connection, 99) }
            #expect(ImportUndoError.notFound(importID: 99, provider: "test-school").description.contains("gaptrack import list --provider test-school"))
        }
    }

    /// A dry run of each kind of import, valid and invalid: every table, the ledger, the journal and
    /// the audit log included, is exactly as before.
    @Test func aDryRunOfEveryKindWritesNothingAnywhere() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            _ = try importer.load(.students, try writeCSV("students.csv", studentLines(3)))
            let files: [(ImportKind, URL)] = [
                (.students, try writeCSV("students.csv", studentLines(4))),
                (.markers, try writeCSV("markers.csv", ["student,marker,value,start_date,end_date", "\(testUPN(0)),fsm,,2023-09-01,"])),
                (.attendance, try writeCSV("attendance.csv", ["student,date,session,code", "\(testUPN(0)),2024-09-09,AM,/"])),
                (.assessments, try writeCSV("assessments.csv", ["student,subject,assessment,scale,academic_year,term,date,result",
                                                                 "\(testUPN(1)),maths,Mock,gcse,2024/25,autumn,2024-11-20,5"])),
                (.support, try writeCSV("support.csv", ["reference,student,type,start_date", "T-1,\(testUPN(2)),tutoring,2024-09-09"])),
                (.ctf, try writeCTF([ctfPupil(testUPN(7), extra: "<FSMhistory><FSMinstance><FSMstartDate>2024-09-02</FSMstartDate></FSMinstance></FSMhistory>")])),
            ]
            for (kind, file) in files {
                let held = try Self.fingerprint(connection)
                let summary = try importer.load(kind, file, options: ImportOptions(dryRun: true))
                #expect(summary.dryRun && summary.inserted + summary.updated >= 1, "\(kind) dry run counts what it would write")
                #expect(summary.line.contains("dry run, nothing written"))
                #expect(try Self.fingerprint(connection) == held, "\(kind) dry run changed a table")
                // The real import then writes what the dry run counted.
                let real = try importer.load(kind, file)
                #expect((real.inserted, real.updated, real.unchanged) == (summary.inserted, summary.updated, summary.unchanged), "\(kind)")
            }
        }
    }
}
