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

/// Reads CSV as RFC 4180 defines it, streaming from a file in fixed-size chunks so that memory
/// stays flat however long the file is.
///
/// - Fields are separated by commas; records end with CRLF or LF (a CR not followed by LF is an
///   ordinary character, except at the very end of the file).
/// - A field in double quotes may contain commas, line breaks and doubled quotes (`""` for `"`).
///   A quote inside an unquoted field is kept as an ordinary character.
/// - A UTF-8 byte order mark at the start of the input is skipped (Excel's "CSV UTF-8" writes one).
/// - A final line break is optional. Empty lines are skipped unless `skipBlankLines` is false.
/// - Invalid UTF-8 and a quote that is never closed are errors that name the line.
///
/// The reader works on bytes, not `Character`s: it scans for the three special bytes (comma,
/// quote, line feed), which never occur inside a multi-byte UTF-8 sequence, and makes each field's
/// `String` straight from its bytes. A reader has identity (it owns a file handle and a position),
/// so it is a class; use it from one task at a time.
public final class CSVReader {
    private enum Source {
        case file(FileHandle, path: String)
        case memory
    }

    private var source: Source
    private var buffer: [UInt8]
    private var position = 0
    private var atEndOfInput: Bool
    private var line = 1
    private var checkedByteOrderMark = false
    private let chunkSize: Int
    private var expectedFieldCount = 8
    public let skipBlankLines: Bool

