import GapStatistics

/// The KS4 sections in a form every renderer lays out its own way: per section a table (one row
/// per measure: each group's figure with its interval and n, the gap, the national pair of the
/// same year) and its notes (docs/methodology.md §8.3).
struct KeyStage4Rendering {
    struct Table {
        var title: String
        var headings: [String]
        var rows: [[String]]
        var notes: [String]
    }

    var tables: [Table]

    /// Nil for a report without KS4 sections.
    init?(report: TermlyGapReport) {
        guard let sections = report.keyStage4, !sections.isEmpty else { return nil }
        let word = report.comparison.groupWord
        tables = sections.map { section in
            // Every row of a section rests on the same pupils, so each group's n goes in its heading.
            let first = section.rows.first
            let headings = [
                "Measure", "\(word.prefix(1).uppercased() + word.dropFirst()), n = \(first?.disadvantagedPupils.groupedText ?? "0")",
                "Others, n = \(first?.othersPupils.groupedText ?? "0")", "All, n = \(first?.allPupils.groupedText ?? "0")",
                "Gap", "National, same year",
            ]
            let rows = section.rows.map { row in
                [row.measure.label, Self.figure(row.disadvantaged), Self.figure(row.others), Self.figure(row.all), Self.figure(row.gap),
                 row.nationalText(resultsYear: section.resultsYear)]
            }
            var notes = ["Each figure with its 95% interval in brackets; gap = others − \(word), in percentage points (Attainment 8: in points)."] + section.notes
            if let reason = section.attainment8NotComputed { notes.append("Attainment 8: " + reason + ".") }
            notes.append("Progress 8: " + section.progress8NotComputed + ".")
            notes.append(Self.method)
            return Table(title: (section.treatWithCare == true ? ReportAudience.marked(section.title) : section.title), headings: headings, rows: rows, notes: notes)
        }
    }

    static let method =
        "Method: English is the better of English language and English literature; a pupil reaches grade 4 (or 5) when both English and "
        + "maths are at that grade or above; percentages are of the group's pupils with any result at the assessment, with Wilson 95% "
        + "intervals; the gap has Newcombe's hybrid score interval (docs/methodology.md §8.3). Mock or working-at grades are not final GCSE results."

    /// "41.2 [33.0, 49.9]", or `c`: narrow enough for five figures across a terminal.
    static func figure(_ value: ReportedFigure<Estimate>) -> String {
        guard case let .value(estimate) = value else { return ReportedFigure<Estimate>.suppressionMark }
        guard let lower = estimate.lower, let upper = estimate.upper else { return estimate.plainText }
        let decimals = estimate.unit.decimals
        return "\(estimate.plainText) [\(FixedDecimal.format(lower, decimals: decimals)), \(FixedDecimal.format(upper, decimals: decimals))]"
    }

    static let numeric: Set<Int> = [1, 2, 3, 4]

    /// The national pairs go under the table, a line each: beside five figures they would not fit in 100 columns.
    var terminal: String {
        tables.map { table in
            let shown = table.headings.indices.dropLast()
            var text = TextTable(shown.map { Self.numeric.contains($0) ? .init(table.headings[$0]) : .init(table.headings[$0], .left) })
            for row in table.rows { text.add(Array(row.dropLast())) }
            let national = table.rows.map { "National, same year, \($0[0]): \($0[$0.count - 1])." }
            return "  " + table.title + "\n" + text.render()
                + (national + table.notes).map { wrapText($0, width: TerminalReportRenderer.width, indent: "  ", hangingIndent: "    ") }.joined()
        }.joined(separator: "\n")
    }

    var html: String {
        tables.map { table in
            var html = HTMLTable(table.headings, numeric: Self.numeric)
            for row in table.rows { html.add(row) }
            return "<h3>\(HTML.escape(table.title))</h3>\n" + html.render()
                + "<ul class=\"notes\">\n" + table.notes.map { "<li>\(HTML.escape($0))</li>\n" }.joined() + "</ul>\n"
        }.joined()
    }

    var markdown: String {
        tables.map { table in
            "\n### \(MarkdownReportRenderer.escape(table.title))\n\n" + MarkdownReportRenderer.table(table.headings, right: Self.numeric, table.rows)
                + "\n" + table.notes.map { "- " + MarkdownReportRenderer.escape($0) + "\n" }.joined()
        }.joined()
    }
}
