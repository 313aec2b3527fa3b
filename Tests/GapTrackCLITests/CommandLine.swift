import ArgumentParser
import Foundation
@testable import gaptrack
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs gaptrack commands in this process, parsed from the same words a user types, and
/// collects the lines they print.
enum GapTrackCommandLine {
    /// Standard output is one per process: one command at a time may borrow it.
    private static let standardOutput = Mutex<Void>(())

    /// Parses and runs `arguments` (without the leading `gaptrack`); returns the printed lines.
    static func run(_ arguments: [String]) throws -> [String] {
        var command = try GapTrack.parseAsRoot(arguments)
        return try capturingStandardOutput { try command.run() }
    }

    /// Parses and runs `arguments`, which must fail; returns the message gaptrack shows for the
    /// failure, or nil when the command succeeded.
    static func failureMessage(_ arguments: [String]) -> String? {
        do {
            _ = try run(arguments)
            return nil
        } catch {
            return GapTrack.message(for: error)
        }
    }

    /// C's `stdout` stream, the one Swift's `print` writes to. Swift 6 refuses to read the C
    /// global directly (it is mutable shared state), so it is looked up by its symbol.
    private static var standardOutputStream: UnsafeMutablePointer<FILE> {
        dlsym(nil, "stdout")!.assumingMemoryBound(to: UnsafeMutablePointer<FILE>.self).pointee
    }

    /// Points file descriptor 1 at a file while `body` runs. The test runner reports other
    /// tests' progress on standard output too: holding the stream's lock keeps its writes out
    /// of the file until the command is done, and what was captured is written on to the real
    /// standard output afterwards, so nothing goes missing from the test log.
    private static func capturingStandardOutput(_ body: () throws -> Void) throws -> [String] {
        try standardOutput.withLock { _ in
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-cli-\(UUID().uuidString).out").path
            defer { unlink(path) }
            let stream = standardOutputStream
            flockfile(stream)
            defer { funlockfile(stream) }
            fflush(stream)
            let saved = dup(STDOUT_FILENO)
            let file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            precondition(saved >= 0 && file >= 0, "cannot redirect standard output")
            dup2(file, STDOUT_FILENO)
            close(file)
            var failure: (any Error)?
            do { try body() } catch { failure = error }
            fflush(stream)
            dup2(saved, STDOUT_FILENO)
            close(saved)
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            fputs(text, stream)
            if let failure { throw failure }
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.last == "" { lines.removeLast() }
            return lines
        }
    }
}
