import GapTrackStore

/// The year-group breakdown of a report over several year groups, as two tables every format
/// prints the same way (docs/methodology.md §7.2): sizes and attendance of each year group, then
/// the gap in each subject each year group sat. Headings and cells as text; each renderer lays
/// them out in its own table form.
struct YearGroupTables {
    struct Table {
        var title: String
        var headings: [String]
        /// Columns 1… are numbers (right-aligned); column 0 is a label.
        var rows: [[String]]
    }

    let report: TermlyGapReport

    /// The columns of figures: every one but the labels (year group, subject).
    static func numericColumns(_ table: Table) -> Set<Int> {
        Set(table.headings.indices.filter { !["Year group", "Subject (assessment)"].contains(table.headings[$0]) })
    }

    var isEmpty: Bool { (report.yearGroups ?? []).isEmpty }

    var sectionTitle: String { "By year group" }

    var note: String {
        "Each year group on its own: its pupils, their attendance and the gap in each subject it sat this term, ranked within the year "
            + "group (pupils of different years do not sit the same assessment). Attendance gap: others − \(report.comparison.groupWord), "
            + "percentage points, 95% CI in brackets. The tables above are of the whole cohort. "
            + ReportAudience.cautionNote(threshold: report.suppressionThreshold)
    }

    var tables: [Table] {
        let sections = report.yearGroups ?? []
        let short = report.comparison.shortLabel
        // Staff see every count; one under the threshold carries the "treat with care" mark (§7.6).
        func size(_ section: YearGroupSection, _ group: ReportGroup) -> String {
            guard let figure = section.groupSizes.first(where: { $0.group.id == group.id })?.students else { return "0" }
            let isSmall = figure.value.map { $0 < report.suppressionThreshold } ?? false
            return isSmall ? ReportAudience.marked(figure.groupedText) : figure.groupedText
        }
        func attendance(_ section: YearGroupSection, _ group: ReportGroup) -> String {
            section.attendance.rows.first { $0.group.id == group.id }.map { ReportText.bracketed($0.attendance) } ?? "–"
        }
        let sizes = Table(
            title: "Pupils and attendance",
            headings: ["Year group", "Students", "n \(short)", "n others", "Attendance % \(short)", "Attendance % others", "Attendance gap (pp)"],
            rows: sections.map { section in
                [section.cohort.label, size(section, .cohort), size(section, .disadvantaged), size(section, .others),
                 attendance(section, .disadvantaged), attendance(section, .others), ReportText.bracketed(section.attendance.attendanceGap)]
            })
        let withMonths = report.provider.kind != .university
        let gaps = Table(
            title: "Attainment gap by year group",
            headings: ["Year group", "Subject (assessment)", "n \(short)", "n others", "Gap index (95% CI)"] + (withMonths ? ["Months (95% CI)"] : []),
            rows: sections.flatMap { section in
                section.attainment.map { row in
                    [section.cohort.label, row.title, ReportText.students(row.disadvantaged), ReportText.students(row.others), ReportText.bracketed(row.gapIndex)]
                        + (withMonths ? [ReportText.monthsWithInterval(row.months)] : [])
                }
            })
        return gaps.rows.isEmpty ? [sizes] : [sizes, gaps]
    }
}
