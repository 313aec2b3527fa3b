import Foundation
import GapTrackService
import GapTrackStore
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import ServiceLifecycle
import Synchronization
import Testing

/// The connection pool that keeps libpq off the event loop, graceful shutdown, /health and /metrics.
@Suite struct PoolAndLifecycleTests {
    @Test func thePoolRunsAtMostItsSizeOfQueriesAtOnceOnItsOwnConnections() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let pool = DatabasePool(conninfo: conninfo, size: 2)
            let clock = ContinuousClock()
            let start = clock.now
            let pids = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        try await pool.run { connection in
                            try connection.query("SELECT pg_backend_pid() AS pid, pg_sleep(0.25)").single().decode("pid", as: Int.self)
                        }
                    }
                }
                var pids: [Int] = []
                for try await pid in group { pids.append(pid) }
                return pids
            }
            let elapsed = clock.now - start
            #expect(Set(pids).count == 2, "six jobs ran on exactly the pool's two connections")
            #expect(elapsed >= .milliseconds(700), "three waves of two: \(elapsed)")
            #expect(pool.currentStatistics.busy == 0 && pool.currentStatistics.waiting == 0)
            await pool.shutDown()
            await #expect(throws: DatabasePoolError.shutDown) {
                try await pool.run { connection in try connection.query("SELECT 1") }
            }
        }
    }

    @Test func aFullWaitingLineIsRefusedAtOnceAndTheHTTPAnswerIs503() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let pool = DatabasePool(conninfo: conninfo, size: 1, maximumQueued: 2)
            let holder = try PostgresConnection(conninfo: conninfo)
            try holder.query("SELECT pg_advisory_lock(4343)")
            let slow = Task {
                try await pool.run { connection in
                    try connection.query("SELECT pg_advisory_lock(4343)")
                    try connection.query("SELECT pg_advisory_unlock(4343)")
                }
            }
            let waiting = (0..<2).map { _ in Task { try await pool.run { connection in try connection.query("SELECT 1") } } }
            while pool.currentStatistics.busy < 1 || pool.currentStatistics.waiting < 2 { try await Task.sleep(for: .milliseconds(5)) }
            await #expect(throws: DatabasePoolError.overloaded(waiting: 2)) {
                try await pool.run { connection in try connection.query("SELECT 1") }
            }
            #expect(pool.currentStatistics.refused == 1)
            try holder.query("SELECT pg_advisory_unlock(4343)")
            _ = try await slow.value
            for task in waiting { _ = try await task.value }
            await pool.shutDown()

            let fixture = try TwoProviders.make(conninfo: conninfo)
            let token = try fixture.token("school-a", .staff)
            let (app, dependencies) = makeApplication(conninfo: conninfo, poolSize: 1, maximumQueued: 0)
            try await app.test(.live) { client in
                // With no room to wait, a request that finds the only connection busy is turned away.
                // The pool's connection waits for an advisory lock this test holds, so it stays busy
                // for exactly as long as the test needs, however slow the machine.
                let holder = try PostgresConnection(conninfo: conninfo)
                try holder.query("SELECT pg_advisory_lock(4242)")
                let blocker = Task {
                    try await dependencies.pool.run { connection in
                        // Waits as long as the test holds the lock, past the service's lock timeout.
                        try connection.query("SELECT set_config('lock_timeout', '0', false)")
                        try connection.query("SELECT pg_advisory_lock(4242)")
                        try connection.query("SELECT pg_advisory_unlock(4242)")
                    }
                }
                while dependencies.pool.currentStatistics.busy < 1 { try await Task.sleep(for: .milliseconds(5)) }
                let refused = try await client.call(.get, "/v1/support-records", token: token)
                #expect(refused.status == .serviceUnavailable)
                #expect(refused.errorCode == "overloaded")
                #expect(refused.headers[.retryAfter] == "1")
                try holder.query("SELECT pg_advisory_unlock(4242)")
                _ = try await blocker.value
                let served = try await client.call(.get, "/v1/support-records", token: token)
                #expect(served.status == .ok)
            }
        }
    }

    @Test func aDroppedConnectionIsReopenedForTheNextRequest() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let pool = DatabasePool(conninfo: conninfo, size: 1)
            let first = try await pool.run { connection in try connection.query("SELECT pg_backend_pid() AS pid").single().decode("pid", as: Int.self) }
            let admin = try PostgresConnection(conninfo: conninfo)
            try admin.query("SELECT pg_terminate_backend($1)", [first])
            while try admin.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [first]).rows.count > 0 {
                try await Task.sleep(for: .milliseconds(10))
            }
            // The next job finds the connection dead and runs again on a new one
            // (DroppedConnectionTests has the rules for when it may).
            let second = try await pool.run { connection in try connection.query("SELECT pg_backend_pid() AS pid").single().decode("pid", as: Int.self) }
            #expect(second != first)
            #expect(pool.currentStatistics.reconnects == 1)
            #expect(pool.currentStatistics.replays == 1)
            await pool.shutDown()
        }
    }

    @Test func shutdownFinishesTheRequestInFlightBeforeClosing() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let token = try fixture.token("school-a", .staff)
            let dependencies = ServiceDependencies(configuration: ServiceConfiguration(host: "127.0.0.1", port: 0, conninfo: conninfo, poolSize: 2))
            let port = Mutex<Int?>(nil)
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let app = buildApplication(dependencies, logger: logger) { bound in port.withLock { $0 = bound } }
            let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
            let running = Task { try await group.run() }
            while port.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(10)) }
            let bound = port.withLock { $0 }!

            // Hold a lock that the insert must wait for, so the request is in flight at shutdown.
            let locker = try PostgresConnection(conninfo: conninfo)
            try locker.execute("BEGIN; LOCK TABLE support_records IN EXCLUSIVE MODE")
            let client = TestClient(host: "127.0.0.1", port: bound)
            client.connect()
            let request = Task {
                try await client.execute(TestClient.Request(
                    "/v1/support-records", method: .post,
                    headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                    body: ByteBuffer(string: json(["student": fixture.studentA, "type": "tutoring", "start_date": "2025-05-05"]))))
            }
            while dependencies.pool.currentStatistics.busy < 1 { try await Task.sleep(for: .milliseconds(10)) }
            await group.triggerGracefulShutdown()
            try await Task.sleep(for: .milliseconds(300))
            #expect(!request.isCancelled)
            try locker.execute("ROLLBACK")
            let response = try await request.value
            #expect(response.status == .created, "the in-flight request completed during shutdown")
            try await running.value
            try? await client.shutdown()
            let stored: Int = try PostgresConnection(conninfo: conninfo).query(
                "SELECT count(*) AS n FROM support_records WHERE starts_on = '2025-05-05'").single().decode("n")
            #expect(stored == 1)
            await #expect(throws: DatabasePoolError.shutDown) {
                try await dependencies.pool.run { connection in try connection.query("SELECT 1") }
            }
        }
    }

    @Test func healthAndMetricsAreServedWithoutAToken() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let token = try fixture.token("school-a", .staff)
            let (app, _) = makeApplication(conninfo: conninfo)
            try await app.test(.live) { client in
                let health = try await client.call(.get, "/health", token: nil)
                #expect(health.status == .ok)
                #expect(health.object["database"] as? String == "ok")
                _ = try await client.call(.get, "/v1/support-records", token: token)
                _ = try await client.call(.get, "/v1/support-records/999999", token: token)
                let metrics = try await client.call(.get, "/metrics", token: nil)
                #expect(metrics.status == .ok)
                #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
                let text = metrics.text
                #expect(text.contains("gaptrack_http_requests_total{method=\"GET\",route=\"/v1/support-records\",status=\"200\"} 1"))
                #expect(text.contains("gaptrack_http_requests_total{method=\"GET\",route=\"/v1/support-records/{id}\",status=\"404\"} 1"))
                #expect(text.contains("gaptrack_http_request_duration_seconds_bucket"))
                #expect(text.contains("gaptrack_db_pool_connections 4"))
            }
            let (down, _) = makeApplication(conninfo: "host=/nonexistent dbname=nothing connect_timeout=1")
            try await down.test(.live) { client in
                let health = try await client.call(.get, "/health", token: nil)
                #expect(health.status == .serviceUnavailable)
                #expect(health.object["status"] as? String == "degraded")
            }
        }
    }
}
