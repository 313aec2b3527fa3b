import ArgumentParser
import Foundation
import GapTrackDomain
import GapTrackReports

/// `gaptrack report lifecycle`: for a university's widening-participation team, the OfS lifecycle
/// stages and their gaps by student background over several years of entry.
struct LifecycleReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifecycle",
        abstract: "Access, continuation, completion, attainment and progression gaps by student background, year by year.",
        discussion: """
            For each stage of the student lifecycle the Office for Students measures, each year of entry and each \
            characteristic (IMD, POLAR4, TUNDRA and ABCS quintile 1 against 5; free school meals at school, care leavers, \
            estranged students, first in family, mature, disabled, ethnicity, sex): the group's rate and its comparison \
            group's with 95% Wilson intervals, and the gap with a 95% Newcombe interval. Needs a student-record extract \
            ('gaptrack import student-records').

            Example:
              gaptrack report lifecycle --provider demo-university --years 2021/22-2024/25 --format html --output lifecycle.html
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The provider's code, e.g. demo-university.")
    var provider: ProviderCode

    @Option(help: ArgumentHelp("Years of entry, e.g. 2021/22-2024/25 (default: every year held).", valueName: "years"))
    var years: String?

    @Option(help: ArgumentHelp("Measure as at this date: a measure due later is not yet known (default: today).", valueName: "YYYY-MM-DD"))
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
        let report: LifecycleReport
        do {
            report = try LifecycleQueries.report(provider: provider, years: try years.map { try LifecycleYears(parsing: $0) },
                                                 asOf: day, audience: audience, on: connection)
        } catch let error as LifecycleError {
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
