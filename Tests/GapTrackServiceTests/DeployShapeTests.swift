import Foundation
import Testing
import Yams

/// The shape of deploy/ (Docker and systemd cannot run in the test environment, so their files are
/// read, not run): migrations as the owner in a step of their own, the service as gaptrack_app,
/// and no password on a command line, in the environment or in a URL (docs/security.md).
@Suite struct DeployShapeTests {
    static let deploy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy")

    static func text(_ name: String) throws -> String {
        try String(contentsOf: deploy.appendingPathComponent(name), encoding: .utf8)
    }

    @Test func composeRunsMigrationsAsTheOwnerAndTheServiceAsItsOwnLogin() throws {
        let compose = try #require(try Yams.load(yaml: try Self.text("compose.yaml")) as? [String: Any])
        let services = try #require(compose["services"] as? [String: Any])
        let migrate = try #require(services["migrate"] as? [String: Any])
        let service = try #require(services["service"] as? [String: Any])
        let db = try #require(services["db"] as? [String: Any])
        func environment(_ container: [String: Any]) -> [String: String] {
            (container["environment"] as? [String: Any] ?? [:]).mapValues { "\($0)" }
        }
        #expect(environment(migrate)["GAPTRACK_DATABASE"] == "host=db dbname=gaptrack user=gaptrack")
        #expect(environment(service)["GAPTRACK_DATABASE"] == "host=db dbname=gaptrack user=gaptrack_app")
        // Both gaptrack containers write their libpq password file from their own secret first.
        for container in [migrate, service] {
            let entrypoint = try #require(container["entrypoint"] as? [String])
            #expect(entrypoint.first == "/bin/sh")
            #expect(entrypoint.contains { $0.contains("> /tmp/pgpass") && $0.contains("cat /run/secrets/$$PASSWORD_SECRET") })
            #expect(environment(container)["PGPASSFILE"] == "/tmp/pgpass")
        }
        #expect(migrate["command"] as? [String] == ["migrate"])
        #expect(service["command"] as? [String] == ["serve"])
        let dependsOn = try #require(service["depends_on"] as? [String: Any])
        #expect((dependsOn["migrate"] as? [String: Any])?["condition"] as? String == "service_completed_successfully")
        // Each container gets only its own login's secret, as a file.
        #expect(migrate["secrets"] as? [String] == ["db_owner_password"])
        #expect(service["secrets"] as? [String] == ["db_app_password"])
        #expect(environment(db)["POSTGRES_PASSWORD_FILE"] == "/run/secrets/db_owner_password")
        let secrets = try #require(compose["secrets"] as? [String: Any])
        #expect(Set(secrets.keys) == ["db_owner_password", "db_app_password"])
        // No password in any environment or URL.
        for (name, container) in services {
            let values = environment(container as? [String: Any] ?? [:])
            #expect(!values.keys.contains { $0.contains("PASSWORD") && !$0.hasSuffix("_FILE") && $0 != "PASSWORD_SECRET" }, "\(name)")
            #expect(!values.values.contains { $0.contains("://") || $0.contains("password=") }, "\(name)")
        }
        // The init script creates the service login with the secret read by psql itself.
        let initScript = try Self.text("compose-initdb/10-service-login.sh")
        #expect(initScript.contains("\\set app_password `cat /run/secrets/db_app_password`"))
        #expect(initScript.contains("CREATE ROLE gaptrack_app LOGIN NOINHERIT"))
    }

    /// The containers' first step, run with the real /bin/sh: the libpq password file it writes
    /// from a secret, and its mode (libpq ignores one that others may read).
    @Test func composeEntrypointWritesAPrivatePasswordFile() throws {
        let compose = try #require(try Yams.load(yaml: try Self.text("compose.yaml")) as? [String: Any])
        let service = try #require((compose["services"] as? [String: Any])?["service"] as? [String: Any])
        let entrypoint = try #require(service["entrypoint"] as? [String])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-entrypoint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("secrets"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "0123abcd\n".write(to: folder.appendingPathComponent("secrets/db_app_password"), atomically: true, encoding: .utf8)
        // Compose turns $$ into $; the container's paths become the test folder's, and the
        // program it would start becomes echo.
        let script = entrypoint[2].replacingOccurrences(of: "$$", with: "$")
            .replacingOccurrences(of: "/run/secrets", with: folder.path + "/secrets")
            .replacingOccurrences(of: "/tmp/pgpass", with: folder.path + "/pgpass")
            .replacingOccurrences(of: "exec /opt/gaptrack/bin/gaptrack", with: "echo ran")
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", script, entrypoint[3], "serve"]
        shell.environment = ["PGUSER": "gaptrack_app", "PASSWORD_SECRET": "db_app_password", "PATH": "/usr/bin:/bin"]
        let output = Pipe()
        shell.standardOutput = output
        try shell.run()
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 0)
        #expect(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == "ran serve\n")
        let passwordFile = folder.appendingPathComponent("pgpass").path
        #expect(try String(contentsOfFile: passwordFile, encoding: .utf8) == "db:5432:gaptrack:gaptrack_app:0123abcd\n")
        let mode = try FileManager.default.attributesOfItem(atPath: passwordFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func systemdRunsMigrationsAsTheOwnerFirstAndTheServiceWithACredential() throws {
        func settings(_ name: String) throws -> [(key: String, value: String)] {
            try Self.text(name).split(separator: "\n").compactMap { line in
                guard !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { return nil }
                return (String(line[..<equals]), String(line[line.index(after: equals)...]))
            }
        }
        let service = try settings("gaptrack.service")
        let migrate = try settings("gaptrack-migrate.service")
        func values(_ unit: [(key: String, value: String)], _ key: String) -> [String] { unit.filter { $0.key == key }.map(\.value) }
        #expect(values(service, "ExecStart") == ["/opt/gaptrack/bin/gaptrack serve"])
        #expect(values(service, "ExecStartPre") == [])
        #expect(values(service, "Requires") == ["gaptrack-migrate.service"])
        #expect(values(service, "After").first?.contains("gaptrack-migrate.service") == true)
        #expect(values(service, "LoadCredential") == ["pgpass:/etc/gaptrack/gaptrack_app.pgpass"])
        #expect(values(service, "Environment") == ["PGPASSFILE=%d/pgpass"])
        #expect(values(migrate, "ExecStart") == ["/opt/gaptrack/bin/gaptrack migrate"])
        #expect(values(migrate, "Type") == ["oneshot"])
        #expect(values(migrate, "LoadCredential") == ["pgpass:/etc/gaptrack/owner.pgpass"])
        for unit in [service, migrate] {
            #expect(!unit.contains { $0.value.contains("PGPASSWORD") || $0.value.contains("password") })
        }
        let example = try Self.text("gaptrack.env.example")
        #expect(example.contains("GAPTRACK_DATABASE=\"host=db.example.internal dbname=gaptrack user=gaptrack_app sslmode=verify-full\""))
        #expect(!example.contains("PGPASSWORD"))
    }
}
