import Foundation
import GapTrackDomain
import GapTrackService
import GapTrackStore
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import Synchronization
import TestDatabase
import Testing

/// The database server killed with SIGKILL in the middle of work (a cluster of the test's own,
/// `CrashableCluster`), then started again: nothing is half-written, and the running service
/// recovers by itself.
@Suite(.serialized) struct ServerKilledTests {
    /// How one create ended, as the client saw it.
    enum Outcome: Sendable {
        case created
        /// 503 whose message says the change may have been saved (the connection died in COMMIT).
        case unconfirmed
        /// Any other answer, with its status.
        case refused(Int, String)
        /// No answer at all: the request was in flight when something broke.
        case noAnswer
    }

    /// What the writers saw, shared between their tasks and the test.
    final class WriteLog: Sendable {
        let outcomes = Mutex<[(reference: String, outcome: Outcome, afterRestart: Bool)]>([])
        let restarted = Atomic<Bool>(false)
        let stop = Atomic<Bool>(false)
    }

    @Test func serviceWritesThroughACrashAreAllStoredOrNotAndTheServiceRecovers() async throws {
        try await CrashableCluster.with { cluster in
            let fixture = try TwoProviders.make(conninfo: cluster.conninfo)
            let token = try fixture.token("school-a", .dataLead)
            let dependencies = ServiceDependencies(
                configuration: ServiceConfiguration(host: "127.0.0.1", port: 0, conninfo: cluster.conninfo, poolSize: 2))
            var logger = Logger(label: "gaptrack.service.test")
            logger.logLevel = .critical
            let app = buildApplication(dependencies, logger: logger)
            try await app.test(.live) { client in
                let port = try #require(client.port)
                let log = WriteLog()
                let writers = (0..<3).map { writer in
                    Task {
                        let own = TestClient(host: "127.0.0.1", port: port)
                        own.connect()
                        var serial = 0
                        while !log.stop.load(ordering: .relaxed) {
                            serial += 1
                            let reference = "KILL-\(writer)-\(serial)"
                            let after = log.restarted.load(ordering: .relaxed)
                            let outcome: Outcome
                            do {
                                let answer = try await own.execute(TestClient.Request(
                                    "/v1/support-records", method: .post,
                                    headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                                    body: ByteBuffer(string: json([
                                        "student": fixture.studentA, "type": "tutoring", "start_date": "2025-02-03", "reference": reference,
                                    ]))))
                                let text = answer.body.map { String(buffer: $0) } ?? ""
                                if answer.status == .created {
                                    outcome = .created
                                } else if answer.status == .serviceUnavailable, text.contains("may or may not have been saved") {
                                    outcome = .unconfirmed
                                } else {
                                    outcome = .refused(Int(answer.status.code), text)
                                }
                            } catch {
                                outcome = .noAnswer
                            }
                            log.outcomes.withLock { $0.append((reference, outcome, after)) }
                            if case .created = outcome {} else { try? await Task.sleep(for: .milliseconds(20)) }
                        }
                        try? await own.shutdown()
                    }
                }
                func createdCount(afterRestart: Bool) -> Int {
                    log.outcomes.withLock { list in
                        list.filter { if case .created = $0.outcome { return $0.afterRestart == afterRestart } else { return false } }.count
                    }
                }
                // The waits are for enough writes to be flowing, not a speed: on a loaded two-core
                // machine 30 writes have taken longer than 30 s, so the limits are generous.
                let clock = ContinuousClock()
                var waited = clock.now
                while createdCount(afterRestart: false) < 30, clock.now - waited < .seconds(120) { try await Task.sleep(for: .milliseconds(5)) }
                try cluster.crash()
                try await Task.sleep(for: .milliseconds(300))
                try cluster.restart()
                log.restarted.store(true, ordering: .relaxed)
                waited = clock.now
                while createdCount(afterRestart: true) < 15, clock.now - waited < .seconds(120) { try await Task.sleep(for: .milliseconds(5)) }
                log.stop.store(true, ordering: .relaxed)
                for writer in writers { await writer.value }

                let all = log.outcomes.withLock { $0 }
                let stored: [String] = try PostgresConnection(conninfo: cluster.conninfo)
                    .query("SELECT reference FROM support_records WHERE reference LIKE 'KILL-%'").rows.map { try $0.decode("reference") }
                let storedSet = Set(stored)
                #expect(stored.count == storedSet.count, "a reference stored twice")
                #expect(createdCount(afterRestart: false) >= 30)
                // The service recovered without being restarted: its pool reconnected.
                #expect(createdCount(afterRestart: true) >= 15, "\(all.suffix(5))")
                var unsure = 0
                for (reference, outcome, _) in all {
                    switch outcome {
                    case .created:
                        #expect(storedSet.contains(reference), "\(reference) was answered 201 but is not stored")
                    case .unconfirmed, .noAnswer:
                        unsure += 1
                    case .refused(let status, let text):
                        // While the server is down: 503 with a reason, never a 500.
                        #expect(status == 503, "\(reference): \(status) \(text)")
                        #expect(!storedSet.contains(reference), "\(reference) was refused but is stored")
                    }
                }
                // Stored without a 201 only if it was in flight when the server died: at most one per writer.
                let storedWithout201 = all.filter { entry in
                    if case .created = entry.outcome { return false }
                    return storedSet.contains(entry.reference)
                }
                #expect(storedWithout201.count <= unsure && unsure <= 3, "\(storedWithout201.map(\.reference)), unsure \(unsure)")
                // The audit log has one insert per stored record: the trigger's row committed with it.
                let audited: Int = try PostgresConnection(conninfo: cluster.conninfo).query(
                    """
                    SELECT count(*)::int AS n FROM audit_log a JOIN support_records r
                      ON a.table_name = 'support_records' AND a.action = 'insert' AND (a.row_key->>'support_id')::bigint = r.support_id
                    WHERE r.reference LIKE 'KILL-%'
                    """
                ).single().decode("n")
                #expect(audited == stored.count)
                #expect(dependencies.pool.currentStatistics.reconnects >= 1)
            }
        }
    }

