import ArgumentParser
import Dispatch
import Foundation
import GapTrackService
import GapTrackStore
import Logging
import Postgres
import PrivateCluster
import Synchronization

/// `gaptrack serve`: the HTTP API (Sources/GapTrackService, described by openapi.yaml).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API for recording support, attendance and assessments and reading reports.",
        discussion: """
            Every /v1 request needs an API token ('gaptrack token create'). SIGTERM or SIGINT stops the service \
            gracefully: it stops accepting connections and finishes the requests in flight. Options default to the \
            GAPTRACK_HOST, GAPTRACK_PORT, GAPTRACK_POOL_SIZE, GAPTRACK_MAX_BODY_BYTES, GAPTRACK_STATEMENT_TIMEOUT, \
            GAPTRACK_LOCK_TIMEOUT and GAPTRACK_REQUEST_DEADLINE environment variables (see deploy/gaptrack.env.example).
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Address to listen on (default 127.0.0.1; use 0.0.0.0 behind a proxy or in a container).")
    var host: String?

    @Option(help: "TCP port to listen on (default 8080).")
    var port: Int?

    @Option(name: .customLong("read-database"), help: ArgumentHelp(
        "A libpq connection string to a streaming standby for reads that may lag a little (default GAPTRACK_READ_DATABASE_URL).",
        discussion: "Writes, reports and single records stay on the primary; docs/scaling.md says which reads move and why."))
    var readDatabase: String?

    @Option(name: .customLong("pool-size"), help: "Database connections, and so concurrent queries, at most (default 8).")
    var poolSize: Int?

    @Option(name: .customLong("max-body-bytes"), help: "Largest JSON request body accepted (default 1048576).")
    var maxBodyBytes: Int?

    @Flag(name: .customLong("allow-owner-login"), help: ArgumentHelp(
        "Development only: run even when the database login is a superuser, owns the schema or bypasses row-level security.",
        discussion: "Without it the service refuses such a login, because row-level security and the audit log's guards do not hold for it (docs/security.md)."))
    var allowOwnerLogin = false

    @Option(name: .customLong("statement-timeout"), help: "Longest one database statement may run, e.g. 10s or 500ms; 0 for no limit (default 10s).")
    var statementTimeout: TimeLimit?

    @Option(name: .customLong("lock-timeout"), help: "Longest a statement may wait for another request's lock (default 3s).")
    var lockTimeout: TimeLimit?

    @Option(name: .customLong("request-deadline"), help: "Longest a request may wait for a database connection before a 503 (default 15s).")
    var requestDeadline: TimeLimit?

    @Option(name: .customLong("session-lifetime"), help: "Longest a web page session lasts from sign-in, e.g. 8h is 480m (default 480m).")
    var sessionLifetime: TimeLimit?

    @Option(name: .customLong("session-idle"), help: "A web page session unused this long ends (default 30m).")
    var sessionIdle: TimeLimit?

    @Flag(name: .customLong("secure-cookies"), help: "Mark the web pages' cookies Secure: set it when a proxy serves gaptrack over HTTPS (docs/security.md).")
    var secureCookies = false

    @Option(name: .customLong("trusted-proxy"), help: ArgumentHelp(
        "The IP address of a reverse proxy in front of gaptrack (repeatable; default GAPTRACK_TRUSTED_PROXIES, comma-separated).",
        discussion: "Only from these peers is X-Forwarded-For read, from the right, for the address the sign-in limit counts (docs/security.md).",
        valueName: "address"))
    var trustedProxy: [String] = []

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535, not \(port)") }
        if let poolSize, !(1...256).contains(poolSize) { throw ValidationError("--pool-size must be between 1 and 256, not \(poolSize)") }
        if let maxBodyBytes, maxBodyBytes < 1024 { throw ValidationError("--max-body-bytes must be at least 1024") }
        do { _ = try TrustedProxies(parsing: trustedProxy) } catch { throw ValidationError("--trusted-proxy: \(error.description)") }
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        func number(_ name: String) throws -> Int? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Int(text) else { throw ValidationError("\(name) must be a whole number, not '\(text)'") }
            return value
        }
        func limit(_ option: TimeLimit?, _ name: String, _ fallback: Duration) throws -> Duration {
            if let option { return option.duration }
            guard let text = environment[name], !text.isEmpty else { return fallback }
            guard let parsed = TimeLimit(argument: text) else { throw ValidationError("\(name) must be a time such as 10s or 500ms, not '\(text)'") }
            return parsed.duration
        }
        let defaults = ServiceConfiguration.defaultLimits
        let limits = StatementLimits(
            statementTimeout: try limit(statementTimeout, "GAPTRACK_STATEMENT_TIMEOUT", defaults.statementTimeout),
            lockTimeout: try limit(lockTimeout, "GAPTRACK_LOCK_TIMEOUT", defaults.lockTimeout),
            requestDeadline: try limit(requestDeadline, "GAPTRACK_REQUEST_DEADLINE", defaults.requestDeadline))
        let conninfo = try serviceConninfo()
        var configuration = ServiceConfiguration(
            host: host ?? environment["GAPTRACK_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1",
            port: try port ?? number("GAPTRACK_PORT") ?? 8080,
            conninfo: conninfo,
            poolSize: try poolSize ?? number("GAPTRACK_POOL_SIZE") ?? 8,
            maximumBodyBytes: try maxBodyBytes ?? number("GAPTRACK_MAX_BODY_BYTES") ?? 1_048_576,
            serverName: "gaptrack", limits: limits)
        var web = WebSettings()
        web.sessionLifetime = try limit(sessionLifetime, "GAPTRACK_SESSION_LIFETIME", web.sessionLifetime)
        web.idleLimit = try limit(sessionIdle, "GAPTRACK_SESSION_IDLE", web.idleLimit)
        web.secureCookies = secureCookies || ["1", "true", "yes"].contains(environment["GAPTRACK_SECURE_COOKIES"]?.lowercased() ?? "")
        do {
            web.trustedProxies = try TrustedProxies(parsing: trustedProxy.isEmpty ? [environment["GAPTRACK_TRUSTED_PROXIES"] ?? ""] : trustedProxy)
        } catch {
            throw ValidationError("--trusted-proxy: \(error.description)")
        }
        guard web.sessionLifetime > .zero, web.idleLimit > .zero else { throw ValidationError("session limits must be more than 0") }
        configuration.web = web
        configuration.readConninfo = readDatabase ?? environment["GAPTRACK_READ_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        try ServiceRunner.checkSchema(conninfo: conninfo)
        for login in [conninfo] + (configuration.readConninfo.map { [$0] } ?? []) {
            try ServiceLogin.check(try PostgresConnection(conninfo: login), allowOwner: allowOwnerLogin)
        }

        var logger = Logger(label: "gaptrack.service")
        logger.logLevel = environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
        let runLogger = logger
        let serving = configuration
        // The root command is synchronous, so the service runs in a task while this thread waits.
        let outcome = Mutex<(any Error)?>(nil)
        let finished = DispatchSemaphore(value: 0)
        Task {
            do {
                try await ServiceRunner.run(serving, logger: runLogger)
            } catch {
                outcome.withLock { $0 = error }
            }
            finished.signal()
        }
        finished.wait()
        if let error = outcome.withLock({ $0 }) { throw error }
    }

    /// The same choice of server as every other command; the private cluster is started if needed,
    /// and there the service logs in as its own login, not as the owner the CLI uses.
    private func serviceConninfo() throws -> String {
        switch database.location {
        case .conninfo(let conninfo):
            return conninfo
        case .environment:
            return ""
        case .privateCluster(let cluster):
            if try cluster.status() != .running { try cluster.start() }
            try ServiceRunner.checkSchema(conninfo: cluster.conninfo())
            return try cluster.serviceConninfo()
        }
    }
}

/// A time limit as typed on the command line or in the environment file: a whole number with a
/// unit, `500ms`, `10s` or `2m`; `0` means no limit.
struct TimeLimit: ExpressibleByArgument {
    let duration: Duration

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).lowercased()
        if text == "0" {
            duration = .zero
            return
        }
        let units: [(suffix: String, duration: (Int) -> Duration)] = [
            ("ms", { .milliseconds($0) }), ("s", { .seconds($0) }), ("m", { .seconds($0 * 60) }),
        ]
        guard let unit = units.first(where: { text.hasSuffix($0.suffix) }),
            let amount = Int(text.dropLast(unit.suffix.count)), (0...86_400_000).contains(amount)
        else { return nil }
        duration = unit.duration(amount)
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
