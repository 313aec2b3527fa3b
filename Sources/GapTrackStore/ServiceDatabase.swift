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

    /// Bounds every statement of the service's sessions (docs/architecture.md: a request runs as
    /// one transaction on a pooled connection): a statement running longer than `statement`, or
    /// waiting for a lock longer than `lock`, is cancelled and its transaction rolled back; a
    /// transaction left idle longer than `idleInTransaction` ends the session, so a connection can
    /// never hold a transaction (and its locks) open for good. Whole milliseconds, 0 meaning no limit.
    public static func limitStatements(_ connection: PostgresConnection, statementMilliseconds: Int, lockMilliseconds: Int, idleInTransactionMilliseconds: Int) throws {
        try connection.query(
            """
            SELECT set_config('statement_timeout', $1, false), set_config('lock_timeout', $2, false),
                   set_config('idle_in_transaction_session_timeout', $3, false)
            """,
            [String(statementMilliseconds), String(lockMilliseconds), String(idleInTransactionMilliseconds)])
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
