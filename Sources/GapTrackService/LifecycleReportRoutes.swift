import Foundation
import GapTrackDomain
import GapTrackReports
import GapTrackStore
import Hummingbird
import Postgres

/// The university reports over HTTP, each byte for byte what its command prints as JSON (or its
/// HTML page), read as the report role on the caller's provider; the token's role decides the
/// audience, as for the termly report (governor tokens get the governors' report, with small
/// groups `c`):
///
/// - GET /v1/reports/lifecycle?years=2021/22-2024/25&as_of=2025-07-31: the student lifecycle
///   report (docs/methodology.md §11);
/// - GET /v1/reports/cost-of-living-evaluation?years=…&as_of=…: whether cost-of-living support
///   helped (docs/methodology.md §11.9).
struct LifecycleReportRoute: Sendable {
    let dependencies: ServiceDependencies

    func register(on group: RouterGroup<GapTrackRequestContext>) {
        group.get("reports/lifecycle") { request, context in
            try await report(request, context, build: LifecycleQueries.report, html: LifecycleHTMLRenderer.render)
        }
        group.get("reports/cost-of-living-evaluation") { request, context in
            try await report(request, context, build: SupportEvaluationQueries.report) { try ReportFormat.html.render($0) }
        }
    }

    typealias Build<Report> = @Sendable (ProviderCode, LifecycleYears?, CalendarDate, ReportAudience, PostgresConnection) throws -> Report

    func report<Report: Sendable>(
        _ request: Request, _ context: GapTrackRequestContext, build: @escaping Build<Report>,
        html: @escaping @Sendable (Report) throws -> String
    ) async throws -> Response where Report: JSONRenderable {
        try context.caller().require(.readReport)
        let caller = try await GroupReportRoute(dependencies: dependencies).reportCaller(request, context)
        let query = QueryReader(request.uri.queryParameters, allowed: ["years", "as_of", "format", "provider"])
        try query.rejectUnknown()
        let format = try ReportDocumentFormat.requested(query, accept: request.headers[.accept], offered: [.json, .html])
        let years = try query.parsed("years", expected: "years of entry such as 2021/22-2024/25") { try LifecycleYears(parsing: $0) }
        let givenDay: CalendarDate? = try query.parsed("as_of", expected: "a date such as 2025-07-31") { try CalendarDate(parsing: $0) }
        let today = CalendarDate(daysSinceEpoch: Int((Date().timeIntervalSince1970 / 86_400).rounded(.down)))
        let asOf = givenDay ?? today
        let audience = ReportAudience.for(caller.role)
        let outcome: Result<Report, NothingToReport> = try await dependencies.database.run(
            as: caller, context: context, isolation: .repeatableRead
        ) { connection in
            try ReportReadingRole.run(on: connection) {
                do {
                    return .success(try build(caller.providerCode, years, asOf, audience, connection))
                } catch let error as LifecycleError {
                    return .failure(NothingToReport(message: error.description))
                } catch let error as SupportEvaluationError {
                    return .failure(NothingToReport(message: error.description))
                }
            }
        }
        let report: Report
        switch outcome {
        case .success(let built): report = built
        case .failure(let error): throw APIError.notFound(error.message)
        }
        switch format {
        case .html: return format.response(Array(try html(report).utf8))
        default: return ReportDocumentFormat.json.response(Array(try report.json().utf8))
        }
    }
}

/// The provider has no course instances to report on: a 404 that says what to load.
struct NothingToReport: Error {
    let message: String
}

/// A report the university routes can write as the command's JSON.
protocol JSONRenderable {
    func json() throws -> String
}

extension LifecycleReport: JSONRenderable {
    func json() throws -> String { try ReportFormat.json.render(self) }
}

extension SupportEvaluationReport: JSONRenderable {
    func json() throws -> String { try ReportFormat.json.render(self) }
}
