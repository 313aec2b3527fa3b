import Foundation
import GapTrackDomain
import HummingbirdBcrypt
import Postgres

/// People who sign in to the web pages (`gaptrack user add|list|disable`), and the check of a
/// password at sign-in.
///
/// Passwords are hashed with bcrypt (HummingbirdBcrypt) at `UserAccounts.cost`; only the hash is
/// stored, in a column the service's roles cannot read (sql/014_web_accounts.sql). The service reads
/// the one hash a sign-in names through `web_sign_in_candidate` (docs/security.md).
public struct UserAccounts {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// bcrypt's work factor: 2^12 rounds, above the 10 OWASP's Password Storage Cheat Sheet sets as
    /// the least, and a fraction of a second per sign-in on one core (docs/security.md §6).
    public static let cost: UInt8 = 12

    /// The shortest password accepted: longer than the 8 characters NIST SP 800-63B §5.1.1.2 sets as
    /// the floor, because length is what makes a password hard to guess (docs/security.md §6).
    public static let minimumPasswordLength = 12

    public struct Account: Sendable, Equatable, Codable {
        public let accountID: Int
        public let providerCode: String
        public let email: String
        public let displayName: String
        public let role: APIRole
        public let createdAt: Date
        public let disabledAt: Date?
        public let lockedUntil: Date?
    }

    /// Adds an account. `actor` is recorded in the audit log (e.g. 'cli:alice').
    public func add(
        providerCode: ProviderCode, email: String, displayName: String?, role: APIRole, password: String, actor: String,
        cost: UInt8 = UserAccounts.cost
    ) throws -> Account {
        let address = email.trimmingCharacters(in: .whitespacesAndNewlines)
        guard address.utf8.count <= 254, address.range(of: #"^[^@\s]+@[^@\s]+$"#, options: .regularExpression) != nil else {
            throw UserAccountError.badEmail(email)
        }
        guard password.count >= Self.minimumPasswordLength else { throw UserAccountError.shortPassword(Self.minimumPasswordLength) }
        guard password.utf8.count <= 72 else { throw UserAccountError.longPassword }
        let name = (displayName?.trimmingCharacters(in: .whitespacesAndNewlines)).flatMap { $0.isEmpty ? nil : $0 } ?? address
        let hash = Bcrypt.hash(password, cost: cost)
        return try connection.transaction { connection in
            try APITokens.setActor(actor, on: connection)
            let provider = try Providers(connection: connection).require(code: providerCode)
            let taken = try connection.query(
                "SELECT 1 FROM web_accounts WHERE provider_id = $1 AND lower(email) = lower($2)", [provider.id, address]).rows
            guard taken.isEmpty else { throw UserAccountError.emailTaken(address, providerCode.value) }
            let id: Int = try connection.query(
                """
                INSERT INTO web_accounts (provider_id, email, display_name, role, password_hash, created_by)
                VALUES ($1, $2, $3, $4::api_role, $5, $6) RETURNING account_id
                """,
                [provider.id, address, name, role.rawValue, hash, actor]
            ).single().decode("account_id")
            guard let account = try list(providerCode: providerCode).first(where: { $0.accountID == id }) else {
                throw UserAccountError.noSuchAccount(address)
            }
            return account
        }
    }

    /// Accounts, by provider and address; for one provider when `providerCode` is given.
    public func list(providerCode: ProviderCode?) throws -> [Account] {
        try connection.query(
            """
            SELECT a.account_id, p.code, a.email, a.display_name, a.role::text AS role, a.created_at, a.disabled_at,
                   CASE WHEN a.locked_until > now() THEN a.locked_until END AS locked_until
            FROM web_accounts a JOIN providers p USING (provider_id)
            WHERE ($1::text IS NULL OR p.code = $1)
            ORDER BY p.code, lower(a.email)
            """,
            [providerCode?.value]
        ).rows.map { row in
            let roleText: String = try row.decode("role")
            guard let role = APIRole(rawValue: roleText) else { throw TokenError.unknownRole(roleText) }
            return Account(
                accountID: try row.decode("account_id"), providerCode: try row.decode("code"), email: try row.decode("email"),
                displayName: try row.decode("display_name"), role: role, createdAt: try row.decode("created_at"),
                disabledAt: try row.decode("disabled_at", as: Date?.self), lockedUntil: try row.decode("locked_until", as: Date?.self))
        }
    }

