import Foundation
import Postgres

/// Brings a database up to date with `sql/`: numbered files once each, definition files in
/// `sql/functions/` again whenever their text changes (the idea of Flyway's repeatable
/// migrations), all in one transaction, so a run either lands whole or leaves nothing.
///
/// Order. Numbered files run by number. A definition runs after the numbered file it names with
/// `-- after version: N` (default 1, the baseline) and after the definitions it names with
/// `-- depends on:`; so a fresh database and an old one see the same order, and a later numbered
/// file may call functions from definitions.
///
/// Ledgers. `schema_migrations` holds each numbered file's SHA-256; a numbered file changed after it
/// was applied is refused (the database no longer matches it, and skipping it would hide that).
/// `schema_definitions` holds each definition file's SHA-256; a new or changed file is applied,
/// and so are the definition files that depend on it, so a caller that no longer fits its callee
/// fails here rather than in a report.
///
/// Replacing functions that other objects use. Definition files say `CREATE OR REPLACE FUNCTION`,
/// which keeps a function's identity, so the triggers, policies and constraints of the baseline that
/// call it keep working with the new body. PostgreSQL refuses that when the result type or the
/// argument names change; then the runner drops the file's functions (RESTRICT, never CASCADE, so
/// no trigger, policy or constraint silently disappears) and creates them afresh. If something in
/// the schema still uses such a function, the drop is refused and the run stops with the objects
/// named: that change needs a numbered file that drops and re-creates them.
public struct MigrationRunner: Sendable {
    public let files: SchemaFiles

    public init(folder: URL) {
        self.files = SchemaFiles(folder: folder)
    }

    public var folder: URL { files.folder }

    /// A file this run applied.
    public enum AppliedFile: Sendable, Equatable {
        case versioned(VersionedMigration)
        case definition(Definition)

        public var fileName: String {
            switch self {
            case .versioned(let migration): migration.fileName
            case .definition(let definition): "functions/" + definition.fileName
            }
        }
    }

    public enum VersionedState: Sendable, Equatable {
        case applied(Date)
        case pending
    }

    public enum DefinitionState: String, Sendable, Equatable {
        case current, changed, new
    }

    public struct VersionedLine: Sendable, Equatable {
        public let version: Int
        public let name: String
        public let state: VersionedState
    }

    public struct DefinitionLine: Sendable, Equatable {
        public let fileName: String
        public let state: DefinitionState
    }

    public struct Status: Sendable, Equatable {
        public let versioned: [VersionedLine]
        public let definitions: [DefinitionLine]

        public var isUpToDate: Bool {
            versioned.allSatisfy { $0.state != .pending } && definitions.allSatisfy { $0.state == .current }
        }
    }

    /// Applies every pending numbered file and every new or changed definition; returns them in
    /// the order applied (empty when the database was up to date).
    ///
    /// Roles and their memberships are shared by every database of a cluster, and the advisory
    /// lock serialises migrators of one database only; two databases migrated at once can both
    /// grant a membership, and PostgreSQL then refuses the later with "tuple concurrently updated"
    /// (XX000). The whole run was rolled back, so it is simply run again, a few times.
    @discardableResult
    public func apply(on connection: PostgresConnection) throws -> [AppliedFile] {
        var attempt = 1
        while true {
            do {
                return try applyOnce(on: connection)
            } catch let error where attempt < Self.attemptsAgainstConcurrentCatalogUpdates && Self.isConcurrentCatalogUpdate(error) {
                Thread.sleep(forTimeInterval: 0.05 * Double(attempt) + Double.random(in: 0...0.05))
                attempt += 1
            }
        }
    }

    static let attemptsAgainstConcurrentCatalogUpdates = 6

