import GapStatistics

/// The report as GitHub-flavoured Markdown: headings and pipe tables, for pasting into a
/// governors' paper or a wiki.
public enum MarkdownReportRenderer {
    public static func render(_ report: TermlyGapReport) -> String {
        var out = "# " + escape(report.title) + "\n\n"
        out += "- **Provider:** \(escape(report.provider.name)) (`\(report.provider.code)`, \(report.provider.kind.rawValue))\n"
        out += "- **Cohort:** \(escape(report.cohort.label)) (`\(report.cohort.code)`)\n"
        out += "- **Term:** \(ReportText.term(report.term))\n"
        out += "- **Compared:** \(escape(report.comparison.students)) against \(escape(report.comparison.othersStudents)) (`--compare \(report.comparison.rawValue)`)\n"
        out += "- **Data cut:** \(ReportText.dataCut(report.dataCut))\n\n"
        out += "_" + escape(report.audience.headerText(threshold: report.suppressionThreshold)) + "_\n"

        out += "\n## Group sizes\n\n"
        out += table(["Group", "Students", "% of cohort"], right: [1, 2],
                     report.groupSizes.map { [$0.group.label, $0.students.groupedText, $0.percentText] })

        out += "\n## Attainment gap: \(escape(report.comparison.students)) against \(escape(report.comparison.othersStudents))\n\n"
        if report.attainment.isEmpty {
            out += "No assessment results for this cohort in this term.\n"
        } else {
            // Universities get no months of learning (`ReportText.noMonths`): no column for them.
            let withMonths = report.provider.kind != .university
            out += table(
                ["Subject (assessment)", "n \(report.comparison.groupWord)", "n others", "Gap index (95% CI)"] + (withMonths ? ["Months, primary (95% CI)"] : [])
                    + ["Score gap (95% CI)", "Hedges g (95% CI)"],
                right: Set(1...(withMonths ? 6 : 5)),
                report.attainment.map { row in
                    [row.title, ReportText.students(row.disadvantaged), ReportText.students(row.others), ReportText.withInterval(row.gapIndex)]
                        + (withMonths ? [ReportText.monthsWithInterval(row.months)] : [])
                        + [ReportText.withInterval(row.meanScoreGap), ReportText.withInterval(row.hedgesG)]
                })
            out += "\n"
            for row in report.attainment {
                for note in row.notes { out += "- \(escape(row.title)): \(escape(note))\n" }
            }
            out += "\n### Months of learning\n\n"
            var rows = [[String]]()
            var lines = [String]()
            for row in report.attainment {
                guard !row.monthsConversions.isEmpty else {
                    if row.months != nil { rows.append([row.title, "–", ReportText.months(row.months), "", "", ""]) }
                    continue
                }
                for conversion in row.monthsConversions {
                    let figure = conversion.figure?.value
                    rows.append([
                        row.title, ReportText.conversionLabel(conversion), ReportText.monthsWithInterval(conversion.figure),
                        figure?.ratePerMonth.map { ReportText.withInterval(.value($0)) } ?? "", figure?.monthsBetween?.plainText ?? "",
                        figure.map { FixedDecimal.grouped($0.studentCount) } ?? "",
                    ])
                    if let explanation = ReportText.monthsExplanation(conversion) {
                        lines.append("- \(escape(row.title)), \(escape(conversion.label.lowercased())): \(escape(explanation))\n")
                    }
                }
            }
            if rows.isEmpty {
                out += escape(ReportText.noMonths(report)) + "\n"
            } else {
                out += table(["Subject (assessment)", "Conversion", "Months (95% CI)", "Rate per month (95% CI)", "Months between", "n"], right: [2, 3, 4, 5], rows)
                out += "\n" + lines.joined()
            }
        }

        if let ks4 = KeyStage4Rendering(report: report) { out += "\n## KS4 measures from the school's own results\n" + ks4.markdown }
        out += "\n## Attendance by group\n\n"
        out += table(
            ["Group", "Students", "Attendance % (95% CI)", "Persistent absence % (95% CI)", "Severe absence % (95% CI)"], right: [1, 2, 3, 4],
            report.attendance.rows.map {
                [$0.group.label, $0.students.groupedText, ReportText.compactInterval($0.attendance), ReportText.compactInterval($0.persistentAbsence),
                 ReportText.compactInterval($0.severeAbsence)]
            })
        let word = escape(report.comparison.groupWord)
        out += "\n- Attendance gap (others − \(word)): \(ReportText.withInterval(report.attendance.attendanceGap)) percentage points\n"
        out += "- Persistent absence gap (\(word) − others): \(ReportText.withInterval(report.attendance.persistentAbsenceGap)) percentage points\n"

        let yearGroups = YearGroupTables(report: report)
        if !yearGroups.isEmpty {
            out += "\n## \(yearGroups.sectionTitle)\n"
            for table in yearGroups.tables {
                out += "\n### \(table.title)\n\n" + self.table(table.headings, right: YearGroupTables.numericColumns(table), table.rows.map { $0.map(escape) })
            }
            out += "\n" + escape(yearGroups.note) + "\n"
        }
        out += "\n## Support and interventions delivered\n\n"
        out += report.support.byType.isEmpty ? "No support or interventions took place in this term.\n" : table(
            ["Type", "Students", report.comparison == .dfeDisadvantaged ? "Disadvantaged" : report.comparison.shortLabel, "Sessions", "Hours", "Spend", "Per student"],
            right: [1, 2, 3, 4, 5, 6],
            (report.support.byType + [report.support.total]).map {
                [$0.type == nil ? "**\($0.label)**" : $0.label, $0.students.groupedText, $0.disadvantagedStudents.groupedText, $0.sessions.groupedText, $0.hours.text,
                 $0.spend.text, $0.spendPerStudent.text]
            })
        if !report.support.byFundingSource.isEmpty {
            out += "\n" + table(["Funding source", "Students", "Spend"], right: [1, 2],
                                report.support.byFundingSource.map { [$0.label, $0.students.groupedText, $0.spend.text] })
        }

        if !report.impact.isEmpty {
            out += "\n## Intervention impact\n"
            for impact in report.impact { out += "\n### " + escape(impact.title) + "\n" + ImpactMarkdownRenderer.section(impact, level: 4) }
        }
        out += DrillDownSections.markdown(report)

        out += "\n## Trend over earlier terms\n\n"
        let terms = Array(Set(report.trend.flatMap { $0.points.map(\.term) })).sorted()
        if terms.isEmpty {
            out += "No earlier terms with data.\n"
        } else {
            out += table(["Measure"] + terms.map(ReportText.term), right: Set(1...terms.count),
                         report.trend.map { series in
                             [series.label] + terms.map { term in series.points.first { $0.term == term }.map(\.value.text) ?? "–" }
                         })
        }

        out += "\n## National figures for comparison\n\n"
        if report.nationalComparison.isEmpty {
            out += "No national figure matches this cohort.\n"
        } else {
            out += table(["Measure", "Phase", "Year", "England", "Status", "This cohort", "Source"], right: [3, 5],
                         report.nationalComparison.map {
                             [$0.national.measure.label, $0.national.phase.label, $0.national.academicYearText, $0.national.valueText,
                              $0.national.status.rawValue, ReportText.local($0), "[\($0.national.source.publisher)](\($0.national.source.url))"]
                         })
            for row in report.nationalComparison where row.local != nil {
                if let label = row.localLabel { out += "\n_This cohort: \(escape(label))_\n" }
            }
        }
        if let pairs = report.nationalContext, !pairs.isEmpty {
            out += "\n" + escape(ReportText.nationalContextIntroduction(pairs)) + "\n\n"
            out += table(["Measure (group v. others)", "Phase", "Period", "Group", "Others", "Status", "Source"], right: [3, 4],
                         pairs.map {
                             [$0.title, $0.phase.label, $0.periodText, $0.groupText, $0.othersText, $0.status.rawValue,
                              "[\($0.source.publisher)](\($0.source.url))"]
                         })
        }

        out += "\n## Suppression applied\n\n"
        out += report.suppressionNotes.isEmpty ? "Nothing was suppressed.\n" : report.suppressionNotes.map { "- " + escape($0) + "\n" }.joined()

        out += "\n## Data cut\n\n"
        out += table(["Kind", "File", "Rows", "Imported", "SHA-256"], right: [2],
                     report.dataCut.imports.map {
                         [$0.kind, $0.file, $0.rows.map(FixedDecimal.grouped) ?? "", ReportText.timestamp($0.importedAt), "`\($0.checksum)`"]
                     })

        out += "\n## Method\n\n"
        out += report.method.map { "- **\(escape($0.topic))**: \(escape($0.text))\n" }.joined()
        return out
    }

    /// A pipe table; `right` lists the columns to right-align.
    static func table(_ header: [String], right: Set<Int>, _ rows: [[String]]) -> String {
        var out = "| " + header.map(escapeCell).joined(separator: " | ") + " |\n"
        out += "|" + header.indices.map { right.contains($0) ? " ---: |" : " --- |" }.joined() + "\n"
        for row in rows { out += "| " + row.map(escapeCell).joined(separator: " | ") + " |\n" }
        return out
    }

    private static func escapeCell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    /// Escapes the characters that would start Markdown emphasis or links in running text.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            if "\\*_[]<>`|".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
