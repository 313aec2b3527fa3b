import Foundation

/// A form with a file in it, as a browser sends it (`multipart/form-data`, RFC 7578): its parts in
/// order, each a field's text or a file's bytes. Only what browsers send is read: a boundary from
/// the Content-Type, CRLF line ends, `Content-Disposition: form-data; name="..."; filename="..."`.
public struct MultipartForm: Sendable {
    public struct Part: Sendable, Equatable {
        public let name: String
        /// The file's name as the browser gave it (the last path component only); nil for a field.
        public let fileName: String?
        public let content: [UInt8]
    }

    public let parts: [Part]

    /// Why a body could not be read as a form with a file.
    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case notMultipart
        case malformed

        public var description: String {
            switch self {
            case .notMultipart: "the form was not sent as multipart/form-data, so it carried no file"
            case .malformed: "the form's body is not well-formed multipart/form-data"
            }
        }
    }

    /// Reads `body`, given the request's Content-Type.
    public init(_ body: [UInt8], contentType: String) throws(Problem) {
        guard let boundary = Self.boundary(contentType) else { throw .notMultipart }
        let delimiter = Array(("--" + boundary).utf8)
        var parts: [Part] = []
        guard var cursor = Self.find(delimiter, in: body, from: 0) else { throw .malformed }
        cursor += delimiter.count
        while true {
            // "--" after a delimiter ends the body; otherwise CRLF, then the part's headers.
            if body.count >= cursor + 2, body[cursor] == UInt8(ascii: "-"), body[cursor + 1] == UInt8(ascii: "-") { break }
            guard body.count >= cursor + 2, body[cursor] == 13, body[cursor + 1] == 10 else { throw .malformed }
            cursor += 2
            guard let headersEnd = Self.find(Array("\r\n\r\n".utf8), in: body, from: cursor) else { throw .malformed }
            let headers = String(decoding: body[cursor..<headersEnd], as: UTF8.self)
            let contentStart = headersEnd + 4
            guard let next = Self.find([13, 10] + delimiter, in: body, from: contentStart) else { throw .malformed }
            guard let disposition = headers.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-disposition:") }),
                let name = Self.parameter("name", in: String(disposition))
            else { throw .malformed }
            let fileName = Self.parameter("filename", in: String(disposition)).map { raw in
                String(raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? "")
            }
            parts.append(Part(name: name, fileName: fileName, content: Array(body[contentStart..<next])))
            cursor = next + 2 + delimiter.count
        }
        self.parts = parts
    }

    /// The text of the first field called `name`, trimmed; nil when missing or blank.
    public func value(_ name: String) -> String? {
        guard let part = parts.first(where: { $0.name == name && $0.fileName == nil }) else { return nil }
        let text = String(decoding: part.content, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// The first file field called `name` that has a file chosen.
    public func file(_ name: String) -> Part? {
        parts.first { $0.name == name && !($0.fileName ?? "").isEmpty }
    }

    static func boundary(_ contentType: String) -> String? {
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard pieces.first?.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() where piece.lowercased().hasPrefix("boundary=") {
            var value = String(piece.dropFirst("boundary=".count))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            // RFC 2046 §5.1.1: 1 to 70 characters.
            return (1...70).contains(value.utf8.count) ? value : nil
        }
        return nil
    }

    /// `name="value"` in a Content-Disposition line. Browsers quote every value and write a `"` in
    /// it as `%22` (and CR, LF as `%0D`, `%0A`; the HTML standard's multipart/form-data encoding
    /// algorithm), so a value runs to the next `"` and may hold `;`.
    static func parameter(_ name: String, in line: String) -> String? {
        let characters = Array(line)
        let key = Array(name + "=\"")
        var index = 0
        while index + key.count <= characters.count {
            let starts = index == 0 || characters[index - 1] == ";" || characters[index - 1] == " "
            if starts, characters[index..<index + key.count].map({ Character($0.lowercased()) }) == key {
                let valueStart = index + key.count
                guard let close = characters[valueStart...].firstIndex(of: "\"") else { return nil }
                return String(characters[valueStart..<close]).replacingOccurrences(of: "%22", with: "\"")
            }
            index += 1
        }
        return nil
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        let first = needle[0]
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
