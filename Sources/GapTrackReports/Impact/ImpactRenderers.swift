import GapStatistics

extension ReportFormat {
    /// The impact report in this format; deterministic, like the termly report.
    public func render(_ report: ImpactReport) throws -> String {
        switch self {
        case .table: ImpactTerminalRenderer.render(report)
        case .csv: ImpactCSVRenderer.render(report)
        case .json: try ImpactJSONRenderer.render(report)
        case .markdown: ImpactMarkdownRenderer.render(report)
        case .html: ImpactHTMLRenderer.render(report)
        }
    }
}

/// The impact report as aligned plain text (the default of `gaptrack report impact`), built with
/// the termly report's `TextTable` and `wrapText` so that both read alike in a terminal.
public enum ImpactTerminalRenderer {
    static let width = TerminalReportRenderer.width

    public static func render(_ report: ImpactReport) -> String {
        var out = report.title + "\n" + String(repeating: "=", count: min(report.title.count, width)) + "\n"
        out += "Provider: \(report.provider.name) (\(report.provider.code), \(report.provider.kind.rawValue))\n"
        let cohort = ImpactOutcomeText.cohort(report)
        out += "Intervention: \(report.intervention.label)    \(cohort.name): \(cohort.value)\n"
        if let before = report.before, let after = report.after { out += "Before: \(before)    After: \(after)\n" }
        out += "Data cut: \(ReportText.dataCut(report.dataCut))\n"
        out += wrapText(report.audience.headerText(threshold: report.suppressionThreshold), width: width, indent: "")
        out += body(report, numbered: true)
        out += heading("\(sectionCount(report) + 1). Data cut") + dataCut(report)
        out += heading("\(sectionCount(report) + 2). Method") + report.method.map { wrapText("\($0.topic): \($0.text)", width: width, hangingIndent: "    ") }.joined()
        return out
    }

    /// The report's findings, counts, estimates, uptake, spend and suppression, without the title
    /// block, data cut and method: what the termly report prints as its impact section.
    public static func section(_ report: ImpactReport) -> String {
        "\n" + report.title + "\n" + String(repeating: "~", count: min(report.title.count, width)) + "\n" + body(report, numbered: false)
    }

    static func sectionCount(_ report: ImpactReport) -> Int { report.uptake.isEmpty ? 5 : 6 }

    static func body(_ report: ImpactReport, numbered: Bool) -> String {
        var number = 0
        func title(_ text: String) -> String {
            number += 1
            return heading(numbered ? "\(number). \(text)" : text)
        }
        var out = title("Summary") + report.summary.map { wrapText("• " + $0, width: width, hangingIndent: "    ") }.joined()
        // Not judged: no figures to show (docs/methodology.md §6.6).
        if report.notJudged != nil { return out }
        out += title(report.uptake.isEmpty ? "Participants and matching" : "Students and matching") + counts(report)
        out += title("Impact against the matched comparison group") + outcomes(report)
        if !report.uptake.isEmpty { out += title("Uptake among LSEB students and others") + uptake(report) }
        out += title("Spend") + spend(report)
        out += title("Suppression applied")
        out += report.suppressionNotes.isEmpty
            ? "  Nothing was suppressed.\n"
            : report.suppressionNotes.map { wrapText("• " + $0, width: width, hangingIndent: "    ") }.joined()
        return out
    }

    static func heading(_ title: String) -> String {
        "\n" + title + "\n" + String(repeating: "-", count: title.count) + "\n"
    }

    static func counts(_ report: ImpactReport) -> String {
        var table = TextTable([.init("Students", .left), .init("Count")])
        for count in report.counts { table.add([count.label, count.students.text]) }
        return table.render()
    }

    static func outcomes(_ report: ImpactReport) -> String {
        // EEF months exist only for attainment: universities' tables leave the column out.
        let withMonths = report.outcomes.contains { $0.id == "attainment" }
        var table = TextTable([
            .init("Outcome", .left), .init("n partic."), .init("n comp."), .init("Partic. mean"), .init("Comp. mean"),
            .init("Difference (95% CI)"),
        ] + (withMonths ? [.init("EEF months")] : []))
        for outcome in report.outcomes {
            table.add([
                ImpactOutcomeText.shortLabel(outcome), outcome.participants.text, outcome.comparison.text, ImpactText.mean(outcome.participantMean),
                ImpactText.mean(outcome.comparisonMean), outcome.refusal == nil ? ImpactText.estimate(outcome.effect) : "no estimate",
            ] + (withMonths ? [ImpactText.monthsCell(outcome.months)] : []))
        }
        var out = table.render()
        for outcome in report.outcomes { out += wrapText("• " + outcome.finding, width: width, hangingIndent: "    ") }
        return out
    }

