import DisclosureControl
import CSVFormat
import Foundation
import GapStatistics
import GapTrackDomain
@testable import GapTrackReports
import Postgres
import TestDatabase
import GapTrackStore
import TestSupport
import Testing

/// Intervention impact sections inside the termly report (`TermlyImpactSections`),
/// on the synthetic year group of the impact tests, whose tutoring effect is planted.
@Suite struct TermlyImpactTests {
    static let section = try! ImpactRequest.TermlySection(parsing: "tutoring,maths@2024/25-autumn,maths@2024/25-summer")

    @Test func aRequestedSectionIsTheImpactReportAndEveryFormatPrintsIt() throws {
        let pupils = ImpactFixture.school(count: 300, seed: 99, effect: 0.3, attendanceEffect: 2, sessionsPerTerm: 40)
        try TestDatabase.withMigratedDatabase { connection in
            try ImpactFixture.load(pupils, code: "planted", urn: 100_101, on: connection)
            let queries = TermlyReportQueries(connection: connection)
            let report = try queries.report(
                provider: "planted", cohort: "year-8", term: "2024/25-summer", impact: .requested([Self.section]), audience: .governors)
            #expect(report.impact.count == 1)
            let alone = try ImpactFixture.report(ImpactRequest(section: Self.section, providerCode: "planted", cohort: "year-8"), on: connection)
            #expect(report.impact.first == alone)
            #expect(alone.count("participants")?.students == .value(pupils.filter { $0.support == "ended" }.count))
            // The impact's method notes follow the report's own, once each, marked as the impact's.
            #expect(report.method.contains { $0.topic == "Impact: Matching" })
            #expect(report.method.contains { $0.topic == "Attendance" } && report.method.contains { $0.topic == "Impact: Attendance" })
            #expect(Set(report.method.map(\.topic)).count == report.method.count)

            let table = TerminalReportRenderer.render(report)
            #expect(table.contains("4a. Intervention impact\n") && table.contains(alone.title))
            #expect(table.range(of: "4a. Intervention impact")!.lowerBound < table.range(of: "5. Trend over earlier terms")!.lowerBound)
            let markdown = MarkdownReportRenderer.render(report)
            #expect(markdown.contains("## Intervention impact\n\n### " + MarkdownReportRenderer.escape(alone.title) + "\n\n#### Summary"))
            let html = HTMLReportRenderer.render(report)
            #expect(html.contains("<section id=\"impact\">") && html.contains("<section id=\"impact-1-summary\">"))
            // Two sections in one page: every id (sections, charts) stays unique, and charts keep their labels.
            let twice = HTMLReportRenderer.render(
                try queries.report(provider: "planted", cohort: "year-8", term: "2024/25-summer", impact: .requested([Self.section, Self.section])))
            let ids = twice.matches(of: /id="([^"]+)"/).map { String($0.1) }
            #expect(Set(ids).count == ids.count, "every id in the page is unique")
            for label in twice.matches(of: /aria-labelledby="([^"]+)"/).map({ String($0.1) }) { #expect(ids.contains(label), "\(label)") }
            #expect(ids.contains("impact-2-summary"))
            let csv = try CSVReader(string: CSVReportRenderer.render(report)).readAll()
            #expect(csv.dropFirst().allSatisfy { $0.fields.count == CSVReportRenderer.header.count })
            let impactRows = csv.filter { $0.fields[3].hasPrefix("impact") }
            #expect(impactRows.count == ImpactCSVRenderer.rows(alone).count && impactRows.allSatisfy { $0.fields[0] == "planted" })
            let json = try JSONReportRenderer.render(report)
            #expect(try JSONReportRenderer.decode(json).impact.first?.title == alone.title)

