import Foundation
import GapTrackDomain
import GapTrackStore
import Hummingbird

/// GET /v1/audit: the admin's own provider's audit entries, newest first (row-level security
/// on audit_log lets an admin session read its provider's entries and nothing else).
struct AuditRoutes: Sendable {
    let dependencies: ServiceDependencies

    struct Page: Codable, Sendable {
        let entries: [AuditEntries.Entry]
        let nextBeforeID: Int?

        enum CodingKeys: String, CodingKey {
            case entries
            case nextBeforeID = "next_before_id"
        }
    }

    func register(on group: RouterGroup<GapTrackRequestContext>) {
        group.get("audit") { request, context in try await list(request, context) }
    }

    func list(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let caller = try context.caller()
        try caller.require(.readAudit)
        let query = QueryReader(request.uri.queryParameters, allowed: ["table", "before_id", "limit"])
        try query.rejectUnknown()
        let filter = AuditEntries.Filter(
            providerCode: caller.providerCode, table: query.text("table"), beforeID: try query.integer("before_id", in: 1...Int(Int64.max)),
            limit: try query.integer("limit", in: 1...500) ?? 100)
        let entries = try await dependencies.database.run(as: caller, context: context) { connection in
            try AuditEntries(connection: connection).entries(filter)
        }
        return try JSONResponse.make(Page(entries: entries, nextBeforeID: entries.count == filter.limit ? entries.last?.auditID : nil))
    }
}
