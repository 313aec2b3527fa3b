import Foundation
import GapTrackService
import GapTrackStore
import Hummingbird
import HummingbirdTesting
import Postgres
import Testing

/// Each role's allowed and forbidden calls, and every kind of cross-provider attempt, over HTTP.
@Suite struct RoleAndProviderTests {
    /// A report engine for these tests: it reports who PostgreSQL thinks is asking and what that
    /// session can see, so the tests check the scoping the real engine will run under.
    static let probeReports: TermlyReportSource = { connection, request in
        let row = try connection.query(
            """
            SELECT current_user AS db_role, (SELECT count(*) FROM students) AS students,
                   (SELECT count(*) FROM student_markers WHERE marker = 'looked_after') AS looked_after
            """
        ).single()
        guard request.cohort.code == "year-11" else { return .notFound("no cohort '\(request.cohort)'; cohorts: year-11") }
        let role: String = try row.decode("db_role")
        let students: Int = try row.decode("students")
        let lookedAfter: Int = try row.decode("looked_after")
        return .report(json: "{\"db_role\":\"\(role)\",\"students\":\(students),\"looked_after\":\(lookedAfter),\"term\":\"\(request.term)\"}")
    }

    enum Call: CaseIterable {
        case report, timeline, listSupport, createSupport, attendance, assessments, audit
    }

    /// The role matrix (README, "The service"): governors read aggregated reports only; staff record and read
    /// support and read timelines; data leads also record attendance and assessments; admins also
    /// read the audit log.
    static let allowed: [APIRole: Set<Call>] = [
        .governor: [.report],
        .staff: [.report, .timeline, .listSupport, .createSupport],
        .dataLead: [.report, .timeline, .listSupport, .createSupport, .attendance, .assessments],
        .admin: Set(Call.allCases),
    ]

    static func perform(_ call: Call, _ client: some TestClientProtocol, token: String, student: String, day: Int) async throws -> TestResponse {
        switch call {
        case .report:
            return try await client.call(.get, "/v1/reports/termly?cohort=year-11&term=2024/25-autumn", token: token)
        case .timeline:
            return try await client.call(.get, "/v1/students/\(student)/timeline", token: token)
        case .listSupport:
            return try await client.call(.get, "/v1/support-records", token: token)
        case .createSupport:
            return try await client.call(.post, "/v1/support-records", token: token, json: json([
                "student": student, "type": "mentoring", "start_date": "2025-01-\(String(format: "%02d", day))",
            ]))
        case .attendance:
            return try await client.call(.post, "/v1/attendance-marks", token: token, json: json([
                "marks": [["student": student, "date": "2025-01-\(String(format: "%02d", day))", "session": "AM", "code": "/"]],
            ]))
        case .assessments:
            return try await client.call(.post, "/v1/assessment-results", token: token, json: json([
                "results": [["student": student, "subject": "english", "assessment": "Mock \(day)", "scale": "gcse",
                             "academic_year": "2024/25", "term": "spring", "date": "2025-01-10", "result": "6"]],
            ]))
        case .audit:
            return try await client.call(.get, "/v1/audit", token: token)
        }
    }

