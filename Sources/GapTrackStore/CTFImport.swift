import CommonTransferFile
import Foundation
import GapTrackDomain
import Postgres

/// `gaptrack import ctf FILE.xml`: a DfE Common Transfer File onto the store
/// (docs/import-formats.md, "Common Transfer File"). It runs inside `Importer`'s transaction,
/// behind the provider's lock and with its ledger row, so it has the CSV imports' guarantees:
/// all or nothing, idempotent, dry run.
///
/// A pupil is one "row": inserted when they are new, updated when anything about them changed
/// (details, a spell, a result), unchanged otherwise. Errors name the element path and line.
struct CTFImport {
    let context: ImportContext

    func run() throws -> KindOutcome {
        var clock = PhaseClock()
        let document: CTFDocument
        do {
            document = try CTFReader.read(contentsOf: context.url)
        } catch let error as CTFError {
            throw invalid(Self.rowErrors(error, fileName: context.fileName))
        }
        guard !document.pupils.isEmpty else {
            throw invalid([RowError(fileName: context.fileName, line: 1, column: nil,
                                    message: "CTfile/CTFpupilData has no Pupil: nothing to import")])
        }
        clock.lap("read and validate")
        let importID = try context.openLedger()
        var writer = CTFImportWriter(connection: context.connection, providerID: context.providerID, importID: importID,
                                     madeOn: document.header.madeOn)
        var inserted = 0
        var updated = 0
        var problems: [RowError] = []
        var studentIDs: [Int] = []
        for pupil in document.pupils {
            switch try writer.write(pupil) {
            case .problems(let found):
                problems += found.map { RowError(fileName: context.fileName, line: pupil.line, column: nil, message: $0) }
            case .written(let studentID, let outcome):
                studentIDs.append(studentID)
                if outcome == .inserted { inserted += 1 } else if outcome == .updated { updated += 1 }
            }
        }
        if !problems.isEmpty { throw invalid(problems) }
        clock.lap("write")
        let duplicates = try ProbableDuplicates.find(.students(studentIDs), providerID: context.providerID,
                                                     connection: context.connection)
        clock.lap("probable duplicates")
        return KindOutcome(rowsRead: document.pupils.count, inserted: inserted, updated: updated,
                           errors: RowErrors(fileName: context.fileName), ignoredColumns: [],
                           phases: clock.phases, notices: Self.notices(document) + duplicates)
    }

    private func invalid(_ errors: [RowError]) -> ImportError {
        .invalidTransferFile(fileName: context.fileName, shown: Array(errors.prefix(context.options.maxErrorsShown)), total: errors.count)
    }

    /// The reader's errors as the import reports them: file, line, then the element path.
    static func rowErrors(_ error: CTFError, fileName: String) -> [RowError] {
        switch error {
        case .invalid(let problems):
            return problems.map { RowError(fileName: fileName, line: $0.line, column: nil, message: "\($0.path): \($0.message)") }
        case .malformed(let line, let column, let reason):
            return [RowError(fileName: fileName, line: line, column: nil,
                             message: "column \(column): the file is not well-formed XML (\(reason)); export the CTF again from the MIS")]
        case .tooDeep(_, let line, _), .documentTypeDeclaration(let line), .processingInstruction(let line), .notUTF8(let line, _):
            return [RowError(fileName: fileName, line: line, column: nil, message: error.description)]
        case .tooLarge, .notACommonTransferFile:
            return [RowError(fileName: fileName, line: 1, column: nil, message: error.description)]
        }
    }

    /// What the summary says about what was read but not stored.
    static func notices(_ document: CTFDocument) -> [String] {
        var notices: [String] = []
        let attendance = document.pupils.reduce(0) { $0 + $1.attendance.count }
        if attendance > 0 {
            notices.append("\(ImportSummary.grouped(attendance)) attendance \(attendance == 1 ? "summary" : "summaries") (Attendance/YearData) "
                + "checked but not stored: "
                + "gaptrack holds session marks, not yearly totals; load the register with 'gaptrack import attendance'")
        }
        if document.resultsNotRead > 0 {
            notices.append("\(ImportSummary.grouped(document.resultsNotRead)) key stage results that are not KS2 test scaled scores were not read")
        }
        if !document.undefinedElements.isEmpty {
            notices.append("Elements the CTF specification does not define, ignored: \(document.undefinedElements.joined(separator: ", "))")
        }
        return notices
    }
}
