import DisclosureControl
import GapTrackDomain
@testable import GapTrackReports
import Postgres
import TestDatabase
import Testing

/// A governors' `report impact` set beside the governors' termly report of its exit term
/// (docs/disclosure-control.md §7.8): a type's participants and spend are that type's row of the
/// termly report's support table. Shaped on its own, an impact report prints a row the termly
/// report withholds to protect a small type, and a reader of both recovers the small type as the
/// total less the rest. Real PostgreSQL, a planted school.
@Suite struct StandaloneImpactDifferencingTests {
    static let before = try! AssessmentPointSelector(parsing: "maths@2024/25-autumn")
    static let after = try! AssessmentPointSelector(parsing: "maths@2024/25-summer")

    /// The planted school (120 pupils of year 8, seed 17) with its summer support, as `code`.
    static func plantedSchool(code: String, urn: Int, on connection: PostgresConnection) throws -> TermlyReportQueries {
        try ImpactFixture.load(ImpactFixture.school(count: 120, seed: 17, effect: 0.3), code: code, urn: urn, on: connection)
        try plantSummerSupport(code: code, on: connection)
        return TermlyReportQueries(connection: connection)
    }

    /// Summer-term support of three types for year 8, all paid from one fund: mentoring for 30
    /// pupils at £40, enrichment for 15 at £25, and language support for 4 at £90, the small
    /// type. The termly report withholds language support's row, and one more row so that the
    /// total does not give it away.
    static func plantSummerSupport(code: String, on connection: PostgresConnection) throws {
        try connection.query(
            """
            INSERT INTO support_records (student_id, provider_id, reference, type, starts_on, ends_on, sessions, hours, amount, funding_source, status)
            SELECT s.student_id, s.provider_id, 'SUMMER-' || s.institution_id, x.type, DATE '2025-05-06', DATE '2025-06-27', 6, 6,
                   x.pounds, 'pupil_premium', 'ended'
            FROM (SELECT st.*, row_number() OVER (ORDER BY st.institution_id) AS n
                  FROM students st JOIN providers p ON p.provider_id = st.provider_id WHERE p.code = $1) s
            JOIN LATERAL (SELECT CASE WHEN s.n <= 30 THEN 'mentoring' WHEN s.n <= 45 THEN 'enrichment' WHEN s.n <= 49 THEN 'language_support' END AS type,
                                 CASE WHEN s.n <= 30 THEN 40 WHEN s.n <= 45 THEN 25 ELSE 90 END AS pounds) x ON x.type IS NOT NULL
            """, [code])
    }

    /// The termly report's printed tables with `impact` as one more section beside its own: what
    /// a reader of both holds.
    static func attack(
        _ impact: ImpactReport, _ impactData: ImpactData, beside termly: (report: TermlyGapReport, data: TermlyReportData, impact: [ImpactData])
    ) throws -> DisclosureAudit {
        var both = termly.report
        both.impact.insert(impact, at: termly.impact.count)
        return try DisclosureAuditor().audit(try TermlyReportTables.published(both, data: termly.data, impact: termly.impact + [impactData]))
    }

    @Test func aTypesImpactReportPrintsWhatTheTermlyReportWithholdsOnlyWhenShapedBesideIt() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let queries = try Self.plantedSchool(code: "beside", urn: 100_171, on: connection)
            let termly = try queries.shapedReport(provider: "beside", cohort: "year-8", term: "2024/25-summer", impact: .automatic, audience: .governors)
            let support = termly.report.support.byType
            let language = try #require(support.first { $0.type == "language_support" })
            #expect(language.spend.isSuppressed, "4 pupils' spend is withheld")

