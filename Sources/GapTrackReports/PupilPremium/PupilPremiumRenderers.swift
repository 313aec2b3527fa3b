import CSVFormat
import Foundation
import GapStatistics
import GapTrackDomain
import GapTrackStore

/// A review laid out as the template's sections: headings, paragraphs and tables of text, which
/// every format but JSON prints in its own way. JSON is the review value itself.
struct ReviewDocument {
    struct Table {
        var id: String
        var columns: [String]
        /// Which columns are numbers (right-aligned).
        var numeric: Set<Int>
        var rows: [[String]]
    }

    struct Section {
        var id: String
        var heading: String
        var paragraphs: [String] = []
        var tables: [Table] = []
    }

    var title: String
    var header: [String]
    var sections: [Section]
}

extension PupilPremiumReview {
    /// The review in `format`; the same review gives the same bytes.
    public func render(_ format: ReportFormat) throws -> String {
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
        case .table: return ReviewDocumentRenderer.table(document)
        case .csv: return ReviewDocumentRenderer.csv(document)
        case .markdown: return ReviewDocumentRenderer.markdown(document)
        case .html: return ReviewDocumentRenderer.html(document)
        }
    }

    /// A staff count under the threshold gets the mark; governors and the public see `c`.
    func pupilsText(_ figure: ReportedFigure<Int>) -> String {
        guard let value = figure.value else { return ReportedFigure<Int>.suppressionMark }
        return audience == .staff && value < suppressionThreshold ? ReportAudience.marked(String(value)) : String(value)
    }

    static func moneyText(_ figure: ReportedFigure<PoundsAndPence>) -> String { figure.cell(\.formatted) }

    var document: ReviewDocument {
        typealias Table = ReviewDocument.Table
        typealias Section = ReviewDocument.Section
        let header = [
            audience.headerText(threshold: suppressionThreshold),
            "Census: \(census.isoString) (January census of \(year)); rates of the financial year \(rates.financialYearLabel), "
                + "1 April \(rates.financialYearStart) to 31 March \(rates.financialYearStart + 1).",
        ]
        var overview = Section(id: "school_overview", heading: "School overview")
        overview.tables.append(Table(
            id: "school_overview", columns: ["Detail", "Data"], numeric: [],
            rows: [
                ["School name", provider.name],
                ["Number of pupils in school (reception to year 11, at the census)", pupilsText(pupilsOnRoll)],
                ["Proportion of pupil premium eligible pupils (disadvantage grounds)", eligiblePercent.cell { FixedDecimal.format($0, decimals: 1) + "%" }],
                ["Academic year this statement covers", year.description],
            ]))
        var funding = Section(
            id: "funding_overview", heading: "Funding overview",
            paragraphs: ["Each pupil is counted once, on the ground with the highest rate (docs/methodology.md §1.4). "
                + "Looked-after children's premium is paid to the local authority's virtual school head, not to the school."])
        funding.tables.append(Table(
            id: "allocation", columns: ["Funding ground", "Rate per pupil", "Pupils", "Allocation"], numeric: [1, 2, 3],
            rows: allocation.map { [$0.ground.label, $0.rate.formatted, pupilsText($0.pupils), Self.moneyText($0.amount)] }
                + (allocationToSchool.isSuppressed ? [] : [["Pupil premium allocation to the school", "", "", Self.moneyText(allocationToSchool)]])))
        // A withheld total is said as the governors' pack says it, never as a bare `c` (docs/methodology.md §7.9).
        if allocationToSchool.isSuppressed {
            funding.tables.append(Table(id: "allocation_to_school", columns: ["Allocation to the school"], numeric: [], rows: [[allocationSentence]]))
        }
        var partA = Section(id: "part_a", heading: "Part A: pupil premium strategy plan, \(year)")
        if challenges.isEmpty && intendedOutcomes.isEmpty && activities.isEmpty {
            partA.paragraphs.append("No challenges, intended outcomes or activities are recorded for \(year) "
                + "(gaptrack pupil-premium plan import, or plan set).")
        }
        partA.tables.append(Table(id: "challenges", columns: ["Challenge number", "Detail of challenge"], numeric: [0],
                                  rows: challenges.map { [String($0.number), $0.text] }))
        partA.tables.append(Table(id: "intended_outcomes", columns: ["Intended outcome", "Success criteria"], numeric: [],
                                  rows: intendedOutcomes.map { [$0.text, $0.successCriteria ?? ""] }))
        for line in tiers {
            partA.tables.append(Table(
                id: "activity_" + line.tier.rawValue,
                columns: [line.tier.label + ": activity (budgeted cost " + (line.planned?.formatted ?? "not set") + ")",
                          "Evidence that supports this approach", "Challenge number(s) addressed"],
                numeric: [],
                rows: activities(in: line.tier).map { [$0.text, $0.evidence ?? "", $0.challenges.map { "\($0)" }.joined(separator: ", ")] }))
        }
        partA.tables.append(Table(
            id: "budget", columns: ["Tier", "Budgeted cost"], numeric: [1],
            rows: tiers.map { [$0.tier.label, $0.planned?.formatted ?? "not set"] } + [["Total budgeted cost", totalPlanned.formatted]]))
        var partB = Section(
            id: "part_b", heading: "Part B: review of outcomes, \(year)",
            paragraphs: ["Spend is support recorded with the pupil premium as its funding source that took place in \(year), "
                + "in the tier of its support type (docs/methodology.md §6.5); a tier no support type counts in shows £0.00, "
                + "which is known, not suppressed. The performance of disadvantaged pupils is in the termly "
                + "gap report and the governors' pack."])
        var spendRows = tiers.map { line -> [String] in
            let difference: String = switch (line.planned, line.spent.value) {
            case let (planned?, spent?): Self.signed(spent.pence - planned.pence)
            default: line.spent.isSuppressed ? ReportedFigure<Int>.suppressionMark : ""
            }
            return [line.tier.label, line.planned?.formatted ?? "not set", Self.moneyText(line.spent), difference, pupilsText(line.students)]
        }
        if let unassignedSpend { spendRows.append(["Support types with no tier", "", Self.moneyText(unassignedSpend), "", ""]) }
        spendRows.append(["Total", totalPlanned.formatted, Self.moneyText(totalSpent), totalSpent.value.map { Self.signed($0.pence - totalPlanned.pence) } ?? "c", ""])
        partB.tables.append(Table(
            id: "spend_against_plan", columns: ["Tier", "Planned", "Spent", "Spent − planned", "Pupils supported"], numeric: [1, 2, 3, 4],
            rows: spendRows))
        partB.tables.append(Table(
            id: "intended_outcomes_review", columns: ["Intended outcome", "Success criteria"], numeric: [],
            rows: intendedOutcomes.map { [$0.text, $0.successCriteria ?? ""] }))
        var programmes = Section(id: "externally_provided_programmes", heading: "Externally provided programmes")
        programmes.tables.append(Table(id: "programmes", columns: ["Programme", "Provider"], numeric: [],
                                       rows: externalProgrammes.map { [$0.text, $0.externalProvider ?? ""] }))
        if externalProgrammes.isEmpty { programmes.paragraphs.append("None recorded.") }
        var service = Section(id: "service_pupil_premium", heading: "Service pupil premium funding")
        if let line = line(.serviceChild) {
            service.paragraphs.append("Service children on roll at the census: \(pupilsText(line.pupils)); service pupil premium: "
                + "\(Self.moneyText(line.amount)) at \(line.rate.formatted) each. Service children are not disadvantaged in the DfE's "
                + "measures; the premium is for pastoral support.")
        }
        var tiersSection = Section(
            id: "tiers", heading: "Support types and their tiers",
            paragraphs: ["The tier each support type's spend counts in: the documented default, or the school's own "
                + "(gaptrack pupil-premium tier set)."])
        tiersSection.tables.append(Table(
            id: "tier_assignments", columns: ["Support type", "Tier", "Set by"], numeric: [],
            rows: tierAssignments.map { [$0.type, $0.tier?.label ?? "no tier", $0.isProvidersOwn ? "the school" : "default"] }))
        var methodSection = Section(id: "method", heading: "Method", paragraphs: method.map { "\($0.topic): \($0.text)" } + suppressionNotes)
        if audience == .staff { methodSection.paragraphs.append(ReportAudience.cautionNote(threshold: suppressionThreshold)) }
        return ReviewDocument(
            title: title, header: header,
            sections: [overview, funding, partA, partB, programmes, service, tiersSection, methodSection])
    }

    static func signed(_ pence: Int) -> String {
        let amount = (try? PoundsAndPence(pence: abs(pence)))?.formatted ?? "?"
        return pence < 0 ? "−" + amount : "+" + amount
    }
}

