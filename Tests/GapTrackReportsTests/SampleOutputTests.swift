import Foundation
import GapTrackReports
import Testing

/// The sample report in every format: each format renders it, names the provider and the term,
/// and gives the same bytes twice (the same data, the same report). With GAPTRACK_KEEP_RENDERS
/// set to a folder, the renders are also written there for a person to read.
@Suite struct SampleOutputTests {
    @Test(arguments: ReportFormat.allCases)
    func everyFormatRendersTheSampleReportTheSameEveryTime(format: ReportFormat) throws {
        let report = SampleReport.report()
        let first = try format.render(report)
        let second = try format.render(SampleReport.report())
        #expect(first == second, "\(format) is not reproducible")
        #expect(first.contains("Demo Academy"), "\(format) does not name the provider")
        #expect(first.contains("2024/25"), "\(format) does not name the term")
        if let keep = ProcessInfo.processInfo.environment["GAPTRACK_KEEP_RENDERS"] {
            let folder = URL(fileURLWithPath: keep)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try first.write(to: folder.appendingPathComponent("sample.\(format.fileExtension)"), atomically: true, encoding: .utf8)
        }
    }
}
