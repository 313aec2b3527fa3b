import Foundation
import Postgres

/// The `imports` table: one row per committed import, written in the
/// same transaction as the data, so that a report can name the files it was made from.
enum ImportLedger {
    /// The latest earlier import of the identical file (same checksum, kind and provider).
    static func previousImport(of sha256: String, kind: ImportKind, providerID: Int,
                               connection: PostgresConnection) throws -> ImportSummary.PreviousImport? {
        let rows = try connection.query(
            """
            SELECT import_id, finished_at FROM imports
            WHERE provider_id = $1 AND kind = $2::import_kind AND file_sha256 = $3
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
