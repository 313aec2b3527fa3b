import DisclosureControl
import Foundation
import GapStatistics
import GapTrackDomain
@testable import GapTrackReports
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// A trust's governors' report beside every school's own governors' report, whole: not only the
/// schools' attainment rows (`GroupDifferencingTests`) but each own report's every figure and
/// relation, as its readers see it, over randomised trusts with looked-after pupils planted in
/// the union. What this guards: a school count its own report withholds to protect another
/// figure there is not small itself, so the group report alone need not protect it; beside the
/// pooled row it could come back, and with it what the own report protected. In 16 randomised
/// trusts (3 schools of 30 to 120 pupils) no own report withheld a subject count of 10 or more,
/// so the case did not arise (docs/disclosure-control.md §7.8).
@Suite("Group report against the schools' whole own reports", .serialized)
struct GroupOwnReportsTieTests {
    static let cohort = try! CohortCode(parsing: "year-11")

    /// Every figure of the group report's subject and of each school's own report, the school
    /// rows of the group tied to the attainment rows of the own reports.
    static func attack(
        _ subject: GroupSubjectComparison, truth: GroupSubjectComparison, own: [String: (report: TermlyGapReport, data: TermlyReportData)]
    ) throws -> DisclosureAudit {
        var tables = try GroupReportShaping.published(subject, trueFigures: truth)
        var keys: [String: String] = [:]
        var parts: [(name: String, tables: TableSet)] = []
        for (index, school) in subject.schools.enumerated() {
            guard let mine = own[school.code],
                  let k = mine.data.subjects.firstIndex(where: { $0.subject == subject.subject && $0.assessment == subject.assessment })
            else { continue }
            let ownTables = try TermlyReportTables.published(mine.report, data: mine.data)
            for side in ["disadvantaged", "others"] {
                keys["s\(index).\(side.prefix(1))"] = "\(school.code) \(side)"
                keys["\(school.code)/subject.\(k).\(side)"] = "\(school.code) \(side)"
            }
            parts.append((school.code, ownTables))
        }
        for part in parts {
            _ = try tables.tie(toParts: [part]) { cell in
                keys[cell.id.rawValue] ?? keys["\(part.name)/\(cell.id.rawValue)"] ?? "unmatched \(part.name) \(cell.id.rawValue)"
            }
        }
        return try DisclosureAuditor().audit(tables)
    }

    @Test("randomised trusts: no school's withheld figure comes back through the group report", arguments: 0..<8)
    func randomisedTrusts(seed: Int) throws {
        try TestDatabase.withMigratedDatabase { connection in
            let group = try ProviderGroupCode(parsing: "trust-\(seed)")
            let groups = ProviderGroups(connection: connection)
            try groups.add(code: group, name: "Trust \(seed)", kind: .trust)
            var generator = SeededGenerator(seed: UInt64(9_100 + seed))
            let sizes = (0..<3).map { _ in 30 + generator.index(below: 90) }
            for (index, count) in sizes.enumerated() {
                let code = "school-\(seed)-\(index)"
                var school = PlantedSchool.make(
                    count: count, seed: UInt64(9_200 + 10 * seed + index), code: code, lookedAfterNotFSM: generator.index(below: 6),
                    lookedAfterAndFSM: generator.index(below: 3), singleFundPupils: 0)
                school.urn = String(310_000 + 10 * seed + index)
                try school.load(into: connection)
                try groups.addMember(group: group, provider: try ProviderCode(parsing: code))
            }
            let queries = GroupReportQueries(connection: connection)
            let truth = try queries.report(group: group, cohort: Self.cohort, term: SyntheticSchool.term, audience: .staff)
            for audience in [ReportAudience.governors, .public] {
                var own: [String: (report: TermlyGapReport, data: TermlyReportData)] = [:]
                for index in sizes.indices {
                    let shaped = try TermlyReportQueries(connection: connection).shapedReport(
                        provider: try ProviderCode(parsing: "school-\(seed)-\(index)"), cohort: Self.cohort, term: SyntheticSchool.term, audience: audience)
                    own["school-\(seed)-\(index)"] = (shaped.report, shaped.data)
                }
                let shaped = try queries.report(group: group, cohort: Self.cohort, term: SyntheticSchool.term, audience: audience)
                for (subject, trueSubject) in zip(shaped.subjects, truth.subjects) {
                    let audit = try Self.attack(subject, truth: trueSubject, own: own)
                    #expect(audit.passes, "\(audience) \(subject.title): \(audit.findings.map(\.description))")
                }
            }
        }
    }
}
