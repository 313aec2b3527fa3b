import Foundation
import GapTrackStore
import Postgres
import PrivateCluster
#if canImport(Glibc)
import Glibc
#endif

/// A second private cluster of a test's own, in a temporary folder, that the test may crash with
/// SIGKILL and start again: the shared test cluster, which other tests use at the same time, is
/// never disturbed.
public struct CrashableCluster: Sendable {
    let cluster: PrivateCluster

    /// Starts a new cluster with one migrated database; `body` gets it, and afterwards the server
    /// is stopped and its folder removed.
    public static func with<Result>(_ body: (CrashableCluster) async throws -> Result) async throws -> Result {
        // Under /var/tmp: when the tests run as root the server runs as `postgres`, which cannot
        // reach /root.
        let parent = URL(fileURLWithPath: "/var/tmp", isDirectory: true)
            .appendingPathComponent("gaptrack-crash-tests-" + UUID().uuidString.prefix(8).lowercased(), isDirectory: true)
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        let crashable = CrashableCluster(cluster: PrivateCluster(folder: parent.appendingPathComponent("cluster", isDirectory: true)))
        defer {
            try? crashable.cluster.stop()
            try? FileManager.default.removeItem(at: parent)
            if !crashable.cluster.socketFolder.path.hasPrefix(parent.path) {
                try? FileManager.default.removeItem(at: crashable.cluster.socketFolder)
            }
        }
        try crashable.cluster.start()
        let connection = try PostgresConnection(conninfo: crashable.conninfo)
        try MigrationRunner(folder: TestDatabase.migrationsFolder).apply(on: connection)
        return try await body(crashable)
    }

    /// The migrated database.
    public var conninfo: String { cluster.conninfo() }

    /// Kills the postmaster and every server process with SIGKILL at once, as a power cut or the
    /// kernel's OOM killer would: nothing is flushed, no transaction is finished.
    public func crash() throws {
        let text = try String(contentsOf: cluster.dataFolder.appendingPathComponent("postmaster.pid"), encoding: .utf8)
        guard let postmaster = Int32(text.split(separator: "\n").first.map(String.init) ?? "") else { return }
        let children = Self.children(of: postmaster)
        kill(postmaster, SIGKILL)
        for child in children { kill(child, SIGKILL) }
        // Wait until they are all gone, so that the restart finds no live server.
        for pid in [postmaster] + children {
            for _ in 0..<500 where kill(pid, 0) == 0 { usleep(10_000) }
        }
    }

    /// Starts the server again after a crash; PostgreSQL replays its write-ahead log first.
    public func restart() throws {
        try cluster.start()
    }

    /// The processes whose parent is `pid`, read from /proc.
    static func children(of pid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let candidate = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // "pid (name) state ppid ...": the name may hold spaces, so read after its ')'.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == pid ? candidate : nil
        }
    }
}
