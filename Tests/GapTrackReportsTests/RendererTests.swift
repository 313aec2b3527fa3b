import CSVFormat
import Foundation
import GapStatistics
@testable import GapTrackReports
import Testing

@Suite struct RendererTests {
    let report = SampleReport.report()

    @Test(arguments: ReportFormat.allCases)
    func everyFormatIsByteIdenticalForTheSameData(format: ReportFormat) throws {
        let first = try format.render(SampleReport.report())
        let second = try format.render(SampleReport.report())
        #expect(first == second)
        #expect(!first.isEmpty)
        #expect(first.hasSuffix("\n"))
    }

    @Test func numbersAreFormattedWithFixedDecimalsAndNoNegativeZero() {
        #expect(FixedDecimal.format(3.914, decimals: 2) == "3.91")
        #expect(FixedDecimal.format(3.916, decimals: 2) == "3.92")
        #expect(FixedDecimal.format(2.5, decimals: 0) == "3")
        #expect(FixedDecimal.format(-2.5, decimals: 0) == "-3")
        #expect(FixedDecimal.format(-0.004, decimals: 2) == "0.00")
        #expect(FixedDecimal.format(5, decimals: 2) == "5.00")
        #expect(FixedDecimal.format(-1.06, decimals: 1) == "-1.1")
        #expect(FixedDecimal.format(12_345.678, decimals: 1) == "12345.7")
        #expect(FixedDecimal.format(0.0123456, decimals: 5) == "0.01235")
        #expect(FixedDecimal.grouped(25_200) == "25,200")
        #expect(FixedDecimal.grouped(999) == "999")
        #expect(FixedDecimal.round(3.14159, decimals: 2) == 3.14)
        #expect(ReportText.timestamp(Date(timeIntervalSince1970: 1_736_501_234)) == "2025-01-10 09:27:14 UTC")
    }

    @Test func intervalsAreCompactForPercentagesAndBracketedForTerminalColumns() {
        let rate = ReportedFigure.value(Estimate(94.12, unit: .percent, lower: 93.24, upper: 95.0, method: "test"))
        #expect(ReportText.compactInterval(rate) == "94.1 (93.2–95.0)")
        let index = ReportedFigure.value(Estimate(1.154, unit: .gapIndex, lower: 0.591, upper: 1.716, method: "test"))
        #expect(ReportText.bracketed(index) == "1.15 [0.59, 1.72]")
        #expect(ReportText.compactInterval(.value(Estimate(2.5, unit: .percent))) == "2.5")
        #expect(ReportText.bracketed(.value(Estimate(2.5, unit: .gapIndex))) == "2.50")
        #expect(ReportText.bracketed(nil) == "n/a")
        let hidden = ReportedFigure<Estimate>.suppressed(.groupBelowThreshold(group: "disadvantaged", threshold: 10))
        #expect(ReportText.compactInterval(hidden) == "c" && ReportText.bracketed(hidden) == "c")
    }

