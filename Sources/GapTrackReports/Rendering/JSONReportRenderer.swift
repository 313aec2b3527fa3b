import Foundation

/// The report as JSON: the `TermlyGapReport` value itself, with keys sorted, numbers rounded
/// as published (see `Estimate`), dates in ISO 8601 (UTC) and two-space indentation, so that
/// the same report always gives the same bytes.
public enum JSONReportRenderer {
    public static func render(_ report: TermlyGapReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(report)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Reads a report written by `render` (numbers come back as published, i.e. rounded).
    public static func decode(_ text: String) throws -> TermlyGapReport {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(TermlyGapReport.self, from: Data(text.utf8))
    }
}
