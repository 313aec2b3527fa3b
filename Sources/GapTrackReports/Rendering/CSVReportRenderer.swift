import CSVFormat
import GapStatistics
import GapTrackDomain

/// The report as one tidy CSV table: one figure per row, so that reports for several terms or
/// cohorts can be stacked and pivoted in a spreadsheet.
///
/// Columns: provider, cohort, term (the term the figure is about: earlier terms in the trend,
/// the results year for national figures), section, subject, assessment, measure, group, value
/// (`c` when suppressed), ci_low, ci_high, n (students behind the figure, where it can be shown),
/// unit, note (suppression reason, method, source).
///
/// The first row (section `comparison`) names the compared group: group ids `disadvantaged` and
/// `others` (and `others_minus_disadvantaged`, ...) always mean the two sides of that comparison,
/// e.g. LSEB students and the others at a university, so that reports stack whatever the
/// definition. Months of learning come once as the primary figure (`months_of_learning`) and once
/// per conversion (`months_of_learning:progressRate`, `months_of_learning:educationalAge`, with
/// `rate_per_month:…` and `months_between:progressRate`). A termly report's impact sections follow
/// its own rows, in `ImpactCSVRenderer`'s layout.
///
/// The file is made to be opened in a spreadsheet, so a cell of text that would start a formula
/// (a provider, subject, intervention type, funding source or file name typed as `=HYPERLINK(...)`)
/// is written with a leading `'` (`SpreadsheetSafeText`); figures, negative ones included, are
/// written as they are.
public enum CSVReportRenderer {
    public static let header = [
        "provider", "cohort", "term", "section", "subject", "assessment", "measure", "group", "value", "ci_low", "ci_high", "n",
        "unit", "note",
    ]

    public static func render(_ report: TermlyGapReport) -> String {
        document(rows(report).map(\.fields) + yearGroupRows(report).map(\.fields) + report.impact.flatMap { ImpactCSVRenderer.rows($0) } + DrillDownSections.csvRows(report))
    }

    /// The header and `rows` as the file is written, every cell through `SpreadsheetSafeText`
    /// (a no-op for numbers and for text that cannot start a formula): the one place where the
    /// termly and impact reports' CSV is made safe to open.
    static func document(_ rows: [[String]]) -> String {
        CSVWriter.document(header: header, rows: rows.map { $0.map(SpreadsheetSafeText.cell) })
    }

    /// One row of the tidy table.
    public struct Row: Sendable, Equatable {
        public var term: String
        public var section: String
        public var subject = ""
        public var assessment = ""
        public var measure: String
        public var group = ""
        public var value: String
        public var ciLow = ""
        public var ciHigh = ""
        public var n = ""
        public var unit = ""
        public var note = ""
        fileprivate var provider = ""
        fileprivate var cohort = ""

        var fields: [String] {
            [provider, cohort, term, section, subject, assessment, measure, group, value, ciLow, ciHigh, n, unit, note]
        }
    }

    /// Each year group's sizes, attainment and attendance, in the whole cohort's layout with the
    /// year group's code in the cohort column, so the rows stack with one-year reports.
    static func yearGroupRows(_ report: TermlyGapReport) -> [Row] {
        (report.yearGroups ?? []).flatMap { section in
            rows(report.view(of: section)).filter { ["group_sizes", "attainment", "attendance"].contains($0.section) }
        }
    }

