import ArgumentParser
import Foundation
import PrivateCluster
import SchemaMigrations

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Bring the database schema up to date with the files in sql/.",
        discussion: "Each numbered file is applied once, in order, in its own transaction, and recorded with its checksum."
    )

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "List every migration and whether it has been applied, without changing anything.")
    var status = false

    func run() throws {
        let connection = try database.connect()
        let runner = MigrationRunner(folder: ProjectFolder.locate().migrationsFolder())
        if status {
            let lines = try runner.status(on: connection)
            print("Database \(connection.databaseName) on \(database.location)")
            for line in lines {
                switch line.state {
                case .applied(let date):
                    print("  \(String(format: "%03d", line.version))  \(line.name.padding(toLength: 40, withPad: " ", startingAt: 0))  applied \(date)")
                case .pending:
                    print("  \(String(format: "%03d", line.version))  \(line.name.padding(toLength: 40, withPad: " ", startingAt: 0))  pending")
                }
            }
            let pending = lines.filter { $0.state == .pending }.count
            print(pending == 0 ? "Up to date: \(lines.count) migrations applied." : "\(pending) of \(lines.count) migrations pending: run 'gaptrack migrate'.")
        } else {
            let applied = try runner.apply(on: connection)
            for migration in applied { print("applied \(migration.fileName)") }
            print(applied.isEmpty ? "Database is up to date." : "Applied \(applied.count) migration(s).")
        }
    }
}
