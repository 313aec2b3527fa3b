import GapTrackService
import GapTrackStore
import Hummingbird
import HummingbirdTesting
import Postgres
import TestDatabase
import Testing

/// The client's address behind a reverse proxy (docs/security.md §6, "Failed sign-ins"): the
/// header is believed only from a trusted peer, and only as far as trusted hops reach.
@Suite struct TrustedProxiesTests {
    let proxies = try! TrustedProxies(parsing: ["10.0.0.5", "10.0.0.6,::1"])

    @Test func withoutATrustedPeerTheHeaderIsIgnored() throws {
        #expect(proxies.clientAddress(peer: "203.0.113.9", forwardedFor: ["198.51.100.7"]) == "203.0.113.9")
        #expect(TrustedProxies.none.clientAddress(peer: "10.0.0.5", forwardedFor: ["198.51.100.7"]) == "10.0.0.5")
        #expect(proxies.clientAddress(peer: nil, forwardedFor: ["198.51.100.7"]) == nil)
    }

    @Test func fromATrustedPeerTheRightmostUntrustedHopIsTheClient() throws {
        // The client forged the first entry; the proxy appended the address it really saw.
        #expect(proxies.clientAddress(peer: "10.0.0.5", forwardedFor: ["1.2.3.4, 198.51.100.7"]) == "198.51.100.7")
        // Two trusted proxies in a row: both skipped.
        #expect(proxies.clientAddress(peer: "10.0.0.5", forwardedFor: ["1.2.3.4", "198.51.100.7, 10.0.0.6"]) == "198.51.100.7")
        // IPv6, in another spelling of a trusted proxy and of the client.
        #expect(proxies.clientAddress(peer: "0:0:0:0:0:0:0:1", forwardedFor: ["2001:DB8::0001"]) == "2001:db8::1")
        // Every hop trusted, or no header: the last trusted hop stands.
        #expect(proxies.clientAddress(peer: "10.0.0.5", forwardedFor: ["10.0.0.6"]) == "10.0.0.6")
        #expect(proxies.clientAddress(peer: "10.0.0.5", forwardedFor: []) == "10.0.0.5")
    }

    @Test func garbageInTheHeaderNeverBecomesAnAddress() throws {
        #expect(proxies.clientAddress(peer: "10.0.0.5", forwardedFor: ["198.51.100.7, not-an-address"]) == "10.0.0.5")
        #expect(proxies.clientAddress(peer: "10.0.0.5", forwardedFor: ["198.51.100.7, 10.0.0.6, 999.1.1.1"]) == "10.0.0.5")
        #expect(proxies.clientAddress(peer: "10.0.0.5", forwardedFor: [String(repeating: "1", count: 500)]) == "10.0.0.5")
    }

    @Test func aProxyThatIsNotAnAddressIsRefusedByName() throws {
        #expect(throws: TrustedProxies.ParseError.notAnAddress("proxy.example")) { try TrustedProxies(parsing: ["10.0.0.5,proxy.example"]) }
        #expect(try TrustedProxies(parsing: [""]) == .none)
        #expect(try TrustedProxies(parsing: ["[::1]", " 127.0.0.1 "]).addresses == ["::1", "127.0.0.1"])
    }

    /// Over real HTTP: failed sign-ins through a trusted proxy are counted against the address the
    /// proxy names; without the proxy trusted, a forged header changes nothing.
    @Test func signInFailuresAreCountedAgainstTheClientTheTrustedProxyNames() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            try WebPagesTests.account(fixture, "lead@a.example", .dataLead)
            for (trusted, expected) in [(TrustedProxies.none, "127.0.0.1"), (try TrustedProxies(parsing: ["127.0.0.1"]), "198.51.100.7")] {
                try await WebPagesTests.application(conninfo, web: WebSettings(trustedProxies: trusted)).test(.live) { client in
                    var jar = WebPagesTests.Jar()
                    let page = try await WebPagesTests.send(client, .get, "/sign-in", jar: &jar)
                    let token = try #require(WebPagesTests.formToken(page.text))
                    var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .cookie: jar.header]
                    headers[.init("X-Forwarded-For")!] = "203.0.113.1, 198.51.100.7"
                    let refused = try await client.executeRequest(
                        uri: "/sign-in", method: .post, headers: headers,
                        body: ByteBuffer(string: "form_token=\(token)&provider=school-a&email=lead@a.example&password=wrong"))
                    #expect(refused.status == .unauthorized)
                }
                let owner = try PostgresConnection(conninfo: conninfo)
                let last: String = try owner.query(
                    "SELECT address FROM web_sign_in_attempts ORDER BY attempted_at DESC LIMIT 1").single().decode("address")
                #expect(last == expected)
            }
        }
    }
}
