import Foundation
import GapTrackDomain
import Hummingbird

/// JSON responses with the service's stable encoding (sorted keys, ISO 8601 instants).
enum JSONResponse {
    static func make<Value: Encodable>(_ value: Value, status: HTTPResponse.Status = .ok, location: String? = nil) throws -> Response {
        let data = try JSONEncoder.api.encode(value)
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let location { headers[.location] = location }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Reads query parameters with the same kind of messages as body fields, and refuses unknown
/// ones so that a typo ('stauts=active') is not silently ignored.
struct QueryReader {
    let parameters: Hummingbird.Parameters
    let allowed: Set<String>

    init(_ parameters: Hummingbird.Parameters, allowed: Set<String>) {
        self.parameters = parameters
        self.allowed = allowed
    }

    func rejectUnknown() throws(APIError) {
        for (key, value) in parameters where !allowed.contains(String(key)) {
            throw .badQuery(parameter: TextLimit.quoted(String(key)), value: TextLimit.quoted(String(value)), expected: "one of the parameters \(allowed.sorted().joined(separator: ", "))")
        }
        for (key, value) in parameters where TextLimit.firstControlCharacter(in: String(value), allowingLineBreaks: false) != nil {
            throw .badQuery(parameter: String(key), value: TextLimit.quoted(String(value)), expected: "printable text, without control characters")
        }
    }

    func text(_ key: String) -> String? {
        guard let value = parameters.get(key) else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    func integer(_ key: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let text = text(key) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw .badQuery(parameter: key, value: text, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func parsed<Value>(_ key: String, expected: String, _ parse: (String) throws -> Value) throws(APIError) -> Value? {
        guard let text = text(key) else { return nil }
        do {
            return try parse(text)
        } catch {
            throw .badQuery(parameter: key, value: text, expected: expected)
        }
    }
}

/// A path segment as sent: the router hands it over still percent-encoded. A control character
/// (a NUL would cut a lookup short in the database) is refused.
func pathParameter(_ name: String, _ context: GapTrackRequestContext) throws(APIError) -> String {
    let segment = context.parameters.get(name) ?? ""
    let text = segment.removingPercentEncoding ?? segment
    if TextLimit.firstControlCharacter(in: text, allowingLineBreaks: false) != nil {
        throw .badQuery(parameter: name, value: TextLimit.quoted(text), expected: "printable text, without control characters")
    }
    return text
}
