import Foundation

/// One CSV record: its fields, and the physical line on which it starts.
public struct CSVRow: Sendable, Hashable {
    /// The 1-based physical line on which the record starts. A quoted field containing line
    /// breaks makes a record span several lines, so the next record's line number skips ahead.
    public let lineNumber: Int
    public let fields: [String]

    public init(lineNumber: Int, fields: [String]) {
        self.lineNumber = lineNumber
        self.fields = fields
    }
}

/// Reads CSV records as strings: `CSVByteScanner` finds the records (the rules are documented
/// there), and each field becomes a `String` once its bytes are known to be valid UTF-8.
/// Invalid UTF-8 is an error that names its line. Use a reader from one task at a time.
public final class CSVReader {
    private let scanner: CSVByteScanner

    public var skipBlankLines: Bool { scanner.skipBlankLines }

    /// Opens a file for reading. `chunkSize` is the number of bytes read at a time.
    public init(path: String, chunkSize: Int = 1 << 20, skipBlankLines: Bool = true) throws(CSVError) {
        scanner = try CSVByteScanner(path: path, chunkSize: chunkSize, skipBlankLines: skipBlankLines)
    }

    /// Reads CSV held in memory.
    public convenience init(data: Data, skipBlankLines: Bool = true) {
        self.init(bytes: [UInt8](data), skipBlankLines: skipBlankLines)
    }

    public convenience init(string: String, skipBlankLines: Bool = true) {
        self.init(bytes: Array(string.utf8), skipBlankLines: skipBlankLines)
    }

    public init(bytes: [UInt8], skipBlankLines: Bool = true) {
        scanner = CSVByteScanner(bytes: bytes, skipBlankLines: skipBlankLines)
    }

    /// The next record, or nil at the end of the input.
    public func nextRow() throws(CSVError) -> CSVRow? {
        do {
            return try scanner.withNextRecord { line, fields, bytes, unescaped throws(CSVError) -> CSVRow in
                var strings: [String] = []
                strings.reserveCapacity(fields.count)
                for field in fields {
                    let slice = field.bytes(in: bytes, unescaped: unescaped)
                    guard let base = slice.baseAddress, !slice.isEmpty else { strings.append(""); continue }
                    guard Self.isValidUTF8(base, 0, slice.count) else {
                        throw .invalidUTF8(line: Self.lineOfFirstInvalidByte(slice, firstLine: field.line))
                    }
                    strings.append(String(decoding: slice, as: UTF8.self))
                }
                return CSVRow(lineNumber: line, fields: strings)
            }
        } catch let error as CSVError {
            throw error
        } catch {
            throw .readFailed(path: "", reason: String(describing: error))
        }
    }

    /// Calls `body` with each remaining record in order.
    public func forEachRow(_ body: (CSVRow) throws -> Void) throws {
        while let row = try nextRow() { try body(row) }
    }

    /// All remaining records. For large files prefer `nextRow()` or `forEachRow(_:)`.
    public func readAll() throws(CSVError) -> [CSVRow] {
        var rows: [CSVRow] = []
        while let row = try nextRow() { rows.append(row) }
        return rows
    }

    /// Whether the bytes are well-formed UTF-8 (The Unicode Standard, table 3-7: no overlong
    /// forms, no surrogates, nothing above U+10FFFF). `String(decoding:)` would silently replace
    /// bad bytes with U+FFFD, and a name quietly corrupted on import is worse than an error.
    /// (`String(validating:)` does the same check but needs macOS 15.)
    static func isValidUTF8(_ p: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> Bool {
        var i = from
        while i < to {
            let b0 = p[i]
            if b0 < 0x80 { i += 1; continue }
            if b0 < 0xC2 { return false }
            if b0 < 0xE0 {
                guard i + 1 < to, p[i + 1] & 0xC0 == 0x80 else { return false }
                i += 2
                continue
            }
            if b0 < 0xF0 {
                guard i + 2 < to else { return false }
                let lower: UInt8 = b0 == 0xE0 ? 0xA0 : 0x80
                let upper: UInt8 = b0 == 0xED ? 0x9F : 0xBF
                guard p[i + 1] >= lower, p[i + 1] <= upper, p[i + 2] & 0xC0 == 0x80 else { return false }
                i += 3
                continue
            }
            if b0 < 0xF5 {
                guard i + 3 < to else { return false }
                let lower: UInt8 = b0 == 0xF0 ? 0x90 : 0x80
                let upper: UInt8 = b0 == 0xF4 ? 0x8F : 0xBF
                guard p[i + 1] >= lower, p[i + 1] <= upper, p[i + 2] & 0xC0 == 0x80, p[i + 3] & 0xC0 == 0x80 else { return false }
                i += 4
                continue
            }
            return false
        }
        return true
    }

    /// The line of the first invalid UTF-8 byte in a quoted field that may span lines.
    private static func lineOfFirstInvalidByte(_ slice: UnsafeBufferPointer<UInt8>, firstLine: Int) -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = slice.makeIterator()
        var offset = 0
        parsing: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .error: break parsing
            case .emptyInput: break parsing
            }
        }
        var line = firstLine
        for index in 0..<offset where slice[index] == UInt8(ascii: "\n") { line += 1 }
        return line
    }
}
