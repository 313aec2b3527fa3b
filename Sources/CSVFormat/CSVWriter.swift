import Foundation

/// Writes CSV (RFC 4180) with output that is the same byte for byte for the same rows:
/// lines always end with `\n` (never `\r\n`, whatever the platform), and a field is quoted only
/// when it must be (`needsQuoting`).
/// Quotes inside a quoted field are doubled. A row of one empty field is written as `""`, so
/// that it is not read back as a blank line and skipped.
public struct CSVWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    /// `includeByteOrderMark` starts the output with a UTF-8 byte order mark, which Excel needs
    /// to show accented names correctly; off by default.
    public init(includeByteOrderMark: Bool = false) {
        if includeByteOrderMark { bytes = [0xEF, 0xBB, 0xBF] }
    }

    public mutating func writeRow(_ fields: some Sequence<String>) {
        Self.appendRow(fields, to: &bytes)
    }

    public mutating func writeRows(_ rows: some Sequence<[String]>) {
        for row in rows { writeRow(row) }
    }

    /// The output as text.
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    public var data: Data { Data(bytes) }

    /// A whole document: a header line, then the rows.
    public static func document(header: [String], rows: some Sequence<[String]>) -> String {
        var writer = CSVWriter()
        writer.writeRow(header)
        writer.writeRows(rows)
        return writer.string
    }

    /// One field as it is written: quoted and escaped only if needed.
    public static func encodeField(_ field: String) -> String {
        var out: [UInt8] = []
        appendField(field, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether a field must be quoted: it contains a comma, a quote, a CR or an LF, or it starts
    /// with U+FEFF, which a reader takes for a byte order mark and drops when the field opens the
    /// file (`CSVByteScanner`); inside quotes it is kept.
    public static func needsQuoting(_ field: String) -> Bool {
        field.utf8.starts(with: byteOrderMark)
            || field.utf8.contains { $0 == comma || $0 == quote || $0 == lineFeed || $0 == carriageReturn }
    }

    static func appendRow(_ fields: some Sequence<String>, to out: inout [UInt8]) {
        var count = 0
        var onlyFieldWasEmpty = false
        for field in fields {
            if count > 0 { out.append(comma) }
            appendField(field, to: &out)
            count += 1
            onlyFieldWasEmpty = count == 1 && field.isEmpty
        }
        if count == 1 && onlyFieldWasEmpty {
            out.append(quote)
            out.append(quote)
        }
        out.append(lineFeed)
    }

    static func appendField(_ field: String, to out: inout [UInt8]) {
        guard needsQuoting(field) else {
            out.append(contentsOf: field.utf8)
            return
        }
        out.append(quote)
        for byte in field.utf8 {
            if byte == quote { out.append(quote) }
            out.append(byte)
        }
        out.append(quote)
    }

    private static let comma = UInt8(ascii: ",")
    private static let quote = UInt8(ascii: "\"")
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")
}

/// Writes CSV rows to a file, buffering so that large reports stream to disk with flat memory.
/// Call `close()` when done; it flushes the last rows and reports any error.
public final class CSVFileWriter {
    private let handle: FileHandle
    private let path: String
    private var pending: [UInt8] = []
    private let flushThreshold: Int
    private var isClosed = false

    /// Creates (or replaces) the file at `path`.
    public init(path: String, includeByteOrderMark: Bool = false, bufferSize: Int = 1 << 20) throws(CSVError) {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw .cannotOpen(path: path, reason: "cannot create the file (check the folder exists and is writable)")
        }
        self.handle = handle
        self.path = path
        flushThreshold = max(bufferSize, 1)
        if includeByteOrderMark { pending = [0xEF, 0xBB, 0xBF] }
    }

    deinit {
        if !isClosed {
            try? flush()
            try? handle.close()
        }
    }

    public func writeRow(_ fields: some Sequence<String>) throws(CSVError) {
        precondition(!isClosed, "CSVFileWriter used after close()")
        CSVWriter.appendRow(fields, to: &pending)
        if pending.count >= flushThreshold { try flush() }
    }

    public func flush() throws(CSVError) {
        guard !pending.isEmpty else { return }
        do {
            try handle.write(contentsOf: Data(pending))
        } catch {
            throw .writeFailed(path: path, reason: String(describing: error))
        }
        pending.removeAll(keepingCapacity: true)
    }

    public func close() throws(CSVError) {
        guard !isClosed else { return }
        try flush()
        isClosed = true
        do {
            try handle.close()
        } catch {
            throw .writeFailed(path: path, reason: String(describing: error))
        }
    }
}
