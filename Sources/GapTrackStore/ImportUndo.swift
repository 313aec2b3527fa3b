import Foundation
import GapTrackDomain
import Postgres

/// `gaptrack import undo` and `gaptrack import list`: the import ledger read back, and one import
/// reversed from the journal of what it changed (sql/008_import_undo.sql,
/// sql/functions/import_undo.sql; docs/import-formats.md, "Undo and dry run").
///
/// An undo is one transaction behind the provider's import lock, so it never interleaves with an
/// import; it is a ledger row of its own pointing at the import it reversed (the ledger is
/// append-only, docs/security.md) and one audit entry, like an import's.
public struct ImportUndo {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Reverses import `importID` of the provider; throws `ImportUndoError` with the reason when it
    /// may not be undone (nothing is then changed).
    public func undo(importID: Int, provider providerCode: ProviderCode, operatingSystemUser: String? = nil) throws -> UndoSummary {
        let provider = try Importer.requiringSchema { try Providers(connection: connection).require(code: providerCode) }
        let user = operatingSystemUser ?? ImportLedger.currentOperatingSystemUser()
        do {
            return try connection.transaction { connection -> UndoSummary in
                try connection.query("SELECT pg_advisory_xact_lock($1::integer, $2::integer)", [Importer.providerLockSpace, provider.id!])
                try connection.query("SELECT set_config('gaptrack.actor', $1, true)", ["cli:" + user])
                guard let target = try ImportLedger.entries(providerID: provider.id!, connection: connection)
                    .first(where: { $0.importID == importID }) else {
                    throw ImportUndoError.notFound(importID: importID, provider: providerCode.description)
                }
                if let undoneBy = target.undoneBy {
                    throw ImportUndoError.alreadyUndone(importID: importID, undoID: undoneBy)
                }
                let auditScope = try ImportAudit.open(connection: connection)
                let undoID = try ImportLedger.openUndo(of: importID, operatingSystemUser: user, connection: connection)
                let counts: String = try connection.query(
                    "SELECT gaptrack_import_undo($1, $2)::text AS counts", [importID, undoID]).single().decode("counts")
                try ImportLedger.close(importID: undoID, rowsRead: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0,
                                       connection: connection)
                if auditScope {
                    try ImportAudit.close(importID: undoID, loadedUntriggered: [:], connection: connection)
                }
                let decoded = try JSONDecoder().decode([String: [String: Int]].self, from: Data(counts.utf8))
                return UndoSummary(importID: importID, fileName: target.fileName, undoID: undoID,
                                   deleted: decoded["deleted"] ?? [:], restored: decoded["restored"] ?? [:])
            }
        } catch let error as PostgresError where error.sqlState == "55000" || error.sqlState == "P0002" {
            if case .server(let server) = error { throw ImportUndoError.refused(importID: importID, reason: server.message) }
            throw error
        }
    }

    /// The provider's ledger, oldest first: imports and undos.
    public func list(provider providerCode: ProviderCode) throws -> [ImportLedgerEntry] {
        let provider = try Importer.requiringSchema { try Providers(connection: connection).require(code: providerCode) }
        return try ImportLedger.entries(providerID: provider.id!, connection: connection)
    }
}

/// What an undo did: rows deleted and rows given back their earlier values, per table.
public struct UndoSummary: Sendable, Hashable {
    public let importID: Int
    public let fileName: String
    /// The undo's own ledger row.
    public let undoID: Int
    public let deleted: [String: Int]
    public let restored: [String: Int]

    public var line: String {
        func listed(_ counts: [String: Int]) -> String {
            let parts = counts.filter { $0.value > 0 }.sorted { $0.key < $1.key }
                .map { "\(ImportSummary.grouped($0.value)) \($0.key)" }
            return parts.isEmpty ? "none" : parts.joined(separator: ", ")
        }
        return "Import \(importID) (\(fileName)) undone, recorded as import \(undoID): deleted \(listed(deleted)); "
            + "restored \(listed(restored))."
    }
}

/// One row of the import ledger, as `gaptrack import list` shows it.
public struct ImportLedgerEntry: Sendable, Hashable {
    public let importID: Int
    public let kind: String
    public let fileName: String
    public let finishedAt: Date
    public let osUser: String
    public let rowsRead: Int
    public let inserted: Int
    public let updated: Int
    public let unchanged: Int
    public let rejected: Int
    /// Set on an undo: the import it reversed.
    public let undoes: Int?
    /// Set on an import that was undone: the undo's id.
    public let undoneBy: Int?
}

/// Why an import cannot be undone.
public enum ImportUndoError: Error, CustomStringConvertible, Sendable, Equatable {
    case notFound(importID: Int, provider: String)
    case alreadyUndone(importID: Int, undoID: Int)
    /// The database's reason: a later import or change rests on it, or the journal is gone.
    case refused(importID: Int, reason: String)

    public var description: String {
        switch self {
        case .notFound(let importID, let provider):
            return "there is no import \(importID) for provider '\(provider)'; 'gaptrack import list --provider \(provider)' shows its imports"
        case .alreadyUndone(let importID, let undoID):
            return "import \(importID) was already undone (by import \(undoID)); import the file again to load it again"
        case .refused(_, let reason):
            return reason
        }
    }
}

/// The journal's part that needs the import's code: attendance terms it bulk-loaded are
/// journalled per student, not per mark (sql/functions/import_undo.sql).
enum ImportJournal {
    static func recordLoadedTerms(importID: Int, connection: PostgresConnection) throws {
        try connection.query("SELECT gaptrack_import_changes_record_loaded_terms($1)", [importID])
    }
}
