import DemoData
import Foundation
import GapTrackDomain
@testable import GapTrackReports
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// The demo school's interventions name their targets (docs/methodology.md §6.6): its termly
/// report judges tutoring on maths and on English, each on its own pupils, and recovers the
/// tutoring effect the demo plants (`SchoolAttainmentModel.tutoringEffect`, 0.2 of a pupil's
/// spread, on summer English and maths).
@Suite("The demo's targeted interventions", .serialized)
struct DemoTargetedImpactTests {
    @Test("tutoring is judged on its target subject and the planted effect is recovered; untargeted support says it is not judged")
    func tutoringJudgedOnItsTarget() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let database = CommandTests.databaseOption(connection)
            _ = try GapTrackCommandLine.run(["demo", "load", "--seed", "2024", "--only", "school"] + database)
            let (provider, cohort, term) = (try ProviderCode(parsing: "demo-academy"), try CohortCode(parsing: "year-11"), try AcademicTerm(parsing: "2024/25-summer"))
            let report = try TermlyReportQueries(connection: connection).report(provider: provider, cohort: cohort, term: term, impact: .automatic, audience: .staff)
            for subject in ["english", "maths"] {
                let section = try #require(report.impact.first { $0.intervention.types == [.tutoring] && $0.target == subject }, "\(subject)")
                // Entry: the last result before tutoring started (the autumn one); exit: the first after it ended.
                #expect(section.before == "\(subject), 2024/25 autumn" && section.after == "\(subject), 2024/25 summer")
                let effect = try #require(section.outcome("attainment")?.effect, "\(subject)")
                let (lower, upper) = (try #require(effect.lower), try #require(effect.upper))
                // The planted effect is in units of the pupil's latent spread; the report's in the
                // spread of the entry results, which add test noise, so the estimate runs a little under it.
                // Each subject's interval holds the planted effect, with the estimate above zero; Year 11's
                // tutored pupils, split between two targets, are too few for the interval to exclude zero.
                #expect(effect.value > 0 && lower < SchoolAttainmentModel.tutoringEffect && upper > SchoolAttainmentModel.tutoringEffect,
                        "\(subject): \(effect.value) (\(lower) to \(upper))")
            }
            let mentoring = try #require(report.impact.first { $0.intervention.types == [.mentoring] })
            #expect(mentoring.target == "attendance")
            // Mentoring runs within the spring term (SchoolSupportTiming): judged on the autumn term against the summer.
            #expect(mentoring.notJudged == nil && mentoring.outcome("attendance") != nil, "\(mentoring.notJudged ?? "")")
            // Every targeted intervention of every year group is judged in the summer.
            for year in 7...11 {
                let yearReport = try TermlyReportQueries(connection: connection).report(
                    provider: provider, cohort: try CohortCode(parsing: "year-\(year)"), term: term, impact: .automatic, audience: .staff)
                for section in yearReport.impact where section.target != nil {
                    #expect(section.notJudged == nil, "year \(year) \(section.intervention.label) (\(section.target ?? "")): \(section.notJudged ?? "")")
                }
                #expect(yearReport.impact.contains { $0.target != nil }, "year \(year)")
            }
            let enrichment = try #require(report.impact.first { $0.intervention.types == [.enrichment] })
            #expect(enrichment.notJudged == "this support names no target" && enrichment.outcomes.isEmpty)
        }
    }
}
