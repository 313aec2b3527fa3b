import Foundation
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// The schema is ready to be distributed by provider (Citus; docs/scaling.md): walking the
/// catalogue of a migrated database, every provider-owned table carries `provider_id` in its
/// primary key, in each unique and exclusion constraint and unique index, and in each foreign key
/// to another provider-owned table (at the same place on both sides); every table without it is
/// a named shared catalogue (a reference table), and no shared catalogue points at a
/// provider-owned table. What does not hold yet is named below with its reason, and
/// docs/scaling.md has the plan for each; anything else fails, and so does an exception that no
/// longer occurs.
@Suite("Shard-ready schema")
struct ShardReadyTests {
    /// Shared catalogues: national code lists, calendars and figures, and the migration ledgers.
    /// Each is a reference table, copied to every node.
    static let sharedCatalogues = [
        "academic_years", "assessment_scales", "attendance_codes", "bank_holidays", "census_days", "funding_sources",
        "intervention_types", "marker_kinds", "provider_groups", "pupil_premium_tier_defaults", "restricted_marker_kinds",
        "smc_parental_occupations", "terms", "schema_migrations", "schema_definitions",
    ]

    /// Tables that carry `provider_id` but are reference tables all the same.
    static let referenceTablesWithProviderID = [
        // The directory of providers: small, read by every node's joins, and the target of every
        // provider_id foreign key; its codes, URNs and UKPRNs are unique across the deployment.
        "providers",
        // Tokens: a token is looked up by its hash on every request, before its provider is known,
        // and a group's token has no provider (015_provider_groups.sql); small, so copied to every node.
        "api_tokens",
    ]

    /// What does not hold, each with its reason (docs/scaling.md, "Shard-ready schema").
    static let exceptions: [(violation: String, reason: String)] = [
        // Entries of no provider (schema changes, group tokens) have provider_id NULL, which a
        // primary key cannot hold, and the log is append-only: kept on the coordinator.
        ("audit_log: primary key (audit_id) lacks provider_id", "append-only; entries of no provider have provider_id NULL"),
        // The machinery's own tables.
        ("data_changes: no provider_id, and not a shared catalogue", "the report cache's change log, by transaction id: local to each node"),
        ("report_snapshot_horizon: no provider_id, and not a shared catalogue", "one row per database: local to each node"),
        ("report_snapshots: no provider_id, and not a shared catalogue", "the report cache, keyed by text naming the provider; local to each node"),
        ("import_audit_scopes: no provider_id, and not a shared catalogue", "per-transaction audit scope of an import: local to the node that runs it"),
        ("web_sign_in_attempts: no provider_id, and not a shared catalogue", "throttles sign-in before the provider is known"),
    ]

