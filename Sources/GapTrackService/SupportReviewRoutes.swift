import Foundation
import GapTrackDomain
import GapTrackStore
import Hummingbird

/// /v1/support-records/{id}/reviews: the reviews of one intervention (docs/methodology.md §6.6).
/// Pupil-level notes, so only the roles that read support records (not governors) see them.
struct SupportReviewRoutes: Sendable {
    let dependencies: ServiceDependencies

    func register(on group: RouterGroup<GapTrackRequestContext>) {
        group.post("support-records/{id}/reviews") { request, context in try await add(request, context) }
        group.get("support-records/{id}/reviews") { request, context in try await list(request, context) }
    }

    struct Listing: Codable, Sendable {
        let reviews: [SupportReview]
    }

    func add(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let caller = try context.caller()
        try caller.require(.recordSupport)
        let id = try SupportRecordRoutes.recordID(context)
        var fields = FieldReader(try await dependencies.bodies.object(from: request, fields: Set(SupportReviewRules.fields)))
        let review = Self.readReview(&fields)
        try fields.finish()
        guard let review else { throw APIError.invalidFields([]) }
        let outcome = try await dependencies.database.run(as: caller, context: context) { connection in
            try SupportReviews(connection: connection, providerID: caller.providerID).add(supportID: id, review)
        }
        switch outcome {
        case .added(let added):
            return try JSONResponse.make(added, status: .created, location: "/v1/support-records/\(id)/reviews")
        case .noSuchRecord:
            throw SupportRecordRoutes.noSuchRecord(id)
        case .beforeStart(let start):
            throw APIError.invalidFields([FieldProblem(
                field: "date", value: review.date.isoString, message: "'\(review.date.isoString)' is before the record's start date \(start)")])
        case .duplicate:
            throw APIError.conflict("\(review.reviewer) has already reviewed support record \(id) on \(review.date.isoString)")
        }
    }

    /// Reads a review's fields by the rules the command line uses (`SupportReviewRules`).
    static func readReview(_ fields: inout FieldReader) -> NewSupportReview? {
        let date = fields.checked("date", required: true, SupportReviewRules.date)
        let reviewer = fields.checked("reviewer", required: true) { (text: String) throws(FieldProblem) in try SupportReviewRules.text("reviewer", text) }
        let note = fields.checked("progress_note", required: true) { (text: String) throws(FieldProblem) in
            try SupportReviewRules.text("progress_note", text)
        }
        let entry = fields.checked("entry_result") { (text: String) throws(FieldProblem) in try SupportReviewRules.text("entry_result", text) }
        let exit = fields.checked("exit_result") { (text: String) throws(FieldProblem) in try SupportReviewRules.text("exit_result", text) }
        guard let date, let reviewer, let note else { return nil }
        return NewSupportReview(date: date, reviewer: reviewer, progressNote: note, entryResult: entry, exitResult: exit)
    }

    func list(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let caller = try context.caller()
        try caller.require(.readSupport)
        let id = try SupportRecordRoutes.recordID(context)
        let reviews = try await dependencies.database.run(as: caller, context: context) { connection in
            try SupportReviews(connection: connection, providerID: caller.providerID).list(supportID: id)
        }
        guard let reviews else { throw SupportRecordRoutes.noSuchRecord(id) }
        return try JSONResponse.make(Listing(reviews: reviews))
    }
}
