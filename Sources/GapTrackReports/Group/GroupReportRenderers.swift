import CSVFormat
import Foundation
import GapStatistics

/// The group report in every format (`--format table|csv|json|markdown|html`). The text formats
/// share one list of rows per subject (`GroupReportRows`), so each prints the same figures.
public enum GroupReportRenderer {
    public static func render(_ report: GroupGapReport, format: ReportFormat) throws -> String {
        switch format {
        case .table: text(report, markdown: false)
        case .markdown: text(report, markdown: true)
        case .csv: csv(report)
        case .json: try json(report)
        case .html: GroupHTMLRenderer.render(report)
        }
    }

    public static func json(_ report: GroupGapReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }

    public static func decode(_ text: String) throws -> GroupGapReport {
        try JSONDecoder().decode(GroupGapReport.self, from: Data(text.utf8))
    }

    static let schoolHeader = ["School", "Disadvantaged", "Others", "Pupils", "Gap index", "95% CI", "Months", "95% CI (months)", "Funnel"]

    /// A subject's rows: one per school, then the group's pooled row.
    static func rows(_ subject: GroupSubjectComparison) -> [[String]] {
        subject.schools.map { school in
            [school.label, school.disadvantaged.groupedText, school.others.groupedText, school.students.groupedText,
             school.gapIndex.text, school.gapIndex.intervalText, school.months?.text ?? "–", school.months?.intervalText ?? "",
             school.position.map { $0.cell(\.shortLabel) } ?? "–"]
        } + [[
            "All schools (pooled)", subject.disadvantaged.groupedText, subject.others.groupedText, subject.students.groupedText,
            subject.pooledGapIndex?.text ?? "–", subject.pooledGapIndex?.intervalText ?? "", subject.pooledMonths?.text ?? "–",
            subject.pooledMonths?.intervalText ?? "", "",
        ]]
    }

    static func nationalRows(_ report: GroupGapReport) -> [[String]] {
        report.nationalFigures.map {
            [$0.measure.label, $0.phase.label, $0.academicYearText, $0.valueText, $0.status.rawValue, "\($0.source.publisher), \($0.source.title)"]
        }
    }

    static let nationalHeader = ["Measure", "Phase", "Year", "Value", "Status", "Source"]

    static func headerLines(_ report: GroupGapReport) -> [String] {
        [
            "Group: \(report.group.name) (\(report.group.code), \(report.group.kind))",
            "Cohort: \(report.cohort.label); term: \(ReportText.term(report.term)); compares \(report.comparison) with the others.",
            report.audience.headerText(threshold: report.suppressionThreshold),
        ]
    }

    private static func text(_ report: GroupGapReport, markdown: Bool) -> String {
        var out = markdown ? "# \(report.title)\n\n" : report.title + "\n" + String(repeating: "=", count: report.title.count) + "\n"
        out += headerLines(report).map { markdown ? $0 + "\n\n" : $0 + "\n" }.joined()
        func table(_ header: [String], _ rows: [[String]]) -> String {
            if markdown {
                let line = { (cells: [String]) in "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n" }
                return line(header) + "|" + header.map { _ in " --- |" }.joined() + "\n" + rows.map(line).joined() + "\n"
            }
            var table = TextTable(header.enumerated().map { TextTable.Column($1, $0 == 0 ? .left : .right) })
            for row in rows { table.add(row) }
            return table.render(maxWidth: 140) + "\n"
        }
        func heading(_ text: String) -> String { markdown ? "## \(text)\n\n" : "\n\(text)\n\(String(repeating: "-", count: text.count))\n" }
        for subject in report.subjects {
            out += heading(subject.title)
            out += table(schoolHeader, rows(subject))
            if let funnel = subject.funnel {
                out += "Funnel plot: limits around the pooled gap index \(FixedDecimal.format(funnel.target, decimals: 2)), "
                    + "disadvantaged share \(FixedDecimal.format(100 * funnel.disadvantagedShare, decimals: 1))% (see the HTML report for the plot).\n"
                    + (markdown ? "\n" : "")
            }
        }
        if !report.schoolsWithoutData.isEmpty {
            out += heading("Schools without data for this cohort and term")
            out += table(["School", "Why"], report.schoolsWithoutData.map { ["\($0.name) (\($0.code))", $0.reason] })
        }
        out += heading("National figures")
        out += report.nationalFigures.isEmpty ? "None shown.\n" : table(nationalHeader, nationalRows(report))
        out += heading("Suppression")
        out += report.suppressionNotes.map { $0 + "\n" }.joined()
        out += heading("Method")
        out += report.method.map { "\($0.topic): \($0.text)\n" + (markdown ? "\n" : "") }.joined()
        return out
    }

    public static let csvHeader = ["group", "cohort", "term", "audience", "subject", "assessment", "school", "measure", "value", "ci_low", "ci_high", "n", "note"]

    private static func csv(_ report: GroupGapReport) -> String {
        var rows: [[String]] = []
        let prefix = [report.group.code, report.cohort.code, report.term.description, report.audience.rawValue]
        func add(_ subject: GroupSubjectComparison, _ school: String, _ measure: String, _ figure: ReportedFigure<Estimate>?, n: ReportedFigure<Int>, note: String) {
            guard let figure else { return }
            let bounds = figure.value.map { estimate in
                [estimate.lower, estimate.upper].map { $0.map { FixedDecimal.format($0, decimals: estimate.unit.decimals) } ?? "" }
            } ?? ["", ""]
            rows.append(prefix + [subject.subject, subject.assessment, school, measure, figure.text, bounds[0], bounds[1], n.text, note])
        }
        for subject in report.subjects {
            for school in subject.schools {
                let note = school.position.map { $0.cell(\.label) } ?? ""
                add(subject, school.code, "gap_index", school.gapIndex, n: school.students, note: note)
                add(subject, school.code, "months", school.months, n: school.students, note: "")
                for (measure, count) in [("disadvantaged", school.disadvantaged), ("others", school.others)] {
                    rows.append(prefix + [subject.subject, subject.assessment, school.code, measure, count.text, "", "", count.text, ""])
                }
            }
            add(subject, "all", "pooled_gap_index", subject.pooledGapIndex, n: subject.students, note: "pooled over the schools")
            add(subject, "all", "pooled_months", subject.pooledMonths, n: subject.students, note: "pooled over the schools")
            if let funnel = subject.funnel {
                for point in funnel.curve {
                    for (measure, lower, upper) in [("funnel_95", point.lower95, point.upper95), ("funnel_99_8", point.lower998, point.upper998)] {
                        rows.append(prefix + [subject.subject, subject.assessment, "all", measure, FixedDecimal.format(funnel.target, decimals: 4),
                                              FixedDecimal.format(lower, decimals: 4), FixedDecimal.format(upper, decimals: 4),
                                              FixedDecimal.format(point.cohortSize, decimals: 4), "control limits at this cohort size"])
                    }
                }
            }
        }
        for figure in report.nationalFigures {
            rows.append(prefix + ["", "", "england", figure.measure.rawValue, figure.valueText, "", "", "",
                                  "\(figure.phase.label) \(figure.academicYearText), \(figure.source.publisher)"])
        }
        return CSVWriter.document(header: csvHeader, rows: rows.map { $0.map(SpreadsheetSafeText.cell) })
    }
}