    /// Every violation, one line each, found by walking pg_catalog.
    static func violations(_ connection: PostgresConnection) throws -> [String] {
        try connection.query(
            """
            WITH tables AS (
                SELECT c.oid, c.relname::text AS name,
                       EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'provider_id' AND NOT a.attisdropped)
                           AND c.relname::text <> ALL ($2) AS owned
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
            ),
            keys AS (
                SELECT t.name, t.owned, con.conname::text AS key, con.contype::text AS kind, r.name AS target,
                       coalesce(r.owned, false) AS target_owned,
                       (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
                            JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num) AS cols,
                       (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
                            JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num) AS target_cols
                FROM tables t JOIN pg_constraint con ON con.conrelid = t.oid LEFT JOIN tables r ON r.oid = con.confrelid
                WHERE con.contype IN ('p', 'u', 'x', 'f')
            )
            SELECT v FROM (
                SELECT name || ': no primary key' AS v FROM tables t
                WHERE owned AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conrelid = t.oid AND c.contype = 'p')
                UNION ALL
                SELECT name || ': ' || CASE kind WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique constraint ' || key
                                                 ELSE 'exclusion constraint ' || key END
                       || ' (' || array_to_string(cols, ', ') || ') lacks provider_id'
                FROM keys WHERE owned AND kind IN ('p', 'u', 'x') AND NOT 'provider_id' = ANY (cols)
                UNION ALL
                SELECT t.name || ': unique index ' || i.indexrelid::regclass::text || ' lacks provider_id'
                FROM tables t JOIN pg_index i ON i.indrelid = t.oid
                WHERE t.owned AND i.indisunique AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                  AND NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attname = 'provider_id' AND a.attnum = ANY (i.indkey))
                UNION ALL
                SELECT name || ': foreign key ' || key || ' (' || array_to_string(cols, ', ') || ') to ' || target || ' lacks provider_id'
                FROM keys WHERE kind = 'f' AND owned AND target_owned
                  AND NOT EXISTS (SELECT FROM generate_subscripts(cols, 1) s WHERE cols[s] = 'provider_id' AND target_cols[s] = 'provider_id')
                UNION ALL
                SELECT name || ': no provider_id, and not a shared catalogue' FROM tables WHERE NOT owned AND name <> ALL ($1) AND name <> ALL ($2)
                UNION ALL
                SELECT name || ': shared catalogue with a foreign key ' || key || ' to provider-owned ' || target
                FROM keys WHERE kind = 'f' AND NOT owned AND target_owned AND (name = ANY ($1) OR name = ANY ($2))
                UNION ALL
                SELECT name || ': named a shared catalogue but carries provider_id' FROM tables t
                WHERE name = ANY ($1) AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attname = 'provider_id' AND NOT a.attisdropped)
            ) found ORDER BY v
            """, ["{" + sharedCatalogues.joined(separator: ",") + "}", "{" + referenceTablesWithProviderID.joined(separator: ",") + "}"]
        ).rows.map { try $0.decode("v") }
    }

