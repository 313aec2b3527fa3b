import Foundation
import GapTrackDomain
import GapTrackReports
import GapTrackStore
import Hummingbird
import Postgres

/// GET /v1/reports/lifecycle?years=2021/22-2024/25&as_of=2025-07-31: a university's student
/// lifecycle report (docs/methodology.md §11) as JSON (the default) or its HTML page, read as the
/// report role on the caller's provider; the token's role decides the audience, as for the termly
/// report (governor tokens get the governors' report, with small groups `c`).
struct LifecycleReportRoute: Sendable {
    let dependencies: ServiceDependencies

    func register(on group: RouterGroup<GapTrackRequestContext>) {
        group.get("reports/lifecycle") { request, context in try await report(request, context) }
    }

    func report(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
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
        let outcome: Result<LifecycleReport, LifecycleError> = try await dependencies.database.run(
            as: caller, context: context, isolation: .repeatableRead
        ) { connection in
            try ReportReadingRole.run(on: connection) {
                do {
                    return .success(try LifecycleQueries.report(provider: caller.providerCode, years: years, asOf: asOf, audience: audience, on: connection))
                } catch let error as LifecycleError {
                    return .failure(error)
                }
            }
        }
        let report: LifecycleReport
        switch outcome {
        case .success(let built): report = built
        case .failure(let error): throw APIError.notFound(error.description)
        }
        switch format {
        case .html: return format.response(Array(LifecycleHTMLRenderer.render(report).utf8))
        default: return ReportDocumentFormat.json.response(Array(try ReportFormat.json.render(report).utf8))
        }
    }
}
