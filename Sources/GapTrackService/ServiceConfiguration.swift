/// How `gaptrack serve` runs: a plain value filled from command-line options or the environment
/// file (deploy/gaptrack.env.example) and passed to `buildApplication`.
public struct ServiceConfiguration: Sendable {
    /// Address to listen on. The default, loopback, keeps the service private until a reverse
    /// proxy (which terminates TLS) is put in front of it.
    public var host: String
    /// TCP port; 0 picks a free one (tests).
    public var port: Int
    /// libpq connection string for the pool (the same choice of server as every CLI command).
    public var conninfo: String
    /// A second connection string, to a streaming standby, for the reads that may lag the primary
    /// a little (`--read-database`, docs/scaling.md); nil reads from `conninfo` too. Writes never go there.
    public var readConninfo: String?
    /// Connections, and so threads blocked in libpq, at most. PostgreSQL itself works best with
    /// about two to four connections per CPU core; more only adds contention.
    public var poolSize: Int
    /// Requests allowed to wait for a connection before the service answers 503.
    public var maximumQueued: Int
    /// The largest JSON body accepted, in bytes (larger ones get 413).
    public var maximumBodyBytes: Int
    /// Sent in the Server header when set.
    public var serverName: String?
    /// How long a statement, a lock wait and a whole request may take (docs in README, "Running it").
    public var limits: StatementLimits
    /// The web pages' sessions and cookies (docs/security.md, "People, sessions and forms").
    public var web = WebSettings()

    /// The defaults: a statement of the largest report takes well under a second on a school or
    /// a university intake, so 10 s means something is wrong; a lock is held by another request
    /// for milliseconds, so 3 s of waiting means it is stuck; a caller (an MIS integration, a
    /// browser) is answered 503 with Retry-After within 15 s rather than left hanging.
    public static let defaultLimits = StatementLimits(
        statementTimeout: .seconds(10), lockTimeout: .seconds(3), requestDeadline: .seconds(15))

    public init(
        host: String = "127.0.0.1", port: Int = 8080, conninfo: String, poolSize: Int = 8, maximumQueued: Int = 1024,
        maximumBodyBytes: Int = 1_048_576, serverName: String? = nil, limits: StatementLimits = defaultLimits
    ) {
        self.host = host
        self.port = port
        self.conninfo = conninfo
        self.poolSize = poolSize
        self.maximumQueued = maximumQueued
        self.maximumBodyBytes = maximumBodyBytes
        self.serverName = serverName
        self.limits = limits
    }
}

/// How the web pages keep people signed in.
public struct WebSettings: Sendable {
    /// The longest a session lasts from sign-in, however active: a working day.
    public var sessionLifetime: Duration = .seconds(8 * 3600)
    /// A session unused this long ends: a screen left signed in on a shared computer.
    public var idleLimit: Duration = .seconds(30 * 60)
    /// Send cookies with `Secure`, so that a browser returns them over HTTPS only. On when the
    /// service is reached through a TLS-terminating proxy (`--secure-cookies`); off for plain HTTP on
    /// loopback, where a browser would otherwise drop them.
    public var secureCookies = false
    /// The reverse proxies in front, whose `X-Forwarded-For` names the client (`--trusted-proxy`).
    public var trustedProxies = TrustedProxies.none

    public init(sessionLifetime: Duration = .seconds(8 * 3600), idleLimit: Duration = .seconds(30 * 60), secureCookies: Bool = false,
                trustedProxies: TrustedProxies = .none) {
        self.sessionLifetime = sessionLifetime
        self.idleLimit = idleLimit
        self.secureCookies = secureCookies
        self.trustedProxies = trustedProxies
    }
}
