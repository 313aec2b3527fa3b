import Hummingbird
import Prometheus

/// The service's Prometheus metrics, served at GET /metrics in the text exposition format.
///
/// Each application owns its own registry rather than bootstrapping the process-wide
/// `MetricsSystem`, which can be set only once per process: tests start many applications.
/// Labels use the route's template (`/v1/support-records/{id}`), never the raw path, so that
/// the number of series stays bounded whatever callers send.
public struct ServiceMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let pool: DatabasePool

    /// Upper bounds of the latency buckets: 1 ms to 10 s.
    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .seconds(2.5), .seconds(10),
    ]

    init(pool: DatabasePool) {
        self.registry = PrometheusCollectorRegistry()
        self.pool = pool
    }

    func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "gaptrack", metricName: "http_requests", unitName: "total",
                helpText: "HTTP requests answered, by method, route template and status code."),
            labels: [("method", method), ("route", route), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "gaptrack", metricName: "http_request_duration", unitName: "seconds",
                helpText: "Time from request head to response, by method and route template."),
            labels: [("method", method), ("route", route)],
            buckets: Self.latencyBuckets
        ).record(duration)
    }

    /// The exposition text, with the pool's gauges read at scrape time.
    func exposition() -> String {
        let statistics = pool.currentStatistics
        func gauge(_ name: String, _ help: String, _ value: Int) {
            registry.makeGauge(
                descriptor: MetricNameDescriptor(namespace: "gaptrack", subsystem: "db_pool", metricName: name, unitName: "", helpText: help)
            ).set(Double(value))
        }
        gauge("connections", "Connections (and threads) in the database pool.", pool.size)
        gauge("busy", "Pool connections running a request's queries right now.", statistics.busy)
        gauge("waiting", "Requests waiting for a free pool connection.", statistics.waiting)
        gauge("refused", "Requests refused with 503 because the waiting line was full (since start).", statistics.refused)
        gauge("reconnects", "Pool connections re-opened after the server dropped one (since start).", statistics.reconnects)
        return registry.emitToString()
    }
}

/// Counts and times every request, including those answered with an error.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = GapTrackRequestContext
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        let method = request.method.rawValue
        do {
            let response = try await next(request, context)
            metrics.recordRequest(
                method: method, route: context.endpointPath ?? "unmatched", status: response.status.code, duration: clock.now - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.recordRequest(method: method, route: context.endpointPath ?? "unmatched", status: status, duration: clock.now - start)
            throw error
        }
    }
}
