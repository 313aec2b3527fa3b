import Foundation
import Postgres

/// The `imports` table: one row per committed import, written in the
/// same transaction as the data, so that a report can name the files it was made from.
enum ImportLedger {
    /// The latest earlier import of the identical file (same checksum, kind and provider) that
    /// still stands: an undone import does not count, so the file can be loaded again.
    static func previousImport(of sha256: String, kind: ImportKind, providerID: Int,
                               connection: PostgresConnection) throws -> ImportSummary.PreviousImport? {
        let rows = try connection.query(
            """
            SELECT import_id, finished_at FROM imports
            WHERE provider_id = $1 AND kind = $2::import_kind AND file_sha256 = $3
              AND undoes_import_id IS NULL AND import_id NOT IN (SELECT undoes_import_id FROM imports WHERE undoes_import_id IS NOT NULL)
            ORDER BY import_id DESC LIMIT 1
            """, [providerID, kind.rawValue, sha256]).rows
        return try rows.first.map { row in
            ImportSummary.PreviousImport(importID: try row.decode("import_id"), finishedAt: try row.decode("finished_at"))
        }
    }

    /// Opens the ledger row; data rows written by the import point at its id, and the
    /// transaction-local setting `gaptrack.import_id` names it to triggers (the attendance history).
    static func open(kind: ImportKind, providerID: Int, fileName: String, sha256: String, bytes: Int64,
                     skipInvalid: Bool, operatingSystemUser: String, startedAt: Date,
                     connection: PostgresConnection) throws -> Int {
        let importID: Int = try connection.query(
            """
            INSERT INTO imports (provider_id, kind, file_name, file_sha256, file_bytes, skip_invalid, os_user, started_at, finished_at)
            VALUES ($1, $2::import_kind, $3, $4, $5, $6, $7, $8, $8)
            RETURNING import_id
            """,
            [providerID, kind.rawValue, fileName, sha256, bytes, skipInvalid, operatingSystemUser, startedAt]
        ).single().decode("import_id")
        try connection.query("SELECT set_config('gaptrack.import_id', $1, true)", [String(importID)])
        return importID
    }

    /// Records the outcome; the CHECKs on `imports` make sure the counts add up.
    static func close(importID: Int, rowsRead: Int, inserted: Int, updated: Int, unchanged: Int, rejected: Int,
                      connection: PostgresConnection) throws {
        try connection.query(
            """
            UPDATE imports SET rows_read = $2, rows_inserted = $3, rows_updated = $4, rows_unchanged = $5,
                               rows_rejected = $6, finished_at = greatest(clock_timestamp(), started_at)
            WHERE import_id = $1
            """, [importID, rowsRead, inserted, updated, unchanged, rejected])
    }

    /// Writes an undo's ledger row: the undone import's kind and file, pointing at it.
    static func openUndo(of importID: Int, operatingSystemUser: String, connection: PostgresConnection) throws -> Int {
        let undoID: Int = try connection.query(
            """
            INSERT INTO imports (provider_id, kind, file_name, file_sha256, file_bytes, skip_invalid, os_user, started_at, finished_at,
                                 undoes_import_id)
            SELECT provider_id, kind, file_name, file_sha256, file_bytes, false, $2, clock_timestamp(), clock_timestamp(), import_id
            FROM imports WHERE import_id = $1
            RETURNING import_id
            """, [importID, operatingSystemUser]).single().decode("import_id")
        try connection.query("SELECT set_config('gaptrack.import_id', $1, true)", [String(undoID)])
        return undoID
    }

    /// The provider's ledger, oldest first, each import with the undo that reversed it.
    static func entries(providerID: Int, connection: PostgresConnection) throws -> [ImportLedgerEntry] {
        try connection.query(
            """
            SELECT i.import_id, i.kind::text AS kind, i.file_name, i.finished_at, i.os_user, i.rows_read, i.rows_inserted,
                   i.rows_updated, i.rows_unchanged, i.rows_rejected, i.undoes_import_id,
                   (SELECT u.import_id FROM imports u WHERE u.undoes_import_id = i.import_id) AS undone_by
            FROM imports i WHERE i.provider_id = $1 ORDER BY i.import_id
            """, [providerID]).rows.map { row in
                ImportLedgerEntry(
                    importID: try row.decode("import_id"), kind: try row.decode("kind"), fileName: try row.decode("file_name"),
                    finishedAt: try row.decode("finished_at"), osUser: try row.decode("os_user"), rowsRead: try row.decode("rows_read"),
                    inserted: try row.decode("rows_inserted"), updated: try row.decode("rows_updated"),
                    unchanged: try row.decode("rows_unchanged"), rejected: try row.decode("rows_rejected"),
                    undoes: try row.decode("undoes_import_id", as: Int?.self), undoneBy: try row.decode("undone_by", as: Int?.self))
            }
    }

    /// Who is running gaptrack, for the ledger: the operating-system account name.
    static func currentOperatingSystemUser() -> String {
        if let name = getpwuid(geteuid())?.pointee.pw_name {
            let user = String(cString: name)
            if !user.isEmpty { return user }
        }
        let environment = ProcessInfo.processInfo.environment
        return environment["USER"] ?? environment["LOGNAME"] ?? "unknown"
    }
}
