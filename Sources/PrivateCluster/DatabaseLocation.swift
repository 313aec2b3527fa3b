import Foundation
import Postgres

/// Which PostgreSQL server gaptrack talks to, decided once per command.
///
/// An explicit `--database` (a conninfo string or URI) wins; otherwise any PG* variable that
/// names a server means "do what psql would do" (empty conninfo, so libpq reads the environment,
/// ~/.pgpass and pg_service.conf); otherwise the private cluster in the project folder.
public enum DatabaseLocation: Sendable, CustomStringConvertible {
    case conninfo(String)
    case environment
    case privateCluster(PrivateCluster)

    public static func resolve(
        option: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        project: ProjectFolder = .locate()
    ) -> DatabaseLocation {
        if let option, !option.isEmpty { return .conninfo(option) }
        if let fromEnvironment = environment["GAPTRACK_DATABASE"], !fromEnvironment.isEmpty {
            return .conninfo(fromEnvironment)
        }
        if ConnectionString.environmentNamesServer(environment) { return .environment }
        return .privateCluster(PrivateCluster(project: project))
    }

    /// Opens a connection, starting the private cluster first when that is the target.
    public func connect(database: String? = nil) throws -> PostgresConnection {
        switch self {
        case .conninfo(let conninfo):
            return try PostgresConnection(conninfo: conninfo)
        case .environment:
            return try PostgresConnection(conninfo: "")
        case .privateCluster(let cluster):
            if try cluster.status() != .running { try cluster.start() }
            return try PostgresConnection(conninfo: cluster.conninfo(database: database ?? PrivateCluster.databaseName))
        }
    }

    public var description: String {
        switch self {
        case .conninfo: return "the server given by --database / GAPTRACK_DATABASE"
        case .environment: return "the server named by the PG* environment variables"
        case .privateCluster(let cluster): return "the private cluster in \(cluster.folder.path)"
        }
    }
}
