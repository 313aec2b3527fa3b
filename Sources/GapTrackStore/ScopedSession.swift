import Postgres

/// One transaction run as an API caller, so that PostgreSQL's row-level security decides which
/// rows exist for it.
///
/// The transaction first binds, with `set_config(..., true)` (the transaction-local form of
/// SET LOCAL), in the same round trip as its BEGIN:
///   `role`                  gaptrack_service, or gaptrack_governor for governors;
///   `gaptrack.provider_id`  the token's provider, read by every policy;
///   `gaptrack.role`         the token's API role, read by the restricted-records policies;
///   `gaptrack.actor`, `gaptrack.token_id`  who the audit log names;
///   `gaptrack.changing_provider`  whose cached reports a write makes stale (sql/021_shard_ready.sql).
/// All values travel as bound parameters, and all of them end with the transaction, so a pooled
/// connection never carries one caller's scope into the next request.
public struct ScopedSession: Sendable {
    public let role: APIRole
    public let providerID: Int
    public let tokenID: Int
    public let actor: String
    /// A group token's group (sql/015_provider_groups.sql): the transaction then runs as
    /// gaptrack_governor, which can write nothing, and `providerID` is bound only if it is a
    /// member of the group (`gaptrack_bind_group_member`), else the transaction fails.
    public let groupID: Int?

    public init(role: APIRole, providerID: Int, tokenID: Int, actor: String, groupID: Int? = nil) {
        self.role = role
        self.providerID = providerID
        self.tokenID = tokenID
        self.actor = actor
        self.groupID = groupID
    }

    /// The database role: a group token's reads run as the read-only governor role whatever its
    /// API role, so a group token never writes pupil data.
    var databaseRole: String { groupID == nil ? role.databaseRole : APIRole.governor.databaseRole }

    /// How the transaction sees concurrent changes. Reports read many tables and want one
    /// snapshot for all of them: the report engine asks for REPEATABLE READ in a transaction of
    /// its own, which inside this one is a savepoint, where PostgreSQL accepts the request only
    /// if the level is already the one asked for.
    public enum Isolation: Sendable {
        case readCommitted
        case repeatableRead

        var begin: String {
            switch self {
            case .readCommitted: "BEGIN"
            case .repeatableRead: "BEGIN ISOLATION LEVEL REPEATABLE READ"
            }
        }
    }

    /// Runs `body` in one scoped transaction on `connection`: committed when it returns, rolled
    /// back when it throws.
    public func run<Result>(
        on connection: PostgresConnection, isolation: Isolation = .readCommitted, _ body: (PostgresConnection) throws -> Result
    ) throws -> Result {
        do {
            // With BEGIN and the connection's limits: one round trip (PostgresConnection.begin).
            // A person signed in to the web pages has no token (0): the audit log's token_id stays NULL.
            try connection.begin(isolation.begin, settings: [
                TransactionSetting("role", databaseRole), TransactionSetting("gaptrack.provider_id", String(providerID)),
                TransactionSetting("gaptrack.role", role.rawValue), TransactionSetting("gaptrack.actor", actor),
                TransactionSetting("gaptrack.token_id", tokenID > 0 ? String(tokenID) : ""),
                TransactionSetting("gaptrack.changing_provider", String(providerID)),
            ])
            if let groupID {
                try connection.query("SELECT gaptrack_bind_group_member($1, $2)", [groupID, providerID])
            }
            let result = try body(connection)
            try connection.commit()
            return result
        } catch {
            // The original error matters more than a failure to roll back a broken connection.
            try? connection.execute("ROLLBACK")
            throw error
        }
    }
}
