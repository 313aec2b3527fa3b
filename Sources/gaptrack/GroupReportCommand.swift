import ArgumentParser
import Foundation
import GapTrackDomain
import GapTrackReports

/// `gaptrack report group`: a trust's or a local authority's schools side by side
/// (docs/methodology.md §7.10).
struct GroupReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group",
        abstract: "Compare a provider group's schools: each school's gap with its interval, the pooled gap, a funnel plot, national figures.",
        discussion: """
            Each school's figures are those of its own termly report. For --audience governors or public, a school's counts under 10, \
            and counts that would reveal them, are shown as c with every figure made from them.
            Example:
              gaptrack report group --group north-star --cohort year-11 --term 2024/25-summer --format html --output out/group.html
            """)

    @Option(help: "The group's code, as in 'gaptrack provider-group list'.")
    var group: ProviderGroupCode

    @Option(help: "The cohort, e.g. year-11.")
    var cohort: CohortCode

    @Option(help: "The term, written YYYY/YY-term, e.g. 2024/25-summer.")
    var term: AcademicTerm

    @Option(help: "table (the default), csv, json, markdown or html.")
    var format: ReportFormat = .table

    @Option(help: ReportAudience.optionHelp)
    var audience: ReportAudience = .staff

    @Option(help: "Write the report to this file instead of printing it.")
    var output: String?

    @Flag(help: "Compute each school's data afresh instead of using the stored copy.")
    var recompute = false

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let connection = try database.connect()
        let report = try TermlyReportQueries.$snapshotCache.withValue(recompute ? .refresh : .use) {
            try GroupReportQueries(connection: connection).report(group: group, cohort: cohort, term: term, audience: audience)
        }
        let text = try GroupReportRenderer.render(report, format: format)
        if let output {
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw ValidationError("cannot write the report to \(output): \(error.localizedDescription) (check the folder exists and is writable)")
            }
        } else {
            print(text, terminator: "")
        }
    }
}