    @Test("every provider-owned table is keyed by provider, or is a named exception with its reason")
    func catalogueIsShardReady() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let found = try Self.violations(connection)
            let allowed = Set(Self.exceptions.map(\.violation))
            let unexpected = found.filter { !allowed.contains($0) }
            #expect(unexpected.isEmpty, "not shard-ready (key the table by provider_id, or name it with its reason): \(unexpected)")
            let stale = allowed.subtracting(found).sorted()
            #expect(stale.isEmpty, "no longer violated, so no longer an exception: \(stale)")
        }
    }

    /// A pupil at each of two providers, with a row in every pupil-level table, written as the
    /// schema before sql/022_shard_ready_keys.sql took them (no provider_id). Returns the two
    /// student ids, the first provider's first.
    static func twoProvidersPupils(_ connection: PostgresConnection) throws -> [Int] {
        var students: [Int] = []
        for (code, urn) in [("oak-school", "140001"), ("elm-school", "140002")] {
            let provider: Int = try connection.query(
                "INSERT INTO providers (code, name, kind, urn) VALUES ($1, $1, 'school', $2) RETURNING provider_id", [code, urn]
            ).single().decode("provider_id")
            let student: Int = try connection.query(
                """
                INSERT INTO students (provider_id, institution_id, legal_surname, forename, date_of_birth)
                VALUES ($1, $2, 'Khan', 'Amira', '2009-03-04') RETURNING student_id
                """, [provider, "P-" + urn]).single().decode("student_id")
            let point: Int = try connection.query(
                """
                INSERT INTO assessment_points (provider_id, subject, name, scale, academic_year, term)
                VALUES ($1, 'maths', 'mock', 'gcse', '2024/25', 'autumn') RETURNING assessment_point_id
                """, [provider]).single().decode("assessment_point_id")
            try connection.query(
                "INSERT INTO enrolments (student_id, academic_year, year_group, start_date) VALUES ($1, '2024/25', '11', '2024-09-02')", [student])
            try connection.query(
                "INSERT INTO student_markers (student_id, marker, starts_on, source) VALUES ($1, 'fsm', '2022-09-01', 'spell')", [student])
            try connection.query(
                """
                INSERT INTO assessment_results (assessment_point_id, scale, student_id, score, result_text, assessed_on)
                VALUES ($1, 'gcse', $2, 5, '5', '2024-11-20')
                """, [point, student])
            try connection.query("INSERT INTO attendance_marks (student_id, session_date, session, code) VALUES ($1, '2024-09-02', 'AM', '/')", [student])
            try connection.query(
                """
                INSERT INTO attendance_mark_history (student_id, session_date, session, code, replaced_by_code)
                VALUES ($1, '2024-09-02', 'AM', 'N', '/')
                """, [student])
            students.append(student)
        }
        return students
    }

    /// Every pupil-level row's provider_id, and its student's provider, one line each.
    static func providersOfPupilRows(_ connection: PostgresConnection) throws -> [String] {
        try connection.query(
            """
            SELECT t.name || ' ' || x.student_id || ': ' || coalesce(x.provider_id::text, 'NULL') || ' of ' || s.provider_id AS v
            FROM (SELECT 'enrolments' AS name, student_id, provider_id FROM enrolments
                  UNION ALL SELECT 'student_markers', student_id, provider_id FROM student_markers
                  UNION ALL SELECT 'assessment_results', student_id, provider_id FROM assessment_results
                  UNION ALL SELECT 'attendance_marks', student_id, provider_id FROM attendance_marks
                  UNION ALL SELECT 'attendance_mark_history', student_id, provider_id FROM attendance_mark_history) AS x
            CROSS JOIN LATERAL (SELECT x.name) AS t(name)
            JOIN students s ON s.student_id = x.student_id
            ORDER BY 1
            """).rows.map { try $0.decode("v") }
    }

    /// Leaves out the function files that wait for a numbered file after `version` (their
    /// `-- after version:` header), and every file that depends on one of them, as a database
    /// migrated only that far never had them.
    static func removeDefinitionsAfter(version: Int, in folder: URL) throws {
        func header(_ name: String, _ text: String) -> [String] {
            text.split(separator: "\n").compactMap { line -> String? in
                guard line.hasPrefix("-- \(name):") else { return nil }
                return String(line.dropFirst("-- \(name):".count))
            }
        }
        var files: [String: String] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".sql") {
            files[file] = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
        }
        var removed = Set(files.filter { _, text in
            header("after version", text).contains { (Int($0.trimmingCharacters(in: .whitespaces)) ?? 0) > version }
        }.keys)
        var grew = true
        while grew {
            let more = files.filter { file, text in
                !removed.contains(file) && header("depends on", text).flatMap { $0.split(separator: ",") }
                    .contains { removed.contains($0.trimmingCharacters(in: .whitespaces)) }
            }.keys
            grew = !more.isEmpty
            removed.formUnion(more)
        }
        for file in removed { try FileManager.default.removeItem(at: folder.appendingPathComponent(file)) }
    }

    @Test("a database that holds pupils of two providers migrates: every pupil-level row gets its student's provider, and the walk finds only the exceptions")
    func anExistingDatabaseMigrates() throws {
        let project = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let sql = project.appendingPathComponent("sql")
        let before = FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-before-022-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: sql, to: before)
        defer { try? FileManager.default.removeItem(at: before) }
        for file in try FileManager.default.contentsOfDirectory(atPath: before.path)
        where file.hasSuffix(".sql") && (Int(file.prefix(3)) ?? 0) >= 22 {
            try FileManager.default.removeItem(at: before.appendingPathComponent(file))
        }
        try Self.removeDefinitionsAfter(version: 21, in: before.appendingPathComponent("functions"))
        try TestDatabase.withEmptyDatabase { connection in
            _ = try MigrationRunner(folder: before).apply(on: connection)
            #expect(try connection.query(
                "SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'enrolments' AND column_name = 'provider_id'"
            ).single().decode("n") as Int == 0)
            // The rows go in as the old schema took them, with columns named (the provider column
            // does not exist yet); the fill trigger is 022's, so nothing fills them now.
            let students = try Self.twoProvidersPupils(connection)
            let applied = try MigrationRunner(folder: sql).apply(on: connection)
            #expect(applied.map(\.fileName).contains("022_shard_ready_keys.sql"))
            let providers: [Int] = try connection.query(
                "SELECT provider_id FROM students WHERE student_id = ANY ($1) ORDER BY student_id", [students]).rows.map { try $0.decode("provider_id") }
            // Five tables, one row each per pupil, each with its own student's provider.
            let expected = ["assessment_results", "attendance_mark_history", "attendance_marks", "enrolments", "student_markers"]
                .flatMap { table in zip(students, providers).map { "\(table) \($0.0): \($0.1) of \($0.1)" } }.sorted()
            #expect(try Self.providersOfPupilRows(connection) == expected)
            let found = try Self.violations(connection)
            #expect(found == Self.exceptions.map(\.violation).sorted())
        }
    }

    @Test("a pupil-level row names its student's provider: written without it, it gets the student's; naming another provider, it is refused")
    func aPupilRowBelongsToItsStudentsProvider() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let students = try Self.twoProvidersPupils(connection)
            let rows = try Self.providersOfPupilRows(connection)
            #expect(rows.count == 10)
            #expect(rows.allSatisfy { line in
                let parts = line.split(separator: ":")[1].split(separator: " ")
                return parts[0] == parts[2]
            })
            let otherProvider: Int = try connection.query(
                "SELECT provider_id FROM students WHERE student_id = $1", [students[1]]).single().decode("provider_id")
            for insert in [
                "INSERT INTO enrolments (provider_id, student_id, academic_year, year_group, start_date) VALUES ($2, $1, '2023/24', '10', '2023-09-04')",
                "INSERT INTO student_markers (provider_id, student_id, marker, starts_on, source) VALUES ($2, $1, 'eal', '2020-09-01', 'spell')",
                "INSERT INTO attendance_marks (provider_id, student_id, session_date, session, code) VALUES ($2, $1, '2024-09-02', 'PM', '/')",
                "INSERT INTO attendance_mark_history (provider_id, student_id, session_date, session, code, replaced_by_code) VALUES ($2, $1, '2024-09-03', 'AM', 'N', '/')",
            ] {
                #expect(try Self.foreignKeyRefuses(connection, insert, [students[0], otherProvider]))
            }
            // A result on the other provider's point is refused too, whatever provider it names.
            let otherPoint: Int = try connection.query(
                "SELECT assessment_point_id FROM assessment_points WHERE provider_id = $1", [otherProvider]).single().decode("assessment_point_id")
            #expect(try Self.foreignKeyRefuses(
                connection, "INSERT INTO assessment_results (assessment_point_id, scale, student_id, score, result_text, assessed_on) VALUES ($1, 'gcse', $2, 4, '4', '2024-11-20')",
                [otherPoint, students[0]]))
        }
    }

    /// Whether the statement is refused by a foreign key (SQLSTATE 23503), in a savepoint so the
    /// connection goes on.
    static func foreignKeyRefuses(_ connection: PostgresConnection, _ sql: String, _ parameters: [any PostgresEncodable]) throws -> Bool {
        try connection.execute("BEGIN")
        defer { _ = try? connection.execute("ROLLBACK") }
        do {
            try connection.query(sql, parameters)
            return false
        } catch let error as PostgresError {
            return error.sqlState == "23503"
        }
    }

    @Test("a new provider-owned table keyed without provider_id is found")
    func theWalkFindsANewViolation() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try connection.execute(
                """
                CREATE TABLE pupil_notes (note_id bigint PRIMARY KEY, provider_id bigint NOT NULL REFERENCES providers,
                    student_id bigint NOT NULL, UNIQUE (provider_id, student_id),
                    FOREIGN KEY (student_id, provider_id) REFERENCES students (student_id, provider_id));
                CREATE TABLE note_kinds (kind text PRIMARY KEY, note_id bigint REFERENCES pupil_notes)
                """)
            let found = Set(try Self.violations(connection))
            #expect(found.contains("pupil_notes: primary key (note_id) lacks provider_id"))
            #expect(found.contains("note_kinds: no provider_id, and not a shared catalogue"))
            #expect(!found.contains { $0.hasPrefix("pupil_notes: unique constraint") })
            #expect(!found.contains { $0.hasPrefix("pupil_notes: foreign key") })
        }
    }
}
