import ArgumentParser
import Foundation
import GapTrackDomain
import GapTrackStore

/// `gaptrack pupil-group add|list|members`: a provider's own groups of pupils, which reports can
/// be filtered to (`--filter group=CODE`, docs/methodology.md §7.8). Named apart from the groups
/// a report compares (disadvantaged, FSM, ...), which come from markers.
struct PupilGroupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pupil-group",
        abstract: "Keep the provider's own groups of pupils (a catch-up set, a mentoring group) to filter reports by.",
        subcommands: [Add.self, List.self, Members.self]
    )

    struct Which: ParsableArguments {
        @OptionGroup var database: DatabaseOptions

        @Option(help: "The provider's code.")
        var provider: ProviderCode

        func open() throws -> (PupilGroups, Int) {
            let connection = try database.connect()
            let found = try Providers(connection: connection).require(code: provider)
            return (PupilGroups(connection: connection), found.id!)
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a group (or rename one).",
            discussion: "Example: gaptrack pupil-group add --provider demo-academy --code catch-up-y7 --name 'Year 7 literacy catch-up'")

        @OptionGroup var which: Which

        @Option(help: "The group's code, as reports' --filter group=CODE names it: letters, digits, dots, hyphens, underscores.")
        var code: String

        @Option(help: "The group's name, as people call it.")
        var name: String

        func run() throws {
            let (groups, providerID) = try which.open()
            let added = try groups.add(providerID: providerID, code: code, name: name)
            print(added ? "Added pupil group \(code.lowercased())." : "Pupil group \(code.lowercased()) is kept as '\(name)'.")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the provider's groups with how many pupils each has.")

        @OptionGroup var which: Which

        func run() throws {
            let (groups, providerID) = try which.open()
            let list = try groups.list(providerID: providerID)
            if list.isEmpty { print("No pupil groups yet: add one with 'gaptrack pupil-group add'.") }
            for group in list { print("\(group.code)\t\(group.name)\t\(group.members) pupil\(group.members == 1 ? "" : "s")") }
        }
    }

    struct Members: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add pupils to a group, take them out, or list them.",
            discussion: """
                Pupils are named by UPN, ULN, HESA id or the provider's own id, with --add/--remove (repeatable) or in a file \
                (--file: one identifier a line; blank lines and lines starting with # are skipped). All or nothing: one identifier \
                that names no single pupil changes nothing. Without --add, --remove or --file, lists the group's pupils.
                Example: gaptrack pupil-group members --provider demo-academy --code catch-up-y7 --file catch-up.txt
                """)

        @OptionGroup var which: Which

        @Option(help: "The group's code.")
        var code: String

        @Option(help: "A pupil to put in the group (repeatable).")
        var add: [String] = []

        @Option(help: "A pupil to take out of the group (repeatable).")
        var remove: [String] = []

        @Option(help: "A file of pupils to put in the group, one identifier a line.")
        var file: String?

        func validate() throws {
            if !remove.isEmpty, !add.isEmpty || file != nil { throw ValidationError("give --remove on its own, not with --add or --file") }
        }

        func run() throws {
            let (groups, providerID) = try which.open()
            var adding = add
            if let file {
                let text: String
                do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                    throw ValidationError("cannot read \(file): \(error.localizedDescription)")
                }
                adding += text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
            }
            if !remove.isEmpty {
                print("Took \(try groups.setMembers(providerID: providerID, code: code, identifiers: remove, remove: true)) pupil(s) out of \(code.lowercased()).")
            } else if !adding.isEmpty {
                print("Added \(try groups.setMembers(providerID: providerID, code: code, identifiers: adding)) pupil(s) to \(code.lowercased()).")
            } else {
                for member in try groups.members(providerID: providerID, code: code) { print(member) }
            }
        }
    }
}
