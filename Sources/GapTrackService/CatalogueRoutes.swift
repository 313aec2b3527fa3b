import Foundation
import GapTrackDomain
import GapTrackStore
import Hummingbird

/// GET and POST /v1/catalogue/support-types and /v1/catalogue/funding-sources: the codes a
/// provider's support records may give, and its own additions, with the roles of support records
/// (docs/import-formats.md, "A provider's own catalogue"). The same checks and messages as
/// `gaptrack catalogue add`.
struct CatalogueRoutes: Sendable {
    let dependencies: ServiceDependencies

    static let addFields: Set<String> = ["code", "name", "is_financial"]

    struct Listing: Encodable, Sendable {
        let entries: [CatalogueEntry]
    }

    func register(on group: RouterGroup<GapTrackRequestContext>) {
        group.get("catalogue/{kind}") { request, context in try await list(request, context) }
        group.post("catalogue/{kind}") { request, context in try await add(request, context) }
    }

    func list(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let caller = try context.caller()
        try caller.require(.readSupport)
        let kind = try Self.kind(context)
        let entries = try await dependencies.database.run(as: caller, context: context) { connection in
            try SupportCatalogue(connection: connection).list(providerID: caller.providerID).filter { $0.kind == kind }
        }
        return try JSONResponse.make(Listing(entries: entries))
    }

    func add(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let caller = try context.caller()
        try caller.require(.recordSupport)
        let kind = try Self.kind(context)
        var fields = FieldReader(try await dependencies.bodies.object(from: request, fields: Self.addFields))
        let code = fields.checked("code", required: true) { (text: String) throws(FieldProblem) in
            do { return try SupportCatalogue.code(text) } catch { throw FieldProblem(field: "code", value: text, message: String(describing: error)) }
        }
        let name = fields.checked("name", required: true) { (text: String) throws(FieldProblem) in
            do { return try SupportCatalogue.name(text) } catch { throw FieldProblem(field: "name", value: text, message: String(describing: error)) }
        }
        let isFinancial = fields.bool("is_financial")
        if isFinancial != nil && kind == .fundingSource {
            fields.report("is_financial", nil, "is for support types only")
        }
        try fields.finish()
        guard let code, let name else { throw APIError.invalidFields([]) }
        let outcome = try await dependencies.database.run(as: caller, context: context) { connection -> Result<CatalogueEntry, APIError> in
            do {
                return .success(try SupportCatalogue(connection: connection).add(
                    providerID: caller.providerID, kind: kind, code: code, name: name, isFinancial: isFinancial ?? false))
            } catch let error as CatalogueError {
                return .failure(.conflict(error.description))
            }
        }
        return try JSONResponse.make(try outcome.get(), status: .created)
    }

    static func kind(_ context: GapTrackRequestContext) throws(APIError) -> CatalogueKind {
        let text = try pathParameter("kind", context)
        do { return try CatalogueKind(parsing: text) } catch {
            throw .notFound("there is no catalogue '\(TextLimit.quoted(text))'; the catalogues are support-types and funding-sources")
        }
    }
}
