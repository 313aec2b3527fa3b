import Foundation
import GapTrackDomain
import GapTrackService
import GapTrackStore
import HummingbirdTesting
import Postgres
import Testing

/// The service's input edge refuses what it cannot store faithfully: control characters, text
/// over its limit (counted in Unicode scalars, as the imports count), other content types,
/// duplicate keys and amounts beyond the database's columns; and it answers HEAD, percent-
/// encoded ids and an unhealthy /health as HTTP says it should.
// Serialized: each test opens a pool of its own, and the private cluster's connections are few.
@Suite(.serialized) struct StrictInputEdgeTests {
    /// How many support records school-a holds, read past the service.
    static func supportCount(_ conninfo: String) throws -> Int {
        try PostgresConnection(conninfo: conninfo)
            .query("SELECT count(*)::int AS n FROM support_records r JOIN providers p USING (provider_id) WHERE p.code = 'school-a'")
            .rows[0].decode("n")
    }

    /// A new support record of school-a's first student; its id.
    static func createRecord(_ client: some TestClientProtocol, _ fixture: TwoProviders, _ token: String, reference: String) async throws -> Int {
        let created = try await client.call(.post, "/v1/support-records", token: token, json: json([
            "student": fixture.studentA, "type": "tutoring", "start_date": "2025-02-03", "reference": reference,
        ]))
        #expect(created.status == .created, "\(created.text)")
        return try #require(created.object["id"] as? Int)
    }

    @Test func aNULOrOtherControlCharacterIsRefusedWith400NamingTheField() async throws {
        try await MarkAndResultDoorsTests.withService { conninfo, fixture, token, client in
            let before = try Self.supportCount(conninfo)
            // Stored, a NUL after a real identifier would match the student by the prefix.
            let nul = try await client.call(.post, "/v1/support-records", token: token, json: json([
                "student": fixture.studentA + "\u{0}junk", "type": "tutoring", "start_date": "2025-02-03",
            ]))
            #expect(nul.status == .badRequest, "\(nul.text)")
            #expect(nul.errorMessage?.contains("'student'") == true, "\(nul.text)")
            #expect(nul.errorMessage?.contains("U+0000") == true, "\(nul.text)")
            let escape = try await client.call(.post, "/v1/support-records", token: token, json: json([
                "student": fixture.studentA, "type": "tutoring", "start_date": "2025-02-03", "staff": "Ms\u{1B}[31m Smith",
            ]))
            #expect(escape.status == .badRequest)
            #expect(escape.errorMessage?.contains("'staff'") == true, "\(escape.text)")
            // A tab is a control character in a one-line field, but not in the intended outcome.
            let tab = try await client.call(.post, "/v1/support-records", token: token, json: json([
                "student": fixture.studentA, "type": "tutoring", "start_date": "2025-02-03", "reference": "A\tB",
            ]))
            #expect(tab.status == .badRequest)
            #expect(tab.errorMessage?.contains("'reference'") == true, "\(tab.text)")
            let nested = try await client.call(.post, "/v1/attendance-marks", token: token, json: json([
                "marks": [["student": fixture.studentA + "\u{0}", "date": "2025-02-03", "session": "AM", "code": "/"]],
            ]))
            #expect(nested.status == .badRequest)
            #expect(nested.errorMessage?.contains("'marks[0].student'") == true, "\(nested.text)")
            #expect(try Self.supportCount(conninfo) == before)
            // In a path or a query, a NUL would cut the lookup short the same way.
            for uri in ["/v1/students/\(fixture.studentA)%00junk/timeline", "/v1/support-records?student=\(fixture.studentA)%00junk"] {
                let answer = try await client.call(.get, uri, token: token)
                #expect(answer.status == .badRequest, "\(uri): \(answer.text)")
                #expect(answer.errorMessage?.contains("control characters") == true, "\(uri): \(answer.text)")
            }

            let lines = try await client.call(.post, "/v1/support-records", token: token, json: json([
                "student": fixture.studentA, "type": "tutoring", "start_date": "2025-02-03", "reference": "LINES",
                "intended_outcome": "Read fluently.\r\n\tThen write.",
            ]))
            #expect(lines.status == .created, "\(lines.text)")
            #expect(lines.object["intended_outcome"] as? String == "Read fluently.\r\n\tThen write.")
        }
    }

