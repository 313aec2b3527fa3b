import Foundation
import GapTrackDomain
import GapTrackService
import GapTrackStore
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import TestDatabase
import Testing

/// The web pages over real HTTP on a real server (the browser journeys are in Tests/BrowserTests):
/// cookies, form tokens, lockout, and sessions that outlive the server that opened them
/// (docs/security.md §6).
@Suite struct WebPagesTests {
    static let password = "a long enough passphrase"

    static func application(_ conninfo: String, web: WebSettings = WebSettings()) -> some ApplicationProtocol {
        var configuration = ServiceConfiguration(host: "127.0.0.1", port: 0, conninfo: try! TestDatabase.asServiceLogin(conninfo), poolSize: 2)
        configuration.web = web
        var logger = Logger(label: "gaptrack.web.test")
        logger.logLevel = .critical
        return buildApplication(ServiceDependencies(configuration: configuration), logger: logger)
    }

    static func account(_ fixture: TwoProviders, _ email: String, _ role: APIRole, provider: String = "school-a") throws {
        _ = try UserAccounts(connection: try PostgresConnection(conninfo: fixture.conninfo)).add(
            providerCode: try ProviderCode(parsing: provider), email: email, displayName: nil, role: role, password: password,
            actor: "test", cost: 4)
    }

    /// A browser's cookie jar, as far as these tests need one.
    struct Jar {
        var cookies: [String: String] = [:]

        mutating func take(_ response: TestResponse) {
            for header in response.headers[values: .setCookie] {
                let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                cookies[String(pair[0])] = pair.count > 1 ? String(pair[1]) : ""
            }
        }

        var header: String { cookies.filter { !$0.value.isEmpty }.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }
    }

