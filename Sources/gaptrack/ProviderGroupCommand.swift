import ArgumentParser
import GapTrackDomain
import GapTrackStore

extension ProviderGroupCode: ExpressibleByArgument, TypedArgument {
    public static func parse(argument: String) throws -> ProviderGroupCode { try ProviderGroupCode(parsing: argument) }
}

extension ProviderGroupKind: ExpressibleByArgument {
    /// Accepts `trust`, `local-authority`, `la` and `local authority`.
    public init?(argument: String) {
        let key = argument.lowercased().filter(\.isLetter)
        switch key {
        case "trust", "mat", "multiacademytrust": self = .trust
        case "localauthority", "la": self = .localAuthority
        default: return nil
        }
    }
}

/// `gaptrack provider-group add|add-member|list`: trusts and local authorities and their schools
/// (docs/methodology.md §7.10); a group token and `gaptrack report group` read across them.
struct ProviderGroupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provider-group",
        abstract: "Group providers under a multi-academy trust or a local authority.",
        subcommands: [Add.self, AddMember.self, List.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a trust or a local authority.",
            discussion: "Example: gaptrack provider-group add --code north-star --name 'North Star Academy Trust' --kind trust")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "A short handle: lower-case letters, digits and hyphens (e.g. north-star).")
        var code: ProviderGroupCode

        @Option(help: "The group's name.")
        var name: String

        @Option(help: "trust (a multi-academy trust) or local-authority.")
        var kind: ProviderGroupKind

        func run() throws {
            let group = try ProviderGroups(connection: try database.connect()).add(code: code, name: name, kind: kind)
            print("Added \(group.kind.label) '\(group.name)' as provider group \(group.code).")
        }
    }

    struct AddMember: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-member",
            abstract: "Make a provider a member of a group (adding it again changes nothing).")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The group's code.")
        var group: ProviderGroupCode

        @Option(help: "The provider's code, as in 'gaptrack provider list'.")
        var provider: ProviderCode

        func run() throws {
            let added = try ProviderGroups(connection: try database.connect()).addMember(group: group, provider: provider)
            print(added ? "Added \(provider) to \(group)." : "\(provider) is already a member of \(group); nothing changed.")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the groups and their members.")

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let groups = try ProviderGroups(connection: try database.connect()).list()
            if groups.isEmpty {
                print("No provider groups yet. Add one with: gaptrack provider-group add --code CODE --name NAME --kind trust")
                return
            }
            for group in groups {
                let members = group.members.isEmpty ? "no members yet" : group.members.map(\.value).joined(separator: ", ")
                print("\(group.code)  \(group.kind.rawValue)  \(group.name): \(members)")
            }
        }
    }
}