    @Test func textLimitsCountUnicodeScalarsTheSameAsTheImport() async throws {
        try await MarkAndResultDoorsTests.withService { conninfo, fixture, token, client in
            // One grapheme cluster of 251 scalars: an "e" and 250 combining acute accents.
            let staff = "e" + String(repeating: "\u{0301}", count: 250)
            #expect(staff.count == 1)
            let long = try await client.call(.post, "/v1/support-records", token: token, json: json([
                "student": fixture.studentA, "type": "tutoring", "start_date": "2025-02-03", "staff": staff,
            ]))
            #expect(long.status == .unprocessableContent, "\(long.text)")
            let message = try #require(CSVDoor.problems(long)["staff"])
            #expect(message.hasPrefix("is 251 characters long"))
            #expect(message.contains("at most 200 are accepted"))
            // Only a short prefix of the value is quoted back.
            #expect(message.unicodeScalars.count < 150, "\(message)")

            let fits = try await client.call(.post, "/v1/support-records", token: token, json: json([
                "student": fixture.studentA, "type": "tutoring", "start_date": "2025-02-03",
                "staff": "e" + String(repeating: "\u{0301}", count: 199), "reference": "FITS",
            ]))
            #expect(fits.status == .created, "\(fits.text)")

            let csv = try #require(try CSVDoor.importing(.support, [
                ("reference", "CSV-LONG"), ("student", fixture.studentA), ("type", "tutoring"), ("start_date", "2025-02-03"),
                ("staff", staff),
            ], conninfo: conninfo))
            #expect(csv.column == "staff")
            #expect(csv.message == message)
        }
    }

    @Test func onlyApplicationJSONIsAccepted() async throws {
        try await MarkAndResultDoorsTests.withService { conninfo, fixture, token, client in
            let body = json(["student": fixture.studentA, "type": "tutoring", "start_date": "2025-02-03"])
            for refused in ["application/jsonxyz", "application/json-patch+json", "text/json", "application/json; charset=latin1"] {
                let answer = try await client.call(.post, "/v1/support-records", token: token, json: body, contentType: refused)
                #expect(answer.status == .unsupportedMediaType, "\(refused): \(answer.text)")
                #expect(answer.errorCode == "unsupported_media_type")
            }
            for (serial, accepted) in ["application/json", "Application/JSON; charset=UTF-8", "application/json;charset=utf-8"].enumerated() {
                let answer = try await client.call(.post, "/v1/support-records", token: token, json: json([
                    "student": fixture.studentA, "type": "tutoring", "start_date": "2025-02-03", "reference": "CT-\(serial)",
                ]), contentType: accepted)
                #expect(answer.status == .created, "\(accepted): \(answer.text)")
            }
        }
    }

    @Test func aKeyGivenTwiceIsRefusedWith400NamingIt() async throws {
        try await MarkAndResultDoorsTests.withService { conninfo, fixture, token, client in
            let before = try Self.supportCount(conninfo)
            let top = try await client.call(.post, "/v1/support-records", token: token, json: """
                {"student": "\(fixture.studentA)", "type": "tutoring", "start_date": "2025-02-03", "type": "mentoring"}
                """)
            #expect(top.status == .badRequest, "\(top.text)")
            #expect(top.errorMessage?.contains("'type' appears twice") == true, "\(top.text)")
            // Spelt with an escape, the key is the same key.
            let escaped = try await client.call(.post, "/v1/support-records", token: token, json: """
                {"student": "\(fixture.studentA)", "type": "tutoring", "start_date": "2025-02-03", "\\u0073taff": "A", "staff": "B"}
                """)
            #expect(escaped.status == .badRequest, "\(escaped.text)")
            #expect(escaped.errorMessage?.contains("'staff' appears twice") == true, "\(escaped.text)")
            let nested = try await client.call(.post, "/v1/attendance-marks", token: token, json: """
                {"marks": [{"student": "\(fixture.studentA)", "date": "2025-02-03", "session": "AM", "code": "/", "code": "N"}]}
                """)
            #expect(nested.status == .badRequest)
            #expect(nested.errorMessage?.contains("'code' appears twice") == true, "\(nested.text)")
            // The same key in two objects, and a value that looks like a key, are fine.
            let fine = try await client.call(.post, "/v1/attendance-marks", token: token, json: """
                {"marks": [{"student": "\(fixture.studentA)", "date": "2025-02-03", "session": "AM", "code": "/"},
                           {"student": "\(fixture.studentA)", "date": "2025-02-03", "session": "PM", "code": "code"}]}
                """)
            #expect(fine.status == .unprocessableContent, "\(fine.text)")
            #expect(CSVDoor.problems(fine)["marks[1].code"] != nil, "\(fine.text)")
            #expect(try Self.supportCount(conninfo) == before)
        }
    }

    @Test func numbersBeyondTheColumnsAreRefusedNamingTheFieldAndTheMaximum() async throws {
        try await MarkAndResultDoorsTests.withService { conninfo, fixture, token, client in
            let cases: [(field: String, value: Any, maximum: String)] = [
                ("amount", "10000000000", "£9,999,999,999.99"), ("amount", 10_000_000_000, "£9,999,999,999.99"),
                ("hours", "1000000", "999999.99"), ("sessions", 1_000_000, "999999"),
            ]
            for (serial, example) in cases.enumerated() {
                let answer = try await client.call(.post, "/v1/support-records", token: token, json: json([
                    "student": fixture.studentA, "type": "tutoring", "start_date": "2025-02-03", "reference": "BIG-\(serial)",
                    example.field: example.value,
                ]))
                #expect(answer.status == .unprocessableContent, "\(example): \(answer.text)")
                let message = CSVDoor.problems(answer)[example.field]
                #expect(message?.contains(example.maximum) == true, "\(example): \(answer.text)")
                #expect(CSVDoor.problems(answer)["body"] == nil)
            }
            // The largest of each is stored exactly.
            let largest = try await client.call(.post, "/v1/support-records", token: token, json: json([
                "student": fixture.studentA, "type": "tutoring", "start_date": "2025-02-03", "reference": "LARGEST",
                "amount": "9999999999.99", "hours": "999999.99", "sessions": 999_999,
            ]))
            #expect(largest.status == .created, "\(largest.text)")
            let stored: String = try PostgresConnection(conninfo: conninfo)
                .query("SELECT amount::text || ' ' || hours::text || ' ' || sessions::text AS v FROM support_records WHERE reference = 'LARGEST'")
                .rows[0].decode("v")
            #expect(stored == "9999999999.99 999999.99 999999")

            let csv = try #require(try CSVDoor.importing(.support, [
                ("reference", "CSV-BIG"), ("student", fixture.studentA), ("type", "tutoring"), ("start_date", "2025-02-03"),
                ("amount", "10000000000"),
            ], conninfo: conninfo))
            #expect(csv.column == "amount")
            #expect(csv.message.contains("£9,999,999,999.99"))
        }
    }

    @Test func headAnswersLikeGetWithoutABody() async throws {
        try await MarkAndResultDoorsTests.withService { conninfo, fixture, token, client in
            let id = try await Self.createRecord(client, fixture, token, reference: "HEAD")
            for (uri, auth) in [
                ("/health", nil), ("/openapi.yaml", nil), ("/metrics", nil), ("/v1/support-records", token),
                ("/v1/support-records/\(id)", token), ("/v1/support-records/999999", token),
                ("/v1/students/\(fixture.studentA)/timeline", token), ("/v1/audit", nil),
            ] as [(String, String?)] {
                let get = try await client.call(.get, uri, token: auth)
                let head = try await client.call(.head, uri, token: auth)
                #expect(head.status == get.status, "\(uri): HEAD \(head.status), GET \(get.status)")
                #expect(head.headers[.contentType] == get.headers[.contentType], "\(uri)")
                #expect(head.body.readableBytes == 0, "\(uri)")
                #expect(get.body.readableBytes > 0, "\(uri)")
            }
            #expect(try await client.call(.head, "/v1/support-records/\(id)", token: token).status == .ok)
        }
    }

    @Test func healthsServiceUnavailableSaysWhenToRetry() async throws {
            let (down, _) = makeApplication(conninfo: "host=/nonexistent dbname=nothing connect_timeout=1")
        try await down.test(.live) { client in
            let health = try await client.call(.get, "/health", token: nil)
            #expect(health.status == .serviceUnavailable)
            #expect(health.headers[.retryAfter] == "1")
        }
    }

    @Test func pathParametersArePercentDecoded() async throws {
        try await MarkAndResultDoorsTests.withService { conninfo, fixture, token, client in
            let id = try await Self.createRecord(client, fixture, token, reference: "PERCENT")
            let encoded = String(id).unicodeScalars.map { "%3" + String($0) }.joined()
            let shown = try await client.call(.get, "/v1/support-records/\(encoded)", token: token)
            #expect(shown.status == .ok, "\(encoded): \(shown.text)")
            #expect(shown.object["reference"] as? String == "PERCENT")
            let changed = try await client.call(.patch, "/v1/support-records/\(encoded)", token: token, json: json(["staff": "Mr Jones"]))
            #expect(changed.status == .ok, "\(changed.text)")
            #expect(changed.object["staff"] as? String == "Mr Jones")
            let ended = try await client.call(.post, "/v1/support-records/\(encoded)/end", token: token, json: json(["end_date": "2025-03-01"]))
            #expect(ended.status == .ok, "\(ended.text)")
            #expect(ended.object["status"] as? String == "ended")
            let encodedStudent = fixture.studentA.unicodeScalars.map { String(format: "%%%02X", $0.value) }.joined()
            let timeline = try await client.call(.get, "/v1/students/\(encodedStudent)/timeline", token: token)
            #expect(timeline.status == .ok, "\(timeline.text)")
        }
    }
}