    /// Every figure of the report as tidy rows, in the order the other formats print them.
    public static func rows(_ report: TermlyGapReport) -> [Row] {
        let term = report.term.description
        // The groups every gap compares: `disadvantaged` below is this definition's group.
        var rows = [Row(
            term: term, section: "comparison", measure: "compared_group", group: report.comparison.rawValue, value: "",
            note: report.comparison.definition)]
        if let filter = report.cohort.filter {
            rows.append(Row(term: term, section: "comparison", measure: "filter", value: filter.code, note: "filtered to \(filter)"))
        }
        // Staff reports: the rows of a group under the threshold carry the mark and its words.
        let caution = ReportAudience.cautionNote(threshold: report.suppressionThreshold)
        func marked(_ rows: [Row], _ flag: Bool?) -> [Row] {
            guard flag == true else { return rows }
            return rows.map { row in
                var row = row
                row.note = [row.note, caution].filter { !$0.isEmpty }.joined(separator: "; ")
                return row
            }
        }
        for size in report.groupSizes {
            rows += marked([
                count(term: term, section: "group_sizes", measure: "students", group: size.group.id, size.students),
                estimate(
                    term: term, section: "group_sizes", measure: size.percentBase == .smcDeclared ? "percent_of_declared" : "percent_of_cohort",
                    group: size.group.id, size.percentOfCohort, n: size.students),
            ], size.treatWithCare)
        }
        for gap in report.attainment { rows += marked(attainment(gap, term: term), gap.treatWithCare) }
        for line in report.attendance.rows {
            let group = line.group.id
            rows += marked([
                count(term: term, section: "attendance", measure: "students", group: group, line.students),
                count(term: term, section: "attendance", measure: "possible_sessions", group: group, line.possibleSessions),
                estimate(term: term, section: "attendance", measure: "attendance_percent", group: group, line.attendance, n: line.students),
                estimate(term: term, section: "attendance", measure: "persistent_absence_percent", group: group, line.persistentAbsence, n: line.students),
                estimate(term: term, section: "attendance", measure: "severe_absence_percent", group: group, line.severeAbsence, n: line.students),
            ], line.treatWithCare)
        }
        if !report.attendance.rows.isEmpty {
            rows.append(estimate(term: term, section: "attendance", measure: "attendance_gap", group: "others_minus_disadvantaged", report.attendance.attendanceGap, n: nil))
            rows.append(estimate(term: term, section: "attendance", measure: "persistent_absence_gap", group: "disadvantaged_minus_others", report.attendance.persistentAbsenceGap, n: nil))
        }
        for line in report.support.byType + [report.support.total] { rows += marked(support(line, term: term), line.treatWithCare) }
        for line in report.support.byFundingSource {
            let group = line.source ?? "not_recorded"
            rows += marked([
                count(term: term, section: "support_funding", measure: "students", group: group, line.students),
                money(term: term, section: "support_funding", measure: "spend", group: group, line.spend),
            ], line.treatWithCare)
        }
        for series in report.trend {
            for point in series.points {
                var row = estimate(term: point.term.description, section: "trend", measure: series.id, group: "disadvantaged_vs_others", point.value, n: nil)
                row.note = [row.note, "n = \(point.disadvantagedStudents.text) \(report.comparison.groupWord), \(point.otherStudents.text) others"].filter { !$0.isEmpty }.joined(separator: "; ")
                rows.append(row)
            }
        }
        for section in report.keyStage4 ?? [] { rows += keyStage4(section, term: term, groupWord: report.comparison.groupWord) }
        for comparison in report.nationalComparison { rows += national(comparison, term: term) }
        for pair in report.nationalContext ?? [] {
            let note = "\(pair.status.rawValue); \(pair.source.publisher), \(pair.source.title), \(pair.source.url); \(pair.checked)"
            let (group, others) = pair.measure.groupIDs
            rows.append(Row(
                term: pair.periodText, section: "national_context", measure: pair.measure.rawValue + "_" + pair.phase.rawValue,
                group: "england_" + group, value: pair.groupText, unit: pair.measure.unit, note: note))
            rows.append(Row(
                term: pair.periodText, section: "national_context", measure: pair.measure.rawValue + "_" + pair.phase.rawValue,
                group: "england_" + others, value: pair.othersText, unit: pair.measure.unit, note: note))
        }
        for cut in report.dataCut.imports {
            rows.append(Row(
                term: term, section: "data_cut", measure: "import", group: cut.kind, value: cut.checksum, n: cut.rows.map(String.init) ?? "",
                unit: "sha256", note: "\(cut.file), imported \(ReportText.timestamp(cut.importedAt))"))
        }
        rows.append(Row(term: term, section: "suppression", measure: "threshold", value: String(report.suppressionThreshold), unit: "students",
                        note: report.audience.headerText(threshold: report.suppressionThreshold)))
        for note in report.suppressionNotes {
            rows.append(Row(term: term, section: "suppression", measure: "note", value: "", note: note))
        }
        for note in report.method {
            rows.append(Row(term: term, section: "method", measure: note.topic, value: "", note: note.text))
        }
        return rows.map { row in
            var row = row
            row.provider = report.provider.code
            row.cohort = report.cohort.code
            return row
        }
    }

