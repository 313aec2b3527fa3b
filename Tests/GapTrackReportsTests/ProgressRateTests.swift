import CSVFormat
import Foundation
import GapStatistics
import GapTrackDomain
@testable import GapTrackReports
import Postgres
import TestDatabase
import TestSupport
import GapTrackStore
import Testing

/// Months of learning by the progress rate (`AggregateStatistics.progressRateMonths`)
/// against GapStatistics.ProgressRateConversion on the same students, with a planted rate.
@Suite struct ProgressRateTests {
    /// Score points gained per month of schooling, planted in the summer results.
    static let plantedRate = 1.5

    /// The synthetic Year 11 with a summer maths exam: each pupil's autumn score + the planted
    /// rate × their own months between the two results + noise (SD 4), on one of three days in
    /// June. One pupil in ten misses the summer exam; a spring test and an autumn maths grade on
    /// another scale are there too, to check which earlier point is taken.
    struct Fixture {
        var school: SyntheticSchool
        /// Pupil number → (summer score, summer date).
        var summer: [Int: (score: Double, date: CalendarDate)] = [:]

        init(count: Int, seed: UInt64) {
            school = SyntheticSchool.generate(count: count, seed: seed, schoolDays: 0, supportShare: 0)
            var generator = SeededGenerator(seed: seed &+ 1)
            let days = [CalendarDate(year: 2025, month: 6, day: 16)!, CalendarDate(year: 2025, month: 6, day: 18)!, CalendarDate(year: 2025, month: 6, day: 24)!]
            for student in school.students {
                guard generator.unitInterval() >= 0.1, let autumn = student.scores["maths"] else { continue }
                let date = days[generator.index(below: days.count)]
                let months = Double(date.daysSinceEpoch - SyntheticSchool.assessedOn.daysSinceEpoch) / 30.4375
                // The scale runs from 55 to 145 (docs/import-formats.md).
                summer[student.number] = (min(145, max(55, (autumn + ProgressRateTests.plantedRate * months + 4 * Normal.sample(using: &generator)).rounded())), date)
            }
        }

        func load(into connection: PostgresConnection) throws -> Int {
            let providerID = try school.load(into: connection)
            let points: [(String, String, String)] = [("Summer exam", "standardised_score", "summer"), ("Spring test", "standardised_score", "spring"), ("Autumn grade", "gcse", "autumn")]
            var ids = [String: Int]()
            for (name, scale, term) in points {
                ids[name] = try connection.query(
                    "INSERT INTO assessment_points (provider_id, subject, name, scale, academic_year, term) VALUES ($1, 'Maths ', $2, $3::assessment_scale, '2024/25', $4::term_name) RETURNING assessment_point_id",
                    [providerID, name, scale, term]
                ).single().decode("assessment_point_id")
            }
            let base: Int = try connection.query("SELECT min(student_id) AS base FROM students WHERE provider_id = $1", [providerID]).single().decode("base")
            let springTakers = Set(school.students.filter { ($0.scores["maths"] ?? 200) <= 140 }.prefix(40).map(\.number))
            try connection.copyIn("COPY assessment_results (assessment_point_id, scale, student_id, score, result_text, assessed_on) FROM STDIN") { writer in
                for student in school.students {
                    let id = String(base + student.number - 1)
                    if let (score, date) = summer[student.number] {
                        try writer.writeRow([String(ids["Summer exam"]!), "standardised_score", id, String(Int(score)), String(Int(score)), date.isoString])
                    }
                    // Only 40 pupils sat the spring test (5 points up, within the scale): fewer pairs than the autumn mock, and a later term.
                    if springTakers.contains(student.number), let autumn = student.scores["maths"] {
                        try writer.writeRow([String(ids["Spring test"]!), "standardised_score", id, String(Int(autumn) + 5), String(Int(autumn) + 5), "2025-03-12"])
                    }
                    try writer.writeRow([String(ids["Autumn grade"]!), "gcse", id, "5", "5", "2024-11-21"])
                }
            }
            return providerID
        }
    }

