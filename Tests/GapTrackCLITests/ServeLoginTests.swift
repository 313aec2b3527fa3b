import Foundation
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// `gaptrack serve` will not run as a login row-level security does not bind (docs/security.md).
@Suite struct ServeLoginTests {
    @Test func serveRefusesTheOwnerUnlessToldItIsDevelopment() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let owner = TestDatabase.conninfo(database: connection.databaseName)
            let message = try #require(GapTrackCommandLine.failureMessage(["serve", "--database", owner, "--port", "0"]))
            #expect(message.hasPrefix("gaptrack serve will not log in as '"), "\(message)")
            #expect(message.contains("is a superuser"))
            #expect(message.contains("Log in as 'gaptrack_app'"))
            #expect(message.contains("--allow-owner-login"))
        }
    }

    @Test func serveRefusesALoginThatCannotActAsTheService() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let name = "gaptrack_stranger_" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
            try connection.execute("CREATE ROLE \(name) LOGIN")
            defer { _ = try? connection.execute("DROP ROLE \(name)") }
            let stranger = TestDatabase.conninfo(database: connection.databaseName) + " user=\(name)"
            let message = try #require(GapTrackCommandLine.failureMessage(["serve", "--database", stranger, "--port", "0"]))
            #expect(message == "the database login '\(name)' cannot act as the service: it needs membership of gaptrack_service and "
                + "gaptrack_governor and EXECUTE on gaptrack_authenticate(text). Run 'gaptrack migrate' and log in as 'gaptrack_app' (docs/security.md)")
        }
    }

    @Test("db conninfo --service names the service's own login", .enabled(if: CommandTests.testsUsePrivateCluster))
    func serviceConninfo() throws {
        // A migrated database makes the role (roles belong to the whole cluster).
        try TestDatabase.withMigratedDatabase { _ in }
        let output = try GapTrackCommandLine.run(["db", "conninfo", "--service", "--dbname", "postgres"])
        #expect(output.count == 1)
        let connection = try PostgresConnection(conninfo: try #require(output.first))
        #expect(try connection.query("SELECT session_user::text AS u").single().decode("u", as: String.self) == "gaptrack_app")
    }
}
