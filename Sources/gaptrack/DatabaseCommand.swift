import ArgumentParser
import PrivateCluster

/// Managing the private PostgreSQL cluster kept in the project folder.
struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Start, stop or inspect the private PostgreSQL cluster in the project folder.",
        subcommands: [Start.self, Stop.self, Status.self, ConnInfo.self]
    )

    static var cluster: PrivateCluster { PrivateCluster(project: .locate()) }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create the cluster if needed and start it (safe to repeat).")
        func run() throws {
            let cluster = DatabaseCommand.cluster
            let started = try cluster.start()
            print(started ? "Started the private cluster in \(cluster.folder.path)" : "The private cluster in \(cluster.folder.path) is already running")
            print("Connect with: psql \"\(cluster.conninfo())\"")
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the private cluster (open transactions are rolled back).")
        func run() throws {
            let cluster = DatabaseCommand.cluster
            try cluster.stop()
            print("The private cluster in \(cluster.folder.path) is stopped")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Say whether the private cluster exists and is running.")
        func run() throws {
            let cluster = DatabaseCommand.cluster
            let status = try cluster.status()
            print("Private cluster in \(cluster.folder.path): \(status)")
            if status == .running { print("Connect with: psql \"\(cluster.conninfo())\"") }
        }
    }

    struct ConnInfo: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "conninfo",
            abstract: "Print the libpq connection string of the private cluster (for psql, scripts and --database).")

        @Option(name: .customLong("dbname"), help: "The database to name in the connection string.")
        var databaseName = PrivateCluster.databaseName

        @Flag(help: "Log in as the service's own login, gaptrack_app, instead of the owner (after 'gaptrack migrate'; docs/security.md).")
        var service = false

        func run() throws {
            let cluster = DatabaseCommand.cluster
            if service, try cluster.status() != .running { try cluster.start() }
            print(service ? try cluster.serviceConninfo(database: databaseName) : cluster.conninfo(database: databaseName))
        }
    }
}
