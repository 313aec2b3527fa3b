import Foundation

/// Finds the gaptrack project folder: where `sql/` lives and where the private cluster is kept.
///
/// Order: `GAPTRACK_HOME`; the nearest folder above the working directory holding both
/// `Package.swift` and `sql/`; the same search above the running executable (a built binary
/// lives in `.build/<config>/`); finally the working directory.
public struct ProjectFolder: Sendable, Equatable {
    public let url: URL

    public init(url: URL) {
        self.url = url.standardizedFileURL
    }

    public static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: String = FileManager.default.currentDirectoryPath,
        executablePath: String? = CommandLine.arguments.first
    ) -> ProjectFolder {
        if let home = environment["GAPTRACK_HOME"], !home.isEmpty {
            return ProjectFolder(url: URL(fileURLWithPath: home, isDirectory: true))
        }
        if let found = searchUpwards(from: URL(fileURLWithPath: workingDirectory, isDirectory: true)) {
            return ProjectFolder(url: found)
        }
        if let executablePath,
            let found = searchUpwards(from: URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent())
        {
            return ProjectFolder(url: found)
        }
        return ProjectFolder(url: URL(fileURLWithPath: workingDirectory, isDirectory: true))
    }

    static func searchUpwards(from start: URL) -> URL? {
        var candidate = start.standardizedFileURL
        let files = FileManager.default
        while true {
            if files.fileExists(atPath: candidate.appendingPathComponent("Package.swift").path),
                files.fileExists(atPath: candidate.appendingPathComponent("sql").path)
            {
                return candidate
            }
            let parent = candidate.deletingLastPathComponent()
            if parent.path == candidate.path { return nil }
            candidate = parent
        }
    }

    /// The versioned migrations; `GAPTRACK_SQL_DIR` overrides for installed deployments.
    public func migrationsFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let override = environment["GAPTRACK_SQL_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        return url.appendingPathComponent("sql", isDirectory: true)
    }

    /// Where the private PostgreSQL cluster lives: `.gaptrack/postgres` in the project folder, or
    /// `GAPTRACK_CLUSTER_DIR` when the project sits where the `postgres` user cannot reach it.
    public var privateClusterFolder: URL {
        if let override = ProcessInfo.processInfo.environment["GAPTRACK_CLUSTER_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        return url.appendingPathComponent(".gaptrack/postgres", isDirectory: true)
    }
}