    @Test func theTerminalTableFitsInOneHundredColumns() {
        let text = TerminalReportRenderer.render(report)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            #expect(line.count <= 100, "too wide (\(line.count)): \(line)")
        }
        #expect(text.contains("Termly gap report: Demo Academy, Year 11, 2024/25 autumn"))
        #expect(text.contains("Data cut: 2025-01-10 09:27:14 UTC, from 5 imports"))
    }

    @Test func longNamesWrapInsideOneHundredColumns() {
        var data = SampleReport.data()
        data.subjects[0].assessment = "Year 11 autumn term standardised assessment, second sitting"
        data.supportByType[0].label = "A very long locally defined intervention type name for a programme"
        let text = TerminalReportRenderer.render(TermlyGapReportBuilder().build(data))
        for line in text.split(separator: "\n") {
            #expect(line.count <= 100, "too wide (\(line.count)): \(line)")
        }
        #expect(text.contains("english (Year 11 autumn term"))
    }

    @Test func theTerminalTableShowsTheGapIndexWithItsInterval() throws {
        let maths = try #require(report.attainment(subject: "maths")?.gapIndex.value)
        let text = TerminalReportRenderer.render(report)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("  maths (Autumn mock)") })
        #expect(line.contains(FixedDecimal.format(maths.value, decimals: 2)))
        #expect(line.contains(try #require(maths.intervalText)))
    }

    @Test func csvIsOneTidyTableThatReadsBack() throws {
        let text = CSVReportRenderer.render(report)
        let rows = try CSVReader(string: text).readAll()
        #expect(rows.first?.fields == CSVReportRenderer.header)
        #expect(rows.dropFirst().allSatisfy { $0.fields.count == CSVReportRenderer.header.count })
        let maths = try #require(report.attainment(subject: "maths")?.gapIndex.value)
        let row = try #require(rows.first { $0.fields[3] == "attainment" && $0.fields[4] == "maths" && $0.fields[6] == "gap_index" })
        #expect(row.fields[8] == maths.plainText)
        #expect(row.fields[9] == FixedDecimal.format(try #require(maths.lower), decimals: 2))
        #expect(row.fields[11] == String(try #require(report.attainment(subject: "maths")?.disadvantaged.value?.students)
            + (try #require(report.attainment(subject: "maths")?.others.value?.students))))
        let lookedAfter = try #require(rows.first { $0.fields[3] == "group_sizes" && $0.fields[7] == "looked_after" && $0.fields[6] == "students" })
        #expect(lookedAfter.fields[8] == "c" && lookedAfter.fields[13] == "fewer than 10 students")
        #expect(rows.allSatisfy { $0.fields[0] == "provider" || $0.fields[0] == "demo-academy" })
        // Trend rows carry the term they are about.
        #expect(rows.contains { $0.fields[3] == "trend" && $0.fields[2] == "2024/25-spring" } == false)
        #expect(rows.contains { $0.fields[3] == "trend" && $0.fields[2] == "2023/24-summer" })
    }

    @Test func jsonHasSortedKeysRoundedNumbersAndReadsBack() throws {
        let text = try JSONReportRenderer.render(report)
        let decoded = try JSONReportRenderer.decode(text)
        #expect(try JSONReportRenderer.render(decoded) == text)
        let maths = try #require(decoded.attainment(subject: "maths")?.gapIndex.value)
        let original = try #require(report.attainment(subject: "maths")?.gapIndex.value)
        #expect(maths.value == FixedDecimal.round(original.value, decimals: 2))
        #expect(decoded.groupSize(.lookedAfter)?.students == .suppressed(.belowThreshold(threshold: 10)))
        #expect(text.contains("\"suppressed\" : \"c\""))
        // Keys are sorted at every level: "attainment" comes before "attendance" before "cohort".
        let attainment = try #require(text.range(of: "\"attainment\""))
        let attendance = try #require(text.range(of: "\"attendance\""))
        let cohort = try #require(text.range(of: "\"cohort\""))
        #expect(attainment.lowerBound < attendance.lowerBound && attendance.lowerBound < cohort.lowerBound)
    }

    @Test func markdownTablesHaveOneCellPerColumn() {
        let text = MarkdownReportRenderer.render(report)
        var columns: Int?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("|") else { columns = nil; continue }
            let count = line.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count
            if let columns { #expect(count == columns, "\(line)") } else { columns = count }
        }
        #expect(text.contains("## Attainment gap"))
        #expect(text.contains("| Looked after or previously looked after (LAC/PLAC) | c | c |"))
    }

    @Test func htmlIsSelfContainedAndPrintsOnA4() {
        let html = HTMLReportRenderer.render(report)
        for forbidden in ["<script", "<link", "src=", "href=", "@import", "url(", "<img", "<iframe", "@font-face"] {
            #expect(!html.contains(forbidden), "the page must not fetch anything: found \(forbidden)")
        }
        for chart in ["chart-gap-index", "chart-attendance", "chart-persistent-absence", "chart-trend"] {
            #expect(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"\(chart)\""))
        }
        #expect(html.contains("@page { size: A4 portrait;"))
        #expect(html.contains("@media print"))
        #expect(html.contains("<td class=\"num suppressed\">c</td>"))
        #expect(!html.contains("nan") && !html.contains("inf\""))
    }
}
