import Foundation
import GapTrackService
import GapTrackStore
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import TestDatabase
import Testing

/// A pooled connection whose server session died is reopened, and the request on it is run again
/// when that cannot do anything twice (`DatabasePool.Replay`); otherwise the answer is a 503 with
/// Retry-After, never a 500.
// Serialized: each test opens a pool of its own, and the private cluster's connections are few.
@Suite(.serialized) struct DroppedConnectionTests {
    /// The service's application against `conninfo`, with the given limits and a pool of one
    /// connection, so that a test knows which session every request runs on.
    static func withService(
        limits: StatementLimits = .none,
        _ body: @escaping @Sendable (String, TwoProviders, String, ServiceDependencies, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let token = try fixture.token("school-a", .dataLead)
            let dependencies = ServiceDependencies(
                configuration: ServiceConfiguration(host: "127.0.0.1", port: 0, conninfo: conninfo, poolSize: 1, limits: limits))
            var logger = Logger(label: "gaptrack.service.test")
            logger.logLevel = .critical
            let app = buildApplication(dependencies, logger: logger)
            try await app.test(.live) { client in try await body(conninfo, fixture, token, dependencies, client) }
        }
    }

    /// Ends every session on `conninfo`'s database except the caller's, as an operator's
    /// `pg_terminate_backend` or a server restart would, and waits until they are gone.
    static func terminateOtherSessions(_ conninfo: String) async throws {
        let admin = try PostgresConnection(conninfo: conninfo)
        let others = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        try admin.query("SELECT pg_terminate_backend(pid) FROM (\(others)) AS s")
        while try !admin.query(others).rows.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
    }

    /// Installs a trigger on support_records that ends its own session the first time it fires
    /// (a sequence counts across rolled-back transactions): at the INSERT (`deferred: false`),
    /// inside the transaction, or at COMMIT (`deferred: true`), after COMMIT was sent.
    static func dieOnceOnInsert(_ conninfo: String, deferred: Bool) throws {
        let admin = try PostgresConnection(conninfo: conninfo)
        try admin.execute(
            """
            CREATE SEQUENCE test_die_once;
            CREATE FUNCTION test_die_once() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
            BEGIN
                IF nextval('test_die_once') = 1 THEN
                    PERFORM pg_terminate_backend(pg_backend_pid());
                    PERFORM pg_sleep(5);
                END IF;
                RETURN NULL;
            END $$;
            CREATE CONSTRAINT TRIGGER test_die_once AFTER INSERT ON support_records
                \(deferred ? "DEFERRABLE INITIALLY DEFERRED" : "NOT DEFERRABLE") FOR EACH ROW EXECUTE FUNCTION test_die_once();
            """)
    }

    static func count(_ conninfo: String, reference: String) throws -> Int {
        try PostgresConnection(conninfo: conninfo)
            .query("SELECT count(*)::int AS n FROM support_records WHERE reference = $1", [reference]).single().decode("n")
    }

    @Test func aReadOnADroppedConnectionIsRunAgainOnANewOne() async throws {
        try await Self.withService { conninfo, _, token, dependencies, client in
            let warm = try await client.call(.get, "/v1/support-records", token: token)
            #expect(warm.status == .ok)
            try await Self.terminateOtherSessions(conninfo)
            // Before, the first request on the dead session failed (a 500, then a 503).
            let read = try await client.call(.get, "/v1/support-records", token: token)
            #expect(read.status == .ok, "\(read.text)")
            #expect((read.object["records"] as? [Any])?.count == 4, "\(read.text)")
            #expect(dependencies.pool.currentStatistics.reconnects == 1)
            #expect(dependencies.pool.currentStatistics.replays == 1)
            let health = try await client.call(.get, "/health", token: nil)
            #expect(health.status == .ok)
        }
    }

    @Test func aCreateWhoseSessionDiedBeforeCommitIsRunAgainAndStoredOnce() async throws {
        try await Self.withService { conninfo, fixture, token, dependencies, client in
            try Self.dieOnceOnInsert(conninfo, deferred: false)
            let created = try await client.call(.post, "/v1/support-records", token: token, json: json([
                "student": fixture.studentA, "type": "tutoring", "start_date": "2025-02-03", "reference": "DIES-BEFORE-COMMIT",
            ]))
            #expect(created.status == .created, "\(created.text)")
            #expect(try Self.count(conninfo, reference: "DIES-BEFORE-COMMIT") == 1)
            #expect(dependencies.pool.currentStatistics.replays == 1)
        }
    }

