import GapTrackStore
import GapStatistics

/// The report as one self-contained HTML page: inline stylesheet, inline SVG charts (gap index
/// with intervals per subject, attendance and persistent absence by group, the trend), no
/// script, font, image or link it must fetch. It prints on A4 (see `HTMLStyle`).
public enum HTMLReportRenderer {
    public static func render(_ report: TermlyGapReport) -> String {
        var body = header(report)
        body += summaryCards(report)
        body += section("groups", "1. Group sizes", groupSizes(report))
        body += section("attainment", "2. Attainment gap: \(report.comparison.students) against \(report.comparison.othersStudents)", attainment(report))
        if let ks4 = KeyStage4Rendering(report: report) { body += section("ks4", "2a. KS4 measures from the school's own results", ks4.html) }
        body += section("attendance", "3. Attendance by group", attendance(report))
        let yearGroups = YearGroupTables(report: report)
        if !yearGroups.isEmpty {
            body += section("year-groups", "3a. " + yearGroups.sectionTitle, yearGroups.tables.map { table in
                var html = HTMLTable(table.headings, numeric: YearGroupTables.numericColumns(table))
                for row in table.rows { html.add(row) }
                return "<h3>\(HTML.escape(table.title))</h3>\n" + html.render()
            }.joined() + "<p class=\"note\">\(HTML.escape(yearGroups.note))</p>\n")
        }
        body += section("support", "4. Support and interventions delivered this term", support(report))
        if !report.impact.isEmpty {
            // Each impact's section and chart ids (and the chart's aria-labelledby) are numbered, so that ids stay unique in the page.
            body += section("impact", "4a. Intervention impact", report.impact.enumerated().map { number, impact in
                "<h3>\(HTML.escape(impact.title))</h3>\n"
                    + ImpactHTMLRenderer.section(impact, headingLevel: 4)
                    .replacingOccurrences(of: "id=\"impact-", with: "id=\"impact-\(number + 1)-")
                    .replacingOccurrences(of: "\"chart-impact-", with: "\"chart-impact-\(number + 1)-")
            }.joined())
        }
        body += DrillDownSections.html(report)
        body += section("trend", "5. Trend over earlier terms", trend(report))
        body += section("national", "6. National figures for comparison", national(report))
        body += section("suppression", "7. Suppression applied", suppression(report))
        body += section("data-cut", "8. Data cut", dataCut(report))
        body += section("method", "9. Method", method(report))
        body += "<footer>Made by gaptrack from the data cut in section 8. The same data always gives the same report.</footer>\n"
        return HTMLStyle.page(title: report.title, body: body)
    }

    // MARK: - Sections

    private static func header(_ report: TermlyGapReport) -> String {
        var out = "<header>\n<h1><span class=\"kicker\">Termly gap report</span>\(HTML.escape(report.provider.name)): \(HTML.escape(report.cohort.label)), \(HTML.escape(ReportText.term(report.term)))</h1>\n"
        out += "<dl class=\"facts\">"
        out += "<dt>Provider</dt><dd>\(HTML.escape(report.provider.name)) (<code>\(HTML.escape(report.provider.code))</code>, \(report.provider.kind.rawValue))</dd>"
        out += "<dt>Cohort</dt><dd>\(HTML.escape(report.cohort.label)) (<code>\(HTML.escape(report.cohort.code))</code>)</dd>"
        out += "<dt>Term</dt><dd>\(HTML.escape(ReportText.term(report.term)))</dd>"
        out += "<dt>Compared</dt><dd>\(HTML.escape(report.comparison.students)) against \(HTML.escape(report.comparison.othersStudents)) (<code>--compare \(report.comparison.rawValue)</code>)</dd>"
        out += "<dt>Data cut</dt><dd>\(HTML.escape(ReportText.dataCut(report.dataCut)))</dd></dl>\n"
        out += "<p class=\"note\">\(HTML.escape(report.audience.headerText(threshold: report.suppressionThreshold)))</p>\n</header>\n"
        return out
    }

