import Foundation
import GapTrackStore
import Postgres
import PrivateCluster
#if canImport(Glibc)
import Glibc
#endif

/// A primary and its streaming standby, both private clusters of the test's own in a temporary
/// folder: the primary made and migrated as `CrashableCluster` makes one, the standby copied
/// from it with `pg_basebackup -R` (`PrivateCluster.makeStandby`). The shared test cluster is
/// never copied: other tests load large demo databases into it at the same time.
public struct ReplicatedCluster: Sendable, TestServerPrerequisites {
    public let primary: PrivateCluster
    public let standby: PrivateCluster

    /// Why the replica tests cannot run here, or nil when they can; never a reason under CI=true,
    /// where missing server programs must fail the suite.
    public static var missing: String? {
        if ProcessInfo.processInfo.environment["CI"] == "true" { return nil }
        let found = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).contains {
            FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\($0)/bin/pg_basebackup")
        }
        return found ? nil : "pg_basebackup is not installed (apt-get install postgresql); the replica tests are skipped"
    }

    /// Makes both clusters (the primary with one migrated database, `gaptrack`), runs `body`,
    /// then stops both and removes their folder. Making and removing them runs on a thread of its
    /// own, never on the cooperative threads the in-process services answer on.
    public static func with<Result: Sendable>(_ body: (ReplicatedCluster) async throws -> Result) async throws -> Result {
        // Under /var/tmp: when the tests run as root the servers run as `postgres`, which cannot reach /root.
        let parent = URL(fileURLWithPath: "/var/tmp", isDirectory: true)
            .appendingPathComponent("gaptrack-replica-tests-" + UUID().uuidString.prefix(8).lowercased(), isDirectory: true)
        let primary = PrivateCluster(folder: parent.appendingPathComponent("primary", isDirectory: true))
        let standbyFolder = parent.appendingPathComponent("standby", isDirectory: true)
        let remove: @Sendable () -> Void = {
            try? PrivateCluster(folder: standbyFolder).stop()
            try? primary.stop()
            try? FileManager.default.removeItem(at: parent)
            for cluster in [primary, PrivateCluster(folder: standbyFolder)] where !cluster.socketFolder.path.hasPrefix(parent.path) {
                try? FileManager.default.removeItem(at: cluster.socketFolder)
            }
        }
        do {
            let cluster = try await BlockingWork.run {
                try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
                try primary.start()
                try MigrationRunner(folder: TestDatabase.migrationsFolder).apply(on: try PostgresConnection(conninfo: primary.conninfo()))
                // The service's login, turned on before the copy so the standby has it too.
                try ServiceLogin.enableWithoutPassword(try PostgresConnection(conninfo: primary.conninfo()))
                return ReplicatedCluster(primary: primary, standby: try primary.makeStandby(in: standbyFolder))
            }
            let result = try await body(cluster)
            try await BlockingWork.run(remove)
            return result
        } catch {
            try? await BlockingWork.run(remove)
            throw error
        }
    }

    /// Waits until the standby has replayed everything the primary has written so far: its
    /// `pg_last_wal_replay_lsn()` reaches the primary's `pg_current_wal_lsn()` as read now.
    /// Polls that position (no fixed sleep); fails after `timeout`.
    public func waitForStandby(timeout: Duration = .seconds(60)) throws {
        let target: String = try PostgresConnection(conninfo: primary.conninfo())
            .query("SELECT pg_current_wal_lsn()::text AS lsn").single().decode("lsn")
        let standbyConnection = try PostgresConnection(conninfo: standby.conninfo())
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let caughtUp: Bool = try standbyConnection
                .query("SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false) AS done", [target]).single().decode("done")
            if caughtUp { return }
            guard clock.now < deadline else {
                throw ClusterError.commandFailed(command: "waiting for the standby to replay up to \(target)", exitCode: -1, output: "timed out")
            }
            usleep(5_000)
        }
    }
}