    @Test func aCreateWhoseSessionDiedDuringCommitIsNotRepeatedAndAnswers503() async throws {
        try await Self.withService { conninfo, fixture, token, dependencies, client in
            try Self.dieOnceOnInsert(conninfo, deferred: true)
            let lost = try await client.call(.post, "/v1/support-records", token: token, json: json([
                "student": fixture.studentA, "type": "tutoring", "start_date": "2025-02-03", "reference": "DIES-AT-COMMIT",
            ]))
            #expect(lost.status == .serviceUnavailable, "\(lost.text)")
            #expect(lost.headers[.retryAfter] == "1")
            #expect(lost.errorMessage?.contains("may or may not have been saved") == true, "\(lost.text)")
            #expect(dependencies.pool.currentStatistics.replays == 0)
            // The session died before writing the commit, so nothing is stored, and sending it
            // again (as the message says, after looking) stores it once.
            #expect(try Self.count(conninfo, reference: "DIES-AT-COMMIT") == 0)
            let again = try await client.call(.post, "/v1/support-records", token: token, json: json([
                "student": fixture.studentA, "type": "tutoring", "start_date": "2025-02-03", "reference": "DIES-AT-COMMIT",
            ]))
            #expect(again.status == .created, "\(again.text)")
            #expect(try Self.count(conninfo, reference: "DIES-AT-COMMIT") == 1)
        }
    }

    @Test func thePoolReplaysByPolicyAndReportsACommitItCannotConfirm() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            _ = fixture
            try Self.dieOnceOnInsert(conninfo, deferred: true)
            let pool = DatabasePool(conninfo: conninfo, size: 1)
            let insert = "INSERT INTO support_records (student_id, provider_id, reference, type, starts_on) "
                + "SELECT student_id, provider_id, $1, 'tutoring', '2025-03-03' FROM students ORDER BY student_id LIMIT 1"
            await #expect {
                try await pool.run(replay: .beforeCommitOnly) { connection in
                    try connection.transaction { connection in try connection.query(insert, ["POOL-ONCE"]) }
                }
            } throws: { error in
                guard case .commitUnconfirmed = error as? PostgresError else { return false }
                return true
            }
            #expect(pool.currentStatistics.replays == 0)
            #expect(pool.currentStatistics.reconnects == 1)
            // An idempotent job is run again on a new connection, even after a lost COMMIT (the
            // trigger, re-armed, fires only once).
            try PostgresConnection(conninfo: conninfo).execute("ALTER SEQUENCE test_die_once RESTART")
            let replayedRows: Int = try await pool.run(replay: .idempotent) { connection in
                try connection.transaction { connection in try connection.query(insert, ["POOL-AGAIN"]).affectedRows }
            }
            #expect(replayedRows == 1)
            #expect(pool.currentStatistics.replays == 1)
            #expect(pool.currentStatistics.reconnects == 2)
            #expect(try Self.count(conninfo, reference: "POOL-ONCE") == 0)
            #expect(try Self.count(conninfo, reference: "POOL-AGAIN") == 1)
            await pool.shutDown()
        }
    }

    @Test func aServerThatCannotBeReachedGives503WithRetryAfterNot500() async throws {
        try await Self.withService { conninfo, _, token, dependencies, client in
            _ = dependencies
            // Every session of the database ends, and new ones are refused while it is closed to
            // connections: the replay finds nothing to connect to.
            let database = try PostgresConnection(conninfo: conninfo).databaseName
            let admin = try TestDatabase.adminConnection()
            try admin.execute("ALTER DATABASE \"\(database)\" ALLOW_CONNECTIONS false")
            try admin.query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [database])
            while try !admin.query("SELECT 1 FROM pg_stat_activity WHERE datname = $1", [database]).rows.isEmpty {
                try await Task.sleep(for: .milliseconds(10))
            }
            let refused = try await client.call(.get, "/v1/support-records", token: token)
            #expect(refused.status == .serviceUnavailable, "\(refused.text)")
            #expect(refused.headers[.retryAfter] == "1")
            try admin.execute("ALTER DATABASE \"\(database)\" ALLOW_CONNECTIONS true")
            let served = try await client.call(.get, "/v1/support-records", token: token)
            #expect(served.status == .ok, "\(served.text)")
        }
    }
}
