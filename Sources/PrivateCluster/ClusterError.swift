/// Why the private PostgreSQL cluster could not be set up, started or stopped.
public enum ClusterError: Error, CustomStringConvertible, Sendable {
    case postgresNotInstalled(searched: [String])
    case commandFailed(command: String, exitCode: Int32, output: String)
    case folderNotUsable(path: String, reason: String)
    case notRunning(path: String)

    public var description: String {
        switch self {
        case .postgresNotInstalled(let searched):
            return "PostgreSQL's server programs (initdb, pg_ctl) were not found in \(searched.joined(separator: ", ")). "
                + "Install them with: apt-get install -y postgresql"
        case .commandFailed(let command, let exitCode, let output):
            return "'\(command)' failed with exit code \(exitCode):\n\(output.trimmingCharacters(in: .whitespacesAndNewlines))"
        case .folderNotUsable(let path, let reason):
            return "the private cluster folder \(path) cannot be used: \(reason)"
        case .notRunning(let path):
            return "the private PostgreSQL cluster in \(path) is not running; start it with: gaptrack db start"
        }
    }
}
