import Foundation
import GapTrackStore
import Postgres
import TestDatabase
import Testing

@Suite("Migrations")
struct MigrationRunnerTests {
    /// A scratch sql/ folder, so tests can change files without touching the project's own.
    /// Names starting with "functions/" go into the definitions folder.
    func makeFolder(_ files: [String: String]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("functions"), withIntermediateDirectories: true)
        for (name, sql) in files {
            try write(sql, to: name, in: folder)
        }
        return folder
    }

    func write(_ sql: String, to name: String, in folder: URL) throws {
        try sql.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func scalar(_ sql: String, on connection: PostgresConnection) throws -> String? {
        try connection.query(sql).single().decode("v")
    }

    @Test func appliesInOrderOnceAndRecordsChecksums() throws {
        let folder = try makeFolder([
            "002_add_column.sql": "ALTER TABLE things ADD COLUMN label text;",
            "001_create.sql": "CREATE TABLE things (id int PRIMARY KEY);",
            "functions/id_of.sql": "CREATE OR REPLACE FUNCTION id_of(p_id int) RETURNS int LANGUAGE sql AS $$ SELECT id FROM things WHERE id = p_id $$;",
        ])
        try TestDatabase.withEmptyDatabase { connection in
            let runner = MigrationRunner(folder: folder)
            let first = try runner.apply(on: connection)
            // A definition that names no version runs right after the baseline (001).
            #expect(first.map(\.fileName) == ["001_create.sql", "functions/id_of.sql", "002_add_column.sql"])
            #expect(try runner.apply(on: connection).isEmpty)
            let rows = try connection.query("SELECT version, name, checksum FROM schema_migrations ORDER BY version").rows
            #expect(try rows.map { try $0.decode("version") as Int } == [1, 2])
            #expect(try rows.map { try $0.decode("name") as String } == ["create", "add_column"])
            // sha256 of the file text, checked independently of the runner.
            let expected: String = try connection.query(
                "SELECT encode(sha256($1::bytea), 'hex') AS h", ["CREATE TABLE things (id int PRIMARY KEY);"]
            ).single().decode("h")
            #expect(try rows[0].decode("checksum") as String == expected)
            #expect(try runner.status(on: connection).isUpToDate)
        }
    }

    @Test func aDefinitionRunsAfterTheVersionItNamesAndBeforeLaterOnes() throws {
        let folder = try makeFolder([
            "001_create.sql": "CREATE TABLE things (id int PRIMARY KEY);",
            "002_add_column.sql": "ALTER TABLE things ADD COLUMN label text;",
            // 003 calls the function, so the function must exist before it; the function needs 002's column.
            "003_use.sql": "CREATE TABLE labels AS SELECT label_of(1) AS label;",
            "functions/label_of.sql": """
                -- after version: 2
                CREATE OR REPLACE FUNCTION label_of(p_id int) RETURNS text LANGUAGE sql AS $$ SELECT label FROM things WHERE id = p_id $$;
                """,
        ])
        try TestDatabase.withEmptyDatabase { connection in
            let applied = try MigrationRunner(folder: folder).apply(on: connection)
            #expect(applied.map(\.fileName) == ["001_create.sql", "002_add_column.sql", "functions/label_of.sql", "003_use.sql"])
        }
    }

    @Test func aDefinitionWaitsForADependencyThatWaitsForALaterVersion() throws {
        let folder = try makeFolder([
            "001_create.sql": "CREATE TABLE things (id int PRIMARY KEY);",
            "002_add_column.sql": "ALTER TABLE things ADD COLUMN label text;",
            "functions/a_caller.sql": "-- depends on: b_label.sql\nCREATE OR REPLACE FUNCTION caller() RETURNS text LANGUAGE sql AS $$ SELECT label_of(1) $$;",
            "functions/b_label.sql": "-- after version: 2\nCREATE OR REPLACE FUNCTION label_of(p_id int) RETURNS text LANGUAGE sql AS $$ SELECT label FROM things WHERE id = p_id $$;",
        ])
        try TestDatabase.withEmptyDatabase { connection in
            let applied = try MigrationRunner(folder: folder).apply(on: connection)
            #expect(applied.map(\.fileName) == ["001_create.sql", "002_add_column.sql", "functions/b_label.sql", "functions/a_caller.sql"])
        }
    }

    @Test func anAfterVersionThatNamesNoFileIsRefused() throws {
        let folder = try makeFolder([
            "001_create.sql": "SELECT 1;",
            "functions/late.sql": "-- after version: 7\nCREATE OR REPLACE FUNCTION late() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;",
        ])
        try TestDatabase.withEmptyDatabase { connection in
            #expect { try MigrationRunner(folder: folder).apply(on: connection) } throws: { error in
                guard case MigrationError.badHeader(let file, let line) = error else { return false }
                return file == "late.sql" && line == "-- after version: 7"
            }
            let ledger = try scalar("SELECT to_regclass('schema_migrations')::text AS v", on: connection)
            #expect(ledger == nil)
        }
    }

    @Test func definitionsFollowTheirDependenciesAndACycleOrMissingFileIsRefused() throws {
        let folder = try makeFolder([
            "001_create.sql": "SELECT 1;",
            "functions/a_outer.sql": "-- depends on: z_inner.sql\nCREATE OR REPLACE FUNCTION outer_f() RETURNS int LANGUAGE sql AS $$ SELECT inner_f() + 1 $$;",
            "functions/z_inner.sql": "CREATE OR REPLACE FUNCTION inner_f() RETURNS int LANGUAGE sql AS $$ SELECT 41 $$;",
        ])
        try TestDatabase.withEmptyDatabase { connection in
            let applied = try MigrationRunner(folder: folder).apply(on: connection)
            #expect(applied.map(\.fileName) == ["001_create.sql", "functions/z_inner.sql", "functions/a_outer.sql"])
            #expect(try connection.query("SELECT outer_f() AS v").single().decode("v") as Int == 42)
        }
        try write("-- depends on: a_outer.sql\nSELECT 1;", to: "functions/z_inner.sql", in: folder)
        #expect { try SchemaFiles(folder: folder).definitions() } throws: { error in
            guard case MigrationError.dependencyCycle(let files) = error else { return false }
            return files == ["a_outer.sql", "z_inner.sql", "a_outer.sql"]
        }
        try write("-- depends on: nowhere.sql\nSELECT 1;", to: "functions/z_inner.sql", in: folder)
        #expect { try SchemaFiles(folder: folder).definitions() } throws: { error in
            guard case MigrationError.missingDependency(let file, let dependency) = error else { return false }
            return file == "z_inner.sql" && dependency == "nowhere.sql"
        }
    }

    @Test func aChangedDefinitionIsAppliedAgainWithItsDependents() throws {
        let folder = try makeFolder([
            "001_create.sql": "CREATE TABLE things (id int PRIMARY KEY);",
            "functions/answer.sql": "CREATE OR REPLACE FUNCTION answer() RETURNS int LANGUAGE sql AS $$ SELECT 41 $$;",
            "functions/double_answer.sql": "-- depends on: answer.sql\nCREATE OR REPLACE FUNCTION double_answer() RETURNS int LANGUAGE sql AS $$ SELECT 2 * answer() $$;",
            "functions/unrelated.sql": "CREATE OR REPLACE FUNCTION unrelated() RETURNS int LANGUAGE sql AS $$ SELECT 7 $$;",
        ])
        try TestDatabase.withEmptyDatabase { connection in
            let runner = MigrationRunner(folder: folder)
            try runner.apply(on: connection)
            try write("CREATE OR REPLACE FUNCTION answer() RETURNS int LANGUAGE sql AS $$ SELECT 42 $$;", to: "functions/answer.sql", in: folder)
            let status = try runner.status(on: connection)
            #expect(status.definitions.map(\.state) == [.changed, .current, .current])
            #expect(status.versioned.map(\.state) != [.pending])
            let applied = try runner.apply(on: connection)
            #expect(applied.map(\.fileName) == ["functions/answer.sql", "functions/double_answer.sql"])
            #expect(try connection.query("SELECT answer() AS a, double_answer() AS d").single().decode("d") as Int == 84)
            let recorded: String = try connection.query("SELECT checksum FROM schema_definitions WHERE file_name = 'answer.sql'").single().decode("checksum")
            let expected: String = try connection.query(
                "SELECT encode(sha256($1::bytea), 'hex') AS h", ["CREATE OR REPLACE FUNCTION answer() RETURNS int LANGUAGE sql AS $$ SELECT 42 $$;"]
            ).single().decode("h")
            #expect(recorded == expected)
            #expect(try runner.apply(on: connection).isEmpty)
        }
    }

    @Test func aDefinitionWhoseResultTypeChangesIsRecreated() throws {
        let folder = try makeFolder([
            "001_create.sql": "SELECT 1;",
            "functions/answer.sql": "CREATE OR REPLACE FUNCTION answer(p_x int) RETURNS int LANGUAGE sql AS $$ SELECT p_x $$;",
        ])
        try TestDatabase.withEmptyDatabase { connection in
            let runner = MigrationRunner(folder: folder)
            try runner.apply(on: connection)
            try write("CREATE OR REPLACE FUNCTION answer(p_y int) RETURNS text LANGUAGE sql AS $$ SELECT 'n=' || p_y $$;",
                      to: "functions/answer.sql", in: folder)
            #expect(try runner.apply(on: connection).map(\.fileName) == ["functions/answer.sql"])
            #expect(try scalar("SELECT answer(5) AS v", on: connection) == "n=5")
            let signature = try scalar("SELECT string_agg(oid::regprocedure::text || ' ' || prorettype::regtype::text, ',') AS v FROM pg_proc WHERE proname = 'answer'", on: connection)
            #expect(signature == "answer(integer) text")
        }
    }

    @Test func aFunctionAPolicyUsesCannotChangeItsResultTypeSilently() throws {
        let folder = try makeFolder([
            "001_create.sql": "CREATE TABLE things (id int PRIMARY KEY);",
            "002_policy.sql": "ALTER TABLE things ENABLE ROW LEVEL SECURITY; CREATE POLICY mine ON things USING (id = current_thing());",
            "functions/current_thing.sql": "CREATE OR REPLACE FUNCTION current_thing() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;",
        ])
        try TestDatabase.withEmptyDatabase { connection in
            let runner = MigrationRunner(folder: folder)
            try runner.apply(on: connection)
            // A new body keeps the function, and the policy with it.
            try write("CREATE OR REPLACE FUNCTION current_thing() RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;", to: "functions/current_thing.sql", in: folder)
            try runner.apply(on: connection)
            #expect(try scalar("SELECT qual AS v FROM pg_policies WHERE policyname = 'mine'", on: connection) == "(id = current_thing())")
            // A new result type would need the policy dropped: refused, with the policy named, and nothing changed.
            try write("CREATE OR REPLACE FUNCTION current_thing() RETURNS bigint LANGUAGE sql AS $$ SELECT 3 $$;", to: "functions/current_thing.sql", in: folder)
            #expect { try runner.apply(on: connection) } throws: { error in
                guard case MigrationError.definitionInUse(let file, let detail) = error else { return false }
                return file == "current_thing.sql" && detail.contains("policy mine")
            }
            #expect(try scalar("SELECT current_thing()::text AS v", on: connection) == "2")
            #expect(try runner.status(on: connection).definitions.map(\.state) == [.changed])
        }
    }

    @Test func aNewVersionedFileApplies() throws {
        let folder = try makeFolder(["001_create.sql": "CREATE TABLE things (id int);"])
        try TestDatabase.withEmptyDatabase { connection in
            let runner = MigrationRunner(folder: folder)
            try runner.apply(on: connection)
            try write("CREATE INDEX things_id_idx ON things (id);", to: "002_index.sql", in: folder)
            #expect(try runner.status(on: connection).versioned.map(\.state).last == .pending)
            #expect(try runner.apply(on: connection).map(\.fileName) == ["002_index.sql"])
            #expect(try scalar("SELECT to_regclass('things_id_idx')::text AS v", on: connection) == "things_id_idx")
        }
    }

    @Test func aChangedAppliedMigrationIsRejected() throws {
        let folder = try makeFolder(["001_create.sql": "CREATE TABLE things (id int);"])
        try TestDatabase.withEmptyDatabase { connection in
            let runner = MigrationRunner(folder: folder)
            try runner.apply(on: connection)
            try write("CREATE TABLE things (id bigint);", to: "001_create.sql", in: folder)
            #expect {
                try runner.apply(on: connection)
            } throws: { error in
                guard case MigrationError.appliedFileChanged(let version, let fileName) = error else { return false }
                return version == 1 && fileName == "001_create.sql"
            }
            #expect(throws: MigrationError.self) { try runner.status(on: connection) }
        }
    }

    @Test func aFailingFileLeavesNoTraceAndStopsTheRun() throws {
        let folder = try makeFolder([
            "001_good.sql": "CREATE TABLE good (id int);",
            "002_bad.sql": "CREATE TABLE half (id int); SELECT * FROM no_such_table;",
            "003_later.sql": "CREATE TABLE later (id int);",
        ])
        try TestDatabase.withEmptyDatabase { connection in
            #expect { try MigrationRunner(folder: folder).apply(on: connection) } throws: { error in
                guard case MigrationError.failed(let fileName, _) = error else { return false }
                return fileName == "002_bad.sql"
            }
            // One transaction: not even the good file or the ledgers remain.
            let tables = try scalar("SELECT string_agg(tablename, ',' ORDER BY tablename) AS v FROM pg_tables WHERE schemaname = 'public'", on: connection)
            #expect(tables == nil)
            let status = try MigrationRunner(folder: folder).status(on: connection)
            #expect(status.versioned.map(\.state) == [.pending, .pending, .pending])
        }
    }

    /// Roles are shared by the cluster's databases; a migration that alters one, run in several
    /// databases at once, can meet PostgreSQL's "tuple concurrently updated" (XX000).
    /// The sleep holds each run's row version open so that the runs overlap.
    @Test func databasesMigratedAtOnceThatAlterTheSameRoleAllLand() throws {
        let role = "gaptrack_migration_race"
        let folder = try makeFolder([
            "001_role.sql": """
                DO $$ BEGIN
                    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '\(role)') THEN CREATE ROLE \(role) NOLOGIN; END IF;
                EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
                END $$;
                ALTER ROLE \(role) NOLOGIN NOINHERIT;
                SELECT pg_sleep(0.2);
                CREATE TABLE things (id int PRIMARY KEY);
                """,
        ])
        #expect(migrateFreshDatabasesAtOnce(count: 4, folder: folder) == Array(repeating: "applied", count: 4))
    }

    /// The baseline creates its roles only when missing, as this file does. Two databases
    /// migrated at once can both find the role missing; the second `CREATE ROLE` then fails on
    /// pg_authid's unique index (23505), or as "already exists" (42710) once the first has
    /// committed; the runner tries again and finds the role made.
    /// The sleep between the check and the creation makes the runs meet every time.
    @Test func databasesMigratedAtOnceThatCreateTheSameRoleAllLand() throws {
        let role = "gaptrack_create_race_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let folder = try makeFolder([
            "001_role.sql": """
                DO $$ BEGIN
                    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '\(role)') THEN
                        PERFORM pg_sleep(0.3);
                        CREATE ROLE \(role) NOLOGIN;
                    END IF;
                END $$;
                CREATE TABLE things (id int PRIMARY KEY);
                """,
        ])
        defer { _ = try? TestDatabase.adminConnection().execute("DROP ROLE IF EXISTS \(role)") }
        #expect(migrateFreshDatabasesAtOnce(count: 3, folder: folder) == Array(repeating: "applied", count: 3))
    }

    /// Migrates `count` new empty databases at once with the files of `folder` (a single
    /// `001_role.sql`), one outcome each: "applied", or the error.
    private func migrateFreshDatabasesAtOnce(count: Int, folder: URL) -> [String] {
        let outcomes = LockedResults()
        DispatchQueue.concurrentPerform(iterations: count) { _ in
            do {
                try TestDatabase.withEmptyDatabase { connection in
                    let applied = try MigrationRunner(folder: folder).apply(on: connection)
                    outcomes.append(applied.map(\.fileName) == ["001_role.sql"] ? "applied" : "applied \(applied.map(\.fileName))")
                }
            } catch {
                outcomes.append("\(error)")
            }
        }
        return outcomes.all
    }

    @Test func badFileNamesAreRejected() throws {
        let folder = try makeFolder(["create_things.sql": "SELECT 1;"])
        #expect(throws: MigrationError.self) { try SchemaFiles(folder: folder).versioned() }
    }

    @Test func aDatabaseBuiltByTheOldChainIsToldToBeRecreated() throws {
        try TestDatabase.withEmptyDatabase { connection in
            try connection.execute(
                """
                CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                                                applied_at timestamptz NOT NULL DEFAULT now());
                INSERT INTO schema_migrations (version, name, checksum) VALUES (1, 'providers_students_terms', repeat('a', 64)),
                                                                            (90, 'impact_shared_cohort', repeat('b', 64));
                """)
            let runner = MigrationRunner(folder: TestDatabase.migrationsFolder)
            #expect { try runner.apply(on: connection) } throws: { error in
                guard case MigrationError.builtByOldChain = error else { return false }
                return "\(error)".contains("Recreate it")
            }
            #expect(throws: MigrationError.self) { try runner.status(on: connection) }
        }
    }

    @Test func theProjectsOwnFilesApplyCleanlyTwice() throws {
        try TestDatabase.withEmptyDatabase { connection in
            let runner = MigrationRunner(folder: TestDatabase.migrationsFolder)
            let applied = try runner.apply(on: connection)
            let files = SchemaFiles(folder: TestDatabase.migrationsFolder)
            #expect(applied.count == (try files.versioned().count) + (try files.definitions().count))
            #expect(try runner.apply(on: connection).isEmpty)
            let status = try runner.status(on: connection)
            #expect(status.isUpToDate && !status.definitions.isEmpty && !status.versioned.isEmpty)
            // The UPN check in SQL agrees with the worked example in docs/methodology.md §2.
            let valid: Bool = try connection.query("SELECT upn_is_valid($1) AS ok", ["B801200005001"]).single().decode("ok")
            let wrongLetter: Bool = try connection.query("SELECT upn_is_valid($1) AS ok", ["C801200005001"]).single().decode("ok")
            #expect(valid && !wrongLetter)
        }
    }

    /// Cached reports rest on the report functions, so re-applying a definition file must invalidate them.
    @Test func theReportCacheVersionCoversDefinitionFiles() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let before = try scalar("SELECT report_snapshot_schema_version() AS v", on: connection)
            try connection.execute("UPDATE schema_definitions SET checksum = repeat('0', 64) WHERE file_name = 'report_attainment.sql'")
            let after = try scalar("SELECT report_snapshot_schema_version() AS v", on: connection)
            #expect(before != nil && after != nil && before != after)
        }
    }

    @Test func everyFunctionIsDefinedInExactlyOneFile() throws {
        let files = SchemaFiles(folder: TestDatabase.migrationsFolder)
        var definedIn: [String: [String]] = [:]
        for definition in try files.definitions() {
            for name in definition.functionNames { definedIn[name, default: []].append(definition.fileName) }
        }
        for migration in try files.versioned() {
            #expect(!migration.sql.localizedCaseInsensitiveContains("CREATE FUNCTION")
                    && !migration.sql.localizedCaseInsensitiveContains("CREATE OR REPLACE FUNCTION"),
                    "\(migration.fileName) defines a function; functions belong in sql/functions/")
        }
        #expect(definedIn.count > 50)
        #expect(definedIn.filter { $0.value.count > 1 }.isEmpty)
    }
}

/// Outcomes gathered from concurrent runs.
private final class LockedResults: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String] = []
    func append(_ value: String) { lock.withLock { values.append(value) } }
    var all: [String] { lock.withLock { values } }
}