    private static func summaryCards(_ report: TermlyGapReport) -> String {
        var cards = [(String, String, String)]()
        if let size = report.groupSize(.disadvantaged) {
            cards.append(("disadvantaged", size.students.groupedText, "\(report.comparison.students) (\(size.percentOfCohort.text) of the cohort)"))
        }
        if let headline = report.attainment.first {
            cards.append(("disadvantaged", headline.gapIndex.text, "gap index, \(headline.title)"))
        }
        if !report.attendance.rows.isEmpty {
            cards.append(("", report.attendance.attendanceGap.text, "attendance gap, percentage points (others − \(report.comparison.groupWord))"))
        }
        if !report.support.byType.isEmpty {
            cards.append(("", report.support.total.spendPerStudent.text, "support spend per student supported this term"))
        }
        var out = "<div class=\"cards\" style=\"--cards: \(cards.count)\">"
        for (kind, figure, what) in cards {
            out += "<div class=\"card\(kind.isEmpty ? "" : " " + kind)\"><span class=\"figure\">\(HTML.escape(figure))</span><span class=\"what\">\(HTML.escape(what))</span></div>"
        }
        return out + "</div>\n"
    }

    private static func groupSizes(_ report: TermlyGapReport) -> String {
        var table = HTMLTable(["Group", "Students", "% of cohort"], numeric: [1, 2])
        var family: ReportGroup.Family?
        for row in report.groupSizes {
            table.add([row.group.label, row.students.groupedText, row.percentText], familyStart: family != nil && family != row.group.family)
            family = row.group.family
        }
        return table.render()
    }

    private static func attainment(_ report: TermlyGapReport) -> String {
        guard !report.attainment.isEmpty else { return "<p>No assessment results for this cohort in this term.</p>\n" }
        let phase = report.cohort.cohortCode.flatMap(NationalFigures.phase(for:))
        let reference = phase.flatMap { phase in NationalFigures.dfeGapIndex.filter { $0.phase == phase }.last }
        let rows = report.attainment.map { row in
            SVGChart.DotRow(
                label: row.title, value: row.gapIndex.value?.value, lower: row.gapIndex.value?.lower, upper: row.gapIndex.value?.upper,
                valueText: row.gapIndex.isSuppressed ? "c (suppressed)" : ReportText.withInterval(row.gapIndex))
        }
        let values = rows.flatMap { [$0.value, $0.lower, $0.upper].compactMap { $0 } } + [reference?.value].compactMap { $0 }
        let domain = niceDomain(low: min(-1, values.min() ?? 0), high: max(5, values.max() ?? 5))
        var out = "<figure>" + SVGChart.dotWhisker(
            id: "chart-gap-index", title: "Gap index by subject with 95% confidence intervals", rows: rows, domain: domain,
            axisLabel: "DfE gap index (0 = no gap; 10 = every \(report.comparison.groupWord) student below every other)",
            references: reference.map { [.init(value: $0.value, label: "England \($0.phase == .keyStage4 ? "KS4" : "KS2") \($0.academicYearText): \($0.valueText)")] } ?? [],
            zeroLine: true)
        out += "<figcaption>Dots: gap index; bars: 95% confidence interval (DeLong). A wide bar means the gap could easily be noise.</figcaption></figure>\n"
        let word = report.comparison.groupWord
        // Universities get no months of learning (`ReportText.noMonths`): no column for them.
        let withMonths = report.provider.kind != .university
        var gaps = HTMLTable(
            ["Subject (assessment)", "n \(word)", "n others", "Gap index (95% CI)"] + (withMonths ? ["Months, primary (95% CI)"] : []),
            numeric: Set(1...(withMonths ? 4 : 3)))
        var scores = HTMLTable(
            ["Subject (assessment)", "\(word.prefix(1).uppercased() + word.dropFirst()) mean (SD)", "Others mean (SD)", "Score gap (95% CI)", "Hedges g (95% CI)"],
            numeric: Set(1...4))
        var months = HTMLTable(["Subject (assessment)", "Conversion", "Months (95% CI)", "Rate per month (95% CI)", "Months between", "n"], numeric: Set(2...5))
        var notes = [String]()
        var monthsNotes = [String]()
        for row in report.attainment {
            notes += row.notes.map { "\(row.title): \($0)" }
            if row.monthsConversions.isEmpty, row.months != nil {
                months.add(cells: [HTMLCell(row.title), "–", HTMLCell(ReportText.months(row.months)), "", "", ""])
            }
            for conversion in row.monthsConversions {
                let figure = conversion.figure?.value
                months.add(cells: [
                    HTMLCell(row.title), HTMLCell(ReportText.conversionLabel(conversion)),
                    .estimate(conversion.figure.map { $0.map(\.months) }, missing: ReportText.months(conversion)),
                    .estimate(figure?.ratePerMonth.map { .value($0) }, missing: ""), HTMLCell(figure?.monthsBetween?.plainText ?? ""),
                    HTMLCell(figure.map { FixedDecimal.grouped($0.studentCount) } ?? ""),
                ])
                if let explanation = ReportText.monthsExplanation(conversion) {
                    monthsNotes.append("\(row.title), \(conversion.label.lowercased()): \(explanation)")
                }
            }
            gaps.add(cells: [
                HTMLCell(row.title), HTMLCell(ReportText.students(row.disadvantaged)), HTMLCell(ReportText.students(row.others)), .estimate(row.gapIndex),
            ] + (withMonths ? [.estimate(row.months.map { $0.map(\.months) }, missing: ReportText.months(row.months))] : []))
            scores.add(cells: [
                HTMLCell(row.title), HTMLCell(ReportText.scores(row.disadvantaged)), HTMLCell(ReportText.scores(row.others)),
                .estimate(row.meanScoreGap), .estimate(row.hedgesG),
            ])
        }
        out += gaps.render() + scores.render()
        out += "<p class=\"note\">Positive figures mean \(HTML.escape(report.comparison.students)) are behind. Score gap: others − \(HTML.escape(word)) students on the assessment's own scale, Welch interval.</p>\n"
        out += notesList(notes)
        out += "<h3>Months of learning</h3>\n"
        out += months.body.isEmpty ? "<p>\(HTML.escape(ReportText.noMonths(report)))</p>\n" : months.render() + notesList(monthsNotes)
        return out
    }

