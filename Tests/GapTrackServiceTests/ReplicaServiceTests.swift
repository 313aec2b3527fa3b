import Foundation
import GapTrackReports
import GapTrackService
import GapTrackStore
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import PrivateCluster
import TestDatabase
import Testing

/// The service with a streaming standby configured for reads (`ServiceConfiguration.readConninfo`,
/// `gaptrack serve --read-database`; docs/scaling.md): a primary and a standby made with
/// pg_basebackup for the test.
@Suite(.serialized, .enabled(if: ReplicatedCluster.runnable("ReplicaServiceTests"), "\(ReplicatedCluster.missing ?? "")"))
struct ReplicaServiceTests {
    @Test func listsAreReadFromTheStandbyWritesGoToThePrimaryAndAppearOnTheStandbyOnceReplayed() async throws {
        try await ReplicatedCluster.with { cluster in
            let fixture = try TwoProviders.make(conninfo: cluster.primary.conninfo())
            let lead = try fixture.token("school-a", .dataLead)
            let governor = try fixture.token("school-a", .governor)
            let dependencies = ServiceDependencies(
                configuration: {
                    var configuration = ServiceConfiguration(
                        host: "127.0.0.1", port: 0, conninfo: cluster.primary.conninfo(user: ServiceLogin.name), poolSize: 2)
                    configuration.readConninfo = cluster.standby.conninfo(user: ServiceLogin.name)
                    return configuration
                }())
            var logger = Logger(label: "gaptrack.service.test")
            logger.logLevel = .critical
            let app = buildApplication(dependencies, logger: logger)
            let readPool = try #require(dependencies.readPool)
            let recovery = { @Sendable (pool: DatabasePool) async throws -> Bool in
                try await pool.run { try $0.query("SELECT pg_is_in_recovery() AS r").single().decode("r") }
            }
            // The read path is on the standby, the write path on the primary.
            #expect(try await recovery(readPool) == true)
            #expect(try await recovery(dependencies.pool) == false)
            try await BlockingWork.run { try cluster.waitForStandby() }

            try await app.test(.live) { client in
                let standby = try PostgresConnection(conninfo: cluster.standby.conninfo())
                // Replay paused: what is written now reaches the primary only.
                try standby.query("SELECT pg_wal_replay_pause()")
                let created = try await client.call(.post, "/v1/support-records", token: lead, json: json([
                    "student": fixture.studentA, "type": "tutoring", "start_date": "2025-01-06", "reference": "REPLICA-1",
                ]))
                #expect(created.status == .created, "\(created.text)")
                let id = try #require(created.object["id"] as? Int)
                // One record by id is read from the primary: there at once.
                let shown = try await client.call(.get, "/v1/support-records/\(id)", token: lead)
                #expect(shown.status == .ok, "\(shown.text)")
                // The list is read from the standby, which has not replayed the write yet.
                func listed() async throws -> [String] {
                    let answer = try await client.call(.get, "/v1/support-records?limit=500", token: lead)
                    #expect(answer.status == .ok, "\(answer.text.prefix(300))")
                    return ((answer.object["records"] as? [[String: Any]]) ?? []).compactMap { $0["reference"] as? String }
                }
                let whilePaused = try await listed()
                #expect(whilePaused.contains("TUT-1"))
                #expect(!whilePaused.contains("REPLICA-1"))
                let onPrimary: Int = try PostgresConnection(conninfo: cluster.primary.conninfo())
                    .query("SELECT count(*)::int AS n FROM support_records WHERE reference = 'REPLICA-1'").single().decode("n")
                #expect(onPrimary == 1)

                try standby.query("SELECT pg_wal_replay_resume()")
                try await BlockingWork.run { try cluster.waitForStandby() }
                #expect(try await listed().contains("REPLICA-1"))

                // Reports stay on the primary: the report functions stage the cohort in temporary
                // tables, which a hot standby cannot create (docs/scaling.md).
                let report = try await client.call(.get, "/v1/reports/termly?cohort=year-11&term=2024/25-autumn", token: governor)
                #expect(report.status == .ok, "\(report.text.prefix(300))")
                #expect(try JSONReportRenderer.decode(report.text).provider.code == "school-a")
            }
            await dependencies.pool.shutDown()
            await readPool.shutDown()
            // Why: the standby refuses a temporary table (read-only transaction), so the report
            // cannot be computed there.
            let standby = try PostgresConnection(conninfo: cluster.standby.conninfo())
            #expect {
                try standby.transaction { try $0.execute("CREATE TEMPORARY TABLE report_probe (n int) ON COMMIT DROP") }
            } throws: { error in
                (error as? PostgresError)?.sqlState == "25006"
            }
        }
    }
}