    @Test func eachRoleMayDoWhatItsJobNeedsAndNothingMore() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let (app, _) = makeApplication(conninfo: conninfo, reports: Self.probeReports)
            var tokens: [APIRole: String] = [:]
            for role in APIRole.allCases { tokens[role] = try fixture.token("school-a", role, label: "\(role) token") }
            let issued = tokens
            try await app.test(.live) { client in
                var day = 1
                for role in APIRole.allCases {
                    for call in Call.allCases {
                        day += 1
                        let response = try await Self.perform(call, client, token: issued[role]!, student: fixture.studentA, day: day)
                        if Self.allowed[role]!.contains(call) {
                            #expect((200..<300).contains(response.status.code), "\(role) \(call): \(response.status) \(response.text)")
                        } else {
                            #expect(response.status == .forbidden, "\(role) \(call) should be forbidden, got \(response.status)")
                            #expect(response.errorMessage?.contains(role.rawValue) == true)
                        }
                    }
                }
                // The governor's report ran as the read-only governor role, scoped to school A.
                let report = try await client.call(.get, "/v1/reports/termly?cohort=year-11&term=2024/25-autumn", token: issued[.governor]!)
                #expect(report.object["db_role"] as? String == "gaptrack_governor")
                #expect(report.object["students"] as? Int == 3)
                #expect(report.object["looked_after"] as? Int == 1, "aggregates must count looked-after children")
                let staffReport = try await client.call(.get, "/v1/reports/termly?cohort=year-11&term=2024/25-autumn", token: issued[.staff]!)
                #expect(staffReport.object["db_role"] as? String == "gaptrack_service")
                let badCohort = try await client.call(.get, "/v1/reports/termly?cohort=year-12&term=2024/25-autumn", token: issued[.governor]!)
                #expect(badCohort.status == .notFound)
                let badTerm = try await client.call(.get, "/v1/reports/termly?cohort=year-11&term=2024-autumn", token: issued[.governor]!)
                #expect(badTerm.status == .badRequest)
            }
        }
    }

    @Test func staffTimelinesLeaveOutRestrictedRecords() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let staff = try fixture.token("school-a", .staff)
            let lead = try fixture.token("school-a", .dataLead)
            let (app, _) = makeApplication(conninfo: conninfo)
            try await app.test(.live) { client in
                func markersAndSupport(_ token: String) async throws -> ([String], [String]) {
                    let timeline = try await client.call(.get, "/v1/students/\(fixture.restrictedStudentA)/timeline", token: token)
                    #expect(timeline.status == .ok, "\(timeline.text)")
                    let markers = (timeline.object["markers"] as? [[String: Any]] ?? []).compactMap { $0["marker"] as? String }
                    let support = (timeline.object["support"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
                    return (markers.sorted(), support.sorted())
                }
                let seenByLead = try await markersAndSupport(lead)
                #expect(seenByLead.0 == ["fsm", "looked_after"])
                #expect(seenByLead.1 == ["housing_support", "tutoring"])
                let seenByStaff = try await markersAndSupport(staff)
                #expect(seenByStaff.0 == ["fsm"])
                #expect(seenByStaff.1 == ["tutoring"])

                // The timeline's attendance: two sessions, one absence (the re-recorded I), so 50%.
                let timeline = try await client.call(.get, "/v1/students/\(fixture.restrictedStudentA)/timeline", token: lead)
                let terms = try #require(timeline.object["attendance"] as? [[String: Any]])
                #expect(terms.count == 1)
                #expect(terms.first?["term"] as? String == "2024/25-autumn")
                #expect(terms.first?["possible_sessions"] as? Int == 2)
                #expect(terms.first?["authorised_absences"] as? Int == 1)
                #expect(terms.first?["persistently_absent"] as? Bool == true)

                // Staff cannot record a restricted record, nor flag one restricted.
                let restricted = try await client.call(.post, "/v1/support-records", token: staff, json: json([
                    "student": fixture.studentA, "type": "care_experienced_transition", "start_date": "2025-01-05",
                ]))
                #expect(restricted.status == .forbidden)
                let flagged = try await client.call(.post, "/v1/support-records", token: staff, json: json([
                    "student": fixture.studentA, "type": "mentoring", "start_date": "2025-01-06", "restricted": true,
                ]))
                #expect(flagged.status == .forbidden)
                // And the restricted record's id is simply not there for staff.
                let restrictedID: Int = try PostgresConnection(conninfo: conninfo).query(
                    "SELECT support_id FROM support_records WHERE restricted AND provider_id = $1", [fixture.a]).single().decode("support_id")
                let hidden = try await client.call(.get, "/v1/support-records/\(restrictedID)", token: staff)
                #expect(hidden.status == .notFound)
                let visible = try await client.call(.get, "/v1/support-records/\(restrictedID)", token: lead)
                #expect(visible.status == .ok)
            }
        }
    }

    @Test func aTokenForOneProviderCannotReachAnotherProvidersRecords() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let admin = try fixture.token("school-a", .admin)
            let owner = try PostgresConnection(conninfo: conninfo)
            let recordOfB: Int = try owner.query(
                "SELECT min(support_id) AS id FROM support_records WHERE provider_id = $1", [fixture.b]).single().decode("id")
            let snapshotOfB = try owner.query(
                "SELECT md5(string_agg(to_jsonb(r)::text, ',' ORDER BY support_id)) AS h FROM support_records r WHERE provider_id = $1",
                [fixture.b]).single().decode("h", as: String.self)
            let (app, _) = makeApplication(conninfo: conninfo, reports: Self.probeReports)
            try await app.test(.live) { client in
                let attempts: [(String, TestResponse, HTTPResponse.Status)] = [
                    ("read B's record", try await client.call(.get, "/v1/support-records/\(recordOfB)", token: admin), .notFound),
                    ("change B's record", try await client.call(.patch, "/v1/support-records/\(recordOfB)", token: admin,
                                                                json: json(["staff": "Mallory"])), .notFound),
                    ("end B's record", try await client.call(.post, "/v1/support-records/\(recordOfB)/end", token: admin,
                                                             json: json(["end_date": "2025-06-01"])), .notFound),
                    ("record support for B's student", try await client.call(.post, "/v1/support-records", token: admin, json: json([
                        "student": fixture.studentB, "type": "tutoring", "start_date": "2025-01-01"])), .unprocessableContent),
                    ("record attendance for B's student", try await client.call(.post, "/v1/attendance-marks", token: admin, json: json([
                        "marks": [["student": fixture.studentB, "date": "2025-01-06", "session": "AM", "code": "N"]]])), .unprocessableContent),
                    ("record a result for B's student", try await client.call(.post, "/v1/assessment-results", token: admin, json: json([
                        "results": [["student": fixture.studentB, "subject": "maths", "assessment": "Autumn mock", "scale": "gcse",
                                     "academic_year": "2024/25", "term": "autumn", "date": "2024-11-20", "result": "1"]]])), .unprocessableContent),
                    ("read B's student's timeline", try await client.call(.get, "/v1/students/\(fixture.studentB)/timeline", token: admin), .notFound),
                    ("list B's student's records", try await client.call(.get, "/v1/support-records?student=\(fixture.studentB)", token: admin), .notFound),
                ]
                for (attempt, response, expected) in attempts {
                    #expect(response.status == expected, "\(attempt): \(response.status) \(response.text)")
                }
                // Listing everything shows only A's records; the audit log only A's changes.
                let all = try await client.call(.get, "/v1/support-records?limit=500", token: admin)
                let students = Set((all.object["records"] as? [[String: Any]] ?? []).compactMap { $0["student"] as? String })
                #expect(students == Set((1...3).map(makeUPN)), "only school A's students (UPN serials 1-3)")
                let audit = try await client.call(.get, "/v1/audit?limit=500", token: admin)
                let providers = Set((audit.object["entries"] as? [[String: Any]] ?? []).compactMap { $0["provider"] as? String })
                #expect(providers == ["school-a"])
                let report = try await client.call(.get, "/v1/reports/termly?cohort=year-11&term=2024/25-autumn", token: admin)
                #expect(report.object["students"] as? Int == 3)
            }
            let afterOfB = try owner.query(
                "SELECT md5(string_agg(to_jsonb(r)::text, ',' ORDER BY support_id)) AS h FROM support_records r WHERE provider_id = $1",
                [fixture.b]).single().decode("h", as: String.self)
            #expect(afterOfB == snapshotOfB)
            let marksOfB: Int = try owner.query(
                "SELECT count(*) AS n FROM attendance_marks m JOIN students s USING (student_id) WHERE s.provider_id = $1 AND m.session_date = '2025-01-06'",
                [fixture.b]).single().decode("n")
            #expect(marksOfB == 0)
        }
    }

    @Test func missingUnknownAndRevokedTokensAreRefused() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let token = try fixture.token("school-a", .dataLead, label: "to be revoked")
            let (app, _) = makeApplication(conninfo: conninfo)
            try await app.test(.live) { client in
                let none = try await client.call(.get, "/v1/support-records", token: nil)
                #expect(none.status == .unauthorized)
                #expect(none.headers[.wwwAuthenticate] == "Bearer realm=\"gaptrack\"")
                #expect(none.errorMessage?.contains("gaptrack token create") == true)
                let forged = try await client.call(.get, "/v1/support-records", token: APITokens.generateToken())
                #expect(forged.status == .unauthorized)
                let garbage = try await client.call(.get, "/v1/support-records", token: "' OR 1=1 --")
                #expect(garbage.status == .unauthorized)

                let before = try await client.call(.get, "/v1/support-records", token: token)
                #expect(before.status == .ok)
                try APITokens(connection: try PostgresConnection(conninfo: conninfo)).revoke(String(token.prefix(12)), actor: "test:admin")
                let after = try await client.call(.get, "/v1/support-records", token: token)
                #expect(after.status == .unauthorized, "a revoked token must stop working at once")
            }
            // Only the hash is stored.
            let stored: Int = try PostgresConnection(conninfo: conninfo).query(
                "SELECT count(*) AS n FROM api_tokens WHERE token_hash = $1 OR label = $1", [token]).single().decode("n")
            #expect(stored == 0)
        }
    }
}
