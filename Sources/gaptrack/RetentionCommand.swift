import ArgumentParser
import Foundation
import GapTrackDomain
import GapTrackStore

extension CalendarDate: ExpressibleByArgument, TypedArgument {
    public static func parse(argument: String) throws -> CalendarDate { try CalendarDate(parsing: argument) }
}

/// `gaptrack retention policy|plan|apply`: storage limitation (UK GDPR Art. 5(1)(e)) by rules per
/// kind of record (docs/data-protection.md §2).
struct RetentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Show and set how long records are kept, list what is due for deletion, and delete it.",
        discussion: """
            Each provider has a rule per kind of record (student-record, attendance, results, support), by default \
            the one for its kind of provider, with its source (docs/data-protection.md). 'plan' lists what is due and \
            writes nothing; 'apply --confirm' deletes exactly that, in one transaction, and records it in the audit \
            log without the data deleted. Students under a legal hold ('gaptrack student hold') are never due.
            """,
        subcommands: [Policy.self, Plan.self, Apply.self]
    )

    /// The day retention is worked out for: --as-of, else today (UTC).
    static func day(_ asOf: CalendarDate?) -> CalendarDate {
        if let asOf { return asOf }
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date())
        return CalendarDate(year: parts.year!, month: parts.month!, day: parts.day!)!
    }

    static func printLines(_ lines: [RetentionLine], nothing: String) {
        guard !lines.isEmpty else {
            print(nothing)
            return
        }
        for line in lines {
            print("  \(line.kind.argument)  \(line.table): \(line.rows) rows of \(line.students) students, due \(line.earliest) to \(line.latest)")
            print("      rule: \(line.rule) (\(line.source))")
        }
    }

    struct Policy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the provider's retention rules, or set one with --set KIND=RULE.",
            discussion: """
                RULE is birth+YEARS (from the date of birth), left+YEARS (from the day the student left), \
                entry+YEARS (from the record's own date) or keep. Example: --set support=left+6. A rule shorter \
                than the law requires (school attendance: six years) is refused.
                """)

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The provider's code.")
        var provider: ProviderCode

        @Option(name: .customLong("set"), help: "KIND=RULE, e.g. student-record=birth+25; may be repeated.")
        var settings: [String] = []

        func parsedSettings() throws -> [(RetentionRecordKind, RetentionRule)] {
            try settings.map { setting in
                let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
                let kinds = RetentionRecordKind.allCases.map(\.argument)
                guard parts.count == 2, let kind = RetentionRecordKind.allCases.first(where: { $0.argument == parts[0].lowercased() }) else {
                    throw ValidationError("--set '\(setting)' names no kind of record; write KIND=RULE with KIND one of \(kinds.joined(separator: ", "))")
                }
                return (kind, try RetentionRule(parsing: parts[1]))
            }
        }

        func validate() throws { _ = try parsedSettings() }

        func run() throws {
            let connection = try database.connect()
            let found = try Providers(connection: connection).require(code: provider)
            let retention = Retention(connection: connection)
            for (kind, rule) in try parsedSettings() {
                try retention.set(rule, for: kind, providerID: found.id!, actor: TokenCommand.actor)
            }
            print("Retention rules for \(found.code) (\(found.kind.rawValue)):")
            for line in try retention.policy(providerID: found.id!) {
                let statutory = line.statutoryYears.map { "; the law requires at least \($0) years" } ?? ""
                print("  \(line.kind.argument): \(line.rule)\(statutory)")
                print("      \(line.source)")
            }
        }
    }

    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List what the rules make due for deletion; writes nothing.")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The provider's code.")
        var provider: ProviderCode

        @Option(name: .customLong("as-of"), help: "Work out what is due on this day (YYYY-MM-DD; default today).")
        var asOf: CalendarDate?

        func run() throws {
            let connection = try database.connect()
            let found = try Providers(connection: connection).require(code: provider)
            let day = RetentionCommand.day(asOf)
            print("Due for deletion at \(found.code) on \(day):")
            RetentionCommand.printLines(try Retention(connection: connection).plan(providerID: found.id!, asOf: day), nothing: "  nothing")
        }
    }

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete what 'plan' lists, in one transaction, audited.")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The provider's code.")
        var provider: ProviderCode

        @Option(name: .customLong("as-of"), help: "Delete what is due on this day (YYYY-MM-DD; default today).")
        var asOf: CalendarDate?

        @Flag(help: "Required: deleting cannot be undone (run 'retention plan' first).")
        var confirm = false

        func validate() throws {
            guard confirm else {
                throw ValidationError("retention apply deletes records for good: run 'gaptrack retention plan' first, then add --confirm")
            }
        }

        func run() throws {
            let connection = try database.connect()
            let found = try Providers(connection: connection).require(code: provider)
            let day = RetentionCommand.day(asOf)
            let deleted = try Retention(connection: connection).apply(providerID: found.id!, asOf: day, actor: TokenCommand.actor)
            print("Deleted at \(found.code) as of \(day):")
            RetentionCommand.printLines(deleted, nothing: "  nothing was due")
        }
    }
}