    private static func attendance(_ report: TermlyGapReport) -> String {
        let section = report.attendance
        guard !section.rows.isEmpty else { return "<p>No attendance marks for this cohort in this term.</p>\n" }
        func colour(_ group: ReportGroup) -> String {
            group.id == ReportGroup.others.id ? SVGChart.Palette.others : (group.id == ReportGroup.cohort.id ? SVGChart.Palette.neutral : SVGChart.Palette.disadvantaged)
        }
        let attendanceRows = section.rows.map { row in
            SVGChart.DotRow(
                label: ReportText.shortLabel(row.group), value: row.attendance.value?.value, lower: row.attendance.value?.lower,
                upper: row.attendance.value?.upper, valueText: ReportText.compactInterval(row.attendance), colour: colour(row.group))
        }
        let lows = attendanceRows.compactMap { $0.lower ?? $0.value }
        let floor = max(0, ((lows.min() ?? 90) - 2) / 5).rounded(.down) * 5
        var out = "<figure>" + SVGChart.dotWhisker(
            id: "chart-attendance", title: "Attendance by group with 95% confidence intervals", rows: attendanceRows,
            domain: min(floor, 90)...100, axisLabel: "attendance, % of possible sessions (axis starts at \(FixedDecimal.format(min(floor, 90), decimals: 0))%)")
        out += "<figcaption>Attendance: attended ÷ possible sessions. Axis does not start at zero.</figcaption></figure>\n"
        let persistentRows = section.rows.map { row in
            SVGChart.DotRow(
                label: ReportText.shortLabel(row.group), value: row.persistentAbsence.value?.value, lower: row.persistentAbsence.value?.lower,
                upper: row.persistentAbsence.value?.upper, valueText: ReportText.compactInterval(row.persistentAbsence), colour: colour(row.group))
        }
        let highest = persistentRows.compactMap { $0.upper ?? $0.value }.max() ?? 10
        out += "<figure>" + SVGChart.bars(
            id: "chart-persistent-absence", title: "Persistent absence by group", rows: persistentRows,
            maximum: niceDomain(low: 0, high: max(10, highest)).upperBound, axisLabel: "persistent absence, % of students (10% or more of sessions missed)")
        out += "<figcaption>Bars: share of students persistently absent; lines: 95% Wilson interval.</figcaption></figure>\n"
        var table = HTMLTable(["Group", "Students", "Possible sessions", "Attendance % (95% CI)", "Persistent absence % (95% CI)", "Severe absence % (95% CI)"], numeric: Set(1...5))
        var family: ReportGroup.Family?
        for row in section.rows {
            table.add(
                cells: [HTMLCell(row.group.label), HTMLCell(row.students.groupedText), HTMLCell(row.possibleSessions.groupedText),
                        .estimate(row.attendance), .estimate(row.persistentAbsence), .estimate(row.severeAbsence)],
                familyStart: family != nil && family != row.group.family)
            family = row.group.family
        }
        out += table.render()
        out += "<p>Attendance gap (others − \(HTML.escape(report.comparison.groupWord))): <strong>\(HTML.escape(ReportText.withInterval(section.attendanceGap)))</strong> percentage points. "
        out += "Persistent absence gap (\(HTML.escape(report.comparison.groupWord)) − others): <strong>\(HTML.escape(ReportText.withInterval(section.persistentAbsenceGap)))</strong> percentage points.</p>\n"
        return out
    }