            // Made again from the same data: the same bytes in every format.
            let again = try queries.report(
                provider: "planted", cohort: "year-8", term: "2024/25-summer", impact: .requested([Self.section]), audience: .governors)
            for format in ReportFormat.allCases { #expect(try format.render(report) == format.render(again), "\(format)") }
        }
    }

    /// Tutoring that targets maths (docs/methodology.md §6.6): entry is the last maths result
    /// before it started (the autumn test), exit the first after it ended (the summer test).
    @Test func withoutARequestEachTypeAndTargetDeliveredThisYearGetsASectionJudgedOnItsTarget() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let pupils = try ImpactFixture.loadTutoringInMaths(code: "planted", urn: 100_102, on: connection)
            let queries = TermlyReportQueries(connection: connection)
            let data = try queries.data(provider: "planted", cohort: "year-8", term: "2024/25-summer", withImpactCandidates: true)
            let tutored = pupils.filter { $0.support == "ended" }.count
            #expect(data.impactCandidates == [ImpactCandidate(
                type: "tutoring", participants: tutored, targetKind: "subject", subject: "maths",
                plan: ["subject", "maths", nil, nil, nil, nil, nil, nil], before: try AcademicTerm(parsing: "2024/25-autumn"), beforeName: nil,
                after: try AcademicTerm(parsing: "2024/25-summer"), afterName: nil)])
            let automatic = try queries.report(provider: "planted", cohort: "year-8", term: "2024/25-summer", impact: .automatic)
            let requested = try queries.report(provider: "planted", cohort: "year-8", term: "2024/25-summer", impact: .requested([Self.section]))
            // The same figures as the section asked for by hand; only the title names the target.
            #expect(automatic.impact.map(\.outcomes) == requested.impact.map(\.outcomes))
            #expect(automatic.impact.map(\.counts) == requested.impact.map(\.counts))
            #expect(automatic.impact.first?.title.contains("Tutoring (target: maths)") == true)
            #expect(automatic.method.contains { $0.topic == "Intervention impact sections" && $0.text.contains("the last result in the subject before the support started") })
            // No earlier term in the autumn: no section. None at all with .none.
            let autumn = try queries.report(provider: "planted", cohort: "year-8", term: "2024/25-autumn", impact: .automatic)
            #expect(autumn.impact.isEmpty && !autumn.method.contains { $0.topic == "Intervention impact sections" })
            #expect(try queries.report(provider: "planted", cohort: "year-8", term: "2024/25-summer").impact.isEmpty)
        }
    }

    /// Staff read a small group's impact with its wide interval and the warning; governors get
    /// the same section with its counts withheld and a refusal, never a missing section (which
    /// would itself say "fewer than 10").
    @Test func fewerParticipantsThanTheThresholdGetAMarkedSectionForStaffAndAWithheldOneForGovernors() throws {
        // Participation so low that fewer than 10 of 60 pupils are tutored.
        let pupils = ImpactFixture.school(count: 60, seed: 4, effect: 0.3, participation: (0.1, 0.05))
        let tutored = pupils.filter { $0.support == "ended" }.count
        try #require(tutored > 0 && tutored < 10)
        try TestDatabase.withMigratedDatabase { connection in
            try ImpactFixture.load(pupils, code: "few", urn: 100_103, on: connection)
            try ImpactFixture.target(code: "few", subject: "maths", on: connection)
            let queries = TermlyReportQueries(connection: connection)
            let staff = try queries.report(provider: "few", cohort: "year-8", term: "2024/25-summer", impact: .automatic)
            let section = try #require(staff.impact.first)
            #expect(staff.impact.count == 1)
            #expect(section.count("participants")?.students == .value(tutored))
            #expect(section.count("participants")?.label.hasPrefix(ReportAudience.cautionMark) == true)
            let effect = try #require(section.outcome("attainment")?.effect, "staff get the estimate")
            #expect(try #require(effect.upper) - (effect.lower ?? 0) > 0.5, "the interval of \(tutored) pupils is wide")
            #expect(section.outcome("attainment")?.finding.contains("Fewer than 10 pupils: treat with care") == true)

            let governors = try queries.shapedReport(provider: "few", cohort: "year-8", term: "2024/25-summer", impact: .automatic, audience: .governors)
            let withheld = try #require(governors.report.impact.first)
            #expect(withheld.count("participants")?.students.isSuppressed == true)
            #expect(withheld.outcome("attainment")?.effect == nil && withheld.outcome("attainment")?.refusal != nil)
            let audit = try DisclosureAuditor().audit(try TermlyReportTables.published(governors.report, data: governors.data, impact: governors.impact))
            #expect(audit.passes, "\(audit.findings.map(\.description))")
            // A malformed section is refused where it is typed, before any report is made.
            #expect(throws: ImpactError.badTermlySection("tutoring,maths@2024/25-autumn")) {
                try ImpactRequest.TermlySection(parsing: "tutoring,maths@2024/25-autumn")
            }
        }
    }
}
