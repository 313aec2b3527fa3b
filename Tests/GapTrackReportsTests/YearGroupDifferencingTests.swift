import DisclosureControl
import Foundation
import GapTrackDomain
@testable import GapTrackReports
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// A whole school's governors' report beside each year group's own (docs/disclosure-control.md
/// §7.7): the whole minus the year groups printed gives the one withheld back.
@Suite("Whole school against its year groups' own reports", .serialized)
struct YearGroupDifferencingTests {
    static let term: AcademicTerm = "2024/25-autumn"
    static let provider = try! ProviderCode(parsing: "synthetic-school")

    /// 240 pupils, 15 of them with English as an additional language: 12 in year 10 (printed in
    /// its report) and 3 in year 11 (withheld in its report). The whole school's 15 is printed too.
    static func load(_ connection: PostgresConnection) throws {
        var school = PlantedSchool.make(count: 240, seed: 43, lookedAfterNotFSM: 0, singleFundPupils: 0)
        for i in school.students.indices { school.students[i].eal = i < 15 }
        try school.load(into: connection)
        let eal = school.students.filter(\.eal).map(\.number)
        #expect(eal.count == 15)
        let yearTen = Set(eal.prefix(12)).union(school.students.map(\.number).filter { $0 % 2 == 0 && !eal.contains($0) })
        _ = try connection.query(
            """
            UPDATE enrolments e SET year_group = '10' FROM students s
            WHERE s.student_id = e.student_id AND substr(s.institution_id, 2)::int = ANY($1::int[])
            """, ["{" + yearTen.sorted().map(String.init).joined(separator: ",") + "}"])
    }

    @Test("3 EAL pupils in year 11 are not whole − year 10: shaped alone the whole school gives them away, shaped against its year groups it does not")
    func wholeSchoolAgainstYearGroups() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try Self.load(connection)
            let queries = TermlyReportQueries(connection: connection)
            let whole: CohortCode = .all
            let wholeData = try queries.data(provider: Self.provider, cohort: whole, term: Self.term)
            #expect(wholeData.groupCounts[.eal] == 15)
            for audience in [ReportAudience.governors, .public] {
                var parts: [(name: String, tables: TableSet)] = []
                for (name, code) in [("Year 10", "year-10"), ("Year 11", "year-11")] {
                    let part = try queries.shapedReport(provider: Self.provider, cohort: try CohortCode(parsing: code), term: Self.term,
                                                        comparison: wholeData.comparison, audience: audience)
                    parts.append((name, try TermlyReportTables.published(part.report, data: part.data)))
                }
                let yearTenEAL = try queries.report(provider: Self.provider, cohort: "year-10", term: Self.term, comparison: wholeData.comparison,
                                                            audience: audience).groupSize(.eal)?.students
                #expect(yearTenEAL == .value(12))

                // Before: the whole school shaped on its own prints its 15 EAL pupils.
                let alone = try TermlyReportShaping().shape(TermlyGapReportBuilder().build(wholeData), data: wholeData, for: audience)
                #expect(alone.groupSize(.eal)?.students == .value(15))
                var read = try TermlyReportTables.published(alone, data: wholeData)
                _ = try read.tie(toParts: parts, matching: \.label)
                let before = try DisclosureAuditor().audit(read)
                #expect(before.findings.contains { $0.value == 3 && $0.kind == .recoveredExactly && $0.label.contains("Year 11") },
                        "\(before.findings)")

                // After: as the CLI and the service make it.
                let (report, data, _) = try queries.shapedReport(provider: Self.provider, cohort: whole, term: Self.term, audience: audience)
                var after = try TermlyReportTables.published(report, data: data)
                _ = try after.tie(toParts: parts, matching: \.label)
                let audit = try DisclosureAuditor().audit(after)
                #expect(audit.passes, "\(audit.findings)")
                #expect(report.groupSize(.eal)?.students.isSuppressed == true)
            }
        }
    }
}
