import Foundation
import GapTrackDomain
import Postgres
import TestDatabase
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The web pages' journeys in a real browser: a real `gaptrack serve` (two: the second with a
/// two-second idle limit, for the session that expires) on a test database with the demo school and
/// accounts made by `gaptrack user add`, driven by Tests/BrowserTests (pytest, Selenium, Debian's
/// chromium-driver, axe on every page). deploy/test.sh installs the browser and the Python packages
/// into .gaptrack/venv; without them the test is skipped here, and fails in CI (CI=true).
@Suite("Browser journeys", .serialized)
struct BrowserJourneyTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let python = root.appendingPathComponent(".gaptrack/venv/bin/python").path
    static let gaptrack = root.appendingPathComponent(".build/debug/gaptrack").path
    static let chromedriver = "/usr/bin/chromedriver"
    static let chromium = "/usr/bin/chromium"

    /// What is missing to run the journeys, or nil when everything is there.
    static let missing: String? = {
        for (path, what) in [(chromedriver, "chromium-driver"), (chromium, "chromium"), (gaptrack, "the built gaptrack")]
        where !FileManager.default.isExecutableFile(atPath: path) {
            return "\(what) (\(path))"
        }
        guard FileManager.default.isExecutableFile(atPath: python),
            (try? run(python, ["-c", "import selenium, axe_selenium_python, pytest"]).status) == 0
        else { return "selenium, axe-selenium-python and pytest in \(python) (deploy/test.sh installs them)" }
        return nil
    }()

    static let inCI = ProcessInfo.processInfo.environment["CI"] == "true"

    @Test(.enabled(if: missing == nil || inCI, "the browser journeys need \(missing ?? "nothing"): skipped outside CI"))
    func theJourneysPassInChromium() async throws {
        if let missing = Self.missing { Issue.record("CI must run the browser journeys, but \(missing) is missing"); return }
        let world = try await Self.offTheCooperativePool { try World.make() }
        defer { world.tearDown() }
        let main = try Server.start(conninfo: world.serviceConninfo, extra: [], log: world.folder.appendingPathComponent("serve.log"))
        defer { main.stop() }
        let shortIdle = try Server.start(
            conninfo: world.serviceConninfo, extra: ["--session-idle", "2s"], log: world.folder.appendingPathComponent("serve-short.log"))
        defer { shortIdle.stop() }
        try await main.waitUntilHealthy()
        try await shortIdle.waitUntilHealthy()

        var environment = ProcessInfo.processInfo.environment
        environment["GAPTRACK_WEB_URL"] = main.url
        environment["GAPTRACK_WEB_SHORT_IDLE_URL"] = shortIdle.url
        environment["GAPTRACK_WEB_SHORT_IDLE_SECONDS"] = "2"
        environment["GAPTRACK_WEB_PASSWORD"] = World.password
        environment["GAPTRACK_WEB_LEAD"] = World.accounts["data-lead"]
        environment["GAPTRACK_WEB_STAFF"] = World.accounts["staff"]
        environment["GAPTRACK_WEB_GOVERNOR"] = World.accounts["governor"]
        environment["GAPTRACK_WEB_OTHER_PUPIL"] = world.otherProvidersPupil
        environment["GAPTRACK_WEB_MISSING_PUPIL"] = world.missingPupil
        environment["GAPTRACK_WEB_OWN_PUPIL"] = world.ownPupil
        environment["GAPTRACK_WEB_PUPIL_NAMES"] = world.pupilNames.joined(separator: "|")
        environment["GAPTRACK_CHROMEDRIVER"] = Self.chromedriver
        environment["GAPTRACK_CHROMIUM"] = Self.chromium
        let journeyEnvironment = environment
        let outcome = try await Self.offTheCooperativePool {
            try Self.run(Self.python, ["-m", "pytest", "-q", "-p", "no:cacheprovider", "Tests/BrowserTests"], environment: journeyEnvironment)
        }
        print(outcome.output)
        #expect(outcome.status == 0, "the browser journeys failed:\n\(outcome.output)")
        // Each journey signed in: the audit log holds the sessions they opened, named by account.
        let sessions: Int = try world.owner.query(
            "SELECT count(*) AS n FROM audit_log WHERE table_name = 'web_sessions' AND action = 'insert' AND actor LIKE 'web:account:%'"
        ).single().decode("n")
        #expect(sessions >= 7)
    }

    /// The test database: the demo school, a second school with one pupil, and an account per role.
    struct World {
        static let password = "correct horse battery staple"
        static let accounts = [
            "data-lead": "lead@demo-academy.example", "staff": "staff@demo-academy.example", "governor": "governor@demo-academy.example",
        ]

        let name: String
        let owner: PostgresConnection
        let serviceConninfo: String
        let folder: URL
        let ownPupil: String
        let otherProvidersPupil: String
        let missingPupil: String
        let pupilNames: [String]

        static func make() throws -> World {
            let name = "gaptrack_web_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
            let admin = try TestDatabase.adminConnection()
            try admin.execute("CREATE DATABASE \(name)")
            let conninfo = TestDatabase.conninfo(database: name)
            let owner = try PostgresConnection(conninfo: conninfo)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            var environment = ProcessInfo.processInfo.environment
            environment["GAPTRACK_DATABASE"] = conninfo
            func gaptrack(_ arguments: [String]) throws {
                let outcome = try BrowserJourneyTests.run(BrowserJourneyTests.gaptrack, arguments, environment: environment)
                guard outcome.status == 0 else { throw SetupFailure(command: arguments.joined(separator: " "), output: outcome.output) }
            }
            try gaptrack(["migrate"])
            try gaptrack(["demo", "load", "--cohort-size", "20", "--attendance-days", "20", "--only", "school"])
            let passwordFile = folder.appendingPathComponent("password")
            try (password + "\n").write(to: passwordFile, atomically: true, encoding: .utf8)
            for (role, email) in accounts.sorted(by: { $0.key < $1.key }) {
                try gaptrack(["user", "add", "--provider", "demo-academy", "--email", email, "--role", role, "--password-file", passwordFile.path])
            }
            // A second school with one pupil, whom demo-academy's people must not be able to tell from no pupil.
            let other = upn("801999924001"), missing = upn("801999924002")
            try owner.query("SELECT set_config('gaptrack.actor', 'test:fixture', false)")
            let otherID: Int = try owner.query(
                "INSERT INTO providers (code, name, kind, urn, la_code) VALUES ('other-school', 'Other School', 'school', '199999', '999') RETURNING provider_id"
            ).single().decode("provider_id")
            try owner.query(
                "INSERT INTO students (provider_id, upn, legal_surname, forename, date_of_birth) VALUES ($1, $2, 'Elsewhere', 'Robin', '2009-05-01')",
                [otherID, other])
            let pupils = try owner.query(
                """
                SELECT s.upn, s.forename || ' ' || s.legal_surname AS name FROM students s JOIN providers p USING (provider_id)
                WHERE p.code = 'demo-academy' AND s.upn IS NOT NULL ORDER BY s.student_id
                """
            ).rows
            let names: [String] = try pupils.map { try $0.decode("name") }
            return World(
                name: name, owner: owner, serviceConninfo: try TestDatabase.asServiceLogin(conninfo), folder: folder,
                ownPupil: try pupils[0].decode("upn"), otherProvidersPupil: other, missingPupil: missing, pupilNames: names)
        }

        /// A well-formed UPN: the check letter by the domain's own rule, then the 12 digits.
        static func upn(_ digits: String) -> String {
            String(UPN.checkLetter(forCharacters2to13: Array(digits))!) + digits
        }

        func tearDown() {
            if let admin = try? TestDatabase.adminConnection() {
                _ = try? admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            }
            try? FileManager.default.removeItem(at: folder)
        }
    }

    struct SetupFailure: Error, CustomStringConvertible {
        let command: String
        let output: String
        var description: String { "gaptrack \(command) failed:\n\(output)" }
    }

    /// One `gaptrack serve` on a free loopback port.
    struct Server {
        let process: Process
        let url: String
        let log: URL

        static func start(conninfo: String, extra: [String], log: URL) throws -> Server {
            let port = try freePort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: BrowserJourneyTests.gaptrack)
            process.arguments = ["serve", "--database", conninfo, "--port", String(port)] + extra
            FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            return Server(process: process, url: "http://127.0.0.1:\(port)", log: log)
        }

        static func freePort() throws -> Int {
            let outcome = try BrowserJourneyTests.run(
                "/usr/bin/env", ["python3", "-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"])
            guard let port = Int(outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw SetupFailure(command: "(finding a free port)", output: outcome.output)
            }
            return port
        }

        func waitUntilHealthy() async throws {
            for _ in 0..<240 {
                if !process.isRunning { break }
                if let (_, response) = try? await URLSession.shared.data(from: URL(string: url + "/health")!),
                    (response as? HTTPURLResponse)?.statusCode == 200
                {
                    return
                }
                try await Task.sleep(for: .milliseconds(250))
            }
            throw SetupFailure(command: "serve", output: (try? String(contentsOf: log, encoding: .utf8)) ?? "")
        }

        func stop() {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
        }
    }

    /// Runs `body` on a thread of its own and waits for it without holding a thread. The demo load
    /// and the journeys block for minutes; on a two-core machine the test process has two
    /// cooperative threads, and blocking them stalls every in-process service of the other tests
    /// running at the same time until their requests meet the deadline (503).
    static func offTheCooperativePool<T>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let box: UncheckedBox<T> = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { UncheckedBox(value: try body()) })
            }
        }
        return box.value
    }

    /// Runs a program to its end: its exit status and its output and errors together.
    static func run(_ program: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.currentDirectoryURL = root
        if let environment { process.environment = environment }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// Hands a value made on another thread back to the test; it is used by the test alone afterwards.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
}
