import Foundation
import GapTrackService
import GapTrackStore
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import Synchronization
import Testing

/// Statement and lock timeouts and the request deadline: a request stuck behind another's lock,
/// or waiting for a busy pool, is answered 503 with Retry-After within its deadline, leaves no
/// transaction open, and the next request after the lock is released succeeds.
@Suite(.serialized) struct TimeoutAndDeadlineTests {
    @Test func requestsBehindAHeldLockFailWithinTheDeadlineAndSucceedOnceItIsReleased() async throws {
        let limits = StatementLimits(statementTimeout: .seconds(30), lockTimeout: .seconds(3), requestDeadline: .seconds(5))
        try await DroppedConnectionTests.withService(limits: limits) { conninfo, fixture, token, dependencies, client in
            // Setting up, not under test: on a loaded machine this first request may itself meet the
            // 5 s deadline (503, rolled back), so it is tried again under a new reference.
            var created: Int?
            for attempt in 0..<5 where created == nil {
                let answer = try await client.call(.post, "/v1/support-records", token: token, json: json([
                    "student": fixture.studentA, "type": "tutoring", "start_date": "2025-02-03", "reference": "LOCKED-\(attempt)",
                ]))
                if answer.status == .created {
                    created = answer.object["id"] as? Int
                } else {
                    #expect(answer.status == .serviceUnavailable, "\(answer.text)")
                }
            }
            let id = try #require(created)
            let holder = try PostgresConnection(conninfo: conninfo)
            try holder.execute("BEGIN")
            try holder.query("SELECT 1 FROM support_records WHERE support_id = $1 FOR UPDATE", [id])

            let clock = ContinuousClock()
            let started = clock.now
            // Eight changes of the locked record at once, each on a connection of its own, on a pool
            // of one: each that gets the connection waits out the lock timeout (3 s), so however the
            // arrivals are spread on a busy machine, at most two fit inside one request's deadline
            // (5 s) and the rest reach the deadline waiting.
            let port = try #require(client.port)
            let answers = try await withThrowingTaskGroup(of: (Answer, Duration).self) { group in
                for serial in 0..<8 {
                    group.addTask {
                        let own = TestClient(host: "127.0.0.1", port: port)
                        own.connect()
                        defer { Task { try? await own.shutdown() } }
                        let answer = try await own.execute(TestClient.Request(
                            "/v1/support-records/\(id)", method: .patch,
                            headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                            body: ByteBuffer(string: json(["staff": "Ms Lock \(serial)"]))))
                        return (Answer(status: answer.status, headers: answer.headers, text: answer.body.map { String(buffer: $0) } ?? ""), clock.now - started)
                    }
                }
                var answers: [(Answer, Duration)] = []
                for try await answer in group { answers.append(answer) }
                return answers
            }
            for (answer, elapsed) in answers {
                #expect(answer.status == .serviceUnavailable, "\(answer.text)")
                #expect(answer.headers[.retryAfter] == "1")
                #expect(answer.text.contains("\"code\":\"unavailable\""), "\(answer.text)")
                // Answered by the lock timeout or the deadline, not by the 30 s statement timeout nor
                // by the lock's release (which comes only after every answer). The bound leaves room
                // for a loaded machine; what is measured is which limit answered, not how fast.
                #expect(elapsed < .seconds(25), "\(elapsed)")
            }
            #expect(answers.contains { $0.0.text.contains("being changed by another request") })
            #expect(answers.contains { $0.0.text.contains("request deadline") })
            #expect(dependencies.pool.currentStatistics.expired >= 1)
            // No session of the service is left inside a transaction.
            let open: Int = try PostgresConnection(conninfo: conninfo).query(
                """
                SELECT count(*)::int AS n FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> $1 AND state LIKE 'idle in transaction%'
                """, [holder.query("SELECT pg_backend_pid() AS pid").single().decode("pid", as: Int.self)]
            ).single().decode("n")
            #expect(open == 0)

            try holder.execute("ROLLBACK")
            let changed = try await client.call(.patch, "/v1/support-records/\(id)", token: token, json: json(["staff": "Ms After"]))
            #expect(changed.status == .ok, "\(changed.text)")
            let staff: String = try PostgresConnection(conninfo: conninfo)
                .query("SELECT staff FROM support_records WHERE support_id = $1", [id]).single().decode("staff")
            #expect(staff == "Ms After")
        }
    }

