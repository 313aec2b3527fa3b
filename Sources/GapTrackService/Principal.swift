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

    /// How the audit log names this caller.
    public var auditActor: String { "token:\(tokenID) \(label)" }

    /// Throws 403 with the reason unless the role allows `action`.
    func require(_ action: APIAction) throws(APIError) {
        guard role.allows(action) else {
            throw .forbidden("a \(role.rawValue) token may not \(action); ask an admin for a token with a role that may")
        }
    }
}
