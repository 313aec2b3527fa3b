import Foundation
import Postgres
import GapTrackStore
import PrivateCluster
import Synchronization

/// Real PostgreSQL databases for tests: each test gets a fresh database of its own, created from
/// a migrated template, and dropped afterwards. The server is the one the CLI would use (PG*
/// variables, or else the private cluster in the project folder, started here if needed), so
/// tests never run against a mock.
public enum TestDatabase {
    /// The project folder, found from this source file so that tests work from any directory.
    public static let project = ProjectFolder(
        url: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent())

    public static var migrationsFolder: URL { project.migrationsFolder() }

    static let location: DatabaseLocation = DatabaseLocation.resolve(option: nil, project: project)

    /// Serialises template creation and CREATE DATABASE within this test process.
    private static let creationLock = Mutex<String?>(nil)

    /// Runs `body` against a new, empty database (no migrations).
    @discardableResult
    public static func withEmptyDatabase<Result>(_ body: (PostgresConnection) throws -> Result) throws -> Result {
        try withDatabase(template: nil, body)
    }

    /// Runs `body` against a new database with every migration in `sql/` applied.
    @discardableResult
    public static func withMigratedDatabase<Result>(_ body: (PostgresConnection) throws -> Result) throws -> Result {
        try withDatabase(template: try migratedTemplate(), body)
    }

    /// A conninfo for `database` on the test server (for code under test that opens its own connections).
    public static func conninfo(database: String) -> String {
        switch location {
        case .conninfo(let base):
            return base.contains("://") ? replacingDatabase(inURI: base, with: database) : base + " dbname=" + ConnectionString.quote(database)
        case .environment:
            return "dbname=" + ConnectionString.quote(database)
        case .privateCluster(let cluster):
            return cluster.conninfo(database: database)
        }
    }

    /// `conninfo` (a test database, reached as the owner) as the service's own login instead, so
    /// that a service under test runs with no more rights than in production (docs/security.md).
    /// The login is turned on once per test process; on the private cluster it needs no password.
    public static func asServiceLogin(_ conninfo: String) throws -> String {
        try serviceLoginReady.withLock { ready in
            if !ready {
                try ServiceLogin.enableWithoutPassword(try adminConnection())
                ready = true
            }
        }
        guard conninfo.contains("://") else { return conninfo + " user=" + ServiceLogin.name }
        guard var components = URLComponents(string: conninfo) else { return conninfo }
        components.user = ServiceLogin.name
        components.password = nil
        return components.string ?? conninfo
    }

    private static let serviceLoginReady = Mutex(false)

    public static func adminConnection() throws -> PostgresConnection {
        switch location {
        case .privateCluster:
            _ = try location.connect()  // starts the cluster if needed
            return try PostgresConnection(conninfo: conninfo(database: "postgres"))
        default:
            return try location.connect()
        }
    }

    private static func withDatabase<Result>(template: String?, _ body: (PostgresConnection) throws -> Result) throws -> Result {
        let name = "gaptrack_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try creationLock.withLock { _ in
            let admin = try adminConnection()
            let templateClause = template.map { " TEMPLATE \(quoteIdentifier($0))" } ?? ""
            try admin.execute("CREATE DATABASE \(quoteIdentifier(name))\(templateClause)")
        }
        defer {
            if let admin = try? adminConnection() {
                try? admin.execute("DROP DATABASE IF EXISTS \(quoteIdentifier(name)) WITH (FORCE)")
            }
        }
        let connection = try PostgresConnection(conninfo: conninfo(database: name))
        return try body(connection)
    }

    /// Builds (once per distinct set of migration files) a template database with every
    /// migration applied; the name carries a hash of the files so edited migrations get a new one.
    private static func migratedTemplate() throws -> String {
        try creationLock.withLock { cached in
            if let cached { return cached }
            let name = "gaptrack_template_" + (try fingerprintOfMigrations())
            let admin = try adminConnection()
            try admin.query("SELECT pg_advisory_lock(7130512002)")
            defer { _ = try? admin.query("SELECT pg_advisory_unlock(7130512002)") }
            let exists = try admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])
            if exists.rows.isEmpty {
                let building = name + "_building"
                try admin.execute("DROP DATABASE IF EXISTS \(quoteIdentifier(building)) WITH (FORCE)")
                try admin.execute("CREATE DATABASE \(quoteIdentifier(building))")
                do {
                    let connection = try PostgresConnection(conninfo: conninfo(database: building))
                    try MigrationRunner(folder: migrationsFolder).apply(on: connection)
                }
                try admin.execute("ALTER DATABASE \(quoteIdentifier(building)) RENAME TO \(quoteIdentifier(name))")
            }
            cached = name
            return name
        }
    }

    /// A hash of every file the migration runner applies (numbered files and `sql/functions/`), so
    /// that a template built from other files is never reused.
    public static func fingerprintOfMigrations() throws -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let folders = [("", migrationsFolder), ("functions/", migrationsFolder.appendingPathComponent("functions"))]
        for (prefix, folder) in folders where FileManager.default.fileExists(atPath: folder.path) {
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).filter({ $0.hasSuffix(".sql") }).sorted() {
                let data = try Data(contentsOf: folder.appendingPathComponent(file))
                for byte in Array((prefix + file).utf8) + Array(data) {
                    hash ^= UInt64(byte)
                    hash = hash &* 0x100_0000_01b3
                }
            }
        }
        return String(hash, radix: 16)
    }

    private static func replacingDatabase(inURI uri: String, with database: String) -> String {
        guard var components = URLComponents(string: uri) else { return uri }
        components.path = "/" + database
        return components.string ?? uri
    }
}

public func quoteIdentifier(_ name: String) -> String {
    "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
