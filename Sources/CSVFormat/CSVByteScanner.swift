import Foundation

/// One field of the current record: a byte range in the scanner's buffer, or (for a quoted field
/// with doubled quotes) in the record's unescaped bytes, and the line the field starts on.
public struct CSVField: Sendable {
    var start: Int
    var end: Int
    var isUnescaped: Bool
    /// The 1-based physical line on which the field starts.
    public var line: Int

    /// The field's bytes. The pointers are those handed to the record's closure.
    @inline(__always)
    public func bytes(in buffer: UnsafeBufferPointer<UInt8>, unescaped: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        let source = isUnescaped ? unescaped : buffer
        return UnsafeBufferPointer(rebasing: source[start..<end])
    }

    /// The field as text, for messages and headers (invalid UTF-8 shown as U+FFFD).
    public func string(in buffer: UnsafeBufferPointer<UInt8>, unescaped: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: bytes(in: buffer, unescaped: unescaped), as: UTF8.self)
    }
}

/// Reads CSV as RFC 4180 defines it, streaming from a file in fixed-size chunks so that memory
/// stays flat however long the file is, and hands each record over as byte ranges in its buffer.
/// It is the one CSV parser: `CSVReader` makes strings from its fields, and the attendance import
/// matches bytes directly, since a file with millions of short rows would spend more on a
/// `String` per field than on the rest of the import.
///
/// - Fields are separated by commas; records end with CRLF or LF (a CR not followed by LF is an
///   ordinary character, except at the very end of the file).
/// - A field in double quotes may contain commas, line breaks and doubled quotes (`""` for `"`).
///   A quote inside an unquoted field is kept as an ordinary character.
/// - A UTF-8 byte order mark at the start of the input is skipped (Excel's "CSV UTF-8" writes one).
/// - A final line break is optional. Empty lines are skipped unless `skipBlankLines` is false.
/// - A quote that is never closed is an error that names its line. Bytes are not checked for
///   UTF-8 here; `CSVReader` checks the fields it turns into strings.
///
/// The scanner looks for the three special bytes (comma, quote, line feed), which never occur
/// inside a multi-byte UTF-8 sequence. It has identity (a file handle and a position), so it is
/// a class; use it from one task at a time.
public final class CSVByteScanner {
    private enum Source {
        case file(FileHandle, path: String)
        case memory
    }

    private var source: Source
    private var buffer: [UInt8]
    private var position = 0
    private var atEnd: Bool
    private var checkedByteOrderMark = false
    private let chunkSize: Int
    private var fields: [CSVField] = []
    private var unescaped: [UInt8] = []
    public let skipBlankLines: Bool
    /// The line the next record starts on.
    public private(set) var line = 1

