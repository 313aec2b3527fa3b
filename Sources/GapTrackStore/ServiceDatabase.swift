import Postgres

/// The statements the service's connection pool and health check send, so that the service
/// itself holds no SQL.
public enum ServiceDatabase {
    /// One round trip; throws when the server does not answer.
    public static func ping(_ connection: PostgresConnection) throws {
        _ = try connection.query("SELECT 1")
    }

    /// Whether the database has the service's tables and functions (`gaptrack migrate` adds them).
    public static func isMigrated(_ connection: PostgresConnection) throws -> Bool {
        try connection.query("SELECT to_regprocedure('gaptrack_authenticate(text)') IS NOT NULL AS present").single().decode("present")
    }

    /// Bounds every statement of the service's transactions (docs/architecture.md: a request runs
    /// as one transaction on a pooled connection): a statement running longer than `statement`, or
    /// waiting for a lock longer than `lock`, is cancelled and its transaction rolled back; a
    /// transaction left idle longer than `idleInTransaction` ends the session, so a connection can
    /// never hold a transaction (and its locks) open for good. Whole milliseconds, 0 meaning no
    /// limit. Transaction-local (`set_config(..., true)`, as `SET LOCAL`), sent with each BEGIN, never for the session: behind a
    /// transaction-pooling PgBouncer a session setting would stay on whichever server session
    /// ran it and reach other clients' transactions, while the next transaction of this
    /// connection might run without it (docs/scaling.md).
    public static func limitTransactions(_ connection: PostgresConnection, statementMilliseconds: Int, lockMilliseconds: Int, idleInTransactionMilliseconds: Int) {
        connection.transactionSettings = [
            ("statement_timeout", statementMilliseconds), ("lock_timeout", lockMilliseconds),
            ("idle_in_transaction_session_timeout", idleInTransactionMilliseconds),
        ].map { TransactionSetting($0.0, String(max(0, $0.1))) }
    }

    /// Ends whatever transaction a failed job left open, so the next job starts clean.
    public static func endOpenTransaction(_ connection: PostgresConnection) {
        try? connection.execute("ROLLBACK")
    }

    /// An empty round trip, made only after a job failed in a way that may have broken the
    /// connection.
    public static func isResponsive(_ connection: PostgresConnection) -> Bool {
        (try? connection.execute("")) != nil
    }
}

/// The database login `gaptrack serve` uses, and the check that it is not too powerful
/// (003_least_privilege.sql, docs/security.md).
public enum ServiceLogin {
    /// Created by `gaptrack migrate` without LOGIN; whoever runs the server turns the login on.
    public static let name = "gaptrack_app"

    /// What a login may do, as far as the service cares.
    public struct Privileges: Sendable, Equatable {
        public var login: String
        public var superuser: Bool
        public var bypassesRowSecurity: Bool
        /// A member of the role that owns the schema's tables: row-level security never applies to
        /// it, and it may switch any guard off.
        public var ownsSchema: Bool
        public var ownsDatabase: Bool
        public var createsInSchema: Bool
        /// May act as the service at all: SET ROLE to both service roles, and look tokens up.
        public var actsAsService: Bool

        /// Why the service must not run as this login; empty when it may.
        public var tooPowerful: [String] {
            var reasons: [String] = []
            if superuser { reasons.append("is a superuser") }
            if bypassesRowSecurity { reasons.append("has BYPASSRLS") }
            if ownsSchema { reasons.append("owns the schema (or may act as its owner)") }
            if ownsDatabase { reasons.append("owns the database") }
            if createsInSchema && reasons.isEmpty { reasons.append("may create objects in the schema") }
            return reasons
        }
    }

    /// The privileges of the connection's own login (session_user, whatever SET ROLE says).
    public static func privileges(_ connection: PostgresConnection) throws -> Privileges {
        let row = try connection.query(
            """
            SELECT session_user::text AS login, r.rolsuper, r.rolbypassrls,
                   pg_has_role(session_user, c.relowner, 'MEMBER') AS owns_schema,
                   pg_has_role(session_user, d.datdba, 'MEMBER') AS owns_database,
                   has_schema_privilege(session_user, 'public', 'CREATE') AS creates,
                   pg_has_role(session_user, 'gaptrack_service', 'MEMBER') AND pg_has_role(session_user, 'gaptrack_governor', 'MEMBER')
                       AND has_function_privilege(session_user, 'public.gaptrack_authenticate(text)', 'EXECUTE') AS acts
            FROM pg_roles r, pg_class c, pg_database d
            WHERE r.rolname = session_user AND c.oid = 'public.schema_migrations'::regclass AND d.datname = current_database()
            """
        ).single()
        return Privileges(
            login: try row.decode("login"), superuser: try row.decode("rolsuper"), bypassesRowSecurity: try row.decode("rolbypassrls"),
            ownsSchema: try row.decode("owns_schema"), ownsDatabase: try row.decode("owns_database"),
            createsInSchema: try row.decode("creates"), actsAsService: try row.decode("acts"))
    }

    /// Refuses a login the service must not run as, unless `allowOwner` (development only).
    public static func check(_ connection: PostgresConnection, allowOwner: Bool) throws {
        let privileges = try privileges(connection)
        if !privileges.actsAsService { throw ServiceLoginError.cannotActAsService(login: privileges.login) }
        let reasons = privileges.tooPowerful
        if !reasons.isEmpty && !allowOwner { throw ServiceLoginError.tooPowerful(login: privileges.login, reasons: reasons) }
    }

    /// Lets `gaptrack_app` log in, on a server whose connections are already limited by other
    /// means: the private cluster, which listens only on a Unix socket in a folder of mode 0700
    /// (PrivateCluster). Run as a role that may ALTER ROLE (the private cluster's superuser).
    public static func enableWithoutPassword(_ connection: PostgresConnection) throws {
        guard let canLogIn = try connection.query("SELECT rolcanlogin FROM pg_roles WHERE rolname = $1", [name]).rows.first
        else { throw ServiceLoginError.missing }
        if !(try canLogIn.decode("rolcanlogin", as: Bool.self)) {
            try connection.execute("ALTER ROLE gaptrack_app LOGIN")
        }
    }
}

/// Why `gaptrack serve` will not use a database login.
public enum ServiceLoginError: Error, CustomStringConvertible, Sendable, Equatable {
    case tooPowerful(login: String, reasons: [String])
    case cannotActAsService(login: String)
    case missing

    public var description: String {
        switch self {
        case .tooPowerful(let login, let reasons):
            return "gaptrack serve will not log in as '\(login)': it \(reasons.joined(separator: ", ")), so row-level security "
                + "and the audit log's guards would not hold for the service. Log in as '\(ServiceLogin.name)', the service's own "
                + "login (docs/security.md), or pass --allow-owner-login on a development machine"
        case .cannotActAsService(let login):
            return "the database login '\(login)' cannot act as the service: it needs membership of gaptrack_service and "
                + "gaptrack_governor and EXECUTE on gaptrack_authenticate(text). Run 'gaptrack migrate' and log in as "
                + "'\(ServiceLogin.name)' (docs/security.md)"
        case .missing:
            return "the database has no '\(ServiceLogin.name)' role yet; run 'gaptrack migrate' first"
        }
    }
}
