import Foundation
import GapTrackDomain
import GapTrackReports
import Hummingbird
import GapTrackStore
import Postgres

/// What the termly report endpoint asks the report engine for.
public struct TermlyReportRequest: Sendable, Equatable {
    public let providerID: Int
    public let providerCode: ProviderCode
    public let cohort: CohortCode
    public let term: AcademicTerm
    /// Decided by the token's role (`ReportAudience.for(_:)`), never by the caller.
    public let audience: ReportAudience
    /// The pupils of the cohort the report is about (`filter=` parameters, docs/methodology.md §7.8).
    public let filter: CohortFilter

    public init(
        providerID: Int, providerCode: ProviderCode, cohort: CohortCode, term: AcademicTerm, audience: ReportAudience, filter: CohortFilter = .none
    ) {
        self.filter = filter
        self.providerID = providerID
        self.providerCode = providerCode
        self.cohort = cohort
        self.term = term
        self.audience = audience
    }
}

extension ReportAudience {
    /// The audience a token's role reads reports as (docs/methodology.md §7.6): admins, data
    /// leads and staff act on pupils and get the staff report; governors get the governors' report.
    public static func `for`(_ role: APIRole) -> ReportAudience {
        role == .governor ? .governors : .staff
    }
}

/// What the report engine answers.
public enum TermlyReportOutcome: Sendable, Equatable {
    /// The report as JSON (GapTrackReports' JSON rendering: figures for groups under the
    /// suppression threshold are already `c`).
    case report(json: String)
    /// The report itself, which the route renders in the format asked for (JSON, HTML or PDF).
    case built(TermlyGapReport)
    /// The cohort or term does not exist for the provider; the message lists valid values.
    case notFound(String)
}

/// The report engine. It runs on the request's scoped connection, limited by row-level security
/// to the caller's provider like every other query.
public typealias TermlyReportSource = @Sendable (PostgresConnection, TermlyReportRequest) throws -> TermlyReportOutcome

/// The report `gaptrack report termly --format json --audience ...` prints, for the caller's own
/// provider. Its queries run as `gaptrack_report` (`ReportReadingRole`), which sees all of the
/// provider's rows whatever the caller's role, so that a role never changes a figure; the
/// audience then decides what is printed (docs/methodology.md §7.6).
public let standardTermlyReports: TermlyReportSource = { connection, request in
    do {
        var report = try ReportReadingRole.run(on: connection) {
            try TermlyReportQueries(connection: connection)
                .report(provider: request.providerCode, cohort: request.cohort, term: request.term, audience: request.audience, filter: request.filter)
        }
        if request.audience.mayListPupils {
            report.drillDown = try ReportReadingRole.run(on: connection) {
                try StudentDrillDownQueries(connection: connection).sections(for: report, access: .staffReport)
            }
        }
        return .built(report)
    } catch let error as TermlyReportError {
        return .notFound(error.description)
    }
}

/// GET /v1/reports/termly?cohort=year-11&term=2024/25-autumn: the termly gap report, as JSON
/// (the default), HTML or PDF (`format=`, or the Accept header). The only endpoint a governor
/// token may call: a governor gets the governors' report (small groups and whatever would reveal
/// them shown as `c`, never a pupil's name); admins, data leads and staff the staff report.
/// GET /v1/reports/students: the drill-down (StudentDrillDownRoutes.swift).
struct ReportRoutes: Sendable {
    let dependencies: ServiceDependencies

    func register(on group: RouterGroup<GapTrackRequestContext>) {
        group.get("reports/termly") { request, context in try await termly(request, context) }
        group.get("reports/students") { request, context in try await StudentDrillDownRoute(dependencies: dependencies).students(request, context) }
        GroupReportRoute(dependencies: dependencies).register(on: group)
        LifecycleReportRoute(dependencies: dependencies).register(on: group)
    }

    func termly(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        try context.caller().require(.readReport)
        let caller = try await GroupReportRoute(dependencies: dependencies).reportCaller(request, context)
        let query = QueryReader(request.uri.queryParameters, allowed: ["cohort", "term", "format", "provider", "filter"])
        try query.rejectUnknown()
        let format = try ReportDocumentFormat.requested(query, accept: request.headers[.accept], offered: [.json, .html, .pdf])
        let cohort = try query.parsed("cohort", expected: "a cohort such as year-11 (schools), course-bsc-psy or intake-2024") {
            try CohortCode(parsing: $0)
        }
        let term = try query.parsed("term", expected: "a term such as 2024/25-autumn (autumn, spring or summer)") {
            try AcademicTerm(parsing: $0)
        }
        guard let cohort else {
            throw APIError.badQuery(parameter: "cohort", value: "", expected: "a cohort such as year-11 (schools), course-bsc-psy or intake-2024")
        }
        guard let term else { throw APIError.badQuery(parameter: "term", value: "", expected: "a term such as 2024/25-autumn") }
        var filter = CohortFilter()
        for condition in request.uri.queryParameters.getAll("filter") {
            do { try filter.add(parsing: condition) } catch {
                throw APIError.badQuery(parameter: "filter", value: TextLimit.quoted(condition), expected: error.description)
            }
        }
        let source = dependencies.reports
        let reportRequest = TermlyReportRequest(
            providerID: caller.providerID, providerCode: caller.providerCode, cohort: cohort, term: term, audience: .for(caller.role), filter: filter)
        let outcome = try await dependencies.database.run(as: caller, context: context, isolation: .repeatableRead) { connection in
            try source(connection, reportRequest)
        }
        switch outcome {
        case .report(let json):
            guard format == .json else { throw APIError.badQuery(parameter: "format", value: format.rawValue, expected: "json from this report engine") }
            return format.response(Array(json.utf8))
        case .built(let report):
            switch format {
            case .json: return format.response(Array(try JSONReportRenderer.render(report).utf8))
            case .pdf: return format.response(try await PDFPrinter.printForResponse(HTMLReportRenderer.render(report)))
            default: return ReportDocumentFormat.html.response(Array(HTMLReportRenderer.render(report).utf8))
            }
        case .notFound(let message):
            throw APIError.notFound(message)
        }
    }
}
