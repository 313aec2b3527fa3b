import Foundation
import GapTrackDomain
import Postgres

/// Creating, listing and revoking API tokens (`gaptrack token create|list|revoke`).
///
/// A token is 32 random bytes from `SystemRandomNumberGenerator` (on Linux, the kernel's
/// getrandom(2); the standard library documents it as cryptographically secure), written as
/// 'gtk_' and 43 base64url characters. Only its SHA-256 is stored, computed by PostgreSQL's
/// built-in sha256() exactly as `gaptrack_authenticate` computes it when the token is presented.
/// The plain token exists once, in the value `create` returns.
public struct APITokens {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    public struct TokenRecord: Sendable, Equatable, Codable {
        public let tokenID: Int
        /// The provider a provider token is for; nil for a group token.
        public let providerCode: String?
        /// The provider group a group token is for (sql/015_provider_groups.sql); nil otherwise.
        public let groupCode: String?
        public let role: APIRole
        public let label: String
        public let prefix: String
        public let createdAt: Date
        public let createdBy: String
        public let revokedAt: Date?
    }

    public struct CreatedToken: Sendable {
        /// The token to hand to the caller. It cannot be shown again.
        public let token: String
        public let record: TokenRecord
    }

    /// A fresh random token.
    public static func generateToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let base64url = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return "gtk_" + base64url
    }

    /// Creates a token for the provider with the given code. `actor` is recorded as its creator
    /// and in the audit log (e.g. 'cli:alice').
    public func create(providerCode: ProviderCode, role: APIRole, label: String, actor: String) throws -> CreatedToken {
        try create(scope: .provider(providerCode), role: role, label: label, actor: actor)
    }

    /// What a new token is for: one provider, or every member of a provider group (read only).
    public enum NewTokenScope: Sendable {
        case provider(ProviderCode)
        case group(ProviderGroupCode)
    }

    /// Creates a token for a provider or for a provider group. A group token reads its members'
    /// reports and the group report, and writes nothing (docs/security.md, "Group tokens").
    public func create(scope: NewTokenScope, role: APIRole, label: String, actor: String) throws -> CreatedToken {
        let trimmed = label.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 200 else { throw TokenError.badLabel(label) }
        let token = Self.generateToken()
        return try connection.transaction { connection in
            try Self.setActor(actor, on: connection)
            var providerID: Int?
            var groupID: Int?
            switch scope {
            case .provider(let code): providerID = try Providers(connection: connection).require(code: code).id
            case .group(let code): groupID = try ProviderGroups(connection: connection).require(code: code).id
            }
            let row = try connection.query(
                """
                INSERT INTO api_tokens (provider_id, provider_group_id, role, label, token_hash, token_prefix, created_by)
                VALUES ($1, $2, $3::api_role, $4, encode(sha256(convert_to($5, 'UTF8')), 'hex'), $6, $7)
                RETURNING token_id
                """,
                [providerID, groupID, role.rawValue, trimmed, token, String(token.prefix(12)), actor]
            ).single()
            let id: Int = try row.decode("token_id")
            guard let record = try list(providerCode: nil, includeRevoked: true).first(where: { $0.tokenID == id }) else {
                throw TokenError.noSuchToken(String(id))
            }
            return CreatedToken(token: token, record: record)
        }
    }

    /// Revokes a token, named by its number or by its prefix ('gtk_AbCdEfGh'). Revoking a
    /// revoked token is an error that says when it was revoked.
    @discardableResult
    public func revoke(_ identifier: String, actor: String) throws -> TokenRecord {
        try connection.transaction { connection in
            try Self.setActor(actor, on: connection)
            let matches = try list(providerCode: nil, includeRevoked: true).filter {
                String($0.tokenID) == identifier || (identifier.hasPrefix("gtk_") && identifier.count >= 8 && $0.prefix.hasPrefix(identifier))
            }
            guard let match = matches.first else { throw TokenError.noSuchToken(identifier) }
            guard matches.count == 1 else { throw TokenError.ambiguous(identifier, matches.map(\.tokenID)) }
            if let revokedAt = match.revokedAt { throw TokenError.alreadyRevoked(match.tokenID, revokedAt) }
            try connection.query(
                "UPDATE api_tokens SET revoked_at = now(), revoked_by = $2 WHERE token_id = $1", [match.tokenID, actor])
            guard let revoked = try list(providerCode: nil, includeRevoked: true).first(where: { $0.tokenID == match.tokenID }) else {
                throw TokenError.noSuchToken(identifier)
            }
            return revoked
        }
    }

    /// Tokens, newest first; for one provider when `providerCode` is given.
    public func list(providerCode: ProviderCode?, includeRevoked: Bool) throws -> [TokenRecord] {
        let rows = try connection.query(
            """
            SELECT t.token_id, p.code, g.code AS group_code, t.role::text AS role, t.label, t.token_prefix, t.created_at, t.created_by,
                   t.revoked_at
            FROM api_tokens t
            LEFT JOIN providers p ON p.provider_id = t.provider_id
            LEFT JOIN provider_groups g ON g.provider_group_id = t.provider_group_id
            WHERE ($1::text IS NULL OR p.code = $1) AND ($2 OR t.revoked_at IS NULL)
            ORDER BY t.token_id DESC
            """,
            [providerCode?.value, includeRevoked]
        ).rows
        return try rows.map { row in
            let roleText: String = try row.decode("role")
            guard let role = APIRole(rawValue: roleText) else { throw TokenError.unknownRole(roleText) }
            return TokenRecord(
                tokenID: try row.decode("token_id"), providerCode: try row.decode("code", as: String?.self),
                groupCode: try row.decode("group_code", as: String?.self), role: role,
                label: try row.decode("label"), prefix: try row.decode("token_prefix"),
                createdAt: try row.decode("created_at"), createdBy: try row.decode("created_by"),
                revokedAt: try row.decode("revoked_at", as: Date?.self))
        }
    }

    static func setActor(_ actor: String, on connection: PostgresConnection) throws {
        try connection.query("SELECT set_config('gaptrack.actor', $1, true)", [actor])
    }

    /// A presented token's scope, or nil when it is unknown or revoked. The lookup goes through
    /// the SECURITY DEFINER function `gaptrack_authenticate`, which compares SHA-256 digests,
    /// so the service role needs no rights on `api_tokens`; nothing is cached, so a revoked
    /// token fails on its very next request.
    public func authenticate(_ presented: String) throws -> AuthenticatedToken? {
        let rows = try connection.query(
            """
            SELECT token_id, provider_id, provider_code, role::text AS role, label, provider_group_id, provider_group_code
            FROM gaptrack_authenticate($1)
            """,
            [presented]
        ).rows
        guard let row = rows.first, let role = APIRole(rawValue: try row.decode("role")) else { return nil }
        let scope: AuthenticatedToken.Scope
        if let groupID = try row.decode("provider_group_id", as: Int?.self) {
            scope = .group(id: groupID, code: try ProviderGroupCode(parsing: try row.decode("provider_group_code")))
        } else {
            scope = .provider(id: try row.decode("provider_id"), code: try ProviderCode(parsing: try row.decode("provider_code")))
        }
        return AuthenticatedToken(tokenID: try row.decode("token_id"), scope: scope, role: role, label: try row.decode("label"))
    }
}

