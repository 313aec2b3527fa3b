import Foundation
import GapTrackReports
import Testing

/// Writes the sample report in every format to GAPTRACK_KEEP_RENDERS, for a person to read.
/// Skipped unless that variable is set.
@Suite struct SampleOutputTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["GAPTRACK_KEEP_RENDERS"] != nil, "set GAPTRACK_KEEP_RENDERS=FOLDER to write the sample report in every format"))
    func writeTheSampleReportInEveryFormat() throws {
        let folder = URL(fileURLWithPath: try #require(ProcessInfo.processInfo.environment["GAPTRACK_KEEP_RENDERS"]))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let report = SampleReport.report()
        for format in ReportFormat.allCases {
            try format.render(report).write(to: folder.appendingPathComponent("sample.\(format.fileExtension)"), atomically: true, encoding: .utf8)
        }
    }
}
