import Foundation

/// The header line of a CSV file: column names, looked up ignoring case and spaces, so that
/// "UPN", " upn " and "Date of Birth" / "DateOfBirth" / "date of birth" all match.
public struct CSVHeader: Sendable, Hashable {
    /// The names as written in the file.
    public let names: [String]
    /// The physical line of the header (usually 1).
    public let lineNumber: Int
    private let indexByKey: [String: Int]

    /// Rejects two columns with the same name once case and spaces are ignored, because a lookup
    /// by that name would be ambiguous. Columns with an empty name are allowed but cannot be
    /// looked up by name.
    public init(names: [String], lineNumber: Int = 1) throws(CSVError) {
        var indexByKey: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            let key = Self.key(for: name)
            if key.isEmpty { continue }
            if indexByKey[key] != nil { throw .duplicateColumn(name: name, line: lineNumber) }
            indexByKey[key] = index
        }
        self.names = names
        self.lineNumber = lineNumber
        self.indexByKey = indexByKey
    }

    /// The matching key for a column name: lower case, with all white space removed.
    public static func key(for name: String) -> String {
        String(name.lowercased().unicodeScalars.filter { !$0.properties.isWhitespace })
    }

    /// The position of the column called `name` (ignoring case and spaces), or nil.
    public func index(of name: String) -> Int? {
        indexByKey[Self.key(for: name)]
    }

    public func contains(_ name: String) -> Bool { index(of: name) != nil }

    /// Throws one error naming every missing column, and the columns that were found.
    public func requireColumns(_ required: [String]) throws(CSVError) {
        let missing = required.filter { !contains($0) }
        if !missing.isEmpty { throw .missingColumns(missing, available: names) }
    }

    public var count: Int { names.count }
}

/// A record of a CSV file with a header, whose fields can be looked up by column name.
public struct CSVRecord: Sendable, Hashable {
    public let lineNumber: Int
    public let fields: [String]
    public let header: CSVHeader

    public init(lineNumber: Int, fields: [String], header: CSVHeader) {
        self.lineNumber = lineNumber
        self.fields = fields
        self.header = header
    }

    /// The field in the column called `column`, exactly as written; nil when there is no such
    /// column or the record is too short to reach it.
    public subscript(column: String) -> String? {
        guard let index = header.index(of: column), index < fields.count else { return nil }
        return fields[index]
    }

    /// The field in the column at `index`, or nil when the record is too short.
    public subscript(index index: Int) -> String? {
        index >= 0 && index < fields.count ? fields[index] : nil
    }

    /// The field with surrounding white space removed; throws when the column is missing or the
    /// value is empty.
    public func requiredValue(_ column: String) throws(CSVError) -> String {
        guard header.contains(column) else { throw .missingColumns([column], available: header.names) }
        let value = (self[column] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else { throw .emptyValue(column: column, line: lineNumber) }
        return value
    }

    /// The field with surrounding white space removed, or nil when the column is missing or the
    /// value is empty (for optional columns).
    public func optionalValue(_ column: String) -> String? {
        guard let raw = self[column] else { return nil }
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }
}

/// Reads records with a header, streaming: the first record is the header, and each later
/// record is returned as a `CSVRecord`.
public final class CSVRecordReader {
    public let header: CSVHeader
    private let reader: CSVReader
    /// When true (the default), a record whose field count differs from the header's is an error.
    public let requireMatchingFieldCount: Bool

    public init(_ reader: CSVReader, requireMatchingFieldCount: Bool = true) throws(CSVError) {
        guard let headerRow = try reader.nextRow() else { throw .missingHeader }
        header = try CSVHeader(names: headerRow.fields, lineNumber: headerRow.lineNumber)
        self.reader = reader
        self.requireMatchingFieldCount = requireMatchingFieldCount
    }

    public convenience init(path: String, requireMatchingFieldCount: Bool = true) throws(CSVError) {
        try self.init(CSVReader(path: path), requireMatchingFieldCount: requireMatchingFieldCount)
    }

    /// The next record, or nil at the end of the file.
    public func nextRecord() throws(CSVError) -> CSVRecord? {
        guard let row = try reader.nextRow() else { return nil }
        if requireMatchingFieldCount, row.fields.count != header.count {
            throw .wrongFieldCount(line: row.lineNumber, expected: header.count, found: row.fields.count)
        }
        return CSVRecord(lineNumber: row.lineNumber, fields: row.fields, header: header)
    }

    public func forEachRecord(_ body: (CSVRecord) throws -> Void) throws {
        while let record = try nextRecord() { try body(record) }
    }
}

/// A whole CSV file with a header, in memory. For large imports, stream with `CSVRecordReader`.
public struct CSVTable: Sendable, Hashable {
    public let header: CSVHeader
    public let records: [CSVRecord]

    public init(_ reader: CSVReader, requireMatchingFieldCount: Bool = true) throws(CSVError) {
        let recordReader = try CSVRecordReader(reader, requireMatchingFieldCount: requireMatchingFieldCount)
        var records: [CSVRecord] = []
        while let record = try recordReader.nextRecord() { records.append(record) }
        header = recordReader.header
        self.records = records
    }

    public init(string: String, requireMatchingFieldCount: Bool = true) throws(CSVError) {
        try self.init(CSVReader(string: string), requireMatchingFieldCount: requireMatchingFieldCount)
    }

    public init(data: Data, requireMatchingFieldCount: Bool = true) throws(CSVError) {
        try self.init(CSVReader(data: data), requireMatchingFieldCount: requireMatchingFieldCount)
    }

    public init(path: String, requireMatchingFieldCount: Bool = true) throws(CSVError) {
        try self.init(CSVReader(path: path), requireMatchingFieldCount: requireMatchingFieldCount)
    }

    /// Every value in the column called `name` (empty for records too short to reach it).
    public func column(_ name: String) throws(CSVError) -> [String] {
        guard let index = header.index(of: name) else { throw .missingColumns([name], available: header.names) }
        return records.map { index < $0.fields.count ? $0.fields[index] : "" }
    }
}
