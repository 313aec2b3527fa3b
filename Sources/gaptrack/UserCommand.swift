import ArgumentParser
import Foundation
import GapTrackDomain
import GapTrackStore
#if canImport(Glibc)
import Glibc
#endif

/// `gaptrack user add|list|disable`: accounts for the people who sign in to the web pages.
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Add, list and disable the accounts people sign in to the web pages with.",
        discussion: """
            An account belongs to one provider and has one role: admin, data-lead, staff (records support, sees no \
            restricted records) or governor (reads the governors' report only). The password is asked for at a prompt, \
            or read from the first line of --password-file; it is never given on the command line, where other users \
            of the machine could read it. Only its bcrypt hash is stored (docs/security.md).
            """,
        subcommands: [Add.self, List.self, Disable.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an account.")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The provider's code, as in 'gaptrack provider list'.")
        var provider: ProviderCode

        @Option(help: "The person's email address; they sign in with it.")
        var email: String

        @Option(help: "admin, data-lead, staff or governor.")
        var role: String

        @Option(help: "The name shown on the pages (default: the email address).")
        var name: String?

        @Option(name: .customLong("password-file"), help: "Read the password from the first line of this file instead of a prompt.")
        var passwordFile: String?

        func validate() throws {
            guard APIRole(parsing: role) != nil else {
                throw ValidationError("--role '\(role)' is not a role; use admin, data-lead, staff or governor")
            }
        }

        func run() throws {
            let password = try passwordFile.map(Self.readPasswordFile) ?? Self.prompt()
            let account = try UserAccounts(connection: try database.connect()).add(
                providerCode: provider, email: email, displayName: name, role: APIRole(parsing: role)!, password: password,
                actor: TokenCommand.actor)
            print("Account \(account.accountID) for \(account.email) at \(account.providerCode), role \(account.role).")
        }

        static func readPasswordFile(_ path: String) throws -> String {
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw ValidationError("cannot read --password-file \(path): \(error.localizedDescription)")
            }
            let line = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            return line.hasSuffix("\r") ? String(line.dropLast()) : line
        }

        /// Asks twice at the terminal, without echo; from a pipe, reads one line.
        static func prompt() throws -> String {
            guard isatty(STDIN_FILENO) == 1 else {
                guard let line = readLine(strippingNewline: true) else { throw ValidationError("no password given on standard input") }
                return line
            }
            let first = readHidden("Password for the new account: ")
            let second = readHidden("The same password again: ")
            guard first == second else { throw ValidationError("the two passwords differ; nothing was changed") }
            return first
        }

        static func readHidden(_ prompt: String) -> String {
            FileHandle.standardError.write(Data(prompt.utf8))
            var saved = termios()
            tcgetattr(STDIN_FILENO, &saved)
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSANOW, &quiet)
            defer {
                tcsetattr(STDIN_FILENO, TCSANOW, &saved)
                FileHandle.standardError.write(Data("\n".utf8))
            }
            return readLine(strippingNewline: true) ?? ""
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List accounts (never their passwords).")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "Only this provider's accounts.")
        var provider: ProviderCode?

        func run() throws {
            let accounts = try UserAccounts(connection: try database.connect()).list(providerCode: provider)
            guard !accounts.isEmpty else {
                print("No accounts yet; add one with 'gaptrack user add'.")
                return
            }
            let formatter = ISO8601DateFormatter()
            print(["id", "provider", "email", "role", "name", "state"].joined(separator: "\t"))
            for account in accounts {
                let state = account.disabledAt.map { "disabled \(formatter.string(from: $0))" }
                    ?? account.lockedUntil.map { "locked until \(formatter.string(from: $0))" } ?? "active"
                print([String(account.accountID), account.providerCode, account.email, account.role.rawValue, account.displayName, state]
                    .joined(separator: "\t"))
            }
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable an account: it cannot sign in, and its open sessions end at their next request.")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The provider's code.")
        var provider: ProviderCode

        @Option(help: "The account's email address.")
        var email: String

        func run() throws {
            let account = try UserAccounts(connection: try database.connect()).disable(providerCode: provider, email: email, actor: TokenCommand.actor)
            print("Account \(account.accountID) (\(account.email)) is disabled.")
        }
    }
}