    @Test func sqlProgressAndMonthsMatchProgressRateConversionAndRecoverThePlantedRate() throws {
        let fixture = Fixture(count: 300, seed: 77)
        let students = fixture.school.students
        try TestDatabase.withMigratedDatabase { connection in
            _ = try fixture.load(into: connection)
            let queries = TermlyReportQueries(connection: connection)
            let data = try queries.data(provider: "synthetic-school", cohort: "year-11", term: "2024/25-summer")
            let subject = try #require(data.subjects.first { $0.assessment == "Summer exam" })
            let progress = try #require(subject.progress)

            // The earliest earlier point of the subject and scale: the autumn mock, not the spring
            // test (later) nor the autumn grade (another scale); subject matched ignoring case and spaces.
            #expect(progress.earlierAssessment == "Autumn mock" && progress.earlierTerm == .autumn)
            let paired = students.filter { fixture.summer[$0.number] != nil }
            #expect(progress.paired == paired.count)
            let first = paired.map { $0.scores["maths"]! }
            let second = paired.map { fixture.summer[$0.number]!.score }
            let changes = zip(first, second).map { $1 - $0 }
            expectClose(progress.meanChange, ReferenceAggregates.mean(changes), tolerance: 1e-10, "mean change")
            expectClose(progress.changeVariance, ReferenceAggregates.variance(changes), tolerance: 1e-8, "variance of change")
            let days = paired.map { Double(fixture.summer[$0.number]!.date.daysSinceEpoch - SyntheticSchool.assessedOn.daysSinceEpoch) }
            let monthsBetween = ReferenceAggregates.mean(days) / 30.4375
            expectClose(progress.monthsBetween, monthsBetween, tolerance: 1e-10, "months between")

            // The report's months against GapStatistics on the scores themselves.
            let report = TermlyGapReportBuilder().build(data)
            let row = try #require(report.attainment(subject: "Maths ", assessment: "Summer exam"))
            let conversion = try #require(row.monthsConversions.first { $0.method == "progressRate" })
            #expect(conversion.isPrimary)
            let figure = try #require(conversion.figure?.value, "\(conversion.refusal ?? "")")
            #expect(row.months?.value == figure)
            let d = students.filter { $0.isDisadvantaged && fixture.summer[$0.number] != nil }.map { fixture.summer[$0.number]!.score }
            let o = students.filter { !$0.isDisadvantaged && fixture.summer[$0.number] != nil }.map { fixture.summer[$0.number]!.score }
            let welch = try MeanScoreGap(disadvantaged: d, others: o)
            let reference = try ProgressRateConversion(first: first, second: second, monthsBetween: monthsBetween, scoreUnits: "score points (standardised_score)")
                .months(forGap: welch.value, standardError: welch.standardError)
            expectClose(figure.months.value, reference.months, tolerance: 1e-9, "months")
            expectClose(figure.months.lower, reference.confidenceInterval?.lower, tolerance: 1e-8, "months lower")
            expectClose(figure.months.upper, reference.confidenceInterval?.upper, tolerance: 1e-8, "months upper")
            expectClose(figure.ratePerMonth?.value, reference.ratePerMonth, tolerance: 1e-10, "rate")
            #expect(figure.studentCount == paired.count)
            #expect(figure.rateUnits == reference.rateUnits)
            expectClose(figure.monthsBetween?.value, monthsBetween, tolerance: 1e-10, "months between")
            #expect(figure.comparedWith == "Autumn mock (autumn)")

            // The planted rate lies inside the rate's interval, which is narrow (paired changes).
            let rate = try #require(figure.ratePerMonth)
            let lower = try #require(rate.lower), upper = try #require(rate.upper)
            #expect(lower <= Self.plantedRate && Self.plantedRate <= upper, "planted \(Self.plantedRate), estimated \(rate.value) (\(lower) to \(upper))")
            #expect(upper - lower < 0.4)
            // Half a standard deviation behind (7.5 points) at 1.5 points a month is about 5 months.
            #expect(figure.months.value > 2 && figure.months.value < 9, "\(figure.months.value) months")

            // Every format names the conversion and its inputs.
            let table = TerminalReportRenderer.render(report)
            #expect(table.contains("Progress rate (primary)"))
            #expect(table.contains("since Autumn mock (autumn)"))
            let csv = try CSVReader(string: CSVReportRenderer.render(report)).readAll()
            let rateRow = try #require(csv.first { $0.fields[6] == "rate_per_month:progressRate" && $0.fields[5] == "Summer exam" })
            #expect(rateRow.fields[8] == rate.plainText && rateRow.fields[11] == String(paired.count))
            #expect(MarkdownReportRenderer.render(report).contains("| Progress rate (primary) |"))
            #expect(HTMLReportRenderer.render(report).contains("<h3>Months of learning</h3>"))
        }
    }

