import GapTrackStore
import Hummingbird
import Logging
import Postgres
import ServiceLifecycle

/// Runs the service until SIGTERM or SIGINT, then shuts down gracefully: the server stops
/// accepting connections, finishes the requests in flight, and only then is the pool closed.
public enum ServiceRunner {
    public static func run(_ configuration: ServiceConfiguration, logger: Logger) async throws {
        let dependencies = ServiceDependencies(configuration: configuration)
        let application = buildApplication(dependencies, logger: logger) { port in
            logger.info("gaptrack service listening on \(configuration.host):\(port.map(String.init) ?? "?")")
        }
        let group = ServiceGroup(
            configuration: .init(services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("gaptrack service stopped")
    }

    /// Refuses to start against a database without the service's migrations, with the fix.
    public static func checkSchema(conninfo: String) throws {
        let connection = try PostgresConnection(conninfo: conninfo)
        guard try ServiceDatabase.isMigrated(connection) else { throw ServiceStartError.notMigrated(database: connection.databaseName) }
    }
}

public enum ServiceStartError: Error, CustomStringConvertible {
    case notMigrated(database: String)

    public var description: String {
        switch self {
        case .notMigrated(let database):
            return "database '\(database)' does not have the service's tables yet; run 'gaptrack migrate' first"
        }
    }
}
