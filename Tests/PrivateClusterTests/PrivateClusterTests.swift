import Foundation
import Postgres
@testable import PrivateCluster
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The private cluster with the real initdb and pg_ctl, each test in a folder of its own under
/// /var/tmp: when the tests run as root the server runs as `postgres`, which cannot reach /root.
@Suite("The private PostgreSQL cluster")
struct PrivateClusterTests {
    /// A new cluster folder; `body` gets the cluster, which is stopped and removed afterwards.
    static func withCluster(folderName: String = "cluster", _ body: (PrivateCluster) throws -> Void) throws {
        let parent = URL(fileURLWithPath: "/var/tmp", isDirectory: true)
            .appendingPathComponent("gaptrack-cluster-tests-" + UUID().uuidString.prefix(8).lowercased(), isDirectory: true)
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        let cluster = PrivateCluster(folder: parent.appendingPathComponent(folderName, isDirectory: true))
        defer {
            try? cluster.stop()
            try? FileManager.default.removeItem(at: parent)
            if !cluster.socketFolder.path.hasPrefix(parent.path) { try? FileManager.default.removeItem(at: cluster.socketFolder) }
        }
        try body(cluster)
    }

    static func serverPID(_ cluster: PrivateCluster) throws -> Int32 {
        let text = try String(contentsOf: cluster.dataFolder.appendingPathComponent("postmaster.pid"), encoding: .utf8)
        return try #require(Int32(text.split(separator: "\n").first.map(String.init) ?? ""))
    }

    @Test("start creates the cluster and its database; start again changes nothing; stop stops it")
    func lifecycle() throws {
        try Self.withCluster { cluster in
            #expect(try cluster.status() == .notInitialised)

            #expect(try cluster.start() == true)
            #expect(try cluster.status() == .running)
            #expect(FileManager.default.fileExists(atPath: cluster.dataFolder.appendingPathComponent("PG_VERSION").path))
            #expect(cluster.socketFolder.path == cluster.folder.appendingPathComponent("socket").path)
            #expect(FileManager.default.fileExists(atPath: cluster.socketFolder.appendingPathComponent(".s.PGSQL.5432").path))
            let pid = try Self.serverPID(cluster)

            // A second start finds it running and leaves the same server in place.
            #expect(try cluster.start() == false)
            #expect(try Self.serverPID(cluster) == pid)

            let connection = try PostgresConnection(conninfo: cluster.conninfo())
            #expect(connection.databaseName == PrivateCluster.databaseName)
            let row = try connection.query(
                "SELECT current_user AS who, current_setting('listen_addresses') AS tcp, current_setting('server_version_num')::int / 10000 AS major"
            ).single()
            #expect(try row.decode("who", as: String.self) == PrivateCluster.superuser)
            // Only the socket in its own folder: no TCP port.
            #expect(try row.decode("tcp", as: String.self) == "")
            #expect(try row.decode("major", as: Int.self) >= 15)

            try cluster.stop()
            #expect(try cluster.status() == .stopped)
            #expect(throws: PostgresError.self) { try PostgresConnection(conninfo: cluster.conninfo()) }
            // Stopping a stopped cluster is fine too.
            try cluster.stop()
            #expect(try cluster.status() == .stopped)

            // Started again, it keeps its database.
            #expect(try cluster.start() == true)
            let again = try PostgresConnection(conninfo: cluster.conninfo())
            #expect(try again.query("SELECT 1 AS one").single().decode("one", as: Int.self) == 1)
        }
    }

    @Test("start creates a database that is missing again, and createDatabaseIfMissing can be repeated")
    func createsMissingDatabase() throws {
        try Self.withCluster { cluster in
            try cluster.start()
            let admin = try PostgresConnection(conninfo: cluster.conninfo(database: "postgres"))
            try admin.execute("DROP DATABASE \(PrivateCluster.databaseName) WITH (FORCE)")
            #expect(throws: PostgresError.self) { try PostgresConnection(conninfo: cluster.conninfo()) }
            #expect(try cluster.start() == false)
            _ = try PostgresConnection(conninfo: cluster.conninfo())

            try cluster.createDatabaseIfMissing("second")
            try cluster.createDatabaseIfMissing("second")
            let names: [String] = try admin.query("SELECT datname FROM pg_database WHERE datname IN ('gaptrack', 'second') ORDER BY 1")
                .rows.map { try $0.decode("datname") }
            #expect(names == ["gaptrack", "second"])
        }
    }

    @Test("a folder whose socket path would be too long gets its socket in /tmp, and works")
    func longPathSocketFallback() throws {
        let longName = String(repeating: "a-long-folder-name-", count: 5)
        try Self.withCluster(folderName: longName) { cluster in
            let socketFolder = cluster.socketFolder
            #expect(socketFolder.path == "/tmp/gaptrack-" + PrivateCluster.stableHash(cluster.folder.path))
            #expect(socketFolder.path.utf8.count + "/.s.PGSQL.5432".utf8.count < 108)
            try cluster.start()
            #expect(try cluster.status() == .running)
            #expect(FileManager.default.fileExists(atPath: socketFolder.appendingPathComponent(".s.PGSQL.5432").path))
            let connection = try PostgresConnection(conninfo: cluster.conninfo())
            #expect(try connection.query("SELECT 2 AS two").single().decode("two", as: Int.self) == 2)
        }
    }

