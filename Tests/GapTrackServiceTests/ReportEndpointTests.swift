import Foundation
import GapTrackReports
import GapTrackService
import GapTrackStore
import Hummingbird
import HummingbirdTesting
import Postgres
import Testing

/// The termly report endpoint with the real report engine (GapTrackReports), as a governor sees it.
@Suite struct ReportEndpointTests {
    /// Adds `count` Year 11 students to a provider, so that its cohort is big enough to report.
    static func addYear11(_ count: Int, provider: Int, serialsFrom first: Int, conninfo: String) throws {
        let connection = try PostgresConnection(conninfo: conninfo)
        for serial in first..<(first + count) {
            let student: Int = try connection.query(
                """
                INSERT INTO students (provider_id, upn, legal_surname, forename, date_of_birth)
                VALUES ($1, $2, 'Extra', 'Pupil', '2009-02-01') RETURNING student_id
                """, [provider, makeUPN(serial)]
            ).single().decode("student_id")
            try connection.query(
                "INSERT INTO enrolments (student_id, academic_year, year_group, start_date) VALUES ($1, '2024/25', '11', '2024-09-02')",
                [student])
        }
    }

    @Test func aGovernorGetsTheSuppressedReportForTheirOwnProviderOnly() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            // A: 3 + 9 = 12 in Year 11; B: 3 + 40 = 43. A report that leaked B's rows would count 55.
            try Self.addYear11(9, provider: fixture.a, serialsFrom: 10, conninfo: conninfo)
            try Self.addYear11(40, provider: fixture.b, serialsFrom: 200, conninfo: conninfo)
            let governor = try fixture.token("school-a", .governor)
            let (app, _) = makeApplication(conninfo: conninfo)
            try await app.test(.live) { client in
                let response = try await client.call(.get, "/v1/reports/termly?cohort=year-11&term=2024/25-autumn", token: governor)
                #expect(response.status == .ok, "\(response.text.prefix(500))")
                let report = try JSONReportRenderer.decode(response.text)
                #expect(report.provider.code == "school-a")
                #expect(report.groupSize(.cohort)?.students.value == 12)
                // Three FSM students: a group under 10, shown as c, never as a number.
                #expect(report.groupSize(.disadvantaged)?.students.isSuppressed == true)
                #expect(!response.text.contains("\"students\" : 3"))

                // The cohort is parsed where it arrives: "Year 11" is year-11; a year group that
                // does not exist is the caller's mistake, named with the grammar.
                let typed = try await client.call(.get, "/v1/reports/termly?cohort=Year%2011&term=2024/25-autumn", token: governor)
                #expect(typed.status == .ok, "\(typed.text.prefix(300))")
                #expect(try JSONReportRenderer.decode(typed.text).groupSize(.cohort)?.students.value == 12)
                let badCohort = try await client.call(.get, "/v1/reports/termly?cohort=year-99&term=2024/25-autumn", token: governor)
                #expect(badCohort.status == .badRequest)
                #expect(badCohort.errorMessage?.contains("year-99") == true, "\(badCohort.text)")

                let unknown = try await client.call(.get, "/v1/reports/termly?cohort=year-7&term=2024/25-autumn", token: governor)
                #expect(unknown.status == .notFound)
                #expect(unknown.errorMessage?.contains("year-11") == true, "the message lists the cohorts there are")
                // The governor still cannot read any student-level record.
                let timeline = try await client.call(.get, "/v1/students/\(fixture.studentA)/timeline", token: governor)
                #expect(timeline.status == .forbidden)
            }
        }
    }
}
