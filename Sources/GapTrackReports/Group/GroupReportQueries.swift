import GapTrackDomain
import GapTrackStore
import Postgres

/// Gathers a group report: the group's members (`ProviderGroups`), then each member's termly
/// report data exactly as its own report reads it (`TermlyReportQueries`, through the report
/// cache when the caller asks for it), then builds and shapes (`GroupReportBuilder`,
/// `GroupReportShaping`).
public struct GroupReportQueries {
    public let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// The report as the owner reads it (the command line).
    /// - Throws: `ProviderGroupError` for an unknown group or one without members;
    ///   `GroupReportShaping.ShapingError`; `PostgresError`.
    public func report(group code: ProviderGroupCode, cohort: CohortCode, term: AcademicTerm, audience: ReportAudience) throws -> GroupGapReport {
        let groups = ProviderGroups(connection: connection)
        let group = try groups.require(code: code)
        let members = try groups.members(groupID: group.id)
        guard !members.isEmpty else { throw ProviderGroupError.noMembers(code.value) }
        let data = try members.map { try Self.memberData($0, cohort: cohort, term: term, on: connection) }
        return try Self.assemble(group: group, cohort: cohort, term: term, members: data, audience: audience)
    }

    /// One member's data, or why it has none (a term without enrolments, a cohort without pupils).
    public static func memberData(
        _ member: ProviderGroups.Member, cohort: CohortCode, term: AcademicTerm, on connection: PostgresConnection
    ) throws -> GroupMemberData {
        do {
            let data = try TermlyReportQueries(connection: connection).data(provider: member.code, cohort: cohort, term: term)
            return GroupMemberData(code: member.code.value, name: member.name, data: data)
        } catch let error as TermlyReportError {
            return GroupMemberData(code: member.code.value, name: member.name, missing: error.description)
        }
    }

    public static func assemble(
        group: ProviderGroups.Group, cohort: CohortCode, term: AcademicTerm, members: [GroupMemberData], audience: ReportAudience,
        builder: GroupReportBuilder = GroupReportBuilder()
    ) throws -> GroupGapReport {
        let header = ReportProviderGroup(code: group.code.value, name: group.name, kind: group.kind.rawValue)
        let report = builder.build(group: header, cohort: cohort, term: term, members: members)
        return try GroupReportShaping(threshold: builder.rule.threshold).shape(
            report, for: audience, ownReports: audience.suppresses ? ownReports(members, audience: audience, builder: builder) : [:])
    }

    /// Each member's own report for `audience` (the gap report, without impact sections), as its
    /// governors read it: what the group report must agree with (docs/disclosure-control.md §7.7).
    static func ownReports(_ members: [GroupMemberData], audience: ReportAudience, builder: GroupReportBuilder) -> [String: TermlyGapReport] {
        let termly = TermlyGapReportBuilder(rule: builder.rule)
        var reports: [String: TermlyGapReport] = [:]
        for member in members {
            // A member whose own report cannot be published for the audience constrains nothing.
            guard let data = member.data,
                  let own = try? TermlyReportShaping(threshold: builder.rule.threshold).shape(termly.build(data), data: data, for: audience)
            else { continue }
            reports[member.code] = own
        }
        return reports
    }
}
