import Foundation
import GapTrackDomain
import GapTrackStore
import Hummingbird
import NIOCore

/// Reads request bodies: only JSON, only up to a limit, only known fields.
struct JSONBodyReader: Sendable {
    /// The largest body accepted, in bytes. Checked against Content-Length before reading, and
    /// again while reading (a chunked body has no length).
    let limit: Int

    /// The body as a JSON object whose keys are all in `fields`, so that a misspelt key
    /// ("ammount") is reported rather than silently ignored.
    func object(from request: Request, fields: Set<String>) async throws(APIError) -> [String: JSONValue] {
        let data = try await read(request)
        let object: [String: JSONValue]
        do {
            object = try StrictJSON.object(from: data)
        } catch {
            throw .malformedJSON(error.description)
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

}