    private static func attainment(_ gap: SubjectGap, term: String) -> [Row] {
        func row(_ measure: String, _ group: String, _ figure: ReportedFigure<Estimate>, n: String) -> Row {
            var row = estimate(term: term, section: "attainment", measure: measure, group: group, figure, n: nil)
            row.subject = gap.subject
            row.assessment = gap.assessment
            row.n = figure.isSuppressed ? "" : n
            return row
        }
        var rows = [Row]()
        let sizes = [gap.disadvantaged, gap.others].map { $0.cell { String($0.students) } }
        let pairN = sizes.contains(ReportedFigure<Int>.suppressionMark) ? "" : String((gap.disadvantaged.value?.students ?? 0) + (gap.others.value?.students ?? 0))
        for (group, scores, size) in [("disadvantaged", gap.disadvantaged, sizes[0]), ("others", gap.others, sizes[1])] {
            var students = Row(
                term: term, section: "attainment", subject: gap.subject, assessment: gap.assessment, measure: "students", group: group,
                value: size, unit: "students")
            if case let .suppressed(reason) = scores { students.note = reason.description } else { students.n = size }
            rows.append(students)
            rows.append(row("mean_score", group, scores.map(\.mean), n: size).withUnit("score points (\(gap.scale))"))
            rows.append(row("standard_deviation", group, scores.map(\.standardDeviation), n: size).withUnit("score points (\(gap.scale))"))
            rows.append(row("mean_percentile_rank", group, scores.map(\.meanPercentileRank), n: size))
        }
        rows.append(row("gap_index", "disadvantaged_vs_others", gap.gapIndex, n: pairN))
        if let meanScoreGap = gap.meanScoreGap {
            rows.append(row("mean_score_gap", "others_minus_disadvantaged", meanScoreGap, n: pairN).withUnit("score points (\(gap.scale))"))
        }
        if let hedgesG = gap.hedgesG { rows.append(row("hedges_g", "others_minus_disadvantaged", hedgesG, n: pairN)) }
        if let months = gap.months {
            var monthsRow = row("months_of_learning", "others_minus_disadvantaged", months.map(\.months), n: pairN)
            if case let .value(figure) = months {
                monthsRow.note = [monthsRow.note, ReportText.monthsMethod(figure)].filter { !$0.isEmpty }.joined(separator: "; ")
            }
            rows.append(monthsRow)
        } else {
            var missing = Row(term: term, section: "attainment", subject: gap.subject, assessment: gap.assessment, measure: "months_of_learning",
                              group: "others_minus_disadvantaged", value: "", unit: FigureUnit.months.label)
            missing.note = gap.monthsConversions.isEmpty
                ? "not given for this cohort (see the method)"
                : gap.monthsConversions.compactMap { conversion in conversion.refusal.map { "\(conversion.label): \($0)" } }.joined(separator: "; ")
            rows.append(missing)
        }
        rows += gap.monthsConversions.flatMap { monthsConversion($0, gap: gap, term: term) }
        return rows
    }

    /// One conversion's months (measure `months_of_learning:progressRate`, ...), its rate per
    /// month and, for the progress rate, the months between the two assessments; n is the
    /// students the rate was made from. A refused conversion has an empty value and its reason.
    private static func monthsConversion(_ conversion: MonthsConversion, gap: SubjectGap, term: String) -> [Row] {
        func row(_ measure: String, value: String = "", unit: String, note: String) -> Row {
            Row(term: term, section: "attainment", subject: gap.subject, assessment: gap.assessment, measure: measure + ":" + conversion.method,
                group: "others_minus_disadvantaged", value: value, unit: unit, note: note)
        }
        guard let figure = conversion.figure else {
            return [row("months_of_learning", unit: FigureUnit.months.label, note: ReportText.monthsExplanation(conversion) ?? "")]
        }
        guard case let .value(months) = figure else {
            var suppressed = row("months_of_learning", value: ReportedFigure<Int>.suppressionMark, unit: FigureUnit.months.label, note: "")
            if case let .suppressed(reason) = figure { suppressed.note = reason.description }
            return [suppressed]
        }
        let n = String(months.studentCount)
        var rows = [Row]()
        var main = estimate(term: term, section: "attainment", measure: "months_of_learning:" + conversion.method, group: "others_minus_disadvantaged",
                            .value(months.months), n: nil)
        main.subject = gap.subject
        main.assessment = gap.assessment
        main.n = n
        main.note = [conversion.isPrimary ? "primary" : "", ReportText.monthsMethod(months)].filter { !$0.isEmpty }.joined(separator: "; ")
        rows.append(main)
        if let rate = months.ratePerMonth {
            var rateRow = row("rate_per_month", value: rate.plainText, unit: months.rateUnits ?? FigureUnit.ratePerMonth.label, note: rate.intervalMethod.map { "95% CI: " + $0 } ?? "")
            rateRow.ciLow = rate.lower.map { FixedDecimal.format($0, decimals: rate.unit.decimals) } ?? ""
            rateRow.ciHigh = rate.upper.map { FixedDecimal.format($0, decimals: rate.unit.decimals) } ?? ""
            rateRow.n = n
            rows.append(rateRow)
        }
        if let between = months.monthsBetween {
            var betweenRow = row("months_between", value: between.plainText, unit: "months", note: "since " + (months.comparedWith ?? "the earlier assessment"))
            betweenRow.n = n
            rows.append(betweenRow)
        }
        return rows
    }