    /// A refusal caused by another session changing the same shared catalogue row (or a
    /// deadlock or serialisation failure), after which the same run can succeed. Roles are
    /// cluster-wide and the migrator's advisory lock is per database, so two databases migrated
    /// at once on one cluster can both find a role missing; the second `CREATE ROLE` then fails
    /// (on the system catalogue's unique index, or as "already exists" when the first has
    /// committed), and on the next attempt finds the role made.
    static func isConcurrentCatalogUpdate(_ error: any Error) -> Bool {
        let postgresError: PostgresError
        switch error {
        case MigrationError.failed(_, let underlying): postgresError = underlying
        case let error as PostgresError: postgresError = error
        default: return false
        }
        guard case .server(let server) = postgresError else { return false }
        return ["40001", "40P01"].contains(server.sqlState)
            || (server.sqlState == "XX000" && server.message.contains("tuple concurrently"))
            || (server.sqlState == "23505" && (server.constraint ?? server.message).contains("pg_authid"))
            || (server.sqlState == "42710" && server.message.hasPrefix("role "))
    }

    private func applyOnce(on connection: PostgresConnection) throws -> [AppliedFile] {
        let versioned = try files.versioned()
        let definitions = try files.definitions()
        let versions = Set(versioned.map(\.version))
        if let stray = definitions.first(where: { !versions.contains($0.afterVersion) }) {
            throw MigrationError.badHeader(fileName: stray.fileName, line: "-- after version: \(stray.afterVersion)")
        }
        return try connection.transaction { connection -> [AppliedFile] in
            // One migrator at a time, even across processes; released at commit.
            try connection.query("SELECT pg_advisory_xact_lock($1)", [Self.advisoryLockKey])
            try refuseOldChain(on: connection)
            try ensureLedgers(on: connection)
            let applied = try appliedVersions(on: connection)
            try checkApplied(applied, against: versioned, on: connection)
            let recorded = try recordedDefinitions(on: connection)
            var checksums: [String: String] = [:]
            for definition in definitions {
                checksums[definition.fileName] = try Self.checksum(of: definition.sql, on: connection)
            }
            var due = Set(definitions.filter { recorded[$0.fileName] != checksums[$0.fileName] }.map(\.fileName))
            // Dependents of a file applied again are applied again too (definitions is in dependency order).
            for definition in definitions where definition.dependsOn.contains(where: due.contains) {
                due.insert(definition.fileName)
            }
            var done: [AppliedFile] = []
            // Definitions due whose numbered file has been applied, in dependency order; one whose
            // dependency still waits for a later numbered file waits with it.
            func applyDefinitions(upTo version: Int?) throws {
                for definition in definitions
                where due.contains(definition.fileName) && (version.map { definition.afterVersion <= $0 } ?? true)
                    && !definition.dependsOn.contains(where: due.contains) {
                    try apply(definition, checksum: checksums[definition.fileName]!, on: connection)
                    due.remove(definition.fileName)
                    done.append(.definition(definition))
                }
            }
            for migration in versioned {
                if applied[migration.version] == nil {
                    try applyDefinitions(upTo: migration.version - 1)
                    do {
                        try connection.execute(migration.sql)
                    } catch let error as PostgresError {
                        throw MigrationError.failed(fileName: migration.fileName, underlying: error)
                    }
                    try connection.query(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                        [migration.version, migration.name, try Self.checksum(of: migration.sql, on: connection)])
                    done.append(.versioned(migration))
                }
            }
            try applyDefinitions(upTo: nil)
            return done
        }
    }

