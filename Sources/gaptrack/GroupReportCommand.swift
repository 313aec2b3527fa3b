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

    @OptionGroup var out: ReportOutputOptions

    @Flag(help: "Compute each school's data afresh instead of using the stored copy.")
    var recompute = false

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let connection = try database.connect()
        let report = try TermlyReportQueries.$snapshotCache.withValue(recompute ? .refresh : .use) {
            try GroupReportQueries(connection: connection).report(group: group, cohort: cohort, term: term, audience: out.audience)
        }
        try out.deliver(try GroupReportRenderer.render(report, format: out.format))
    }
}