    /// Short type names keep the table within the terminal's 100 columns; the other formats use
    /// the catalogue's display names.
    static func uptake(_ report: ImpactReport) -> String {
        var table = TextTable([
            .init("Support", .left), .init("LSEB n"), .init("LSEB % (95% CI)"), .init("Others n"), .init("Others % (CI)"),
            .init("Diff. pp (95% CI)"),
        ])
        for row in report.uptake {
            table.add([
                row.type.map(ImpactIntervention.label(for:)) ?? "Any support", row.lsebSupported.text, ReportText.compactInterval(row.lsebPercent),
                row.othersSupported.text, ReportText.compactInterval(row.othersPercent), ReportText.withInterval(row.difference),
            ])
        }
        return table.render()
    }

    static func spend(_ report: ImpactReport) -> String {
        var out = ""
        let tables = [("Funding source", report.spend.byFundingSource), ("Type", report.spend.byType)].filter { !$0.1.isEmpty }
        for (title, rows) in tables.isEmpty ? [("Spend", [])] : tables {
            var table = TextTable([.init(title, .left), .init("Students"), .init("Spend"), .init("Per student")])
            for row in rows + [report.spend.total] {
                table.add([row.label, row.students.text, row.spend.text, row.perStudent.text], ruleBefore: row.id == "all")
            }
            out += table.render() + "\n"
        }
        out += wrapText(ImpactOutcomeText.recordsWithoutAmount(report.spend.recordsWithoutAmount), width: width)
        out += wrapText("Cost per month of progress: " + report.costEffectiveness.statement, width: width)
        return out
    }

    static func dataCut(_ report: ImpactReport) -> String {
        guard !report.dataCut.imports.isEmpty else { return "  No imports recorded.\n" }
        var table = TextTable([.init("Kind", .left), .init("File", .left), .init("Rows"), .init("Imported", .left), .init("SHA-256", .left)])
        for record in report.dataCut.imports {
            table.add([
                record.kind, record.file, record.rows.map(String.init) ?? "", ReportText.timestamp(record.importedAt),
                String(record.checksum.prefix(16)) + (record.checksum.count > 16 ? "…" : ""),
            ])
        }
        return table.render()
    }
}

/// Short words about outcomes and spend that every impact renderer prints the same way.
enum ImpactOutcomeText {
    /// "Attendance (pp)", "Continuation (pp)", "Module mark (marks)".
    static func shortLabel(_ outcome: ImpactOutcome) -> String {
        switch outcome.id {
        case "attainment": "Attainment (SD)"
        case "attendance": "Attendance (pp)"
        case "continuation": "Continuation (pp)"
        case "module_mark": "Module mark (marks)"
        default: outcome.label
        }
    }

    /// ("Cohort", "Year 11"), ("Cohort", "every year group or course, each matched within
    /// itself"), or for universities ("Students", "everyone enrolled in the academic year").
    static func cohort(_ report: ImpactReport) -> (name: String, value: String) {
        if !report.uptake.isEmpty { return ("Students", "everyone enrolled in the academic year") }
        return ("Cohort", report.cohort?.label ?? "every year group or course, each matched within itself")
    }

    /// The outcome table's headings for Markdown and HTML: participants and comparison students
    /// at a school, supported and unsupported LSEB students at a university; EEF months only
    /// where there is an attainment outcome.
    static func outcomeHeaders(_ report: ImpactReport) -> [String] {
        let groups = report.uptake.isEmpty
            ? ["Participants", "Comparison", "Participants' mean", "Comparison mean"]
            : ["Supported", "Unsupported", "Supported mean", "Unsupported mean"]
        return ["Outcome"] + groups + ["Difference (95% CI)"] + (hasMonths(report) ? ["EEF months (95% CI)"] : [])
    }

    static func outcomeCells(_ outcome: ImpactOutcome, in report: ImpactReport) -> [String] {
        [shortLabel(outcome), outcome.participants.text, outcome.comparison.text, ImpactText.mean(outcome.participantMean),
         ImpactText.mean(outcome.comparisonMean), outcome.refusal == nil ? ImpactText.estimate(outcome.effect) : "no estimate"]
            + (hasMonths(report) ? [ImpactText.monthsCell(outcome.months)] : [])
    }

    static func hasMonths(_ report: ImpactReport) -> Bool { report.outcomes.contains { $0.id == "attainment" } }

    static func recordsWithoutAmount(_ figure: ReportedFigure<Int>) -> String {
        switch figure {
        case .value(0): "Every delivered record has an amount."
        case let .value(count): "\(count) delivered records have no amount, so spend is a lower bound."
        case .suppressed: "Fewer than 10 delivered records have no amount, so spend is a lower bound."
        }
    }
}