    static func formToken(_ page: String) -> String? {
        guard let range = page.range(of: #"name="form_token" value="[^"]+""#, options: .regularExpression) else { return nil }
        return String(page[range].dropFirst(#"name="form_token" value=""#.count).dropLast())
    }

    static func send(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, jar: inout Jar, form: String? = nil)
        async throws -> TestResponse
    {
        var headers: HTTPFields = [:]
        if !jar.header.isEmpty { headers[.cookie] = jar.header }
        if form != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        let response = try await client.executeRequest(uri: uri, method: method, headers: headers, body: form.map { ByteBuffer(string: $0) })
        jar.take(response)
        return response
    }

    static func signIn(_ client: some TestClientProtocol, email: String, password: String = password, jar: inout Jar) async throws -> TestResponse {
        let page = try await send(client, .get, "/sign-in", jar: &jar)
        let token = try #require(formToken(page.text))
        let body = "form_token=\(token)&provider=school-a&email=\(email)&password=\(password.replacingOccurrences(of: " ", with: "+"))"
        return try await send(client, .post, "/sign-in", jar: &jar, form: body)
    }

    @Test func cookiesAreHttpOnlyAndSameSiteAndSecureWhenAskedFor() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            try Self.account(fixture, "lead@a.example", .dataLead)
            for secure in [false, true] {
                try await Self.application(conninfo, web: WebSettings(secureCookies: secure)).test(.live) { client in
                    var jar = Jar()
                    let signedIn = try await Self.signIn(client, email: "lead@a.example", jar: &jar)
                    #expect(signedIn.status == .seeOther && signedIn.headers[.location] == "/")
                    let session = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix("gt_session=") })
                    #expect(session.contains("HttpOnly") && session.contains("SameSite=Lax") && session.contains("Path=/"))
                    #expect(session.contains("Secure") == secure)
                    // Behind a proxy that says the request came over HTTPS, the cookie is Secure whatever the setting.
                    let proxied = try await client.executeRequest(
                        uri: "/sign-in", method: .get, headers: [.init("X-Forwarded-Proto")!: "https"], body: nil)
                    #expect(proxied.headers[values: .setCookie].allSatisfy { $0.contains("Secure") })
                    let home = try await Self.send(client, .get, "/pupils", jar: &jar)
                    #expect(home.status == .ok && home.text.contains("Find a pupil"))
                    #expect(home.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                    #expect(home.headers[.cacheControl] == "no-store")
                }
            }
        }
    }

    @Test func aPostWithoutTheSessionsFormTokenIsRefusedAndWritesNothing() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            try Self.account(fixture, "staff@a.example", .staff)
            let owner = try PostgresConnection(conninfo: conninfo)
            let before: Int = try owner.query("SELECT count(*) AS n FROM support_records").single().decode("n")
            try await Self.application(conninfo).test(.live) { client in
                var jar = Jar()
                _ = try await Self.signIn(client, email: "staff@a.example", jar: &jar)
                let fields = "pupil=\(fixture.studentA)&type=tutoring&start_date=2025-01-13"
                for body in [fields, fields + "&form_token=" + String(repeating: "0", count: 64)] {
                    let refused = try await Self.send(client, .post, "/support", jar: &jar, form: body)
                    #expect(refused.status == .forbidden)
                    #expect(refused.text.contains("This form was refused"))
                }
                // With the token, the same form records the support.
                let page = try await Self.send(client, .get, "/support/new", jar: &jar)
                let token = try #require(Self.formToken(page.text))
                let recorded = try await Self.send(client, .post, "/support", jar: &jar, form: fields + "&form_token=" + token)
                #expect(recorded.status == .ok && recorded.text.contains("1 record of tutoring recorded."))
                // A sign-in form without its cookie's token is refused too.
                var stranger = Jar()
                let forged = try await Self.send(
                    client, .post, "/sign-in", jar: &stranger, form: "form_token=x&provider=school-a&email=staff@a.example&password=x")
                #expect(forged.status == .forbidden)
            }
            let after: Int = try owner.query("SELECT count(*) AS n FROM support_records").single().decode("n")
            #expect(after == before + 1)
            // The record names the person, not a token.
            let actor: String = try owner.query(
                "SELECT actor FROM audit_log WHERE table_name = 'support_records' AND action = 'insert' ORDER BY audit_id DESC LIMIT 1"
            ).single().decode("actor")
            #expect(actor.hasPrefix("web:account:") && actor.hasSuffix("staff@a.example"))
        }
    }

    @Test func aFormLargerThanTheBodyLimitIsAnsweredWith413() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            _ = try TwoProviders.make(conninfo: conninfo)
            try await Self.application(conninfo).test(.live) { client in
                var jar = Jar()
                // Over the service's 1 MiB body limit, under Hummingbird's own 2 MiB: the page's limit answers.
                let response = try await Self.send(client, .post, "/sign-in", jar: &jar, form: "provider=" + String(repeating: "a", count: 1_500_000))
                #expect(response.status == .contentTooLarge)
                #expect(response.text.contains("That was too large"))
            }
        }
    }

    @Test func repeatedWrongPasswordsLockTheAccountWith429() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            try Self.account(fixture, "lead@a.example", .dataLead)
            try await Self.application(conninfo).test(.live) { client in
                var jar = Jar()
                for _ in 1...4 {
                    let wrong = try await Self.signIn(client, email: "lead@a.example", password: "not the password", jar: &jar)
                    #expect(wrong.status == .unauthorized && wrong.text.contains("is not right"))
                }
                let locked = try await Self.signIn(client, email: "lead@a.example", password: "not the password", jar: &jar)
                let lockedAt = ContinuousClock.now
                #expect(locked.status == .tooManyRequests)
                let retryAfter = try #require(locked.headers[.retryAfter].flatMap(Int.init))
                #expect((1...30).contains(retryAfter))
                // Even the right password waits while the lock lasts. On a loaded machine the next
                // request can arrive after the 30-second lock has ended; then it must get in.
                let right = try await Self.signIn(client, email: "lead@a.example", jar: &jar)
                let waited = ContinuousClock.now - lockedAt
                if waited < .seconds(retryAfter - 1) {
                    #expect(right.status == .tooManyRequests)
                } else if waited > .seconds(retryAfter + 1) {
                    #expect(right.status == .seeOther)
                }
            }
        }
    }

    @Test func aSessionOutlivesTheServerThatOpenedItUntilSignOut() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            try Self.account(fixture, "lead@a.example", .dataLead)
            let first = try await Self.application(conninfo).test(.live) { client -> Jar in
                var jar = Jar()
                _ = try await Self.signIn(client, email: "lead@a.example", jar: &jar)
                return jar
            }
            // Another server (a restart, or a second instance) knows the session.
            let beforeSignOut = try await Self.application(conninfo).test(.live) { client -> Jar in
                var jar = first
                let page = try await Self.send(client, .get, "/pupils/\(fixture.studentA)", jar: &jar)
                #expect(page.status == .ok && page.text.contains("Pupil2"))
                // Another provider's pupil: the same page as a pupil that does not exist.
                let other = try await Self.send(client, .get, "/pupils/\(fixture.studentB)", jar: &jar)
                let none = try await Self.send(client, .get, "/pupils/\(makeUPN(999))", jar: &jar)
                #expect(other.status == .notFound && none.status == .notFound && other.text == none.text)
                let token = try #require(Self.formToken(page.text))
                let kept = jar
                let out = try await Self.send(client, .post, "/sign-out", jar: &jar, form: "form_token=\(token)")
                #expect(out.status == .seeOther && out.headers[.location] == "/sign-in?signed-out=1")
                return kept
            }
            // The cookie from before the sign-out no longer opens anything.
            try await Self.application(conninfo).test(.live) { client in
                var jar = beforeSignOut
                #expect(jar.cookies["gt_session"]?.isEmpty == false)
                let after = try await Self.send(client, .get, "/pupils", jar: &jar)
                #expect(after.status == .seeOther && after.headers[.location] == "/sign-in")
            }
        }
    }
}
