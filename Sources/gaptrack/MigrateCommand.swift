import ArgumentParser
import Foundation
import GapTrackStore
import PrivateCluster

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Bring the database schema up to date with the files in sql/.",
        discussion: """
            Numbered files (sql/NNN_name.sql) are applied once each, in order, and never changed afterwards. \
            Definition files (sql/functions/*.sql) are applied again whenever their text changes, after the files \
            they depend on. Everything due is applied in one transaction and recorded with its checksum.
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "List every numbered file (applied or pending) and every definition file (current, changed or new), without changing anything.")
    var status = false

    func run() throws {
        let connection = try database.connect()
        let runner = MigrationRunner(folder: ProjectFolder.locate().migrationsFolder())
        if status {
            let report = try runner.status(on: connection)
            print("Database \(connection.databaseName) on \(database.location)")
            print("Numbered files:")
            for line in report.versioned {
                let state: String
                switch line.state {
                case .applied(let date): state = "applied \(date)"
                case .pending: state = "pending"
                }
                print("  \(String(format: "%03d", line.version))  \(line.name.padding(toLength: 40, withPad: " ", startingAt: 0))  \(state)")
            }
            print("Definition files (sql/functions):")
            for line in report.definitions {
                print("  \(line.fileName.padding(toLength: 45, withPad: " ", startingAt: 0))  \(line.state.rawValue)")
            }
            let pending = report.versioned.filter { $0.state == .pending }.count
            let due = report.definitions.filter { $0.state != .current }.count
            print(report.isUpToDate
                ? "Up to date: \(report.versioned.count) numbered and \(report.definitions.count) definition files applied."
                : "\(pending) numbered and \(due) definition files to apply: run 'gaptrack migrate'.")
        } else {
            let applied = try runner.apply(on: connection)
            for file in applied { print("applied \(file.fileName)") }
            print(applied.isEmpty ? "Database is up to date." : "Applied \(applied.count) file(s).")
        }
    }
}
