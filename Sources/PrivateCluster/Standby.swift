import Foundation

extension PrivateCluster {
    /// A streaming standby of this (running) cluster in `folder`, made with `pg_basebackup -R`
    /// and started: it replays this cluster's write-ahead log and answers read-only queries (a
    /// hot standby), so that reports can be read off the primary (docs/scaling.md). Replication
    /// over the Unix socket is allowed by the `local replication all trust` line initdb writes.
    public func makeStandby(in folder: URL) throws -> PrivateCluster {
        let standby = PrivateCluster(folder: folder)
        try standby.prepareFolder()
        _ = try command(
            "pg_basebackup",
            ["-D", standby.dataFolder.path, "-h", socketFolder.path, "-U", Self.superuser, "-R", "-X", "stream", "-c", "fast"]
        ).runChecked()
        // The copy brings this cluster's settings; a later line wins, so the standby listens on
        // its own socket.
        let handle = try FileHandle(forWritingTo: standby.dataFolder.appendingPathComponent("postgresql.conf"))
        defer { try? handle.close() }
        try handle.seekToEnd()
        let socket = standby.socketFolder.path.replacingOccurrences(of: "'", with: "''")
        try handle.write(contentsOf: Data("\n# --- gaptrack standby ---\nunix_socket_directories = '\(socket)'\n".utf8))
        try standby.start()
        return standby
    }

    /// Runs a program of the PostgreSQL family that refuses to run as root (pgbouncer, for the
    /// tests) as the user the cluster's server runs as, and returns its output.
    public static func runAsServerUser(_ executable: String, _ arguments: [String]) throws -> String {
        try ExternalCommand(executable: executable, arguments: arguments, runAsUser: geteuid() == 0 ? "postgres" : nil).runChecked()
    }

    /// Hands `path` to the user the server runs as, so that it can read and write there.
    public static func giveToServerUser(_ path: String) throws {
        guard geteuid() == 0 else { return }
        _ = try ExternalCommand(executable: "/bin/chown", arguments: ["-R", "postgres:", path]).runChecked()
    }
}
