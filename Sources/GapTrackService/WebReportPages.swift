import Foundation
import GapTrackDomain
import GapTrackReports
import GapTrackStore
import GapTrackWeb
import Hummingbird

/// Reading the termly gap report in the page, with its charts, and downloading it in any format:
/// the page of `GET /v1/reports/termly`, through the same report engine (`ServiceDependencies.reports`)
/// and the same rule for the audience: the person's role decides it (`ReportAudience.for`), so a
/// governor reads the governors' report, with no pupil's name in it (docs/methodology.md §7.6).
struct WebReportPages: Sendable {
    let web: WebPages

    func register(on router: Router<GapTrackRequestContext>) {
        router.get("reports") { request, context in try await web.page(request, context) { try await reports(request, context) } }
        router.get("reports/termly") { request, context in try await web.page(request, context) { try await termly(request, context) } }
        router.get("reports/impact") { request, context in try await web.page(request, context) { try await impact(request, context) } }
    }

    /// The formats a report downloads in, with the renderer of each.
    enum Download: String, CaseIterable {
        case html, csv, json, markdown, text

        var label: String {
            switch self {
            case .html: "HTML page (with charts)"
            case .csv: "CSV (for a spreadsheet)"
            case .json: "JSON"
            case .markdown: "Markdown"
            case .text: "Plain text table"
            }
        }

        var contentType: String {
            switch self {
            case .html: "text/html; charset=utf-8"
            case .csv: "text/csv; charset=utf-8"
            case .json: "application/json; charset=utf-8"
            case .markdown: "text/markdown; charset=utf-8"
            case .text: "text/plain; charset=utf-8"
            }
        }

        var fileExtension: String { self == .text ? "txt" : self == .markdown ? "md" : rawValue }

        func render(_ report: ImpactReport) throws -> String {
            switch self {
            case .html: ImpactHTMLRenderer.render(report)
            case .csv: ImpactCSVRenderer.render(report)
            case .json: try ImpactJSONRenderer.render(report)
            case .markdown: ImpactMarkdownRenderer.render(report)
            case .text: ImpactTerminalRenderer.render(report)
            }
        }

        func render(_ report: TermlyGapReport) throws -> String {
            switch self {
            case .html: HTMLReportRenderer.render(report)
            case .csv: CSVReportRenderer.render(report)
            case .json: try JSONReportRenderer.render(report)
            case .markdown: MarkdownReportRenderer.render(report)
            case .text: TerminalReportRenderer.render(report)
            }
        }
    }

    func audienceText(_ role: APIRole) -> String {
        ReportAudience.for(role) == .governors
            ? "You read reports as a governor: small groups, and whatever would reveal them, are shown as c, and no pupil is named."
            : "You read reports as staff: the true figures, with groups under 10 marked as needing care, and the pupils behind them."
    }

    func reports(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let visitor = try await web.visitor(request, context)
        return formPage(visitor, cohort: "", term: "", problems: [], report: nil, status: .ok)
    }

    /// The impact form's fields as given, shown again with the report or its problems.
    struct ImpactFields {
        var type = "", cohort = "", before = "", after = ""

        init(_ query: FormBody? = nil) {
            guard let query else { return }
            type = String((query.value("type") ?? "").prefix(60))
            cohort = String((query.value("cohort") ?? "").prefix(60))
            before = String((query.value("before") ?? "").prefix(100))
            after = String((query.value("after") ?? "").prefix(100))
        }

        var context: [String: Any] {
            ["impactType": type, "impactCohort": cohort, "impactBefore": before, "impactAfter": after]
        }
    }

    func formPage(
        _ visitor: WebPages.Visitor, cohort: String, term: String, problems: [FieldProblem], report: (html: String, query: String)?,
        status: HTTPResponse.Status, impact: ImpactFields = ImpactFields(), path: String = "/reports/termly"
    ) -> Response {
        var page: [String: Any] = [
            "audienceText": audienceText(visitor.principal.role), "cohort": cohort, "term": term,
            "hasErrors": !problems.isEmpty, "errors": problems.map { ["field": $0.field, "message": $0.message] },
            "cohortError": problems.first(where: { $0.field == "cohort" })?.message ?? false,
            "termError": problems.first(where: { $0.field == "term" })?.message ?? false,
            "hasReport": report != nil,
        ].merging(impact.context) { first, _ in first }
        for field in ["impactType", "impactBefore", "impactAfter"] {
            page[field + "Error"] = problems.first(where: { $0.field == field })?.message ?? false
        }
        if let report {
            let parts = PageRenderer.embeddable(reportPage: report.html)
            page["report"] = parts.body
            page["extraStyle"] = parts.style
            page["downloads"] = Download.allCases.map { ["href": "\(path)?\(report.query)&format=\($0.rawValue)", "label": $0.label] }
        }
        return web.html(
            "reports", title: problems.isEmpty ? "Reports" : "Error: reports", visitor: visitor, status: status, current: "/reports", context: page)
    }

