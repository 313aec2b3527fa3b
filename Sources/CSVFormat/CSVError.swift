/// Why a CSV file could not be read or written. Every message names the physical line
/// (1-based, counting every line break in the file) so that a data lead can find it in a text
/// editor or spreadsheet.
public enum CSVError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A quoted field opened on `line` and the file ended before its closing quote.
    case unterminatedQuote(line: Int)
    /// After the closing quote of a field, something other than a comma or a line break.
    case unexpectedCharacterAfterQuote(line: Int, character: String)
    /// Bytes that are not valid UTF-8 on `line`.
    case invalidUTF8(line: Int)
    case cannotOpen(path: String, reason: String)
    case readFailed(path: String, reason: String)
    case writeFailed(path: String, reason: String)
    /// The file has no header line.
    case missingHeader
    /// Two header columns have the same name once case and spaces are ignored.
    case duplicateColumn(name: String, line: Int)
    /// Columns a reader needs that the header does not have.
    case missingColumns([String], available: [String])
    /// A record with a different number of fields from the header.
    case wrongFieldCount(line: Int, expected: Int, found: Int)
    /// A column whose value is empty where a value is required.
    case emptyValue(column: String, line: Int)

    public var description: String {
        switch self {
        case .unterminatedQuote(let line):
            return "line \(line): a quoted field starts here but its closing quote (\") is missing; the file may be cut short, or a quote inside a field was not doubled (\"\")"
        case .unexpectedCharacterAfterQuote(let line, let character):
            return "line \(line): '\(character)' follows the closing quote of a field; a quoted field must be followed by a comma or the end of the line (write a quote inside a field as \"\")"
        case .invalidUTF8(let line):
            return "line \(line): the text is not valid UTF-8; save the file as \"CSV UTF-8\" and try again"
        case .cannotOpen(let path, let reason):
            return "cannot open '\(path)': \(reason)"
        case .readFailed(let path, let reason):
            return "cannot read '\(path)': \(reason)"
        case .writeFailed(let path, let reason):
            return "cannot write '\(path)': \(reason)"
        case .missingHeader:
            return "the file is empty: the first line should be a header naming the columns"
        case .duplicateColumn(let name, let line):
            return "line \(line): the header has the column '\(name)' more than once (ignoring case and spaces); rename or remove one of them"
        case .missingColumns(let missing, let available):
            let plural = missing.count == 1 ? "column" : "columns"
            return "the header is missing the \(plural) \(missing.map { "'\($0)'" }.joined(separator: ", ")); the columns found were \(available.map { "'\($0)'" }.joined(separator: ", "))"
        case .wrongFieldCount(let line, let expected, let found):
            return "line \(line): \(found) field\(found == 1 ? "" : "s") but the header has \(expected); check for an unquoted comma or a missing value"
        case .emptyValue(let column, let line):
            return "line \(line): the '\(column)' value is empty"
        }
    }
}
