import DisclosureControl
import Foundation
import GapStatistics
import GapTrackDomain
@testable import GapTrackReports
import GapTrackStore
import Postgres
import TestDatabase
import TestSupport
import Testing

/// The group report (docs/methodology.md §5.7, §7.10) over synthetic schools loaded into a real
/// database: one planted outlier, one school with a small group, one member without the cohort.
@Suite struct GroupReportTests {
    static let cohort = try! CohortCode(parsing: "year-11")
    static let group = try! ProviderGroupCode(parsing: "test-trust")

    /// Four ordinary schools (maths gap of half an SD), one whose disadvantaged pupils are 2.5 SD
    /// behind, one of 22 pupils, and a member with no pupils at all.
    static func loadTrust(_ connection: PostgresConnection) throws {
        let specs: [(code: String, count: Int, shift: Double)] = [
            ("alder", 120, 0.5), ("beech", 90, 0.5), ("cherry", 200, 0.5), ("damson", 150, 0.5), ("outlier", 150, 2.5), ("tiny", 22, 0.5),
        ]
        let groups = ProviderGroups(connection: connection)
        try groups.add(code: group, name: "Test Trust", kind: .trust)
        for (index, spec) in specs.enumerated() {
            var school = SyntheticSchool.generate(count: spec.count, seed: UInt64(300 + index), shift: spec.shift, schoolDays: 0, supportShare: 0)
            school.providerCode = spec.code
            school.providerName = "School " + spec.code
            school.urn = String(200_001 + index)
            try school.load(into: connection)
            try groups.addMember(group: group, provider: try ProviderCode(parsing: spec.code))
        }
        try Providers(connection: connection).create(Provider(code: "empty", name: "School empty", kind: .school, urn: try URN("200100")))
        try groups.addMember(group: group, provider: try ProviderCode(parsing: "empty"))
    }

    @Test func thePlantedOutlierFallsOutsideTheAlarmLimitAndEverySchoolsGapIsItsOwnReports() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try Self.loadTrust(connection)
            let report = try GroupReportQueries(connection: connection)
                .report(group: Self.group, cohort: Self.cohort, term: SyntheticSchool.term, audience: .staff)
            #expect(report.schoolsWithoutData.map(\.code) == ["empty"])
            let maths = try #require(report.subjects.first { $0.subject == "maths" })
            #expect(maths.schools.map(\.code) == ["alder", "beech", "cherry", "damson", "outlier", "tiny"])
            for school in maths.schools {
                let position = try #require(school.position?.value)
                if school.code == "outlier" {
                    #expect(position == .above998, "the planted school is at \(position)")
                } else {
                    #expect(position != .above998 && position != .below998, "\(school.code) is at \(position)")
                }
                // The same figure the school's own termly report prints.
                let own = try TermlyReportQueries(connection: connection)
                    .report(provider: try ProviderCode(parsing: school.code), cohort: Self.cohort, term: SyntheticSchool.term)
                let ownMaths = try #require(own.attainment.first { $0.subject == "maths" })
                #expect(ownMaths.gapIndex == school.gapIndex)
                #expect(ownMaths.months?.value?.months == school.months?.value)
            }
            // Only the tiny school rests on a group under 10, and staff see it marked, not hidden.
            #expect(maths.schools.filter { $0.treatWithCare == true }.map(\.code) == ["tiny"])
            #expect(maths.schools.allSatisfy { !$0.gapIndex.isSuppressed })

