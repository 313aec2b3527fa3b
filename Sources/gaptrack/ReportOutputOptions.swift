import ArgumentParser
import Foundation
import GapTrackReports

/// How every report leaves its command: the format, the audience it is shaped for
/// (docs/methodology.md §7.6: the audience, never the reader's database role, decides what is
/// shown), and the file it is written to, if any.
struct ReportOutputOptions: ParsableArguments {
    @Option(help: "table (aligned text, the default), csv, json, markdown or html (self-contained, with charts; prints on A4).")
    var format: ReportFormat = .table

    @Option(help: ReportAudience.optionHelp)
    var audience: ReportAudience = .staff

    @Option(help: "Write the report to this file instead of printing it.")
    var output: String?

    /// Prints the report, or writes it to --output.
    func deliver(_ text: String) throws { try writeReport(text, to: output) }
}

/// Prints `text`, or writes it whole to `output` (replacing the file at once, so a reader never
/// sees half a report); `what` names it in the error a data lead reads.
func writeReport(_ text: String, to output: String?, what: String = "the report") throws {
    guard let output else {
        print(text, terminator: "")
        return
    }
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
    } catch {
        throw ValidationError("cannot write \(what) to \(output): \(error.localizedDescription) (check the folder exists and is writable)")
    }
}
