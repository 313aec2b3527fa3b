import ArgumentParser
import Foundation
import GapTrackDomain
import GapTrackReports

/// `gaptrack report governors-pack`: the one-to-two-page summary for a governing body, in HTML or
/// printed to PDF by headless Chromium, with the full governors' termly report beside it as the
/// appendix it links to (docs/methodology.md §7.9).
struct GovernorsPackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "governors-pack",
        abstract: "The governors' pack: one to two A4 pages (HTML or PDF), with the full governors' termly report as its appendix.",
        discussion: """
            Always shaped for governors (small groups and what would reveal them shown as c). Writes OUTPUT and, beside it, \
            OUTPUT's name with -appendix (the full governors' termly report, in the same format), which the pack links to.
            Example: gaptrack report governors-pack --provider demo-academy --cohort year-11 --term 2024/25-summer --format pdf --output out/pack.pdf
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case html, pdf
    }

    @Option(help: "The school's code.") var provider: ProviderCode
    @Option(help: "The cohort, e.g. year-11.") var cohort: CohortCode
    @Option(help: "The term, e.g. 2024/25-summer.") var term: AcademicTerm
    @Option(help: "html (self-contained) or pdf (printed by headless Chromium on A4).") var format: Format = .html
    @Option(help: "The file to write; the appendix is written beside it.") var output: String
    @OptionGroup var database: DatabaseOptions

    /// `out/pack.pdf` → `out/pack-appendix.pdf`.
    static func appendixPath(for output: String) -> String {
        let url = URL(fileURLWithPath: output)
        let stem = url.deletingPathExtension().lastPathComponent
        return url.deletingLastPathComponent().appendingPathComponent(stem + "-appendix." + url.pathExtension).path
    }

    func run() throws {
        let connection = try database.connect()
        let appendixPath = Self.appendixPath(for: output)
        let pack = try GovernorsPackQueries(connection: connection)
            .pack(provider: provider, cohort: cohort, term: term, appendix: URL(fileURLWithPath: appendixPath).lastPathComponent)
        let html = GovernorsPackHTML.render(pack)
        let appendix = HTMLReportRenderer.render(pack.termly)
        switch format {
        case .html:
            try write(Data(html.utf8), to: output)
            try write(Data(appendix.utf8), to: appendixPath)
        case .pdf:
            let printer = PDFPrinter.fromEnvironment()
            try write(try printer.printWaiting(html: html), to: output)
            try write(try printer.printWaiting(html: appendix), to: appendixPath)
        }
        print("Governors' pack written to \(output); appendix (the full governors' termly report) to \(appendixPath).")
    }

    func write(_ data: Data, to path: String) throws {
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ValidationError("cannot write \(path): \(error.localizedDescription) (check the folder exists and is writable)")
        }
    }
}
