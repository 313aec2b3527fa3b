import GapTrackDomain
import GapTrackStore

/// Who is calling: the token's scope, found by `gaptrack_authenticate`.
public struct Principal: Sendable, Equatable {
    public let tokenID: Int
    public let providerID: Int
    public let providerCode: ProviderCode
    public let role: APIRole
    public let label: String

    public init(tokenID: Int, providerID: Int, providerCode: ProviderCode, role: APIRole, label: String) {
        self.tokenID = tokenID
        self.providerID = providerID
        self.providerCode = providerCode
        self.role = role
        self.label = label
    }

    /// A person signed in to the web pages: no token (`tokenID` 0), and the label names the
    /// account, so that the audit log tells a person's change from a token's.
    public init(person: WebSessions.Person) throws {
        self.init(
            tokenID: 0, providerID: person.providerID, providerCode: try ProviderCode(parsing: person.providerCode), role: person.role,
            label: "web:account:\(person.accountID) \(person.email)")
    }

    /// How the audit log names this caller.
    public var auditActor: String { tokenID == 0 ? label : "token:\(tokenID) \(label)" }

    /// Throws 403 with the reason unless the role allows `action`.
    func require(_ action: APIAction) throws(APIError) {
        guard role.allows(action) else {
            throw .forbidden("a \(role.rawValue) token may not \(action); ask an admin for a token with a role that may")
        }
    }
}
