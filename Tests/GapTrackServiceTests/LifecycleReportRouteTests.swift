import Foundation
import GapTrackDomain
import GapTrackReports
import GapTrackService
import GapTrackStore
import Hummingbird
import HummingbirdTesting
import Postgres
import Testing

/// GET /v1/reports/lifecycle: the lifecycle report of the caller's provider, with the audience the
/// token's role decides, byte for byte what `gaptrack report lifecycle --format json` prints.
@Suite struct LifecycleReportRouteTests {
    /// Twenty 2022/23 entrants of school-a's provider: ten in IMD quintile 1, two of whom left in
    /// February 2023 (8 of 10 continued, 80.0%); ten in quintile 5, all continuing (100%): a gap
    /// of 20.0 points.
    static func addEntrants(provider: Int, conninfo: String) throws {
        let connection = try PostgresConnection(conninfo: conninfo)
        try connection.query("SELECT set_config('gaptrack.actor', 'test:fixture', false)")
        try connection.query("INSERT INTO he_courses (provider_id, course_code, title) VALUES ($1, 'BSC-X', 'Example')", [provider])
        for index in 0..<20 {
            let studentID: Int = try connection.query(
                """
                INSERT INTO students (provider_id, upn, legal_surname, forename, date_of_birth)
                VALUES ($1, $2, $3, 'Alex', '2004-01-15') RETURNING student_id
                """, [provider, makeUPN(500 + index), "Entrant\(index)"]
            ).single().decode("student_id")
            let leaves = index < 2
            try connection.query(
                """
                INSERT INTO he_instances (provider_id, student_id, commenced_on, course_code, mode, imd_quintile, left_on,
                                          leaving_reason_code, leaving_code_list, leaving_outcome)
                VALUES ($1, $2, '2022-09-26', 'BSC-X', 'full_time', $3, $4::date, $5, $6, $7::he_leaving_outcome)
                """, [provider, studentID, index < 10 ? 1 : 5, leaves ? "2023-02-01" : nil, leaves ? "07" : nil,
                      leaves ? "RSNEND" : nil, leaves ? "left" : nil])
        }
    }

    @Test func staffGetTheCommandLinesReportAndAGovernorTheGovernorsShaping() async throws {
        try await UniversityReportRoute.check(
            route: "/v1/reports/lifecycle", query: "years=2022/23&as_of=2025-07-31",
            command: { audience, owner in
                try ReportFormat.json.render(try LifecycleQueries.report(
                    provider: try ProviderCode(parsing: "school-a"), years: try LifecycleYears(parsing: "2022/23"),
                    asOf: CalendarDate(year: 2025, month: 7, day: 31)!, audience: audience, on: owner))
            },
            more: { answers, client, fixture in
                let report = try JSONDecoder().decode(LifecycleReport.self, from: Data(answers.staff.utf8))
                let imd = try #require(report.stages.first { $0.stage == .continuation }?.rows.first { $0.characteristic == "imd" })
                #expect(imd.group.percent == 80 && imd.comparison.percent == 100)
                #expect(abs(try #require(imd.gap?.points) - 20) < 1e-9)
                let governors = try JSONDecoder().decode(LifecycleReport.self, from: Data(answers.governors.utf8))
                #expect(governors.audience == .governors)
                // Two who left would be given away by quintile 1's rate and its n.
                let shaped = try #require(governors.stages.first { $0.stage == .continuation }?.rows.first { $0.characteristic == "imd" })
                #expect(shaped.group.percent == nil && shaped.gap == nil)
                // school-b's token reads school-b's report, never school-a's entrants.
                let other = try await client.call(
                    .get, "/v1/reports/lifecycle?years=2022/23&as_of=2025-07-31", token: try fixture.token("school-b", .staff))
                let otherReport = try JSONDecoder().decode(LifecycleReport.self, from: Data(other.text.utf8))
                #expect(otherReport.providerCode == "school-b")
                #expect(otherReport.stages.first { $0.stage == .access }?.totals.first?.students == 0)
            })
    }
}
