import DemoData
import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import PrivateCluster
import TestDatabase
import Testing

/// The commands, parsed and run in this process against real test databases, as a user would
/// type them. Serialized: they share standard output.
@Suite("gaptrack commands", .serialized)
struct CommandTests {
    static func databaseOption(_ connection: PostgresConnection) -> [String] {
        ["--database", TestDatabase.conninfo(database: connection.databaseName)]
    }

    @Test("provider add stores the provider and provider list shows it")
    func providerAddAndList() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let database = Self.databaseOption(connection)
            let empty = try GapTrackCommandLine.run(["provider", "list"] + database)
            #expect(empty.contains { $0.hasPrefix("No providers yet.") })

            let added = try GapTrackCommandLine.run(
                ["provider", "add", "--code", "st-marys", "--name", "St Mary's School", "--kind", "school",
                 "--urn", "123456", "--la-code", "801"] + database)
            #expect(added == ["Added school 'St Mary's School' as provider st-marys."])
            let stored = try #require(try Providers(connection: connection).find(code: ProviderCode(parsing: "st-marys")))
            #expect(stored.name == "St Mary's School")
            #expect(stored.kind == .school)
            #expect(stored.urn?.value == "123456")
            #expect(stored.laCode == "801")

            _ = try GapTrackCommandLine.run(
                ["provider", "add", "--code", "north-uni", "--name", "North University", "--kind", "university",
                 "--ukprn", "10001234"] + database)
            let listed = try GapTrackCommandLine.run(["provider", "list"] + database)
            #expect(listed == [
                "north-uni  university  North University (UKPRN 10001234)",
                "st-marys   school      St Mary's School (URN 123456, LA 801)",
            ])
        }
    }

    @Test("provider add refuses a provider kind it does not know, naming the value")
    func providerAddRefusesUnknownKind() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let message = GapTrackCommandLine.failureMessage(
                ["provider", "add", "--code", "st-marys", "--name", "St Mary's", "--kind", "nursery", "--urn", "123456"]
                    + Self.databaseOption(connection))
            #expect(message == "--kind must be school, college or university, not 'nursery'")
            let providers = try Providers(connection: connection).list()
            #expect(providers.isEmpty)
        }
    }

    @Test("migrate applies every migration once; migrate --status lists them as applied")
    func migrateAndStatus() throws {
        try TestDatabase.withEmptyDatabase { connection in
            let database = Self.databaseOption(connection)
            let expected = try FileManager.default.contentsOfDirectory(atPath: TestDatabase.migrationsFolder.path)
                .filter { $0.hasSuffix(".sql") }.sorted()
            #expect(!expected.isEmpty)

            let before = try GapTrackCommandLine.run(["migrate", "--status"] + database)
            #expect(before.contains { $0.hasSuffix("pending") })
            #expect(!before.contains { $0.hasPrefix("Up to date") })

            let applied = try GapTrackCommandLine.run(["migrate"] + database)
            for file in expected { #expect(applied.contains { $0.contains(file) }, "\(file)") }
            let tables: Int = try connection.query(
                "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('providers', 'students', 'enrolments', 'imports')"
            ).single().decode("n")
            #expect(tables == 4)

            let again = try GapTrackCommandLine.run(["migrate"] + database)
            #expect(again == ["Database is up to date."])

            let after = try GapTrackCommandLine.run(["migrate", "--status"] + database)
            #expect(!after.contains { $0.hasSuffix("pending") })
            #expect(after.contains { $0.hasPrefix("Up to date") })
            #expect(after.filter { $0.contains(" applied ") }.count >= expected.count)
        }
    }

    @Test("db status names the private cluster and its state")
    func databaseStatus() throws {
        let output = try GapTrackCommandLine.run(["db", "status"])
        let cluster = PrivateCluster(project: .locate())
        let status = try cluster.status()
        #expect(output.first == "Private cluster in \(cluster.folder.path): \(status)")
        #expect(output.contains { $0.hasPrefix("Connect with: psql") } == (status == .running))
    }

    /// Only where the tests themselves use the private cluster: it is then running already, and
    /// starting it again must leave it so (db stop is not tried: every other test uses it).
    @Test("db start is safe to repeat on a running cluster", .enabled(if: CommandTests.testsUsePrivateCluster))
    func databaseStartAgain() throws {
        _ = try TestDatabase.adminConnection()  // starts it when no test has yet
        let cluster = PrivateCluster(project: .locate())
        #expect(try cluster.status() == .running)
        let output = try GapTrackCommandLine.run(["db", "start"])
        #expect(output == [
            "The private cluster in \(cluster.folder.path) is already running",
            "Connect with: psql \"\(cluster.conninfo())\"",
        ])
        #expect(try cluster.status() == .running)
        let connection = try PostgresConnection(conninfo: cluster.conninfo())
        #expect(connection.databaseName == PrivateCluster.databaseName)
    }

    static var testsUsePrivateCluster: Bool {
        guard case .privateCluster = DatabaseLocation.resolve(option: nil, project: TestDatabase.project) else { return false }
        return true
    }

    @Test("db conninfo prints the private cluster's connection string")
    func databaseConnInfo() throws {
        let cluster = PrivateCluster(project: .locate())
        #expect(try GapTrackCommandLine.run(["db", "conninfo"]) == [cluster.conninfo()])
        #expect(try GapTrackCommandLine.run(["db", "conninfo", "--dbname", "other"]) == [cluster.conninfo(database: "other")])
    }
}
