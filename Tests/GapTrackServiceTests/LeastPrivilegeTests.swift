import Foundation
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// The service's own login, gaptrack_app, on a real cluster: whatever SQL it sends — inside a
/// request's scoped transaction or outside one — it cannot widen what it sees, switch the audit
/// log's guards off or write the import ledger; and the owner's attempts are refused or recorded
/// (docs/security.md).
@Suite struct LeastPrivilegeTests {
    /// The SQLSTATE `sql` fails with, run in a savepoint when a transaction is open; nil if it succeeds.
    static func failure(_ connection: PostgresConnection, _ sql: String) throws -> String? {
        if connection.isInTransaction { return try RowLevelSecurityTests.failure(connection, sql) }
        do {
            try connection.execute(sql)
            return nil
        } catch {
            return error.sqlState ?? "client"
        }
    }

    static let insufficientPrivilege = "42501"

    /// A request's transaction as the service would open it, for provider `provider` with API role `role`.
    static func asRequest<T>(_ login: PostgresConnection, provider: Int, role: String = "admin", databaseRole: String = "gaptrack_service",
                             _ body: () throws -> T) throws -> T {
        try RowLevelSecurityTests.asScoped(login, provider: provider, role: role, databaseRole: databaseRole, body)
    }

    static func count(_ connection: PostgresConnection, _ table: String) throws -> Int {
        try connection.query("SELECT count(*) AS n FROM \(table)").single().decode("n")
    }

