import Foundation
import GapTrackDomain
import Postgres

/// Reading the append-only audit log (`audit_log`), for `gaptrack audit` and for
/// admins through GET /v1/audit. Through the service, row-level security limits an admin to
/// their own provider's entries; the CLI, run by the database owner, sees every provider.
public struct AuditEntries {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    public struct Entry: Sendable, Equatable, Codable {
        public let auditID: Int
        public let occurredAt: Date
        public let providerCode: String?
        public let actor: String
        public let actorRole: String?
        public let action: String
        public let table: String
        /// JSON texts, exactly as stored.
        public let rowKey: String?
        public let before: String?
        public let after: String?

        enum CodingKeys: String, CodingKey {
            case auditID = "audit_id", occurredAt = "occurred_at", providerCode = "provider", actor
            case actorRole = "actor_role", action, table, rowKey = "row_key", before, after
        }
    }

    public struct Filter: Sendable, Equatable {
        public var providerCode: ProviderCode?
        public var table: String?
        public var actorContains: String?
        public var since: Date?
        /// Only entries with an id below this one: the next page of a newest-first listing.
        public var beforeID: Int?
        public var limit: Int

        public init(
            providerCode: ProviderCode? = nil, table: String? = nil, actorContains: String? = nil, since: Date? = nil,
            beforeID: Int? = nil, limit: Int = 100
        ) {
            self.providerCode = providerCode
            self.table = table
            self.actorContains = actorContains
            self.since = since
            self.beforeID = beforeID
            self.limit = limit
        }
    }

    /// Entries matching `filter`, newest first.
    public func entries(_ filter: Filter) throws -> [Entry] {
        let rows = try connection.query(
            """
            SELECT a.audit_id, a.occurred_at, p.code AS provider_code, a.actor, a.actor_role, a.action::text AS action,
                   a.table_name, a.row_key::text AS row_key, a.before::text AS before, a.after::text AS after
            FROM audit_log a
            LEFT JOIN providers p ON p.provider_id = a.provider_id
            WHERE ($1::text IS NULL OR p.code = $1)
              AND ($2::text IS NULL OR a.table_name = $2)
              AND ($3::text IS NULL OR strpos(a.actor, $3) > 0)
              AND ($4::timestamptz IS NULL OR a.occurred_at >= $4)
              AND ($5::bigint IS NULL OR a.audit_id < $5)
            ORDER BY a.audit_id DESC
            LIMIT $6
            """,
            [filter.providerCode?.value, filter.table, filter.actorContains, filter.since, filter.beforeID, max(1, min(filter.limit, 10_000))]
        ).rows
        return try rows.map { row in
            Entry(
                auditID: try row.decode("audit_id"), occurredAt: try row.decode("occurred_at"),
                providerCode: try row.decode("provider_code", as: String?.self), actor: try row.decode("actor"),
                actorRole: try row.decode("actor_role", as: String?.self), action: try row.decode("action"),
                table: try row.decode("table_name"), rowKey: try row.decode("row_key", as: String?.self),
                before: try row.decode("before", as: String?.self), after: try row.decode("after", as: String?.self))
        }
    }
}
