import CSVFormat
import DisclosureControl
import Foundation
import GapStatistics
import GapTrackDomain
@testable import GapTrackReports
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// The automatic impact sections of a termly report are judged on what the support targets
/// (docs/methodology.md §6.6), on the synthetic year group of the impact tests, whose tutoring
/// effect on maths (0.3 SD) and attendance effect (2 points) are planted.
@Suite struct TargetedImpactTests {
    /// English autumn and summer results for every pupil (a copy of the maths ones, so English
    /// shows the same planted change), and no summer maths result for a quarter of the pupils
    /// who were not tutored: more pupils sat English in both terms than maths.
    static func mostSatEnglish(code: String, on connection: PostgresConnection) throws -> (maths: Int, english: Int) {
        try connection.query(
            """
            WITH p AS (SELECT provider_id FROM providers WHERE code = $1)
            INSERT INTO assessment_points (provider_id, subject, name, scale, academic_year, term)
            SELECT p.provider_id, 'english', x.name, 'standardised_score', '2024/25', x.term::term_name
            FROM p, (VALUES ('Autumn test', 'autumn'), ('Summer test', 'summer')) AS x (name, term)
            """, [code])
        try connection.query(
            """
            INSERT INTO assessment_results (assessment_point_id, scale, student_id, score, result_text, assessed_on)
            SELECT e.assessment_point_id, e.scale, r.student_id, r.score, r.result_text, r.assessed_on
            FROM assessment_points m
            JOIN assessment_results r ON r.assessment_point_id = m.assessment_point_id
            JOIN assessment_points e ON e.provider_id = m.provider_id AND e.subject = 'english' AND e.name = m.name
            WHERE m.provider_id = (SELECT provider_id FROM providers WHERE code = $1) AND m.subject = 'maths'
            """, [code])
        try connection.query(
            """
            DELETE FROM assessment_results r USING assessment_points p, students s
            WHERE p.assessment_point_id = r.assessment_point_id AND p.subject = 'maths' AND p.name = 'Summer test'
              AND s.student_id = r.student_id AND s.provider_id = p.provider_id
              AND p.provider_id = (SELECT provider_id FROM providers WHERE code = $1)
              AND NOT EXISTS (SELECT FROM support_records x WHERE x.student_id = r.student_id)
              AND hashtext(s.institution_id) % 4 = 0
            """, [code])
        func both(_ subject: String) throws -> Int {
            try connection.query(
                """
                SELECT count(*) AS n FROM (
                    SELECT r.student_id FROM assessment_results r JOIN assessment_points p USING (assessment_point_id)
                    WHERE p.subject = $1 AND p.name IN ('Autumn test', 'Summer test') GROUP BY r.student_id HAVING count(*) = 2) x
                """, [subject]).single().decode("n")
        }
        return (try both("maths"), try both("english"))
    }

