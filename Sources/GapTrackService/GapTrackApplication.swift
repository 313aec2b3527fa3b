import Foundation
import GapTrackStore
import Hummingbird
import Logging
import ServiceLifecycle

/// Everything a router needs, built once per application: the pool, the metrics and the limits.
public struct ServiceDependencies: Sendable {
    public let pool: DatabasePool
    public let metrics: ServiceMetrics
    public let configuration: ServiceConfiguration
    /// The termly report engine (tests may give another, e.g. one that reports its scope).
    public let reports: TermlyReportSource

    public init(configuration: ServiceConfiguration, reports: @escaping TermlyReportSource = standardTermlyReports) {
        self.configuration = configuration
        self.reports = reports
        self.pool = DatabasePool(
            conninfo: configuration.conninfo, size: configuration.poolSize, maximumQueued: configuration.maximumQueued,
            limits: configuration.limits)
        self.readPool = configuration.readConninfo.map {
            DatabasePool(conninfo: $0, size: configuration.poolSize, maximumQueued: configuration.maximumQueued, limits: configuration.limits)
        }
        self.metrics = ServiceMetrics(pool: pool)
    }

    var database: ScopedDatabase { ScopedDatabase(pool: pool) }
    /// Pools of their own for the standby's reads (`ServiceConfiguration.readConninfo`), else the one pool.
    public let readPool: DatabasePool?
    var readDatabase: ScopedDatabase { ScopedDatabase(pool: readPool ?? pool) }
    var bodies: JSONBodyReader { JSONBodyReader(limit: configuration.maximumBodyBytes) }
}

/// The whole HTTP API in one router. `gaptrack serve` and the tests both build it here.
///
/// Open routes: `/health`, `/metrics`, `/openapi.yaml`. Everything under `/v1` needs a token
/// (`Authorization: Bearer gtk_...`) and runs as that token's provider and role.
public func buildRouter(_ dependencies: ServiceDependencies) -> Router<GapTrackRequestContext> {
    let router = Router(context: GapTrackRequestContext.self)
    router.add(middleware: MetricsMiddleware(metrics: dependencies.metrics))
    router.add(middleware: ErrorBodyMiddleware())
    router.add(middleware: RequestDeadlineMiddleware(deadline: dependencies.configuration.limits.requestDeadline))

    router.get("/health") { _, context in
        try await health(dependencies, context: context)
    }
    router.get("/metrics") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: dependencies.metrics.exposition())))
    }
    router.get("/openapi.yaml") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: try OpenAPIDocument.text())))
    }

    let api = router.group("v1").add(middleware: TokenAuthentication(database: dependencies.pool))
    SupportRecordRoutes(dependencies: dependencies).register(on: api)
    SupportReviewRoutes(dependencies: dependencies).register(on: api)
    CatalogueRoutes(dependencies: dependencies).register(on: api)
    AttendanceRoutes(dependencies: dependencies).register(on: api)
    AssessmentRoutes(dependencies: dependencies).register(on: api)
    TimelineRoutes(dependencies: dependencies).register(on: api)
    StudentExportRoutes(dependencies: dependencies).register(on: api)
    ReportRoutes(dependencies: dependencies).register(on: api)
    AuditRoutes(dependencies: dependencies).register(on: api)
    return router
}

/// The application: the router, on the configured address, with the pool shut down after the
/// HTTP server has finished its in-flight requests (ServiceGroup stops services in reverse
/// order, and the server is always last to start).
public func buildApplication(
    _ dependencies: ServiceDependencies, logger: Logger = Logger(label: "gaptrack.service"),
    onServerRunning: @escaping @Sendable (_ port: Int?) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let router = buildRouter(dependencies)
    // The web pages for people (docs/security.md §6): HTML answers, outside the API's document.
    WebPages(dependencies: dependencies).register(on: router)
    return Application(
        responder: HeadAsGet(wrapped: router.buildResponder()),
        configuration: .init(
            address: .hostname(dependencies.configuration.host, port: dependencies.configuration.port),
            serverName: dependencies.configuration.serverName),
        services: [PoolShutdown(pool: dependencies.pool)] + (dependencies.readPool.map { [PoolShutdown(pool: $0)] } ?? []),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port) },
        logger: logger)
}

