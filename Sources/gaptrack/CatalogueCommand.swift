import ArgumentParser
import GapTrackDomain
import GapTrackStore

/// `gaptrack catalogue add|list`: a provider's own support types and funding sources beside the
/// shared ones, accepted by `import support` and the service alike (docs/import-formats.md,
/// "A provider's own catalogue").
struct CatalogueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalogue",
        abstract: "Add or list a provider's own support types and funding sources.",
        subcommands: [Add.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a support type or funding source of the provider's own.",
            discussion: """
                The code is what support.csv and the API's support records give (lower-case letters, digits and \
                underscores); only this provider can use it.
                Example: gaptrack catalogue add --provider demo-academy --kind funding-source --code trust_fund --name 'Trust fund'
                """)

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The provider (see 'gaptrack provider list').")
        var provider: ProviderCode

        @Option(help: "support-type or funding-source.")
        var kind: String

        @Option(help: "The code records will give, e.g. breakfast_club.")
        var code: String

        @Option(help: "The name reports show, e.g. 'Breakfast club'.")
        var name: String

        @Flag(help: "Support types only: money or goods given to the student rather than teaching time.")
        var financial = false

        func validate() throws {
            do {
                let kind = try CatalogueKind(parsing: kind)
                _ = try SupportCatalogue.code(code)
                _ = try SupportCatalogue.name(name)
                if financial && kind == .fundingSource { throw ValidationError("--financial is for support types only") }
            } catch let error as CatalogueError {
                throw ValidationError(error.description)
            }
        }

        func run() throws {
            let connection = try database.connect()
            let found = try Providers(connection: connection).require(code: provider)
            do {
                let entry = try SupportCatalogue(connection: connection).add(
                    providerID: found.id!, kind: try CatalogueKind(parsing: kind), code: try SupportCatalogue.code(code),
                    name: try SupportCatalogue.name(name), isFinancial: financial)
                print("Added \(entry.kind.rawValue) '\(entry.code)' (\(entry.name)) to the catalogue of \(found.code).")
            } catch let error as CatalogueError {
                throw ValidationError(error.description)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the support types and funding sources a provider may use.")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The provider (see 'gaptrack provider list').")
        var provider: ProviderCode

        func run() throws {
            let connection = try database.connect()
            let found = try Providers(connection: connection).require(code: provider)
            let entries = try SupportCatalogue(connection: connection).list(providerID: found.id!)
            let width = entries.map(\.code.count).max() ?? 4
            for kind in CatalogueKind.allCases {
                print(kind == .supportType ? "Support types:" : "Funding sources:")
                for entry in entries where entry.kind == kind {
                    let notes = [entry.own ? "own" : "shared", entry.isFinancial == true ? "financial" : nil].compactMap { $0 }
                    print("  \(entry.code.padding(toLength: width, withPad: " ", startingAt: 0))  \(entry.name) (\(notes.joined(separator: ", ")))")
                }
            }
        }
    }
}
