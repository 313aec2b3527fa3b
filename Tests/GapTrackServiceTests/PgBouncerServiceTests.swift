import Foundation
import GapTrackReports
import GapTrackService
import GapTrackStore
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import TestDatabase
import Testing

/// The service behind a real PgBouncer in transaction pooling mode (docs/scaling.md): more
/// clients than server sessions, so that requests' transactions interleave on shared sessions,
/// and nothing a request sets survives its transaction.
@Suite(.serialized, .enabled(if: PgBouncer.runnable("PgBouncerServiceTests"), "\(PgBouncer.missing ?? "")"))
struct PgBouncerServiceTests {
    static func service(conninfo: String, poolSize: Int) -> (some ApplicationProtocol, ServiceDependencies) {
        let dependencies = ServiceDependencies(
            configuration: ServiceConfiguration(
                host: "127.0.0.1", port: 0, conninfo: conninfo, poolSize: poolSize, limits: ServiceConfiguration.defaultLimits))
        var logger = Logger(label: "gaptrack.service.test")
        logger.logLevel = .critical
        return (buildApplication(dependencies, logger: logger), dependencies)
    }

    @Test func writesAndReportsThroughTransactionPoolingOnFewerServerSessionsThanClients() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let lead = try fixture.token("school-a", .dataLead)
            let governor = try fixture.token("school-a", .governor)
            let direct = try TestDatabase.asServiceLogin(conninfo)
            try await PgBouncer.running(serverConnections: 2) { bouncer in
                // Eight pooled client connections of the service, two server sessions behind them.
                let (app, dependencies) = Self.service(conninfo: try bouncer.through(direct), poolSize: 8)
                try await app.test(.live) { client in
                    let port = try #require(client.port)
                    let answers = try await withThrowingTaskGroup(of: (Int, Answer).self) { group in
                        for serial in 0..<24 {
                            group.addTask {
                                let own = TestClient(host: "127.0.0.1", port: port)
                                own.connect()
                                defer { Task { try? await own.shutdown() } }
                                let request = serial % 4 == 3
                                    ? TestClient.Request(
                                        "/v1/reports/termly?cohort=year-11&term=2024/25-autumn", method: .get,
                                        headers: [.authorization: "Bearer \(governor)"])
                                    : TestClient.Request(
                                        "/v1/support-records", method: .post,
                                        headers: [.authorization: "Bearer \(lead)", .contentType: "application/json"],
                                        body: ByteBuffer(string: json([
                                            "student": fixture.studentA, "type": "tutoring", "start_date": "2025-01-06",
                                            "reference": "BOUNCER-\(serial)",
                                        ])))
                                let answer = try await own.execute(request)
                                return (serial, Answer(status: answer.status, headers: answer.headers, text: answer.body.map { String(buffer: $0) } ?? ""))
                            }
                        }
                        var answers: [(Int, Answer)] = []
                        for try await answer in group { answers.append(answer) }
                        return answers
                    }
                    for (serial, answer) in answers {
                        #expect(answer.status == (serial % 4 == 3 ? .ok : .created), "request \(serial): \(answer.text.prefix(300))")
                    }
                    // Each report is school A's own, whichever server session ran it.
                    for (_, answer) in answers where answer.status == .ok {
                        let report = try JSONReportRenderer.decode(answer.text)
                        #expect(report.provider.code == "school-a")
                    }
                    let listed = try await client.call(.get, "/v1/support-records?limit=500", token: lead)
                    #expect(listed.status == .ok)
                    let references = ((listed.object["records"] as? [[String: Any]]) ?? []).compactMap { $0["reference"] as? String }
                    #expect(references.filter { $0.hasPrefix("BOUNCER-") }.count == 18)
                }
                await dependencies.pool.shutDown()
                // Stored once each, in school A; PgBouncer never opened more than its two server sessions.
                let owner = try PostgresConnection(conninfo: conninfo)
                let stored: Int = try owner.query(
                    "SELECT count(*)::int AS n FROM support_records WHERE reference LIKE 'BOUNCER-%' AND provider_id = $1", [fixture.a]
                ).single().decode("n")
                #expect(stored == 18)
                let sessions: Int = try owner.query(
                    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND usename = 'gaptrack_app'"
                ).single().decode("n")
                #expect(sessions <= 2)
            }
        }
    }

    @Test func nothingARequestSetsIsSeenByTheNextTransactionOnTheSameServerSession() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let lead = try fixture.token("school-a", .dataLead)
            let direct = try TestDatabase.asServiceLogin(conninfo)
            // One server session: every transaction of every client runs on it, one after another.
            try await PgBouncer.running(serverConnections: 1) { bouncer in
                let through = try bouncer.through(direct)
                let probe = try PostgresConnection(conninfo: through)
                let before: Int = try probe.query("SELECT pg_backend_pid() AS pid").single().decode("pid", as: Int.self)
                // The probe can see session state left on the shared server session: a session SET
                // made by one client is seen by the next transaction of another, which is why the
                // service may make none.
                let other = try PostgresConnection(conninfo: through)
                try other.execute("SET work_mem = '7MB'")
                #expect(try probe.query("SELECT current_setting('work_mem') AS v").single().decode("v", as: String.self) == "7MB")
                try other.execute("RESET work_mem")

                let (app, dependencies) = Self.service(conninfo: through, poolSize: 2)
                try await app.test(.live) { client in
                    let created = try await client.call(.post, "/v1/support-records", token: lead, json: json([
                        "student": fixture.studentA, "type": "tutoring", "start_date": "2025-01-06", "reference": "SESSION-1",
                    ]))
                    #expect(created.status == .created, "\(created.text)")
                    let listed = try await client.call(.get, "/v1/support-records", token: lead)
                    #expect(listed.status == .ok)
                }
                await dependencies.pool.shutDown()
                // The same server session ran the service's transactions; none of their limits,
                // role or scope is left on it.
                let after = try probe.query(
                    """
                    SELECT pg_backend_pid() AS pid, current_user::text AS who, current_setting('statement_timeout') AS statement,
                           current_setting('lock_timeout') AS lock, current_setting('idle_in_transaction_session_timeout') AS idle,
                           coalesce(current_setting('gaptrack.provider_id', true), '') AS provider,
                           coalesce(current_setting('gaptrack.actor', true), '') AS actor
                    """
                ).single()
                #expect(try after.decode("pid", as: Int.self) == before)
                #expect(try after.decode("who", as: String.self) == ServiceLogin.name)
                #expect(try after.decode("statement", as: String.self) == "0")
                #expect(try after.decode("lock", as: String.self) == "0")
                #expect(try after.decode("idle", as: String.self) == "0")
                #expect(try after.decode("provider", as: String.self) == "")
                #expect(try after.decode("actor", as: String.self) == "")
            }
        }
    }
}
