import ArgumentParser
import Foundation
import GapTrackDomain
import GapTrackStore

/// `gaptrack import list --provider CODE` and `gaptrack import undo IMPORT-ID --provider CODE`
/// (docs/import-formats.md, "Undo and dry run"): words in the kind's place, because `import`
/// takes the kind and the file as arguments, which leaves no room for subcommands.
enum ImportLedgerCommand {
    /// The provider's import ledger, with ids for undo.
    case list
    /// Reverse one import: delete what it inserted and give back the values it replaced; refused
    /// with the reason when a later import or change rests on it.
    case undo(importID: String?)

    init?(kind: String, file: String?) {
        switch kind.lowercased() {
        case "list": self = .list
        case "undo": self = .undo(importID: file)
        default: return nil
        }
    }

    func validate() throws {
        if case .undo(let importID) = self, importID.flatMap(Int.init) == nil {
            throw ValidationError("'gaptrack import undo' needs the import's id, a whole number (see 'gaptrack import list --provider CODE')")
        }
    }

    func run(provider: ProviderCode, database: DatabaseOptions) throws {
        let ledger = ImportUndo(connection: try database.connect())
        switch self {
        case .list:
            Self.print(try ledger.list(provider: provider), provider: provider)
        case .undo(let importID):
            do {
                Swift.print(try ledger.undo(importID: Int(importID!)!, provider: provider).line)
            } catch let error as ImportUndoError {
                ImportCommand.writeError(error.description + "\n")
                throw ExitCode.failure
            }
        }
    }

    private static func print(_ entries: [ImportLedgerEntry], provider: ProviderCode) {
        if entries.isEmpty {
            Swift.print("No imports yet for \(provider).")
            return
        }
        for entry in entries {
            let when = entry.finishedAt.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false))
            let what: String
            if let undoes = entry.undoes {
                what = "undo of import \(undoes)"
            } else {
                what = "\(ImportSummary.grouped(entry.rowsRead)) read, \(ImportSummary.grouped(entry.inserted)) inserted, "
                    + "\(ImportSummary.grouped(entry.updated)) updated, \(ImportSummary.grouped(entry.unchanged)) unchanged, "
                    + "\(ImportSummary.grouped(entry.rejected)) rejected" + (entry.undoneBy.map { "; undone by import \($0)" } ?? "")
            }
            Swift.print("\(String(entry.importID).padding(toLength: 6, withPad: " ", startingAt: 0)) \(when)  "
                + "\(entry.kind.padding(toLength: 11, withPad: " ", startingAt: 0)) \(entry.fileName)  (\(what), by \(entry.osUser))")
        }
    }
}