/// Prints a `ReviewDocument` as text, CSV, Markdown or self-contained HTML.
enum ReviewDocumentRenderer {
    static func table(_ document: ReviewDocument) -> String {
        var out = document.title + "\n" + String(repeating: "=", count: document.title.count) + "\n"
        for line in document.header { out += wrapText(line, width: 100, indent: "") + "\n" }
        for section in document.sections {
            out += "\n" + section.heading + "\n" + String(repeating: "-", count: section.heading.count) + "\n"
            for paragraph in section.paragraphs { out += wrapText(paragraph, width: 100) + "\n" }
            for table in section.tables where !table.rows.isEmpty {
                // Rows of sentences read better as paragraphs than squeezed into columns.
                if table.numeric.isEmpty, table.rows.joined().contains(where: { $0.count > 40 }) {
                    out += "\n  " + table.columns[0] + "\n"
                    for row in table.rows {
                        out += wrapText("- " + row[0], width: 100, indent: "  ", hangingIndent: "    ")
                        for (column, value) in zip(table.columns.dropFirst(), row.dropFirst()) where !value.isEmpty {
                            out += wrapText(column + ": " + value, width: 100, indent: "    ", hangingIndent: "      ")
                        }
                    }
                    out += "\n"
                    continue
                }
                var text = TextTable(table.columns.enumerated().map { TextTable.Column($1, table.numeric.contains($0) ? .right : .left) })
                for row in table.rows { text.add(row) }
                out += text.render() + "\n"
            }
        }
        return out
    }

