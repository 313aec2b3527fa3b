import Foundation
import Synchronization

/// Prints an HTML page to PDF with headless Chromium (`--print-to-pdf`), the browser the HTML
/// report's print stylesheet is checked against (A4, colours kept; `HTMLStyle`). The one printer
/// of the service's PDF reports and the CLI's governors' pack.
///
/// Each print has a temporary folder of its own (the page, the PDF and a throwaway browser
/// profile, so that prints never share a profile lock) and a time limit, after which Chromium is
/// killed. Where no Chromium is installed the service answers 503 naming what is missing, because
/// the same request succeeds once it is installed (deploy/test.sh installs it).
public struct PDFPrinter: Sendable {
    /// The browser, or nil when none was found.
    public var executable: String?
    public var timeout: Duration

    /// Names looked for on PATH, in order; `GAPTRACK_CHROMIUM` names one explicitly.
    public static let candidates = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]

    public init(executable: String?, timeout: Duration = .seconds(60)) {
        self.executable = executable
        self.timeout = timeout
    }

    /// The browser named by `GAPTRACK_CHROMIUM`, else the first of `candidates` on PATH.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> PDFPrinter {
        if let named = environment["GAPTRACK_CHROMIUM"], !named.isEmpty { return PDFPrinter(executable: named) }
        let folders = (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        for name in candidates {
            for folder in folders where FileManager.default.isExecutableFile(atPath: folder + "/" + name) {
                return PDFPrinter(executable: folder + "/" + name)
            }
        }
        return PDFPrinter(executable: nil)
    }

    /// The page printed on A4, as PDF bytes.
    public func print(html: String) async throws(PDFPrintError) -> Data {
        let job = try PrintJob(html: html, executable: executable)
        defer { job.cleanUp() }
        let status: Int32
        do {
            status = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
                do {
                    try job.launch(timeout: timeout) { continuation.resume(returning: $0) }
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        } catch {
            throw .failed("could not start \(job.executable): \(error.localizedDescription)")
        }
        return try job.result(status: status, timeout: timeout)
    }

    /// The page printed on A4, for callers that are not async (a command-line command). It waits
    /// on a semaphore that Chromium's exit signals from Foundation's own thread, never for a task
    /// of Swift's cooperative pool, so it cannot starve waiting for a thread it holds.
    public func printWaiting(html: String) throws(PDFPrintError) -> Data {
        let job = try PrintJob(html: html, executable: executable)
        defer { job.cleanUp() }
        let exit = Mutex<Int32?>(nil)
        let done = DispatchSemaphore(value: 0)
        do {
            try job.launch(timeout: timeout) { status in
                exit.withLock { $0 = status }
                done.signal()
            }
        } catch {
            throw .failed("could not start \(job.executable): \(error.localizedDescription)")
        }
        done.wait()
        return try job.result(status: exit.withLock { $0 } ?? -1, timeout: timeout)
    }
}

/// One print: its temporary folder (the page, the PDF, Chromium's log and a throwaway profile),
/// the Chromium process, and whether it ended or was killed.
private struct PrintJob {
    let executable: String
    let folder: URL
    let pdf: URL
    let log: URL
    let process = Process()
    let state = PrintState()

    init(html: String, executable: String?) throws(PDFPrintError) {
        guard let executable, FileManager.default.isExecutableFile(atPath: executable) else {
            throw .chromiumMissing(executable)
        }
        self.executable = executable
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-pdf-" + UUID().uuidString, isDirectory: true)
        let page = folder.appendingPathComponent("report.html")
        pdf = folder.appendingPathComponent("report.pdf")
        log = folder.appendingPathComponent("chromium.log")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(html.utf8).write(to: page)
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)  // the log is a help, not a need
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--user-data-dir=" + folder.appendingPathComponent("profile").path,
                "--print-to-pdf=" + pdf.path, page.absoluteString,
            ]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: log)
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw .failed("could not prepare the print in \(folder.path): \(error.localizedDescription)")
        }
    }

    /// Starts Chromium; `ended` is called with its exit status once it ends, or is killed at the
    /// time limit.
    func launch(timeout: Duration, ended: @escaping @Sendable (Int32) -> Void) throws {
        let state = state
        process.terminationHandler = { process in
            state.finished.withLock { $0 = true }
            ended(process.terminationStatus)
        }
        try process.run()
        // A thread of its own rather than a task or a Dispatch timer: the time limit must
        // hold even while every thread of Swift's cooperative pool, and of Dispatch's, is
        // busy (under a full test run a Dispatch timer fired more than a minute late).
        let pid = process.processIdentifier
        let (seconds, attoseconds) = timeout.components
        let limit = Double(seconds) + Double(attoseconds) / 1e18
        let watchdog = Thread {
            let end = Date().addingTimeInterval(limit)
            while Date() < end {
                if state.finished.withLock({ $0 }) { return }
                Thread.sleep(forTimeInterval: min(0.05, max(0, end.timeIntervalSinceNow)))
            }
            if !state.finished.withLock({ $0 }) {
                state.timedOut.withLock { $0 = true }
                kill(pid, SIGKILL)
            }
        }
        watchdog.start()
    }

    /// The PDF, or why there is none.
    func result(status: Int32, timeout: Duration) throws(PDFPrintError) -> Data {
        if state.timedOut.withLock({ $0 }) { throw .timedOut(timeout) }
        let bytes = (try? Data(contentsOf: pdf)) ?? Data()
        guard status == 0, bytes.starts(with: Array("%PDF-".utf8)) else {
            let tail = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(3).joined(separator: " / ")
            throw .failed("\(executable) exited with status \(status) without writing a PDF (\(tail))")
        }
        return bytes
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: folder)
    }
}

/// Whether Chromium has ended, and whether the time limit ended it: shared between the process's
/// termination handler and the timer.
private final class PrintState: Sendable {
    let finished = Mutex(false)
    let timedOut = Mutex(false)
}

/// Why a PDF could not be made, in words an administrator can act on.
public enum PDFPrintError: Error, Sendable, Equatable, CustomStringConvertible {
    case chromiumMissing(String?)
    case timedOut(Duration)
    case failed(String)

    public var description: String {
        switch self {
        case .chromiumMissing(let named):
            "PDF printing needs headless Chromium, which is not installed on this server"
                + (named.map { " ('\($0)' is not an executable file)" } ?? " (looked for \(PDFPrinter.candidates.joined(separator: ", ")) on PATH)")
                + ": install the chromium package or set GAPTRACK_CHROMIUM; ask for format=html meanwhile"
        case .timedOut(let limit):
            "Chromium did not finish printing the report within \(limit.formatted(.units(allowed: [.seconds, .milliseconds]))); try again, or ask for format=html"
        case .failed(let reason):
            "the report could not be printed to PDF: \(reason); ask for format=html meanwhile"
        }
    }
}
