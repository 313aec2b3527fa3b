import ArgumentParser
import GapTrackDomain
import GapTrackStore

/// `gaptrack provider add|list`: every import belongs to a provider, so one comes first.
struct ProviderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provider",
        abstract: "Add or list the schools, colleges and universities whose data gaptrack holds.",
        subcommands: [Add.self, List.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a provider.",
            discussion: "Example: gaptrack provider add --code demo-academy --name 'Demo Academy' --kind school --urn 100000 --la-code 801")

        @OptionGroup var database: DatabaseOptions

        @Option(
            help: "A short handle to type in other commands: lower-case letters, digits and hyphens (e.g. demo-academy).")
        var code: ProviderCode

        @Option(help: "The provider's name.")
        var name: String

        @Option(help: "school, college or university.")
        var kind: String

        @Option(help: "The DfE unique reference number (6 digits), for schools and colleges.")
        var urn: String?

        @Option(help: "The UK provider reference number (8 digits starting with 1), for colleges and universities.")
        var ukprn: String?

        @Option(name: .customLong("la-code"), help: "The DfE local authority number (3 digits), for schools.")
        var laCode: String?

        func validate() throws {
            guard ProviderKind(rawValue: kind.lowercased()) != nil else {
                throw ValidationError("--kind must be school, college or university, not '\(kind)'")
            }
            guard urn != nil || ukprn != nil else {
                throw ValidationError("give --urn (schools, colleges) or --ukprn (colleges, universities), or both")
            }
        }

        func run() throws {
            let provider = Provider(
                code: code.value, name: name, kind: ProviderKind(rawValue: kind.lowercased())!,
                urn: try urn.map { try URN($0) }, ukprn: try ukprn.map { try UKPRN($0) }, laCode: laCode)
            let stored = try Providers(connection: try database.connect()).create(provider)
            print("Added \(stored.kind) '\(stored.name)' as provider \(stored.code).")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the providers.")

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let providers = try Providers(connection: try database.connect()).list()
            if providers.isEmpty {
                print("No providers yet. Add one with: gaptrack provider add --code CODE --name NAME --kind school --urn URN")
                return
            }
            let width = providers.map(\.code.count).max() ?? 4
            for provider in providers {
                let identifiers = [provider.urn.map { "URN \($0)" }, provider.ukprn.map { "UKPRN \($0)" }, provider.laCode.map { "LA \($0)" }]
                    .compactMap { $0 }.joined(separator: ", ")
                print("\(provider.code.padding(toLength: width, withPad: " ", startingAt: 0))  \(provider.kind.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0))  \(provider.name) (\(identifiers))")
            }
        }
    }
}
