import ArgumentParser
import Foundation
import GapTrackDomain
import GapTrackStore

/// `gaptrack token create|list|revoke`: API tokens for `gaptrack serve`.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke API tokens for the HTTP service.",
        discussion: """
            A token belongs to one provider and has one role: admin, data-lead, staff (records support, sees no \
            restricted records) or governor (reads aggregated, suppressed reports only). The token is shown once; \
            only its SHA-256 is stored.
            """,
        subcommands: [Create.self, List.self, Revoke.self]
    )

    /// Who the audit log names for a change made from the command line.
    static var actor: String { "cli:" + (ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? NSUserName()) }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token and print it (once).")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The provider's code, as in 'gaptrack provider list'.")
        var provider: ProviderCode?

        @Option(help: "Instead of --provider: a provider group's code; the token reads its member schools' reports and writes nothing.")
        var group: ProviderGroupCode?

        @Option(help: "admin, data-lead, staff or governor.")
        var role: String

        @Option(help: "Who or what the token is for, e.g. 'MIS integration' or 'A Governor'.")
        var label: String

        func validate() throws {
            guard (provider == nil) != (group == nil) else { throw ValidationError("give --provider or --group, not both and not neither") }
            guard APIRole(parsing: role) != nil else {
                throw ValidationError("--role '\(role)' is not a role; use admin, data-lead, staff or governor")
            }
        }

        func run() throws {
            let store = APITokens(connection: try database.connect())
            let scope: APITokens.NewTokenScope = if let group { .group(group) } else { .provider(provider!) }
            let created = try store.create(scope: scope, role: APIRole(parsing: role)!, label: label, actor: TokenCommand.actor)
            print(created.token)
            FileHandle.standardError.write(Data("""
                Token \(created.record.tokenID) for \(created.record.providerCode ?? "group " + (created.record.groupCode ?? "")), role \(created.record.role), '\(created.record.label)'.
                This is the only time the token is shown: store it now. Send it as 'Authorization: Bearer <token>'.

                """.utf8))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never the tokens themselves).")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "Only this provider's tokens.")
        var provider: ProviderCode?

        @Flag(help: "Include revoked tokens.")
        var all = false

        func run() throws {
            let tokens = try APITokens(connection: try database.connect()).list(providerCode: provider, includeRevoked: all)
            if tokens.isEmpty {
                print("No tokens" + (all ? "." : " in use (--all shows revoked ones)."))
                return
            }
            print("id     provider              role       prefix        created           label")
            for token in tokens {
                let created = String(describing: token.createdAt).prefix(16)
                let state = token.revokedAt.map { "  (revoked \(String(describing: $0).prefix(16)))" } ?? ""
                print(
                    String(token.tokenID).padding(toLength: 7, withPad: " ", startingAt: 0)
                        + (token.providerCode ?? "group:" + (token.groupCode ?? "")).padding(toLength: 22, withPad: " ", startingAt: 0)
                        + token.role.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)
                        + token.prefix.padding(toLength: 14, withPad: " ", startingAt: 0)
                        + created.padding(toLength: 18, withPad: " ", startingAt: 0)
                        + token.label + state)
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token; it stops working at once.")

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "The token's id or prefix (gtk_...), as 'gaptrack token list' shows.")
        var token: String

        func run() throws {
            let revoked = try APITokens(connection: try database.connect()).revoke(token, actor: TokenCommand.actor)
            print("Revoked token \(revoked.tokenID) (\(revoked.providerCode ?? "group " + (revoked.groupCode ?? "")), \(revoked.role), '\(revoked.label)').")
        }
    }
}
