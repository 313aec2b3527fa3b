import Foundation
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

    private func read(_ request: Request) async throws(APIError) -> Data {
        let contentType = request.headers[.contentType]
        guard let contentType, contentType.lowercased().hasPrefix("application/json") else {
            throw .unsupportedMediaType(contentType)
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
