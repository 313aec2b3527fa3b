import CSVFormat
import Foundation
import GapStatistics
import GapTrackDomain
@testable import GapTrackReports
import GapTrackStore
import Testing

/// The impact report in every format, made from aggregates (no database): deterministic,
/// suppressed cells marked `c`, refusals in words, the termly report's CSV columns.
@Suite struct ImpactRendererTests {
    static let provider = ReportProvider(code: "demo-academy", name: "Demo Academy", kind: .school)

    static func schoolData(participantsPerStratum: Int = 20) -> ImpactData {
        var g = SeededGenerator(seed: 11)
        func moments(_ count: Int, mean: Double, sd: Double) -> OutcomeMoments? {
            OutcomeMoments((0..<count).map { _ in mean + Normal.sample(mean: 0, standardDeviation: sd, using: &g) })
        }
        let bands = ["lower third", "middle third", "upper third"]
        var attainment = [MatchedStratum]()
        var attendance = [MatchedStratum]()
        for disadvantaged in [true, false] {
            for (index, band) in bands.enumerated() {
                let key = "11 | \(disadvantaged) | \(band)"
                let n = max(1, participantsPerStratum - 5 * index)
                attainment.append(MatchedStratum(key: key, participants: moments(n, mean: 0.35, sd: 0.6), comparison: moments(3 * n, mean: 0.05, sd: 0.6)))
                attendance.append(MatchedStratum(key: key, participants: moments(n, mean: 1.5, sd: 4), comparison: moments(3 * n, mean: 0.2, sd: 4)))
            }
        }
        attainment.append(MatchedStratum(key: "11 | true | no band", participants: moments(3, mean: 0, sd: 1), comparison: nil))
        let participants = attainment.reduce(0) { $0 + ($1.participants?.count ?? 0) } + 12
        return ImpactData(
            provider: provider, intervention: .type(.tutoring), cohort: ReportCohort(code: "year-11", label: "Year 11"),
            period: ImpactPeriod(from: CalendarDate(year: 2024, month: 8, day: 1)!, to: CalendarDate(year: 2025, month: 7, day: 31)!),
            before: try! AssessmentPointSelector(parsing: "maths@2024/25-autumn"), after: try! AssessmentPointSelector(parsing: "maths@2024/25-summer"),
            imports: [ImportRecord(kind: "assessments", file: "assessments.csv", checksum: String(repeating: "ab", count: 32),
                                   importedAt: Date(timeIntervalSince1970: 1_736_500_000), rows: 5400)],
            design: .school(SchoolImpactAggregates(
                participants: participants, comparisonPool: 300, excluded: 4, priorBand: .beforeTerciles, attainment: attainment,
                attendance: attendance,
                standardisation: [CohortStandardisation(
                    cohort: "11", beforeStudents: 180, beforeStandardDeviation: 14.2, method: "change over before SD", banding: "ks2")])),
            spend: SpendAggregates(
                byFundingSource: [SpendLine(code: "pupil_premium", label: "Pupil premium", students: participants - 5, spend: try! PoundsAndPence(pence: 2_000_001)),
                                  SpendLine(code: "recovery", label: "Recovery premium", students: 5, spend: try! PoundsAndPence(pence: 150_000))],
                byType: [SpendLine(code: "tutoring", label: "Tutoring", students: participants, spend: try! PoundsAndPence(pence: 2_150_001))],
                total: SpendLine(code: nil, label: "All participants", students: participants, spend: try! PoundsAndPence(pence: 2_150_001)),
                recordsWithoutAmount: 0))
    }

    static func report(_ data: ImpactData = schoolData()) -> ImpactReport {
        let report = ImpactReportBuilder().build(data)
        #expect(throws: Never.self) { try ImpactDisclosureTests.expectNothingRecoverable(report, data) }
        return report
    }

    @Test(arguments: ReportFormat.allCases)
    func everyFormatIsDeterministic(format: ReportFormat) throws {
        let first = try format.render(Self.report())
        let second = try format.render(Self.report())
        #expect(first == second)
        #expect(first.contains("demo-academy") || first.contains("Demo Academy"))
    }

    @Test func terminalReportFitsAHundredColumnsAndSaysWhatItFound() throws {
        let text = try ReportFormat.table.render(Self.report())
        for line in text.split(separator: "\n") {
            #expect(line.count <= 100, "too wide (\(line.count)): \(line)")
        }
        let report = Self.report()
        #expect(report.summary.first?.hasPrefix("Maths progress, 2024/25 autumn to 2024/25 summer: participants made more progress than matched comparison students") == true)
        #expect(report.summary.last?.contains("per participant per month of additional progress") == true)
        #expect(text.contains("1. Summary") && text.contains("per participant per month"))
        // The recovery premium paid for 5 students: withheld, and so is the other source.
        #expect(text.contains("Recovery premium") && !text.contains("£1,500.00"))
    }