    private static func support(_ line: SupportRow, term: String) -> [Row] {
        let group = line.type ?? "all"
        return [
            count(term: term, section: "support", measure: "students", group: group, line.students),
            count(term: term, section: "support", measure: "disadvantaged_students", group: group, line.disadvantagedStudents),
            count(term: term, section: "support", measure: "sessions", group: group, line.sessions),
            estimate(term: term, section: "support", measure: "hours", group: group, line.hours, n: line.students),
            money(term: term, section: "support", measure: "spend", group: group, line.spend),
            money(term: term, section: "support", measure: "spend_per_student", group: group, line.spendPerStudent),
        ]
    }

    private static func national(_ comparison: NationalComparison, term: String) -> [Row] {
        let figure = comparison.national
        var rows = [Row(
            term: figure.academicYearText, section: "national", measure: figure.measure.rawValue, group: "england_" + figure.phase.rawValue,
            value: figure.valueText, unit: figure.measure == .dfeGapIndex ? FigureUnit.gapIndex.label : FigureUnit.months.label,
            note: "\(figure.status.rawValue); \(figure.source.publisher), \(figure.source.title), \(figure.source.url); \(figure.checked)")]
        if let local = comparison.local {
            var row = estimate(term: term, section: "national", measure: figure.measure.rawValue, group: "this_cohort", local, n: nil)
            row.note = [row.note, comparison.localLabel ?? ""].filter { !$0.isEmpty }.joined(separator: "; ")
            rows.append(row)
        }
        return rows
    }

    private static func count(term: String, section: String, measure: String, group: String, _ figure: ReportedFigure<Int>) -> Row {
        var row = Row(term: term, section: section, measure: measure, group: group, value: figure.text, unit: "students")
        if measure == "possible_sessions" || measure == "sessions" { row.unit = "sessions" }
        if case let .suppressed(reason) = figure { row.note = reason.description }
        return row
    }

    private static func money(term: String, section: String, measure: String, group: String, _ figure: ReportedFigure<PoundsAndPence>) -> Row {
        var row = Row(term: term, section: section, measure: measure, group: group, value: figure.cell(\.plainDecimal), unit: "pounds")
        if case let .suppressed(reason) = figure { row.note = reason.description }
        return row
    }

    private static func estimate(term: String, section: String, measure: String, group: String, _ figure: ReportedFigure<Estimate>, n: ReportedFigure<Int>?) -> Row {
        var row = Row(term: term, section: section, measure: measure, group: group, value: "")
        switch figure {
        case let .value(estimate):
            row.value = estimate.plainText
            let decimals = estimate.unit.decimals
            row.ciLow = estimate.lower.map { FixedDecimal.format($0, decimals: decimals) } ?? ""
            row.ciHigh = estimate.upper.map { FixedDecimal.format($0, decimals: decimals) } ?? ""
            row.unit = estimate.unit.label
            row.note = estimate.intervalMethod.map { "95% CI: " + $0 } ?? ""
            if case let .value(count)? = n { row.n = String(count) }
        case let .suppressed(reason):
            row.value = ReportedFigure<Estimate>.suppressionMark
            row.note = reason.description
        }
        return row
    }
}

private extension CSVReportRenderer.Row {
    func withUnit(_ unit: String) -> Self {
        var copy = self
        if !copy.unit.isEmpty { copy.unit = unit }
        return copy
    }
}

extension CSVReportRenderer {
    /// A KS4 section's rows (section `ks4`, the assessment in its column): each measure for each
    /// group with its interval and n, the gap, and whatever was not computed, with the reason.
    fileprivate static func keyStage4(_ section: KeyStage4Section, term: String, groupWord: String) -> [Row] {
        var rows: [Row] = []
        for line in section.rows {
            for (group, figure, n) in [
                ("disadvantaged", line.disadvantaged, line.disadvantagedPupils), ("others", line.others, line.othersPupils), ("all", line.all, line.allPupils),
            ] {
                var row = estimate(term: term, section: "ks4", measure: line.measure.rawValue, group: group, figure, n: n)
                row.assessment = section.assessment
                rows.append(row)
            }
            var gap = estimate(term: term, section: "ks4", measure: line.measure.rawValue + "_gap", group: "others_minus_" + groupWord, line.gap, n: nil)
            gap.assessment = section.assessment
            gap.note = [gap.note, "national: " + line.nationalText(resultsYear: section.resultsYear)].filter { !$0.isEmpty }.joined(separator: "; ")
            rows.append(gap)
        }
        for (measure, reason) in [("attainment_8", section.attainment8NotComputed), ("progress_8", section.progress8NotComputed)] {
            guard let reason else { continue }
            rows.append(Row(term: term, section: "ks4", assessment: section.assessment, measure: measure, value: "", note: reason))
        }
        return rows
    }
}
