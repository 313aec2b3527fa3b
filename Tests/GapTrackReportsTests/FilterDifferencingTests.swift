import DisclosureControl
import Foundation
import GapTrackDomain
@testable import GapTrackReports
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// A `--filter` view published beside the unfiltered report of the same cohort: the pupils the
/// view leaves out are the difference of the two (docs/disclosure-control.md §7.7).
@Suite("Filtered views against the whole report", .serialized)
struct FilterDifferencingTests {
    static let term: AcademicTerm = "2024/25-autumn"
    static let provider = try! ProviderCode(parsing: "synthetic-school")
    static let filter = try! CohortFilter(parsing: ["eal=yes"])

    /// 240 pupils; every disadvantaged pupil but 3 has EAL, and so has half of the rest: the view
    /// `eal=yes` leaves out about 100 pupils, of whom exactly 3 are disadvantaged.
    static func school() -> SyntheticSchool {
        var school = PlantedSchool.make(count: 240, seed: 31, lookedAfterNotFSM: 0, singleFundPupils: 0)
        var leftOutDisadvantaged = 0
        for i in school.students.indices {
            if school.students[i].isDisadvantaged {
                school.students[i].eal = leftOutDisadvantaged >= 3
                leftOutDisadvantaged += 1
            } else {
                school.students[i].eal = i % 2 == 0
            }
        }
        return school
    }

    @Test("the view eal=yes leaves out 3 disadvantaged pupils: shaped alone it gives them away, shaped against the whole it does not")
    func filteredViewCannotBeDifferenced() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try Self.school().load(into: connection)
            let queries = TermlyReportQueries(connection: connection)
            let whole = try queries.data(provider: Self.provider, cohort: "year-11", term: Self.term)
            let view = try queries.data(provider: Self.provider, cohort: "year-11", term: Self.term, comparison: whole.comparison, filter: Self.filter)
            // The plant, counted independently of the report: 3 of the disadvantaged are not EAL.
            let wholeDisadvantaged = try #require(whole.groupCounts[.disadvantaged])
            #expect(wholeDisadvantaged - (view.groupCounts[.disadvantaged] ?? 0) == 3)
            let auditor = DisclosureAuditor(threshold: 10)
            for audience in [ReportAudience.governors, .public] {
                // Before: the view shaped on its own, as it was, publishes its disadvantaged count; the
                // whole report publishes its own, and the difference is the 3.
                let alone = try TermlyReportShaping().shape(TermlyGapReportBuilder().build(view), data: view, for: audience)
                let wholeReport = try queries.report(provider: Self.provider, cohort: "year-11", term: Self.term, audience: audience)
                let printedWhole = try #require(wholeReport.groupSize(.disadvantaged)?.students.value)
                let printedView = try #require(alone.groupSize(.disadvantaged)?.students.value)
                #expect(printedWhole - printedView == 3, "the leak this test plants: \(printedWhole) − \(printedView)")
                let before = try auditor.audit(TermlyReportTables.published(alone, data: view, whole: whole))
                let recovered = before.findings.first { $0.cell.rawValue == TableSet.differencePrefix + "group.disadvantaged" }
                #expect(recovered?.kind == .recoveredExactly && recovered?.value == 3, "\(before.findings)")

                // After: the view as the CLI and the service make it, attacked with every true figure
                // of the whole and the other view of its dimension (`eal=no`, the pupils outside it).
                let report = try queries.report(provider: Self.provider, cohort: "year-11", term: Self.term, audience: audience, filter: Self.filter)
                #expect(report.audience == audience)
                let breakdown = try queries.breakdown(
                    of: Self.filter, data: view, provider: Self.provider, cohort: "year-11", term: Self.term, audience: audience)
                #expect(breakdown.views.map(\.filter.code) == ["eal=no", "eal=yes"])
                let reports = try breakdown.views.map { other in
                    try queries.report(provider: Self.provider, cohort: "year-11", term: Self.term, audience: audience, filter: other.filter)
                }
                #expect(try JSONReportRenderer.render(reports[1]) == JSONReportRenderer.render(report))
                let after = try auditor.audit(breakdown.published(reports))
                #expect(after.findings.isEmpty, "\(after.findings)")
                // The outside group is audited (so the attack did look at it), and a governor's
                // subtraction of the two printed counts no longer works.
                #expect(after.figures.contains { $0.cell.rawValue == TableSet.viewPrefix("eal=no") + "group.disadvantaged" && $0.value == 3 })
                let shownView = report.groupSize(.disadvantaged)?.students.value
                #expect(shownView == nil || wholeReport.groupSize(.disadvantaged)?.students.value == nil)
                #expect(report.suppressionNotes.contains { $0.contains("complementary") })
            }
        }
    }
}
