import CSVFormat
import Foundation
import GapTrackDomain

/// A drill-down in every format, standalone (`gaptrack report students`) or as sections of a
/// staff termly report (`DrillDownSections`). Each pupil is one row: name, identifier, markers,
/// attendance, support and results, so that the same cells read alike in every format.
public enum DrillDownRenderers {
    /// The columns of a pupil's row.
    static let columns = ["Name", "UPN / ULN", "Markers", "Attendance", "Support", "Results (entry → exit)", "Support reviews"]

    /// The cells of a pupil's row, in `columns` order.
    static func cells(_ pupil: DrillDownPupil) -> [String] {
        [
            pupil.name, pupil.identifier, pupil.markers.isEmpty ? "none" : pupil.markers.joined(separator: ", "),
            pupil.attendance.map { "\($0.text), \($0.absentSessions) of \($0.possibleSessions) sessions missed" } ?? "no sessions",
            pupil.support.isEmpty ? "none" : pupil.support.map(supportText).joined(separator: "; "),
            pupil.results.isEmpty ? "none" : pupil.results.map(\.text).joined(separator: "; "),
            reviewsText(pupil),
        ]
    }

    /// "Tutoring 2025-02-10 Ms Khan (entry 4, exit 5): Secure on fractions." for each review of the
    /// pupil's support, oldest first within each record.
    static func reviewsText(_ pupil: DrillDownPupil) -> String {
        let reviews = pupil.support.flatMap { support in support.reviews.map { support.typeLabel + " " + $0.text } }
        return reviews.isEmpty ? "none" : reviews.joined(separator: "; ")
    }

    /// "Tutoring 2025-01-13 to 2025-04-03, 12.00 h, 12 sessions, £168.00 (Pupil premium)".
    static func supportText(_ support: DrillDownSupport) -> String {
        var parts = [support.typeLabel + " " + support.dates]
        if let hours = support.hours { parts.append("\(hours) h") }
        if let sessions = support.sessions { parts.append("\(sessions) session\(sessions == 1 ? "" : "s")") }
        if let spend = support.spend { parts.append(spend.formatted) }
        return parts.joined(separator: ", ") + (support.fundingLabel.map { " (\($0))" } ?? "")
    }

    /// The lines above a list: what it is, whose, and what is left out.
    static func preamble(_ drillDown: StudentDrillDown) -> [String] {
        let count = drillDown.pupils.count
        return ["\(count) \(count == 1 ? String(drillDown.people.dropLast()) : drillDown.people). \(drillDown.resultsRule)"] + drillDown.notes
    }

    // MARK: - Standalone

    public static func render(_ drillDown: StudentDrillDown, as format: ReportFormat) throws -> String {
        switch format {
        case .table: terminal(drillDown, title: true)
        case .csv: csv([drillDown])
        case .json: try json(drillDown)
        case .markdown: "# " + MarkdownReportRenderer.escape(drillDown.title) + "\n\n" + header(drillDown).map { "- " + MarkdownReportRenderer.escape($0) + "\n" }.joined()
            + "\n" + markdown(drillDown)
        case .html: HTMLStyle.page(title: drillDown.title, body: "<header>\n<h1><span class=\"kicker\">Pupils behind the figures: staff only</span>"
            + HTML.escape(drillDown.title) + "</h1>\n" + "<ul class=\"notes\">" + header(drillDown).map { "<li>\(HTML.escape($0))</li>" }.joined()
            + "</ul>\n</header>\n" + html(drillDown, headingLevel: 2))
        }
    }

    static func header(_ drillDown: StudentDrillDown) -> [String] {
        [
            "Provider: \(drillDown.provider.name) (\(drillDown.provider.code))", "Cohort: \(drillDown.cohort.label) (\(drillDown.cohort.code))",
            "Period: \(drillDown.period); groups as on the census day of \(ReportText.term(drillDown.term))",
            "Staff only: pupil-level rows, never for governors or the public (docs/methodology.md §7.7).",
        ]
    }