    /// A report that computes for longer than the request deadline between its statements (a
    /// governors' marker view, shaped beside the EAL and SEN views, takes tens of seconds) is
    /// answered, not cut off by the idle-in-transaction limit the deadline sets
    /// (`ReportReadingRole.computeLimit`). The long computation is stood in for by a pause after
    /// the report, inside the same transaction; without the report's own limit the server ends
    /// the session and the answer is a 503.
    @Test func aReportComputingLongerThanTheDeadlineIsAnswered() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            try ReportEndpointTests.addYear11(30, provider: fixture.a, serialsFrom: 10, conninfo: conninfo)
            let governor = try fixture.token("school-a", .governor)
            let limits = StatementLimits(statementTimeout: .seconds(30), lockTimeout: .seconds(3), requestDeadline: .seconds(1))
            let slowReports: TermlyReportSource = { connection, request in
                let outcome = try standardTermlyReports(connection, request)
                Thread.sleep(forTimeInterval: 2.5)
                return outcome
            }
            let dependencies = ServiceDependencies(
                configuration: ServiceConfiguration(
                    host: "127.0.0.1", port: 0, conninfo: conninfo, poolSize: 1, limits: limits),
                reports: slowReports)
            var logger = Logger(label: "gaptrack.service.test")
            logger.logLevel = .critical
            try await buildApplication(dependencies, logger: logger).test(.live) { client in
                let answer = try await client.call(.get, "/v1/reports/termly?cohort=year-11&term=2024/25-autumn", token: governor)
                #expect(answer.status == .ok, "\(answer.text.prefix(300))")
                #expect(answer.object["audience"] as? String == "governors", "\(answer.text.prefix(300))")
            }
        }
    }

    @Test func aStatementOverTheTimeoutIsCancelledAndTheConnectionKeepsWorking() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let limits = StatementLimits(statementTimeout: .milliseconds(300), lockTimeout: .milliseconds(200), requestDeadline: .seconds(5))
            let pool = DatabasePool(conninfo: conninfo, size: 1, limits: limits)
            // The limits hold inside every transaction the pool's connection begins, and are gone
            // outside it: nothing of them stays on the server session (docs/scaling.md).
            let names = ["statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout"]
            let (inside, outside): ([String], [String]) = try await pool.run { connection in
                func read() throws -> [String] {
                    try names.map { name in try connection.query("SELECT current_setting($1) AS v", [name]).single().decode("v") }
                }
                return (try connection.transaction { _ in try read() }, try read())
            }
            #expect(inside == ["300ms", "200ms", "5s"])
            #expect(outside == ["0", "0", "0"])
            let clock = ContinuousClock()
            let started = clock.now
            await #expect {
                try await pool.run { connection in try connection.transaction { try $0.query("SELECT pg_sleep(3)") } }
            } throws: { error in
                (error as? PostgresError)?.sqlState == ServerError.Code.queryCanceled
            }
            // The cancellation itself shows the 300 ms statement timeout answered: pg_sleep(3) left
            // alone returns without error. The clock is only a loose check that nothing waited
            // much past the sleep, since a loaded two-core machine stretches every step.
            #expect(clock.now - started < .seconds(10))
            let after: Int = try await pool.run { connection in try connection.query("SELECT 7 AS n").single().decode("n") }
            #expect(after == 7)
            #expect(pool.currentStatistics.reconnects == 0)
            await pool.shutDown()
        }
    }

    @Test func aJobWhoseDeadlinePassedWhileWaitingNeverRuns() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let pool = DatabasePool(conninfo: conninfo, size: 1)
            let holder = try PostgresConnection(conninfo: conninfo)
            try holder.query("SELECT pg_advisory_lock(5151)")
            let blocker = Task {
                try await pool.run(deadline: nil) { connection in
                    try connection.query("SELECT pg_advisory_lock(5151)")
                    try connection.query("SELECT pg_advisory_unlock(5151)")
                }
            }
            while pool.currentStatistics.busy < 1 { try await Task.sleep(for: .milliseconds(5)) }
            let ran = Counter()
            await #expect(throws: DatabasePoolError.deadlineExceeded(waited: .zero)) {
                try await pool.run(deadline: .now + .milliseconds(300)) { _ in ran.increment() }
            }
            try holder.query("SELECT pg_advisory_unlock(5151)")
            _ = try await blocker.value
            _ = try await pool.run { connection in try connection.query("SELECT 1") }
            #expect(ran.value == 0)
            #expect(pool.currentStatistics.expired == 1)
            #expect(pool.currentStatistics.busy == 0 && pool.currentStatistics.waiting == 0)
            await pool.shutDown()
        }
    }
}

/// What a raw test client's request was answered.
struct Answer: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String
}

/// A count shared with a pool job.
final class Counter: Sendable {
    private let count = Synchronization.Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
