import CSVFormat
import Foundation

extension ReportFormat {
    /// The support evaluation in this format; the same data gives the same bytes.
    public func render(_ report: SupportEvaluationReport) throws -> String {
        switch self {
        case .table: SupportEvaluationTextRenderer.render(report)
        case .csv: SupportEvaluationCSVRenderer.render(report)
        case .json: try SupportEvaluationJSONRenderer.render(report)
        case .markdown: SupportEvaluationMarkdownRenderer.render(report)
        case .html: SupportEvaluationHTMLRenderer.render(report)
        }
    }
}

/// How every format writes a figure, so that they agree to the digit (rates and gaps as the
/// lifecycle report writes them).
enum SupportEvaluationText {
    static func title(_ report: SupportEvaluationReport) -> String {
        "Did cost-of-living support help? Uptake, spend and outcomes of supported students"
    }

    static func subtitle(_ report: SupportEvaluationReport) -> String {
        "\(report.providerName) (\(report.providerCode)). Years of entry \(report.years.first ?? "")"
            + (report.years.count > 1 ? " to \(report.years.last!)" : "") + "; measured as at \(report.asOf). Audience: \(report.audience.rawValue)."
    }

    static func count(_ value: Int?) -> String { value.map(FixedDecimal.grouped) ?? "c" }

    static func pounds(_ value: Double?) -> String {
        guard let value else { return "c" }
        return "£" + FixedDecimal.grouped(Int(value.rounded()))
    }

    static func measured(_ section: SupportEffectSection) -> String {
        "Students in the model: \(count(section.measured)); left out for a missing tariff or IMD quintile: \(count(section.leftOut))."
    }

    /// The rows of the uptake table: kind, then received n and share for each group.
    static func uptakeRows(_ section: SupportUptakeSection) -> [[String]] {
        section.rows.map { row in
            [row.characteristicName, LifecycleText.students(row.group), LifecycleText.rate(row.group)]
        }
    }

    static func effectRows(_ section: SupportEffectSection) -> [[String]] {
        section.rows.map { row in
            let c = row.comparison
            return [c.characteristicName, LifecycleText.students(c.group), LifecycleText.rate(c.group), LifecycleText.students(c.comparison),
                    LifecycleText.rate(c.comparison), LifecycleText.gap(c.gap), LifecycleText.gap(row.adjusted)]
        }
    }

    static let funnelTitle = "Applications: applied, eligible, received"
    static let funnelHeader = ["Step", "Students", "Share (95% CI)", "Of"]

    static func funnelRows(_ funnel: [LifecycleRate]) -> [[String]] {
        zip(funnel, SupportFunnel.stepNames).map { [$0.label, LifecycleText.students($0), LifecycleText.rate($0), $1.2] }
    }

    static let effectHeader = ["Support", "n received", "Rate, received (95% CI)", "n not", "Rate, not received (95% CI)",
                               "Raw difference (95% CI)", "Adjusted difference (95% CI)"]
    static let uptakeHeader = ["Support", "Received", "Share of entrants (95% CI)"]
    static let spendHeader = ["Fund", "Support", "Students", "Spend"]

    static func spendRows(_ report: SupportEvaluationReport) -> [[String]] {
        report.spend.map { [$0.fund, $0.kindName, count($0.students), pounds($0.pounds)] }
    }
}

public enum SupportEvaluationTextRenderer {
    public static func render(_ report: SupportEvaluationReport) -> String {
        let title = SupportEvaluationText.title(report)
        var out = title + "\n" + String(repeating: "=", count: title.count) + "\n"
        out += wrapText(SupportEvaluationText.subtitle(report), width: 100, indent: "") + "\n\nWhat this comparison cannot show\n"
        for caveat in report.caveats { out += wrapText("- " + caveat, width: 100, indent: "", hangingIndent: "  ") + "\n" }
        func table(_ header: [String], _ rows: [[String]]) -> String {
            var table = TextTable(header.enumerated().map { TextTable.Column($1, $0 == 0 ? .left : .right) })
            for row in rows { table.add(row) }
            return table.render(indent: "   ", maxWidth: 140)
        }
        out += "\n1. Uptake in the first year\n"
        for section in report.uptake {
            out += "\n   \(section.groupName): \(SupportEvaluationText.count(section.entrants)) entrants\n"
            out += table(SupportEvaluationText.uptakeHeader, SupportEvaluationText.uptakeRows(section))
            if let funnel = section.funnel {
                out += "   \(SupportEvaluationText.funnelTitle)\n" + table(SupportEvaluationText.funnelHeader, SupportEvaluationText.funnelRows(funnel))
            }
        }
        for (index, section) in report.effects.enumerated() {
            out += "\n\(index + 2). \(section.title)\n" + wrapText(section.definition, width: 100, indent: "   ") + "\n"
            out += "   " + SupportEvaluationText.measured(section) + "\n"
            out += table(SupportEvaluationText.effectHeader, SupportEvaluationText.effectRows(section))
        }
        out += "\n\(report.effects.count + 2). Spend by fund (first year)\n"
        out += table(SupportEvaluationText.spendHeader, SupportEvaluationText.spendRows(report))
        out += "\nMethod\n"
        for note in report.notes { out += wrapText("- " + note, width: 100, indent: "", hangingIndent: "  ") + "\n" }
        out += "Data: imports \(report.imports.map(String.init).joined(separator: ", "))\n"
        return out
    }
}

