import Foundation
import GapTrackDomain
import GapTrackReports
import GapTrackService
import GapTrackStore
import Hummingbird
import HummingbirdTesting
import Postgres
import Testing

/// GET /v1/reports/cost-of-living-evaluation: the evaluation of the caller's provider, with the
/// audience the token's role decides, byte for byte what `gaptrack report cost-of-living-evaluation
/// --format json` prints.
@Suite struct CostOfLivingEvaluationRouteTests {
    @Test func staffGetTheCommandLinesEvaluationAndAGovernorTheGovernorsShaping() async throws {
        try await UniversityReportRoute.check(
            route: "/v1/reports/cost-of-living-evaluation", query: "years=2022/23&as_of=2025-07-31",
            command: { audience, owner in
                try ReportFormat.json.render(try SupportEvaluationQueries.report(
                    provider: try ProviderCode(parsing: "school-a"), years: try LifecycleYears(parsing: "2022/23"),
                    asOf: CalendarDate(year: 2025, month: 7, day: 31)!, audience: audience, on: owner))
            },
            more: { answers, client, _ in
                let report = try JSONDecoder().decode(SupportEvaluationReport.self, from: Data(answers.staff.utf8))
                #expect(report.audience == .staff && report.years == ["2022/23"])
                // Twenty entrants, none of whom received support: uptake 0 of 20.
                #expect(report.uptake.first { $0.group == "all" }?.entrants == 20)
                let governors = try JSONDecoder().decode(SupportEvaluationReport.self, from: Data(answers.governors.utf8))
                #expect(governors.audience == .governors)
                #expect(governors.uptake.first { $0.group == "imd_q1" }?.rows.allSatisfy { $0.group.students == nil } == true)
                let html = try await client.call(
                    .get, "/v1/reports/cost-of-living-evaluation?years=2022/23&as_of=2025-07-31&format=html", token: answers.staffToken)
                #expect(html.text.contains("What this comparison cannot show"))
            })
    }
}
