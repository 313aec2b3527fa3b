import Foundation
import GapStatistics
import GapTrackDomain
@testable import GapTrackReports
import Postgres
import TestSupport
import Testing
import TestDatabase

/// A university's cost-of-living support against real PostgreSQL: uptake among LSEB students
/// and others, and continuation and module marks of supported LSEB students against unsupported
/// LSEB students of the same intake year and course.
@Suite struct ImpactCostOfLivingTests {
    struct Student {
        var reference: String
        var course: String
        var lseb: Bool
        /// The cost-of-living type given in 2022/23, with its amount in pence and funding source.
        var support: (type: String, pence: Int, funding: String)?
        var continued: Bool
        var mark: Int
    }

    /// 2022/23 entrants. LSEB (IMD quintile 1): course A 20 supported (18 continue) and 20 not
    /// (14 continue); course B 10 supported (9 continue) and 30 not (27 continue); all with a
    /// £1,000 bursary when supported. Others (IMD quintile 4): 40 per course, 6 with a £250
    /// hardship award in A, 4 with £30 of food support in B.
    static func students() -> [Student] {
        var students = [Student]()
        func add(_ course: String, lseb: Bool, count: Int, continuing: Int, support: (String, Int, String)?, marks: (Int, Int)) {
            for i in 0..<count {
                students.append(Student(
                    reference: "\(students.count + 1)", course: course, lseb: lseb, support: support, continued: i < continuing,
                    mark: marks.0 + (i * 7) % marks.1))
            }
        }
        add("BSC-A", lseb: true, count: 20, continuing: 18, support: ("bursary", 100_000, "bursary_fund"), marks: (58, 11))
        add("BSC-A", lseb: true, count: 20, continuing: 14, support: nil, marks: (55, 13))
        add("BSC-B", lseb: true, count: 10, continuing: 9, support: ("bursary", 100_000, "bursary_fund"), marks: (61, 9))
        add("BSC-B", lseb: true, count: 30, continuing: 27, support: nil, marks: (60, 12))
        add("BSC-A", lseb: false, count: 6, continuing: 6, support: ("hardship_award", 25_000, "hardship_fund"), marks: (62, 10))
        add("BSC-A", lseb: false, count: 34, continuing: 31, support: nil, marks: (63, 10))
        add("BSC-B", lseb: false, count: 4, continuing: 4, support: ("food_support", 3_000, "hardship_fund"), marks: (60, 10))
        add("BSC-B", lseb: false, count: 36, continuing: 33, support: nil, marks: (64, 10))
        return students
    }

    static func load(_ students: [Student], on connection: PostgresConnection) throws {
        let providerID: Int = try connection.query(
            "INSERT INTO providers (code, name, kind, ukprn) VALUES ('test-university', 'Test University', 'university', '10000001') RETURNING provider_id"
        ).single().decode("provider_id")
        try connection.execute(
            """
            CREATE TEMP TABLE university_fixture (reference text, course text, lseb boolean, type text, pence bigint, funding text,
                                                  continued boolean, mark int)
            """)
        try connection.copyIn("COPY university_fixture FROM STDIN") { writer in
            for s in students {
                try writer.writeRow([s.reference, s.course, s.lseb ? "t" : "f", s.support?.type, s.support.map { String($0.pence) }, s.support?.funding,
                                     s.continued ? "t" : "f", String(s.mark)])
            }
        }
        for statement in [
            """
            INSERT INTO students (provider_id, institution_id, legal_surname, forename, date_of_birth)
            SELECT $1, f.reference, 'Student', f.reference, DATE '2004-05-01' FROM university_fixture f
            """,
            // Entrants of 2022/23; those who continue are enrolled again in 2023/24, the others withdraw in March.
            """
            INSERT INTO enrolments (student_id, academic_year, course, start_date, leave_date, leave_reason)
            SELECT s.student_id, '2022/23', f.course, DATE '2022-09-26',
                   CASE WHEN f.continued THEN NULL ELSE DATE '2023-03-01' END,
                   CASE WHEN f.continued THEN NULL ELSE 'withdrawn'::leave_reason END
            FROM university_fixture f JOIN students s ON s.provider_id = $1 AND s.institution_id = f.reference
            """,
            """
            INSERT INTO enrolments (student_id, academic_year, course, start_date)
            SELECT s.student_id, '2023/24', f.course, DATE '2023-09-25'
            FROM university_fixture f JOIN students s ON s.provider_id = $1 AND s.institution_id = f.reference
            WHERE f.continued
            """,
            """
            INSERT INTO student_markers (student_id, marker, value, starts_on, source)
            SELECT s.student_id, 'imd_quintile', CASE WHEN f.lseb THEN '1' ELSE '4' END, DATE '2022-09-26', 'spell'
            FROM university_fixture f JOIN students s ON s.provider_id = $1 AND s.institution_id = f.reference
            """,
            """
            INSERT INTO support_records (student_id, provider_id, type, starts_on, ends_on, amount, funding_source, status)
            SELECT s.student_id, $1, f.type, DATE '2022-10-14', DATE '2023-03-14', f.pence / 100.0, f.funding, 'ended'
            FROM university_fixture f JOIN students s ON s.provider_id = $1 AND s.institution_id = f.reference
            WHERE f.type IS NOT NULL
            """,
            """
            INSERT INTO assessment_points (provider_id, subject, name, scale, academic_year, term)
            VALUES ($1, 'PSY101', 'Semester 1 coursework', 'he_mark', '2022/23', 'autumn')
            """,
            """
            INSERT INTO assessment_results (assessment_point_id, scale, student_id, score, result_text, assessed_on)
            SELECT p.assessment_point_id, 'he_mark', s.student_id, f.mark, f.mark::text, DATE '2022-12-09'
            FROM university_fixture f
            JOIN students s ON s.provider_id = $1 AND s.institution_id = f.reference
            JOIN assessment_points p ON p.provider_id = $1
            """,
        ] {
            try connection.query(statement, [providerID])
        }
    }

