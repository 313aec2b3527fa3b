import Foundation
import GapTrackDomain
import GapTrackStore
import GapTrackWeb
import Hummingbird
import Postgres

/// The web pages for the people who record and read (docs/security.md, "People, sessions and
/// forms"): sign-in, finding a pupil, their timeline, recording support for one pupil or many, and
/// the reports. Every page runs its database work as the signed-in person exactly as the JSON API
/// runs a token's (`ScopedDatabase`: one transaction, the person's provider and role, row-level
/// security, the audit log naming the account), and checks what it is given by the same rules.
struct WebPages: Sendable {
    let dependencies: ServiceDependencies
    let pages = PageRenderer.shared

    /// The signed-in session: `<provider id>.<secret>` (`WebSessions.Cookie`).
    static let sessionCookie = "gt_session"
    /// The sign-in form's own token, before there is a session (a double-submitted cookie).
    static let signInCookie = "gt_sign_in"

    var settings: WebSettings { dependencies.configuration.web }

    func register(on router: Router<GapTrackRequestContext>) {
        router.get("/") { request, context in try await page(request, context) { try await home(request, context) } }
        router.get("sign-in") { request, context in try await page(request, context) { try await signInForm(request, context) } }
        router.post("sign-in") { request, context in try await page(request, context) { try await signIn(request, context) } }
        router.post("sign-out") { request, context in try await page(request, context) { try await signOut(request, context) } }
        WebPupilPages(web: self).register(on: router)
        WebSupportPages(web: self).register(on: router)
        WebReportPages(web: self).register(on: router)
        WebImportPages(web: self).register(on: router)
    }

    // MARK: - Who is asking

    /// A signed-in person, with what a page needs to act as them.
    struct Visitor: Sendable {
        let person: WebSessions.Person
        let principal: Principal
        let cookie: WebSessions.Cookie
    }

    /// What ends a page early: a redirect, or an answer with its own status (e.g. the 404 a
    /// governor gets for a pupil page).
    enum Interruption: Error {
        case redirect(String, clearSession: Bool = false)
        case page(Response)
    }

    /// The signed-in person, or a redirect to the sign-in page (saying why, when the session just
    /// ended).
    func visitor(_ request: Request, _ context: GapTrackRequestContext) async throws -> Visitor {
        guard let raw = request.cookies[Self.sessionCookie]?.value, let cookie = WebSessions.Cookie(raw) else {
            throw Interruption.redirect("/sign-in")
        }
        let idle = settings.idleLimit
        let lookup = try await runUnscoped { connection in try WebSessions(connection: connection).find(cookie, idleLimit: idle) }
        switch lookup {
        case .signedIn(let person):
            return Visitor(person: person, principal: try Principal(person: person), cookie: cookie)
        case .ended(let reason):
            throw Interruption.redirect("/sign-in?ended=" + URLText.query(reason), clearSession: true)
        case .none:
            throw Interruption.redirect("/sign-in", clearSession: true)
        }
    }

    /// The visitor of a POST, once its form token is the session's own; anything else is refused
    /// with 403 and a page saying why (docs/security.md, "Forms").
    func poster(_ request: Request, _ context: GapTrackRequestContext, form: FormBody) async throws -> Visitor {
        let visitor = try await visitor(request, context)
        guard let token = form.value("form_token"), Self.sameText(token, visitor.cookie.formToken) else {
            throw Interruption.page(refusedForm(visitor: visitor))
        }
        return visitor
    }

    func refusedForm(visitor: Visitor?) -> Response {
        html(
            "message", title: "Form refused", visitor: visitor, status: .forbidden,
            context: [
                "heading": "This form was refused",
                "message": "It did not carry this session's form token, so gaptrack cannot tell that it was sent from its own page. "
                    + "Nothing was saved. Go back, reload the page, and send the form again.",
                "link": ["href": "/", "label": "Back to gaptrack"],
            ])
    }

    /// Compares two tokens in time that does not depend on where they differ.
    static func sameText(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// Database work as the signed-in person: `ScopedDatabase`, the JSON API's own door.
    func run<Result: Sendable>(
        as visitor: Visitor, _ context: GapTrackRequestContext, isolation: ScopedDatabase.Isolation = .readCommitted,
        _ body: @escaping @Sendable (PostgresConnection) throws -> Result
    ) async throws -> Result {
        try await dependencies.database.run(as: visitor.principal, context: context, isolation: isolation, body)
    }

    /// Work before anyone is known (sign-in, session look-up), as the service's login, which may
    /// only call the SECURITY DEFINER functions of sql/functions/web_accounts.sql.
    func runUnscoped<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> Result) async throws -> Result {
        do {
            return try await dependencies.pool.run(body)
        } catch let error as DatabasePoolError {
            throw APIError.fromPool(error)
        }
    }