    /// Disables an account: it can no longer sign in, and its open sessions end on their next
    /// request (`web_session_find`). Disabling twice is an error that says when it was done.
    @discardableResult
    public func disable(providerCode: ProviderCode, email: String, actor: String) throws -> Account {
        try connection.transaction { connection in
            try APITokens.setActor(actor, on: connection)
            guard let account = try list(providerCode: providerCode).first(where: { $0.email.lowercased() == email.lowercased() }) else {
                throw UserAccountError.noSuchAccount(email)
            }
            if let disabledAt = account.disabledAt { throw UserAccountError.alreadyDisabled(account.email, disabledAt) }
            try connection.query(
                """
                UPDATE web_accounts SET disabled_at = now(), disabled_by = $3
                WHERE account_id = $1 AND provider_id = (SELECT provider_id FROM providers WHERE code = $2)
                """,
                [account.accountID, providerCode.value, actor])
            guard let disabled = try list(providerCode: providerCode).first(where: { $0.accountID == account.accountID }) else {
                throw UserAccountError.noSuchAccount(email)
            }
            return disabled
        }
    }

    /// What a sign-in attempt came to.
    public enum SignIn: Sendable, Equatable {
        /// The password was right: the account to open a session for.
        case accepted(providerID: Int, accountID: Int)
        /// Unknown provider, unknown or disabled account, or a wrong password: the same answer for
        /// each, so that the form does not tell which addresses have accounts.
        case refused
        /// Too many failures for the account or from the address: nothing is checked until then.
        case locked(seconds: Int)
    }

    /// Checks a password. Every outcome but success is recorded (`web_sign_in_failed`), with the
    /// audit log entry; success is recorded when the session is opened (`WebSessions.open`).
    public func checkSignIn(providerCode: String, email: String, password: String, address: String) throws -> SignIn {
        let row = try connection.query(
            "SELECT provider_id, account_id, password_hash, wait_seconds FROM web_sign_in_candidate($1, $2, $3)",
            [providerCode, email, address]
        ).single()
        let providerID = try row.decode("provider_id", as: Int?.self)
        let accountID = try row.decode("account_id", as: Int?.self)
        let hash = try row.decode("password_hash", as: String?.self)
        let wait: Int = try row.decode("wait_seconds")
        func failed(refused: Bool) throws -> Int {
            try connection.query(
                "SELECT web_sign_in_failed($1, $2, $3, $4, $5, $6) AS locked",
                [providerCode, email, address, providerID, accountID, refused]
            ).single().decode("locked")
        }
        if wait > 0 {
            _ = try failed(refused: true)
            return .locked(seconds: wait)
        }
        // An unknown account costs the same bcrypt work as a known one, so timing tells nothing.
        let matches = Bcrypt.verify(password, hash: hash ?? Self.unknownAccountHash)
        if matches, hash != nil, let providerID, let accountID { return .accepted(providerID: providerID, accountID: accountID) }
        let locked = try failed(refused: false)
        return locked > 0 ? .locked(seconds: locked) : .refused
    }

    /// A bcrypt hash of a random password at the same cost, compared against when no account matched.
    static let unknownAccountHash = Bcrypt.hash(APITokens.generateToken(), cost: UserAccounts.cost)
}

public enum UserAccountError: Error, CustomStringConvertible, Equatable {
    case badEmail(String)
    case shortPassword(Int)
    case longPassword
    case emailTaken(String, String)
    case noSuchAccount(String)
    case alreadyDisabled(String, Date)

    public var description: String {
        switch self {
        case .badEmail(let email):
            return "'\(email)' is not an email address (name@school.example), at most 254 characters"
        case .shortPassword(let minimum):
            return "the password must be at least \(minimum) characters; a phrase of several words is easiest to remember"
        case .longPassword:
            return "the password must be at most 72 bytes (bcrypt reads no further)"
        case .emailTaken(let email, let provider):
            return "\(provider) already has an account for \(email); 'gaptrack user list --provider \(provider)' shows it"
        case .noSuchAccount(let email):
            return "no account '\(email)' for that provider; 'gaptrack user list' shows the accounts"
        case .alreadyDisabled(let email, let date):
            return "the account \(email) was already disabled at \(date)"
        }
    }
}