    @Test func withoutAnEarlierAssessmentTheEducationalAgeIsTheFigureAndTheRefusalIsStated() throws {
        let fixture = Fixture(count: 200, seed: 5)
        try TestDatabase.withMigratedDatabase { connection in
            _ = try fixture.load(into: connection)
            let report = try TermlyReportQueries(connection: connection).report(provider: "synthetic-school", cohort: "year-11", term: "2024/25-autumn")
            let row = try #require(report.attainment(subject: "maths", assessment: "Autumn mock"))
            let progress = try #require(row.monthsConversions.first { $0.method == "progressRate" })
            #expect(progress.figure == nil && !progress.isPrimary)
            #expect(progress.refusal?.contains("no earlier assessment of this subject on the same scale this academic year") == true)
            let age = try #require(row.monthsConversions.first { $0.method == "educationalAge" })
            // SyntheticSchool plants a clear age effect in autumn maths: educational age gives a figure.
            #expect(age.isPrimary && age.figure?.value != nil)
            #expect(row.months?.value?.method == MonthsOfLearningMethod.educationalAge.rawValue)
            // The spring test exists for 40 pupils, in another term: the spring report pairs them with the autumn mock.
            let spring = try TermlyReportQueries(connection: connection).data(provider: "synthetic-school", cohort: "year-11", term: "2024/25-spring")
            let springTest = try #require(spring.subjects.first { $0.assessment == "Spring test" }?.progress)
            #expect(springTest.paired == 40 && springTest.earlierAssessment == "Autumn mock")
            expectClose(springTest.meanChange, 5, tolerance: 1e-12, "spring change")
            expectClose(springTest.changeVariance, 0, tolerance: 1e-12, "no spread")
        }
    }

    @Test func progressRateRefusals() {
        func refusal(_ progress: ProgressAggregates?) -> MonthsOfLearning.Refusal? {
            if case let .failure(refusal) = AggregateStatistics.progressRateMonths(
                scoreGap: 5, scoreGapStandardError: 1, progress: progress, scoreUnits: "points", level: 0.95) { return refusal }
            return nil
        }
        #expect(refusal(nil) == .noEarlierAssessment)
        let base = ProgressAggregates(earlierAssessment: "A", earlierTerm: .autumn, paired: 9, meanChange: 6, changeVariance: 4, monthsBetween: 6)
        #expect(refusal(base) == .statistics(.tooFewStudents(found: 9, needed: 10)))
        // The refusal never prints a count below the suppression threshold.
        #expect(refusal(base)?.description.contains("9") == false)
        #expect(refusal(base)?.description.hasPrefix("fewer than 10 students have both") == true)
        var noProgress = base
        noProgress.paired = 50
        noProgress.meanChange = -1
        #expect(refusal(noProgress) == .statistics(.rateNotPositive(rate: -1.0 / 6, units: "points per month of schooling")))
        var noisy = noProgress
        noisy.meanChange = 1
        noisy.changeVariance = 400  // SE of the change 2.8: the rate's interval reaches zero
        #expect(refusal(noisy) == .progressTooUncertain(level: 0.95))
        var clear = noisy
        clear.changeVariance = 4
        #expect(refusal(clear) == nil)
    }
}
