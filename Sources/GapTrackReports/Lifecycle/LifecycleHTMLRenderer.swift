/// The lifecycle report as one self-contained page: for each stage a chart of each gap over the
/// years of entry with its interval (as the OfS access and participation data dashboard shows
/// them), then the table of every figure.
public enum LifecycleHTMLRenderer {
    public static func render(_ report: LifecycleReport) -> String {
        var body = "<header><h1>\(HTML.escape(LifecycleText.title(report)))</h1>\n"
        body += "<p class=\"meta\">\(HTML.escape(LifecycleText.subtitle(report)))</p></header>\n"
        for (index, section) in report.stages.enumerated() {
            body += "<section id=\"\(section.stage.rawValue)\">\n<h2>\(index + 1). \(HTML.escape(section.title))</h2>\n"
            body += "<p>\(HTML.escape(section.definition))</p>\n"
            body += "<p class=\"note\">Students measured: \(HTML.escape(section.totals.map(LifecycleText.total).joined(separator: "; ")))</p>\n"
            body += charts(section)
            body += table(section)
            body += "</section>\n"
        }
        body += "<section id=\"method\"><h2>Method</h2><ul class=\"notes\">"
            + report.notes.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>\n"
        body += "<p class=\"note\">Data: imports \(report.imports.map(String.init).joined(separator: ", "))</p></section>\n"
        return HTMLStyle.page(title: LifecycleText.title(report), body: body)
    }

    /// One chart per characteristic: its gap in each year of entry (access: the group's share).
    static func charts(_ section: LifecycleStageSection) -> String {
        var out = ""
        var seen: [String] = []
        for row in section.rows where !seen.contains(row.characteristic) {
            seen.append(row.characteristic)
            let rows = section.rows.filter { $0.characteristic == row.characteristic }
            let isAccess = section.stage == .access
            let dots: [SVGChart.DotRow] = rows.map { row in
                if isAccess {
                    return SVGChart.DotRow(label: row.year, value: row.group.percent, lower: row.group.lower, upper: row.group.upper,
                                           valueText: LifecycleText.rate(row.group).components(separatedBy: " (").first ?? "")
                }
                let text = row.gap.map { LifecycleText.signed($0.points) + " pp" } ?? (row.group.isWithheld || row.comparison.isWithheld ? "c" : "–")
                return SVGChart.DotRow(label: row.year, value: row.gap?.points, lower: row.gap?.lower, upper: row.gap?.upper, valueText: text)
            }
            guard dots.contains(where: { $0.value != nil }) else { continue }
            let title: String
            let domain: ClosedRange<Double>
            if isAccess {
                title = "\(row.characteristicName): share of entrants who are \(row.group.label)"
                domain = 0...100
            } else {
                title = "\(row.characteristicName): gap, \(row.comparison.label) minus \(row.group.label)"
                let reach = dots.flatMap { [$0.lower, $0.upper, $0.value] }.compactMap { $0 }.map(abs).max() ?? 10
                let bound = max(10, (reach / 10).rounded(.up) * 10)
                domain = -bound...bound
            }
            let id = "\(section.stage.rawValue)-\(row.characteristic)"
            out += "<figure><h3>\(HTML.escape(title))</h3>" + SVGChart.dotWhisker(
                id: id, title: title, rows: dots, domain: domain,
                axisLabel: isAccess ? "Percent of entrants (95% CI)" : "Percentage points (95% CI); right of 0: the group does worse",
                zeroLine: !isAccess) + "</figure>\n"
        }
        return out
    }

    static func table(_ section: LifecycleStageSection) -> String {
        var out = "<table><thead><tr><th>Characteristic</th><th>Year</th><th>Group</th><th>n</th><th>Rate (95% CI)</th>"
            + "<th>Comparison</th><th>n</th><th>Rate (95% CI)</th><th>Gap (95% CI)</th></tr></thead><tbody>\n"
        for row in section.rows {
            let cells = [row.characteristicName, row.year, row.group.label, LifecycleText.students(row.group), LifecycleText.rate(row.group),
                         row.comparison.label, LifecycleText.students(row.comparison), LifecycleText.rate(row.comparison),
                         LifecycleText.gap(row.gap)]
            out += "<tr>" + cells.map { "<td>\(HTML.escape($0))</td>" }.joined() + "</tr>\n"
        }
        return out + "</tbody></table>\n"
    }
}
