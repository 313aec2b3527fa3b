import Foundation
import Postgres
import PrivateCluster
#if canImport(Glibc)
import Glibc
#endif

/// A real PgBouncer (Debian's `pgbouncer`) in transaction pooling mode in front of the test
/// server, with its own configuration, user list, log and socket in a temporary folder: clients
/// connect to it as they would to PostgreSQL, and it runs each transaction on whichever of its
/// `serverConnections` server sessions is free (docs/scaling.md).
///
/// It listens on a Unix socket in that folder (mode 0700), not on a TCP port, so no other user of
/// the machine can reach the test server through it and no port can collide.
public struct PgBouncer: Sendable, TestServerPrerequisites {
    public let folder: URL
    public let port = 6432
    public let serverConnections: Int

    /// Why the tests that need PgBouncer cannot run here, or nil when they can. Under CI=true
    /// never a reason: there a missing PgBouncer must fail the suite, not skip it
    /// (deploy/test.sh installs it).
    public static var missing: String? {
        if ProcessInfo.processInfo.environment["CI"] == "true" { return nil }
        return executable == nil ? "pgbouncer is not installed (apt-get install pgbouncer); the PgBouncer tests are skipped" : nil
    }

    static var executable: String? {
        let candidates = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer", "/usr/local/bin/pgbouncer"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts PgBouncer in front of the test server for `body`, then stops it and removes its
    /// folder. Blocking (it waits for PgBouncer to answer).
    public static func with<Result>(serverConnections: Int, _ body: (PgBouncer) throws -> Result) throws -> Result {
        let bouncer = try started(serverConnections: serverConnections)
        defer { bouncer.remove() }
        return try body(bouncer)
    }

    /// `with` for async tests: starting and stopping run on a thread of their own, never on the
    /// cooperative threads the in-process services answer on.
    public static func running<Result: Sendable>(
        serverConnections: Int, _ body: (PgBouncer) async throws -> Result
    ) async throws -> Result {
        let bouncer = try await BlockingWork.run { try started(serverConnections: serverConnections) }
        do {
            let result = try await body(bouncer)
            try await BlockingWork.run { bouncer.remove() }
            return result
        } catch {
            try? await BlockingWork.run { bouncer.remove() }
            throw error
        }
    }

    private static func started(serverConnections: Int) throws -> PgBouncer {
        let folder = URL(fileURLWithPath: "/var/tmp", isDirectory: true)
            .appendingPathComponent("gaptrack-pgbouncer-" + UUID().uuidString.prefix(8).lowercased(), isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let bouncer = PgBouncer(folder: folder, serverConnections: serverConnections)
        do {
            try bouncer.start()
        } catch {
            bouncer.remove()
            throw error
        }
        return bouncer
    }

    private func remove() {
        stop()
        try? FileManager.default.removeItem(at: folder)
    }

    /// The conninfo of `database` through PgBouncer, as `user`.
    public func conninfo(database: String, user: String) -> String {
        ConnectionString.make(["host": folder.path, "port": String(port), "dbname": database, "user": user])
    }

    /// `conninfo` (a test database on the test server) rewritten to go through PgBouncer, as the
    /// same user.
    public func through(_ conninfo: String) throws -> String {
        let connection = try PostgresConnection(conninfo: conninfo)
        let user: String = try connection.query("SELECT session_user::text AS u").single().decode("u")
        return self.conninfo(database: connection.databaseName, user: user)
    }

    private var pidFile: URL { folder.appendingPathComponent("pgbouncer.pid") }
    public var logFile: URL { folder.appendingPathComponent("pgbouncer.log") }

    private func start() throws {
        guard let executable = Self.executable else {
            throw ClusterError.postgresNotInstalled(searched: ["pgbouncer (apt-get install pgbouncer)"])
        }
        // Where the test server listens, asked of the server itself, so that this works for the
        // private cluster and for a server named by PG* variables alike.
        let admin = try TestDatabase.adminConnection()
        let server = try admin.query(
            """
            SELECT coalesce(host(inet_server_addr()), split_part(current_setting('unix_socket_directories'), ',', 1)) AS host,
                   current_setting('port') AS port
            """
        ).single()
        let host: String = try server.decode("host")
        let serverPort: String = try server.decode("port")
        // Every login the tests use; trust, as the private cluster itself trusts its socket.
        try "\"gaptrack\" \"\"\n\"gaptrack_app\" \"\"\n".write(to: folder.appendingPathComponent("users.txt"), atomically: true, encoding: .utf8)
        let configuration = """
            [databases]
            * = host=\(host) port=\(serverPort)

            [pgbouncer]
            unix_socket_dir = \(folder.path)
            unix_socket_mode = 0700
            listen_port = \(port)
            auth_type = trust
            auth_file = \(folder.appendingPathComponent("users.txt").path)
            pool_mode = transaction
            default_pool_size = \(serverConnections)
            max_db_connections = \(serverConnections)
            min_pool_size = 0
            reserve_pool_size = 0
            max_client_conn = 500
            server_reset_query =
            ignore_startup_parameters = extra_float_digits
            logfile = \(logFile.path)
            pidfile = \(pidFile.path)

            """
        let ini = folder.appendingPathComponent("pgbouncer.ini")
        try configuration.write(to: ini, atomically: true, encoding: .utf8)
        try PrivateCluster.giveToServerUser(folder.path)
        _ = try PrivateCluster.runAsServerUser(executable, ["-d", "-q", ini.path])
        // Answering once it accepts a client and has reached the server.
        var lastError: (any Error)?
        for _ in 0..<500 {
            do {
                _ = try PostgresConnection(conninfo: conninfo(database: "postgres", user: PrivateCluster.superuser)).query("SELECT 1")
                return
            } catch {
                lastError = error
                usleep(20_000)
            }
        }
        let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        throw ClusterError.commandFailed(command: "pgbouncer -d \(ini.path)", exitCode: -1, output: "\(lastError.map { "\($0)" } ?? ""); log: \(log)")
    }

    private func stop() {
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return }
        // SIGKILL: pgbouncer inherits the test process's signal mask through posix_spawn, and the
        // test runner's threads block SIGTERM and SIGINT, so a polite signal would never arrive.
        // Nothing of a test's pgbouncer needs a clean shutdown.
        kill(pid, SIGKILL)
        for _ in 0..<500 where kill(pid, 0) == 0 { usleep(10_000) }
    }
}

/// A server a suite starts for itself (PgBouncer, a standby), whose programs may be missing on a
/// developer's machine: the suite is skipped there with the reason printed. Under CI=true
/// `missing` is never a reason, so a missing program fails the suite instead.
public protocol TestServerPrerequisites {
    static var missing: String? { get }
}

extension TestServerPrerequisites {
    /// Whether `suite` can run; prints why not when it cannot.
    public static func runnable(_ suite: String) -> Bool {
        guard let reason = missing else { return true }
        print("\(suite) skipped: \(reason)")
        return false
    }
}
