import GapTrackDomain
import GapTrackReports
import GapTrackStore
import Hummingbird
import Postgres

/// GET /v1/reports/group?cohort=year-11&term=2024/25-summer: the group report (docs/methodology.md
/// §7.10) for a group token, as JSON (the default) or HTML. Each member's data is read in a
/// transaction of its own bound to that member (`ScopedSession` with the group: the binding is
/// refused for a provider outside the group), as the report role, so every figure equals the
/// member's own report's; the token's role decides the audience, as for the termly report.
/// A group token also reads one member's termly report: GET /v1/reports/termly?provider=CODE&...
struct GroupReportRoute: Sendable {
    let dependencies: ServiceDependencies

    func register(on group: RouterGroup<GapTrackRequestContext>) {
        group.get("reports/group") { request, context in try await report(request, context) }
    }

    /// The group's members, looked up by the service's login (`gaptrack_group_members`).
    private func members(of groupID: Int, _ context: GapTrackRequestContext) async throws -> [ProviderGroups.Member] {
        do {
            return try await dependencies.pool.run { connection in try ProviderGroups(connection: connection).members(groupID: groupID) }
        } catch let error as DatabasePoolError {
            throw APIError.fromPool(error)
        } catch let error as PostgresError {
            throw APIError.from(error, reference: context.id)
        }
    }

    /// The caller a report route runs as: a provider token as it is; a group token bound to the
    /// member named by `?provider=`, which must be one of its group's.
    func reportCaller(_ request: Request, _ context: GapTrackRequestContext) async throws -> Principal {
        let caller = try context.caller()
        let query = QueryReader(request.uri.queryParameters, allowed: [])
        guard let group = caller.group else {
            if let named = query.text("provider"), named != caller.providerCode.value {
                throw APIError.badQuery(parameter: "provider", value: named, expected: "nothing: a provider's token reads its own provider's reports")
            }
            return caller
        }
        let members = try await members(of: group.id, context)
        let codes = members.map(\.code.value)
        guard let named = query.text("provider") else {
            throw APIError.badQuery(parameter: "provider", value: "", expected: "a member of \(group.code): \(codes.joined(separator: ", "))")
        }
        guard let member = members.first(where: { $0.code.value == named.lowercased() }) else {
            throw APIError.notFound(ProviderGroupError.notAMember(provider: named, group: group.code.value, members: codes).description)
        }
        return caller.member(member)
    }

    func report(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let caller = try context.caller()
        try caller.require(.readGroupReport)
        guard let group = caller.group else { throw APIError.forbidden("a group report needs a group token") }
        let query = QueryReader(request.uri.queryParameters, allowed: ["cohort", "term", "format"])
        try query.rejectUnknown()
        let format = try ReportDocumentFormat.requested(query, accept: request.headers[.accept], offered: [.json, .html])
        let cohortHelp = "a cohort such as year-11"
        guard let cohort = try query.parsed("cohort", expected: cohortHelp, { try CohortCode(parsing: $0) }) else {
            throw APIError.badQuery(parameter: "cohort", value: "", expected: cohortHelp)
        }
        guard let term = try query.parsed("term", expected: "a term such as 2024/25-summer", { try AcademicTerm(parsing: $0) }) else {
            throw APIError.badQuery(parameter: "term", value: "", expected: "a term such as 2024/25-summer")
        }
        let members = try await members(of: group.id, context)
        guard !members.isEmpty else { throw APIError.notFound(ProviderGroupError.noMembers(group.code.value).description) }
        var data: [GroupMemberData] = []
        for member in members {
            data.append(try await dependencies.database.run(as: caller.member(member), context: context, isolation: .repeatableRead) { connection in
                try ReportReadingRole.run(on: connection) {
                    try GroupReportQueries.memberData(member, cohort: cohort, term: term, on: connection)
                }
            })
        }
        let header = try await dependencies.database.run(as: caller.member(members[0]), context: context) { connection in
            try ProviderGroups(connection: connection).header(groupID: group.id)
        }
        let report: GroupGapReport
        do {
            report = try GroupReportQueries.assemble(group: header, cohort: cohort, term: term, members: data, audience: .for(caller.role))
        } catch let error as GroupReportShaping.ShapingError {
            throw APIError.forbidden(error.description)
        }
        switch format {
        case .html: return format.response(Array(try GroupReportRenderer.render(report, format: .html).utf8))
        default: return ReportDocumentFormat.json.response(Array(try GroupReportRenderer.json(report).utf8))
        }
    }
}