    static func json(_ drillDown: StudentDrillDown) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(drillDown), as: UTF8.self) + "\n"
    }

    // MARK: - One list in each format

    static func terminal(_ drillDown: StudentDrillDown, title: Bool) -> String {
        var out = ""
        if title {
            out += drillDown.title + "\n" + String(repeating: "=", count: min(drillDown.title.count, TerminalReportRenderer.width)) + "\n"
            out += header(drillDown).map { wrapText($0, width: TerminalReportRenderer.width, indent: "") }.joined()
        } else {
            out += "\n" + drillDown.list.label + "\n"
        }
        out += preamble(drillDown).map { wrapText($0, width: TerminalReportRenderer.width) }.joined()
        for pupil in drillDown.pupils {
            let cells = cells(pupil)
            out += "\n  \(cells[0])  \(cells[1])\n"
            for (label, cell) in zip(["markers", "attendance", "support", "results", "reviews"], cells[2...]) {
                out += wrapText("\(label): \(cell)", width: TerminalReportRenderer.width, indent: "    ", hangingIndent: "      ")
            }
        }
        return out
    }

    static func markdown(_ drillDown: StudentDrillDown) -> String {
        preamble(drillDown).map { "_" + MarkdownReportRenderer.escape($0) + "_\n\n" }.joined()
            + (drillDown.pupils.isEmpty ? "" : MarkdownReportRenderer.table(columns, right: [], drillDown.pupils.map(cells)))
    }

    static func html(_ drillDown: StudentDrillDown, headingLevel: Int) -> String {
        var table = HTMLTable(columns, numeric: [])
        for pupil in drillDown.pupils { table.add(cells(pupil)) }
        return "<section class=\"drill-down\" id=\"pupils-\(HTML.escape(drillDown.list.id.replacingOccurrences(of: ":", with: "-")))\">\n"
            + "<h\(headingLevel)>\(HTML.escape(drillDown.list.label))</h\(headingLevel)>\n"
            + "<ul class=\"notes\">" + preamble(drillDown).map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>\n"
            + (drillDown.pupils.isEmpty ? "" : table.render()) + "</section>\n"
    }

    /// Columns of the standalone CSV: one row per pupil of each list.
    public static let csvHeader = [
        "provider", "cohort", "term", "list", "surname", "forename", "upn", "uln", "markers", "possible_sessions", "absent_sessions",
        "attendance_percent", "persistently_absent", "support", "results", "reviews",
    ]

    static func csv(_ drillDowns: [StudentDrillDown]) -> String {
        CSVWriter.document(header: csvHeader, rows: drillDowns.flatMap { drillDown in
            drillDown.pupils.map { pupil in
                let cells = cells(pupil)
                return [
                    drillDown.provider.code, drillDown.cohort.code, drillDown.term.description, drillDown.list.id, pupil.surname, pupil.forename,
                    pupil.upn ?? "", pupil.uln ?? "", pupil.markers.joined(separator: "; "),
                    pupil.attendance.map { "\($0.possibleSessions)" } ?? "", pupil.attendance.map { "\($0.absentSessions)" } ?? "",
                    pupil.attendance.map { "\($0.attendancePercent)" } ?? "", pupil.attendance.map { $0.persistentlyAbsent ? "yes" : "no" } ?? "",
                    cells[4], cells[5], cells[6],
                ].map(SpreadsheetSafeText.cell)
            }
        })
    }
}

/// The drill-down sections of a staff termly report (`TermlyGapReport.drillDown`): the hooks the
/// termly renderers call, one line each. A report without drill-down (every governors' and
/// public report) renders nothing here.
public enum DrillDownSections {
    static let title = "4b. Pupils behind the figures (staff only)"

    static func terminal(_ report: TermlyGapReport) -> String {
        guard let lists = report.drillDown, !lists.isEmpty else { return "" }
        return "\n" + title + "\n" + String(repeating: "-", count: title.count) + "\n"
            + lists.map { DrillDownRenderers.terminal($0, title: false) }.joined()
    }

    static func markdown(_ report: TermlyGapReport) -> String {
        guard let lists = report.drillDown, !lists.isEmpty else { return "" }
        return "\n## Pupils behind the figures (staff only)\n" + lists.map {
            "\n### " + MarkdownReportRenderer.escape($0.list.label) + "\n\n" + DrillDownRenderers.markdown($0)
        }.joined()
    }

    static func html(_ report: TermlyGapReport) -> String {
        guard let lists = report.drillDown, !lists.isEmpty else { return "" }
        return "<section id=\"pupils\">\n<h2>\(HTML.escape(title))</h2>\n" + lists.map { DrillDownRenderers.html($0, headingLevel: 3) }.joined()
            + "</section>\n"
    }

    /// Rows of the termly report's tidy CSV: section `drill_down`, the list's id as the group,
    /// one row per pupil (measure `pupil`, value the name, note the rest of the pupil's row).
    static func csvRows(_ report: TermlyGapReport) -> [[String]] {
        (report.drillDown ?? []).flatMap { list in
            list.pupils.map { pupil in
                let cells = DrillDownRenderers.cells(pupil)
                let note = zip(DrillDownRenderers.columns[1...], cells[1...]).map { "\($0): \($1)" }.joined(separator: " | ")
                return [report.provider.code, report.cohort.code, report.term.description, "drill_down", "", "", "pupil", list.list.id,
                        pupil.name, "", "", "", "", note]
            }
        }
    }
}

extension ReportFormat {
    /// The drill-down in this format; like every report, the same list gives the same bytes.
    public func render(_ drillDown: StudentDrillDown) throws -> String {
        try DrillDownRenderers.render(drillDown, as: self)
    }
}
