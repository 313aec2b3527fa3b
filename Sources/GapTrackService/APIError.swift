import Foundation
import GapTrackStore
import Hummingbird
import Postgres

/// Everything the service answers with an error status. Each case is the caller's to fix (4xx)
/// except `unavailable` and `internalFailure`; the body always says what went wrong and what to
/// do, in the shape `{"error": {"status": 422, "code": "invalid_fields", "message": "...",
/// "problems": [...]}}` documented in openapi.yaml.
public enum APIError: Error, CustomStringConvertible, Sendable, Equatable {
    case malformedJSON(String)
    case invalidFields([FieldProblem])
    case badQuery(parameter: String, value: String, expected: String)
    case unauthenticated(String)
    case forbidden(String)
    case notFound(String)
    case conflict(String)
    case payloadTooLarge(limit: Int)
    case unsupportedMediaType(String?)
    case overloaded(String)
    case unavailable(String)
    case internalFailure(reference: String)

    public var status: HTTPResponse.Status {
        switch self {
        case .malformedJSON, .badQuery: return .badRequest
        case .invalidFields: return .unprocessableContent
        case .unauthenticated: return .unauthorized
        case .forbidden: return .forbidden
        case .notFound: return .notFound
        case .conflict: return .conflict
        case .payloadTooLarge: return .contentTooLarge
        case .unsupportedMediaType: return .unsupportedMediaType
        case .overloaded, .unavailable: return .serviceUnavailable
        case .internalFailure: return .internalServerError
        }
    }

    /// A stable, machine-readable name for the kind of error.
    public var code: String {
        switch self {
        case .malformedJSON: return "malformed_json"
        case .invalidFields: return "invalid_fields"
        case .badQuery: return "bad_query"
        case .unauthenticated: return "unauthenticated"
        case .forbidden: return "forbidden"
        case .notFound: return "not_found"
        case .conflict: return "conflict"
        case .payloadTooLarge: return "payload_too_large"
        case .unsupportedMediaType: return "unsupported_media_type"
        case .overloaded: return "overloaded"
        case .unavailable: return "unavailable"
        case .internalFailure: return "internal_error"
        }
    }

    public var description: String {
        switch self {
        case .malformedJSON(let reason):
            return "the request body is not the JSON expected: \(reason)"
        case .invalidFields(let problems):
            let count = problems.count
            return "\(count) field\(count == 1 ? " is" : "s are") not valid: "
                + problems.prefix(5).map(\.description).joined(separator: "; ")
                + (count > 5 ? "; and \(count - 5) more (see problems)" : "")
        case .badQuery(let parameter, let value, let expected):
            return "query parameter '\(parameter)' is '\(value)'; expected \(expected)"
        case .unauthenticated(let reason):
            return reason
        case .forbidden(let reason), .notFound(let reason), .conflict(let reason):
            return reason
        case .payloadTooLarge(let limit):
            return "the request body is larger than \(limit) bytes; send fewer records per request"
        case .unsupportedMediaType(let type):
            return "the request body must be JSON (Content-Type: application/json), not \(type.map { "'\($0)'" } ?? "an unnamed type")"
        case .overloaded(let reason), .unavailable(let reason):
            return reason
        case .internalFailure(let reference):
            return "the service failed to handle this request; the error is logged with reference \(reference)"
        }
    }

    var problems: [FieldProblem]? {
        if case .invalidFields(let problems) = self { return problems }
        return nil
    }
}

extension APIError: HTTPResponseError {
    struct Body: Encodable {
        struct Detail: Encodable {
            let status: Int
            let code: String
            let message: String
            let problems: [FieldProblem]?
        }
        let error: Detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(error: .init(status: status.code, code: code, message: description, problems: problems))
        let data = try JSONEncoder.api.encode(body)
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if case .unauthenticated = self { headers[.wwwAuthenticate] = "Bearer realm=\"gaptrack\"" }
        if status == .serviceUnavailable { headers[.retryAfter] = "1" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension APIError {
    /// Turns a database error into what the caller can act on. Constraint and permission failures
    /// are the caller's; anything else is logged and reported as an internal failure.
    static func from(_ error: PostgresError, reference: String) -> APIError {
        guard case .server(let server) = error else {
            return .unavailable("the database connection failed; retry shortly")
        }
        switch server.sqlState {
        case ServerError.Code.insufficientPrivilege:
            return .forbidden("this token may not change that record: it belongs to another provider, or is restricted")
        case ServerError.Code.uniqueViolation:
            return .conflict("a record with the same key already exists" + (server.detail.map { " (\($0))" } ?? ""))
        case ServerError.Code.foreignKeyViolation:
            return .invalidFields([FieldProblem(field: server.column ?? "body", value: nil, message: "refers to a record that does not exist")])
        case ServerError.Code.checkViolation, ServerError.Code.notNullViolation, ServerError.Code.exclusionViolation:
            return .invalidFields([FieldProblem(
                field: server.column ?? server.constraint ?? "body", value: nil,
                message: "breaks the rule '\(server.constraint ?? server.message)'" + (server.detail.map { ": \($0)" } ?? ""))])
        case let state where state.hasPrefix("22"):
            return .invalidFields([FieldProblem(field: server.column ?? "body", value: nil, message: server.message)])
        case ServerError.Code.queryCanceled:
            return .unavailable("the database took longer than the service's statement timeout to answer; nothing was changed; retry shortly")
        case ServerError.Code.lockNotAvailable:
            return .unavailable("the record is being changed by another request; nothing was changed; retry shortly")
        default:
            return .internalFailure(reference: reference)
        }
    }
}

extension JSONEncoder {
    /// Stable output: sorted keys, so that the same record always serialises the same way.
    static var api: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