    /// Every numbered file (applied or pending) and every definition (current, changed or new),
    /// without changing anything. A changed applied numbered file is an error, as in `apply`.
    public func status(on connection: PostgresConnection) throws -> Status {
        let versioned = try files.versioned()
        let definitions = try files.definitions()
        try refuseOldChain(on: connection)
        let ledgers = try ledgersExist(on: connection)
        let applied = ledgers ? try appliedVersions(on: connection) : [:]
        try checkApplied(applied, against: versioned, on: connection)
        let recorded = ledgers ? try recordedDefinitions(on: connection) : [:]
        var definitionLines: [DefinitionLine] = []
        for definition in definitions {
            let state: DefinitionState
            if let checksum = recorded[definition.fileName] {
                state = checksum == (try Self.checksum(of: definition.sql, on: connection)) ? .current : .changed
            } else {
                state = .new
            }
            definitionLines.append(DefinitionLine(fileName: definition.fileName, state: state))
        }
        return Status(
            versioned: versioned.map { migration in
                VersionedLine(
                    version: migration.version, name: migration.name,
                    state: applied[migration.version].map { .applied($0.appliedAt) } ?? .pending)
            },
            definitions: definitionLines)
    }

    /// Arbitrary but fixed: the key of the advisory lock that serialises migrators.
    static let advisoryLockKey = 7_130_512_001

    private struct AppliedVersion {
        let checksum: String
        let appliedAt: Date
    }

    private func apply(_ definition: Definition, checksum: String, on connection: PostgresConnection) throws {
        do {
            try connection.transaction { connection in try connection.execute(definition.sql) }
        } catch PostgresError.server(let error) where error.sqlState == Self.invalidFunctionDefinition {
            // A changed result type or argument name: drop the file's functions and create them afresh.
            do {
                try connection.transaction { connection in
                    for signature in try signatures(of: definition.functionNames, on: connection) {
                        try connection.execute("DROP FUNCTION \(signature) RESTRICT")
                    }
                    try connection.execute(definition.sql)
                }
            } catch PostgresError.server(let error) where error.sqlState == Self.dependentObjectsStillExist {
                throw MigrationError.definitionInUse(fileName: definition.fileName, detail: error.detail ?? error.message)
            } catch let error as PostgresError {
                throw MigrationError.failed(fileName: "functions/" + definition.fileName, underlying: error)
            }
        } catch let error as PostgresError {
            throw MigrationError.failed(fileName: "functions/" + definition.fileName, underlying: error)
        }
        try connection.query(
            """
            INSERT INTO schema_definitions (file_name, checksum) VALUES ($1, $2)
            ON CONFLICT (file_name) DO UPDATE SET checksum = excluded.checksum, applied_at = now()
            """,
            [definition.fileName, checksum])
    }

    /// SQLSTATE 42P13: `CREATE OR REPLACE` cannot change a function's result type or argument names.
    static let invalidFunctionDefinition = "42P13"
    /// SQLSTATE 2BP01: a DROP refused because other objects depend on the object.
    static let dependentObjectsStillExist = "2BP01"

    private func signatures(of names: [String], on connection: PostgresConnection) throws -> [String] {
        try connection.query(
            """
            SELECT p.oid::regprocedure::text AS signature FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace AND p.proname = ANY($1) ORDER BY 1
            """,
            [names]
        ).rows.map { try $0.decode("signature") }
    }

    private func checkApplied(_ applied: [Int: AppliedVersion], against versioned: [VersionedMigration], on connection: PostgresConnection) throws {
        for migration in versioned {
            if let existing = applied[migration.version], existing.checksum != (try Self.checksum(of: migration.sql, on: connection)) {
                throw MigrationError.appliedFileChanged(version: migration.version, fileName: migration.fileName)
            }
        }
        let known = Set(versioned.map(\.version))
        if let unknown = applied.keys.sorted().first(where: { !known.contains($0) }) {
            throw MigrationError.unknownAppliedVersion(unknown)
        }
    }

    /// A database built by the numbered chain 001–090 that the baseline replaced has
    /// `schema_migrations` but no `schema_definitions`; nothing was deployed, so it is rebuilt, not upgraded.
    private func refuseOldChain(on connection: PostgresConnection) throws {
        let row = try connection.query(
            """
            SELECT to_regclass('schema_migrations') IS NOT NULL AS versioned,
                   to_regclass('schema_definitions') IS NOT NULL AS definitions
            """
        ).single()
        guard try row.decode("versioned") as Bool, !(try row.decode("definitions") as Bool) else { return }
        let count: Int = try connection.query("SELECT count(*)::int AS n FROM schema_migrations").single().decode("n")
        if count > 0 { throw MigrationError.builtByOldChain(database: connection.databaseName) }
    }