/// Closes the pool's connections once graceful shutdown reaches it.
struct PoolShutdown: Service {
    let pool: DatabasePool

    func run() async throws {
        try? await gracefulShutdown()
        await pool.shutDown()
    }
}

struct HealthReport: ResponseEncodable {
    let status: String
    let database: String
    let pool: PoolReport

    struct PoolReport: Codable {
        let connections: Int
        let busy: Int
        let waiting: Int
    }
}

/// 200 when a pooled connection answers a ping (`ServiceDatabase.ping`), else 503, so that a load balancer or
/// systemd watchdog can tell "up but cannot reach PostgreSQL" from "up".
func health(_ dependencies: ServiceDependencies, context: GapTrackRequestContext) async throws -> Response {
    let databaseState: String
    do {
        try await dependencies.pool.run { connection in try ServiceDatabase.ping(connection) }
        databaseState = "ok"
    } catch {
        databaseState = "unavailable: \(error)"
    }
    let statistics = dependencies.pool.currentStatistics
    let report = HealthReport(
        status: databaseState == "ok" ? "ok" : "degraded", database: databaseState,
        pool: .init(connections: dependencies.pool.size, busy: statistics.busy, waiting: statistics.waiting))
    let data = try JSONEncoder.api.encode(report)
    var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
    // As every other 503 does, so that a load balancer knows when to look again.
    if databaseState != "ok" { headers[.retryAfter] = "1" }
    return Response(
        status: databaseState == "ok" ? .ok : .serviceUnavailable, headers: headers,
        body: .init(byteBuffer: ByteBuffer(bytes: data)))
}

/// HEAD on any GET route answers as GET would, status and headers alike, without the body
/// (RFC 9110 §9.3.2). It wraps the router's responder because the router picks the route by
/// method before any middleware runs, and knows only the GET routes.
struct HeadAsGet<Wrapped: HTTPResponder>: HTTPResponder where Wrapped.Context == GapTrackRequestContext {
    let wrapped: Wrapped

    func respond(to request: Request, context: GapTrackRequestContext) async throws -> Response {
        guard request.method == .head else { return try await wrapped.respond(to: request, context: context) }
        var head = request.head
        head.method = .get
        var response: Response
        do {
            response = try await wrapped.respond(to: Request(head: head, body: request.body), context: context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.body = .init()
        return response
    }
}

/// Starts each request's clock, and says whether its database work may run twice: the pool reads
/// both (`CurrentRequest`). GET and HEAD only read; every other method writes and is replayed on
/// a new connection only when nothing can have been committed (`DatabasePool.Replay`).
struct RequestDeadlineMiddleware: RouterMiddleware {
    typealias Context = GapTrackRequestContext
    let deadline: Duration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let replay: DatabasePool.Replay = request.method == .get || request.method == .head ? .idempotent : .beforeCommitOnly
        let instant: ContinuousClock.Instant? = deadline > .zero ? .now + deadline : nil
        return try await CurrentRequest.$deadline.withValue(instant) {
            try await CurrentRequest.$replay.withValue(replay) { try await next(request, context) }
        }
    }
}

/// Every error leaves the service as the JSON body documented in openapi.yaml: unknown routes
/// get a 404 that points at the API description, and anything unexpected a 500 with a
/// reference to the log line, never a stack trace or an empty body.
struct ErrorBodyMiddleware: RouterMiddleware {
    typealias Context = GapTrackRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            if error is APIError { throw error }
            let converted: APIError
            switch error.status {
            case .contentTooLarge: converted = .payloadTooLarge(limit: context.maxUploadSize)
            case .notFound:
                converted = .notFound(
                    "there is no endpoint \(request.method.rawValue) \(request.uri.path); the API is described at /openapi.yaml")
            case let status where (400..<500).contains(status.code):
                throw error
            default:
                context.logger.error("request failed", metadata: ["error": "\(error)"])
                converted = .internalFailure(reference: context.id)
            }
            throw converted
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)", "reference": "\(context.id)"])
            throw APIError.internalFailure(reference: context.id)
        }
    }
}
