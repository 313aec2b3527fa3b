import Foundation
import Postgres

/// Applies the numbered SQL files in `sql/` once each, in order, each in its own transaction,
/// and records them with a SHA-256 checksum.
///
/// A file that was applied and has since been edited is refused: the database no longer matches
/// what the file says, and silently skipping it would hide that. Fix forward with a new file.
public struct MigrationRunner: Sendable {
    public let folder: URL

    public init(folder: URL) {
        self.folder = folder
    }

    /// One migration file, e.g. `003_attendance.sql` is version 3, named "attendance".
    public struct Migration: Sendable, Equatable {
        public let version: Int
        public let name: String
        public let sql: String
        public let fileName: String
    }

    public struct AppliedMigration: Sendable, Equatable {
        public let version: Int
        public let name: String
        public let checksum: String
        public let appliedAt: Date
    }

    public enum State: Sendable, Equatable {
        case applied(Date)
        case pending
    }

    public struct StatusLine: Sendable, Equatable {
        public let version: Int
        public let name: String
        public let state: State
    }

    public func migrations() throws(MigrationError) -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw .folderMissing(folder.path)
        }
        var migrations: [Migration] = []
        for fileName in names where fileName.hasSuffix(".sql") {
            let stem = fileName.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]), version > 0 else {
                throw .badFileName(fileName)
            }
            guard let sql = try? String(contentsOf: folder.appendingPathComponent(fileName), encoding: .utf8) else {
                throw .unreadable(fileName)
            }
            migrations.append(Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql, fileName: fileName))
        }
        migrations.sort { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where previous.version == next.version {
            throw .duplicateVersion(previous.version, previous.fileName, next.fileName)
        }
        return migrations
    }

    /// Applies every pending migration. Returns the ones applied by this call.
    @discardableResult
    public func apply(on connection: PostgresConnection) throws -> [Migration] {
        let migrations = try migrations()
        try ensureLedger(on: connection)
        var appliedNow: [Migration] = []
        for migration in migrations {
            let didApply = try connection.transaction { connection -> Bool in
                // One migrator at a time, even across processes; released at commit.
                try connection.query("SELECT pg_advisory_xact_lock($1)", [Self.advisoryLockKey])
                let applied = try appliedMigrations(on: connection)
                let checksum = try Self.checksum(of: migration.sql, on: connection)
                if let existing = applied[migration.version] {
                    guard existing.checksum == checksum else {
                        throw MigrationError.appliedFileChanged(version: migration.version, fileName: migration.fileName)
                    }
                    return false
                }
                do {
                    try connection.execute(migration.sql)
                } catch let error as PostgresError {
                    throw MigrationError.failed(fileName: migration.fileName, underlying: error)
                }
                try connection.query(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    [migration.version, migration.name, checksum])
                return true
            }
            if didApply { appliedNow.append(migration) }
        }
        return appliedNow
    }

    /// Every migration file and whether it has been applied, plus an error for a changed file or
    /// for a version in the database that no file matches (the database is newer than the code).
    public func status(on connection: PostgresConnection) throws -> [StatusLine] {
        let migrations = try migrations()
        let applied = try ledgerExists(on: connection) ? try appliedMigrations(on: connection) : [:]
        var lines: [StatusLine] = []
        for migration in migrations {
            if let existing = applied[migration.version] {
                guard existing.checksum == (try Self.checksum(of: migration.sql, on: connection)) else {
                    throw MigrationError.appliedFileChanged(version: migration.version, fileName: migration.fileName)
                }
                lines.append(StatusLine(version: migration.version, name: migration.name, state: .applied(existing.appliedAt)))
            } else {
                lines.append(StatusLine(version: migration.version, name: migration.name, state: .pending))
            }
        }
        let known = Set(migrations.map(\.version))
        if let unknown = applied.keys.sorted().first(where: { !known.contains($0) }) {
            throw MigrationError.unknownAppliedVersion(unknown)
        }
        return lines
    }

    /// Arbitrary but fixed: the key of the advisory lock that serialises migrators.
    static let advisoryLockKey = 7_130_512_001

    private func ensureLedger(on connection: PostgresConnection) throws {
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY CHECK (version > 0),
                name       text NOT NULL,
                checksum   text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
    }

    private func ledgerExists(on connection: PostgresConnection) throws -> Bool {
        try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present").single().decode("present")
    }

    private func appliedMigrations(on connection: PostgresConnection) throws -> [Int: AppliedMigration] {
        var applied: [Int: AppliedMigration] = [:]
        for row in try connection.query("SELECT version, name, checksum, applied_at FROM schema_migrations").rows {
            let migration = AppliedMigration(
                version: try row.decode("version"), name: try row.decode("name"), checksum: try row.decode("checksum"),
                appliedAt: try row.decode("applied_at"))
            applied[migration.version] = migration
        }
        return applied
    }

    /// SHA-256 computed by the server (`sha256()` is built in since PostgreSQL 11), so gaptrack
    /// needs no crypto library for it.
    static func checksum(of sql: String, on connection: PostgresConnection) throws -> String {
        try connection.query("SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex') AS checksum", [sql]).single().decode("checksum")
    }
}

public enum MigrationError: Error, CustomStringConvertible, Sendable {
    case folderMissing(String)
    case badFileName(String)
    case unreadable(String)
    case duplicateVersion(Int, String, String)
    case appliedFileChanged(version: Int, fileName: String)
    case unknownAppliedVersion(Int)
    case failed(fileName: String, underlying: PostgresError)

    public var description: String {
        switch self {
        case .folderMissing(let path):
            return "the migrations folder \(path) does not exist (set GAPTRACK_SQL_DIR or run from the project folder)"
        case .badFileName(let name):
            return "migration file '\(name)' must be named NNN_description.sql, e.g. 004_support.sql"
        case .unreadable(let name):
            return "migration file '\(name)' could not be read as UTF-8 text"
        case .duplicateVersion(let version, let first, let second):
            return "migration version \(version) is used twice: '\(first)' and '\(second)'"
        case .appliedFileChanged(let version, let fileName):
            return "migration \(version) ('\(fileName)') was changed after it was applied to this database. "
                + "Restore the original file and put the change in a new numbered migration."
        case .unknownAppliedVersion(let version):
            return "the database has migration \(version) applied, but no file in sql/ has that number: "
                + "this database was migrated by a newer gaptrack"
        case .failed(let fileName, let underlying):
            return "migration '\(fileName)' failed and was rolled back: \(underlying)"
        }
    }
}
