import Foundation
import GapTrackDomain

/// One thing wrong with one field, named so that whoever sent it can fix it: which field (an
/// import column, or a JSON path such as `marks[3].code`), the value sent, and what was
/// expected. The imports' field parsers throw it with the message alone; the row or request
/// reading the field knows which field it was.
public struct FieldProblem: Error, Codable, Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let value: String?
    public let message: String

    public init(field: String, value: String?, message: String) {
        self.field = field
        self.value = value
        self.message = message
    }

    /// A problem whose message quotes the value and says what was expected.
    init(_ message: String) {
        self.init(field: "", value: nil, message: message)
    }

    public var description: String { field.isEmpty ? message : "\(field): \(message)" }
}

/// One row of an import file while it is validated: reads fields by gaptrack column name and
/// records a `RowError` for each field that is wrong, so that every problem of the row is
/// reported at once, not just the first.
struct RowContext {
    let fields: [String]
    let columns: ResolvedColumns
    let line: Int
    let fileName: String
    private(set) var errors: [RowError] = []

    init(fields: [String], columns: ResolvedColumns, line: Int, fileName: String) {
        self.fields = fields
        self.columns = columns
        self.line = line
        self.fileName = fileName
        // The same limits as the service's JSON fields (docs/import-formats.md lists them).
        for limit in TextLimit.all {
            guard let value = text(limit.field), let problem = limit.problem(value) else { continue }
            fail(limit.field, problem)
        }
    }

    var isValid: Bool { errors.isEmpty }

    /// The field, trimmed; nil when the column is absent or the field is blank.
    func text(_ column: String) -> String? {
        guard let index = columns.index[column], index < fields.count else { return columns.constants[column] }
        var value = Self.trimmed(fields[index])
        if let map = columns.valueMaps[column], let mapped = map[ValueMap.key(value)] { value = mapped }
        return value.isEmpty ? nil : value
    }

    /// Without surrounding white space. Most fields have none, and checking the first and last
    /// byte is far cheaper than Foundation's `trimmingCharacters(in:)` on every field.
    static func trimmed(_ field: String) -> String {
        let utf8 = field.utf8
        guard let first = utf8.first, let last = utf8.last else { return field }
        func plain(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x80 }
        if plain(first) && plain(last) { return field }
        return field.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    mutating func fail(_ column: String?, _ message: String) {
        errors.append(RowError(fileName: fileName, line: line, column: column.map(columns.fileName(of:)), message: message))
    }

    /// Refuses a free-text column's value above its limit (counted in Unicode scalars) or holding
    /// a control character, quoting a short prefix: the limits sql/020_text_limits.sql and
    /// sql/013_higher_education.sql hold the tables to, so the import, not the database, says why.
    mutating func checkLimits(_ limits: [(column: String, limit: TextLimit)]) {
        for (column, limit) in limits {
            if let value = text(column), let problem = limit.problem(value) { fail(column, problem) }
        }
    }

    /// A field that must not be blank.
    mutating func required(_ column: String, expected: String) -> String? {
        guard let value = text(column) else {
            fail(column, "is empty; expected \(expected)")
            return nil
        }
        return value
    }

    /// Reads and converts a field; a blank optional field is nil without an error.
    mutating func parse<Value>(_ column: String, required isRequired: Bool = false, expected: String,
                               _ convert: (String) throws(FieldProblem) -> Value) -> Value? {
        guard let value = isRequired ? required(column, expected: expected) : text(column) else { return nil }
        do {
            return try convert(value)
        } catch {
            fail(column, error.message)
            return nil
        }
    }
}

/// Converters shared by the import formats. Each throws a `FieldProblem` whose message fits
/// after "students.csv line 14, column 'X': ".
enum FieldParsers {
    static func date(_ text: String) throws(FieldProblem) -> CalendarDate {
        do {
            return try CalendarDate(parsing: text)
        } catch {
            throw FieldProblem(String(describing: error))
        }
    }

    /// Academic years that the database knows (001 seeds 2010/11 to 2040/41).
    static let supportedAcademicYears = 2010...2040

    static func academicYear(_ text: String) throws(FieldProblem) -> AcademicYear {
        let year: AcademicYear
        do {
            year = try AcademicYear(parsing: text)
        } catch {
            throw FieldProblem(String(describing: error))
        }
        guard supportedAcademicYears.contains(year.startYear) else {
            throw FieldProblem("'\(text)' is outside the academic years gaptrack holds (2010/11 to 2040/41)")
        }
        return year
    }