public enum SupportEvaluationCSVRenderer {
    static let header = [
        "section", "group", "outcome", "support", "received_students", "received_percent", "received_lower", "received_upper",
        "not_received_students", "not_received_percent", "not_received_lower", "not_received_upper",
        "raw_points", "raw_lower", "raw_upper", "adjusted_points", "adjusted_lower", "adjusted_upper", "pounds", "audience",
    ]

    public static func render(_ report: SupportEvaluationReport) -> String {
        func rate(_ rate: LifecycleRate) -> [String] {
            [rate.students.map(String.init) ?? "c", LifecycleText.percent(rate.percent), LifecycleText.percent(rate.lower),
             LifecycleText.percent(rate.upper)]
        }
        func gap(_ gap: LifecycleGap?) -> [String] {
            guard let gap else { return ["", "", ""] }
            return [FixedDecimal.format(gap.points, decimals: 1), FixedDecimal.format(gap.lower, decimals: 1), FixedDecimal.format(gap.upper, decimals: 1)]
        }
        var rows: [[String]] = []
        for section in report.uptake {
            for row in section.rows {
                rows.append(["uptake", section.group, "", row.characteristic] + rate(row.group) + rate(row.comparison)
                            + gap(nil) + gap(nil) + ["", report.audience.rawValue])
            }
        }
        for section in report.uptake {
            for step in section.funnel ?? [] {
                rows.append(["funnel", section.group, "", step.label.lowercased()] + rate(step) + ["", "", "", ""]
                            + gap(nil) + gap(nil) + ["", report.audience.rawValue])
            }
        }
        for section in report.effects {
            for row in section.rows {
                let c = row.comparison
                rows.append(["effect", "", section.outcome.rawValue, c.characteristic] + rate(c.group) + rate(c.comparison)
                            + gap(c.gap) + gap(row.adjusted) + ["", report.audience.rawValue])
            }
        }
        for row in report.spend {
            rows.append(["spend", row.fund, "", row.kind, row.students.map(String.init) ?? "c", "", "", "", "", "", "", ""]
                        + gap(nil) + gap(nil) + [row.pounds.map { FixedDecimal.format($0, decimals: 2) } ?? "c", report.audience.rawValue])
        }
        // What the comparison cannot show travels with the figures.
        for caveat in report.caveats {
            rows.append(["caveat", caveat] + Array(repeating: "", count: header.count - 3) + [report.audience.rawValue])
        }
        return CSVWriter.document(header: header, rows: rows)
    }
}

public enum SupportEvaluationJSONRenderer {
    public static func render(_ report: SupportEvaluationReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }
}

