import GapStatistics

/// The impact report as one self-contained HTML page, with the termly report's stylesheet,
/// tables and inline SVG charts (`HTMLStyle`, `HTMLTable`, `SVGChart`): nothing to fetch, prints on A4.
public enum ImpactHTMLRenderer {
    public static func render(_ report: ImpactReport) -> String {
        var body = "<header>\n<h1><span class=\"kicker\">Intervention impact</span>\(HTML.escape(report.intervention.label)) at "
            + "\(HTML.escape(report.provider.name))</h1>\n<dl class=\"facts\">"
        body += "<dt>Provider</dt><dd>\(HTML.escape(report.provider.name)) (<code>\(HTML.escape(report.provider.code))</code>, \(report.provider.kind.rawValue))</dd>"
        let cohort = ImpactOutcomeText.cohort(report)
        body += "<dt>\(cohort.name)</dt><dd>\(HTML.escape(cohort.value))</dd>"
        body += "<dt>Period</dt><dd>\(report.period.from.isoString) to \(report.period.to.isoString)</dd>"
        if let before = report.before, let after = report.after {
            body += "<dt>Before</dt><dd>\(HTML.escape(before))</dd><dt>After</dt><dd>\(HTML.escape(after))</dd>"
        }
        body += "<dt>Data cut</dt><dd>\(HTML.escape(ReportText.dataCut(report.dataCut)))</dd></dl>\n"
        body += "<p class=\"note\">\(HTML.escape(report.audience.headerText(threshold: report.suppressionThreshold)))</p>\n</header>\n"
        body += section(report, headingLevel: 2)
        body += "<section id=\"impact-data-cut\">\n<h2>Data cut</h2>\n" + dataCut(report) + "</section>\n"
        body += "<section id=\"impact-method\">\n<h2>Method</h2>\n<dl class=\"method\">"
            + report.method.map { "<dt><strong>\(HTML.escape($0.topic))</strong></dt><dd>\(HTML.escape($0.text))</dd>" }.joined() + "</dl>\n</section>\n"
        body += "<footer>Made by gaptrack from the data cut above. The same data always gives the same report.</footer>\n"
        return HTMLStyle.page(title: report.title, body: body)
    }

    /// Summary, chart, counts, estimates, uptake, spend and suppression as `<section>`s with
    /// headings at `headingLevel`: what the termly HTML report embeds as its impact section.
    public static func section(_ report: ImpactReport, headingLevel: Int) -> String {
        let h = "h\(min(max(headingLevel, 1), 6))"
        func part(_ id: String, _ title: String, _ content: String) -> String {
            "<section id=\"impact-\(id)\">\n<\(h)>\(HTML.escape(title))</\(h)>\n\(content)</section>\n"
        }
        var out = part("summary", "Summary", "<ul class=\"notes\">" + report.summary.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>\n")
        if report.notJudged != nil { return out }
        out += part("effect", "Impact against the matched comparison group", effect(report))
        var counts = HTMLTable(["Students", "Count"], numeric: [1])
        for count in report.counts { counts.add([count.label, count.students.text]) }
        out += part("counts", report.uptake.isEmpty ? "Participants and matching" : "Students and matching", counts.render())
        if !report.uptake.isEmpty {
            var table = HTMLTable(["Support", "LSEB n", "LSEB % (95% CI)", "Others n", "Others % (95% CI)", "Difference, pp (95% CI)"], numeric: Set(1...5))
            for row in report.uptake {
                table.add([row.label, row.lsebSupported.text, ReportText.compactInterval(row.lsebPercent), row.othersSupported.text,
                           ReportText.compactInterval(row.othersPercent), ReportText.withInterval(row.difference)])
            }
            out += part("uptake", "Uptake among LSEB students and others", table.render())
        }
        out += part("spend", "Spend", spend(report))
        out += part("suppression", "Suppression applied", report.suppressionNotes.isEmpty
            ? "<p>Nothing was suppressed.</p>\n"
            : "<ul class=\"notes\">" + report.suppressionNotes.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>\n")
        return out
    }

    /// A dot-and-whisker chart of the attainment effect size (or, for universities, of each
    /// outcome in its own units), then the table and the findings.
    static func effect(_ report: ImpactReport) -> String {
        var out = ""
        let charted = report.outcomes.filter { $0.effect?.unit == .effectSize }
        if !charted.isEmpty {
            let rows = charted.map { outcome in
                SVGChart.DotRow(
                    label: ImpactOutcomeText.shortLabel(outcome), value: outcome.effect?.value, lower: outcome.effect?.lower,
                    upper: outcome.effect?.upper, valueText: outcome.effect.map { "\($0.plainText) SD" } ?? "no estimate")
            }
            let ends = rows.flatMap { [$0.value, $0.lower, $0.upper].compactMap { $0 } }
            let domain = HTMLReportRenderer.niceDomain(low: min(-0.2, ends.min() ?? 0), high: max(0.5, ends.max() ?? 0))
            out += "<figure>" + SVGChart.dotWhisker(
                id: "chart-impact-effect", title: "Effect size with its 95% confidence interval", rows: rows, domain: domain,
                axisLabel: "effect size, SD of the cohort's before scores (0 = no difference)", zeroLine: true)
            out += "<figcaption>Dot: participants' progress minus matched comparison students' progress; bar: 95% confidence interval. "
                + "A bar that crosses zero means the difference could be chance.</figcaption></figure>\n"
        }
        let headers = ImpactOutcomeText.outcomeHeaders(report)
        var table = HTMLTable(headers, numeric: Set(1..<headers.count))
        for outcome in report.outcomes { table.add(ImpactOutcomeText.outcomeCells(outcome, in: report)) }
        out += table.render()
        return out + "<ul class=\"notes\">" + report.outcomes.map { "<li>\(HTML.escape($0.finding))</li>" }.joined() + "</ul>\n"
    }

    static func spend(_ report: ImpactReport) -> String {
        var out = ""
        let tables = [("Funding source", report.spend.byFundingSource), ("Type", report.spend.byType)].filter { !$0.1.isEmpty }
        for (title, rows) in tables.isEmpty ? [("Spend", [])] : tables {
            var table = HTMLTable([title, "Students", "Spend", "Per student"], numeric: [1, 2, 3])
            for row in rows { table.add([row.label, row.students.text, row.spend.text, row.perStudent.text]) }
            let total = report.spend.total
            table.add([total.label, total.students.text, total.spend.text, total.perStudent.text], total: true)
            out += table.render()
        }
        out += "<p class=\"note\">\(HTML.escape(ImpactOutcomeText.recordsWithoutAmount(report.spend.recordsWithoutAmount)))</p>\n"
        return out + "<p><strong>Cost per month of progress:</strong> \(HTML.escape(report.costEffectiveness.statement))</p>\n"
    }

    static func dataCut(_ report: ImpactReport) -> String {
        guard !report.dataCut.imports.isEmpty else { return "<p>No imports recorded.</p>\n" }
        var table = HTMLTable(["Kind", "File", "Rows", "Imported", "SHA-256"], numeric: [2])
        for record in report.dataCut.imports {
            table.add([record.kind, record.file, record.rows.map(String.init) ?? "", ReportText.timestamp(record.importedAt), record.checksum], codeColumn: 4)
        }
        return table.render()
    }
}