    // MARK: - Answers

    /// Runs a page, turning redirects, refusals and errors into HTML answers (never the API's JSON).
    func page(_ request: Request, _ context: GapTrackRequestContext, _ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let interruption as Interruption {
            switch interruption {
            case .redirect(let location, let clear):
                var response = Self.redirect(location)
                if clear { response.setCookie(expiredCookie(Self.sessionCookie, request)) }
                return response
            case .page(let response):
                return response
            }
        } catch let locked as SignInLocked {
            return lockedPage(locked)
        } catch let error as APIError {
            return html("message", title: "Problem", visitor: nil, status: error.status, context: [
                "heading": "That did not work", "message": error.description,
            ])
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            return html("message", title: "Too large", visitor: nil, status: .contentTooLarge, context: [
                "heading": "That was too large",
                "message": "The form sent more than \(dependencies.configuration.maximumBodyBytes) bytes, so nothing was read or saved.",
            ])
        } catch {
            context.logger.error("page failed", metadata: ["error": "\(error)", "reference": "\(context.id)"])
            let failure = APIError.internalFailure(reference: context.id)
            return html("message", title: "Problem", visitor: nil, status: failure.status, context: [
                "heading": "Something went wrong", "message": failure.description,
            ])
        }
    }

    /// A page in the layout, with the headers every page carries: no caching of a person's page, no
    /// script, style or frame from anywhere but the page itself (docs/security.md).
    func html(
        _ template: String, title: String, visitor: Visitor?, status: HTTPResponse.Status = .ok, current: String? = nil,
        context: [String: Any]
    ) -> Response {
        var chrome: [String: Any]?
        if let visitor {
            let person = visitor.person
            let links: [(String, String)] =
                person.role == .governor
                ? [("/reports", "Reports")]
                : [("/pupils", "Find a pupil"), ("/support/new", "Record support"), ("/reports", "Reports")]
                    + (person.role == .dataLead ? [("/imports/new", "Upload a file")] : [])
            chrome = [
                "displayName": person.displayName, "roleName": Self.roleName(person.role), "providerCode": person.providerCode,
                "formToken": visitor.cookie.formToken,
                "nav": links.map { ["href": $0.0, "label": $0.1, "current": $0.0 == current] as [String: Any] },
            ]
        }
        let text = pages.page(template, title: title, chrome: chrome, context: context)
        var headers = Self.pageHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static let pageHeaders: HTTPFields = [
        .cacheControl: "no-store",
        .contentSecurityPolicy:
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        .init("X-Content-Type-Options")!: "nosniff",
        .init("Referrer-Policy")!: "same-origin",
    ]

    static func redirect(_ location: String) -> Response {
        var headers = pageHeaders
        headers[.location] = location
        return Response(status: .seeOther, headers: headers)
    }

    static func roleName(_ role: APIRole) -> String {
        switch role {
        case .admin: "admin"
        case .dataLead: "data lead"
        case .staff: "staff"
        case .governor: "governor"
        }
    }

    /// `Secure` when the service is told it is served over HTTPS (`--secure-cookies`), or when the
    /// proxy in front says the request came over HTTPS (`X-Forwarded-Proto: https`): a forged header
    /// can only make a cookie stricter.
    func cookie(_ name: String, _ value: String, maxAge: Int?, _ request: Request) -> Cookie {
        let secure = settings.secureCookies || request.headers[Self.forwardedProto]?.lowercased() == "https"
        return Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    static let forwardedProto: HTTPFields.Element.Name = .init("X-Forwarded-Proto")!

    func expiredCookie(_ name: String, _ request: Request) -> Cookie {
        cookie(name, "", maxAge: 0, request)
    }

    /// A form body, read up to the service's body limit.
    func form(_ request: Request) async throws -> FormBody {
        let buffer = try await request.body.collect(upTo: dependencies.configuration.maximumBodyBytes)
        return FormBody(Array(buffer.readableBytesView))
    }

    /// The query string as a form.
    static func query(_ request: Request) -> FormBody {
        FormBody(query: request.uri.query ?? "")
    }

    /// The address a request came from, for the per-address sign-in limit and the session's
    /// record: the peer, or the client a trusted proxy names (`TrustedProxies`).
    func address(_ request: Request, _ context: GapTrackRequestContext) -> String {
        settings.trustedProxies.clientAddress(peer: context.remoteAddress, forwardedFor: request.headers[values: Self.forwardedFor]) ?? "unknown"
    }

    static let forwardedFor: HTTPFields.Element.Name = .init("X-Forwarded-For")!

    // MARK: - Home, sign-in, sign-out

    func home(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let visitor = try await visitor(request, context)
        return Self.redirect(visitor.person.role == .governor ? "/reports" : "/pupils")
    }

    func signInForm(_ request: Request, _ context: GapTrackRequestContext, errors: [FieldProblem] = [], status: HTTPResponse.Status = .ok,
                    provider: String = "", email: String = "", notice: String? = nil) async throws -> Response {
        var token = String(APITokens.generateToken().dropFirst(4))
        if let kept = request.cookies[Self.signInCookie]?.value, kept.utf8.count == token.utf8.count { token = kept }
        let query = Self.query(request)
        var shownNotice = notice
        if shownNotice == nil, let ended = query.value("ended") {
            shownNotice = switch ended {
            case "idle": "You were signed out because the page was left unused. Sign in again to carry on."
            case "expired": "Your session reached its time limit. Sign in again to carry on."
            case "account disabled": "This account has been disabled. Ask your data lead."
            default: "Your session ended. Sign in again to carry on."
            }
        }
        if shownNotice == nil, query.value("signed-out") != nil { shownNotice = "You have signed out." }
        var response = html("sign-in", title: "Sign in", visitor: nil, status: status, context: [
            "formToken": token, "provider": provider, "email": email, "notice": shownNotice ?? false,
            "hasErrors": !errors.isEmpty,
            "errors": errors.map { ["field": $0.field, "message": $0.message] },
        ])
        response.setCookie(cookie(Self.signInCookie, token, maxAge: 3600, request))
        return response
    }

    func signIn(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let form = try await form(request)
        guard let presented = form.value("form_token"), let expected = request.cookies[Self.signInCookie]?.value,
            Self.sameText(presented, expected)
        else {
            return refusedForm(visitor: nil)
        }
        let provider = form.value("provider") ?? ""
        let email = form.value("email") ?? ""
        let password = form.pairs.first(where: { $0.name == "password" })?.value ?? ""
        var problems: [FieldProblem] = []
        if provider.isEmpty { problems.append(FieldProblem(field: "provider", value: nil, message: "Enter your school, college or university code")) }
        if email.isEmpty { problems.append(FieldProblem(field: "email", value: nil, message: "Enter your email address")) }
        if password.isEmpty { problems.append(FieldProblem(field: "password", value: nil, message: "Enter your password")) }
        guard problems.isEmpty else {
            return try await signInForm(request, context, errors: problems, status: .unprocessableContent, provider: provider, email: email)
        }
        let address = address(request, context)
        let lifetime = settings.sessionLifetime
        let outcome = try await runUnscoped { connection -> WebSessions.Cookie? in
            switch try UserAccounts(connection: connection).checkSignIn(providerCode: provider, email: email, password: password, address: address) {
            case .accepted(let providerID, let accountID):
                return try WebSessions(connection: connection).open(providerID: providerID, accountID: accountID, address: address, lifetime: lifetime)
            case .refused:
                return nil
            case .locked(let seconds):
                throw SignInLocked(seconds: seconds)
            }
        }
        guard let session = outcome else {
            return try await signInForm(
                request, context,
                errors: [FieldProblem(field: "provider", value: nil, message: "The code, email address or password is not right")],
                status: .unauthorized, provider: provider, email: email)
        }
        var response = Self.redirect("/")
        response.setCookie(cookie(Self.sessionCookie, session.value, maxAge: Int(lifetime.components.seconds), request))
        response.setCookie(expiredCookie(Self.signInCookie, request))
        return response
    }

    func signOut(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let form = try await form(request)
        let visitor = try await poster(request, context, form: form)
        let cookie = visitor.cookie
        _ = try await runUnscoped { connection in try WebSessions(connection: connection).close(cookie) }
        var response = Self.redirect("/sign-in?signed-out=1")
        response.setCookie(expiredCookie(Self.sessionCookie, request))
        return response
    }
}

/// Too many failed sign-ins for the account or from the address.
struct SignInLocked: Error {
    let seconds: Int
}

extension WebPages {
    /// The locked answer is a page of its own, 429, saying how long to wait.
    func lockedPage(_ locked: SignInLocked) -> Response {
        let minutes = (locked.seconds + 59) / 60
        var response = html("message", title: "Too many attempts", visitor: nil, status: .tooManyRequests, context: [
            "heading": "Too many failed sign-ins",
            "message": "Signing in is paused for this account or this computer for \(minutes == 1 ? "a minute" : "\(minutes) minutes") "
                + "after repeated wrong passwords. Wait, then try again; your data lead can set a new password.",
            "link": ["href": "/sign-in", "label": "Back to sign in"],
        ])
        response.headers[.retryAfter] = String(max(1, locked.seconds))
        return response
    }
}
