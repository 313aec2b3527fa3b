import Foundation
import GapTrackReports
import Postgres
import TestDatabase
import Testing

/// The evaluation run on Demo University through the command line: the planted effect of the
/// demo's outcome model (`UniversityOutcomeModel`: +6 points of continuation for a bursary or a
/// hardship award, none for food or housing) must be recovered from the database.
@Suite("gaptrack report cost-of-living-evaluation on the demo university", .serialized)
struct CostOfLivingEvaluationCommandTests {
    @Test("the planted 6-point effect of a bursary on continuation is inside its interval; no effect is claimed for food")
    func plantedEffect() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let database = CommandTests.databaseOption(connection)
            // 600 students an intake: 1,800 in the three earlier intakes whose outcomes the model drew.
            _ = try GapTrackCommandLine.run(["demo", "load", "--only", "university", "--cohort-size", "600"] + database)
            let arguments = ["report", "cost-of-living-evaluation", "--provider", "demo-university", "--as-of", "2025-07-31",
                             "--years", "2020/21-2022/23"] + database
            let json = try GapTrackCommandLine.run(arguments + ["--format", "json"]).joined(separator: "\n")
            let report = try JSONDecoder().decode(SupportEvaluationReport.self, from: Data(json.utf8))
            let continuation = try #require(report.effects.first { $0.outcome == .continuation })
            #expect(continuation.measured == 1_800)
            func adjusted(_ kind: String) throws -> LifecycleGap {
                try #require(continuation.rows.first { $0.comparison.characteristic == kind }?.adjusted, "\(kind)")
            }
            let bursary = try adjusted("bursary")
            #expect(bursary.lower <= 6 && 6 <= bursary.upper, "bursary \(bursary)")
            #expect(bursary.lower > 0, "a real effect is told from none: \(bursary)")
            let food = try adjusted("food_support")
            #expect(food.lower <= 0 && 0 <= food.upper, "food \(food)")
            // The demo's applications (support-applications.csv) give the funnel: every award has an
            // eligible application, so applied ≥ eligible ≥ received, and some applied for nothing.
            let all = try #require(report.uptake.first { $0.group == "all" })
            let funnel = try #require(all.funnel).map { $0.students ?? -1 }
            let received = try #require(all.rows.first { $0.characteristic == "any" }?.group.students)
            #expect(funnel[2] == received && funnel[0] > funnel[1] && funnel[1] > funnel[2], "\(funnel)")

            let html = try GapTrackCommandLine.run(arguments + ["--format", "html"]).joined(separator: "\n")
            #expect(html.contains("<svg") && html.contains("Uptake in the first year"))
            let governors = try GapTrackCommandLine.run(arguments + ["--audience", "governors", "--format", "csv"]).joined(separator: "\n")
            #expect(governors.contains(",governors"))
            #expect(GapTrackCommandLine.failureMessage(["report", "cost-of-living-evaluation", "--provider", "demo-university",
                                                        "--years", "2024/25-2020/21"] + database) != nil)
        }
    }
}
