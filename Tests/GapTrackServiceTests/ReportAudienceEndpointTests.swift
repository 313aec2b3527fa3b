import Foundation
import GapTrackDomain
import GapTrackReports
import GapTrackService
import GapTrackStore
import Hummingbird
import HummingbirdTesting
import Postgres
import Testing

/// Over HTTP the token's role decides the audience, and no role changes a figure
/// (docs/methodology.md §7.6): the report's queries run as gaptrack_report, which sees every row of
/// the caller's provider, restricted looked-after markers included.
@Suite struct ReportAudienceEndpointTests {
    static let path = "/v1/reports/termly?cohort=year-11&term=2024/25-autumn"

    @Test func staffAndDataLeadGetTheSameBytesAndAGovernorGetsTheGovernorsShapingOfTheSameFigures() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            // School A: 3 FSM pupils (one of them looked after, a restricted marker), 40 others, and
            // one more looked-after pupil who is not FSM: under row-level security a staff token
            // would count 3 disadvantaged and 41 others, a data lead 4 and 40 (the leak a role-filtered report gave).
            try ReportEndpointTests.addYear11(41, provider: fixture.a, serialsFrom: 10, conninfo: conninfo)
            let setup = try PostgresConnection(conninfo: conninfo)
            try setup.query(
                """
                INSERT INTO student_markers (student_id, marker, starts_on, source)
                SELECT student_id, 'looked_after', '2023-01-01', 'spell' FROM students WHERE upn = $1
                """, [makeUPN(50)])
            let staff = try fixture.token("school-a", .staff)
            let lead = try fixture.token("school-a", .dataLead)
            let admin = try fixture.token("school-a", .admin)
            let governor = try fixture.token("school-a", .governor)
            // What `gaptrack report termly --format json --audience ...` prints for the same data,
            // read as the schema's owner.
            let ownerConnection = try PostgresConnection(conninfo: conninfo)
            let owner = TermlyReportQueries(connection: ownerConnection)
            let (provider, cohort, term) = (try ProviderCode(parsing: "school-a"), try CohortCode(parsing: "year-11"), try AcademicTerm(parsing: "2024/25-autumn"))
            // A staff report carries the lists of pupils behind its figures, as `report termly` prints them.
            var ownerStaff = try owner.report(provider: provider, cohort: cohort, term: term, audience: .staff)
            ownerStaff.drillDown = try StudentDrillDownQueries(connection: ownerConnection).sections(for: ownerStaff, access: .staffReport)
            let cliStaff = try JSONReportRenderer.render(ownerStaff)
            let cliGovernors = try JSONReportRenderer.render(try owner.report(provider: provider, cohort: cohort, term: term, audience: .governors))
            let (app, _) = makeApplication(conninfo: conninfo)
            try await app.test(.live) { client in
                let asStaff = try await client.call(.get, Self.path, token: staff)
                let asLead = try await client.call(.get, Self.path, token: lead)
                let asAdmin = try await client.call(.get, Self.path, token: admin)
                let asGovernor = try await client.call(.get, Self.path, token: governor)
                for response in [asStaff, asLead, asAdmin, asGovernor] { #expect(response.status == .ok, "\(response.text.prefix(300))") }
                #expect(asStaff.text == asLead.text)
                #expect(asStaff.text == asAdmin.text)
                #expect(asStaff.text == cliStaff)
                #expect(asGovernor.text == cliGovernors)

                // The staff report counts the looked-after pupil that staff cannot see record by
                // record: the aggregate is the provider's, not the role's.
                let staffReport = try JSONReportRenderer.decode(asStaff.text)
                #expect(staffReport.audience == .staff)
                #expect(staffReport.groupSize(.lookedAfter)?.students == .value(2))
                #expect(staffReport.groupSize(.lookedAfter)?.treatWithCare == true)
                #expect(staffReport.groupSize(.disadvantaged)?.students == .value(4))
                #expect(staffReport.groupSize(.others)?.students == .value(40))
                #expect(staffReport.groupSize(.cohort)?.students == .value(44))

                let governorsReport = try JSONReportRenderer.decode(asGovernor.text)
                #expect(governorsReport.audience == .governors)
                #expect(governorsReport.groupSize(.disadvantaged)?.students.isSuppressed == true)
                #expect(governorsReport.groupSize(.lookedAfter)?.students.isSuppressed == true)
                // Every figure the governors see is the staff report's figure.
                for row in governorsReport.groupSizes {
                    if let shown = row.students.value { #expect(staffReport.groupSize(row.group)?.students.value == shown, "\(row.group.id)") }
                }
                // The staff token still cannot read the restricted record itself.
                let timeline = try await client.call(.get, "/v1/students/\(fixture.restrictedStudentA)/timeline", token: staff)
                #expect(!timeline.text.contains("looked_after"))
            }
        }
    }
}
