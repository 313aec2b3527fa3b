import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs PostgreSQL's own tools (initdb, pg_ctl). Output goes to a temporary file rather than a
/// pipe: `pg_ctl start` leaves a server running that inherits the child's descriptors, and
/// reading a pipe to its end would then wait for the server to exit.
struct ExternalCommand: Sendable {
    var executable: String
    var arguments: [String]
    /// When running as root, PostgreSQL refuses to start; the server and initdb run as this user.
    var runAsUser: String?

    struct Outcome: Sendable {
        var exitCode: Int32
        var output: String
    }

    func run() throws -> Outcome {
        let argv: [String] = runAsUser.map { ["/usr/sbin/runuser", "-u", $0, "--", executable] + arguments }
            ?? [executable] + arguments
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }

        // posix_spawn + waitpid rather than Foundation's Process: on Linux, Process can wait on
        // for as long as the server that pg_ctl leaves behind keeps inherited descriptors open.
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        let spawnStatus = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ)
        guard spawnStatus == 0 else {
            throw ClusterError.commandFailed(command: describe(), exitCode: -1, output: String(cString: strerror(spawnStatus)))
        }
        var waitStatus: Int32 = 0
        while waitpid(pid, &waitStatus, 0) == -1 && errno == EINTR {}
        let exitCode = (waitStatus & 0x7f) == 0 ? (waitStatus >> 8) & 0xff : 128 + (waitStatus & 0x7f)
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return Outcome(exitCode: exitCode, output: text)
    }

    func runChecked() throws -> String {
        let outcome = try run()
        guard outcome.exitCode == 0 else {
            throw ClusterError.commandFailed(command: describe(), exitCode: outcome.exitCode, output: outcome.output)
        }
        return outcome.output
    }

    func describe() -> String {
        ([runAsUser.map { "runuser -u \($0) --" }].compactMap { $0 } + [executable] + arguments).joined(separator: " ")
    }
}