            var leaked: [InterventionType] = []
            for type in [InterventionType.mentoring, .enrichment] {
                let request = ImpactRequest(providerCode: "beside", intervention: .type(type), before: Self.before, after: Self.after, cohort: "year-8")
                let data = try ImpactQueries.load(request, on: connection)
                #expect(data.spend.total.students == (type == .mentoring ? 30 : 15))
                // Shaped on its own, as every impact report was.
                let alone = ImpactReportBuilder(audience: .governors).build(data)
                if try !Self.attack(alone, data, beside: termly).passes { leaked.append(type) }
                // Shaped beside the termly report: nothing recoverable from both.
                let shaped = try queries.impactReport(request, audience: .governors)
                let audit = try Self.attack(shaped, data, beside: termly)
                #expect(audit.passes, "\(type): \(audit.findings.map(\.description))")
                // The row the termly report prints is printed the same; the one it withholds is withheld.
                let row = try #require(support.first { $0.type == type.rawValue })
                #expect(shaped.spend.total.spend.isSuppressed == row.spend.isSuppressed, "\(type)")
                // The same bytes again, and staff read every figure.
                #expect(try queries.impactReport(request, audience: .governors) == shaped)
                let staff = try queries.impactReport(request, audience: .staff)
                #expect(staff.spend.total.spend == .value(data.spend.total.spend))
            }
            // Either mentoring's or enrichment's row protects language support in the termly report, and
            // the impact report of that type, shaped on its own, printed it.
            #expect(!leaked.isEmpty, "the impact reports shaped on their own leak nothing: the planted school no longer tests the tie")
        }
    }

    /// The termly report's own tables print the same whichever impact sections come with them:
    /// none (the service's report), the automatic ones (the command line's, the pack's), or
    /// sections asked for; so no two of them can be set against each other.
    @Test func theTermlyReportsOwnTablesPrintTheSameWithAnySections() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let queries = try Self.plantedSchool(code: "same", urn: 100_173, on: connection)
            let requested = try [InterventionType.mentoring, .enrichment, .languageSupport].map {
                try ImpactRequest.TermlySection(parsing: "\($0.rawValue),maths@2024/25-autumn,maths@2024/25-summer")
            }
            for audience in [ReportAudience.governors, .public] {
                let reports = try [TermlyImpactSections.none, .automatic, .requested(requested)].map {
                    try queries.shapedReport(provider: "same", cohort: "year-8", term: "2024/25-summer", impact: $0, audience: audience)
                }
                #expect(reports[2].impact.count == 3, "the sections asked for are made")
                for report in reports.dropFirst() {
                    #expect(report.report.support == reports[0].report.support, "\(audience)")
                    #expect(report.report.groupSizes == reports[0].report.groupSizes)
                    #expect(report.report.attainment == reports[0].report.attainment)
                    #expect(report.report.attendance == reports[0].report.attendance)
                    let audit = try DisclosureAuditor().audit(try TermlyReportTables.published(report.report, data: report.data, impact: report.impact))
                    #expect(audit.passes, "\(audience): \(audit.findings.map(\.description))")
                }
                #expect(reports[0].report.support.byType.contains { $0.type == "language_support" && $0.spend.isSuppressed })
            }
        }
    }

    /// An impact report that is one of the termly report's own sections is printed as that
    /// section, byte for byte.
    @Test func aSectionOfTheTermlyReportIsPrintedAsTheTermlyReportPrintsIt() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try ImpactFixture.loadTutoringInMaths(code: "section", urn: 100_172, on: connection)
            let queries = TermlyReportQueries(connection: connection)
            let termly = try queries.shapedReport(provider: "section", cohort: "year-8", term: "2024/25-summer", impact: .automatic, audience: .governors)
            let data = try #require(termly.impact.first)
            // The request `gaptrack report impact` makes for the same type, target and assessments.
            let request = try #require(termly.data.impactCandidates.first?.request(providerCode: "section", cohort: "year-8"))
            try #require(try ImpactQueries.load(request, on: connection) == data, "the request is the section's")
            #expect(try queries.impactReport(request, audience: .governors) == termly.report.impact.first)
        }
    }
}
