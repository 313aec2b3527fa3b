import CSVFormat
import Foundation

extension ReportFormat {
    /// The lifecycle report in this format; the same data gives the same bytes.
    public func render(_ report: LifecycleReport) throws -> String {
        switch self {
        case .table: LifecycleTextRenderer.render(report)
        case .csv: LifecycleCSVRenderer.render(report)
        case .json: try LifecycleJSONRenderer.render(report)
        case .markdown: LifecycleMarkdownRenderer.render(report)
        case .html: LifecycleHTMLRenderer.render(report)
        }
    }
}

/// How every format writes a figure, so that they agree to the digit.
enum LifecycleText {
    static func title(_ report: LifecycleReport) -> String {
        "Student lifecycle: access, continuation, completion, attainment and progression gaps"
    }

    static func subtitle(_ report: LifecycleReport) -> String {
        "\(report.providerName) (\(report.providerCode)). Years of entry \(report.years.first ?? "")"
            + (report.years.count > 1 ? " to \(report.years.last!)" : "") + "; measured as at \(report.asOf). Audience: \(report.audience.rawValue)."
    }

    static func percent(_ value: Double?) -> String {
        value.map { FixedDecimal.format($0, decimals: 1) } ?? ""
    }

    /// "92.3% (88.1 to 95.2)", "c" when withheld, "–" when there is nobody to measure.
    static func rate(_ rate: LifecycleRate) -> String {
        if rate.isWithheld { return "c" }
        guard let value = rate.percent, let lower = rate.lower, let upper = rate.upper else { return "–" }
        return "\(percent(value))% (\(percent(lower)) to \(percent(upper)))"
    }

    static func students(_ rate: LifecycleRate) -> String {
        guard let students = rate.students else { return "c" }
        return (rate.isSmall ? ReportAudience.cautionMark : "") + FixedDecimal.grouped(students)
    }

    /// "+4.1 pp (−0.6 to 8.9)", or "–" when there is none.
    static func gap(_ gap: LifecycleGap?) -> String {
        guard let gap else { return "–" }
        return "\(signed(gap.points)) pp (\(signed(gap.lower)) to \(signed(gap.upper)))"
    }

    static func signed(_ value: Double) -> String {
        let text = FixedDecimal.format(abs(value), decimals: 1)
        if text == "0.0" { return "0.0" }
        return (value < 0 ? "−" : "+") + text
    }

    static func total(_ count: LifecycleCount) -> String {
        "\(count.year): \(count.students.map(FixedDecimal.grouped) ?? "c")"
    }
}

public enum LifecycleTextRenderer {
    public static func render(_ report: LifecycleReport) -> String {
        let title = LifecycleText.title(report)
        var out = title + "\n" + String(repeating: "=", count: title.count) + "\n"
        out += wrapText(LifecycleText.subtitle(report), width: 100, indent: "") + "\n"
        for (index, section) in report.stages.enumerated() {
            out += "\n\(index + 1). \(section.title)\n"
            out += wrapText(section.definition, width: 100, indent: "   ") + "\n"
            out += "   Students measured: " + section.totals.map(LifecycleText.total).joined(separator: "; ") + "\n"
            // One block per characteristic, a row per year, so the years read down like the OfS dashboard's.
            var seen: [String] = []
            for first in section.rows where !seen.contains(first.characteristic) {
                seen.append(first.characteristic)
                out += "\n   \(first.characteristicName): \(first.group.label) against \(first.comparison.label)\n"
                var table = TextTable([
                    TextTable.Column("Year", .left), TextTable.Column("n"), TextTable.Column(first.group.label),
                    TextTable.Column("n"), TextTable.Column(first.comparison.label), TextTable.Column("Gap (95% CI)"),
                ])
                for row in section.rows where row.characteristic == first.characteristic {
                    table.add([row.year, LifecycleText.students(row.group), LifecycleText.rate(row.group),
                               LifecycleText.students(row.comparison), LifecycleText.rate(row.comparison), LifecycleText.gap(row.gap)])
                }
                out += table.render(indent: "   ", maxWidth: 120)
            }
        }
        out += "\nMethod\n"
        for note in report.notes { out += wrapText("- " + note, width: 100, indent: "", hangingIndent: "  ") + "\n" }
        out += "Data: imports \(report.imports.map(String.init).joined(separator: ", "))\n"
        return out
    }
}

public enum LifecycleCSVRenderer {
    static let header = [
        "stage", "characteristic", "year_of_entry", "group", "group_students", "group_percent", "group_lower", "group_upper",
        "comparison", "comparison_students", "comparison_percent", "comparison_lower", "comparison_upper",
        "gap_points", "gap_lower", "gap_upper", "withheld", "audience",
    ]

    public static func render(_ report: LifecycleReport) -> String {
        var rows: [[String]] = []
        for section in report.stages {
            for row in section.rows {
                func fields(_ rate: LifecycleRate) -> [String] {
                    [rate.label, rate.students.map(String.init) ?? "c", LifecycleText.percent(rate.percent),
                     LifecycleText.percent(rate.lower), LifecycleText.percent(rate.upper)]
                }
                let withheld = row.group.isWithheld || row.comparison.isWithheld
                rows.append([section.stage.rawValue, row.characteristic, row.year] + fields(row.group) + fields(row.comparison)
                    + [row.gap.map { LifecycleText.percent($0.points) } ?? "", row.gap.map { LifecycleText.percent($0.lower) } ?? "",
                       row.gap.map { LifecycleText.percent($0.upper) } ?? "", withheld ? "c" : "", report.audience.rawValue])
            }
        }
        return CSVWriter.document(header: header, rows: rows)
    }
}

public enum LifecycleJSONRenderer {
    public static func render(_ report: LifecycleReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }
}

public enum LifecycleMarkdownRenderer {
    public static func render(_ report: LifecycleReport) -> String {
        var out = "# \(LifecycleText.title(report))\n\n\(LifecycleText.subtitle(report))\n"
        for (index, section) in report.stages.enumerated() {
            out += "\n## \(index + 1). \(section.title)\n\n\(section.definition)\n\n"
            out += "Students measured: " + section.totals.map(LifecycleText.total).joined(separator: "; ") + "\n\n"
            out += "| Characteristic | Year | Group | n | Rate (95% CI) | Comparison | n | Rate (95% CI) | Gap (95% CI) |\n"
            out += "|---|---|---|--:|--:|---|--:|--:|--:|\n"
            for row in section.rows {
                out += "| \(row.characteristicName) | \(row.year) | \(row.group.label) | \(LifecycleText.students(row.group)) | "
                    + "\(LifecycleText.rate(row.group)) | \(row.comparison.label) | \(LifecycleText.students(row.comparison)) | "
                    + "\(LifecycleText.rate(row.comparison)) | \(LifecycleText.gap(row.gap)) |\n"
            }
        }
        out += "\n## Method\n\n" + report.notes.map { "- " + $0 }.joined(separator: "\n") + "\n\n"
        out += "Data: imports \(report.imports.map(String.init).joined(separator: ", "))\n"
        return out
    }
}
