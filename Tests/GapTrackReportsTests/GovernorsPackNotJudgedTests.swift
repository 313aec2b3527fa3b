import Foundation
import GapTrackDomain
@testable import GapTrackReports
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// The governors' pack names, in one line under "what worked and what did not", each support type
/// it cannot judge and why (docs/methodology.md §6.6, §7.9), where it used to leave them out.
@Suite struct GovernorsPackNotJudgedTests {
    static let cohort: CohortCode = "year-11"

    func pack(_ connection: PostgresConnection) throws -> GovernorsPack {
        try GovernorsPackQueries(connection: connection).pack(
            provider: DrillDownFixture.provider, cohort: Self.cohort, term: DrillDownFixture.summer, appendix: nil)
    }

    @Test func eachSupportTypeNotJudgedIsNamedWithWhyInOneLine() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try DrillDownFixture.load(on: connection)
            // DrillDownFixture names no target: tutoring and mentoring are not judged for that reason.
            let untargeted = try pack(connection)
            #expect(untargeted.notJudged.map(\.text).contains("Tutoring: no target"))
            #expect(untargeted.notJudged.map(\.text).contains("Mentoring: no target"))
            #expect(untargeted.impactFindings.isEmpty)
            let html = GovernorsPackHTML.render(untargeted)
            let line = try #require(untargeted.notJudgedLine)
            #expect(html.contains(#"<p class="note" id="pack-not-judged">"# + HTML.escape(line) + "</p>"))
            #expect(html.components(separatedBy: "What worked and what did not")[1].contains("Tutoring: no target"))

            // Tutoring targets maths: entry is the autumn mock (before 7 April); the GCSE (10 June) falls
            // inside the support (to 27 June), so there is no exit result yet.
            try connection.query("UPDATE support_records SET target_kind = 'subject', target_subject = 'maths' WHERE type = 'tutoring'")
            // Mentoring targets attendance: the spring term before it against the summer; Cole, its one
            // pupil, has no spring marks, so no pupil has attendance on both sides.
            try connection.query("UPDATE support_records SET target_kind = 'attendance' WHERE type = 'mentoring'")
            let targeted = try pack(connection)
            let texts = targeted.notJudged.map(\.text)
            #expect(texts.contains("Tutoring (maths): no exit result yet"), "\(texts)")
            #expect(texts.contains("Mentoring (attendance): no pupil with results before and after"), "\(texts)")
            #expect(!texts.contains { $0.hasPrefix("Tutoring: ") || $0.hasPrefix("Mentoring: ") })
            #expect(targeted.impactFindings.allSatisfy { $0.intervention != "Mentoring" }, "named once, in the line")
        }
    }

    @Test func aSectionWhoseEveryEstimateIsWithheldAsTooFewIsNamedAsTooFew() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try DrillDownFixture.load(on: connection)
            try connection.query("UPDATE support_records SET target_kind = 'attendance' WHERE type = 'mentoring'")
            var pack = try pack(connection)
            let index = try #require(pack.termly.impact.firstIndex { $0.intervention.label == "Mentoring" })
            #expect(pack.termly.impact[index].outcomes.allSatisfy { $0.refusal != nil })
            // The refusal the governors' shaping gives a section under the threshold (ImpactReportBuilder).
            for outcome in pack.termly.impact[index].outcomes.indices {
                pack.termly.impact[index].outcomes[outcome].refusal =
                    "No estimate: fewer than 10 participants could be matched, too few to say anything (and below the anonymity threshold of 10)."
            }
            #expect(pack.notJudged.map(\.text).contains("Mentoring (attendance): too few pupils"), "\(pack.notJudged.map(\.text))")
            #expect(GovernorsPackHTML.render(pack).contains("Mentoring (attendance): too few pupils"))
            #expect(!pack.impactFindings.contains { $0.intervention == "Mentoring" })
            // One estimate given: the section is judged, in the table, not on the line.
            pack.termly.impact[index].outcomes[0].refusal = nil
            #expect(!pack.notJudged.contains { $0.intervention == "Mentoring" })
        }
    }
}
