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
    static let path = "/v1/reports/cost-of-living-evaluation?years=2022/23&as_of=2025-07-31"

    @Test func staffGetTheCommandLinesEvaluationAndAGovernorTheGovernorsShaping() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            try LifecycleReportRouteTests.addEntrants(provider: fixture.a, conninfo: conninfo)
            let staff = try fixture.token("school-a", .staff)
            let governor = try fixture.token("school-a", .governor)
            let owner = try PostgresConnection(conninfo: conninfo)
            func cli(_ audience: ReportAudience) throws -> String {
                try ReportFormat.json.render(try SupportEvaluationQueries.report(
                    provider: try ProviderCode(parsing: "school-a"), years: try LifecycleYears(parsing: "2022/23"),
                    asOf: CalendarDate(year: 2025, month: 7, day: 31)!, audience: audience, on: owner))
            }
            let cliStaff = try cli(.staff)
            let cliGovernors = try cli(.governors)
            let (app, _) = makeApplication(conninfo: conninfo)
            try await app.test(.live) { client in
                let asStaff = try await client.call(.get, Self.path, token: staff)
                let asGovernor = try await client.call(.get, Self.path, token: governor)
                #expect(asStaff.status == .ok, "\(asStaff.text.prefix(300))")
                #expect(asGovernor.status == .ok, "\(asGovernor.text.prefix(300))")
                #expect(asStaff.text == cliStaff)
                #expect(asGovernor.text == cliGovernors)
                let report = try JSONDecoder().decode(SupportEvaluationReport.self, from: Data(asStaff.text.utf8))
                #expect(report.audience == .staff && report.years == ["2022/23"])
                // Twenty entrants, none of whom received support: uptake 0 of 20.
                #expect(report.uptake.first { $0.group == "all" }?.entrants == 20)
                let governors = try JSONDecoder().decode(SupportEvaluationReport.self, from: Data(asGovernor.text.utf8))
                #expect(governors.audience == .governors)
                #expect(governors.uptake.first { $0.group == "imd_q1" }?.rows.allSatisfy { $0.group.students == nil } == true)

                let html = try await client.call(.get, Self.path + "&format=html", token: staff)
                #expect(html.status == .ok && html.text.contains("<svg") && html.text.contains("What this comparison cannot show"))
                let badYears = try await client.call(.get, "/v1/reports/cost-of-living-evaluation?years=2024/25-2021/22", token: staff)
                #expect(badYears.status == .badRequest)
                let unknown = try await client.call(.get, Self.path + "&colour=red", token: staff)
                #expect(unknown.status == .badRequest)
            }
        }
    }
}
