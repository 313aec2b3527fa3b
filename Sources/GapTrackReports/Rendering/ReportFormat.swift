/// The formats `gaptrack report` can write (`--format`).
public enum ReportFormat: String, Sendable, CaseIterable, Codable {
    /// Aligned plain text for a terminal (the default).
    case table
    case csv
    case json
    case markdown
    case html

    /// The usual file extension, for `--output` names.
    public var fileExtension: String {
        switch self {
        case .table: "txt"
        case .csv: "csv"
        case .json: "json"
        case .markdown: "md"
        case .html: "html"
        }
    }

    /// The report in this format. Every format is deterministic: the same report, the same bytes.
    public func render(_ report: TermlyGapReport) throws -> String {
        switch self {
        case .table: TerminalReportRenderer.render(report)
        case .csv: CSVReportRenderer.render(report)
        case .json: try JSONReportRenderer.render(report)
        case .markdown: MarkdownReportRenderer.render(report)
        case .html: HTMLReportRenderer.render(report)
        }
    }
}
