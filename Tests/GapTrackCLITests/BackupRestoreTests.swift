import Foundation
import Postgres
import PrivateCluster
import TestDatabase
import Testing

/// deploy/backup.sh and deploy/restore.sh against the test server: a loaded demo is backed up,
/// restored into a fresh database, and compared with the original table by table and report by
/// report (docs/data-protection.md §7).
@Suite("Backup and restore", .serialized)
struct BackupRestoreTests {
    /// The PG* variables naming `database` on the server `connection` is connected to, as an
    /// operator would set them (the scripts take nothing else).
    static func environment(for connection: PostgresConnection, database: String) throws -> [String: String] {
        let row = try connection.query(
            """
            SELECT current_user AS who, current_setting('port') AS port, inet_server_addr()::text AS address,
                   split_part(current_setting('unix_socket_directories'), ',', 1) AS socket
            """).single()
        var environment = ProcessInfo.processInfo.environment
        environment["PGHOST"] = try row.decode("address", as: String?.self) ?? row.decode("socket")
        environment["PGPORT"] = try row.decode("port")
        environment["PGUSER"] = try row.decode("who")
        environment["PGDATABASE"] = database
        environment.removeValue(forKey: "PGSERVICE")
        return environment
    }

    static func script(_ name: String, _ arguments: [String], environment: [String: String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = TestDatabase.project.url.appendingPathComponent("deploy").appendingPathComponent(name)
        process.arguments = arguments
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// Every table's rows, in a stable order, as text: equal only if the contents are equal.
    static func contents(_ connection: PostgresConnection) throws -> [String: String] {
        let tables: [String] = try connection.query(
            """
            SELECT format('%I.%I', n.nspname, c.relname) AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname IN ('public', 'data_protection') AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1
            """).rows.map { try $0.decode("t") }
        var contents: [String: String] = [:]
        for table in tables {
            contents[table] = try connection.query(
                "SELECT count(*)::text || ':' || coalesce(md5(string_agg(r::text, E'\\n' ORDER BY r::text)), '') AS c FROM \(table) r"
            ).single().decode("c")
        }
        return contents
    }

    @Test("a backup restored into a fresh database has the same rows in every table and gives the same report, byte for byte")
    func roundTrip() throws {
        let folder = DemoCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try TestDatabase.withMigratedDatabase { connection in
            let database = CommandTests.databaseOption(connection)
            _ = try GapTrackCommandLine.run(DataProtectionCommandTests.demo + database)
            // A legal hold and an erasure, so the data-protection ledgers travel too.
            _ = try GapTrackCommandLine.run(["retention", "policy", "--provider", "demo-university", "--set", "support=left+7"] + database)
            let report = ["report", "termly", "--provider", "demo-academy", "--cohort", "year-11", "--term", "2024/25-spring",
                          "--no-impact", "--format", "json", "--recompute"]
            let original = try GapTrackCommandLine.run(report + database)
            let originalContents = try Self.contents(connection)

            let backup = try Self.script("backup.sh", [folder.path], environment: try Self.environment(for: connection, database: connection.databaseName))
            #expect(backup.status == 0, "\(backup.output)")
            let file = backup.output.split(separator: "\n").last.map(String.init) ?? ""
            #expect(file.hasPrefix(folder.path + "/gaptrack-") && file.hasSuffix(".dump"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".partial") }.isEmpty)
            let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(mode == 0o600, "the backup holds personal data: only its owner may read it")

            let restoredName = connection.databaseName + "_restored"
            let admin = try TestDatabase.adminConnection()
            try admin.execute("CREATE DATABASE \(restoredName)")
            defer { try? admin.execute("DROP DATABASE IF EXISTS \(restoredName) WITH (FORCE)") }
            let restore = try Self.script("restore.sh", [file], environment: try Self.environment(for: connection, database: restoredName))
            #expect(restore.status == 0, "\(restore.output)")

            let restored = try PostgresConnection(conninfo: TestDatabase.conninfo(database: restoredName))
            let restoredContents = try Self.contents(restored)
            for (table, value) in originalContents where table != "public.data_changes" {
                #expect(restoredContents[table] == value, "\(table) differs after restore")
            }
            #expect(Set(restoredContents.keys) == Set(originalContents.keys))
            let again = try GapTrackCommandLine.run(report + ["--database", TestDatabase.conninfo(database: restoredName)])
            #expect(again == original)
            #expect(original.joined().contains("\"demo-academy\""))

            // Restoring over a database that has tables is refused, changing nothing.
            let settled = try Self.contents(restored)
            let twice = try Self.script("restore.sh", [file], environment: try Self.environment(for: connection, database: restoredName))
            #expect(twice.status != 0 && twice.output.contains("restore into a new, empty database"))
            #expect(try Self.contents(restored) == settled)
        }
    }

    @Test("a backup restores onto a new server that has none of gaptrack's roles, and the service's login works there")
    func restoreOntoNewServer() throws {
        let folder = DemoCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Under /var/tmp: when the tests run as root the server runs as `postgres`, which cannot reach /root.
        let serverFolder = URL(fileURLWithPath: "/var/tmp/gaptrack-restore-" + UUID().uuidString.prefix(8).lowercased(), isDirectory: true)
        let server = PrivateCluster(folder: serverFolder)
        defer {
            try? server.stop()
            try? FileManager.default.removeItem(at: serverFolder)
            try? FileManager.default.removeItem(at: server.socketFolder)
        }
        try TestDatabase.withMigratedDatabase { connection in
            let database = CommandTests.databaseOption(connection)
            _ = try GapTrackCommandLine.run(
                ["provider", "add", "--code", "st-marys", "--name", "St Mary's School", "--kind", "school", "--urn", "123456"] + database)
            let backup = try Self.script("backup.sh", [folder.path], environment: try Self.environment(for: connection, database: connection.databaseName))
            #expect(backup.status == 0, "\(backup.output)")
            let file = backup.output.split(separator: "\n").last.map(String.init) ?? ""

            _ = try server.start()
            let owner = try PostgresConnection(conninfo: server.conninfo(database: "postgres"))
            let rolesBefore: [String] = try owner.query("SELECT rolname FROM pg_roles WHERE rolname LIKE 'gaptrack\\_%' ORDER BY 1").rows.map { try $0.decode("rolname") }
            #expect(rolesBefore == [], "the new server must start without gaptrack's roles: \(rolesBefore)")
            try server.createDatabaseIfMissing("restored")
            var environment = ProcessInfo.processInfo.environment
            environment["PGHOST"] = server.socketFolder.path
            environment["PGUSER"] = PrivateCluster.superuser
            environment["PGDATABASE"] = "restored"
            for name in ["PGSERVICE", "PGPORT", "PGPASSFILE"] { environment.removeValue(forKey: name) }
            let restore = try Self.script("restore.sh", [file], environment: environment)
            #expect(restore.status == 0, "\(restore.output)")

            // The service's own login reaches its provider's rows only through its roles, as on the first server.
            let serviceLogin = try server.serviceConninfo(database: "restored")
            let service = try PostgresConnection(conninfo: serviceLogin)
            let members: [String] = try service.query(
                "SELECT r.rolname FROM pg_roles r WHERE pg_has_role(current_user, r.oid, 'MEMBER') AND r.rolname <> current_user ORDER BY 1"
            ).rows.map { try $0.decode("rolname") }
            #expect(members == ["gaptrack_governor", "gaptrack_report", "gaptrack_service"])
            let restored = try PostgresConnection(conninfo: server.conninfo(database: "restored"))
            let providers: [String] = try restored.query("SELECT code FROM providers ORDER BY code").rows.map { try $0.decode("code") }
            #expect(providers == ["st-marys"])
        }
    }

    @Test("deploy/cluster-roles.sql names every role the migrations create")
    func clusterRolesMatchMigrations() throws {
        let created = try FileManager.default.contentsOfDirectory(at: TestDatabase.migrationsFolder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
            .flatMap { url -> [String] in
                let text = try String(contentsOf: url, encoding: .utf8)
                return text.matches(of: /CREATE ROLE (gaptrack_[a-z_]+)/).map { String($0.1) }
            }
        let rolesFile = TestDatabase.project.url.appendingPathComponent("deploy/cluster-roles.sql")
        let listed = try String(contentsOf: rolesFile, encoding: .utf8).matches(of: /'(gaptrack_[a-z_]+)'/).map { String($0.1) }
        #expect(!created.isEmpty)
        #expect(Set(created) == Set(listed), "roles created by sql/ \(Set(created).sorted()) and listed in deploy/cluster-roles.sql \(Set(listed).sorted()) differ")
    }
}