    private static func support(_ report: TermlyGapReport) -> String {
        guard !report.support.byType.isEmpty else { return "<p>No support or interventions took place in this term.</p>\n" }
        let compared = report.comparison == .dfeDisadvantaged ? "Disadvantaged" : report.comparison.shortLabel
        var table = HTMLTable(["Type", "Students", compared, "Sessions", "Hours", "Spend", "Per student"], numeric: Set(1...6))
        for row in report.support.byType {
            table.add([row.label, row.students.groupedText, row.disadvantagedStudents.groupedText, row.sessions.groupedText, row.hours.text, row.spend.text, row.spendPerStudent.text])
        }
        let total = report.support.total
        table.add([total.label, total.students.groupedText, total.disadvantagedStudents.groupedText, total.sessions.groupedText, total.hours.text, total.spend.text,
                   total.spendPerStudent.text], total: true)
        var out = table.render()
        if !report.support.byFundingSource.isEmpty {
            var funding = HTMLTable(["Funding source", "Students", "Spend"], numeric: [1, 2])
            for row in report.support.byFundingSource { funding.add([row.label, row.students.groupedText, row.spend.text]) }
            out += "<h3>By funding source</h3>\n" + funding.render()
        }
        return out + "<p class=\"note\">Support that took place in the term (active or ended records; teaching time shared between the terms it ran in). Planned and cancelled records are not counted.</p>\n"
    }

    private static func trend(_ report: TermlyGapReport) -> String {
        let terms = Array(Set(report.trend.flatMap { $0.points.map(\.term) })).sorted()
        guard !terms.isEmpty else { return "<p>No earlier terms with data.</p>\n" }
        var out = ""
        let indexSeries = report.trend.filter { $0.unit == .gapIndex }
        if !indexSeries.isEmpty {
            let series = indexSeries.enumerated().map { index, item in
                SVGChart.Series(
                    label: item.label,
                    values: terms.map { term in item.points.first { $0.term == term }?.value.value?.value },
                    colour: SVGChart.Palette.series[index % SVGChart.Palette.series.count])
            }
            out += "<figure>" + SVGChart.lines(
                id: "chart-trend", title: "Gap index by term", xLabels: terms.map(ReportText.shortTerm), series: series, axisLabel: "gap index")
            out += "<figcaption>Gap index per subject by term; a break in a line is a term with no figure or a suppressed one.</figcaption></figure>\n"
        }
        var table = HTMLTable(["Measure"] + terms.map(ReportText.term), numeric: Set(1...terms.count))
        for series in report.trend {
            table.add([series.label] + terms.map { term in series.points.first { $0.term == term }.map(\.value.text) ?? "–" })
        }
        return out + table.render()
    }

    private static func national(_ report: TermlyGapReport) -> String {
        guard !report.nationalComparison.isEmpty else {
            return "<p>No national figure matches this cohort (national gap figures exist for early years, KS2 and KS4).</p>\n"
        }
        var table = HTMLTable(["Measure", "Phase", "Year", "England", "Status", "This cohort", "Source"], numeric: [3, 5])
        for row in report.nationalComparison {
            let figure = row.national
            table.add([figure.measure.label, figure.phase.label, figure.academicYearText, figure.valueText, figure.status.rawValue, ReportText.local(row),
                       "\(figure.source.publisher), \(figure.source.title)"])
        }
        var notes = report.nationalComparison.compactMap { row in row.local == nil ? nil : row.localLabel.map { "This cohort: " + $0 } }
        var seen = Set<String>()
        for row in report.nationalComparison where seen.insert(row.national.source.url).inserted {
            notes.append("\(row.national.source.publisher), \(row.national.source.title): \(row.national.source.url)")
        }
        return table.render() + notesList(notes) + nationalContext(report)
    }

    private static func nationalContext(_ report: TermlyGapReport) -> String {
        guard let pairs = report.nationalContext, !pairs.isEmpty else { return "" }
        var table = HTMLTable(["Measure (group v. others)", "Phase", "Period", "Group", "Others", "Status"], numeric: [3, 4])
        var notes = [String]()
        for pair in pairs {
            table.add([pair.title, pair.phase.label, pair.periodText, pair.groupText, pair.othersText, pair.status.rawValue])
            let source = "\(pair.source.publisher), \(pair.source.title): \(pair.source.url)"
            if !notes.contains(source) { notes.append(source) }
        }
        return "<p>\(HTML.escape(ReportText.nationalContextIntroduction(pairs)))</p>\n" + table.render() + notesList(notes)
    }

