import Foundation
import GapTrackReports
import Hummingbird
import Synchronization

/// The forms a report is served in: JSON (the default), the self-contained HTML page the CLI
/// writes, and that page printed to PDF by headless Chromium.
enum ReportDocumentFormat: String, Sendable, CaseIterable {
    case json
    case html
    case pdf
    /// `GET /v1/reports/students` also gives CSV and Markdown, as `gaptrack report students` does.
    case csv
    case markdown

    var contentType: String {
        switch self {
        case .json: "application/json; charset=utf-8"
        case .html: "text/html; charset=utf-8"
        case .pdf: "application/pdf"
        case .csv: "text/csv; charset=utf-8"
        case .markdown: "text/markdown; charset=utf-8"
        }
    }

    /// The format asked for: `format=` wins; otherwise the first of `offered` that the Accept
    /// header names (in the header's order, `q=0` meaning "not this"); otherwise JSON.
    static func requested(_ query: QueryReader, accept: String?, offered: [ReportDocumentFormat]) throws(APIError) -> ReportDocumentFormat {
        if let text = query.text("format") {
            guard let format = ReportDocumentFormat(rawValue: text.lowercased()), offered.contains(format) else {
                throw .badQuery(parameter: "format", value: text, expected: offered.map(\.rawValue).joined(separator: ", "))
            }
            return format
        }
        for item in (accept ?? "").split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let media = parts.first, !parts.dropFirst().contains(where: { $0.replacingOccurrences(of: " ", with: "") == "q=0" }) else { continue }
            if let format = offered.first(where: { $0.contentType.hasPrefix(media + ";") || $0.contentType == media }) { return format }
        }
        return .json
    }

    func response(_ body: some Sequence<UInt8>) -> Response {
        Response(status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension PDFPrinter {
    /// Prints at once: each Chromium takes a few hundred megabytes and a core for a few seconds,
    /// so more requests than this are turned away (503 with Retry-After) rather than queued.
    static let slots = PrintSlots(limit: 2)

    /// The page printed by `printer` (by default the Chromium found where the service runs); 503
    /// naming what is missing or what went wrong, or that the printers are all busy.
    static func printForResponse(
        _ html: String, with printer: PDFPrinter = .fromEnvironment(), slots: PrintSlots = slots
    ) async throws(APIError) -> Data {
        guard slots.take() else {
            throw APIError.overloaded("\(slots.limit) reports are being printed to PDF already; retry shortly, or ask for format=html")
        }
        defer { slots.give() }
        do {
            return try await printer.print(html: html)
        } catch {
            throw APIError.unavailable(error.description)
        }
    }
}

/// How many PDF prints may run at once: one counter shared by every request, hence a class.
final class PrintSlots: Sendable {
    let limit: Int
    private let taken = Mutex(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes a slot if one is free.
    func take() -> Bool {
        taken.withLock { taken in
            guard taken < limit else { return false }
            taken += 1
            return true
        }
    }

    func give() {
        taken.withLock { $0 -= 1 }
    }
}
