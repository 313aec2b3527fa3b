import Postgres

/// The stored data of termly reports (`report_snapshots`), read and written as the JSON the
/// reports make of it. When an entry may be served, and why it is never stale, is the business
/// of the functions of sql/functions/report_snapshots.sql; the report side decides when to ask
/// (`ReportSnapshotCache` in GapTrackReports).
///
/// Not Sendable: it holds a connection, which is used by one thread at a time.
public struct ReportSnapshots {
    public let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Whether this session may use the store: the tables exist, it has the privileges, and no
    /// row-level security policy applies to it (a role that sees one provider's rows must never
    /// share figures with another).
    public func usable() throws -> Bool {
        try connection.query(
            """
            SELECT CASE WHEN to_regclass('public.report_snapshots') IS NULL THEN false
                        -- (A list of privileges asks whether any is held: one at a time.)
                        ELSE has_table_privilege('public.report_snapshots', 'SELECT')
                         AND has_table_privilege('public.report_snapshots', 'INSERT')
                         AND has_table_privilege('public.report_snapshots', 'UPDATE')
                         AND has_table_privilege('public.data_changes', 'SELECT')
                         AND has_table_privilege('public.report_snapshot_horizon', 'SELECT')
                         AND NOT EXISTS (SELECT FROM pg_class c
                                         WHERE c.relnamespace = 'public'::regnamespace AND c.relrowsecurity
                                           AND row_security_active(c.oid))
                   END AS usable
            """
        ).single().decode("usable")
    }

    /// The valid entry of `key` for this application version, or nil.
    public func lookup(key: String, applicationVersion: String) throws -> String? {
        try connection.query("SELECT report_snapshot_lookup($1, $2) AS data", [key, applicationVersion]).single().decode("data")
    }

    /// Stores `json`, computed in this transaction, as the entry of `key`, for `audience`
    /// (`staff`, `governors` or `public`).
    public func store(key: String, applicationVersion: String, json: String, audience: String) throws {
        try connection.query("SELECT report_snapshot_store($1, $2, $3, $4)", [key, applicationVersion, json, audience])
    }

    /// Records, for the report cache, rows loaded where no trigger saw them (an attendance term
    /// bulk-loaded into a table attached afterwards), by table: under the provider the
    /// transaction writes for and the table's family, as the trigger would have
    /// (sql/functions/report_snapshots.sql).
    public func recordChanges(untriggered rowsByTable: [String: Int]) throws {
        for (table, rows) in rowsByTable.sorted(by: { $0.key < $1.key }) where rows > 0 {
            try connection.query("SELECT gaptrack_note_data_change($1::regclass, false)", [table])
        }
    }

    /// Removes entries that can no longer be served.
    public func prune(applicationVersion: String) throws {
        try connection.query("SELECT report_snapshot_prune($1)", [applicationVersion])
    }
}
