import GapTrackStore
import Hummingbird
import Logging
import Postgres

/// Runs a request's database work as the caller (`ScopedSession`, one transaction with the
/// token's provider and role bound), and turns what fails into the API's errors.
struct ScopedDatabase: Sendable {
    let pool: DatabasePool

    typealias Isolation = ScopedSession.Isolation

    func run<Result: Sendable>(
        as principal: Principal, context: GapTrackRequestContext, isolation: Isolation = .readCommitted,
        _ body: @escaping @Sendable (PostgresConnection) throws -> Result
    ) async throws(APIError) -> Result {
        let reference = context.id
        do {
            let session = ScopedSession(
                role: principal.role, providerID: principal.providerID, tokenID: principal.tokenID, actor: principal.auditActor,
                groupID: principal.group?.id)
            return try await pool.run { connection in
                try session.run(on: connection, isolation: isolation, body)
            }
        } catch let error as APIError {
            throw error
        } catch let error as DatabasePoolError {
            throw APIError.fromPool(error)
        } catch let error as PostgresError {
            if case .commitUnconfirmed = error {
                context.logger.warning("database connection lost during COMMIT", metadata: ["error": "\(error)", "reference": "\(reference)"])
                throw APIError.unavailable(
                    "the database connection was lost while the change was being saved, so it may or may not have been saved; "
                        + "look it up (GET) before sending it again")
            }
            if DatabasePool.mayHaveBrokenTheConnection(error) {
                context.logger.warning("database connection lost", metadata: ["error": "\(error)", "reference": "\(reference)"])
                throw APIError.unavailable("the database connection was lost and nothing was saved; retry shortly")
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