    /// One tidy table: section, table, row, column, value.
    static func csv(_ document: ReviewDocument) -> String {
        var rows: [[String]] = []
        for section in document.sections {
            for table in section.tables {
                for (index, row) in table.rows.enumerated() {
                    for (column, value) in zip(table.columns, row) {
                        rows.append([section.id, table.id, String(index + 1), column, value])
                    }
                }
            }
        }
        return CSVWriter.document(header: ["section", "table", "row", "column", "value"], rows: rows.map { $0.map(SpreadsheetSafeText.cell) })
    }

    static func markdown(_ document: ReviewDocument) -> String {
        var out = "# " + document.title + "\n\n"
        for line in document.header { out += line + "\n\n" }
        for section in document.sections {
            out += "## " + section.heading + "\n\n"
            for paragraph in section.paragraphs { out += paragraph + "\n\n" }
            for table in section.tables where !table.rows.isEmpty {
                func cells(_ row: [String]) -> String { "| " + row.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n" }
                out += cells(table.columns)
                out += "|" + table.columns.indices.map { table.numeric.contains($0) ? "---:|" : "---|" }.joined() + "\n"
                for row in table.rows { out += cells(row) }
                out += "\n"
            }
        }
        return out
    }

    static func html(_ document: ReviewDocument) -> String {
        var body = "<header><h1><span class=\"kicker\">Pupil premium strategy statement</span>\(HTML.escape(document.title))</h1>"
        for line in document.header { body += "<p class=\"note\">\(HTML.escape(line))</p>" }
        body += "</header>\n"
        for section in document.sections {
            body += "<section id=\"\(section.id)\"><h2>\(HTML.escape(section.heading))</h2>\n"
            for paragraph in section.paragraphs { body += "<p>\(HTML.escape(paragraph))</p>\n" }
            for table in section.tables where !table.rows.isEmpty {
                body += htmlTable(table)
            }
            body += "</section>\n"
        }
        return HTMLStyle.page(title: document.title, body: body)
    }

    static func htmlTable(_ table: ReviewDocument.Table) -> String {
        var out = "<table id=\"\(table.id)\"><thead><tr>"
        for (index, column) in table.columns.enumerated() {
            out += "<th\(table.numeric.contains(index) ? " class=\"num\"" : "")>\(HTML.escape(column))</th>"
        }
        out += "</tr></thead><tbody>\n"
        for row in table.rows {
            out += "<tr>"
            for (index, cell) in row.enumerated() {
                var classes = table.numeric.contains(index) ? ["num"] : []
                if cell == ReportedFigure<Int>.suppressionMark { classes.append("suppressed") }
                out += "<td\(classes.isEmpty ? "" : " class=\"\(classes.joined(separator: " "))\"")>\(HTML.escape(cell))</td>"
            }
            out += "</tr>\n"
        }
        return out + "</tbody></table>\n"
    }
}

/// The review's method, with the figures it used (docs/methodology.md §1.4, §6.5).
enum PupilPremiumMethod {
    static func notes(_ data: PupilPremiumReviewData, rates: PupilPremiumRates) -> [MethodNote] {
        [
            MethodNote(topic: "Allocation", text: "Pupils on roll in reception to year 11 at the January census of \(data.year) "
                + "(\(data.census.isoString)), each counted once on the ground with the highest rate (looked after, previously looked after, "
                + "FSM Ever 6, service child), times the DfE per-pupil rates of the financial year \(rates.financialYearLabel) that census funds: "
                + "FSM Ever 6 \(rates.fsmEver6Primary.formatted) primary and \(rates.fsmEver6Secondary.formatted) secondary, looked after and "
                + "previously looked after \(rates.lookedAfterOrPreviouslyLookedAfter.formatted), service \(rates.servicePupil.formatted) "
                + "(DfE, Pupil premium: allocations and conditions of grant; docs/methodology.md §1.4). The DfE's own allocation uses its "
                + "census counts, which may differ from the school's records."),
            MethodNote(topic: "Tiers", text: "Planned budgets and activities follow the EEF's tiered approach (high-quality teaching, "
                + "targeted academic support, wider strategies), as the DfE's strategy statement template does; actual spend is support "
                + "recorded with pupil premium funding, in its type's tier (docs/methodology.md §6.5)."),
        ]
    }
}