public enum SupportEvaluationMarkdownRenderer {
    public static func render(_ report: SupportEvaluationReport) -> String {
        func table(_ header: [String], _ rows: [[String]]) -> String {
            var out = "| " + header.joined(separator: " | ") + " |\n|" + header.map { _ in "---|" }.joined() + "\n"
            for row in rows { out += "| " + row.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n" }
            return out
        }
        var out = "# \(SupportEvaluationText.title(report))\n\n\(SupportEvaluationText.subtitle(report))\n\n## What this comparison cannot show\n\n"
        out += report.caveats.map { "- \($0)\n" }.joined()
        out += "\n## 1. Uptake in the first year\n"
        for section in report.uptake {
            out += "\n### \(section.groupName): \(SupportEvaluationText.count(section.entrants)) entrants\n\n"
            out += table(SupportEvaluationText.uptakeHeader, SupportEvaluationText.uptakeRows(section))
            if let funnel = section.funnel {
                out += "\n\(SupportEvaluationText.funnelTitle)\n\n" + table(SupportEvaluationText.funnelHeader, SupportEvaluationText.funnelRows(funnel))
            }
        }
        for (index, section) in report.effects.enumerated() {
            out += "\n## \(index + 2). \(section.title)\n\n\(section.definition) \(SupportEvaluationText.measured(section))\n\n"
            out += table(SupportEvaluationText.effectHeader, SupportEvaluationText.effectRows(section))
        }
        out += "\n## \(report.effects.count + 2). Spend by fund (first year)\n\n"
        out += table(SupportEvaluationText.spendHeader, SupportEvaluationText.spendRows(report))
        out += "\n## Method\n\n" + report.notes.map { "- \($0)\n" }.joined()
        out += "\nData: imports \(report.imports.map(String.init).joined(separator: ", "))\n"
        return out
    }
}

/// One self-contained page: an uptake chart per group (the share of entrants who received each
/// kind), and per outcome a chart of each kind's adjusted difference with its interval.
public enum SupportEvaluationHTMLRenderer {
    public static func render(_ report: SupportEvaluationReport) -> String {
        func table(_ header: [String], _ rows: [[String]]) -> String {
            "<table><thead><tr>" + header.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr></thead><tbody>\n"
                + rows.map { "<tr>" + $0.map { "<td>\(HTML.escape($0))</td>" }.joined() + "</tr>\n" }.joined() + "</tbody></table>\n"
        }
        var body = "<header><h1>\(HTML.escape(SupportEvaluationText.title(report)))</h1>\n"
        body += "<p class=\"meta\">\(HTML.escape(SupportEvaluationText.subtitle(report)))</p></header>\n"
        body += "<section id=\"caveats\"><h2>What this comparison cannot show</h2><ul class=\"notes\">"
            + report.caveats.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul></section>\n"
        body += "<section id=\"uptake\"><h2>1. Uptake in the first year</h2>\n"
        for section in report.uptake {
            let title = "\(section.groupName): share of \(SupportEvaluationText.count(section.entrants)) entrants who received each kind"
            let rows = section.rows.map { row in
                SVGChart.DotRow(label: row.characteristicName, value: row.group.percent, lower: row.group.lower, upper: row.group.upper,
                                valueText: row.group.isWithheld ? "c" : (row.group.percent.map { LifecycleText.percent($0) + "%" } ?? "–"))
            }
            body += "<figure><h3>\(HTML.escape(title))</h3>" + SVGChart.bars(
                id: "uptake-\(section.group)", title: title, rows: rows, maximum: 100, axisLabel: "Percent of entrants") + "</figure>\n"
            body += table(SupportEvaluationText.uptakeHeader, SupportEvaluationText.uptakeRows(section))
            if let funnel = section.funnel {
                let title = "\(section.groupName): \(SupportEvaluationText.funnelTitle.lowercased()), each a share of the step before"
                let bars = zip(funnel, SupportFunnel.stepNames).map { step, names in
                    SVGChart.DotRow(label: "\(step.label) (\(names.2))", value: step.percent, lower: step.lower, upper: step.upper,
                                    valueText: step.isWithheld ? "c" : (step.percent.map { LifecycleText.percent($0) + "%" } ?? "–"))
                }
                body += "<figure><h3>\(HTML.escape(title))</h3>" + SVGChart.bars(
                    id: "funnel-\(section.group)", title: title, rows: bars, maximum: 100, axisLabel: "Percent of the step before") + "</figure>\n"
                body += table(SupportEvaluationText.funnelHeader, SupportEvaluationText.funnelRows(funnel))
            }
        }
        body += "</section>\n"
        for (index, section) in report.effects.enumerated() {
            body += "<section id=\"\(section.outcome.rawValue)\"><h2>\(index + 2). \(HTML.escape(section.title))</h2>\n"
            body += "<p>\(HTML.escape(section.definition))</p><p class=\"note\">\(HTML.escape(SupportEvaluationText.measured(section)))</p>\n"
            let dots = section.rows.map { row in
                SVGChart.DotRow(label: row.comparison.characteristicName, value: row.adjusted?.points, lower: row.adjusted?.lower,
                                upper: row.adjusted?.upper,
                                valueText: row.adjusted.map { LifecycleText.signed($0.points) + " pp" }
                                    ?? (row.comparison.group.isWithheld || row.comparison.comparison.isWithheld ? "c" : "–"))
            }
            if dots.contains(where: { $0.value != nil }) {
                let reach = dots.flatMap { [$0.lower, $0.upper, $0.value] }.compactMap { $0 }.map(abs).max() ?? 10
                let bound = max(10, (reach / 10).rounded(.up) * 10)
                let title = "\(section.title): adjusted difference, received minus did not receive"
                body += "<figure><h3>\(HTML.escape(title))</h3>" + SVGChart.dotWhisker(
                    id: "effect-\(section.outcome.rawValue)", title: title, rows: dots, domain: -bound...bound,
                    axisLabel: "Percentage points (95% CI); right of 0: better with support", zeroLine: true) + "</figure>\n"
            }
            body += table(SupportEvaluationText.effectHeader, SupportEvaluationText.effectRows(section)) + "</section>\n"
        }
        body += "<section id=\"spend\"><h2>\(report.effects.count + 2). Spend by fund (first year)</h2>\n"
            + table(SupportEvaluationText.spendHeader, SupportEvaluationText.spendRows(report)) + "</section>\n"
        body += "<section id=\"method\"><h2>Method</h2><ul class=\"notes\">" + report.notes.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>\n"
        body += "<p class=\"note\">Data: imports \(report.imports.map(String.init).joined(separator: ", "))</p></section>\n"
        return HTMLStyle.page(title: SupportEvaluationText.title(report), body: body)
    }
}