    /// Y/N, Yes/No, True/False, 1/0 (any case).
    static func yesNo(_ text: String) throws(FieldProblem) -> Bool {
        switch text.lowercased() {
        case "y", "yes", "true", "t", "1": return true
        case "n", "no", "false", "f", "0": return false
        default: throw FieldProblem("'\(text)' is not yes or no; write Y or N (Yes/No, True/False and 1/0 also work), or leave it blank")
        }
    }

    /// School census gender codes; "Female"/"Male" as some exports spell them.
    static func gender(_ text: String) throws(FieldProblem) -> String {
        switch text.lowercased() {
        case "f", "female", "girl": return "F"
        case "m", "male", "boy": return "M"
        case "x": return "X"
        case "u", "unknown": return "U"
        default: throw FieldProblem("'\(text)' is not a gender code; expected F, M, X or U")
        }
    }

    /// National curriculum year groups: N1, N2, R, 1-14. Accepts "Year 7", "Y7", "07" and "Reception".
    static func yearGroup(_ text: String) throws(FieldProblem) -> String {
        var value = text.uppercased().replacingOccurrences(of: " ", with: "")
        if value == "RECEPTION" || value == "REC" || value == "YR" { return "R" }
        if value == "N1" || value == "N2" || value == "R" { return value }
        if value.hasPrefix("YEAR") { value.removeFirst(4) } else if value.hasPrefix("Y") { value.removeFirst() }
        if let number = Int(value), (1...14).contains(number), value.allSatisfy(\.isNumber) { return String(number) }
        throw FieldProblem("'\(text)' is not a year group; expected R, 1 to 14 (or N1, N2 for nursery)")
    }

    static func leaveReason(_ text: String) throws(FieldProblem) -> String {
        switch ColumnMapping.key(text) {
        case "completed", "complete", "finished", "achieved": return "completed"
        case "withdrawn", "withdrew", "left", "dropout", "droppedout": return "withdrawn"
        case "transferred", "transfer", "movedschool", "moved": return "transferred"
        case "other": return "other"
        default: throw FieldProblem("'\(text)' is not a leave reason; expected completed, withdrawn, transferred or other")
        }
    }

    static func term(_ text: String) throws(FieldProblem) -> Term {
        switch ColumnMapping.key(text) {
        case "autumn", "aut", "autumnterm", "t1": return .autumn
        case "spring", "spr", "springterm", "t2": return .spring
        case "summer", "sum", "summerterm", "t3": return .summer
        default: throw FieldProblem("'\(text)' is not a term; expected autumn, spring or summer")
        }
    }

    /// A non-negative decimal with at most two decimal places (hours).
    static func hours(_ text: String) throws(FieldProblem) -> String {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty || parts.count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0 >= "0" && $0 <= "9" } }),
              parts.count == 1 || (1...2).contains(parts[1].count),
              parts[0].count <= 12 else {
            throw FieldProblem("'\(text)' is not a number of hours; expected a number such as 12 or 7.5 (at most two decimal places)")
        }
        // The database's numeric(8, 2).
        guard parts[0].drop(while: { $0 == "0" }).count <= 6 else {
            throw FieldProblem("'\(text)' is more than the most hours gaptrack holds, 999999.99")
        }
        return parts[0].isEmpty ? "0" + text : text
    }

    /// A whole number of sessions, 0 or more.
    static func count(_ text: String) throws(FieldProblem) -> Int {
        guard let value = Int(text), value >= 0 else {
            throw FieldProblem("'\(text)' is not a number of sessions; expected a whole number, 0 or more")
        }
        guard value < 1_000_000 else {
            throw FieldProblem("'\(text)' is more than the most sessions gaptrack holds, 999999")
        }
        return value
    }

    /// Money as pence, printed as a plain decimal for the database's numeric(12, 2).
    static func pounds(_ text: String) throws(FieldProblem) -> String {
        do {
            return try PoundsAndPence(parsing: text).plainDecimal
        } catch {
            throw FieldProblem(String(describing: error))
        }
    }
}

/// Remembers the conversions of values that repeat from row to row (a scale, a marker name, a
/// pupil's identifier), because the domain's friendly parsers compare each value with every
/// accepted spelling and would otherwise cost more than the rest of the import.
struct Memo<Value> {
    private var results: [String: Result<Value, FieldProblem>] = [:]

    mutating func callAsFunction(_ text: String, _ convert: (String) throws(FieldProblem) -> Value) throws(FieldProblem) -> Value {
        if let known = results[text] { return try known.get() }
        let result: Result<Value, FieldProblem>
        do {
            result = .success(try convert(text))
        } catch {
            result = .failure(error)
        }
        if results.count < 100_000 { results[text] = result }
        return try result.get()
    }
}
