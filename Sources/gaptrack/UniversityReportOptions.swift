import ArgumentParser
import Foundation
import GapTrackDomain
import GapTrackReports

/// What the university reports (`report lifecycle`, `report cost-of-living-evaluation`) are asked
/// for: the provider, years of entry and the as-of date, and how the report is written (`out`).
struct UniversityReportOptions: ParsableArguments {
    @Option(help: "The provider's code, e.g. demo-university.")
    var provider: ProviderCode

    @Option(help: ArgumentHelp("Years of entry, e.g. 2021/22-2024/25 (default: every year held).", valueName: "years"))
    var years: String?

    @Option(help: ArgumentHelp("Measure as at this date: a measure due later is not yet known (default: today).", valueName: "YYYY-MM-DD"))
    var asOf: String?

    @OptionGroup var out: ReportOutputOptions

    func validate() throws {
        if let years { do { _ = try LifecycleYears(parsing: years) } catch { throw ValidationError("--years: \(error.description)") } }
        if let asOf { do { _ = try CalendarDate(parsing: asOf) } catch { throw ValidationError("--as-of: \(error.description)") } }
    }

    func chosenYears() throws -> LifecycleYears? { try years.map { try LifecycleYears(parsing: $0) } }

    func day() throws -> CalendarDate { RetentionCommand.day(try asOf.map { try CalendarDate(parsing: $0) }) }
}
