import CSVFormat
import Foundation

/// A byte-level CSV scanner for files with millions of short rows (attendance), where making a
/// `String` for every field would cost more than the rest of the import.
///
/// It follows the same RFC 4180 rules as `CSVFormat.CSVReader` (commas, CRLF or LF, quoted fields
/// with doubled quotes and line breaks, a UTF-8 byte order mark skipped, blank lines skipped,
/// line numbers counting every line break) but hands each record to a closure as byte ranges in
/// its buffer instead of strings. Fields are not checked for valid UTF-8 here: every attendance
/// field is matched against ASCII values, and anything else is reported as an invalid value.
final class CSVByteScanner {
    /// One field of the current record: a byte range in `bytes`, or (for a quoted field with
    /// doubled quotes) in `unescaped`.
    struct Field {
        var start: Int
        var end: Int
        var isUnescaped: Bool
    }

    private let handle: FileHandle
    private let path: String
    private let chunkSize: Int
    private var buffer: [UInt8] = []
    private var atEnd = false
    private(set) var line = 1

    init(path: String, chunkSize: Int = 4 << 20) throws(CSVError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .cannotOpen(path: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
        }
        self.handle = handle
        self.path = path
        self.chunkSize = chunkSize
    }

    deinit {
        try? handle.close()
    }

    /// Calls `body(line, fields, bytes, unescaped)` for every record, in order. `body` must not
    /// keep the pointers. Returning false stops the scan.
    func forEachRecord(_ body: (Int, UnsafeBufferPointer<Field>, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) throws -> Bool) throws {
        var fields: [Field] = []
        fields.reserveCapacity(16)
        var unescaped: [UInt8] = []
        var position = 0
        try refill(keepingFrom: 0)
        if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { position = 3 }
        var stopped = false
        while true {
            // As many whole records as the buffer holds, in one pass over it.
            try buffer.withUnsafeBufferPointer { bytes in
                while position < bytes.count {
                    fields.removeAll(keepingCapacity: true)
                    unescaped.removeAll(keepingCapacity: true)
                    switch Self.scanRecord(bytes, from: position, isFinal: atEnd, fields: &fields, unescaped: &unescaped) {
                    case .needMoreData:
                        return
                    case .unterminatedQuote:
                        throw CSVError.unterminatedQuote(line: line)
                    case .badCharacterAfterQuote(let character, let newlines):
                        throw CSVError.unexpectedCharacterAfterQuote(line: line + newlines, character: String(UnicodeScalar(character)))
                    case .record(let end, let newlines, let isBlank):
                        let recordLine = line
                        line += newlines
                        position = end
                        if isBlank { continue }
                        let keepGoing = try fields.withUnsafeBufferPointer { fieldPointer in
                            try unescaped.withUnsafeBufferPointer { scratch in
                                try body(recordLine, fieldPointer, bytes, scratch)
                            }
                        }
                        if !keepGoing {
                            stopped = true
                            return
                        }
                    }
                }
            }
            if stopped || (atEnd && position >= buffer.count) { return }
            try refill(keepingFrom: position)
            position = 0
        }
    }

    private func refill(keepingFrom position: Int) throws {
        if position > 0 { buffer.removeSubrange(0..<position) }
        let wanted = max(chunkSize, buffer.count)
        let chunk: Data?
        do {
            chunk = try handle.read(upToCount: wanted)
        } catch {
            throw CSVError.readFailed(path: path, reason: String(describing: error))
        }
        if let chunk, !chunk.isEmpty {
            buffer.append(contentsOf: chunk)
        } else {
            atEnd = true
        }
    }

    private enum Outcome {
        case record(end: Int, newlines: Int, isBlank: Bool)
        case needMoreData
        case unterminatedQuote
        case badCharacterAfterQuote(UInt8, newlines: Int)
    }

    private static let comma = UInt8(ascii: ",")
    private static let quote = UInt8(ascii: "\"")
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    /// Scans one record from `start`; `.needMoreData` when it may continue past the buffer.
    private static func scanRecord(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, isFinal: Bool,
                                   fields: inout [Field], unescaped: inout [UInt8]) -> Outcome {
        let end = bytes.count
        var i = start
        var newlines = 0
        while true {
            // At the start of a field.
            if i < end && bytes[i] == quote {
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
                        if !isFinal { return .needMoreData }
                        closing = i
                        break
                    }
                    if byte == lineFeed { newlines += 1 }
                    i += 1
                }
                if closing < 0 { return isFinal ? .unterminatedQuote : .needMoreData }
                if doubled {
                    let from = unescaped.count
                    var k = contentStart
                    while k < closing {
                        unescaped.append(bytes[k])
                        k += bytes[k] == quote ? 2 : 1
                    }
                    fields.append(Field(start: from, end: unescaped.count, isUnescaped: true))
                } else {
                    fields.append(Field(start: contentStart, end: closing, isUnescaped: false))
                }
                i = closing + 1
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
                return .badCharacterAfterQuote(next, newlines: newlines)
            }
            // An unquoted field: up to a comma or the end of the line.
            let fieldStart = i
            while i < end {
                let byte = bytes[i]
                if byte == comma || byte == lineFeed { break }
                i += 1
            }
            if i == end {
                if !isFinal { return .needMoreData }
                var fieldEnd = i
                if fieldEnd > fieldStart && bytes[fieldEnd - 1] == carriageReturn { fieldEnd -= 1 }
                fields.append(Field(start: fieldStart, end: fieldEnd, isUnescaped: false))
                let blank = fields.count == 1 && fieldEnd == fieldStart
                return .record(end: i, newlines: newlines, isBlank: blank)
            }
            if bytes[i] == comma {
                fields.append(Field(start: fieldStart, end: i, isUnescaped: false))
                i += 1
                continue
            }
            // Line feed: drop a carriage return before it (CRLF).
            var fieldEnd = i
            if fieldEnd > fieldStart && bytes[fieldEnd - 1] == carriageReturn { fieldEnd -= 1 }
            fields.append(Field(start: fieldStart, end: fieldEnd, isUnescaped: false))
            let blank = fields.count == 1 && fieldEnd == fieldStart
            return .record(end: i + 1, newlines: newlines + 1, isBlank: blank)
        }
    }
}

extension CSVByteScanner.Field {
    /// The field's bytes.
    @inline(__always)
    func bytes(in buffer: UnsafeBufferPointer<UInt8>, unescaped: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        let source = isUnescaped ? unescaped : buffer
        return UnsafeBufferPointer(rebasing: source[start..<end])
    }

    /// The field as text, for messages and the header (invalid UTF-8 shown as U+FFFD).
    func string(in buffer: UnsafeBufferPointer<UInt8>, unescaped: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: bytes(in: buffer, unescaped: unescaped), as: UTF8.self)
    }
}
