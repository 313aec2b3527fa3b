import Foundation
import GapTrackDomain
import Postgres

/// Trusts and local authorities and the providers they group (`gaptrack provider-group`,
/// sql/015_provider_groups.sql). Managed as the owner, like providers and tokens; the service only
/// reads a group's members, through `gaptrack_group_members`.
public struct ProviderGroups {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    public struct Group: Sendable, Equatable, Codable {
        public let id: Int
        public let code: ProviderGroupCode
        public let name: String
        public let kind: ProviderGroupKind
        /// Member providers' codes, in code order.
        public let members: [ProviderCode]
    }

    /// A member provider as a group report names it.
    public struct Member: Sendable, Equatable {
        public let providerID: Int
        public let code: ProviderCode
        public let name: String
    }

    /// Stores a new group. A second group with the same code is refused.
    @discardableResult
    public func add(code: ProviderGroupCode, name: String, kind: ProviderGroupKind) throws -> Group {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 200 else { throw ProviderGroupError.badName(name) }
        do throws(PostgresError) {
            try connection.query(
                "INSERT INTO provider_groups (code, name, kind) VALUES ($1, $2, $3::provider_group_kind)",
                [code.value, trimmed, kind.rawValue])
        } catch {
            guard error.sqlState == ServerError.Code.uniqueViolation else { throw error }
            throw ProviderGroupError.duplicate(code.value)
        }
        return try require(code: code)
    }

    /// Makes a provider a member of a group. Adding a member twice changes nothing.
    /// - Returns: false when it was already a member.
    @discardableResult
    public func addMember(group code: ProviderGroupCode, provider providerCode: ProviderCode) throws -> Bool {
        try connection.transaction { connection in
            let group = try ProviderGroups(connection: connection).require(code: code)
            let provider = try Providers(connection: connection).require(code: providerCode)
            let inserted = try connection.query(
                """
                INSERT INTO provider_group_members (provider_id, provider_group_id) VALUES ($1, $2)
                ON CONFLICT DO NOTHING RETURNING provider_id
                """,
                [provider.id, group.id]
            ).rows
            return !inserted.isEmpty
        }
    }

    /// Every group with its members, by code.
    public func list() throws -> [Group] {
        let rows = try connection.query(
            """
            SELECT g.provider_group_id, g.code, g.name, g.kind::text AS kind,
                   coalesce(string_agg(p.code, ',' ORDER BY p.code), '') AS members
            FROM provider_groups g
            LEFT JOIN provider_group_members m USING (provider_group_id)
            LEFT JOIN providers p ON p.provider_id = m.provider_id
            GROUP BY g.provider_group_id
            ORDER BY g.code
            """
        ).rows
        return try rows.map { row in
            let kindText: String = try row.decode("kind")
            guard let kind = ProviderGroupKind(rawValue: kindText) else { throw ProviderGroupError.unknownKind(kindText) }
            let members = (try row.decode("members") as String).split(separator: ",").map(String.init)
            return Group(
                id: try row.decode("provider_group_id"), code: try ProviderGroupCode(parsing: try row.decode("code")),
                name: try row.decode("name"), kind: kind, members: try members.map { try ProviderCode(parsing: $0) })
        }
    }

    public func find(code: ProviderGroupCode) throws -> Group? {
        try list().first { $0.code == code }
    }

    /// The group with this code, or `ProviderGroupError.notFound` naming the groups that exist.
    public func require(code: ProviderGroupCode) throws -> Group {
        let groups = try list()
        if let group = groups.first(where: { $0.code == code }) { return group }
        throw ProviderGroupError.notFound(code.value, known: groups.map(\.code.value))
    }

    /// The group itself, without its members: what a group session (which sees the membership
    /// through row-level security) needs for a report's heading.
    public func header(groupID: Int) throws -> Group {
        let row = try connection.query(
            "SELECT code, name, kind::text AS kind FROM provider_groups WHERE provider_group_id = $1", [groupID]).single()
        let kindText: String = try row.decode("kind")
        guard let kind = ProviderGroupKind(rawValue: kindText) else { throw ProviderGroupError.unknownKind(kindText) }
        return Group(id: groupID, code: try ProviderGroupCode(parsing: try row.decode("code")), name: try row.decode("name"), kind: kind, members: [])
    }

    /// A group's member providers, in code order, through the SECURITY DEFINER function the
    /// service's login may call before it takes on a role (sql/functions/provider_groups.sql).
    public func members(groupID: Int) throws -> [Member] {
        try connection.query(
            "SELECT provider_id, provider_code, provider_name FROM gaptrack_group_members($1)", [groupID]
        ).rows.map { row in
            Member(providerID: try row.decode("provider_id"), code: try ProviderCode(parsing: try row.decode("provider_code")),
                   name: try row.decode("provider_name"))
        }
    }
}

public enum ProviderGroupError: Error, Equatable, Sendable, CustomStringConvertible {
    case badName(String)
    case duplicate(String)
    case notFound(String, known: [String])
    case unknownKind(String)
    case noMembers(String)
    case notAMember(provider: String, group: String, members: [String])

    public var description: String {
        switch self {
        case .badName(let name):
            return "provider group name '\(name.prefix(80))' must be 1 to 200 characters, e.g. 'North Star Academy Trust'"
        case .duplicate(let code):
            return "a provider group with code '\(code)' already exists ('gaptrack provider-group list' shows them)"
        case .notFound(let code, let known):
            let list = known.isEmpty ? "there are no provider groups yet; add one with 'gaptrack provider-group add'"
                : "known groups: " + known.joined(separator: ", ")
            return "no provider group with code '\(code)'; \(list)"
        case .unknownKind(let kind):
            return "the database holds a provider group kind '\(kind)' this gaptrack does not know; upgrade gaptrack"
        case .noMembers(let code):
            return "provider group '\(code)' has no members yet; add schools with 'gaptrack provider-group add-member --group \(code) --provider CODE'"
        case .notAMember(let provider, let group, let members):
            return "provider '\(provider)' is not a member of group '\(group)'; its members are: \(members.joined(separator: ", "))"
        }
    }
}
