import GapTrackStore
import Hummingbird
import Postgres

/// The per-request context: Hummingbird's core storage plus the caller, once authenticated.
public struct GapTrackRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `TokenAuthentication` on every route under /v1; nil elsewhere.
    public var principal: Principal?
    /// The peer's IP address, for the web pages' per-address sign-in limit.
    public var remoteAddress: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.principal = nil
        self.remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The caller of a /v1 route. Routes outside /v1 never ask.
    func caller() throws(APIError) -> Principal {
        guard let principal else { throw .unauthenticated("this endpoint needs an API token") }
        return principal
    }
}

/// Checks `Authorization: Bearer <token>` against `api_tokens` (by SHA-256, through the
/// SECURITY DEFINER function `gaptrack_authenticate`, so the lookup needs no table rights) and
/// puts the caller in the context. A revoked token fails on its very next request: nothing is
/// cached.
struct TokenAuthentication: RouterMiddleware {
    typealias Context = GapTrackRequestContext
    let database: DatabasePool

    /// The shape of a token `gaptrack token create` makes: 'gtk_' then 43 base64url characters.
    static func looksLikeToken(_ text: Substring) -> Bool {
        text.hasPrefix("gtk_") && text.utf8.count == 47
            && text.utf8.dropFirst(4).allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthenticated(
                "send the header 'Authorization: Bearer <token>'; an admin creates tokens with 'gaptrack token create'")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthenticated("the Authorization header must be 'Bearer <token>'")
        }
        let presented = parts[1].trimmingCharacters(in: .whitespaces)
        guard Self.looksLikeToken(Substring(presented)) else {
            throw APIError.unauthenticated("the token is not in gaptrack's format ('gtk_' and 43 characters); check it was copied whole")
        }
        let found: Principal?
        do {
            found = try await database.run { connection -> Principal? in
                try APITokens(connection: connection).authenticate(presented).map { token in
                    switch token.scope {
                    case .provider(let id, let code):
                        Principal(tokenID: token.tokenID, providerID: id, providerCode: code, role: token.role, label: token.label)
                    case .group(let id, let code):
                        try Principal(groupToken: token, id: id, code: code)
                    }
                }
            }
        } catch let error as DatabasePoolError {
            throw APIError.fromPool(error)
        } catch let error as PostgresError {
            context.logger.error("token lookup failed: \(error)")
            throw APIError.from(error, reference: context.id)
        }
        guard let principal = found else {
            throw APIError.unauthenticated("the token is not recognised or has been revoked; ask an admin for a new one")
        }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "gaptrack.token"] = .stringConvertible(principal.tokenID)
        return try await next(request, context)
    }
}

extension APIError {
    static func fromPool(_ error: DatabasePoolError) -> APIError {
        switch error {
        case .overloaded: return .overloaded(error.description)
        case .unavailable, .deadlineExceeded, .shutDown: return .unavailable(error.description)
        }
    }
}