    @Test func afterResetRoleTheLoginReadsNothingAtAll() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let login = try PostgresConnection(conninfo: try TestDatabase.asServiceLogin(conninfo))
            #expect(try login.query("SELECT session_user::text AS u").single().decode("u", as: String.self) == ServiceLogin.name)
            let tables = ["students", "student_markers", "support_records", "attendance_marks", "assessment_results", "imports", "audit_log"]
            try Self.asRequest(login, provider: fixture.a) { () throws in
                // In scope it sees its own provider's rows only (the fixture has three students each).
                #expect(try Self.count(login, "students") == 3)
                try login.execute("RESET ROLE")
                #expect(try login.query("SELECT current_user::text AS u").single().decode("u", as: String.self) == ServiceLogin.name)
                for table in tables {
                    #expect(try Self.failure(login, "SELECT count(*) FROM \(table)") == Self.insufficientPrivilege, "\(table) after RESET ROLE")
                }
                // SET ROLE to the other service role keeps the provider's scope: no new rows appear.
                try login.execute("SET ROLE gaptrack_governor")
                #expect(try Self.count(login, "students") == 3)
                #expect(try login.query("SELECT count(*) AS n FROM students WHERE provider_id = $1", [fixture.b]).single().decode("n", as: Int.self) == 0)
            }
            // Outside any request, too.
            for table in tables {
                #expect(try Self.failure(login, "SELECT count(*) FROM \(table)") == Self.insufficientPrivilege, "\(table) outside a request")
            }
        }
    }

    @Test func theLoginCannotSwitchTriggersOffBecomeTheOwnerOrCreateObjects() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let login = try PostgresConnection(conninfo: try TestDatabase.asServiceLogin(conninfo))
            let owner: String = try PostgresConnection(conninfo: conninfo).query("SELECT current_user::text AS u").single().decode("u")
            // session_replication_role = replica would silence every ordinary trigger; PostgreSQL
            // 15 lets only a superuser set it.
            #expect(try Self.failure(login, "SET session_replication_role = replica") == Self.insufficientPrivilege)
            #expect(try Self.failure(login, "SET ROLE \(quoteIdentifier(owner))") == Self.insufficientPrivilege)
            #expect(try Self.failure(login, "CREATE TABLE scratch (a int)") == Self.insufficientPrivilege)
            #expect(try Self.failure(login, "ALTER TABLE audit_log DISABLE TRIGGER ALL") == Self.insufficientPrivilege)
            try Self.asRequest(login, provider: fixture.a) { () throws in
                #expect(try Self.failure(login, "SET LOCAL session_replication_role = replica") == Self.insufficientPrivilege)
                #expect(try Self.failure(login, "SET LOCAL ROLE \(quoteIdentifier(owner))") == Self.insufficientPrivilege)
                #expect(try Self.failure(login, "CREATE TABLE scratch (a int)") == Self.insufficientPrivilege)
                for table in ["audit_log", "imports", "support_records", "students"] {
                    #expect(try Self.failure(login, "ALTER TABLE \(table) DISABLE TRIGGER ALL") == Self.insufficientPrivilege, "\(table)")
                }
            }
            // What the login is: nothing owned, no special attributes, members of the two service roles only.
            let row = try login.query(
                """
                SELECT r.rolsuper, r.rolbypassrls, r.rolinherit, r.rolcreaterole, r.rolcreatedb,
                       (SELECT count(*) FROM pg_class WHERE relowner = r.oid) + (SELECT count(*) FROM pg_proc WHERE proowner = r.oid) AS owned,
                       (SELECT string_agg(g.rolname, ',' ORDER BY g.rolname) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                        WHERE m.member = r.oid) AS member_of
                FROM pg_roles r WHERE r.rolname = session_user
                """
            ).single()
            #expect(try row.decode("rolsuper", as: Bool.self) == false)
            #expect(try row.decode("rolbypassrls", as: Bool.self) == false)
            #expect(try row.decode("rolinherit", as: Bool.self) == false)
            #expect(try row.decode("rolcreaterole", as: Bool.self) == false)
            #expect(try row.decode("rolcreatedb", as: Bool.self) == false)
            #expect(try row.decode("owned", as: Int.self) == 0)
            #expect(try row.decode("member_of", as: String.self) == "gaptrack_governor,gaptrack_service")
        }
    }

    @Test func theServiceCannotWriteTheImportLedgerOrTheAuditLog() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let ownerConnection = try PostgresConnection(conninfo: conninfo)
            let ledgerBefore = try Self.count(ownerConnection, "imports")
            let auditBefore = try Self.count(ownerConnection, "audit_log")
            let login = try PostgresConnection(conninfo: try TestDatabase.asServiceLogin(conninfo))
            let ledgerRow = """
                INSERT INTO imports (provider_id, kind, file_name, file_sha256, file_bytes, skip_invalid, os_user, started_at, finished_at)
                VALUES (\(fixture.a), 'students', 'forged.csv', repeat('b', 64), 1, false, 'x', now(), now())
                """
            for role in ["admin", "data_lead", "staff"] {
                try Self.asRequest(login, provider: fixture.a, role: role) { () throws in
                    // It still reads its own provider's ledger (reports list the imports they rest on).
                    #expect(try Self.count(login, "imports") == 1)
                    #expect(try Self.failure(login, "UPDATE imports SET rows_read = rows_read") == Self.insufficientPrivilege, "\(role)")
                    #expect(try Self.failure(login, "DELETE FROM imports") == Self.insufficientPrivilege, "\(role)")
                    #expect(try Self.failure(login, ledgerRow) == Self.insufficientPrivilege, "\(role)")
                    #expect(try Self.failure(login, "TRUNCATE imports") == Self.insufficientPrivilege, "\(role)")
                    #expect(try Self.failure(login, "UPDATE audit_log SET actor = 'someone else'") == Self.insufficientPrivilege, "\(role)")
                    #expect(try Self.failure(login, "DELETE FROM audit_log") == Self.insufficientPrivilege, "\(role)")
                    #expect(try Self.failure(login, "INSERT INTO audit_log (actor, action, table_name, after) VALUES ('forged', 'insert', 't', '{}')")
                        == Self.insufficientPrivilege, "\(role)")
                    #expect(try Self.failure(login, "SELECT audit_log_redact(ARRAY[1::bigint], 'cover tracks')") == Self.insufficientPrivilege, "\(role)")
                }
            }
            try Self.asRequest(login, provider: fixture.a, role: "governor", databaseRole: "gaptrack_governor") { () throws in
                #expect(try Self.failure(login, "UPDATE imports SET rows_read = rows_read") == Self.insufficientPrivilege)
                #expect(try Self.failure(login, ledgerRow) == Self.insufficientPrivilege)
            }
            #expect(try Self.count(ownerConnection, "imports") == ledgerBefore)
            #expect(try Self.count(ownerConnection, "audit_log") == auditBefore)
        }
    }

    @Test func theOwnersAttemptsOnTheAuditLogAreRefusedOrRecorded() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            _ = try TwoProviders.make(conninfo: conninfo)
            let owner = try PostgresConnection(conninfo: conninfo)
            let superuser: Bool = try owner.query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").single().decode("rolsuper")
            try #require(superuser, "the schema guard needs an owner that is a superuser (as on the private cluster)")
            let entries = try Self.count(owner, "audit_log")
            let firstEntry: Int = try owner.query("SELECT min(audit_id) AS id FROM audit_log").single().decode("id")
            for statement in [
                "ALTER TABLE audit_log DISABLE TRIGGER ALL",
                "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_or_delete",
                "ALTER TABLE audit_log ENABLE REPLICA TRIGGER audit_log_no_update_or_delete",
                "DROP TRIGGER audit_log_no_update_or_delete ON audit_log",
                "ALTER TABLE imports DISABLE TRIGGER imports_no_delete",
                "GRANT INSERT ON audit_log TO gaptrack_service",
                "GRANT UPDATE ON imports TO gaptrack_app",
                "DROP TABLE audit_log CASCADE",
            ] {
                #expect(try Self.failure(owner, statement) == Self.insufficientPrivilege, "\(statement)")
            }
            // Replica mode silences ordinary triggers, but the guards are enabled ALWAYS.
            try owner.execute("SET session_replication_role = replica")
            #expect(try Self.failure(owner, "UPDATE audit_log SET actor = 'someone else'") == Self.insufficientPrivilege)
            #expect(try Self.failure(owner, "DELETE FROM audit_log") == Self.insufficientPrivilege)
            #expect(try Self.failure(owner, "TRUNCATE audit_log") == Self.insufficientPrivilege)
            #expect(try Self.failure(owner, "DELETE FROM imports") == "23001")
            try owner.execute("RESET session_replication_role")
            #expect(try Self.count(owner, "audit_log") == entries, "nothing was written by the refused attempts")

            // A change that keeps the guards is allowed, and recorded.
            // (Migrations' own changes to the ledgers are recorded too, so count from here.)
            let recordedBefore = try owner.query("SELECT count(*)::int AS n FROM audit_log WHERE table_name = 'schema'").single().decode("n") as Int
            try owner.execute("ALTER TABLE audit_log ADD COLUMN note text")
            let recorded = try owner.query(
                "SELECT action::text AS action, row_key ->> 'object' AS object, after ->> 'command' AS command, after ->> 'statement' AS statement FROM audit_log WHERE table_name = 'schema' ORDER BY audit_id DESC"
            ).rows
            #expect(recorded.count == recordedBefore + 1)
            #expect(try recorded.first?.decode("action", as: String.self) == "update")
            #expect(try recorded.first?.decode("object", as: String.self) == "public.audit_log")
            #expect(try recorded.first?.decode("command", as: String.self) == "ALTER TABLE")
            #expect(try recorded.first?.decode("statement", as: String.self) == "ALTER TABLE audit_log ADD COLUMN note text")

            // The one change to an entry: a redaction, with its reason recorded as a new entry.
            let original = try owner.query("SELECT actor, table_name, row_key::text AS key FROM audit_log WHERE audit_id = $1", [firstEntry]).single()
            #expect(try owner.query("SELECT audit_log_redact(ARRAY[$1::bigint], 'erasure request 2025-07') AS n", [firstEntry])
                .single().decode("n", as: Int.self) == 1)
            let redacted = try owner.query(
                "SELECT actor, table_name, row_key::text AS key, before, after::text AS after FROM audit_log WHERE audit_id = $1", [firstEntry]
            ).single()
            #expect(try redacted.decode("after", as: String.self) == #"{"redacted": true}"#)
            #expect(try redacted.decode("actor", as: String.self) == (try original.decode("actor", as: String.self)))
            #expect(try redacted.decode("key", as: String.self) == (try original.decode("key", as: String.self)))
            let note = try owner.query(
                "SELECT row_key::text AS key, after ->> 'reason' AS reason FROM audit_log WHERE table_name = 'audit_log'").rows
            #expect(note.count == 1)
            #expect(try note.first?.decode("key", as: String.self) == "{\"audit_ids\": [\(firstEntry)]}")
            #expect(try note.first?.decode("reason", as: String.self) == "erasure request 2025-07")
            // Redacting by hand without a reason is refused; anything but a redaction even with one.
            #expect(try Self.failure(owner, "UPDATE audit_log SET after = '{\"redacted\": true}' WHERE audit_id = \(firstEntry + 1)") == Self.insufficientPrivilege)
            try owner.execute("BEGIN")
            try owner.query("SELECT set_config('gaptrack.audit_redaction', 'a reason', true)")
            #expect(try Self.failure(owner, "UPDATE audit_log SET actor = 'someone else'") == Self.insufficientPrivilege)
            try owner.execute("ROLLBACK")
        }
    }

    /// A later numbered file may protect every provider-owned table again; for the ledger that
    /// must neither hand the service its writes back nor trip the schema guard, and it is recorded.
    @Test func protectingTheLedgerAgainKeepsItReadOnlyForTheService() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let owner = try PostgresConnection(conninfo: conninfo)
            try owner.query("SELECT gaptrack_protect_provider_table('imports')")
            try owner.query("SELECT gaptrack_protect_provider_table('support_records')")
            let writes = try owner.query(
                """
                SELECT has_table_privilege('gaptrack_service', 'imports', 'INSERT, UPDATE, DELETE, TRUNCATE') AS ledger,
                       has_table_privilege('gaptrack_service', 'support_records', 'INSERT, UPDATE, DELETE') AS records
                """).single()
            #expect(try writes.decode("ledger", as: Bool.self) == false)
            #expect(try writes.decode("records", as: Bool.self) == true)
            let recorded: [String] = try owner.query(
                "SELECT DISTINCT row_key ->> 'object_type' AS kind FROM audit_log WHERE table_name = 'schema' ORDER BY 1"
            ).rows.map { try $0.decode("kind") }
            // "table column": sql/008_import_undo.sql adds undoes_import_id to the ledger, recorded as well.
            #expect(recorded == ["policy", "table", "table column"])
        }
    }

    @Test func serveRefusesALoginThatIsTooPowerful() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let owner = try PostgresConnection(conninfo: conninfo)
            let ownerPrivileges = try ServiceLogin.privileges(owner)
            #expect(ownerPrivileges.superuser)
            #expect(ownerPrivileges.tooPowerful.contains("is a superuser"))
            #expect(throws: ServiceLoginError.tooPowerful(login: ownerPrivileges.login, reasons: ownerPrivileges.tooPowerful)) {
                try ServiceLogin.check(owner, allowOwner: false)
            }
            try ServiceLogin.check(owner, allowOwner: true)
            let message = "\(ServiceLoginError.tooPowerful(login: ownerPrivileges.login, reasons: ownerPrivileges.tooPowerful))"
            #expect(message.contains("Log in as 'gaptrack_app'"))
            #expect(message.contains("--allow-owner-login"))

            let login = try PostgresConnection(conninfo: try TestDatabase.asServiceLogin(conninfo))
            let privileges = try ServiceLogin.privileges(login)
            #expect(privileges.login == "gaptrack_app")
            #expect(privileges.tooPowerful == [])
            #expect(privileges.actsAsService)
            try ServiceLogin.check(login, allowOwner: false)

            // A login that owns the schema without being a superuser is refused too.
            let name = "gaptrack_owner_member_" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
            try owner.execute("CREATE ROLE \(name) LOGIN NOINHERIT")
            defer { _ = try? owner.execute("DROP ROLE \(name)") }
            try owner.execute("GRANT \(quoteIdentifier(ownerPrivileges.login)) TO \(name)")
            defer { _ = try? owner.execute("REVOKE \(quoteIdentifier(ownerPrivileges.login)) FROM \(name)") }
            let member = try PostgresConnection(conninfo: conninfo + " user=\(name)")
            let memberPrivileges = try ServiceLogin.privileges(member)
            #expect(memberPrivileges.ownsSchema)
            #expect(memberPrivileges.tooPowerful.contains("owns the schema (or may act as its owner)"))
        }
    }
}