            // The funnel is drawn around the pooled gap with the group's share; its limits are
            // GapIndexFunnel's at each size, and the pooled gap sits between the schools' extremes.
            let funnel = try #require(maths.funnel)
            let pooled = try #require(maths.pooledGapIndex?.value)
            #expect(abs(funnel.target - pooled.value) < 1e-4)
            let share = Double(maths.disadvantaged.value!) / Double(maths.students.value!)
            #expect(abs(funnel.disadvantagedShare - share) < 1e-4)
            let shape = try GapIndexFunnel(target: funnel.target, disadvantagedShare: funnel.disadvantagedShare)
            for point in funnel.curve {
                expectClose(point.upper95, shape.limits(cohortSize: point.cohortSize, level: 0.95).upper, tolerance: 1e-3, "95% upper")
                expectClose(point.lower998, shape.limits(cohortSize: point.cohortSize, level: 0.998).lower, tolerance: 1e-3, "99.8% lower")
            }
            let gaps = maths.schools.compactMap { $0.gapIndex.value?.value }
            #expect(pooled.value > gaps.min()! && pooled.value < gaps.max()!)
            #expect(report.nationalFigures.contains { $0.measure == .dfeGapIndex })
        }
    }

    @Test func governorsAndThePublicGetSuppressedSmallSchoolsThatTheAuditorCannotNarrow() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try Self.loadTrust(connection)
            let queries = GroupReportQueries(connection: connection)
            let truth = try queries.report(group: Self.group, cohort: Self.cohort, term: SyntheticSchool.term, audience: .staff)
            for audience in [ReportAudience.governors, .public] {
                let shaped = try queries.report(group: Self.group, cohort: Self.cohort, term: SyntheticSchool.term, audience: audience)
                #expect(shaped.audience == audience)
                for (subject, trueSubject) in zip(shaped.subjects, truth.subjects) {
                    let tiny = try #require(subject.schools.first { $0.code == "tiny" })
                    // The tiny school's disadvantaged pupils are under 10: the count and everything made from it is c.
                    #expect(tiny.disadvantaged.isSuppressed && tiny.gapIndex.isSuppressed && tiny.position?.isSuppressed != false)
                    // Every c is protected: the auditor finds no suppressed count it can narrow below the protection level.
                    let tables = try GroupReportShaping.published(subject, trueFigures: trueSubject)
                    #expect(!tables.suppressed.isEmpty)
                    let audit = try DisclosureAuditor().audit(tables)
                    #expect(audit.passes, "\(subject.title): \(audit.findings)")
                    // Shown counts are true counts; nothing is shown that the truth does not hold.
                    for (shown, real) in zip(subject.schools, trueSubject.schools) where !shown.disadvantaged.isSuppressed {
                        #expect(shown.disadvantaged == real.disadvantaged && shown.gapIndex == real.gapIndex)
                    }
                    // The pooled row less the schools printed in their own governors' reports would be the
                    // tiny school: the pooled counts, and the funnel drawn from them, are withheld
                    // (docs/disclosure-control.md §7.7).
                    #expect(subject.disadvantaged.isSuppressed || subject.others.isSuppressed)
                    #expect(subject.funnel == nil)
                }
                #expect(shaped.schoolsWithoutData.map(\.code) == ["empty"])
            }
        }
    }

    @Test func everyFormatRendersTheSameReportAndTheSameDataGivesTheSameBytes() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try Self.loadTrust(connection)
            let queries = GroupReportQueries(connection: connection)
            let report = try queries.report(group: Self.group, cohort: Self.cohort, term: SyntheticSchool.term, audience: .governors)
            let again = try queries.report(group: Self.group, cohort: Self.cohort, term: SyntheticSchool.term, audience: .governors)
            for format in ReportFormat.allCases {
                let text = try GroupReportRenderer.render(report, format: format)
                #expect(text == (try GroupReportRenderer.render(again, format: format)), "\(format) differs between two runs")
                #expect(text.contains("alder"), "\(format) names the schools")
            }
            let json = try GroupReportRenderer.render(report, format: .json)
            #expect(try GroupReportRenderer.decode(json).subjects.map(\.title) == report.subjects.map(\.title))
            // The governors' pooled row is withheld here (the tiny school: docs/disclosure-control.md §7.7), so
            // the funnel is drawn in the staff report.
            let staff = try queries.report(group: Self.group, cohort: Self.cohort, term: SyntheticSchool.term, audience: .staff)
            let html = try GroupReportRenderer.render(staff, format: .html)
            #expect(html.contains("id=\"chart-funnel-1\"") && html.contains("99.8% limits") && !html.contains("<script"))
            let csv = try GroupReportRenderer.render(report, format: .csv)
            #expect(csv.hasPrefix(GroupReportRenderer.csvHeader.joined(separator: ",")))
            #expect(csv.contains("test-trust,year-11,2024/25-autumn,governors,maths,"))
            #expect(try GroupReportRenderer.render(staff, format: .csv).contains(",funnel_99_8,"))
        }
    }

    @Test func anUnknownGroupAndAGroupWithoutMembersAreRefusedWithWhatToDo() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let queries = GroupReportQueries(connection: connection)
            #expect(throws: ProviderGroupError.notFound("test-trust", known: [])) {
                try queries.report(group: Self.group, cohort: Self.cohort, term: SyntheticSchool.term, audience: .staff)
            }
            try ProviderGroups(connection: connection).add(code: Self.group, name: "Test Trust", kind: .localAuthority)
            #expect(throws: ProviderGroupError.noMembers("test-trust")) {
                try queries.report(group: Self.group, cohort: Self.cohort, term: SyntheticSchool.term, audience: .staff)
            }
            #expect(throws: ProviderGroupError.duplicate("test-trust")) {
                try ProviderGroups(connection: connection).add(code: Self.group, name: "Again", kind: .trust)
            }
        }
    }
}
