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

    @Option(help: "The provider's code, e.g. demo-university.")
    var provider: ProviderCode

    @Option(help: ArgumentHelp("Years of entry, e.g. 2020/21-2023/24 (default: every year held).", valueName: "years"))
    var years: String?

    @Option(help: ArgumentHelp("Measure as at this date: an outcome due later is not yet known (default: today).", valueName: "YYYY-MM-DD"))
    var asOf: String?

    @Option(help: "table (aligned text, the default), csv, json, markdown or html (self-contained, with charts).")
    var format: ReportFormat = .table

    @Option(help: ReportAudience.optionHelp)
    var audience: ReportAudience = .staff

    @Option(help: "Write the report to this file instead of printing it.")
    var output: String?

    func validate() throws {
        if let years { do { _ = try LifecycleYears(parsing: years) } catch { throw ValidationError("--years: \(error.description)") } }
        if let asOf { do { _ = try CalendarDate(parsing: asOf) } catch { throw ValidationError("--as-of: \(error.description)") } }
    }

    func run() throws {
        let connection = try database.connect()
        let day = RetentionCommand.day(try asOf.map { try CalendarDate(parsing: $0) })
        let report: SupportEvaluationReport
        do {
            report = try SupportEvaluationQueries.report(provider: provider, years: try years.map { try LifecycleYears(parsing: $0) },
                                                         asOf: day, audience: audience, on: connection)
        } catch let error as SupportEvaluationError {
            throw ValidationError(error.description)
        }
        let text = try format.render(report)
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
