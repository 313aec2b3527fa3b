import DemoData
import Foundation
import GapTrackDomain
@testable import GapTrackReports
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// The KS4 measures of the demo school's Year 11 (docs/methodology.md §8.3), checked against
/// counts read straight from the tables: the demo holds GCSE English, maths and science only, so
/// grade 4+/5+ are computed and Attainment 8 is refused, naming what is missing.
@Suite("KS4 measures of the demo school", .serialized)
struct DemoKeyStage4Tests {
    @Test("Year 11's GCSE results give grade 4+ and 5+ in English and maths, and no Attainment 8")
    func demoYearElevenGCSE() throws {
        try CohortViewsTests.loaded { connection, _ in
            let queries = TermlyReportQueries(connection: connection)
            let report = try queries.report(provider: CohortViewsTests.provider, cohort: try CohortCode(parsing: "year-11"), term: CohortViewsTests.term)
            let section = try #require(report.keyStage4?.first { $0.assessment == "GCSE" })
            #expect(section.resultsYear == 2025)
            #expect(section.attainment8NotComputed
                == "not computed: the results held do not cover the Attainment 8 slots (held: english, maths, science; missing: 2 EBacc slots and 3 open slots)")
            #expect(section.rows.map(\.measure) == [.englishMathsGrade4, .englishMathsGrade5])
            // All pupils, counted straight from the tables: Year 11 on roll in the summer with a GCSE result,
            // and of them those with English and maths both at grade 4 or above.
            let pupilsSQL = """
                SELECT count(DISTINCT r.student_id) AS n FROM assessment_results r
                JOIN assessment_points p USING (assessment_point_id)
                JOIN enrolments e ON e.student_id = r.student_id AND e.year_group = '11' AND \(CohortViewsTests.inSummer)
                WHERE p.name = 'GCSE' AND p.academic_year = '2024/25' AND p.term = 'summer'
                """
            let pupils = try CohortViewsTests.count(connection, pupilsSQL)
            let grade4 = try CohortViewsTests.count(connection, """
                SELECT count(*) AS n FROM (
                    SELECT r.student_id FROM assessment_results r JOIN assessment_points p USING (assessment_point_id)
                    JOIN enrolments e ON e.student_id = r.student_id AND e.year_group = '11' AND \(CohortViewsTests.inSummer)
                    WHERE p.name = 'GCSE' AND p.academic_year = '2024/25' AND p.term = 'summer' AND p.subject IN ('english', 'maths') AND r.score >= 4
                    GROUP BY r.student_id HAVING count(*) = 2) x
                """)
            let row = try #require(section.rows.first)
            #expect(pupils > 0 && row.allPupils == .value(pupils))
            let all = try #require(row.all.value)
            #expect(abs(all.value - 100 * Double(grade4) / Double(pupils)) < 1e-9, "\(grade4) of \(pupils)")
            #expect(row.disadvantagedPupils.value.map { $0 + (row.othersPupils.value ?? 0) } == pupils)
            // No national pair for 2024/25 yet; the 2023/24 grade 5+ pair stays in the national context table.
            #expect(section.rows.allSatisfy { $0.national == nil })
            let html = try ReportFormat.html.render(report)
            #expect(html.contains("2a. KS4 measures from the school") && html.contains("not computed: the results held do not cover the Attainment 8 slots"))
        }
    }
}
