import Foundation
import GapTrackStore
import Postgres

/// The embedded default: a real PostgreSQL cluster kept in the project folder, used whenever the
/// user has not named a server. It listens only on a Unix socket inside its own folder (no TCP
/// port), trusts local connections, and holds one database, `gaptrack`.
///
/// PostgreSQL refuses to run as root, so when gaptrack runs as root the cluster's files belong to
/// the `postgres` system user and initdb and pg_ctl run as that user (`runuser`).
public struct PrivateCluster: Sendable {
    public let folder: URL
    public static let databaseName = "gaptrack"
    public static let superuser = "gaptrack"

    public init(folder: URL) {
        self.folder = folder
    }

    public init(project: ProjectFolder) {
        self.init(folder: project.privateClusterFolder)
    }

    public var dataFolder: URL { folder.appendingPathComponent("data", isDirectory: true) }
    public var logFile: URL { folder.appendingPathComponent("server.log") }

    /// The socket lives in the cluster folder unless that path is too long for a Unix socket
    /// (`sun_path` holds 107 bytes, and the server appends `/.s.PGSQL.5432`); then in /tmp,
    /// under a name derived from the folder so that two projects never collide.
    public var socketFolder: URL {
        let preferred = folder.appendingPathComponent("socket", isDirectory: true)
        if preferred.path.utf8.count + "/.s.PGSQL.5432".utf8.count < 100 { return preferred }
        return URL(fileURLWithPath: "/tmp/gaptrack-\(Self.stableHash(folder.path))", isDirectory: true)
    }

    /// The conninfo for a database in this cluster, as its superuser (the schema's owner) unless
    /// another login is named.
    public func conninfo(database: String = PrivateCluster.databaseName, user: String = PrivateCluster.superuser) -> String {
        ConnectionString.make(["host": socketFolder.path, "dbname": database, "user": user])
    }

    /// The conninfo `gaptrack serve` uses: the service's own login, `gaptrack_app`, which
    /// `gaptrack migrate` creates and this turns on. No password: the cluster trusts its socket,
    /// which only the folder's owner can reach (mode 0700, no TCP); docs/security.md.
    public func serviceConninfo(database: String = PrivateCluster.databaseName) throws -> String {
        let owner = try PostgresConnection(conninfo: conninfo(database: database))
        try ServiceLogin.enableWithoutPassword(owner)
        return conninfo(database: database, user: ServiceLogin.name)
    }

    public enum Status: Sendable, Equatable, CustomStringConvertible {
        case notInitialised
        case stopped
        case running

        public var description: String {
            switch self {
            case .notInitialised: return "not initialised"
            case .stopped: return "stopped"
            case .running: return "running"
            }
        }
    }

    public func status() throws -> Status {
        guard FileManager.default.fileExists(atPath: dataFolder.appendingPathComponent("PG_VERSION").path) else {
            return .notInitialised
        }
        let outcome = try command("pg_ctl", ["status", "-D", dataFolder.path]).run()
        return outcome.exitCode == 0 ? .running : .stopped
    }

    /// Creates the cluster if needed, starts it if stopped, and makes sure the `gaptrack`
    /// database exists. Safe to call any number of times, from several processes at once.
    /// Returns true when this call started the server.
    @discardableResult
    public func start() throws -> Bool {
        try prepareFolder()
        let lock = try FileLock(path: folder.appendingPathComponent(".lock").path)
        defer { lock.release() }
        if try status() == .notInitialised { try initialise() }
        let wasRunning = try status() == .running
        if !wasRunning {
            try prepareSocketFolder()
            // More connections than the default 100: the test suite runs many services at once, each
            // with a pool, and their login (gaptrack_app) is not a superuser, so it cannot use the
            // slots PostgreSQL keeps for superusers. Given at start, so clusters made earlier get it too.
            _ = try command(
                "pg_ctl", ["start", "-D", dataFolder.path, "-l", logFile.path, "-w", "-t", "120", "-s", "-o", "-c max_connections=300"]
            ).runChecked()
        }
        try createDatabaseIfMissing(Self.databaseName)
        return !wasRunning
    }