    @Test("the socket folder is inside the cluster folder up to the longest path a socket allows")
    func socketFolderChoice() {
        let short = PrivateCluster(folder: URL(fileURLWithPath: "/srv/school/.gaptrack/postgres", isDirectory: true))
        #expect(short.socketFolder.path == "/srv/school/.gaptrack/postgres/socket")
        let long = PrivateCluster(folder: URL(fileURLWithPath: "/srv/" + String(repeating: "x", count: 90), isDirectory: true))
        #expect(long.socketFolder.path.hasPrefix("/tmp/gaptrack-"))
        // Stable: the same folder always gets the same socket folder, another folder another one.
        #expect(long.socketFolder == PrivateCluster(folder: long.folder).socketFolder)
        let other = PrivateCluster(folder: URL(fileURLWithPath: "/srv/" + String(repeating: "y", count: 90), isDirectory: true))
        #expect(other.socketFolder != long.socketFolder)
        #expect(short.conninfo() == "host='/srv/school/.gaptrack/postgres/socket' dbname='gaptrack' user='gaptrack'")
        #expect(short.conninfo(database: "other") == "host='/srv/school/.gaptrack/postgres/socket' dbname='other' user='gaptrack'")
    }

    @Test("as root, the server and its files belong to the postgres user", .enabled(if: geteuid() == 0))
    func runsAsPostgresWhenRoot() throws {
        try Self.withCluster { cluster in
            try cluster.start()
            var info = stat()
            #expect(stat(cluster.dataFolder.path, &info) == 0)
            let owner = try #require(getpwuid(info.st_uid))
            #expect(String(cString: owner.pointee.pw_name) == "postgres")
            let pid = try Self.serverPID(cluster)
            var process = stat()
            #expect(stat("/proc/\(pid)", &process) == 0)
            #expect(process.st_uid == info.st_uid)
        }
    }
}

/// Which server a command talks to, decided from the option and the environment.
@Suite("Choosing the database server")
struct DatabaseLocationTests {
    let project = ProjectFolder(url: URL(fileURLWithPath: "/srv/gaptrack", isDirectory: true))

    @Test("--database wins, then GAPTRACK_DATABASE, then PG* variables, then the private cluster")
    func order() {
        let environment = ["GAPTRACK_DATABASE": "dbname=from-variable", "PGHOST": "db.example"]
        guard case .conninfo("dbname=from-option") = DatabaseLocation.resolve(option: "dbname=from-option", environment: environment, project: project)
        else { Issue.record("--database was not used"); return }
        guard case .conninfo("dbname=from-variable") = DatabaseLocation.resolve(option: nil, environment: environment, project: project)
        else { Issue.record("GAPTRACK_DATABASE was not used"); return }
        guard case .environment = DatabaseLocation.resolve(option: "", environment: ["PGHOST": "db.example"], project: project)
        else { Issue.record("PGHOST was not used"); return }
        guard case .privateCluster(let cluster) = DatabaseLocation.resolve(option: nil, environment: ["HOME": "/root"], project: project)
        else { Issue.record("the private cluster was not chosen"); return }
        #expect(cluster.folder.path == project.privateClusterFolder.path)
    }
}

@Suite("Finding the project folder")
struct ProjectFolderTests {
    @Test("GAPTRACK_HOME wins; otherwise the nearest folder above holding Package.swift and sql/")
    func locate() throws {
        let root = URL(fileURLWithPath: "/var/tmp", isDirectory: true)
            .appendingPathComponent("gaptrack-project-tests-" + UUID().uuidString.prefix(8).lowercased(), isDirectory: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let nested = root.appendingPathComponent("reports/2025", isDirectory: true)
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("sql"), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: root.appendingPathComponent("Package.swift").path, contents: Data())

        let found = ProjectFolder.locate(environment: [:], workingDirectory: nested.path, executablePath: nil)
        #expect(found.url.path == root.standardizedFileURL.path)
        #expect(found.migrationsFolder(environment: [:]).path == root.appendingPathComponent("sql").path)
        #expect(found.migrationsFolder(environment: ["GAPTRACK_SQL_DIR": "/opt/gaptrack/sql"]).path == "/opt/gaptrack/sql")

        let home = ProjectFolder.locate(environment: ["GAPTRACK_HOME": "/srv/elsewhere"], workingDirectory: nested.path, executablePath: nil)
        #expect(home.url.path == "/srv/elsewhere")

        // Nowhere above: the working directory itself.
        let outside = ProjectFolder.locate(environment: [:], workingDirectory: "/", executablePath: nil)
        #expect(outside.url.path == "/")
    }
}
