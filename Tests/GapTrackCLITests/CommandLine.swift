import ArgumentParser
import Foundation
@testable import gaptrack
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs gaptrack commands in this process, parsed from the same words a user types, and
/// collects what they print.
enum GapTrackCommandLine {
    /// Standard output is one per process: one command at a time may borrow it.
    private static let standardOutput = Mutex<Void>(())

    /// Parses and runs `arguments` (without the leading `gaptrack`); returns the printed text.
    static func run(_ arguments: [String]) throws -> String {
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

    private static func capturingStandardOutput(_ body: () throws -> Void) throws -> String {
        try standardOutput.withLock { _ in
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-cli-\(UUID().uuidString).out").path
            defer { unlink(path) }
            fflush(nil)
            let saved = dup(STDOUT_FILENO)
            let file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            precondition(saved >= 0 && file >= 0, "cannot redirect standard output")
            dup2(file, STDOUT_FILENO)
            close(file)
            defer {
                fflush(nil)
                dup2(saved, STDOUT_FILENO)
                close(saved)
            }
            try body()
            fflush(nil)
            return try String(contentsOfFile: path, encoding: .utf8)
        }
    }
}
