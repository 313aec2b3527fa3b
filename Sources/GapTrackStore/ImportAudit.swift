import Foundation
import Postgres

/// One audit entry per import instead of a copy of every row.
///
/// Why: the statement-level audit triggers copy each changed row as JSON, which for a
/// large import is several times the size of the data itself (BENCHMARKS.md), while the import
/// ledger already records the file, its SHA-256, who and when, and every row points at it. The
/// switch is a row in an owner-only table, never a setting a service role could set: a role
/// other than the owner gets `false` from `open` and its import is audited row by row.
enum ImportAudit {
    /// Opens the import's audit scope for this transaction; false when the connected role may
    /// not (then the rows are audited one by one, as the service's writes are).
    static func open(connection: PostgresConnection) throws -> Bool {
        try connection.query("SELECT gaptrack_import_audit_open() AS opened").single().decode("opened")
    }

    /// Writes the one entry (the ledger row and the rows inserted, updated and deleted per
    /// table) and closes the scope. Call after `ImportLedger.close`, so the entry holds the
    /// final counts.
    static func close(importID: Int, loadedUntriggered: [String: Int], connection: PostgresConnection) throws {
        var extra: [String: [String: Int]] = [:]
        for (table, rows) in loadedUntriggered where rows > 0 { extra[table] = ["inserted": rows] }
        let json = String(decoding: try JSONEncoder().encode(extra), as: UTF8.self)
        try connection.query("SELECT gaptrack_import_audit_close($1, $2::jsonb)", [importID, json])
    }
}
