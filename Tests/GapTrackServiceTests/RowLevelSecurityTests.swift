import Foundation
import GapTrackStore
import Postgres
import Testing

/// Row-level security, tested in SQL on every provider-owned table found in the catalogue, so that a
/// table added without a policy (or without fixture rows) fails here rather than leaking.
@Suite struct RowLevelSecurityTests {
    /// Tables with a provider_id or student_id column, except partitions (reached through their
    /// parent) and the audit log (its own, admin-only policy is tested separately).
    static func providerOwnedTables(_ connection: PostgresConnection) throws -> [String] {
        try connection.query(
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            -- provider_data_changes: the report cache's change log by provider (sql/021_shard_ready.sql),
            -- which no role but the owner reads or writes; student_census_facts: derived facts the
            -- service roles only read, by their provider (sql/029_student_census_facts.sql; StudentCensusFactsTests).
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
              AND c.relname NOT IN ('audit_log', 'provider_data_changes', 'student_census_facts')
              AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname IN ('provider_id', 'student_id')
                          AND a.attnum > 0 AND NOT a.attisdropped)
            ORDER BY c.relname
            """
        ).rows.map { try $0.decode("relname") }
    }

    /// A WHERE condition selecting the rows of `provider` in `table`. It names the provider's
    /// students by their ids, read here as the owner: a subquery on students would itself be
    /// filtered by row-level security inside a scoped session and select nothing.
    static func belongsTo(_ table: String, _ provider: Int, _ connection: PostgresConnection) throws -> String {
        let hasProvider: Bool = try connection.query(
            "SELECT EXISTS (SELECT FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'provider_id') AS has",
            [table]
        ).single().decode("has")
        if hasProvider { return "provider_id = \(provider)" }
        let ids: String = try connection.query(
            "SELECT coalesce(string_agg(student_id::text, ','), '0') AS ids FROM students WHERE provider_id = $1", [provider]
        ).single().decode("ids")
        return "student_id IN (\(ids))"
    }

    static func scope(_ connection: PostgresConnection, provider: Int, role: String, databaseRole: String = "gaptrack_service") throws {
        try connection.query(
            "SELECT set_config('role', $1, true), set_config('gaptrack.provider_id', $2, true), set_config('gaptrack.role', $3, true)",
            [databaseRole, String(provider), role])
    }

    /// Runs `body` in a transaction that is always rolled back, as the scoped role.
    static func asScoped<T>(
        _ connection: PostgresConnection, provider: Int, role: String, databaseRole: String = "gaptrack_service",
        _ body: () throws -> T
    ) throws -> T {
        try connection.execute("BEGIN")
        defer { try? connection.execute("ROLLBACK") }
        try scope(connection, provider: provider, role: role, databaseRole: databaseRole)
        return try body()
    }

    /// The SQLSTATE of what `statement` throws inside a savepoint, or nil if it succeeds.
    static func failure(_ connection: PostgresConnection, _ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> String? {
        try connection.execute("SAVEPOINT attempt")
        let outcome = Result { () throws(PostgresError) in try connection.query(sql, parameters) }
        switch outcome {
        case .success:
            try connection.execute("RELEASE SAVEPOINT attempt")
            return nil
        case .failure(let error):
            try connection.execute("ROLLBACK TO SAVEPOINT attempt")
            return error.sqlState ?? "client"
        }
    }

    @Test func everyProviderOwnedTableHasAPolicyAndAuditTriggers() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let connection = try PostgresConnection(conninfo: conninfo)
            let tables = try Self.providerOwnedTables(connection)
            // The tables the schema had when this was written; a new one must join them (and the fixture).
            for expected in ["students", "support_records", "attendance_marks", "student_markers", "assessment_results", "api_tokens"] {
                #expect(tables.contains(expected), "\(expected) should be found as provider-owned")
            }
            for table in tables {
                let row = try connection.query(
                    """
                    SELECT c.relrowsecurity AS rls,
                           EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'provider_isolation'
                                   AND 'gaptrack_service'::regrole = ANY (p.polroles)
                                   AND 'gaptrack_governor'::regrole = ANY (p.polroles)) AS policy,
                           (SELECT count(*) FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname LIKE 'gaptrack_audit_%') AS audit_triggers
                    FROM pg_class c WHERE c.oid = $1::regclass
                    """, [table]
                ).single()
                #expect(try row.decode("rls", as: Bool.self), "\(table) must have row-level security enabled")
                #expect(try row.decode("policy", as: Bool.self), "\(table) must have the provider_isolation policy for both service roles")
                #expect(try row.decode("audit_triggers", as: Int.self) == 3, "\(table) must have the three audit triggers")
            }
            // The service roles cannot bypass row-level security, and do not own the tables.
            let roles = try connection.query(
                "SELECT rolname, rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname IN ('gaptrack_service', 'gaptrack_governor')"
            ).rows
            #expect(roles.count == 2)
            for role in roles {
                #expect(try role.decode("rolsuper", as: Bool.self) == false)
                #expect(try role.decode("rolbypassrls", as: Bool.self) == false)
                #expect(try role.decode("rolcanlogin", as: Bool.self) == false)
            }
        }
    }

    @Test func aSessionForOneProviderCanNeitherSeeNorChangeAnotherProvidersRows() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let connection = try PostgresConnection(conninfo: conninfo)
            // The import journal grants the service nothing at all (sql/008_import_undo.sql).
            let tables = try Self.providerOwnedTables(connection).filter { $0 != "import_changes" }
            // Make both providers own at least one row of api_tokens too.
            _ = try fixture.token("school-a", .admin)
            _ = try fixture.token("school-b", .admin)

            let studentOfB: Int = try connection.query(
                "SELECT min(student_id) AS id FROM students WHERE provider_id = $1", [fixture.b]).single().decode("id")
            for table in tables {
                let ofA = try Self.belongsTo(table, fixture.a, connection)
                let ofB = try Self.belongsTo(table, fixture.b, connection)
                let countA: Int = try connection.query("SELECT count(*) AS n FROM \(table) WHERE \(ofA)").single().decode("n")
                let countB: Int = try connection.query("SELECT count(*) AS n FROM \(table) WHERE \(ofB)").single().decode("n")
                #expect(countA > 0 && countB > 0, "the fixture must put rows of both providers in \(table); extend TwoProviders")
                guard countA > 0, countB > 0 else { continue }
                let sampleB: String = try connection.query("SELECT to_jsonb(t)::text AS doc FROM \(table) t WHERE \(ofB) LIMIT 1").single().decode("doc")
                // Columns an INSERT may name: not identity, not generated.
                let insertable: [String] = try connection.query(
                    """
                    SELECT attname FROM pg_attribute
                    WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attidentity = '' AND attgenerated = ''
                    ORDER BY attnum
                    """, [table]
                ).rows.map { try $0.decode("attname") }
                let columnList = insertable.map { "\"\($0)\"" }.joined(separator: ", ")

                for role in ["admin", "data_lead", "staff", "governor"] {
                    let databaseRole = role == "governor" ? "gaptrack_governor" : "gaptrack_service"
                    try Self.asScoped(connection, provider: fixture.a, role: role, databaseRole: databaseRole) {
                        let visibleB: Int = try connection.query("SELECT count(*) AS n FROM \(table) WHERE \(ofB)").single().decode("n")
                        #expect(visibleB == 0, "\(role) of A sees \(visibleB) of B's rows in \(table)")
                        let visibleAll: Int = try connection.query("SELECT count(*) AS n FROM \(table)").single().decode("n")
                        #expect(visibleAll <= countA, "\(role) of A sees more rows of \(table) than A has")

                        // Updating or deleting B's rows finds nothing to change (or is not allowed at all).
                        let firstColumn = insertable.first!
                        if try Self.failure(connection, "UPDATE \(table) SET \"\(firstColumn)\" = \"\(firstColumn)\" WHERE \(ofB)") == nil {
                            let changed: Int = try connection.query("SELECT count(*) AS n FROM \(table) WHERE \(ofB)").single().decode("n")
                            #expect(changed == 0)
                        }
                        let deleteState = try Self.failure(connection, "DELETE FROM \(table) WHERE \(ofB)")
                        #expect(deleteState == nil || deleteState == "42501", "DELETE on \(table) failed with \(deleteState ?? "")")

                        // Inserting a copy of one of B's rows is refused.
                        let insertState = try Self.failure(
                            connection,
                            "INSERT INTO \(table) (\(columnList)) SELECT \(columnList) FROM jsonb_populate_record(NULL::\(table), $1::jsonb)",
                            [sampleB])
                        #expect(insertState == "42501", "\(role) of A inserting B's row into \(table) gave \(insertState ?? "success")")

                        // Moving one of A's rows to B is refused.
                        let mayUpdate: Bool = try connection.query(
                            "SELECT has_table_privilege($1, $2, 'UPDATE') AS may", [databaseRole, table]).single().decode("may")
                        if visibleAll > 0, mayUpdate {
                            let move = try Self.belongsTo(table, 0, connection).hasPrefix("provider_id")
                                ? "UPDATE \(table) SET provider_id = \(fixture.b)"
                                : "UPDATE \(table) SET student_id = \(studentOfB)"
                            let moveState = try Self.failure(connection, move)
                            #expect(moveState == "42501", "moving \(role) of A's rows of \(table) to B gave \(moveState ?? "success")")
                        }
                    }
                }
                // B's rows are all still there.
                let afterB: Int = try connection.query("SELECT count(*) AS n FROM \(table) WHERE \(ofB)").single().decode("n")
                #expect(afterB == countB)
            }
        }
    }

    /// A foreign key is checked without row-level security, so the policy itself must refuse a row
    /// of A's that points at B's: here, A's student's result on B's assessment point.
    @Test func aRowCannotPointAtAnotherProvidersRow() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let connection = try PostgresConnection(conninfo: conninfo)
            let pointOfB: Int = try connection.query(
                "SELECT assessment_point_id AS id FROM assessment_points WHERE provider_id = $1", [fixture.b]).single().decode("id")
            let studentOfA: Int = try connection.query(
                "SELECT student_id FROM students WHERE upn = $1", [fixture.studentA]).single().decode("student_id")
            let importOfB: Int = try connection.query(
                "SELECT import_id FROM imports WHERE provider_id = $1", [fixture.b]).single().decode("import_id")
            try Self.asScoped(connection, provider: fixture.a, role: "admin") { () throws in
                #expect(try Self.failure(
                    connection,
                    "INSERT INTO assessment_results (assessment_point_id, scale, student_id, score, result_text, assessed_on) VALUES ($1, 'gcse', $2, 4, '4', '2024-11-21')",
                    [pointOfB, studentOfA]) == "42501")
                #expect(try Self.failure(
                    connection, "UPDATE support_records SET import_id = $1 WHERE provider_id = $2", [importOfB, fixture.a]) == "42501")
                // The same row on A's own point is accepted.
                #expect(try Self.failure(
                    connection,
                    """
                    INSERT INTO assessment_results (assessment_point_id, scale, student_id, score, result_text, assessed_on)
                    SELECT assessment_point_id, 'gcse', $1, 4, '4', '2024-11-21' FROM assessment_points
                    ON CONFLICT DO NOTHING
                    """, [studentOfA]) == nil)
            }
        }
    }

    @Test func staffSeeNoRestrictedRecordsAndCannotWriteThem() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let connection = try PostgresConnection(conninfo: conninfo)
            func counts(_ role: String) throws -> (markers: Int, support: Int) {
                try Self.asScoped(connection, provider: fixture.a, role: role) {
                    (try connection.query("SELECT count(*) AS n FROM student_markers WHERE marker = 'looked_after'").single().decode("n"),
                     try connection.query("SELECT count(*) AS n FROM support_records WHERE restricted").single().decode("n"))
                }
            }
            #expect(try counts("data_lead") == (1, 1))
            #expect(try counts("admin") == (1, 1))
            #expect(try counts("staff") == (0, 0))
            try Self.asScoped(connection, provider: fixture.a, role: "staff") {
                let student: Int = try connection.query(
                    "SELECT student_id FROM students WHERE upn = $1", [fixture.studentA]).single().decode("student_id")
                #expect(try Self.failure(
                    connection, "INSERT INTO student_markers (student_id, marker, starts_on, source) VALUES ($1, 'young_carer', '2024-01-01', 'spell')",
                    [student]) == "42501")
                #expect(try Self.failure(
                    connection, "INSERT INTO support_records (student_id, provider_id, type, starts_on, restricted) VALUES ($1, $2, 'tutoring', '2024-10-01', true)",
                    [student, fixture.a]) == "42501")
                // A care-experienced transition programme is restricted whatever the caller says.
                #expect(try Self.failure(
                    connection, "INSERT INTO support_records (student_id, provider_id, type, starts_on) VALUES ($1, $2, 'care_experienced_transition', '2024-10-01')",
                    [student, fixture.a]) == "42501")
                // Ordinary markers and support are fine.
                #expect(try Self.failure(
                    connection, "INSERT INTO support_records (student_id, provider_id, type, starts_on) VALUES ($1, $2, 'mentoring', '2024-10-01')",
                    [student, fixture.a]) == nil)
            }
        }
    }

    @Test func theAuditLogIsAppendOnlyAndAdminsReadOnlyTheirOwn() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let connection = try PostgresConnection(conninfo: conninfo)
            let total: Int = try connection.query("SELECT count(*) AS n FROM audit_log").single().decode("n")
            #expect(total > 0)
            // Even the owner cannot change or remove entries.
            try connection.execute("BEGIN")
            #expect(try Self.failure(connection, "UPDATE audit_log SET actor = 'someone else'") == "42501")
            #expect(try Self.failure(connection, "DELETE FROM audit_log") == "42501")
            #expect(try Self.failure(connection, "TRUNCATE audit_log") == "42501")
            try connection.execute("ROLLBACK")
            // The fixture's re-recorded mark was logged with its before and after.
            let change = try connection.query(
                """
                SELECT actor, before ->> 'code' AS before, after ->> 'code' AS after, provider_id FROM audit_log
                WHERE table_name = 'attendance_marks' AND action = 'update' ORDER BY audit_id LIMIT 1
                """
            ).single()
            #expect(try change.decode("actor", as: String.self) == "test:fixture")
            #expect(try change.decode("before", as: String.self) == "N")
            #expect(try change.decode("after", as: String.self) == "I")
            #expect(try change.decode("provider_id", as: Int.self) == fixture.a)

            for role in ["admin", "data_lead", "staff"] {
                try Self.asScoped(connection, provider: fixture.a, role: role) {
                    let visible: Int = try connection.query("SELECT count(*) AS n FROM audit_log").single().decode("n")
                    let foreign: Int = try connection.query(
                        "SELECT count(*) AS n FROM audit_log WHERE provider_id IS DISTINCT FROM $1", [fixture.a]).single().decode("n")
                    #expect(foreign == 0)
                    if role == "admin" { #expect(visible > 0) } else { #expect(visible == 0) }
                    #expect(try Self.failure(connection, "INSERT INTO audit_log (actor, action, table_name, after) VALUES ('x', 'insert', 't', '{}')") == "42501")
                }
            }
        }
    }
}
