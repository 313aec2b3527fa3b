import Foundation
import GapTrackDomain

/// The service's strict reading of a JSON request body, kept apart from HTTP so that the fuzz
/// harness (Fuzz/run.sh json) drives exactly the code the service runs: a document is accepted
/// only if it is one JSON object with no key twice in any object and no control character in any
/// key or string (line breaks and tabs only where `TextLimit` allows them).
enum StrictJSON {
    static func object(from data: Data) throws(StrictJSONError) -> [String: JSONValue] {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw .refused("it is not valid JSON (\(syntaxHint(error)))")
        }
        guard case .object(let object) = value else {
            throw .refused("expected a JSON object ({...}) at the top level, not \(value.kind)")
        }
        // The decoder keeps one of two equal keys silently; which one the sender meant is unknown.
        if let duplicate = DuplicateKeyScanner.firstDuplicate(in: data) {
            throw .refused("the key '\(TextLimit.quoted(duplicate))' appears twice in one object; send each field once")
        }
        try rejectControlCharacters(value, path: nil)
        return object
    }

    /// A NUL or other control character in any string or key is refused before any field is
    /// read: PostgreSQL would cut the text short at a NUL and a student be matched by a prefix.
    static func rejectControlCharacters(_ value: JSONValue, path: String?) throws(StrictJSONError) {
        switch value {
        case .string(let text):
            let field = path ?? "body"
            let lastKey = field.split(separator: ".").last.map { String($0.prefix { $0 != "[" }) } ?? field
            if let control = TextLimit.firstControlCharacter(in: text, allowingLineBreaks: TextLimit.of(lastKey).allowsLineBreaks) {
                throw .refused(
                    "the field '\(field)' contains the control character U+\(String(format: "%04X", control.value)) in '\(TextLimit.quoted(text))'; send printable text only")
            }
        case .array(let items):
            for (index, item) in items.enumerated() { try rejectControlCharacters(item, path: "\(path ?? "body")[\(index)]") }
        case .object(let object):
            for (key, item) in object {
                let field = path.map { "\($0).\(key)" } ?? key
                if TextLimit.firstControlCharacter(in: key, allowingLineBreaks: false) != nil {
                    throw .refused("the key '\(TextLimit.quoted(key))' contains a control character; send printable keys only")
                }
                try rejectControlCharacters(item, path: field)
            }
        case .null, .bool, .number:
            return
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

/// Why a body is not the JSON the service accepts; the service answers 400 with this reason
/// (`APIError.malformedJSON`).
enum StrictJSONError: Error, CustomStringConvertible, Equatable {
    case refused(String)

    var description: String {
        switch self {
        case .refused(let reason): return reason
        }
    }
}

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
