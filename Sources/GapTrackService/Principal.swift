import GapTrackDomain
import GapTrackStore

/// Who is calling: the token's scope, found by `gaptrack_authenticate`.
///
/// A group token (sql/015_provider_groups.sql) has no provider of its own: `require` lets it do
/// nothing but read reports, and the report routes bind it to one member at a time
/// (`member(_:)`), so `providerID` is never a group token's scope.
public struct Principal: Sendable, Equatable {
    public let tokenID: Int
    public let providerID: Int
    public let providerCode: ProviderCode
    public let role: APIRole
    public let label: String
    /// The provider group of a group token, and for a member binding the group it came through.
    public let group: GroupScope?

    public struct GroupScope: Sendable, Equatable {
        public let id: Int
        public let code: ProviderGroupCode
    }

    public init(tokenID: Int, providerID: Int, providerCode: ProviderCode, role: APIRole, label: String, group: GroupScope? = nil) {
        self.tokenID = tokenID
        self.providerID = providerID
        self.providerCode = providerCode
        self.role = role
        self.label = label
        self.group = group
    }

    /// A group token's principal: no provider until a report route binds a member (provider id 0
    /// names no provider, and `ScopedSession` refuses to bind a group to a non-member).
    init(groupToken token: AuthenticatedToken, id: Int, code: ProviderGroupCode) throws {
        self.init(
            tokenID: token.tokenID, providerID: 0, providerCode: try ProviderCode(parsing: code.value), role: token.role,
            label: token.label, group: GroupScope(id: id, code: code))
    }

    /// Whether this is a group token not yet bound to a member.
    public var isGroupToken: Bool { group != nil && providerID == 0 }

    /// The same caller, bound to one member of its group for one report.
    func member(_ member: ProviderGroups.Member) -> Principal {
        Principal(tokenID: tokenID, providerID: member.providerID, providerCode: member.code, role: role, label: label, group: group)
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
        if group != nil, action != .readReport, action != .readGroupReport {
            throw .forbidden("a token for a provider group may not \(action); it reads reports only. Use a token for the school itself")
        }
        if group == nil, action == .readGroupReport {
            throw .forbidden("this token is for one provider; reading a group report needs a token for the group ('gaptrack token create --group CODE')")
        }
        guard role.allows(action) else {
            throw .forbidden("a \(role.rawValue) token may not \(action); ask an admin for a token with a role that may")
        }
    }
}
