import ArgumentParser
import Foundation
import GapTrackDomain
import GapTrackStore

/// `gaptrack import undo IMPORT-ID --provider CODE`: reverses one import (docs/import-formats.md,
/// "Undo and dry run").
struct ImportUndoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "undo",
        abstract: "Reverse one import: delete what it inserted and give back the values it replaced.",
        discussion: """
            One transaction, audited, and recorded in the import ledger as an undo of its own (the ledger keeps \
            the import's row). Refused, with the reason, when a later import or a change made since rests on the \
            import: undo that first. 'gaptrack import list' shows the ids. The file can be imported again afterwards.
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The import's id (see 'gaptrack import list').")
    var importID: Int

    @Option(help: "The provider the import belongs to.")
    var provider: ProviderCode

    func run() throws {
        do {
            let summary = try ImportUndo(connection: try database.connect()).undo(importID: importID, provider: provider)
            print(summary.line)
        } catch let error as ImportUndoError {
            ImportCommand.writeError(error.description + "\n")
            throw ExitCode.failure
        }
    }
}

/// `gaptrack import list --provider CODE`: the import ledger, with ids for `import undo`.
struct ImportListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List a provider's imports and undos, oldest first, with their ids.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The provider whose imports to list.")
    var provider: ProviderCode

    func run() throws {
        let entries = try ImportUndo(connection: try database.connect()).list(provider: provider)
        if entries.isEmpty {
            print("No imports yet for \(provider).")
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
            print("\(String(entry.importID).padding(toLength: 6, withPad: " ", startingAt: 0)) \(when)  \(entry.kind.padding(toLength: 11, withPad: " ", startingAt: 0)) \(entry.fileName)  (\(what), by \(entry.osUser))")
        }
    }
}
