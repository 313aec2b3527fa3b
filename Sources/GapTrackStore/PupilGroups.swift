import Foundation
import GapTrackDomain
import Postgres

/// A provider's own groups of pupils (`student_groups`, `student_group_members`,
/// sql/012_cohort_views.sql): a literacy catch-up set, a mentoring group. Reports may be filtered
/// to them (`CohortFilter.groups`, docs/methodology.md §7.8).
public struct PupilGroups {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    public struct Group: Sendable, Equatable {
        public var code: String
        public var name: String
        public var members: Int
    }

    /// Why a group could not be changed, in words a data lead can act on.
    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case badCode(String)
        case emptyName
        case unknownGroup(code: String, known: [String])
        /// Members that name no single pupil: (line or position, identifier, what is wrong).
        case unknownStudents([(String, String)])

        public static func == (lhs: Problem, rhs: Problem) -> Bool { lhs.description == rhs.description }

        public var description: String {
            switch self {
            case .badCode(let code):
                return "'\(code.prefix(80))' is not a group code: use \(PupilGroupCode.expected)"
            case .emptyName:
                return "the group needs a name (--name), e.g. \"Year 7 literacy catch-up\""
            case .unknownGroup(let code, let known):
                return "no pupil group '\(code)' at this provider; "
                    + (known.isEmpty ? "there are none yet (gaptrack pupil-group add)" : "its groups: " + known.joined(separator: ", "))
            case .unknownStudents(let problems):
                return "no member was added, because: " + problems.map { "\($0.0): \($0.1)" }.joined(separator: "; ")
            }
        }
    }

    /// The provider's groups, by code, with how many pupils each has.
    public func list(providerID: Int) throws -> [Group] {
        try connection.query(
            """
            SELECT g.code, g.name, (SELECT count(*) FROM student_group_members m WHERE m.provider_id = g.provider_id AND m.code = g.code) AS members
            FROM student_groups g WHERE g.provider_id = $1 ORDER BY g.code
            """, [providerID]
        ).rows.map { Group(code: try $0.decode("code"), name: try $0.decode("name"), members: try $0.decode("members")) }
    }

    /// Adds the group, or renames it when it exists. Returns whether it was new.
    @discardableResult
    public func add(providerID: Int, code text: String, name: String) throws -> Bool {
        let code = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard PupilGroupCode.isValid(code) else { throw Problem.badCode(text) }
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw Problem.emptyName }
        return try connection.query(
            """
            INSERT INTO student_groups AS g (provider_id, code, name) VALUES ($1, $2, $3)
            ON CONFLICT (provider_id, code) DO UPDATE SET name = EXCLUDED.name WHERE g.name IS DISTINCT FROM EXCLUDED.name
            RETURNING (xmax = 0) AS inserted
            """, [providerID, code, String(name.prefix(200))]
        ).rows.first?.decode("inserted") ?? false
    }

    /// Puts the pupils named by `identifiers` into the group (or takes them out), all or none:
    /// one identifier that names no single pupil changes nothing. Returns how many memberships
    /// changed; pupils already in (or already out) change nothing.
    public func setMembers(providerID: Int, code text: String, identifiers: [String], remove: Bool = false) throws -> Int {
        let code = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let known = try list(providerID: providerID).map(\.code)
        guard known.contains(code) else { throw Problem.unknownGroup(code: code, known: known) }
        let wanted = identifiers.map(StudentIdentifier.init).filter { !$0.value.isEmpty }
        let found = try Students(connection: connection).lookUp(wanted, providerID: providerID)
        let problems = zip(wanted, found).compactMap { identifier, lookup in lookup.problem(identifier.value).map { (identifier.value, $0) } }
        guard problems.isEmpty else { throw Problem.unknownStudents(problems) }
        let ids = found.compactMap(\.studentID)
        return try connection.transaction { connection in
            try connection.query(
                remove
                    ? "DELETE FROM student_group_members WHERE provider_id = $1 AND code = $2 AND student_id = ANY ($3::bigint[])"
                    : """
                      INSERT INTO student_group_members (provider_id, code, student_id)
                      SELECT $1, $2, unnest($3::bigint[]) ON CONFLICT DO NOTHING
                      """,
                [providerID, code, ids]
            ).affectedRows
        }
    }

    /// The identifiers (UPN, else ULN, HESA id or the provider's own) of the group's pupils, sorted.
    public func members(providerID: Int, code text: String) throws -> [String] {
        let code = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let known = try list(providerID: providerID).map(\.code)
        guard known.contains(code) else { throw Problem.unknownGroup(code: code, known: known) }
        return try connection.query(
            """
            SELECT coalesce(s.upn, s.uln, s.hesa_id, s.institution_id) AS identifier
            FROM student_group_members m JOIN students s ON s.provider_id = m.provider_id AND s.student_id = m.student_id
            WHERE m.provider_id = $1 AND m.code = $2 ORDER BY 1
            """, [providerID, code]
        ).rows.map { try $0.decode("identifier") }
    }
}
