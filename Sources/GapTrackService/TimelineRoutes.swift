import Foundation
import GapTrackStore
import Hummingbird

/// GET /v1/students/{student}/timeline: one student's markers, attendance by term, assessment
/// results and support (`StudentTimelines`), for the people who work with them.
struct TimelineRoutes: Sendable {
    let dependencies: ServiceDependencies

    func register(on group: RouterGroup<GapTrackRequestContext>) {
        group.get("students/{student}/timeline") { request, context in try await timeline(request, context) }
    }

    func timeline(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let caller = try context.caller()
        try caller.require(.readTimeline)
        let identifier = StudentIdentifier(try pathParameter("student", context))
        let found = try await dependencies.database.run(as: caller, context: context) { connection -> Result<StudentTimelines.Timeline, APIError> in
            let lookup = try Students(connection: connection).lookUp(identifier, providerID: caller.providerID)
            guard let studentID = lookup.studentID else { return .failure(.notFound(lookup.problem(identifier.value) ?? identifier.value)) }
            return .success(try StudentTimelines(connection: connection, providerID: caller.providerID).timeline(of: studentID))
        }
        return try JSONResponse.make(try found.get())
    }
}