    private static func suppression(_ report: TermlyGapReport) -> String {
        report.suppressionNotes.isEmpty ? "<p>Nothing was suppressed.</p>\n" : notesList(report.suppressionNotes)
    }

    private static func dataCut(_ report: TermlyGapReport) -> String {
        guard !report.dataCut.imports.isEmpty else { return "<p>No imports recorded.</p>\n" }
        var table = HTMLTable(["Kind", "File", "Rows", "Imported", "SHA-256"], numeric: [2])
        for record in report.dataCut.imports {
            table.add([record.kind, record.file, record.rows.map(FixedDecimal.grouped) ?? "", ReportText.timestamp(record.importedAt), record.checksum], codeColumn: 4)
        }
        return table.render()
    }

    private static func method(_ report: TermlyGapReport) -> String {
        "<dl class=\"method\">" + report.method.map { "<dt><strong>\(HTML.escape($0.topic))</strong></dt><dd>\(HTML.escape($0.text))</dd>" }.joined() + "</dl>\n"
    }

    // MARK: - Helpers

    private static func section(_ id: String, _ title: String, _ content: String) -> String {
        "<section id=\"\(id)\">\n<h2>\(HTML.escape(title))</h2>\n\(content)</section>\n"
    }

    private static func notesList(_ notes: [String]) -> String {
        notes.isEmpty ? "" : "<ul class=\"notes\">" + notes.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>\n"
    }

    /// Widens a range outward to whole multiples of a nice step, for chart axes.
    static func niceDomain(low: Double, high: Double) -> ClosedRange<Double> {
        let step = SVGChart.Axis(domain: low...max(high, low + 1), from: 0, to: 1).step
        return ((low / step).rounded(.down) * step)...((high / step).rounded(.up) * step)
    }
}

/// One cell of an HTML table: its text and, for an estimate, its interval on a second, smaller
/// line (so that wide tables of intervals still fit an A4 page).
struct HTMLCell: ExpressibleByStringLiteral {
    var text: String
    var detail: String?

    init(_ text: String, detail: String? = nil) {
        self.text = text
        self.detail = detail
    }

    init(stringLiteral text: String) {
        self.init(text)
    }

    /// The value, with its interval below it; `missing` when there is no figure at all.
    static func estimate(_ figure: ReportedFigure<Estimate>?, missing: String = "n/a") -> HTMLCell {
        guard let figure else { return HTMLCell(missing) }
        switch figure {
        case .suppressed: return HTMLCell(ReportedFigure<Estimate>.suppressionMark)
        case let .value(estimate): return HTMLCell(estimate.plainText, detail: estimate.intervalText)
        }
    }
}

/// An HTML table whose numeric columns are right-aligned and whose suppressed cells are marked.
struct HTMLTable {
    var header: [String]
    var numeric: Set<Int>
    var body = ""

    init(_ header: [String], numeric: Set<Int>) {
        self.header = header
        self.numeric = numeric
    }

    mutating func add(_ cells: [String], familyStart: Bool = false, total: Bool = false, codeColumn: Int? = nil) {
        add(cells: cells.map { HTMLCell($0) }, familyStart: familyStart, total: total, codeColumn: codeColumn)
    }

    mutating func add(cells: [HTMLCell], familyStart: Bool = false, total: Bool = false, codeColumn: Int? = nil) {
        let classes = [familyStart ? "family-start" : nil, total ? "total" : nil].compactMap { $0 }
        body += classes.isEmpty ? "<tr>" : "<tr class=\"\(classes.joined(separator: " "))\">"
        for (index, cell) in cells.enumerated() {
            var cellClasses = numeric.contains(index) ? ["num"] : []
            if cell.text == ReportedFigure<Int>.suppressionMark { cellClasses.append("suppressed") }
            let open = cellClasses.isEmpty ? "<td>" : "<td class=\"\(cellClasses.joined(separator: " "))\">"
            var content = index == codeColumn ? "<span class=\"checksum\">\(HTML.escape(cell.text))</span>" : HTML.escape(cell.text)
            if let detail = cell.detail { content += "<span class=\"ci\">\(HTML.escape(detail))</span>" }
            body += open + content + "</td>"
        }
        body += "</tr>\n"
    }

    func render() -> String {
        var out = "<table>\n<thead><tr>"
        for (index, title) in header.enumerated() {
            out += numeric.contains(index) ? "<th class=\"num\">" : "<th>"
            out += HTML.escape(title) + "</th>"
        }
        return out + "</tr></thead>\n<tbody>\n" + body + "</tbody>\n</table>\n"
    }
}