    /// Σ_s w_s (ȳ_supported,s − ȳ_unsupported,s) with w_s the stratum's share of supported LSEB students.
    static func stratified(_ students: [Student], _ value: (Student) -> Double) -> Double {
        let lseb = students.filter(\.lseb)
        let supported = lseb.filter { $0.support != nil }
        return Set(lseb.map(\.course)).reduce(0.0) { total, course in
            let p = supported.filter { $0.course == course }.map(value)
            let c = lseb.filter { $0.course == course && $0.support == nil }.map(value)
            return total + Double(p.count) / Double(supported.count) * (p.reduce(0, +) / Double(p.count) - c.reduce(0, +) / Double(c.count))
        }
    }

    @Test func uptakeContinuationAndMarksOfSupportedLSEBStudents() throws {
        let students = Self.students()
        try TestDatabase.withMigratedDatabase { connection in
            try Self.load(students, on: connection)
            let request = ImpactRequest(
                providerCode: "test-university", intervention: .costOfLiving, academicYear: try AcademicYear(parsing: "2022/23"))
            // The figures as staff read them, every one shown; then what governors read.
            let report = try ImpactFixture.report(request, on: connection, audience: .staff)

            let lseb = students.filter(\.lseb), others = students.filter { !$0.lseb }
            #expect(report.count("lseb_students")?.students == .value(lseb.count))
            #expect(report.count("other_students")?.students == .value(others.count))

            // Uptake of any support, Wilson intervals; the difference with Newcombe's interval.
            let any = try #require(report.uptake.first { $0.type == nil })
            let lsebShare = try Proportion(count: lseb.filter { $0.support != nil }.count, outOf: lseb.count)
            let othersShare = try Proportion(count: others.filter { $0.support != nil }.count, outOf: others.count)
            let lsebPercent = try #require(any.lsebPercent.value)
            expectClose(lsebPercent.value, 100 * lsebShare.value, "LSEB uptake")
            expectClose(lsebPercent.lower, 100 * lsebShare.confidenceInterval.lower, "LSEB uptake lower")
            expectClose(any.othersPercent.value?.upper, 100 * othersShare.confidenceInterval.upper, "others' uptake upper")
            let difference = try #require(any.difference.value)
            let below = ((lsebShare.value - lsebShare.confidenceInterval.lower) * (lsebShare.value - lsebShare.confidenceInterval.lower)
                + (othersShare.confidenceInterval.upper - othersShare.value) * (othersShare.confidenceInterval.upper - othersShare.value)).squareRoot()
            expectClose(difference.value, 100 * (lsebShare.value - othersShare.value), "difference")
            expectClose(difference.lower, 100 * (lsebShare.value - othersShare.value - below), "difference lower (Newcombe)")
            #expect(report.uptake.first { $0.type == .hardshipAward }?.othersSupported == .value(6))
            #expect(report.uptake.first { $0.type == .bursary }?.lsebSupported == .value(30))

            let continuation = try #require(report.outcome("continuation")?.effect)
            expectClose(continuation.value, Self.stratified(students) { $0.continued ? 100 : 0 }, "continuation, percentage points")
            #expect(report.outcome("continuation")?.participants == .value(30))
            #expect(report.outcome("continuation")?.comparison == .value(50))
            let marks = try #require(report.outcome("module_mark")?.effect)
            expectClose(marks.value, Self.stratified(students) { Double($0.mark) }, "module marks")
            #expect(marks.unit == .scorePoints && continuation.unit == .percentagePoints)

            // Spend: bursaries to 30 LSEB students; hardship and food awards to 10 others.
            let supported = students.filter { $0.support != nil }
            #expect(report.spend.total.students == .value(supported.count))
            #expect(report.spend.total.spend == .value(try PoundsAndPence(pence: supported.compactMap(\.support?.pence).reduce(0, +))))
            let byType = Dictionary(uniqueKeysWithValues: report.spend.byType.map { ($0.id, $0) })
            #expect(byType["bursary"]?.spend == .value(try PoundsAndPence(pounds: 30_000)))
            #expect(byType["hardship_award"]?.spend == .value(try PoundsAndPence(pounds: 1_500)))
            #expect(report.costEffectiveness.poundsPerMonth == nil)
            #expect(report.method.contains { $0.topic == "LSEB students" && $0.text.contains("POLAR4 quintile 1 or 2") })

            // Governors: six hardship awards and four food awards, all to others, are too few to
            // show, with their spend; what is shown is true, and the auditor (run by
            // ImpactFixture.report) recovers nothing withheld.
            let governors = try ImpactFixture.report(request, on: connection)
            #expect(governors.uptake.first { $0.type == .hardshipAward }?.othersSupported == .suppressed(.belowThreshold(threshold: 10)))
            let governorsByType = Dictionary(uniqueKeysWithValues: governors.spend.byType.map { ($0.id, $0) })
            #expect(governorsByType["hardship_award"]?.spend.isSuppressed == true && governorsByType["food_support"]?.spend.isSuppressed == true)
            for (shown, truth) in zip(governors.counts, report.counts) where !shown.students.isSuppressed {
                #expect(shown.students == truth.students, "\(shown.id)")
            }
        }
    }
}
