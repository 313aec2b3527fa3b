import Foundation
import GapTrackDomain
import GapTrackReports
import GapTrackStore
import Hummingbird
import Postgres

/// GET /v1/reports/students?cohort=year-11&term=2024/25-summer&group=fsm-ever-6&type=tutoring: the
/// pupils behind a report's figures, as `gaptrack report students` lists them, for admins, data
/// leads and staff; a governor token gets 403 (docs/methodology.md §7.7). JSON by default; CSV,
/// Markdown, HTML or PDF with `format=` or the Accept header.
///
/// The list is read as the report role (`ReportReadingRole`, `gaptrack_report`), which sees the
/// provider's full records, so that pupils are placed in groups exactly as the report's counts
/// place them; what a staff token may not see (restricted markers and support, and any group only
/// they put a pupil in) is then left out by the drill-down functions themselves
/// (sql/functions/report_drill_down.sql). Admins and data leads get restricted records.
struct StudentDrillDownRoute: Sendable {
    let dependencies: ServiceDependencies

    enum Outcome: Sendable {
        case list(StudentDrillDown)
        case notFound(String)
        case badType(String)
    }

    func students(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let caller = try context.caller()
        try caller.require(.readPupilLists)
        let query = QueryReader(
            request.uri.queryParameters, allowed: ["cohort", "term", "year", "group", "type", "before", "after", "compare", "format"])
        try query.rejectUnknown()
        let format = try ReportDocumentFormat.requested(query, accept: request.headers[.accept], offered: [.json, .csv, .markdown, .html, .pdf])
        let cohortExpected = "a cohort such as year-11 (schools), course-bsc-psy or intake-2024"
        guard let cohort = try query.parsed("cohort", expected: cohortExpected, { try CohortCode(parsing: $0) }) else {
            throw APIError.badQuery(parameter: "cohort", value: "", expected: cohortExpected)
        }
        let term = try query.parsed("term", expected: "a term such as 2024/25-summer (autumn, spring or summer)") { try AcademicTerm(parsing: $0) }
        let year = try query.parsed("year", expected: "an academic year such as 2024/25") { try AcademicYear(parsing: $0) }
        guard (term == nil) != (year == nil) else {
            throw APIError.badQuery(parameter: "term", value: "", expected: "either term (e.g. 2024/25-summer) or year (e.g. 2024/25), not both")
        }
        let group = try query.parsed("group", expected: "a report group: " + ReportGroup.standardOrder.map(\.argument).joined(separator: ", ")) {
            guard let group = ReportGroup.named($0) else { throw DrillDownError.unknownGroup($0, valid: []) }
            return group
        }
        let pointExpected = "an assessment point SUBJECT@YYYY/YY-TERM, e.g. maths@2024/25-autumn"
        let before = try query.parsed("before", expected: pointExpected) { try AssessmentPointSelector(parsing: $0) }
        let after = try query.parsed("after", expected: pointExpected) { try AssessmentPointSelector(parsing: $0) }
        let compare = try query.parsed("compare", expected: ComparisonGroup.allCases.map(\.rawValue).joined(separator: ", ")) {
            guard let comparison = ComparisonGroup(rawValue: $0.lowercased()) else { throw DrillDownError.unknownGroup($0, valid: []) }
            return comparison
        }
        let drillRequest = StudentDrillDownRequest(
            provider: caller.providerCode, cohort: cohort, term: term ?? StudentDrillDownRequest.term(ofYear: year!), wholeYear: year != nil,
            group: group, type: query.text("type"), before: before, after: after, comparison: compare)
        let access = DrillDownAccess(audience: .staff, restrictedRecords: caller.role == .admin || caller.role == .dataLead ? .included : .omitted)
        let outcome = try await dependencies.database.run(as: caller, context: context, isolation: .repeatableRead) { connection -> Outcome in
            do {
                return .list(try ReportReadingRole.run(on: connection) {
                    try StudentDrillDownQueries(connection: connection).drillDown(drillRequest, access: access)
                })
            } catch let error as TermlyReportError {
                return .notFound(error.description)
            } catch let error as DrillDownError {
                return .badType(error.description)
            }
        }
        switch outcome {
        case .list(let list):
            if format == .pdf { return format.response(try await PDFPrinter.printForResponse(try ReportFormat.html.render(list))) }
            let rendered = try (ReportFormat(rawValue: format.rawValue) ?? .json).render(list)
            return format.response(Array(rendered.utf8))
        case .notFound(let message):
            throw APIError.notFound(message)
        case .badType(let message):
            throw APIError.badQuery(parameter: "type", value: query.text("type") ?? "", expected: message)
        }
    }
}
