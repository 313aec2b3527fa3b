import GapTrackDomain
import Postgres

/// The rules a support record's fields must meet, whichever door it comes in by: `import
/// support` and the API's POST and PATCH read their fields through here, so the same bad value
/// gets the same message from each (docs/methodology.md §6).
///
/// Types and funding sources come from the provider's catalogue (the shared codes and its own,
/// docs/import-formats.md "A provider's own catalogue"), so its own additions are accepted at
/// every door and another provider's are refused at every door; the domain's friendly spellings ("1:1 tuition", "PP") are
/// accepted for the built-in ones.
public struct SupportRecordRules: Sendable {
    public let types: [String]
    public let fundingSources: [String]
    /// The provider's assessment points, which a target, entry or exit assessment must name.
    public let assessmentPoints: [AssessmentPointName]

    public init(types: [String], fundingSources: [String], assessmentPoints: [AssessmentPointName] = []) {
        self.types = types
        self.fundingSources = fundingSources
        self.assessmentPoints = assessmentPoints
    }

    /// The catalogues a provider may use as the database holds them now: the shared codes and
    /// the provider's own (`SupportCatalogue`), read through the one lookup every door uses.
    public static func load(_ connection: PostgresConnection, providerID: Int) throws -> SupportRecordRules {
        // Both in one round trip: every API write of a support record starts here.
        let answers = try connection.pipeline([
            PipelinedStatement(SupportCatalogue.listSQL, [providerID]), PipelinedStatement(SupportTargets.assessmentPointsSQL, [providerID]),
        ])
        let entries = try SupportCatalogue.entries(answers[0])
        return SupportRecordRules(types: entries.filter { $0.kind == .supportType }.map(\.code).sorted(),
                                  fundingSources: entries.filter { $0.kind == .fundingSource }.map(\.code).sorted(),
                                  assessmentPoints: try SupportTargets.assessmentPoints(answers[1]))
    }

    public func type(_ text: String) throws(FieldProblem) -> String {
        try Self.catalogueCode(text, codes: types, friendly: { try? InterventionType.parse($0).rawValue }, what: "an intervention type")
    }

    public func fundingSource(_ text: String) throws(FieldProblem) -> String {
        try Self.catalogueCode(text, codes: fundingSources, friendly: { try? FundingSource.parse($0).rawValue }, what: "a funding source")
    }

    private static func catalogueCode(_ text: String, codes: [String], friendly: (String) -> String?, what: String) throws(FieldProblem) -> String {
        let key = ColumnMapping.key(text)
        if let code = codes.first(where: { ColumnMapping.key($0) == key }) { return code }
        if let code = friendly(text), codes.contains(code) { return code }
        throw FieldProblem("'\(text)' is not \(what); expected one of: \(codes.joined(separator: ", "))")
    }

    public static func status(_ text: String) throws(FieldProblem) -> SupportStatus {
        do { return try SupportStatus.parse(text) } catch { throw FieldProblem(String(describing: error)) }
    }

    public static func date(_ text: String) throws(FieldProblem) -> CalendarDate { try FieldParsers.date(text) }

    /// Hours as exact decimal text for the database's numeric(8, 2).
    public static func hours(_ text: String) throws(FieldProblem) -> String { try FieldParsers.hours(text) }

    public static func sessions(_ text: String) throws(FieldProblem) -> Int { try FieldParsers.count(text) }

    /// The type's own maximum is the column's (`PoundsAndPence.maximumPence`), so an amount too
    /// large is named as the field it came in, not reported by the database as an overflow.
    public static func amount(_ text: String) throws(FieldProblem) -> PoundsAndPence {
        do { return try PoundsAndPence(parsing: text) } catch { throw FieldProblem(String(describing: error)) }
    }

    /// An end or review date may not come before the start; `text` is the date as it was sent.
    public static func notBeforeStart(_ date: CalendarDate, text: String, start: CalendarDate) throws(FieldProblem) {
        if date < start { throw FieldProblem("'\(text)' is before the start date \(start.ukString)") }
    }
}
