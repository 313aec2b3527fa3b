import Foundation
import Postgres

/// Sessions of people signed in to the web pages, kept in PostgreSQL (`web_sessions`) so that a
/// restart or a second instance of the service keeps them.
///
/// The cookie carries `<provider id>.<secret>`: the provider id routes the look-up to the provider's
/// rows (the table's keys start with it), and only the secret's SHA-256 is stored. Every read and
/// write goes through the SECURITY DEFINER functions of sql/functions/web_accounts.sql.
public struct WebSessions {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// A cookie's value, parsed: nil for anything that is not `<digits>.<43 base64url characters>`.
    public struct Cookie: Sendable, Equatable {
        public let providerID: Int
        public let secret: String

        public init?(_ text: String) {
            let parts = text.split(separator: ".", maxSplits: 1)
            guard parts.count == 2, let providerID = Int(parts[0]), providerID > 0, parts[1].utf8.count == 43,
                parts[1].utf8.allSatisfy({ byte in
                    (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                        || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                })
            else { return nil }
            self.providerID = providerID
            self.secret = String(parts[1])
        }

        init(providerID: Int, secret: String) {
            self.providerID = providerID
            self.secret = secret
        }

        public var value: String { "\(providerID).\(secret)" }

        static func hex(_ text: String) -> String {
            var hasher = SHA256()
            hasher.update(Array(text.utf8))
            return hasher.finalizeHex()
        }

        var tokenHash: String { Self.hex(secret) }

        /// The form token of this session: derived from its secret, so it needs no storage, differs
        /// for every session, and cannot be worked out by a page that cannot read the cookie.
        public var formToken: String { Self.hex("gaptrack-form:" + secret) }
    }

    /// Who a session belongs to, as `web_session_find` returns it.
    public struct Person: Sendable, Equatable {
        public let sessionID: Int
        public let providerID: Int
        public let accountID: Int
        public let email: String
        public let displayName: String
        public let role: APIRole
        public let providerCode: String
    }

    public enum Lookup: Sendable, Equatable {
        case signedIn(Person)
        /// The session ended on this request; the reason is shown on the sign-in page.
        case ended(reason: String)
        case none
    }

    /// Opens a session for an account whose password was just checked, and returns its cookie.
    public func open(providerID: Int, accountID: Int, address: String, lifetime: Duration) throws -> Cookie {
        let cookie = Cookie(providerID: providerID, secret: String(APITokens.generateToken().dropFirst(4)))
        try connection.query(
            "SELECT web_session_open($1, $2, $3, $4, $5) AS session_id",
            [providerID, accountID, cookie.tokenHash, address, Int(lifetime.components.seconds)])
        return cookie
    }

    /// The person behind a cookie, or why their session just ended.
    public func find(_ cookie: Cookie, idleLimit: Duration) throws -> Lookup {
        let rows = try connection.query(
            """
            SELECT session_id, account_id, email, display_name, role::text AS role, provider_code, ended_reason
            FROM web_session_find($1, $2, $3)
            """,
            [cookie.providerID, cookie.tokenHash, max(1, Int(idleLimit.components.seconds))]
        ).rows
        guard let row = rows.first else { return .none }
        if let reason = try row.decode("ended_reason", as: String?.self) { return .ended(reason: reason) }
        let roleText: String = try row.decode("role")
        guard let role = APIRole(rawValue: roleText) else { throw TokenError.unknownRole(roleText) }
        return .signedIn(Person(
            sessionID: try row.decode("session_id"), providerID: cookie.providerID, accountID: try row.decode("account_id"),
            email: try row.decode("email"), displayName: try row.decode("display_name"), role: role,
            providerCode: try row.decode("provider_code")))
    }

    /// Ends a session (sign-out). False when it had already ended.
    @discardableResult
    public func close(_ cookie: Cookie) throws -> Bool {
        try connection.query("SELECT web_session_close($1, $2) AS closed", [cookie.providerID, cookie.tokenHash]).single().decode("closed")
    }
}
