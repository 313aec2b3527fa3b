import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// The guarantees every CSV kind of import gives, checked kind by kind so that a new kind (the
/// school calendar) cannot skip them: `--rejects` never names the file being imported, by any
/// path to it (docs/import-formats.md); ImportSafetyTests checks a header-only file of each kind.
@Suite("Every import kind")
struct EveryImportKindTests {
    /// The CSV kinds, each with a header of its required columns.
    static let csvKinds: [(ImportKind, String)] = ImportKind.allCases.filter { $0 != .ctf }.map { kind in
        (kind, kind.columns.filter(\.isRequired).map(\.name).joined(separator: ","))
    }

    @Test func rejectsRefusesTheInputFileByAnyPathForEveryKind() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            for (kind, header) in Self.csvKinds {
                let file = try writeCSV("\(kind.rawValue).csv", [header, header.split(separator: ",").map { _ in "?" }.joined(separator: ",")])
                let original = try Data(contentsOf: file)
                let folder = file.deletingLastPathComponent()
                let link = folder.appendingPathComponent("link-\(kind.rawValue).csv")
                try? FileManager.default.removeItem(at: link)
                try FileManager.default.createSymbolicLink(at: link, withDestinationURL: file)
                let dotted = URL(fileURLWithPath: folder.path + "/./" + file.lastPathComponent)
                for destination in [file, link, dotted] {
                    do {
                        _ = try Importer(connection: connection).load(
                            kind, file, options: ImportOptions(skipInvalid: true, rejectsURL: destination, replaceRejects: true))
                        throw TestFailure("--rejects \(destination.path) overwrote the \(kind.rawValue) input")
                    } catch ImportError.rejectsIsInput(let fileName, _) {
                        #expect(fileName == "\(kind.rawValue).csv")
                    }
                }
                #expect(try Data(contentsOf: file) == original, "the \(kind.rawValue) input was overwritten")
            }
            #expect(try count(connection, "imports") == 0)
        }
    }
}
