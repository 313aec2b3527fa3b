import DisclosureControl
import Foundation
import GapTrackDomain
@testable import GapTrackReports
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// A trust's governors' report beside each school's own governors' report (docs/disclosure-control.md
/// §7.7): a school row withheld in one and printed in the other, with the pooled row, gives a small
/// school's group back.
@Suite("Group report against the schools' own reports", .serialized)
struct GroupDifferencingTests {
    static let cohort = try! CohortCode(parsing: "year-11")
    static let group = try! ProviderGroupCode(parsing: "planted-trust")

    /// Three schools; "small" has exactly 6 disadvantaged pupils among 40.
    static func loadTrust(_ connection: PostgresConnection) throws {
        let groups = ProviderGroups(connection: connection)
        try groups.add(code: group, name: "Planted Trust", kind: .trust)
        for (index, (code, count)) in [("ash", 120), ("birch", 90), ("small", 40)].enumerated() {
            var school = SyntheticSchool.generate(count: count, seed: UInt64(700 + index), schoolDays: 0, supportShare: 0)
            school.providerCode = code
            school.providerName = "School " + code
            school.urn = String(300_001 + index)
            if code == "small" {
                for i in school.students.indices {
                    school.students[i].fsmNow = false
                    school.students[i].fsmEarlier = i < 6
                    school.students[i].lookedAfter = false
                    school.students[i].previouslyLookedAfter = false
                }
            }
            try school.load(into: connection)
            try groups.addMember(group: group, provider: try ProviderCode(parsing: code))
        }
    }

    /// What a governor of the trust who also reads each school's governors' report knows: a school
    /// count printed in either is known.
    static func attack(
        _ subject: GroupSubjectComparison, truth: GroupSubjectComparison, ownReports: [String: TermlyGapReport]
    ) throws -> DisclosureAudit {
        var tables = try GroupReportShaping.published(subject, trueFigures: truth)
        for (index, school) in subject.schools.enumerated() {
            guard let own = ownReports[school.code]?.attainment.first(where: { $0.subject == subject.subject && $0.assessment == subject.assessment })
            else { continue }
            if !own.disadvantaged.isSuppressed { tables.setVisibility(.published, of: CellID("s\(index).d")) }
            if !own.others.isSuppressed { tables.setVisibility(.published, of: CellID("s\(index).o")) }
        }
        return try DisclosureAuditor().audit(tables)
    }

    @Test("a school with 6 disadvantaged pupils cannot be recovered from the pooled row and the other schools' own reports")
    func smallSchoolIsNotRecoveredAcrossReports() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try Self.loadTrust(connection)
            let queries = GroupReportQueries(connection: connection)
            let truth = try queries.report(group: Self.group, cohort: Self.cohort, term: SyntheticSchool.term, audience: .staff)
            let members = try ProviderGroups(connection: connection).members(groupID: try ProviderGroups(connection: connection).require(code: Self.group).id)
            let data = try members.map { try GroupReportQueries.memberData($0, cohort: Self.cohort, term: SyntheticSchool.term, on: connection) }
            for audience in [ReportAudience.governors, .public] {
                var own: [String: TermlyGapReport] = [:]
                for school in ["ash", "birch", "small"] {
                    own[school] = try TermlyReportQueries(connection: connection)
                        .report(provider: try ProviderCode(parsing: school), cohort: Self.cohort, term: SyntheticSchool.term, audience: audience)
                }
                // Before: the group report shaped alone, as it was.
                let header = ReportProviderGroup(code: Self.group.value, name: "Planted Trust", kind: "trust")
                let alone = try GroupReportShaping().shape(
                    GroupReportBuilder().build(group: header, cohort: Self.cohort, term: SyntheticSchool.term, members: data), for: audience)
                var recovered: [DisclosureFinding] = []
                for (subject, trueSubject) in zip(alone.subjects, truth.subjects) {
                    recovered += try Self.attack(subject, truth: trueSubject, ownReports: own).findings
                }
                #expect(recovered.contains { $0.label.contains("disadvantaged at small") && $0.value == 6 && $0.kind == .recoveredExactly },
                        "\(recovered)")

                // After: the report as the CLI and the service make it.
                let shaped = try queries.report(group: Self.group, cohort: Self.cohort, term: SyntheticSchool.term, audience: audience)
                #expect(!shaped.subjects.isEmpty)
                for (subject, trueSubject) in zip(shaped.subjects, truth.subjects) {
                    let small = try #require(subject.schools.first { $0.code == "small" })
                    #expect(small.disadvantaged.isSuppressed)
                    let audit = try Self.attack(subject, truth: trueSubject, ownReports: own)
                    #expect(audit.passes, "\(subject.title): \(audit.findings)")
                    // Every school count agrees with the school's own report: printed in both or in neither.
                    for school in subject.schools {
                        let row = try #require(own[school.code]?.attainment.first { $0.subject == subject.subject && $0.assessment == subject.assessment })
                        #expect(school.disadvantaged.isSuppressed == row.disadvantaged.isSuppressed, "\(school.code) \(subject.title)")
                        #expect(school.others.isSuppressed == row.others.isSuppressed, "\(school.code) \(subject.title)")
                    }
                }
            }
        }
    }
}
