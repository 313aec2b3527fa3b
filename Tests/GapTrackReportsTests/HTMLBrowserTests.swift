import Foundation
import GapTrackReports
import Testing

/// Renders the HTML report in a real headless browser (Chromium, Debian package `chromium`) to a
/// PNG and an A4 PDF, and checks the page actually drew something. Skipped, with the reason
/// shown, where Chromium is not installed; the project's test script installs it.
@Suite struct HTMLBrowserTests {
    static let chromium: String? = {
        if let path = ProcessInfo.processInfo.environment["GAPTRACK_CHROMIUM"], FileManager.default.isExecutableFile(atPath: path) { return path }
        return ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    @Test(.enabled(if: chromium != nil, "Chromium is not installed: run 'apt-get install -y chromium' (Debian package 'chromium') to check the HTML report in a headless browser"))
    func theHTMLReportRendersToANonBlankPageAndAnA4PDF() throws {
        let chromium = try #require(Self.chromium)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = folder.appendingPathComponent("report.html")
        try HTMLReportRenderer.render(SampleReport.report()).write(to: page, atomically: true, encoding: .utf8)
        let blank = folder.appendingPathComponent("blank.html")
        try "<!DOCTYPE html><html><body></body></html>".write(to: blank, atomically: true, encoding: .utf8)

        let screenshot = folder.appendingPathComponent("report.png")
        let blankShot = folder.appendingPathComponent("blank.png")
        let pdf = folder.appendingPathComponent("report.pdf")
        try Self.run(chromium, ["--screenshot=\(screenshot.path)", "--window-size=1240,1754", page.absoluteString], profile: folder.appendingPathComponent("p1"))
        try Self.run(chromium, ["--screenshot=\(blankShot.path)", "--window-size=1240,1754", blank.absoluteString], profile: folder.appendingPathComponent("p2"))
        try Self.run(chromium, ["--print-to-pdf=\(pdf.path)", "--no-pdf-header-footer", page.absoluteString], profile: folder.appendingPathComponent("p3"))

        let png = try Data(contentsOf: screenshot)
        let blankPNG = try Data(contentsOf: blankShot)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "the screenshot is a PNG")
        // IHDR: width and height, big-endian, at bytes 16–23.
        let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }
        let height = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 1240 && height == 1754)
        // A blank page compresses to almost nothing; text, tables and charts do not.
        #expect(png.count > 20 * blankPNG.count, "report PNG \(png.count) bytes against a blank page's \(blankPNG.count)")

        let document = try Data(contentsOf: pdf)
        #expect(document.starts(with: Array("%PDF-".utf8)))
        let text = String(decoding: document, as: UTF8.self)
        let pages = text.components(separatedBy: "/Type /Page").count - 1 - (text.components(separatedBy: "/Type /Pages").count - 1)
        #expect((1...8).contains(pages), "the report prints on \(pages) A4 pages")
        // A4 is 595.28 × 841.89 points; Chromium writes the page box rounded to its own units.
        #expect(text.contains("/MediaBox [0 0 594.95996 841.91998]") || text.contains("/MediaBox [0 0 595"), "pages are A4")

        if let keep = ProcessInfo.processInfo.environment["GAPTRACK_KEEP_RENDERS"] {
            let target = URL(fileURLWithPath: keep)
            try? FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            for file in [page, screenshot, pdf] {
                let destination = target.appendingPathComponent(file.lastPathComponent)
                try? FileManager.default.removeItem(at: destination)
                try FileManager.default.copyItem(at: file, to: destination)
            }
        }
    }

    /// Runs headless Chromium with a private profile, failing after 90 seconds.
    static func run(_ chromium: String, _ arguments: [String], profile: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--disable-extensions",
            "--user-data-dir=\(profile.path)",
        ] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(90)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
            Issue.record("Chromium did not finish within 90 seconds: \(arguments.joined(separator: " "))")
        }
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "Chromium exited with \(process.terminationStatus) for \(arguments.joined(separator: " "))")
    }
}