    @Test func anImportCutShortByACrashLeavesNothingAndLoadsWholeAfterwards() async throws {
        try await CrashableCluster.with { cluster in
            let fixture = try TwoProviders.make(conninfo: cluster.conninfo)
            _ = fixture
            let rows = 30_000
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("crash-students-\(UUID()).csv")
            defer { try? FileManager.default.removeItem(at: file) }
            var text = "upn,legal_surname,forename,date_of_birth,academic_year,year_group,start_date\n"
            for serial in 0..<rows {
                let body = Array("801" + String(format: "%09d", 300_000_000 + serial))
                let upn = String(UPN.checkLetter(forCharacters2to13: body)!) + String(body)
                text += "\(upn),Crash\(serial),Sam,2013-05-01,2024/25,7,2024-09-02\n"
            }
            try text.write(to: file, atomically: true, encoding: .utf8)

            func students() throws -> Int {
                try PostgresConnection(conninfo: cluster.conninfo).query(
                    "SELECT count(*)::int AS n FROM students s JOIN providers p USING (provider_id) WHERE p.code = 'school-a'"
                ).single().decode("n")
            }
            func ledger() throws -> [Int] {
                try PostgresConnection(conninfo: cluster.conninfo).query(
                    "SELECT rows_inserted FROM imports WHERE file_name = $1 ORDER BY import_id", [file.lastPathComponent]
                ).rows.map { try $0.decode("rows_inserted") }
            }
            let before = try students()
            let conninfo = cluster.conninfo
            let importing = Task.detached { () -> Bool in
                do {
                    _ = try Importer(connection: try PostgresConnection(conninfo: conninfo))
                        .importFile(kind: .students, url: file, provider: try ProviderCode(parsing: "school-a"))
                    return true
                } catch {
                    return false
                }
            }
            // Crash once the import is writing its rows.
            let admin = try PostgresConnection(conninfo: cluster.conninfo)
            let clock = ContinuousClock()
            let started = clock.now
            while clock.now - started < .seconds(60) {
                let writing = try admin.query(
                    """
                    SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
                      AND state = 'active' AND (query ILIKE 'COPY%' OR query ILIKE 'INSERT%')
                    """).rows.isEmpty == false
                if writing { break }
                try await Task.sleep(for: .milliseconds(5))
            }
            // At once: on a loaded machine the rest of the import has finished within 150 ms.
            try cluster.crash()
            let finished = await importing.value
            #expect(!finished, "the import ended before the crash; make the file larger")
            try cluster.restart()

            // All or nothing: none of the file's rows, and no ledger entry, survived.
            #expect(try students() == before)
            #expect(try ledger() == [])
            // The same file loads whole afterwards, recorded once.
            let summary = try Importer(connection: try PostgresConnection(conninfo: cluster.conninfo))
                .importFile(kind: .students, url: file, provider: try ProviderCode(parsing: "school-a"))
            #expect(summary.rowsRead == rows)
            #expect(try students() == before + rows)
            #expect(try ledger() == [rows])
        }
    }
}
