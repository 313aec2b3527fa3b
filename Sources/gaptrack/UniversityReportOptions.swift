import ArgumentParser
import Foundation
import GapTrackDomain
import GapTrackReports

/// What the university reports (`report lifecycle`, `report cost-of-living-evaluation`) are asked
/// for: the provider, years of entry, the as-of date, the format, the audience and where to write.
struct UniversityReportOptions: ParsableArguments {
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

    func chosenYears() throws -> LifecycleYears? { try years.map { try LifecycleYears(parsing: $0) } }

    func day() throws -> CalendarDate { RetentionCommand.day(try asOf.map { try CalendarDate(parsing: $0) }) }

    /// Prints the report, or writes it to --output.
    func deliver(_ text: String) throws {
        guard let output else {
            print(text, terminator: "")
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            throw ValidationError("cannot write the report to \(output): \(error.localizedDescription) (check the folder exists and is writable)")
        }
    }
}