    /// Stops the server (fast shutdown: open transactions roll back, data is safe).
    public func stop() throws {
        guard FileManager.default.fileExists(atPath: folder.path) else { return }
        let lock = try FileLock(path: folder.appendingPathComponent(".lock").path)
        defer { lock.release() }
        guard try status() == .running else { return }
        _ = try command("pg_ctl", ["stop", "-D", dataFolder.path, "-m", "fast", "-w", "-s"]).runChecked()
    }

    /// Creates a database in the running cluster unless it exists.
    public func createDatabaseIfMissing(_ name: String) throws {
        let connection = try PostgresConnection(conninfo: conninfo(database: "postgres"))
        try DatabaseCreation(connection: connection).createIfMissing(name)
    }

    // MARK: - Set-up

    private var runAsUser: String? { geteuid() == 0 ? "postgres" : nil }

    func prepareFolder() throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ClusterError.folderNotUsable(path: folder.path, reason: "\(error)")
        }
        if let runAsUser {
            _ = try ExternalCommand(executable: "/bin/chown", arguments: ["\(runAsUser):", folder.path]).runChecked()
            let reachable = try ExternalCommand(executable: "/usr/bin/test", arguments: ["-w", folder.path], runAsUser: runAsUser).run()
            guard reachable.exitCode == 0 else {
                throw ClusterError.folderNotUsable(
                    path: folder.path,
                    reason: "the '\(runAsUser)' user cannot reach it (a parent folder is private). "
                        + "Set GAPTRACK_CLUSTER_DIR to a folder it can reach (e.g. /var/tmp/gaptrack), or PGHOST to use another server")
            }
        }
    }

    private func prepareSocketFolder() throws {
        try FileManager.default.createDirectory(at: socketFolder, withIntermediateDirectories: true)
        if let runAsUser {
            _ = try ExternalCommand(executable: "/bin/chown", arguments: ["\(runAsUser):", socketFolder.path]).runChecked()
        }
        _ = chmod(socketFolder.path, 0o700)
    }

    private func initialise() throws {
        _ = try command(
            "initdb",
            ["-D", dataFolder.path, "-U", Self.superuser, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-instructions"]
        ).runChecked()
        // No TCP at all; one socket folder; sizes that suit bulk imports on a small machine.
        let settings = """

            # --- gaptrack private cluster ---
            listen_addresses = ''
            unix_socket_directories = '\(socketFolder.path.replacingOccurrences(of: "'", with: "''"))'
            unix_socket_permissions = 0700
            shared_buffers = 256MB
            work_mem = 64MB
            maintenance_work_mem = 256MB
            max_wal_size = 4GB
            logging_collector = off

            """
        let configuration = dataFolder.appendingPathComponent("postgresql.conf")
        let handle = try FileHandle(forWritingTo: configuration)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(settings.utf8))
    }

    func command(_ program: String, _ arguments: [String]) throws -> ExternalCommand {
        ExternalCommand(executable: try Self.serverProgram(program), arguments: arguments, runAsUser: runAsUser)
    }

    /// Debian keeps the server programs out of PATH, in /usr/lib/postgresql/<major>/bin.
    static func serverProgram(_ name: String) throws -> String {
        var searched: [String] = []
        let files = FileManager.default
        let versions = ((try? files.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap(Int.init).sorted(by: >)
        for version in versions {
            let candidate = "/usr/lib/postgresql/\(version)/bin/\(name)"
            searched.append(candidate)
            if files.isExecutableFile(atPath: candidate) { return candidate }
        }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            searched.append(candidate)
            if files.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ClusterError.postgresNotInstalled(searched: searched)
    }

    /// FNV-1a: stable across runs and platforms, unlike `Hasher`.
    static func stableHash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}

/// An exclusive `flock` on a file: serialises start and stop across processes (tests, a CLI and
/// a service starting together).
struct FileLock {
    private let descriptor: Int32

    init(path: String) throws {
        descriptor = open(path, O_CREAT | O_RDWR, 0o644)
        guard descriptor >= 0 else {
            throw ClusterError.folderNotUsable(path: path, reason: "cannot create the lock file")
        }
        flock(descriptor, LOCK_EX)
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