    /// Opens a file for reading. `chunkSize` is the number of bytes read at a time.
    public init(path: String, chunkSize: Int = 1 << 20, skipBlankLines: Bool = true) throws(CSVError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied or not a regular file" : "no such file"
            throw .cannotOpen(path: path, reason: reason)
        }
        source = .file(handle, path: path)
        buffer = []
        atEndOfInput = false
        self.chunkSize = max(chunkSize, 4)
        self.skipBlankLines = skipBlankLines
    }

    /// Reads CSV held in memory.
    public init(data: Data, skipBlankLines: Bool = true) {
        source = .memory
        buffer = [UInt8](data)
        atEndOfInput = true
        chunkSize = 1 << 20
        self.skipBlankLines = skipBlankLines
    }

    public convenience init(string: String, skipBlankLines: Bool = true) {
        self.init(bytes: Array(string.utf8), skipBlankLines: skipBlankLines)
    }

    public init(bytes: [UInt8], skipBlankLines: Bool = true) {
        source = .memory
        buffer = bytes
        atEndOfInput = true
        chunkSize = 1 << 20
        self.skipBlankLines = skipBlankLines
    }

    deinit {
        if case .file(let handle, _) = source { try? handle.close() }
    }

    /// The next record, or nil at the end of the input.
    public func nextRow() throws(CSVError) -> CSVRow? {
        if !checkedByteOrderMark { try skipByteOrderMark() }
        while true {
            if position == buffer.count {
                if atEndOfInput { closeFile(); return nil }
                try refill()
                continue
            }
            let startLine = line
            let outcome = buffer.withUnsafeBufferPointer { bytes in
                Self.parseRecord(bytes, from: position, isFinal: atEndOfInput, startLine: startLine,
                                 expectedFieldCount: expectedFieldCount)
            }
            switch outcome {
            case .needMoreData:
                try refill()
            case .failure(let error):
                throw error
            case .record(let fields, let end, let newlines, let isBlank):
                position = end
                line += newlines
                if isBlank && skipBlankLines { continue }
                expectedFieldCount = fields.count
                return CSVRow(lineNumber: startLine, fields: fields)
            }
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

    // MARK: - Input

    private func skipByteOrderMark() throws(CSVError) {
        while buffer.count - position < 3 && !atEndOfInput { try refill() }
        if buffer.count - position >= 3, buffer[position] == 0xEF, buffer[position + 1] == 0xBB, buffer[position + 2] == 0xBF {
            position += 3
        }
        checkedByteOrderMark = true
    }

    /// Drops consumed bytes and appends the next chunk. A record longer than a chunk makes the
    /// next read as large as the buffer, so a long record costs linear, not quadratic, time.
    private func refill() throws(CSVError) {
        guard case .file(let handle, let path) = source, !atEndOfInput else {
            atEndOfInput = true
            return
        }
        if position > 0 {
            buffer.removeSubrange(0..<position)
            position = 0
        }
        let wanted = max(chunkSize, buffer.count)
        let chunk: Data?
        do {
            chunk = try handle.read(upToCount: wanted)
        } catch {
            throw .readFailed(path: path, reason: String(describing: error))
        }
        if let chunk, !chunk.isEmpty {
            buffer.append(contentsOf: chunk)
        } else {
            atEndOfInput = true
        }
    }

    private func closeFile() {
        if case .file(let handle, _) = source {
            try? handle.close()
            source = .memory
        }
    }

    // MARK: - Parsing

    private enum Outcome {
        case record(fields: [String], end: Int, newlines: Int, isBlank: Bool)
        case needMoreData
        case failure(CSVError)
    }

    private static let comma = UInt8(ascii: ",")
    private static let quote = UInt8(ascii: "\"")
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    /// Parses one record starting at `start`. Returns `.needMoreData` when the record may continue
    /// past the end of the buffer and more input is to come.
    private static func parseRecord(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, isFinal: Bool,
                                    startLine: Int, expectedFieldCount: Int) -> Outcome {
        let end = bytes.count
        let base = bytes.baseAddress!
        var fields: [String] = []
        fields.reserveCapacity(expectedFieldCount)
        var i = start
        var newlines = 0
        var firstFieldQuoted = false

        while true {
            // At the start of a field.
            if i == end {
                if !isFinal { return .needMoreData }
                fields.append("")
                return .record(fields: fields, end: i, newlines: newlines, isBlank: false)
            }
            if base[i] == quote {
                if fields.isEmpty { firstFieldQuoted = true }
                let openingLine = startLine + newlines
                i += 1
                let contentStart = i
                var hasDoubledQuote = false
                var nonASCII: UInt8 = 0
                var closing = -1
                while i < end {
                    let byte = base[i]
                    if byte == quote {
                        if i + 1 < end {
                            if base[i + 1] == quote { hasDoubledQuote = true; i += 2; continue }
                            closing = i
                            break
                        }
                        if !isFinal { return .needMoreData } // a doubled quote may straddle the chunk
                        closing = i
                        break
                    }
                    if byte == lineFeed { newlines += 1 }
                    nonASCII |= byte
                    i += 1
                }
                if closing < 0 {
                    if !isFinal { return .needMoreData }
                    return .failure(.unterminatedQuote(line: openingLine))
                }
                let field: String?
                if hasDoubledQuote {
                    var unescaped: [UInt8] = []
                    unescaped.reserveCapacity(closing - contentStart)
                    var k = contentStart
                    while k < closing {
                        unescaped.append(base[k])
                        k += base[k] == quote ? 2 : 1
                    }
                    field = makeString(unescaped, ascii: nonASCII & 0x80 == 0)
                } else {
                    field = makeString(base, contentStart, closing, ascii: nonASCII & 0x80 == 0)
                }
                guard let field else {
                    return .failure(.invalidUTF8(line: lineOfFirstInvalidByte(base, contentStart, closing, firstLine: openingLine)))
                }
                fields.append(field)
                i = closing + 1
                // After the closing quote: a comma, a line break, or the end of the input.
                if i == end {
                    if !isFinal { return .needMoreData }
                    return .record(fields: fields, end: i, newlines: newlines, isBlank: false)
                }
                let next = base[i]
                if next == comma { i += 1; continue }
                if next == lineFeed {
                    return .record(fields: fields, end: i + 1, newlines: newlines + 1, isBlank: false)
                }
                if next == carriageReturn {
                    if i + 1 < end {
                        if base[i + 1] == lineFeed {
                            return .record(fields: fields, end: i + 2, newlines: newlines + 1, isBlank: false)
                        }
                    } else if !isFinal {
                        return .needMoreData
                    } else {
                        return .record(fields: fields, end: i + 1, newlines: newlines, isBlank: false)
                    }
                }
                return .failure(.unexpectedCharacterAfterQuote(line: startLine + newlines, character: characterForMessage(base, i, end)))
            }

            // An unquoted field: up to a comma, LF, CRLF, or the end of the input.
            let fieldStart = i
            var nonASCII: UInt8 = 0
            var terminator = 0 // 0: end of input, 1: comma, 2: LF, 3: CRLF
            while i < end {
                let byte = base[i]
                if byte == comma { terminator = 1; break }
                if byte == lineFeed { terminator = 2; break }
                if byte == carriageReturn {
                    if i + 1 < end {
                        if base[i + 1] == lineFeed { terminator = 3; break }
                    } else if !isFinal {
                        return .needMoreData
                    } else {
                        terminator = 4 // a final CR at the very end of the input
                        break
                    }
                }
                nonASCII |= byte
                i += 1
            }
            if terminator == 0 && !isFinal { return .needMoreData }
            guard let field = makeString(base, fieldStart, i, ascii: nonASCII & 0x80 == 0) else {
                return .failure(.invalidUTF8(line: startLine + newlines))
            }
            fields.append(field)
            switch terminator {
            case 1:
                i += 1
            case 2, 3:
                let isBlank = fields.count == 1 && field.isEmpty && !firstFieldQuoted
                return .record(fields: fields, end: i + (terminator == 2 ? 1 : 2), newlines: newlines + 1, isBlank: isBlank)
            default:
                let isBlank = fields.count == 1 && field.isEmpty && !firstFieldQuoted
                return .record(fields: fields, end: terminator == 4 ? i + 1 : i, newlines: newlines, isBlank: isBlank)
            }
        }
    }

    /// The field's text, or nil if its bytes are not valid UTF-8. ASCII needs no validation.
    @inline(__always)
    private static func makeString(_ base: UnsafePointer<UInt8>, _ from: Int, _ to: Int, ascii: Bool) -> String? {
        guard ascii || isValidUTF8(base, from, to) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: base + from, count: to - from), as: UTF8.self)
    }

    private static func makeString(_ bytes: [UInt8], ascii: Bool) -> String? {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return "" }
            return makeString(base, 0, buffer.count, ascii: ascii)
        }
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
    private static func lineOfFirstInvalidByte(_ base: UnsafePointer<UInt8>, _ from: Int, _ to: Int, firstLine: Int) -> Int {
        let slice = UnsafeBufferPointer(start: base + from, count: to - from)
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
        for index in 0..<offset where slice[index] == lineFeed { line += 1 }
        return line
    }

    private static func characterForMessage(_ base: UnsafePointer<UInt8>, _ at: Int, _ end: Int) -> String {
        let slice = UnsafeBufferPointer(start: base + at, count: min(4, end - at))
        if let character = String(decoding: slice, as: UTF8.self).first { return String(character) }
        return "?"
    }
}