    func termly(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let visitor = try await web.visitor(request, context)
        let query = WebPages.query(request)
        let cohortText = String((query.value("cohort") ?? "").prefix(60))
        let termText = String((query.value("term") ?? "").prefix(30))
        var problems: [FieldProblem] = []
        var cohort: CohortCode?
        var term: AcademicTerm?
        do { cohort = try CohortCode(parsing: cohortText) } catch {
            problems.append(FieldProblem(field: "cohort", value: nil, message: cohortText.isEmpty ? "Enter a cohort, for example year-11" : "\(error)"))
        }
        do { term = try AcademicTerm(parsing: termText) } catch {
            problems.append(FieldProblem(field: "term", value: nil, message: termText.isEmpty ? "Enter a term, for example 2024/25-spring" : "\(error)"))
        }
        let download = query.value("format").flatMap(Download.init(rawValue:))
        guard let cohort, let term, problems.isEmpty else {
            return formPage(visitor, cohort: cohortText, term: termText, problems: problems, report: nil, status: .unprocessableContent)
        }
        let principal = visitor.principal
        let source = web.dependencies.reports
        let reportRequest = TermlyReportRequest(
            providerID: principal.providerID, providerCode: principal.providerCode, cohort: cohort, term: term, audience: .for(principal.role))
        let outcome = try await web.run(as: visitor, context, isolation: .repeatableRead) { connection in try source(connection, reportRequest) }
        let reportQuery = "cohort=\(URLText.query(cohort.description))&term=\(URLText.query(termText))"
        switch outcome {
        case .notFound(let message):
            return formPage(visitor, cohort: cohortText, term: termText, problems: [FieldProblem(field: "cohort", value: nil, message: message)],
                            report: nil, status: .notFound)
        case .report(let json):
            return Self.file(json, type: .json, name: "termly-report")
        case .built(let report):
            if let download {
                return Self.file(try download.render(report), type: download, name: "termly-\(cohort.description)-\(termText.replacingOccurrences(of: "/", with: "-"))")
            }
            return formPage(visitor, cohort: cohortText, term: termText, problems: [], report: (HTMLReportRenderer.render(report), reportQuery), status: .ok)
        }
    }

    static func file(_ text: String, type: Download, name: String) -> Response {
        var headers = WebPages.pageHeaders
        headers[.contentType] = type.contentType
        headers[.contentDisposition] = "attachment; filename=\"\(name).\(type.fileExtension)\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// GET /reports/impact?type=tutoring&cohort=year-11&before=maths@2024/25-autumn&after=maths@2024/25-summer:
    /// the impact report `gaptrack report impact` prints, for the person's audience; its queries run as
    /// `gaptrack_report`, as the termly report's do, so that the role changes no figure.
    func impact(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let visitor = try await web.visitor(request, context)
        let query = WebPages.query(request)
        let fields = ImpactFields(query)
        var problems: [FieldProblem] = []
        var type: InterventionType?
        do { type = try InterventionType.parse(fields.type) } catch {
            problems.append(FieldProblem(field: "impactType", value: nil, message: fields.type.isEmpty ? "Enter the type of support, for example tutoring" : error.description))
        }
        func point(_ text: String, _ field: String, _ example: String) -> AssessmentPointSelector? {
            do { return try AssessmentPointSelector(parsing: text) } catch {
                problems.append(FieldProblem(field: field, value: nil, message: text.isEmpty ? "Enter the assessment, for example \(example)" : error.description))
                return nil
            }
        }
        let before = point(fields.before, "impactBefore", "maths@2024/25-autumn")
        let after = point(fields.after, "impactAfter", "maths@2024/25-summer")
        var cohort: CohortCode?
        if !fields.cohort.isEmpty {
            do { cohort = try CohortCode(parsing: fields.cohort) } catch {
                problems.append(FieldProblem(field: "impactCohort", value: nil, message: "\(error)"))
            }
        }
        guard let type, let before, let after, problems.isEmpty else {
            return formPage(visitor, cohort: "", term: "", problems: problems, report: nil, status: .unprocessableContent, impact: fields)
        }
        let principal = visitor.principal
        let impactRequest = ImpactRequest(
            providerCode: principal.providerCode, intervention: .type(type), before: before, after: after, cohort: cohort)
        let audience = ReportAudience.for(principal.role)
        let outcome = try await web.run(as: visitor, context, isolation: .repeatableRead) { connection -> Result<ImpactReport, ImpactError> in
            do {
                return .success(try ReportReadingRole.run(on: connection) {
                    try TermlyReportQueries(connection: connection).impactReport(impactRequest, audience: audience)
                })
            } catch let error as ImpactError {
                return .failure(error)
            }
        }
        switch outcome {
        case .failure(let error):
            return formPage(visitor, cohort: "", term: "", problems: [FieldProblem(field: "impactType", value: nil, message: error.description)],
                            report: nil, status: .unprocessableContent, impact: fields)
        case .success(let report):
            if let download = query.value("format").flatMap(Download.init(rawValue:)) {
                return Self.file(try download.render(report), type: download, name: "impact-\(type.rawValue)")
            }
            let reportQuery = ["type", "cohort", "before", "after"].compactMap { name in
                query.value(name).map { "\(name)=\(URLText.query($0))" }
            }.joined(separator: "&")
            return formPage(visitor, cohort: "", term: "", problems: [], report: (ImpactHTMLRenderer.render(report), reportQuery), status: .ok,
                            impact: fields, path: "/reports/impact")
        }
    }
}