    /// Opens a file for reading. `chunkSize` is the number of bytes read at a time.
    public init(path: String, chunkSize: Int = 4 << 20, skipBlankLines: Bool = true) throws(CSVError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied or not a regular file" : "no such file"
            throw .cannotOpen(path: path, reason: reason)
        }
        source = .file(handle, path: path)
        buffer = []
        atEnd = false
        self.chunkSize = max(chunkSize, 4)
        self.skipBlankLines = skipBlankLines
        fields.reserveCapacity(16)
    }

    /// Reads CSV held in memory.
    public init(bytes: [UInt8], skipBlankLines: Bool = true) {
        source = .memory
        buffer = bytes
        atEnd = true
        chunkSize = 1 << 20
        self.skipBlankLines = skipBlankLines
        fields.reserveCapacity(16)
    }

    deinit {
        closeFile()
    }

    /// Calls `body(line, fields, bytes, unescaped)` for every record, in order. `body` must not
    /// keep the pointers. Returning false stops the scan. The records a chunk holds are scanned
    /// in one pass over it, which is what keeps a file of millions of rows fast.
    public func forEachRecord(
        _ body: (Int, UnsafeBufferPointer<CSVField>, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) throws -> Bool
    ) throws {
        if !checkedByteOrderMark { try skipByteOrderMark() }
        var stopped = false
        while !stopped {
            if position == buffer.count {
                if atEnd { closeFile(); return }
                try refill()
                continue
            }
            var needMoreData = false
            try buffer.withUnsafeBufferPointer { bytes in
                while position < bytes.count, !stopped, !needMoreData {
                    guard let record = try nextRecord(in: bytes) else { needMoreData = true; break }
                    if record.isBlank && skipBlankLines { continue }
                    stopped = try !fields.withUnsafeBufferPointer { fieldPointer in
                        try unescaped.withUnsafeBufferPointer { scratch in try body(record.line, fieldPointer, bytes, scratch) }
                    }
                }
            }
            if needMoreData { try refill() }
        }
    }

    /// Calls `body(line, fields, bytes, unescaped)` with the next record and returns its result,
    /// or returns nil at the end of the input. `body` must not keep the pointers.
    public func withNextRecord<Result>(
        _ body: (Int, UnsafeBufferPointer<CSVField>, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) throws -> Result
    ) throws -> Result? {
        if !checkedByteOrderMark { try skipByteOrderMark() }
        while true {
            if position == buffer.count {
                if atEnd { closeFile(); return nil }
                try refill()
                continue
            }
            guard let record = try buffer.withUnsafeBufferPointer({ bytes in try nextRecord(in: bytes) }) else {
                try refill()
                continue
            }
            if record.isBlank && skipBlankLines { continue }
            return try buffer.withUnsafeBufferPointer { bytes in
                try fields.withUnsafeBufferPointer { fieldPointer in
                    try unescaped.withUnsafeBufferPointer { scratch in try body(record.line, fieldPointer, bytes, scratch) }
                }
            }
        }
    }

    /// Scans the record at `position` into `fields` and `unescaped` and moves past it; nil when
    /// the buffer ends inside it and more input is to come.
    @inline(__always)
    private func nextRecord(in bytes: UnsafeBufferPointer<UInt8>) throws(CSVError) -> (line: Int, isBlank: Bool)? {
        fields.removeAll(keepingCapacity: true)
        unescaped.removeAll(keepingCapacity: true)
        let startLine = line
        switch Self.scanRecord(bytes, from: position, isFinal: atEnd, startLine: startLine, fields: &fields, unescaped: &unescaped) {
        case .needMoreData:
            return nil
        case .failure(let error):
            throw error
        case .record(let end, let newlines, let isBlank):
            position = end
            line += newlines
            return (startLine, isBlank)
        }
    }

    // MARK: - Input

    private func skipByteOrderMark() throws(CSVError) {
        while buffer.count - position < 3 && !atEnd { try refill() }
        if buffer.count - position >= 3, buffer[position] == 0xEF, buffer[position + 1] == 0xBB, buffer[position + 2] == 0xBF {
            position += 3
        }
        checkedByteOrderMark = true
    }

    /// Drops consumed bytes and appends the next chunk. A record longer than a chunk makes the
    /// next read as large as the buffer, so a long record costs linear, not quadratic, time.
    private func refill() throws(CSVError) {
        guard case .file(let handle, let path) = source, !atEnd else {
            atEnd = true
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
            atEnd = true
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
        case record(end: Int, newlines: Int, isBlank: Bool)
        case needMoreData
        case failure(CSVError)
    }

    private static let comma = UInt8(ascii: ",")
    private static let quote = UInt8(ascii: "\"")
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    /// Scans one record from `start`; `.needMoreData` when it may continue past the buffer and
    /// more input is to come.
    private static func scanRecord(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, isFinal: Bool, startLine: Int,
                                   fields: inout [CSVField], unescaped: inout [UInt8]) -> Outcome {
        let end = bytes.count
        var i = start
        var newlines = 0
        while true {
            // At the start of a field.
            if i < end && bytes[i] == quote {
                let openingLine = startLine + newlines
                i += 1
                let contentStart = i
                var doubled = false
                var closing = -1
                while i < end {
                    let byte = bytes[i]
                    if byte == quote {
                        if i + 1 < end {
                            if bytes[i + 1] == quote { doubled = true; i += 2; continue }
                            closing = i
                            break
                        }
                        if !isFinal { return .needMoreData } // a doubled quote may straddle the chunk
                        closing = i
                        break
                    }
                    if byte == lineFeed { newlines += 1 }
                    i += 1
                }
                if closing < 0 { return isFinal ? .failure(.unterminatedQuote(line: openingLine)) : .needMoreData }
                if doubled {
                    let from = unescaped.count
                    var k = contentStart
                    while k < closing {
                        unescaped.append(bytes[k])
                        k += bytes[k] == quote ? 2 : 1
                    }
                    fields.append(CSVField(start: from, end: unescaped.count, isUnescaped: true, line: openingLine))
                } else {
                    fields.append(CSVField(start: contentStart, end: closing, isUnescaped: false, line: openingLine))
                }
                i = closing + 1
                // After the closing quote: a comma, a line break, or the end of the input.
                if i == end {
                    if !isFinal { return .needMoreData }
                    return .record(end: i, newlines: newlines, isBlank: false)
                }
                let next = bytes[i]
                if next == comma { i += 1; continue }
                if next == lineFeed { return .record(end: i + 1, newlines: newlines + 1, isBlank: false) }
                if next == carriageReturn {
                    if i + 1 == end { return isFinal ? .record(end: i + 1, newlines: newlines, isBlank: false) : .needMoreData }
                    if bytes[i + 1] == lineFeed { return .record(end: i + 2, newlines: newlines + 1, isBlank: false) }
                }
                // The message shows the whole character, which may be up to four bytes: wait for
                // them, so that reading in chunks reports what reading at once does.
                if !isFinal, end - i < 4 { return .needMoreData }
                return .failure(.unexpectedCharacterAfterQuote(line: startLine + newlines, character: characterForMessage(bytes, i)))
            }
            // An unquoted field: up to a comma or the end of the line (a CR before the LF belongs
            // to the line break).
            let fieldStart = i
            let fieldLine = startLine + newlines
            while i < end {
                let byte = bytes[i]
                if byte == comma || byte == lineFeed { break }
                i += 1
            }
            if i == end {
                if !isFinal { return .needMoreData }
                var fieldEnd = i
                if fieldEnd > fieldStart && bytes[fieldEnd - 1] == carriageReturn { fieldEnd -= 1 }
                fields.append(CSVField(start: fieldStart, end: fieldEnd, isUnescaped: false, line: fieldLine))
                return .record(end: i, newlines: newlines, isBlank: fields.count == 1 && fieldEnd == fieldStart)
            }
            if bytes[i] == comma {
                fields.append(CSVField(start: fieldStart, end: i, isUnescaped: false, line: fieldLine))
                i += 1
                continue
            }
            var fieldEnd = i
            if fieldEnd > fieldStart && bytes[fieldEnd - 1] == carriageReturn { fieldEnd -= 1 }
            fields.append(CSVField(start: fieldStart, end: fieldEnd, isUnescaped: false, line: fieldLine))
            return .record(end: i + 1, newlines: newlines + 1, isBlank: fields.count == 1 && fieldEnd == fieldStart)
        }
    }

    private static func characterForMessage(_ bytes: UnsafeBufferPointer<UInt8>, _ at: Int) -> String {
        let slice = UnsafeBufferPointer(rebasing: bytes[at..<min(at + 4, bytes.count)])
        if let character = String(decoding: slice, as: UTF8.self).first { return String(character) }
        return "?"
    }
}
