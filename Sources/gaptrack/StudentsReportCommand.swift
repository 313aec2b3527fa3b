import ArgumentParser
import Foundation
import GapTrackDomain
import GapTrackReports
import GapTrackStore

/// `gaptrack report students`: the pupils behind a report's figures, for staff
/// (docs/methodology.md §7.7).
struct StudentsReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "students",
        abstract: "List the pupils in a group or a support type of a cohort: markers, support, attendance, results before and after (staff only).",
        discussion: """
            Pupil-level rows are for the staff who work with the pupils, never for governors or the public. Restricted records \
            (looked-after and other care and safeguarding markers, restricted support) are listed unless --omit-restricted, which \
            gives the list a staff token gets: without them, and without any pupil only they place in the group.
            Examples:
              gaptrack report students --provider demo-academy --cohort year-11 --term 2024/25-summer --group fsm-ever-6
              gaptrack report students --provider demo-academy --cohort year-11 --term 2024/25-summer --type tutoring \\
                --before maths@2024/25-autumn --after maths@2024/25-summer --format csv --output tutoring.csv
              gaptrack report students --provider demo-university --cohort intake-2024 --year 2024/25 --group care-leaver
            """)

    @Option(help: "The provider's code, e.g. demo-academy.")
    var provider: ProviderCode

    @Option(help: "The cohort, as the termly report names it: year-11, course-bsc-psy, intake-2024.")
    var cohort: CohortCode

    @Option(help: "The term, written YYYY/YY-term, e.g. 2024/25-summer: groups as on its census day, support and attendance in it.")
    var term: AcademicTerm?

    @Option(help: "Instead of --term: the academic year, e.g. 2024/25 (groups as on the summer census day, support and attendance all year).")
    var year: AcademicYear?

    @Option(help: ArgumentHelp(
        "The report group: disadvantaged, others, fsm, fsm-ever-6, looked-after, eal, sen, sen-support, young-carer, care-leaver, imd-q1, ...",
        valueName: "group"), transform: Self.group)
    var group: ReportGroup?

    @Option(help: ArgumentHelp("Only pupils who received this support type: tutoring, mentoring, language_support, ... (staff spellings accepted).",
                               valueName: "type"))
    var type: String?

    @Option(help: ArgumentHelp("The entry assessment: SUBJECT@YYYY/YY-TERM or SUBJECT:NAME@YYYY/YY-TERM (default: each subject's first of the year).",
                               valueName: "point"), transform: Self.point)
    var before: AssessmentPointSelector?

    @Option(help: ArgumentHelp("The exit assessment, written like --before (default: each subject's latest up to the term).", valueName: "point"),
            transform: Self.point)
    var after: AssessmentPointSelector?

    @Option(help: ArgumentHelp("Who the disadvantaged group is, as for 'report termly' (default: the provider's).", valueName: "group"))
    var compare: ComparisonGroup?

    @Flag(help: "Leave out restricted records, as a staff token's list does.")
    var omitRestricted = false

    @Option(help: "table (the default), csv (one row per pupil), json, markdown or html (self-contained, prints on A4).")
    var format: ReportFormat = .table

    @Option(help: "Write the list to this file instead of printing it.")
    var output: String?

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if (term == nil) == (year == nil) { throw ValidationError("give --term or --year (one of them)") }
    }

    static func group(_ text: String) throws -> ReportGroup {
        guard let group = ReportGroup.named(text) else {
            throw ValidationError(DrillDownError.unknownGroup(text, valid: ReportGroup.standardOrder.map(\.argument)).description)
        }
        return group
    }

    static func point(_ text: String) throws -> AssessmentPointSelector {
        do { return try AssessmentPointSelector(parsing: text) } catch { throw ValidationError(error.description) }
    }

    func run() throws {
        let connection = try database.connect()
        let request = StudentDrillDownRequest(
            provider: provider, cohort: cohort, term: term ?? StudentDrillDownRequest.term(ofYear: year!), wholeYear: year != nil,
            group: group, type: type, before: before, after: after, comparison: compare)
        let access = DrillDownAccess(audience: .staff, restrictedRecords: omitRestricted ? .omitted : .included)
        let drillDown: StudentDrillDown
        do {
            drillDown = try StudentDrillDownQueries(connection: connection).drillDown(request, access: access)
        } catch let error as DrillDownError {
            throw ValidationError(error.description)
        }
        try writeReport(try format.render(drillDown), to: output, what: "the list")
    }
}
