import ArgumentParser
import Postgres
import PrivateCluster

/// The one option every database command shares: which server to use.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("database"),
        help: ArgumentHelp(
            "A PostgreSQL connection string or URI (e.g. postgresql://user@host/gaptrack).",
            discussion: "Defaults to GAPTRACK_DATABASE, then the PG* environment variables, then the private cluster."))
    var database: String?

    var location: DatabaseLocation { DatabaseLocation.resolve(option: database) }

    func connect() throws -> PostgresConnection {
        try location.connect()
    }
}
