import DisclosureControl
import Foundation
import GapTrackDomain
@testable import GapTrackReports
import Postgres
import TestDatabase
import Testing

/// The demo's reports attacked by the disclosure auditor (docs/methodology.md §7.6): the report the
/// code before audiences printed for everyone (`Fixtures/main-termly-demo-academy-year-11-2024-25-summer.json`,
/// `gaptrack report termly --format json` on the seed-2024 demo, one suppression rule per table)
/// gives small groups away; the governors' and public reports made now give nothing away.
@Suite("The demo's reports under attack", .serialized)
struct DemoDisclosureTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/main-termly-demo-academy-year-11-2024-25-summer.json")

    /// A report JSON written before reports had an audience, read as the one every reader got.
    static func decodeOldReport(_ data: Data) throws -> TermlyGapReport {
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["audience"] = ReportAudience.governors.rawValue
        if let impact = object["impact"] as? [[String: Any]] {
            object["impact"] = impact.map { section in section.merging(["audience": ReportAudience.governors.rawValue]) { $1 } }
        }
        return try JSONReportRenderer.decode(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
    }

    @Test("the old one-rule report of the demo lets the auditor recover hidden groups; the governors' and public reports of the same data do not")
    func oldReportLeaksNewReportsDoNot() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let database = CommandTests.databaseOption(connection)
            _ = try GapTrackCommandLine.run(["demo", "load", "--seed", "2024"] + database)
            let queries = TermlyReportQueries(connection: connection)
            let (provider, cohort, term) = (try ProviderCode(parsing: "demo-academy"), try CohortCode(parsing: "year-11"), try AcademicTerm(parsing: "2024/25-summer"))
            let data = try queries.data(provider: provider, cohort: cohort, term: term)

            let old = try Self.decodeOldReport(try Data(contentsOf: Self.fixture))
            // The fixture is this very data: every count it printed is the data's.
            #expect(old.groupSize(.cohort)?.students.value == data.cohortSize, "the demo changed: make the fixture again from the old code")
            #expect(old.groupSize(.disadvantaged)?.students.value == data.groupCounts[.disadvantaged])
            let oldAudit = try DisclosureAuditor().audit(try TermlyReportTables.published(old, data: data))
            let lookedAfterOnly = try #require(oldAudit.findings.first { $0.cell == "group.looked_after.not_fsm_ever_6" }, "\(oldAudit.findings)")
            // Disadvantaged − FSM Ever 6: the looked-after pupils who are not FSM Ever 6, exactly.
            #expect(lookedAfterOnly.kind == .recoveredExactly)
            #expect(lookedAfterOnly.value == (data.groupCounts[.disadvantaged] ?? 0) - (data.groupCounts[.fsmEver6] ?? 0))

            for audience in [ReportAudience.governors, .public] {
                for compare in [ComparisonGroup?.none] {
                    let report = try queries.report(provider: provider, cohort: cohort, term: term, comparison: compare, impact: .automatic, audience: audience)
                    let audit = try DisclosureAuditor().audit(try TermlyReportTables.published(report, data: data))
                    #expect(audit.passes, "\(audience): \(audit.findings.map(\.description))")
                    #expect(!audit.figures.isEmpty)
                }
            }
            // Every year group and term of the demo school, and the university's intake.
            for (code, cohortText, termText) in [
                ("demo-academy", "year-7", "2024/25-autumn"), ("demo-academy", "year-9", "2024/25-spring"), ("demo-academy", "year-11", "2024/25-autumn"),
                ("demo-university", "intake-2024", "2024/25-summer"),
            ] {
                let provider = try ProviderCode(parsing: code)
                let (cohort, term) = (try CohortCode(parsing: cohortText), try AcademicTerm(parsing: termText))
                let data = try queries.data(provider: provider, cohort: cohort, term: term)
                for audience in [ReportAudience.governors, .public] {
                    let report = try queries.report(provider: provider, cohort: cohort, term: term, audience: audience)
                    let audit = try DisclosureAuditor().audit(try TermlyReportTables.published(report, data: data))
                    #expect(audit.passes, "\(code) \(cohortText) \(termText) \(audience): \(audit.findings.map(\.description))")
                }
            }
        }
    }
}