    @Test func tutoringTargetedAtMathsIsJudgedOnMathsEvenWhenMostPupilsSatEnglish() throws {
        // 900 pupils, so that the interval (about ±0.13) can tell the planted 0.3 from zero.
        let pupils = ImpactFixture.school(count: 900, seed: 99, effect: 0.3)
        try TestDatabase.withMigratedDatabase { connection in
            try ImpactFixture.load(pupils, code: "planted", urn: 100_201, on: connection)
            let sat = try Self.mostSatEnglish(code: "planted", on: connection)
            try #require(sat.english > sat.maths, "the old rule (the subject most pupils sat in both terms) would pick English")
            try ImpactFixture.target(code: "planted", subject: "maths", on: connection)
            let queries = TermlyReportQueries(connection: connection)
            let report = try queries.report(provider: "planted", cohort: "year-8", term: "2024/25-summer", impact: .automatic, audience: .staff)
            let section = try #require(report.impact.first)
            #expect(report.impact.count == 1)
            #expect(section.target == "maths")
            #expect(section.before == "maths, 2024/25 autumn" && section.after == "maths, 2024/25 summer")
            // The planted 0.3 SD on maths is recovered: the interval holds it and excludes zero.
            let effect = try #require(section.outcome("attainment")?.effect)
            let (lower, upper) = (try #require(effect.lower), try #require(effect.upper))
            #expect(lower > 0 && lower < 0.3 && upper > 0.3, "\(effect.value) (\(lower) to \(upper))")

            // The same section as asked for by hand on maths.
            let maths = try ImpactRequest.TermlySection(parsing: "tutoring,maths@2024/25-autumn,maths@2024/25-summer")
            let requested = try queries.report(
                provider: "planted", cohort: "year-8", term: "2024/25-summer", impact: .requested([maths]), audience: .staff)
            #expect(section.outcomes == requested.impact.first?.outcomes)

            // Governors' output of the section passes the disclosure auditor.
            let governors = try queries.shapedReport(provider: "planted", cohort: "year-8", term: "2024/25-summer", impact: .automatic, audience: .governors)
            #expect(governors.report.impact.first?.target == "maths")
            let audit = try DisclosureAuditor().audit(try TermlyReportTables.published(governors.report, data: governors.data, impact: governors.impact))
            #expect(audit.passes, "\(audit.findings.map(\.description))")
        }
    }

    @Test func untargetedSupportIsNotJudgedInEveryFormatAndAudience() throws {
        let pupils = ImpactFixture.school(count: 120, seed: 7, effect: 0.3)
        try TestDatabase.withMigratedDatabase { connection in
            try ImpactFixture.load(pupils, code: "untargeted", urn: 100_202, on: connection)
            let queries = TermlyReportQueries(connection: connection)
            for audience in ReportAudience.allCases {
                let shaped = try queries.shapedReport(provider: "untargeted", cohort: "year-8", term: "2024/25-summer", impact: .automatic, audience: audience)
                let section = try #require(shaped.report.impact.first, "\(audience)")
                #expect(shaped.report.impact.count == 1)
                #expect(section.notJudged == "this support names no target")
                #expect(section.outcomes.isEmpty && section.counts.isEmpty && section.before == nil, "no subject is picked for it")
                for format in ReportFormat.allCases {
                    let text = try format.render(shaped.report)
                    #expect(text.contains("Not judged: this support names no target"), "\(audience) \(format)")
                    #expect(!text.contains("maths, 2024/25 autumn"), "\(audience) \(format)")
                }
                if audience.suppresses {
                    let audit = try DisclosureAuditor().audit(try TermlyReportTables.published(shaped.report, data: shaped.data, impact: shaped.impact))
                    #expect(audit.passes, "\(audit.findings.map(\.description))")
                }
            }
        }
    }

    /// Mentoring for attendance, January to March: the autumn term (the last to end before it
    /// started) against the summer term (the first to start after it ended). The fixture plants
    /// +2 points of attendance for participants; sessions are whole, so the planted change is
    /// rounded per pupil, and the interval should hold 2 and exclude 0.
    @Test func attendanceTargetedSupportIsJudgedOnAttendanceFromTheTermBeforeToTheTermAfter() throws {
        let pupils = ImpactFixture.school(count: 400, seed: 21, effect: 0, attendanceEffect: 2, sessionsPerTerm: 120, selection: .onAbility)
        try TestDatabase.withMigratedDatabase { connection in
            try ImpactFixture.load(pupils, code: "attending", urn: 100_203, on: connection)
            try ImpactFixture.target(code: "attending", subject: nil, on: connection)
            let queries = TermlyReportQueries(connection: connection)
            let data = try queries.data(provider: "attending", cohort: "year-8", term: "2024/25-summer", withImpactCandidates: true)
            let candidate = try #require(data.impactCandidates.first)
            #expect(candidate.targetKind == "attendance")
            let (autumn, summer) = (try AcademicTerm(parsing: "2024/25-autumn"), try AcademicTerm(parsing: "2024/25-summer"))
            #expect(candidate.before == autumn && candidate.after == summer)
            let report = try queries.report(provider: "attending", cohort: "year-8", term: "2024/25-summer", impact: .automatic, audience: .staff)
            let section = try #require(report.impact.first)
            #expect(section.target == "attendance")
            #expect(section.outcomes.map(\.id) == ["attendance"], "judged on attendance alone")
            #expect(section.before == "attendance, 2024/25 autumn" && section.after == "attendance, 2024/25 summer")
            let effect = try #require(section.outcome("attendance")?.effect)
            let (lower, upper) = (try #require(effect.lower), try #require(effect.upper))
            #expect(lower > 0 && lower < 2 && upper > 2, "\(effect.value) (\(lower) to \(upper))")
            #expect(section.costEffectiveness.poundsPerMonth == nil)
            for format in ReportFormat.allCases where format != .json {
                #expect(try format.render(report).contains("Tutoring (target: attendance)"), "\(format)")
            }
            #expect(try JSONReportRenderer.decode(try JSONReportRenderer.render(report)).impact.first?.target == "attendance")
            let governors = try queries.shapedReport(provider: "attending", cohort: "year-8", term: "2024/25-summer", impact: .automatic, audience: .governors)
            let audit = try DisclosureAuditor().audit(try TermlyReportTables.published(governors.report, data: governors.data, impact: governors.impact))
            #expect(audit.passes, "\(audit.findings.map(\.description))")
        }
    }
}
