import Foundation
import GapTrackDomain
import GapTrackReports
import GapTrackService
import GapTrackStore
import Hummingbird
import HummingbirdTesting
import Postgres
import TestDatabase
import Testing

/// Group tokens (sql/015_provider_groups.sql, docs/security.md "Group tokens"): a trust's token
/// reads its member schools' reports and the group report, as the token's role's audience, and
/// writes nothing; row-level security refuses to bind it to a school outside the group.
@Suite struct GroupTokenTests {
    static let query = "cohort=year-11&term=2024/25-autumn"

    /// A and B (the fixture's trust-ab) get 30 and 45 more Year 11 pupils with maths results, and
    /// C, outside the trust, 20.
    static func setUp(_ conninfo: String) throws -> (TwoProviders, c: Int) {
        let fixture = try TwoProviders.make(conninfo: conninfo)
        try ReportEndpointTests.addYear11(30, provider: fixture.a, serialsFrom: 10, conninfo: conninfo)
        try ReportEndpointTests.addYear11(45, provider: fixture.b, serialsFrom: 200, conninfo: conninfo)
        let connection = try PostgresConnection(conninfo: conninfo)
        let c: Int = try connection.query(
            "INSERT INTO providers (code, name, kind, urn, la_code) VALUES ('school-c', 'School C', 'school', '100003', '801') RETURNING provider_id"
        ).single().decode("provider_id")
        try ReportEndpointTests.addYear11(20, provider: c, serialsFrom: 400, conninfo: conninfo)
        // Results spread over grades 1-9 for every pupil without one, at each school's own maths point.
        try connection.query(
            """
            INSERT INTO assessment_points (provider_id, subject, name, scale, academic_year, term)
            VALUES ($1, 'maths', 'Autumn mock', 'gcse', '2024/25', 'autumn')
            """, [c])
        try connection.query(
            """
            INSERT INTO assessment_results (assessment_point_id, scale, student_id, score, result_text, assessed_on)
            SELECT p.assessment_point_id, 'gcse', s.student_id, 1 + s.student_id % 9, (1 + s.student_id % 9)::text, '2024-11-20'
            FROM students s JOIN assessment_points p ON p.provider_id = s.provider_id
            WHERE NOT EXISTS (SELECT FROM assessment_results r WHERE r.student_id = s.student_id)
            """)
        return (fixture, c)
    }

    static func groupToken(_ conninfo: String, _ role: APIRole) throws -> String {
        try APITokens(connection: try PostgresConnection(conninfo: conninfo)).create(
            scope: .group(try ProviderGroupCode(parsing: "trust-ab")), role: role, label: "trust \(role)", actor: "test:fixture").token
    }