    private func ensureLedgers(on connection: PostgresConnection) throws {
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY CHECK (version > 0),
                name       text NOT NULL,
                checksum   text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE IF NOT EXISTS schema_definitions (
                file_name  text PRIMARY KEY CHECK (file_name ~ '^[a-z0-9_]+\\.sql$'),
                checksum   text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
    }

    private func ledgersExist(on connection: PostgresConnection) throws -> Bool {
        try connection.query("SELECT to_regclass('schema_definitions') IS NOT NULL AS present").single().decode("present")
    }

    private func appliedVersions(on connection: PostgresConnection) throws -> [Int: AppliedVersion] {
        var applied: [Int: AppliedVersion] = [:]
        for row in try connection.query("SELECT version, checksum, applied_at FROM schema_migrations").rows {
            applied[try row.decode("version")] = AppliedVersion(checksum: try row.decode("checksum"), appliedAt: try row.decode("applied_at"))
        }
        return applied
    }

    private func recordedDefinitions(on connection: PostgresConnection) throws -> [String: String] {
        var recorded: [String: String] = [:]
        for row in try connection.query("SELECT file_name, checksum FROM schema_definitions").rows {
            recorded[try row.decode("file_name")] = try row.decode("checksum")
        }
        return recorded
    }

    /// SHA-256 computed by the server (`sha256()` is built in since PostgreSQL 11).
    static func checksum(of sql: String, on connection: PostgresConnection) throws -> String {
        try connection.query("SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex') AS checksum", [sql]).single().decode("checksum")
    }
}

public enum MigrationError: Error, CustomStringConvertible, Sendable {
    case folderMissing(String)
    case badFileName(String)
    case unreadable(String)
    case duplicateVersion(Int, String, String)
    case badHeader(fileName: String, line: String)
    case missingDependency(fileName: String, dependency: String)
    case dependencyCycle([String])
    case appliedFileChanged(version: Int, fileName: String)
    case unknownAppliedVersion(Int)
    case builtByOldChain(database: String)
    case definitionInUse(fileName: String, detail: String)
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
        case .badHeader(let fileName, let line):
            return "definition file 'functions/\(fileName)' has a header line '\(line)' that names no numbered file in sql/"
        case .missingDependency(let fileName, let dependency):
            return "definition file 'functions/\(fileName)' depends on '\(dependency)', which is not in sql/functions/"
        case .dependencyCycle(let files):
            return "definition files depend on each other in a circle: \(files.joined(separator: " → ")); move the shared functions into one file"
        case .appliedFileChanged(let version, let fileName):
            return "migration \(version) ('\(fileName)') was changed after it was applied to this database. "
                + "Restore the original file and put the change in a new numbered migration."
        case .unknownAppliedVersion(let version):
            return "the database has migration \(version) applied, but no file in sql/ has that number: "
                + "this database was migrated by a newer gaptrack"
        case .builtByOldChain(let database):
            return "database '\(database)' was built by gaptrack's earlier migration files (001–090), which sql/ now holds as a "
                + "baseline plus definitions; it cannot be upgraded. Recreate it (drop it, or 'gaptrack db stop' and delete "
                + ".gaptrack/postgres for the private cluster) and run 'gaptrack migrate'."
        case .definitionInUse(let fileName, let detail):
            return "definition file 'functions/\(fileName)' changes a function's result type or argument names, but the schema still "
                + "uses that function (\(detail)). Put the change in a numbered migration that drops and re-creates those objects."
        case .failed(let fileName, let underlying):
            return "migration '\(fileName)' failed and was rolled back: \(underlying)"
        }
    }
}
