import ArgumentParser
import Foundation
import GapTrackDomain
import GapTrackReports
import GapTrackStore

/// `gaptrack student erase|hold|export`: the rights of one data subject (docs/data-protection.md §3–§5).
struct StudentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "student",
        abstract: "Erase one student, set or clear a legal hold, or export everything held on them.",
        subcommands: [Erase.self, Hold.self, Export.self]
    )

    struct Which: ParsableArguments {
        @OptionGroup var database: DatabaseOptions

        @Option(help: "The provider's code.")
        var provider: ProviderCode

        @Option(help: "The student's UPN, ULN, HESA id or the provider's own id.")
        var student: String

        /// The connection, and the student's id, resolved as every import resolves it.
        func resolve() throws -> (StudentRecords, Int) {
            let connection = try database.connect()
            let found = try Providers(connection: connection).require(code: provider)
            let records = StudentRecords(connection: connection)
            return (records, try records.require(student, providerID: found.id!))
        }
    }

    struct Erase: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase a student and everything about them (UK GDPR Art. 17), unless the law requires it kept.",
            discussion: """
                Refused, with the reason, while a legal hold applies, while the student is on roll, or while a record \
                the law requires (school attendance registers: six years) is inside its period. The audit log keeps \
                only that an erasure happened, when, by whom, why and a random token; earlier entries naming the \
                student are redacted. Importing again a file that contained the student brings them back as a new \
                student: the files the records came from are listed so that they can be corrected at the source.
                """)

        @OptionGroup var which: Which

        @Option(help: "Why the student is erased (kept in the audit log), e.g. 'request from the student, 2025-03-01'.")
        var reason: String

        @Option(name: .customLong("as-of"), help: "Check retention obligations on this day (YYYY-MM-DD; default today).")
        var asOf: CalendarDate?

        func run() throws {
            let (records, id) = try which.resolve()
            let erasure = try records.erase(
                studentID: id, identifier: which.student, reason: reason, asOf: RetentionCommand.day(asOf), actor: TokenCommand.actor)
            print("Erased. Erasure reference: \(erasure.token)")
            for table in erasure.deleted.keys.sorted() where erasure.deleted[table]! > 0 {
                print("  \(table): \(erasure.deleted[table]!) rows deleted")
            }
            print("  audit entries redacted: \(erasure.redactedAuditEntries)")
            if !erasure.sourceImports.isEmpty {
                print("The records came from imports \(erasure.sourceImports.map(String.init).joined(separator: ", ")) ('gaptrack audit --table imports');")
                print("importing any of those files again would bring the student back: remove them from the source first.")
            }
        }
    }

    struct Hold: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set (--reason) or clear (--clear) a legal hold: the student is then never deleted by retention or erasure.")

        @OptionGroup var which: Which

        @Option(help: "Why the record must be kept, e.g. 'claim notified 2025-03-01'.")
        var reason: String?

        @Flag(help: "Clear the hold.")
        var clear = false

        func validate() throws {
            guard (reason != nil) != clear else { throw ValidationError("give either --reason TEXT (set a hold) or --clear") }
        }

        func run() throws {
            let (records, id) = try which.resolve()
            if clear {
                print(try records.clearLegalHold(studentID: id, actor: TokenCommand.actor)
                      ? "Legal hold cleared for \(which.student)." : "\(which.student) had no legal hold.")
            } else {
                try records.setLegalHold(studentID: id, reason: reason!, actor: TokenCommand.actor)
                print("Legal hold set for \(which.student).")
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Everything held on one student (UK GDPR Art. 15), as JSON or a readable HTML page; audited.")

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case json, html
        }

        @OptionGroup var which: Which

        @Option(help: "json (complete, for machines) or html (a self-contained page for the person).")
        var format: Format = .json

        @Option(help: "Write to this file instead of standard output.")
        var output: String?

        func run() throws {
            let (records, id) = try which.resolve()
            let json = try records.subjectAccess(studentID: id, format: format.rawValue, actor: TokenCommand.actor)
            let bytes = format == .json ? json + Data("\n".utf8) : Data(try SubjectAccessPage.render(json: json).utf8)
            if let output {
                try bytes.write(to: URL(fileURLWithPath: output), options: .atomic)
            } else {
                print(String(decoding: bytes, as: UTF8.self), terminator: "")
            }
        }
    }
}
