import Hummingbird
import Logging
import Postgres

/// Runs a request's database work as the caller, so that PostgreSQL's row-level security decides
/// which rows exist for it (sql/032_row_level_security.sql).
///
/// Each call is one transaction that first binds, with `set_config(..., true)` (the
/// transaction-local form of SET LOCAL):
///   `role`                  gaptrack_service, or gaptrack_governor for governors;
///   `gaptrack.provider_id`  the token's provider, read by every policy;
///   `gaptrack.role`         the token's API role, read by the restricted-records policies;
///   `gaptrack.actor`, `gaptrack.token_id`  who the audit log names.
/// All values travel as bound parameters, and all of them end with the transaction, so a pooled
/// connection never carries one caller's scope into the next request.
struct ScopedDatabase: Sendable {
    let pool: DatabasePool

    /// How the transaction sees concurrent changes. Reports read many tables and want one
    /// snapshot for all of them: the report engine asks for REPEATABLE READ in a transaction of
    /// its own, which inside this one is a savepoint, where PostgreSQL accepts the request only
    /// if the level is already the one asked for.
    enum Isolation: String, Sendable {
        case readCommitted = "BEGIN"
        case repeatableRead = "BEGIN ISOLATION LEVEL REPEATABLE READ"
    }

    func run<Result: Sendable>(
        as principal: Principal, context: GapTrackRequestContext, isolation: Isolation = .readCommitted,
        _ body: @escaping @Sendable (PostgresConnection) throws -> Result
    ) async throws(APIError) -> Result {
        let reference = context.id
        do {
            return try await pool.run { connection in
                try connection.execute(isolation.rawValue)
                do {
                    try connection.query(
                        """
                        SELECT set_config('role', $1, true), set_config('gaptrack.provider_id', $2, true),
                               set_config('gaptrack.role', $3, true), set_config('gaptrack.actor', $4, true),
                               set_config('gaptrack.token_id', $5, true)
                        """,
                        [principal.role.databaseRole, String(principal.providerID), principal.role.rawValue,
                         principal.auditActor, String(principal.tokenID)])
                    let result = try body(connection)
                    try connection.execute("COMMIT")
                    return result
                } catch {
                    // The original error matters more than a failure to roll back a broken connection.
                    try? connection.execute("ROLLBACK")
                    throw error
                }
            }
        } catch let error as APIError {
            throw error
        } catch let error as DatabasePoolError {
            throw APIError.fromPool(error)
        } catch let error as PostgresError {
            if DatabasePool.mayHaveBrokenTheConnection(error) {
                context.logger.warning("database connection lost", metadata: ["error": "\(error)", "reference": "\(reference)"])
                throw APIError.unavailable("the database connection was lost; retry shortly")
            }
            let mapped = APIError.from(error, reference: reference)
            if case .internalFailure = mapped {
                context.logger.error("database error", metadata: ["error": "\(error)", "reference": "\(reference)"])
            }
            throw mapped
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(error)", "reference": "\(reference)"])
            throw APIError.internalFailure(reference: reference)
        }
    }
}
