import Foundation
import GapTrackDomain
import GapTrackStore
import Hummingbird
import NIOCore

/// Any JSON value. Request bodies are read into this first and then checked field by field, so
/// that one answer lists every problem in the request (as an import lists every bad row), not
/// only the first one a decoder trips over.
enum JSONValue: Decodable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// How the value is shown back in an error message.
    var shown: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return String(value)
        case .number(let value): return Self.plain(value)
        case .string(let value): return value
        case .array: return "[...]"
        case .object: return "{...}"
        }
    }

    /// A number as a person wrote it: 12, not 12.0.
    static func plain(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return "\(value)"
    }

    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "true or false"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// Reads request bodies: only JSON, only up to a limit, only known fields.
struct JSONBodyReader: Sendable {
    /// The largest body accepted, in bytes. Checked against Content-Length before reading, and
    /// again while reading (a chunked body has no length).
    let limit: Int

    /// The body as a JSON object whose keys are all in `fields`, so that a misspelt key
    /// ("ammount") is reported rather than silently ignored.
    func object(from request: Request, fields: Set<String>) async throws(APIError) -> [String: JSONValue] {
        let data = try await read(request)
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw .malformedJSON("it is not valid JSON (\(Self.syntaxHint(error)))")
        }
        guard case .object(let object) = value else {
            throw .malformedJSON("expected a JSON object ({...}) at the top level, not \(value.kind)")
        }
        // The decoder keeps one of two equal keys silently; which one the sender meant is unknown.
        if let duplicate = DuplicateKeyScanner.firstDuplicate(in: data) {
            throw .malformedJSON("the key '\(TextLimit.quoted(duplicate))' appears twice in one object; send each field once")
        }
        try Self.rejectControlCharacters(value, path: nil)
        try Self.rejectUnknown(object, fields: fields, path: nil)
        return object
    }

    static func rejectUnknown(_ object: [String: JSONValue], fields: Set<String>, path: String?) throws(APIError) {
        let unknown = Set(object.keys).subtracting(fields).sorted()
        guard unknown.isEmpty else {
            throw .invalidFields(unknown.map { key in
                FieldProblem(
                    field: path.map { "\($0).\(key)" } ?? key, value: nil,
                    message: "is not a field of this request; the fields are: \(fields.sorted().joined(separator: ", "))")
            })
        }
    }

    /// A NUL or other control character in any string or key is refused before any field is
    /// read: PostgreSQL would cut the text short at a NUL and a student be matched by a prefix.
    static func rejectControlCharacters(_ value: JSONValue, path: String?) throws(APIError) {
        switch value {
        case .string(let text):
            let field = path ?? "body"
            let lastKey = field.split(separator: ".").last.map { String($0.prefix { $0 != "[" }) } ?? field
            if let control = TextLimit.firstControlCharacter(in: text, allowingLineBreaks: TextLimit.of(lastKey).allowsLineBreaks) {
                throw .malformedJSON(
                    "the field '\(field)' contains the control character U+\(String(format: "%04X", control.value)) in '\(TextLimit.quoted(text))'; send printable text only")
            }
        case .array(let items):
            for (index, item) in items.enumerated() { try rejectControlCharacters(item, path: "\(path ?? "body")[\(index)]") }
        case .object(let object):
            for (key, item) in object {
                let field = path.map { "\($0).\(key)" } ?? key
                if TextLimit.firstControlCharacter(in: key, allowingLineBreaks: false) != nil {
                    throw .malformedJSON("the key '\(TextLimit.quoted(key))' contains a control character; send printable keys only")
                }
                try rejectControlCharacters(item, path: field)
            }
        case .null, .bool, .number:
            return
        }
    }

    /// `application/json`, optionally with `charset=utf-8`: nothing else, so that a body sent as
    /// another type (`application/jsonp`, `text/json`) is refused rather than guessed at.
    static func isJSON(_ contentType: String) -> Bool {
        let parts = contentType.split(separator: ";", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard parts.first == "application/json" else { return false }
        return parts.dropFirst().allSatisfy { $0 == "charset=utf-8" || $0 == "charset=\"utf-8\"" }
    }

    private func read(_ request: Request) async throws(APIError) -> Data {
        let contentType = request.headers[.contentType]
        guard let contentType, Self.isJSON(contentType) else {
            throw .unsupportedMediaType(contentType.map { TextLimit.quoted($0) })
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw .payloadTooLarge(limit: limit)
        }
        do {
            var buffer = try await request.body.collect(upTo: limit)
            return buffer.readData(length: buffer.readableBytes) ?? Data()
        } catch is NIOTooManyBytesError {
            throw .payloadTooLarge(limit: limit)
        } catch {
            throw .malformedJSON("the body could not be read: \(error)")
        }
    }

    private static func syntaxHint(_ error: any Error) -> String {
        guard case DecodingError.dataCorrupted(let context) = error else { return "\(error)" }
        if let underlying = context.underlyingError as NSError?,
            let detail = underlying.userInfo[NSDebugDescriptionErrorKey] as? String
        {
            return detail
        }
        return context.debugDescription
    }
}

/// Finds a key given twice in one JSON object, which JSONDecoder and JSONSerialization accept
/// and resolve by keeping one. Runs only over text the decoder has already accepted, so it need
/// only tell keys from values and strings from structure.
enum DuplicateKeyScanner {
    private struct Frame {
        let isObject: Bool
        var keys: Set<String> = []
        var expectingKey: Bool
    }

    static func firstDuplicate(in data: Data) -> String? {
        let bytes = [UInt8](data)
        var stack: [Frame] = []
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "{"): stack.append(Frame(isObject: true, expectingKey: true))
            case UInt8(ascii: "["): stack.append(Frame(isObject: false, expectingKey: false))
            case UInt8(ascii: "}"), UInt8(ascii: "]"): _ = stack.popLast()
            case UInt8(ascii: ","): if stack.last?.isObject == true { stack[stack.count - 1].expectingKey = true }
            case UInt8(ascii: "\""):
                var end = index + 1
                var escaped = false
                while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                    if bytes[end] == UInt8(ascii: "\\") { escaped = true; end += 1 }
                    end += 1
                }
                if let frame = stack.last, frame.isObject, frame.expectingKey {
                    let raw = bytes[index...min(end, bytes.count - 1)]
                    // Escapes ("\u0061" is "a") are resolved by the decoder so that they compare equal.
                    let key = escaped
                        ? (try? JSONDecoder().decode(String.self, from: Data(raw))) ?? String(decoding: raw, as: UTF8.self)
                        : String(decoding: raw.dropFirst().dropLast(), as: UTF8.self)
                    stack[stack.count - 1].expectingKey = false
                    if !stack[stack.count - 1].keys.insert(key).inserted { return key }
                }
                index = end
            default: break
            }
            index += 1
        }
        return nil
    }
}
