import GapTrackStore
import GapStatistics

/// The report as aligned plain-text tables that read well in a 100-column terminal: the
/// default output of `gaptrack report`.
public enum TerminalReportRenderer {
    public static let width = 100

    public static func render(_ report: TermlyGapReport) -> String {
        var out = ""
        let title = report.title
        out += title + "\n" + String(repeating: "=", count: min(title.count, width)) + "\n"
        out += "Provider: \(report.provider.name) (\(report.provider.code), \(ReportText.kind(report.provider.kind)))\n"
        out += "Cohort: \(report.cohort.label) (\(report.cohort.code))    Term: \(ReportText.term(report.term))\n"
        out += wrapText(
            "Compared: \(report.comparison.students) against \(report.comparison.othersStudents) (--compare \(report.comparison.rawValue))",
            width: width, indent: "", hangingIndent: "  ")
        out += "Data cut: \(ReportText.dataCut(report.dataCut))\n"
        out += wrapText(report.audience.headerText(threshold: report.suppressionThreshold), width: width, indent: "")
        out += section("1. Group sizes") + groupSizes(report)
        out += section("2. Attainment gap: \(report.comparison.students) against \(report.comparison.othersStudents)") + attainment(report)
        if let ks4 = KeyStage4Rendering(report: report) { out += section("2a. KS4 measures from the school's own results") + ks4.terminal }
        out += section("3. Attendance by group") + attendance(report)
        let yearGroups = YearGroupTables(report: report)
        if !yearGroups.isEmpty {
            out += section("3a. " + yearGroups.sectionTitle) + yearGroups.tables.map { table in
                let numeric = YearGroupTables.numericColumns(table)
                var text = TextTable(table.headings.indices.map { numeric.contains($0) ? .init(table.headings[$0]) : .init(table.headings[$0], .left) })
                for row in table.rows { text.add(row) }
                return "  " + table.title + "\n" + text.render()
            }.joined(separator: "\n") + wrapText(yearGroups.note, width: width)
        }
        out += section("4. Support and interventions delivered this term") + support(report)
        if !report.impact.isEmpty { out += section("4a. Intervention impact") + report.impact.map(ImpactTerminalRenderer.section).joined() }
        out += DrillDownSections.terminal(report)
        out += section("5. Trend over earlier terms") + trend(report)
        out += section("6. National figures for comparison") + national(report)
        out += section("7. Suppression applied") + suppression(report)
        out += section("8. Data cut") + dataCut(report)
        out += section("9. Method") + method(report)
        return out
    }

