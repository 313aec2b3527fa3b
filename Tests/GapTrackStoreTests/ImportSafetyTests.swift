import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import Synchronization
import TestDatabase
import Testing

/// Imports that run at the same time, dry runs, rejects files that would clobber, and files
/// with nothing in them.
@Suite("Import safety")
struct ImportSafetyTests {
    /// Every table (partitions included) with its row count, and the data rows' fingerprint:
    /// what a dry run must leave exactly as it was.
    func everyTable(_ connection: PostgresConnection) throws -> String {
        let tables: [String] = try connection.query(
            """
            SELECT c.relname AS t FROM pg_class c
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') ORDER BY 1
            """).rows.map { try $0.decode("t") }
        let counts = try tables.map { "\($0)=\(try count(connection, $0))" }.joined(separator: " ")
        return counts + " | " + (try databaseFingerprint(connection))
    }

    @Test func twoImportsOfOnePupilsFileAtOnceQueueAndLeaveTheDataOfOneImport() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let file = try writeCSV("students.csv", studentLines(400))
            let conninfo = TestDatabase.conninfo(database: connection.databaseName)
            let outcomes = Mutex<[Result<ImportSummary, any Error>]>([])
            DispatchQueue.concurrentPerform(iterations: 2) { _ in
                let outcome = Result<ImportSummary, any Error> {
                    let own = try PostgresConnection(conninfo: conninfo)
                    return try Importer(connection: own).load(.students, file)
                }
                outcomes.withLock { $0.append(outcome) }
            }
            let results = outcomes.withLock { $0 }
            #expect(results.count == 2)
            var summaries: [ImportSummary] = []
            for result in results {
                switch result {
                case .success(let summary): summaries.append(summary)
                case .failure(let error):
                    #expect(!(error is PostgresError), "a raw database error reached the user: \(error)")
                    #expect(!"\(error)".contains("23505"))
                    #expect("\(error)".contains("students.csv: another import changed the same records"))
                }
            }
            // Queued behind the provider's lock, both succeed: one inserts, the other finds nothing to do.
            #expect(summaries.count == 2)
            #expect(summaries.map(\.inserted).sorted() == [0, 400])
            #expect(summaries.map(\.unchanged).sorted() == [0, 400])
            #expect(try count(connection, "students") == 400)
            #expect(try count(connection, "enrolments") == 400)
        }
    }

    /// A unique clash the provider lock cannot prevent (a row written outside any import while
    /// the import waits for it) is told as a clash naming the file, never as SQLSTATE 23505.
    @Test func aUniqueClashWithAnotherWriterNamesTheFileNotTheSQLState() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let provider = try addProvider(connection)
            let file = try writeCSV("students.csv", studentLines(3))
            let conninfo = TestDatabase.conninfo(database: connection.databaseName)
            let writer = try PostgresConnection(conninfo: conninfo)
            try writer.execute("BEGIN")
            try writer.query(
                "INSERT INTO students (provider_id, upn, legal_surname, forename, date_of_birth) VALUES ($1, $2, 'Other', 'Writer', '2013-01-15')",
                [provider.id!, testUPN(1)])
            let outcome = Mutex<Result<ImportSummary, any Error>?>(nil)
            let importing = Thread {
                let result = Result<ImportSummary, any Error> {
                    try Importer(connection: try PostgresConnection(conninfo: conninfo)).load(.students, file)
                }
                outcome.withLock { $0 = result }
            }
            importing.start()
            // Commit the other row only once the import is waiting on it.
            let watcher = try PostgresConnection(conninfo: conninfo)
            var waited = 0
            while try count(watcher, "pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") == 0 {
                Thread.sleep(forTimeInterval: 0.05)
                waited += 1
                if waited > 600 { throw TestFailure("the import never waited for the other writer's row") }
            }
            try writer.execute("COMMIT")
            while outcome.withLock({ $0 }) == nil { Thread.sleep(forTimeInterval: 0.05) }
            switch outcome.withLock({ $0 })! {
            case .success(let summary):
                throw TestFailure("the import succeeded over a clashing row: \(summary.line)")
            case .failure(let error):
                #expect(!(error is PostgresError), "a raw database error reached the user: \(error)")
                guard case ImportError.conflictingImport(let fileName)? = error as? ImportError else {
                    throw TestFailure("wrong error: \(error)")
                }
                #expect(fileName == "students.csv")
                #expect("\(error)".hasPrefix("students.csv: another import changed the same records at the same moment; nothing was imported."))
            }
            #expect(try count(connection, "students") == 1, "the failed import must leave only the other writer's row")
            #expect(try count(connection, "imports") == 0)
        }
    }

    @Test func aDryRunPrintsTheRealImportsCountsAndWritesNothing() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            _ = try importer.load(.students, try writeCSV("students.csv", studentLines(10)))
            var lines = studentLines(13)
            lines[3] = lines[3].replacingOccurrences(of: "Surname2", with: "Surname-Changed")
            lines[6] = lines[6].replacingOccurrences(of: ",7,2024-09-02", with: ",8,2024-09-02")
            let file = try writeCSV("students.csv", lines)
            let before = try everyTable(connection)
            let dry = try importer.load(.students, file, options: ImportOptions(dryRun: true))
            #expect(try everyTable(connection) == before, "a dry run wrote to the database")
            #expect(dry.dryRun && dry.rejectsFile == nil)
            #expect((dry.rowsRead, dry.inserted, dry.updated, dry.unchanged, dry.rejected) == (13, 3, 2, 8, 0))
            #expect(dry.line.hasPrefix("students.csv (dry run, nothing written): 13 rows read, would insert 3, update 2, leave 8 unchanged, reject 0 ("))
            let real = try importer.load(.students, file)
            #expect(!real.dryRun)
            #expect((real.rowsRead, real.inserted, real.updated, real.unchanged, real.rejected) == (13, 3, 2, 8, 0))
            #expect(try count(connection, "students") == 13)
        }
    }

    @Test func aDryRunOfAttendanceCreatesNoPartitionAndKeepsNoMarks() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            _ = try importer.load(.students, try writeCSV("students.csv", studentLines(3)))
            var lines = ["student,date,session,code"]
            for student in 0..<3 {
                for date in ["2025-01-06", "2025-01-07"] {
                    for half in ["AM", "PM"] { lines.append("\(testUPN(student)),\(date),\(half),/") }
                }
            }
            let file = try writeCSV("attendance.csv", lines)
            let before = try everyTable(connection)
            let dry = try importer.load(.attendance, file, options: ImportOptions(dryRun: true))
            #expect(try everyTable(connection) == before, "a dry run wrote to the database")
            #expect((dry.rowsRead, dry.inserted, dry.updated, dry.unchanged) == (12, 12, 0, 0))
            let real = try importer.load(.attendance, file)
            #expect((real.rowsRead, real.inserted, real.updated, real.unchanged) == (12, 12, 0, 0))
            #expect(try count(connection, "attendance_marks") == 12)
        }
    }

    @Test func aDryRunWithSkipInvalidCountsRejectsButWritesNoRejectsFile() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            var lines = studentLines(5)
            lines[2] = lines[2].replacingOccurrences(of: testUPN(1), with: upnWithWrongCheckLetter(1))
            let file = try writeCSV("students.csv", lines)
            let before = try everyTable(connection)
            let dry = try Importer(connection: connection).load(.students, file, options: ImportOptions(skipInvalid: true, dryRun: true))
            #expect((dry.inserted, dry.rejected) == (4, 1))
            #expect(try everyTable(connection) == before)
            let defaultRejects = file.deletingPathExtension().appendingPathExtension("rejects").appendingPathExtension("csv")
            #expect(!FileManager.default.fileExists(atPath: defaultRejects.path))
        }
    }

    /// A file with one invalid row, so that --skip-invalid has a rejected row to write.
    func fileWithOneBadRow() throws -> URL {
        var lines = studentLines(3)
        lines[1] = lines[1].replacingOccurrences(of: testUPN(0), with: upnWithWrongCheckLetter(0))
        return try writeCSV("students.csv", lines)
    }

    @Test func rejectsRefusesTheInputFileByAnyPath() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let file = try fileWithOneBadRow()
            let original = try Data(contentsOf: file)
            let link = file.deletingLastPathComponent().appendingPathComponent("link-to-students.csv")
            try FileManager.default.createSymbolicLink(at: link, withDestinationURL: file)
            let otherName = URL(fileURLWithPath: file.deletingLastPathComponent().path + "/./../" + file.deletingLastPathComponent().lastPathComponent + "/students.csv")
            for destination in [file, link, otherName] {
                for replace in [false, true] {
                    do {
                        _ = try Importer(connection: connection).load(
                            .students, file, options: ImportOptions(skipInvalid: true, rejectsURL: destination, replaceRejects: replace))
                        throw TestFailure("--rejects \(destination.path) overwrote the input")
                    } catch ImportError.rejectsIsInput(let fileName, let path) {
                        #expect(fileName == "students.csv" && path == destination.path)
                    }
                }
            }
            #expect(try Data(contentsOf: file) == original, "the input file was overwritten")
            #expect(try count(connection, "students") == 0)
            #expect(try count(connection, "imports") == 0)
        }
    }

    @Test func rejectsRefusesAnExistingFileUnlessReplacing() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let file = try fileWithOneBadRow()
            let existing = file.deletingLastPathComponent().appendingPathComponent("keep.csv")
            try "precious\n".write(to: existing, atomically: true, encoding: .utf8)
            let importer = Importer(connection: connection)
            do {
                _ = try importer.load(.students, file, options: ImportOptions(skipInvalid: true, rejectsURL: existing))
                throw TestFailure("an existing rejects file was accepted without replaceRejects")
            } catch ImportError.rejectsExists(let fileName, let path) {
                #expect(fileName == "students.csv" && path == existing.path)
            }
            #expect(try String(contentsOf: existing, encoding: .utf8) == "precious\n")
            #expect(try count(connection, "students") == 0)
            let summary = try importer.load(.students, file, options: ImportOptions(skipInvalid: true, rejectsURL: existing, replaceRejects: true))
            #expect((summary.inserted, summary.rejected) == (2, 1))
            #expect(try String(contentsOf: existing, encoding: .utf8).hasPrefix("rejected_line,rejected_because,"))
            // The default path beside the file is gaptrack's own and is replaced on the next run.
            _ = try importer.load(.students, file, options: ImportOptions(skipInvalid: true))
            let again = try importer.load(.students, file, options: ImportOptions(skipInvalid: true))
            #expect(again.rejectsFile?.lastPathComponent == "students.rejects.csv")
        }
    }

    @Test func aHeaderOnlyFileIsAnErrorForEveryKind() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            #expect(EveryImportKindTests.csvKinds.map(\.0).contains(.calendar))
            for (kind, header) in EveryImportKindTests.csvKinds {
                let file = try writeCSV("\(kind.rawValue).csv", [header])
                do {
                    _ = try Importer(connection: connection).load(kind, file)
                    throw TestFailure("a header-only \(kind.rawValue) file was imported")
                } catch let error as ImportError {
                    #expect(error.description == "\(kind.rawValue).csv has a header but no rows: nothing to import")
                }
            }
            #expect(try count(connection, "imports") == 0, "a header-only file must not enter the ledger")
        }
    }
}