    @Test func aGroupTokenReadsTheGroupReportTheCommandLinePrintsForItsAudience() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let (fixture, _) = try Self.setUp(conninfo)
            let staff = try Self.groupToken(conninfo, .staff)
            let governor = try Self.groupToken(conninfo, .governor)
            let owner = GroupReportQueries(connection: try PostgresConnection(conninfo: conninfo))
            let group = try ProviderGroupCode(parsing: "trust-ab")
            let (cohort, term) = (try CohortCode(parsing: "year-11"), try AcademicTerm(parsing: "2024/25-autumn"))
            let cliStaff = try GroupReportRenderer.json(try owner.report(group: group, cohort: cohort, term: term, audience: .staff))
            let cliGovernors = try GroupReportRenderer.json(try owner.report(group: group, cohort: cohort, term: term, audience: .governors))
            let (app, _) = makeApplication(conninfo: conninfo)
            try await app.test(.live) { client in
                let asStaff = try await client.call(.get, "/v1/reports/group?" + Self.query, token: staff)
                #expect(asStaff.status == .ok, "\(asStaff.text.prefix(400))")
                #expect(asStaff.text == cliStaff)
                let report = try GroupReportRenderer.decode(asStaff.text)
                // Both members, and only them: school-c is not in the trust.
                #expect(report.subjects.first?.schools.map(\.code) == ["school-a", "school-b"])
                #expect(report.audience == .staff)
                let asGovernor = try await client.call(.get, "/v1/reports/group?" + Self.query, token: governor)
                #expect(asGovernor.status == .ok)
                #expect(asGovernor.text == cliGovernors)
                #expect(try GroupReportRenderer.decode(asGovernor.text).audience == .governors)
                let html = try await client.call(.get, "/v1/reports/group?" + Self.query + "&format=html", token: staff)
                #expect(html.status == .ok && html.text.contains("chart-funnel-1"))

                // A provider's own token has no group to report on.
                let providerToken = try fixture.token("school-a", .admin)
                let refused = try await client.call(.get, "/v1/reports/group?" + Self.query, token: providerToken)
                #expect(refused.status == .forbidden, "\(refused.text)")
            }
        }
    }

    @Test func aGroupTokenReadsAMembersTermlyReportButNoOtherSchoolsAndWritesNothing() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let (fixture, _) = try Self.setUp(conninfo)
            let trust = try Self.groupToken(conninfo, .dataLead)
            let schoolB = try fixture.token("school-b", .dataLead)
            let (app, _) = makeApplication(conninfo: conninfo)
            try await app.test(.live) { client in
                let member = try await client.call(.get, "/v1/reports/termly?\(Self.query)&provider=school-b", token: trust)
                #expect(member.status == .ok, "\(member.text.prefix(400))")
                let own = try await client.call(.get, "/v1/reports/termly?" + Self.query, token: schoolB)
                #expect(member.text == own.text, "the trust reads the figures school B reads")

                let outsider = try await client.call(.get, "/v1/reports/termly?\(Self.query)&provider=school-c", token: trust)
                #expect(outsider.status == .notFound && outsider.errorMessage?.contains("not a member") == true, "\(outsider.text)")
                let unnamed = try await client.call(.get, "/v1/reports/termly?" + Self.query, token: trust)
                #expect(unnamed.status == .badRequest && unnamed.text.contains("school-a, school-b"), "\(unnamed.text)")

                // Even a data lead's group token records nothing.
                let write = try await client.call(.post, "/v1/support-records", token: trust, json: json([
                    "student": fixture.studentA, "type": "tutoring", "starts_on": "2024-10-01",
                ]))
                #expect(write.status == .forbidden, "\(write.text)")
                let timeline = try await client.call(.get, "/v1/students/\(fixture.studentA)/timeline", token: trust)
                #expect(timeline.status == .forbidden)
            }
        }
    }

    /// Below the routes: the database binds a group session only to a member, and the role it
    /// runs as cannot write, whatever the service asked for.
    @Test func theDatabaseRefusesAGroupSessionOutsideTheGroupAndAnyWrite() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let (fixture, c) = try Self.setUp(conninfo)
            let groupID: Int = try PostgresConnection(conninfo: conninfo).query(
                "SELECT provider_group_id FROM provider_groups WHERE code = 'trust-ab'").single().decode("provider_group_id")
            let connection = try PostgresConnection(conninfo: try TestDatabase.asServiceLogin(conninfo))
            func session(_ provider: Int) -> ScopedSession {
                ScopedSession(role: .dataLead, providerID: provider, tokenID: 1, actor: "test", groupID: groupID)
            }
            let refused = Result { try session(c).run(on: connection) { _ in } }
            if case .failure(let error as PostgresError) = refused { #expect(error.sqlState == "42501") } else { Issue.record("bound to C") }

            let (seen, members): (Int, Int) = try session(fixture.a).run(on: connection) { connection in
                (try connection.query("SELECT count(*) AS n FROM students").single().decode("n"),
                 try connection.query("SELECT count(*) AS n FROM provider_group_members").single().decode("n"))
            }
            #expect(seen == 33, "A's 3 + 30 pupils, nothing of B or C")
            #expect(members == 2, "the session sees its group's membership")
            let write = Result {
                try session(fixture.a).run(on: connection) { connection in
                    try connection.query(
                        "INSERT INTO support_records (student_id, provider_id, type, starts_on) SELECT min(student_id), $1, 'mentoring', '2024-10-01' FROM students",
                        [fixture.a])
                }
            }
            if case .failure(let error as PostgresError) = write { #expect(error.sqlState == "42501") } else { Issue.record("a group session wrote") }
        }
    }
}
