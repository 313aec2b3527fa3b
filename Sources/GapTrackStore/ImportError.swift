import CSVFormat
import GapTrackDomain
import Postgres

/// One problem with one row of an import file, told the way a data lead can fix it:
/// `students.csv line 14, column 'UPN': 'B801200005002' has a wrong check letter; expected 'Q'`.
public struct RowError: Sendable, Hashable, CustomStringConvertible {
    public let fileName: String
    /// The physical line of the file (the header is line 1).
    public let line: Int
    /// The column as the file names it, or nil for a problem with the row as a whole.
    public let column: String?
    /// What is wrong and what was expected; it quotes the value.
    public let message: String

    public init(fileName: String, line: Int, column: String?, message: String) {
        self.fileName = fileName
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        let place = column.map { "\(fileName) line \(line), column '\($0)'" } ?? "\(fileName) line \(line)"
        return "\(place): \(message)"
    }
}

/// Why an import loaded nothing.
public enum ImportError: Error, Sendable, CustomStringConvertible {
    /// The file breaks the CSV format itself (an unclosed quote, bad UTF-8) or cannot be read.
    case unreadable(fileName: String, CSVError)
    /// The header lacks columns the format requires.
    case missingColumns(fileName: String, kind: ImportKind, missing: [String], found: [String])
    /// The file has a header and no data rows. An error, not a warning: an empty export is
    /// far more often a failed export than a term with nothing to record, and an exit status
    /// of 0 would let a script carry on as if it had loaded.
    case noRows(fileName: String)
    /// Another import changed the same rows at the same moment (a unique key clashed). Imports
    /// of one provider queue, so this is left for imports that touch rows shared across providers.
    case conflictingImport(fileName: String)
    /// `--rejects` names the file being imported (by path, link or another name for it).
    case rejectsIsInput(fileName: String, rejectsPath: String)
    /// `--rejects` names a file that exists, without `--force`.
    case rejectsExists(fileName: String, rejectsPath: String)
    /// Rows failed validation and `skipInvalid` was off: nothing was written. `shown` holds at
    /// most `ImportOptions.maxErrorsShown` errors; `total` counts them all.
    case invalidRows(fileName: String, shown: [RowError], total: Int, invalidRows: Int, rowsRead: Int)
    /// A Common Transfer File has problems (each naming its element path): nothing was written.
    /// `shown` holds at most `ImportOptions.maxErrorsShown`; `total` counts them all.
    case invalidTransferFile(fileName: String, shown: [RowError], total: Int)
    /// The mapping options themselves are wrong.
    case mapping(String)
    /// The database has no gaptrack schema yet.
    case schemaMissing
    /// A file that does not fit the provider (e.g. year groups at a university).
    case notForProvider(String)
    /// Rows have no academic year and the file's dates do not name one: `--academic-year` is needed.
    case academicYearUnknown(fileName: String, reason: String)
    /// A header cell cannot be read as the layout needs (a wide marksheet's subject column).
    case badHeader(fileName: String, column: String, message: String)

    public var description: String {
        switch self {
        case .unreadable(let fileName, let error):
            return "\(fileName): \(error); nothing was imported"
        case .missingColumns(let fileName, let kind, let missing, let found):
            let names = missing.map { "'\($0)'" }.joined(separator: ", ")
            return "\(fileName) is missing the \(missing.count == 1 ? "column" : "columns") \(names) that a \(kind) file needs. "
                + "Its columns are: \(found.map { "'\($0)'" }.joined(separator: ", ")). If they have other names in your MIS export, "
                + "map them with --map 'Their Name=\(missing[0])', a --mapping file, or a --preset (sims, arbor, bromcom, scholarpack, hesa, sits); "
                + "see docs/import-formats.md. Nothing was imported."
        case .noRows(let fileName):
            return "\(fileName) has a header but no rows: nothing to import"
        case .conflictingImport(let fileName):
            return "\(fileName): another import changed the same records at the same moment; nothing was imported. "
                + "Import the file again once the other import has finished."
        case .rejectsIsInput(let fileName, let rejectsPath):
            return "--rejects \(rejectsPath) is the file being imported (\(fileName)); writing rejected rows there would "
                + "overwrite it. Choose another path for --rejects. Nothing was imported."
        case .rejectsExists(let fileName, let rejectsPath):
            return "\(rejectsPath) already exists; \(fileName) was not imported so that it is not overwritten. "
                + "Choose another path for --rejects, or add --force to replace it."
        case .invalidRows(let fileName, let shown, let total, let invalidRows, let rowsRead):
            var lines = shown.map(\.description)
            if total > shown.count {
                let more = total - shown.count
                lines.append("\(ImportSummary.grouped(more)) more error\(more == 1 ? "" : "s") not shown")
            }
            lines.append("Nothing was imported: \(ImportSummary.grouped(invalidRows)) of \(ImportSummary.grouped(rowsRead)) rows in \(fileName) "
                + "\(invalidRows == 1 ? "is" : "are") invalid. Correct them and import the file again, or use --skip-invalid to load "
                + "the valid rows and write the rejected ones, with their reasons, to a rejects file.")
            return lines.joined(separator: "\n")
        case .invalidTransferFile(let fileName, let shown, let total):
            var lines = shown.map(\.description)
            if total > shown.count { lines.append("\(ImportSummary.grouped(total - shown.count)) more not shown") }
            lines.append("Nothing was imported from \(fileName): correct \(total == 1 ? "this" : "these") in the MIS and export the CTF again.")
            return lines.joined(separator: "\n")
        case .mapping(let message):
            return message
        case .schemaMissing:
            return "the database has no gaptrack tables yet; run 'gaptrack migrate' first"
        case .notForProvider(let message):
            return message
        case .academicYearUnknown(let fileName, let reason):
            return "\(fileName) does not say which academic year it is for: \(reason). "
                + "Give the year with --academic-year, e.g. --academic-year 2024/25; nothing was imported."
        case .badHeader(let fileName, let column, let message):
            return "\(fileName) line 1, column '\(TextLimit.quoted(column))': \(message); nothing was imported."
        }
    }
}

/// Collects row errors as a file is read: all of them (they go to the rejects file) but the
/// message list is what the caller shows.
struct RowErrors {
    let fileName: String
    private(set) var all: [RowError] = []
    private(set) var invalidLines = Set<Int>()

    init(fileName: String) {
        self.fileName = fileName
    }

    mutating func add(line: Int, column: String?, _ message: String) {
        all.append(RowError(fileName: fileName, line: line, column: column, message: message))
        invalidLines.insert(line)
    }

    mutating func add(_ error: RowError) {
        all.append(error)
        invalidLines.insert(error.line)
    }

    var isEmpty: Bool { all.isEmpty }

    /// The errors in file order (several per line keep the order they were found in).
    var sorted: [RowError] {
        all.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)
    }
}
