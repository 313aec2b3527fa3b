import Foundation
import GapTrackDomain
import GapTrackReports
import GapTrackService
import GapTrackStore
import Hummingbird
import HummingbirdTesting
import Postgres
import Testing

/// `filter=` on the termly report (docs/methodology.md §7.8): read into the same `CohortFilter`
/// as `--filter`, computed through the report role like any report, and refused with the
/// filter's own words when it is not one.
@Suite struct FilteredReportEndpointTests {
    @Test func aFilteredReportOverHTTPIsTheCommandLineOneAndABadFilterIsRefused() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            try ReportEndpointTests.addYear11(41, provider: fixture.a, serialsFrom: 10, conninfo: conninfo)
            let owner = try PostgresConnection(conninfo: conninfo)
            let groups = PupilGroups(connection: owner)
            try groups.add(providerID: fixture.a, code: "mentoring", name: "Mentoring")
            #expect(try groups.setMembers(providerID: fixture.a, code: "mentoring", identifiers: (10..<22).map { makeUPN($0) }) == 12)
            let filter = try CohortFilter(parsing: ["group=mentoring"])
            let (provider, cohort, term) = (try ProviderCode(parsing: "school-a"), try CohortCode(parsing: "year-11"), try AcademicTerm(parsing: "2024/25-autumn"))
            let cliGovernors = try JSONReportRenderer.render(
                try TermlyReportQueries(connection: owner).report(provider: provider, cohort: cohort, term: term, audience: .governors, filter: filter))
            let governor = try fixture.token("school-a", .governor)
            let staff = try fixture.token("school-a", .staff)
            let (app, _) = makeApplication(conninfo: conninfo)
            try await app.test(.live) { client in
                let path = "/v1/reports/termly?cohort=year-11&term=2024/25-autumn&filter=group%3Dmentoring"
                let asGovernor = try await client.call(.get, path, token: governor)
                #expect(asGovernor.status == .ok, "\(asGovernor.text.prefix(300))")
                #expect(asGovernor.text == cliGovernors)
                let report = try JSONReportRenderer.decode(asGovernor.text)
                #expect(report.groupSize(.cohort)?.students.value == 12)
                #expect(report.cohort.filter == filter)

                let both = try await client.call(.get, path + "&filter=sen%3Dnone", token: staff)
                #expect(both.status == .ok)
                #expect(try JSONReportRenderer.decode(both.text).cohort.filter?.code == "group=mentoring;sen=none")

                let bad = try await client.call(.get, "/v1/reports/termly?cohort=year-11&term=2024/25-autumn&filter=colour%3Dred", token: staff)
                #expect(bad.status == .badRequest)
                #expect(bad.text.contains("use gender, sen, eal, form, marker or group"))
            }
        }
    }
}
