import ArgumentParser
import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres

/// `gaptrack support review add|list`: reviews of an intervention (date, reviewer, progress
/// note, entry and exit results), as intervention registers keep them (docs/methodology.md §6.6).
/// Support records themselves come in through `gaptrack import support` and the API.
struct SupportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "support",
        abstract: "Review interventions and support records.",
        subcommands: [Review.self]
    )

    struct Review: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a review of a support record, or list its reviews.", subcommands: [Add.self, List.self])
    }

    /// The support record a review belongs to: by its id, or by its reference in the source system.
    struct Which: ParsableArguments {
        @OptionGroup var database: DatabaseOptions

        @Option(help: "The provider's code.")
        var provider: ProviderCode

        @Option(help: "The support record's id (as the API shows it).")
        var record: Int?

        @Option(help: "The support record's reference in the source system (support.csv's reference column).")
        var reference: String?

        func validate() throws {
            if (record == nil) == (reference == nil) { throw ValidationError("name the support record with --record ID or --reference REF (one of them)") }
        }

        /// The provider's reviews and the record's id, found by id or reference, for `add` and
        /// `list` alike; a record the provider does not have is refused here, in one wording.
        func open() throws -> (SupportReviews, Int) {
            let connection = try database.connect()
            let providerID = try Providers(connection: connection).require(code: provider).id!
            let reviews = SupportReviews(connection: connection, providerID: providerID)
            let id = try record ?? reference.flatMap { try reviews.recordID(reference: $0) }
            guard let id, try reviews.list(supportID: id) != nil else { throw noSuchRecord(id, known: try reviews.reviewedReferences()) }
            return (reviews, id)
        }

        /// "demo-academy has no support record 42" (or "... with reference 'TUT-1'"), with a few
        /// references that do have reviews, so a new user has one to try.
        func noSuchRecord(_ id: Int?, known: [String] = []) -> ValidationError {
            let hint = known.isEmpty ? "" : "; records with reviews include " + known.joined(separator: ", ") + " (support.csv's reference column)"
            return ValidationError("\(provider) has no support record " + (reference.map { "with reference '\($0)'" } ?? id.map(String.init) ?? "") + hint)
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a review of a support record.",
            discussion: """
                Example: gaptrack support review add --provider demo-academy --reference DA-13-000008-1 --date 2025-02-10 \\
                  --reviewer "Ms Khan" --note "Secure on fractions; next: ratio." --entry-result 4 --exit-result 5
                """)

        @OptionGroup var which: Which

        @Option(help: "The date of the review, YYYY-MM-DD; not before the record starts.")
        var date: CalendarDate

        @Option(help: "Who reviewed it.")
        var reviewer: String

        @Option(help: "How it is going, in words.")
        var note: String

        @Option(help: "The entry result as the reviewer recorded it (optional).")
        var entryResult: String?

        @Option(help: "The exit result as the reviewer recorded it (optional).")
        var exitResult: String?

        func run() throws {
            let review: NewSupportReview
            do {
                review = NewSupportReview(
                    date: date, reviewer: try SupportReviewRules.text("reviewer", reviewer),
                    progressNote: try SupportReviewRules.text("progress_note", note),
                    entryResult: try entryResult.map { try SupportReviewRules.text("entry_result", $0) },
                    exitResult: try exitResult.map { try SupportReviewRules.text("exit_result", $0) })
            } catch let problem as FieldProblem {
                throw ValidationError(problem.message)
            }
            let (reviews, id) = try which.open()
            switch try reviews.add(supportID: id, review) {
            case .added(let added):
                print("Added review \(added.id) of support record \(id) (\(added.date), \(added.reviewer)).")
            case .noSuchRecord:
                throw which.noSuchRecord(id)
            case .beforeStart(let start):
                throw ValidationError("--date \(date.isoString) is before the record's start date \(start)")
            case .duplicate:
                throw ValidationError("\(review.reviewer) has already reviewed support record \(id) on \(date.isoString)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a support record's reviews, oldest first (tab-separated).")

        @OptionGroup var which: Which

        func run() throws {
            let (reviews, id) = try which.open()
            guard let list = try reviews.list(supportID: id) else { throw which.noSuchRecord(id) }
            if list.isEmpty { print("No reviews of support record \(id) yet: add one with 'gaptrack support review add'.") }
            for review in list {
                print([review.date, review.reviewer, review.entryResult ?? "", review.exitResult ?? "", review.progressNote].joined(separator: "\t"))
            }
        }
    }
}
