import ArgumentParser
import Foundation
import GapTrackDomain
import GapTrackReports

/// `gaptrack report cost-of-living-evaluation`: for a university's student-money and
/// widening-participation teams, whether students who received each kind of cost-of-living
/// support did better than comparable students who did not.
struct CostOfLivingEvaluationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost-of-living-evaluation",
        abstract: "Did cost-of-living support help? Uptake, spend, and outcomes of supported students against comparable others.",
        discussion: """
            Continuation, completion and attainment (firsts and 2:1s) of students who received a bursary, a hardship award, \
            food support or help with housing in their first year, against students who did not, adjusted by regression for \
            entry tariff, IMD quintile, course, mode and year of entry, with 95% intervals and the caveats of such a \
            comparison; uptake by student group and spend by fund. Needs the student-record extract ('gaptrack import \
            student-records') and the support records ('gaptrack import support').

            Example:
              gaptrack report cost-of-living-evaluation --provider demo-university --as-of 2025-07-31 --format html --output support.html
            """)

    @OptionGroup var database: DatabaseOptions

    @OptionGroup var report: UniversityReportOptions

    func run() throws {
        let connection = try database.connect()
        let built: SupportEvaluationReport
        do {
            built = try SupportEvaluationQueries.report(provider: report.provider, years: try report.chosenYears(), asOf: try report.day(),
                                       audience: report.out.audience, on: connection)
        } catch let error as SupportEvaluationError {
            throw ValidationError(error.description)
        }
        try report.out.deliver(try report.out.format.render(built))
    }
}
