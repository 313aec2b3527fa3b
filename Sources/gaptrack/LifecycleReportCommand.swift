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

    @OptionGroup var report: UniversityReportOptions

    func run() throws {
        let connection = try database.connect()
        let built: LifecycleReport
        do {
            built = try LifecycleQueries.report(provider: report.provider, years: try report.chosenYears(), asOf: try report.day(),
                                       audience: report.out.audience, on: connection)
        } catch let error as LifecycleError {
            throw ValidationError(error.description)
        }
        try report.out.deliver(try report.out.format.render(built))
    }
}