    @Test func csvHasTheTermlyColumnsAndOneFigurePerRow() throws {
        let report = Self.report()
        let rows = try CSVReader(string: try ReportFormat.csv.render(report)).readAll()
        #expect(rows.first?.fields == CSVReportRenderer.header)
        #expect(rows.dropFirst().allSatisfy { $0.fields.count == CSVReportRenderer.header.count })
        let effect = try #require(rows.first { $0.fields[3] == "impact" && $0.fields[6] == "effect" && $0.fields[7] == "attainment" })
        let estimate = try #require(report.outcome("attainment")?.effect)
        #expect(effect.fields[8] == estimate.plainText && effect.fields[9] == ImpactCSVRenderer.interval(estimate).low)
        let recovery = try #require(rows.first { $0.fields[3] == "impact_spend" && $0.fields[6] == "spend" && $0.fields[7] == "funding_source:recovery" })
        #expect(recovery.fields[8] == "c" && recovery.fields[13] == "fewer than 10 students")
        // Without the data cut and method, the rows a termly report appends.
        #expect(!ImpactCSVRenderer.rows(report).contains { $0[3] == "method" || $0[3] == "data_cut" })
    }

    @Test func jsonRoundTripsAsPublished() throws {
        let json = try ReportFormat.json.render(Self.report())
        let decoded = try ImpactJSONRenderer.decode(json)
        #expect(try ImpactJSONRenderer.render(decoded) == json)
        #expect(json.contains("\"suppressed\" : \"c\""))
    }

    @Test func htmlIsSelfContainedWithAChart() throws {
        let html = try ReportFormat.html.render(Self.report())
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<svg") && html.contains("chart-impact-effect"))
        for external in ["<script", "<link", "src=", "@import"] { #expect(!html.contains(external), "\(external) in a self-contained page") }
        #expect(html.contains("<td class=\"num suppressed\">c</td>"))
    }

    @Test func embeddableSectionsHaveNoDataCutOrMethod() {
        let report = Self.report()
        let markdown = ImpactMarkdownRenderer.section(report, level: 3)
        #expect(markdown.contains("### Summary") && !markdown.contains("## Method") && !markdown.contains("### Method"))
        let terminal = ImpactTerminalRenderer.section(report)
        #expect(terminal.contains(report.title) && !terminal.contains("Method"))
        let html = ImpactHTMLRenderer.section(report, headingLevel: 3)
        #expect(html.contains("<h3>Summary</h3>") && !html.contains("<html"))
    }

    @Test func anEffectWhoseIntervalIncludesZeroHasNoPricePerMonth() throws {
        var data = Self.schoolData()
        var school = try #require(data.design.school, "the school fixture must have a school design")
        // Same spread, no difference: participants and comparison students with equal means.
        school.attainment = school.attainment.map { stratum in
            var copy = stratum
            if let c = stratum.comparison, var p = stratum.participants { p.mean = c.mean; copy.participants = p }
            return copy
        }
        data.design = .school(school)
        let report = Self.report(data)
        let attainment = try #require(report.outcome("attainment"))
        #expect(attainment.effect != nil && !attainment.isPositiveAndClear)
        #expect(report.costEffectiveness.poundsPerMonth == nil)
        #expect(report.costEffectiveness.statement.hasPrefix("No measurable impact, so no cost per month is given"))
        #expect(attainment.finding.contains("no measurable difference"))
    }

    @Test func tooFewMatchedComparisonStudentsIsARefusal() throws {
        var data = Self.schoolData()
        var school = try #require(data.design.school, "the school fixture must have a school design")
        school.attainment = school.attainment.map { stratum in
            var copy = stratum
            copy.comparison = stratum.comparison.map { OutcomeMoments(count: 1, mean: $0.mean, variance: nil) }
            return copy
        }
        data.design = .school(school)
        let report = Self.report(data)
        let attainment = try #require(report.outcome("attainment"))
        #expect(attainment.effect == nil)
        #expect(attainment.refusal == "No estimate: fewer than 10 comparison students could be matched, too few to say anything (and below the anonymity threshold of 10).")
        #expect(attainment.comparison.isSuppressed)
        #expect(try ReportFormat.markdown.render(report).contains("no estimate"))
    }
}

extension ImpactData.Design {
    /// The school aggregates, or nil for another design, so that a test can `#require` them.
    var school: SchoolImpactAggregates? {
        if case let .school(school) = self { return school }
        return nil
    }
}
