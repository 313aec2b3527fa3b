import Foundation
import GapTrackDomain
import Postgres
import TestDatabase
import Testing

/// `gaptrack support review add|list` on a small loaded demo (docs/methodology.md §6.6): a
/// review round-trips, a repeat or a date before the support started is refused with a message
/// that names what to change, and no governors' or public output carries a review's note.
@Suite("gaptrack support review", .serialized)
struct SupportReviewCommandTests {
    @Test("a review added on the command line is listed, refused when repeated, and never in governors' or public reports")
    func reviewRoundTrip() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let database = CommandTests.databaseOption(connection)
            _ = try GapTrackCommandLine.run(["demo", "load", "--only", "school"] + DemoCommandTests.smallDemo + database)
            let record = try connection.query(
                """
                SELECT r.reference, r.support_id, r.starts_on::text AS starts_on FROM support_records r
                WHERE NOT r.restricted AND r.starts_on <= DATE '2025-03-10'
                  AND NOT EXISTS (SELECT FROM support_reviews v WHERE v.support_id = r.support_id)
                ORDER BY r.reference LIMIT 1
                """).single()
            // The demo's own reviews (SchoolSupportReviews) are loaded with it; this record has none.
            let demoReviews: Int = try connection.query("SELECT count(*)::int AS n FROM support_reviews").single().decode("n")
            #expect(demoReviews > 0)
            let reference: String = try record.decode("reference")
            let id: Int = try record.decode("support_id")
            let which = ["--provider", "demo-academy", "--reference", reference] + database
            let note = "Secure on fractions; next: ratio and proportion."
            let added = try GapTrackCommandLine.run(["support", "review", "add", "--date", "2025-03-10", "--reviewer", "Ms Khan", "--note", note,
                                                     "--entry-result", "3", "--exit-result", "4"] + which)
            #expect(added.count == 1 && added[0].hasPrefix("Added review ") && added[0].hasSuffix(" of support record \(id) (2025-03-10, Ms Khan)."))
            #expect(try GapTrackCommandLine.run(["support", "review", "list"] + which) == ["2025-03-10\tMs Khan\t3\t4\t\(note)"])
            // The same record by its id lists the same.
            #expect(try GapTrackCommandLine.run(["support", "review", "list", "--provider", "demo-academy", "--record", String(id)] + database)
                == ["2025-03-10\tMs Khan\t3\t4\t\(note)"])

            let again = GapTrackCommandLine.failureMessage(["support", "review", "add", "--date", "2025-03-10", "--reviewer", "Ms Khan",
                                                            "--note", "Again."] + which)
            #expect(again?.contains("Ms Khan has already reviewed support record \(id) on 2025-03-10") == true, "\(again ?? "succeeded")")
            let early = GapTrackCommandLine.failureMessage(["support", "review", "add", "--date", "2024-09-01", "--reviewer", "Ms Khan",
                                                            "--note", "Too early."] + which)
            #expect(early?.contains("--date 2024-09-01 is before the record's start date") == true, "\(early ?? "succeeded")")
            let blank = GapTrackCommandLine.failureMessage(["support", "review", "add", "--date", "2025-03-11", "--reviewer", " ",
                                                            "--note", "x"] + which)
            #expect(blank?.contains("is blank; write the reviewer") == true, "\(blank ?? "succeeded")")
            let nobody = GapTrackCommandLine.failureMessage(["support", "review", "list", "--provider", "demo-academy", "--reference", "NO-SUCH"] + database)
            #expect(nobody?.contains("has no support record with reference 'NO-SUCH'") == true, "\(nobody ?? "succeeded")")
            // A new user who copies a reference that is not theirs is told a few that have reviews,
            // and the first of them lists its reviews.
            let hint = try #require(nobody?.firstMatch(of: /records with reviews include ([^,; ]+)/)?.1)
            let hinted = try GapTrackCommandLine.run(["support", "review", "list", "--provider", "demo-academy", "--reference", String(hint)] + database)
            #expect(!hinted.isEmpty && hinted.allSatisfy { $0.split(separator: "\t").count >= 3 }, "\(hinted)")
            // add and list refuse a record the provider does not have in the same words.
            for command in [["add", "--date", "2025-03-11", "--reviewer", "Ms Khan", "--note", "x"], ["list"]] {
                let missing = GapTrackCommandLine.failureMessage(
                    ["support", "review"] + command + ["--provider", "demo-academy", "--record", "987654"] + database)
                #expect(missing?.contains("demo-academy has no support record 987654") == true, "\(command[0]): \(missing ?? "succeeded")")
            }
            let stored: Int = try connection.query("SELECT count(*)::int AS n FROM support_reviews").single().decode("n")
            #expect(stored == demoReviews + 1)

            // Pupil-level notes stay out of every governors' and public report, in every format.
            let demoNotes: [String] = try connection.query("SELECT DISTINCT progress_note FROM support_reviews WHERE reviewer <> 'Ms Khan'")
                .rows.map { try $0.decode("progress_note") }
            #expect(!demoNotes.isEmpty)
            for audience in ["governors", "public"] {
                for format in ["table", "csv", "json", "markdown", "html"] {
                    let printed = try GapTrackCommandLine.run(["report", "termly", "--provider", "demo-academy", "--cohort", "year-11",
                                                               "--term", "2024/25-summer", "--audience", audience, "--format", format] + database)
                    let text = printed.joined(separator: "\n")
                    #expect(!text.isEmpty && !text.contains("fractions") && !text.contains("Ms Khan"), "\(audience) \(format)")
                    for demoNote in demoNotes { #expect(!text.contains(demoNote), "\(audience) \(format): \(demoNote)") }
                }
            }
        }
    }
}
