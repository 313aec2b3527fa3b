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
