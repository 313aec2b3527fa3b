import Foundation
import Postgres
import SchemaMigrations
import TestDatabase
import Testing

@Suite("Migrations")
struct MigrationRunnerTests {
    /// A scratch folder of migration files, so tests can change them without touching sql/.
    func makeFolder(_ files: [String: String]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, sql) in files {
            try sql.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return folder
    }

    @Test func appliesInOrderOnceAndRecordsChecksums() throws {
        let folder = try makeFolder([
            "002_add_column.sql": "ALTER TABLE things ADD COLUMN label text;",
            "001_create.sql": "CREATE TABLE things (id int PRIMARY KEY);",
        ])
        try TestDatabase.withEmptyDatabase { connection in
            let runner = MigrationRunner(folder: folder)
            let first = try runner.apply(on: connection)
            #expect(first.map(\.version) == [1, 2])
            let second = try runner.apply(on: connection)
            #expect(second.isEmpty)
            let rows = try connection.query("SELECT version, name, checksum FROM schema_migrations ORDER BY version").rows
            #expect(try rows.map { try $0.decode("version") as Int } == [1, 2])
            #expect(try rows.map { try $0.decode("name") as String } == ["create", "add_column"])
            // sha256 of the file text, checked independently of the runner.
            let expected: String = try connection.query(
                "SELECT encode(sha256($1::bytea), 'hex') AS h", ["CREATE TABLE things (id int PRIMARY KEY);"]
            ).single().decode("h")
            #expect(try rows[0].decode("checksum") as String == expected)
            #expect(try runner.status(on: connection).allSatisfy { if case .applied = $0.state { true } else { false } })
        }
    }

    @Test func aChangedAppliedMigrationIsRejected() throws {
        let folder = try makeFolder(["001_create.sql": "CREATE TABLE things (id int);"])
        try TestDatabase.withEmptyDatabase { connection in
            let runner = MigrationRunner(folder: folder)
            try runner.apply(on: connection)
            try "CREATE TABLE things (id bigint);".write(to: folder.appendingPathComponent("001_create.sql"), atomically: true, encoding: .utf8)
            #expect {
                try runner.apply(on: connection)
            } throws: { error in
                guard case MigrationError.appliedFileChanged(let version, let fileName) = error else { return false }
                return version == 1 && fileName == "001_create.sql"
            }
            #expect(throws: MigrationError.self) { try runner.status(on: connection) }
        }
    }

    @Test func aFailingMigrationLeavesNoTraceAndStopsTheRun() throws {
        let folder = try makeFolder([
            "001_good.sql": "CREATE TABLE good (id int);",
            "002_bad.sql": "CREATE TABLE half (id int); SELECT * FROM no_such_table;",
            "003_later.sql": "CREATE TABLE later (id int);",
        ])
        try TestDatabase.withEmptyDatabase { connection in
            #expect(throws: MigrationError.self) { try MigrationRunner(folder: folder).apply(on: connection) }
            let tables = try connection.query(
                "SELECT string_agg(tablename, ',' ORDER BY tablename) AS t FROM pg_tables WHERE schemaname = 'public'"
            ).single().decode("t") as String
            #expect(tables == "good,schema_migrations")
            let status = try MigrationRunner(folder: folder).status(on: connection)
            #expect(status.map(\.state).filter { $0 == .pending }.count == 2)
        }
    }

    @Test func badFileNamesAreRejected() throws {
        let folder = try makeFolder(["create_things.sql": "SELECT 1;"])
        #expect(throws: MigrationError.self) { try MigrationRunner(folder: folder).migrations() }
    }

    @Test func theProjectsOwnMigrationsApplyCleanlyTwice() throws {
        try TestDatabase.withEmptyDatabase { connection in
            let runner = MigrationRunner(folder: TestDatabase.migrationsFolder)
            let applied = try runner.apply(on: connection)
            #expect(!applied.isEmpty)
            #expect(try runner.apply(on: connection).isEmpty)
            // The UPN check in SQL agrees with the worked example in the domain notes.
            let valid: Bool = try connection.query("SELECT upn_is_valid($1) AS ok", ["B801200005001"]).single().decode("ok")
            let wrongLetter: Bool = try connection.query("SELECT upn_is_valid($1) AS ok", ["C801200005001"]).single().decode("ok")
            #expect(valid && !wrongLetter)
        }
    }
}
