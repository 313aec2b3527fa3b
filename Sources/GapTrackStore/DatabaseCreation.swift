import Postgres

/// Creates a database on a server gaptrack manages itself (the private cluster), so that the
/// first command on a new machine has somewhere to migrate into. It runs on a connection to
/// another database of the same server, usually `postgres`.
public struct DatabaseCreation {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Creates the database unless it exists; returns whether this call created it. Safe when
    /// several processes start at once: losing the race to another CREATE counts as existing.
    @discardableResult
    public func createIfMissing(_ name: String) throws(PostgresError) -> Bool {
        guard try connection.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]).rows.isEmpty else {
            return false
        }
        do throws(PostgresError) {
            // CREATE DATABASE takes no parameters: the name goes in as a quoted identifier.
            try connection.execute("CREATE DATABASE " + Self.quotedIdentifier(name))
            return true
        } catch {
            guard error.sqlState == ServerError.Code.duplicateDatabase else { throw error }
            return false
        }
    }

    static func quotedIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