/// What a valid token grants: its provider (or provider group) and role, and the label the audit
/// log names.
public struct AuthenticatedToken: Sendable, Equatable {
    /// Whose data the token reads: one provider's, or (read only) every member's of a group.
    public enum Scope: Sendable, Equatable {
        case provider(id: Int, code: ProviderCode)
        case group(id: Int, code: ProviderGroupCode)
    }

    public let tokenID: Int
    public let scope: Scope
    public let role: APIRole
    public let label: String

    /// The provider of a provider token; nil for a group token.
    public var providerID: Int? {
        if case .provider(let id, _) = scope { return id }
        return nil
    }

    public var providerCode: ProviderCode? {
        if case .provider(_, let code) = scope { return code }
        return nil
    }
}

public enum TokenError: Error, CustomStringConvertible, Equatable {
    case badLabel(String)
    case noSuchToken(String)
    case ambiguous(String, [Int])
    case alreadyRevoked(Int, Date)
    case unknownRole(String)

    public var description: String {
        switch self {
        case .badLabel(let label):
            return "token label '\(label)' must be 1 to 200 characters, e.g. 'MIS integration' or 'J Smith (governor)'"
        case .noSuchToken(let identifier):
            return "no token '\(identifier)': give the number or the prefix (gtk_...) that 'gaptrack token list' shows"
        case .ambiguous(let identifier, let ids):
            return "'\(identifier)' matches tokens \(ids.map(String.init).joined(separator: ", ")); give the number instead"
        case .alreadyRevoked(let id, let date):
            return "token \(id) was already revoked at \(date)"
        case .unknownRole(let role):
            return "the database holds a token role '\(role)' this gaptrack does not know; upgrade gaptrack"
        }
    }
}
