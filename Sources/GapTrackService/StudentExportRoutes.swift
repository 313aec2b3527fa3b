import Foundation
import GapTrackReports
import GapTrackStore
import Hummingbird

/// GET /v1/students/{student}/export: everything held on one student (UK GDPR Art. 15), for the
/// data leads who answer subject access requests (docs/data-protection.md §5); recorded in the
/// audit log with the token that asked.
struct StudentExportRoutes: Sendable {
    let dependencies: ServiceDependencies

    func register(on group: RouterGroup<GapTrackRequestContext>) {
        group.get("students/{student}/export") { request, context in try await export(request, context) }
    }

    func export(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let caller = try context.caller()
        try caller.require(.exportStudent)
        let query = QueryReader(request.uri.queryParameters, allowed: ["format"])
        try query.rejectUnknown()
        let html = try query.parsed("format", expected: "json or html") { text -> Bool in
            guard text == "json" || text == "html" else { throw CocoaError(.formatting) }
            return text == "html"
        } ?? false
        let identifier = StudentIdentifier(try pathParameter("student", context))
        let found = try await dependencies.database.run(as: caller, context: context) { connection -> Result<Data, APIError> in
            let lookup = try Students(connection: connection).lookUp(identifier, providerID: caller.providerID)
            guard let studentID = lookup.studentID else { return .failure(.notFound(lookup.problem(identifier.value) ?? identifier.value)) }
            return .success(try StudentRecords(connection: connection).subjectAccessInService(studentID: studentID, format: html ? "html" : "json"))
        }
        let document = try found.get()
        if html {
            let page = try SubjectAccessPage.render(json: document)
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: document)))
    }
}