/// The impact report as GitHub-flavoured Markdown, with the termly report's table helper.
public enum ImpactMarkdownRenderer {
    public static func render(_ report: ImpactReport) -> String {
        var out = "# " + MarkdownReportRenderer.escape(report.title) + "\n\n"
        out += "- **Provider:** \(MarkdownReportRenderer.escape(report.provider.name)) (`\(report.provider.code)`, \(report.provider.kind.rawValue))\n"
        out += "- **Intervention:** \(MarkdownReportRenderer.escape(report.intervention.label))\n"
        let cohort = ImpactOutcomeText.cohort(report)
        out += "- **\(cohort.name):** \(MarkdownReportRenderer.escape(cohort.value))\n"
        if let before = report.before, let after = report.after {
            out += "- **Before:** \(MarkdownReportRenderer.escape(before)); **after:** \(MarkdownReportRenderer.escape(after))\n"
        }
        out += "- **Data cut:** \(ReportText.dataCut(report.dataCut))\n\n"
        out += "_" + MarkdownReportRenderer.escape(report.audience.headerText(threshold: report.suppressionThreshold)) + "_\n"
        out += section(report, level: 2)
        out += "\n## Data cut\n\n"
        out += MarkdownReportRenderer.table(
            ["Kind", "File", "Rows", "Imported", "SHA-256"], right: [2],
            report.dataCut.imports.map { [$0.kind, $0.file, $0.rows.map(String.init) ?? "", ReportText.timestamp($0.importedAt), "`\($0.checksum)`"] })
        out += "\n## Method\n\n"
        out += report.method.map { "- **\(MarkdownReportRenderer.escape($0.topic))**: \(MarkdownReportRenderer.escape($0.text))\n" }.joined()
        return out
    }

    /// Summary, counts, impact, uptake, spend and suppression with headings at `level`: the
    /// termly report prints it (level 3, under its own heading) as its impact section.
    public static func section(_ report: ImpactReport, level: Int) -> String {
        let h = String(repeating: "#", count: level)
        let escape = MarkdownReportRenderer.escape
        var out = "\n\(h) Summary\n\n" + report.summary.map { "- " + escape($0) + "\n" }.joined()
        if report.notJudged != nil { return out }
        out += "\n\(h) \(report.uptake.isEmpty ? "Participants and matching" : "Students and matching")\n\n"
        out += MarkdownReportRenderer.table(["Students", "Count"], right: [1], report.counts.map { [$0.label, $0.students.text] })
        out += "\n\(h) Impact against the matched comparison group\n\n"
        let headers = ImpactOutcomeText.outcomeHeaders(report)
        out += MarkdownReportRenderer.table(
            headers, right: Set(1..<headers.count), report.outcomes.map { ImpactOutcomeText.outcomeCells($0, in: report) })
        out += "\n" + report.outcomes.map { "- " + escape($0.finding) + "\n" }.joined()
        if !report.uptake.isEmpty {
            out += "\n\(h) Uptake among LSEB students and others\n\n"
            out += MarkdownReportRenderer.table(
                ["Support", "LSEB n", "LSEB % (95% CI)", "Others n", "Others % (95% CI)", "Difference, pp (95% CI)"], right: [1, 2, 3, 4, 5],
                report.uptake.map {
                    [$0.label, $0.lsebSupported.text, ReportText.compactInterval($0.lsebPercent), $0.othersSupported.text,
                     ReportText.compactInterval($0.othersPercent), ReportText.withInterval($0.difference)]
                })
        }
        out += "\n\(h) Spend\n\n"
        let tables = [("Funding source", report.spend.byFundingSource), ("Type", report.spend.byType)].filter { !$0.1.isEmpty }
        for (title, rows) in tables.isEmpty ? [("Spend", [])] : tables {
            out += MarkdownReportRenderer.table(
                [title, "Students", "Spend", "Per student"], right: [1, 2, 3],
                (rows + [report.spend.total]).map { [$0.id == "all" ? "**\($0.label)**" : $0.label, $0.students.text, $0.spend.text, $0.perStudent.text] })
            out += "\n"
        }
        out += escape(ImpactOutcomeText.recordsWithoutAmount(report.spend.recordsWithoutAmount)) + "\n\n"
        out += "**Cost per month of progress:** " + escape(report.costEffectiveness.statement) + "\n"
        out += "\n\(h) Suppression applied\n\n"
        out += report.suppressionNotes.isEmpty ? "Nothing was suppressed.\n" : report.suppressionNotes.map { "- " + escape($0) + "\n" }.joined()
        return out
    }
}
