import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// `gaptrack import` as a user types it: --dry-run, --rejects with --force, and a header-only file.
@Suite("gaptrack import", .serialized)
struct ImportCommandTests {
    /// A valid UPN for pupil `serial` (LA 801, establishment 2000, year 24).
    static func upn(_ serial: Int) -> String {
        let body = "801200024" + String(format: "%03d", serial)
        return String(UPN.checkLetter(forCharacters2to13: Array(body))!) + body
    }

    static let header = "upn,legal_surname,forename,date_of_birth,gender,academic_year,year_group,start_date"

    static func pupil(_ serial: Int) -> String {
        "\(upn(serial)),Surname\(serial),Forename\(serial),2013-01-15,F,2024/25,7,2024-09-02"
    }

    /// A provider `test-school` and a folder holding `students.csv` with `lines`.
    func prepare(_ connection: PostgresConnection, _ lines: [String]) throws -> (database: [String], file: URL) {
        let database = CommandTests.databaseOption(connection)
        _ = try GapTrackCommandLine.run(
            ["provider", "add", "--code", "test-school", "--name", "Test School", "--kind", "school",
             "--urn", "123456", "--la-code", "801"] + database)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("students.csv")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        return (database, file)
    }

    func storedCount(_ connection: PostgresConnection, _ table: String) throws -> Int {
        try connection.query("SELECT count(*) AS n FROM \(table)").single().decode("n")
    }

    @Test("import --dry-run prints the counts the import then makes, and writes nothing")
    func dryRun() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let (database, file) = try prepare(connection, [Self.header] + (0..<6).map(Self.pupil))
            let dry = try GapTrackCommandLine.run(["import", "students", file.path, "--provider", "test-school", "--dry-run"] + database)
            #expect(dry.first?.hasPrefix("students.csv (dry run, nothing written): 6 rows read, would insert 6, update 0, leave 0 unchanged, reject 0 (") == true)
            #expect(try storedCount(connection, "students") == 0)
            #expect(try storedCount(connection, "imports") == 0)
            let real = try GapTrackCommandLine.run(["import", "students", file.path, "--provider", "test-school"] + database)
            #expect(real.first?.hasPrefix("students.csv: 6 rows read, 6 inserted, 0 updated, 0 unchanged, 0 rejected (") == true)
            #expect(try storedCount(connection, "students") == 6)
        }
    }

    @Test("import --rejects refuses the input file even with --force, and an existing file without it")
    func rejectsDestination() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let bad = Self.pupil(1).replacingOccurrences(of: ",2013-01-15,", with: ",2013-02-30,")
            let (database, file) = try prepare(connection, [Self.header, Self.pupil(0), bad])
            let original = try Data(contentsOf: file)
            let arguments = ["import", "students", file.path, "--provider", "test-school", "--skip-invalid"] + database
            #expect(GapTrackCommandLine.failureMessage(arguments + ["--rejects", file.path, "--force"]) != nil)
            #expect(try Data(contentsOf: file) == original)
            let existing = file.deletingLastPathComponent().appendingPathComponent("rejected.csv")
            try "keep me\n".write(to: existing, atomically: true, encoding: .utf8)
            #expect(GapTrackCommandLine.failureMessage(arguments + ["--rejects", existing.path]) != nil)
            #expect(try String(contentsOf: existing, encoding: .utf8) == "keep me\n")
            #expect(try storedCount(connection, "students") == 0)
            let forced = try GapTrackCommandLine.run(arguments + ["--rejects", existing.path, "--force"])
            #expect(forced.contains("1 rejected row written, with reasons, to \(existing.path)"))
            #expect(try storedCount(connection, "students") == 1)
        }
    }

    @Test("import of a header-only file fails and stores nothing")
    func headerOnly() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let (database, file) = try prepare(connection, [Self.header])
            #expect(GapTrackCommandLine.failureMessage(["import", "students", file.path, "--provider", "test-school"] + database) != nil)
            #expect(try storedCount(connection, "imports") == 0)
        }
    }
}