    /// A label cut to `length` characters with "…", so that a provider's long type names keep
    /// the table inside 100 columns.
    static func truncated(_ text: String, to length: Int) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }

    private static func section(_ title: String) -> String {
        "\n" + title + "\n" + String(repeating: "-", count: title.count) + "\n"
    }

    private static func groupSizes(_ report: TermlyGapReport) -> String {
        var table = TextTable([.init("Group", .left), .init("Students"), .init("% of cohort")])
        var family: ReportGroup.Family?
        for row in report.groupSizes {
            table.add([row.group.label, row.students.groupedText, row.percentText], ruleBefore: family != nil && family != row.group.family)
            family = row.group.family
        }
        return table.render()
    }

    private static func attainment(_ report: TermlyGapReport) -> String {
        guard !report.attainment.isEmpty else { return "  No assessment results for this cohort in this term.\n" }
        // Universities get no months of learning (`ReportText.noMonths`): no columns for them.
        let withMonths = report.provider.kind != .university
        var gaps = TextTable([
            .init("Subject (assessment)", .left), .init("n \(report.comparison.shortLabel)"), .init("n others"), .init("Gap index"), .init("95% CI"),
        ] + (withMonths ? [.init("Months*"), .init("95% CI")] : []))
        var scores = TextTable([
            .init("Subject (assessment)", .left), .init("\(ReportText.comparedHeading(report.comparison)) mean (SD)"), .init("Others mean (SD)"), .init("Score gap [95% CI]"),
            .init("Hedges g [95% CI]"),
        ])
        var notes = [String]()
        for row in report.attainment {
            gaps.add([
                row.title, ReportText.students(row.disadvantaged), ReportText.students(row.others), row.gapIndex.text, row.gapIndex.intervalText,
            ] + (withMonths ? [ReportText.months(row.months), ReportText.monthsInterval(row.months)] : []))
            scores.add([
                row.title, ReportText.scores(row.disadvantaged), ReportText.scores(row.others), ReportText.bracketed(row.meanScoreGap),
                ReportText.bracketed(row.hedgesG),
            ])
            notes += row.notes.map { "\(row.title): \($0)" }
        }
        let word = report.comparison.groupWord
        var out = gaps.render() + "\n" + scores.render()
        out += wrapText(
            "Gap index: DfE method, 20 × (mean percentile rank of others − of \(word) students), 95% CI from DeLong's variance. "
                + "Score gap: others − \(word) students, Welch 95% CI. Positive figures mean \(report.comparison.students) are behind."
                + (withMonths ? " *Months: the primary conversion, below." : ""),
            width: width)
        for note in notes { out += wrapText("• " + note, width: width, indent: "  ", hangingIndent: "    ") }
        return out + "\n" + months(report)
    }

    /// The gap in months by each conversion, with its inputs (rate per month, months between the
    /// assessments, students) and, below, how each was made or why it was not.
    private static func months(_ report: TermlyGapReport) -> String {
        var table = TextTable([
            .init("Months of learning", .left), .init("Conversion", .left), .init("Months"), .init("95% CI"), .init("Rate/month"),
            .init("Between"), .init("n"),
        ])
        var lines = [String]()
        for row in report.attainment {
            guard !row.monthsConversions.isEmpty else {
                if row.months != nil { table.add([Self.truncated(row.title, to: 26), "–", ReportText.months(row.months), "", "", "", ""]) }
                continue
            }
            for conversion in row.monthsConversions {
                let figure = conversion.figure?.value
                table.add([
                    Self.truncated(row.title, to: 26), ReportText.conversionLabel(conversion), ReportText.months(conversion),
                    ReportText.monthsInterval(conversion.figure), figure?.ratePerMonth?.plainText ?? "", figure?.monthsBetween?.plainText ?? "",
                    figure.map { FixedDecimal.grouped($0.studentCount) } ?? "",
                ])
                if let explanation = ReportText.monthsExplanation(conversion) {
                    lines.append("\(row.title), \(conversion.label.lowercased()): \(explanation)")
                }
            }
        }
        guard !table.rows.isEmpty else { return wrapText(ReportText.noMonths(report), width: width) }
        var out = table.render()
        for line in lines { out += wrapText("• " + line, width: width, indent: "  ", hangingIndent: "    ") }
        return out
    }

    private static func attendance(_ report: TermlyGapReport) -> String {
        let section = report.attendance
        guard !section.rows.isEmpty else { return "  No attendance marks for this cohort in this term.\n" }
        var table = TextTable([
            .init("Group", .left), .init("Students"), .init("Attendance %"), .init("Persistent absence %"), .init("Severe absence %"),
        ])
        var family: ReportGroup.Family?
        for row in section.rows {
            table.add(
                [ReportText.shortLabel(row.group), row.students.groupedText, ReportText.bracketed(row.attendance),
                 ReportText.bracketed(row.persistentAbsence), ReportText.bracketed(row.severeAbsence)],
                ruleBefore: family != nil && family != row.group.family)
            family = row.group.family
        }
        var out = table.render()
        let word = report.comparison.groupWord
        out += "  Attendance gap (others − \(word)): \(ReportText.withInterval(section.attendanceGap)) percentage points\n"
        out += "  Persistent absence gap (\(word) − others): \(ReportText.withInterval(section.persistentAbsenceGap)) percentage points\n"
        out += wrapText(
            "95% confidence intervals in brackets. Persistent absence: 10% or more of a student's own possible sessions missed; "
                + "severe: 50% or more (DfE).",
            width: width)
        return out
    }

    private static func support(_ report: TermlyGapReport) -> String {
        let section = report.support
        guard !section.byType.isEmpty else { return "  No support or interventions took place in this term.\n" }
        var table = TextTable([
            .init("Type", .left), .init("Students"), .init(ReportText.comparedHeading(report.comparison)), .init("Sessions"), .init("Hours"), .init("Spend"),
            .init("Per student"),
        ])
        for row in section.byType + [section.total] {
            table.add(
                [Self.truncated(row.label, to: 36), row.students.groupedText, row.disadvantagedStudents.groupedText, row.sessions.groupedText, row.hours.text, row.spend.text,
                 row.spendPerStudent.text],
                ruleBefore: row.type == nil)
        }
        var out = table.render()
        if !section.byFundingSource.isEmpty {
            var funding = TextTable([.init("Funding source", .left), .init("Students"), .init("Spend")])
            for row in section.byFundingSource { funding.add([row.label, row.students.groupedText, row.spend.text]) }
            out += "\n" + funding.render()
        }
        return out
    }

    private static func trend(_ report: TermlyGapReport) -> String {
        let terms = Array(Set(report.trend.flatMap { $0.points.map(\.term) })).sorted()
        guard !terms.isEmpty else { return "  No earlier terms with data.\n" }
        var table = TextTable([.init("Measure", .left)] + terms.map { .init(ReportText.shortTerm($0)) })
        for series in report.trend {
            let cells = terms.map { term in series.points.first { $0.term == term }.map(\.value.text) ?? "–" }
            table.add([series.label] + cells)
        }
        return table.render()
    }

    private static func national(_ report: TermlyGapReport) -> String {
        guard !report.nationalComparison.isEmpty else {
            return "  No national figure matches this cohort (national gap figures exist for early years, KS2 and KS4).\n"
        }
        var table = TextTable([
            .init("Measure", .left), .init("Phase", .left), .init("Year", .left), .init("England"), .init("Status", .left),
            .init("This cohort"),
        ])
        var out = ""
        var sources = [String]()
        for row in report.nationalComparison {
            let national = row.national
            table.add([
                national.measure.label, national.phase.label, national.academicYearText, national.valueText, national.status.rawValue,
                ReportText.local(row),
            ])
            let source = "\(national.source.publisher), \(national.source.title), \(national.source.url)"
            if !sources.contains(source) { sources.append(source) }
        }
        out += table.render()
        for row in report.nationalComparison where row.local != nil {
            if let label = row.localLabel { out += wrapText("This cohort: " + label, width: width) }
        }
        for source in sources { out += wrapText("Source: " + source, width: width, indent: "  ", hangingIndent: "    ") }
        return out + nationalContext(report)
    }

    private static func nationalContext(_ report: TermlyGapReport) -> String {
        guard let pairs = report.nationalContext, !pairs.isEmpty else { return "" }
        var out = "\n" + wrapText(ReportText.nationalContextIntroduction(pairs), width: width)
        var table = TextTable([
            .init("Measure (group v. others)", .left), .init("Phase", .left), .init("Period", .left), .init("Group"), .init("Others"),
            .init("Status", .left),
        ])
        var sources = [String]()
        for pair in pairs {
            table.add([pair.title, pair.phase.label, pair.periodText, pair.groupText, pair.othersText, pair.status.rawValue])
            let source = "\(pair.source.publisher), \(pair.source.title), \(pair.source.url)"
            if !sources.contains(source) { sources.append(source) }
        }
        out += table.render()
        for source in sources { out += wrapText("Source: " + source, width: width, indent: "  ", hangingIndent: "    ") }
        return out
    }

    private static func suppression(_ report: TermlyGapReport) -> String {
        guard !report.suppressionNotes.isEmpty else { return "  Nothing was suppressed.\n" }
        return report.suppressionNotes.map { wrapText("• " + $0, width: width, indent: "  ", hangingIndent: "    ") }.joined()
    }

    private static func dataCut(_ report: TermlyGapReport) -> String {
        guard !report.dataCut.imports.isEmpty else { return "  No imports recorded.\n" }
        var table = TextTable([.init("Kind", .left), .init("File", .left), .init("Rows"), .init("Imported", .left), .init("SHA-256", .left)])
        for record in report.dataCut.imports {
            table.add([
                record.kind, record.file, record.rows.map(FixedDecimal.grouped) ?? "", ReportText.timestamp(record.importedAt),
                String(record.checksum.prefix(16)) + (record.checksum.count > 16 ? "…" : ""),
            ])
        }
        return table.render()
    }

    private static func method(_ report: TermlyGapReport) -> String {
        report.method.map { wrapText("\($0.topic): \($0.text)", width: width, indent: "  ", hangingIndent: "    ") }.joined()
    }
}
