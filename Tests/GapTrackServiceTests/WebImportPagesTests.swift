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

/// Uploading an import file in the web pages (docs/security.md §6, "Uploads"), over real HTTP on a
/// real server and database: the dry run's problems and counts, confirming by checksum, the size
/// limit, form tokens on both posts, and who may upload at all.
@Suite struct WebImportPagesTests {
    typealias Jar = WebPagesTests.Jar

    static let header = "upn,legal_surname,forename,date_of_birth,gender,academic_year,year_group,start_date"

    static func pupilsFile(_ serials: [Int], wrongCheckLetterAt bad: Int? = nil) -> String {
        ([header] + serials.map { serial in
            var upn = makeUPN(serial)
            if serial == bad { upn = (upn.first == "A" ? "B" : "A") + upn.dropFirst() }
            return "\(upn),Newpupil\(serial),Alex,2013-04-0\(1 + serial % 9),F,2024/25,7,2024-09-02"
        }).joined(separator: "\n") + "\n"
    }

    static let boundary = "----gaptrackTestBoundary7MA4YWxkTrZu0gW"

    static func multipart(token: String?, kind: String, fileName: String, content: String, skipInvalid: Bool = false) -> String {
        var fields: [(String, String?, String)] = [("kind", nil, kind), ("preset", nil, ""), ("file", fileName, content)]
        if skipInvalid { fields.append(("skip_invalid", nil, "yes")) }
        if let token { fields.insert(("form_token", nil, token), at: 0) }
        return fields.map { name, file, value in
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"" + (file.map { "; filename=\"\($0)\"\r\nContent-Type: text/csv" } ?? "")
                + "\r\n\r\n\(value)\r\n"
        }.joined() + "--\(boundary)--\r\n"
    }

    static func upload(_ client: some TestClientProtocol, jar: inout Jar, token: String?, content: String, fileName: String = "pupils.csv",
                       skipInvalid: Bool = false) async throws -> TestResponse
    {
        var headers: HTTPFields = [.contentType: "multipart/form-data; boundary=\(boundary)"]
        headers[.cookie] = jar.header
        let response = try await client.executeRequest(
            uri: "/imports/check", method: .post, headers: headers,
            body: ByteBuffer(string: multipart(token: token, kind: "students", fileName: fileName, content: content, skipInvalid: skipInvalid)))
        jar.take(response)
        return response
    }

    static func hiddenChecksum(_ page: String) -> String? {
        guard let range = page.range(of: #"name="file" value="[0-9a-f]{64}""#, options: .regularExpression) else { return nil }
        return String(page[range].dropFirst(#"name="file" value=""#.count).dropLast())
    }

    static func counts(_ conninfo: String) throws -> (students: Int, imports: Int, uploads: Int) {
        let owner = try PostgresConnection(conninfo: conninfo)
        let row = try owner.query(
            "SELECT (SELECT count(*) FROM students) AS s, (SELECT count(*) FROM imports) AS i, (SELECT count(*) FROM web_uploads) AS u").single()
        return (try row.decode("s"), try row.decode("i"), try row.decode("u"))
    }

    @Test func aBadRowIsShownByLineAndColumnThenTheGoodFileIsConfirmedOnceAndAgainChangesNothingAndSkipInvalidLeavesBadRowsOut() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            try WebPagesTests.account(fixture, "lead@a.example", .dataLead)
            let before = try Self.counts(conninfo)
            try await WebPagesTests.application(conninfo).test(.live) { client in
                var jar = Jar()
                _ = try await WebPagesTests.signIn(client, email: "lead@a.example", jar: &jar)
                let form = try await WebPagesTests.send(client, .get, "/imports/new", jar: &jar)
                #expect(form.status == .ok && form.text.contains("Files up to 1 MB"))
                let token = try #require(WebPagesTests.formToken(form.text))

                // Serial 51 is the file's line 3 (the header is line 1).
                let bad = try await Self.upload(client, jar: &jar, token: token, content: Self.pupilsFile([50, 51, 52], wrongCheckLetterAt: 51))
                #expect(bad.status == .unprocessableContent)
                #expect(bad.text.contains("<th scope=\"row\">3</th><td data-label=\"Column\">upn</td>"))
                #expect(bad.text.contains("check letter"))
                #expect(Self.hiddenChecksum(bad.text) == nil)
                let afterBad = try Self.counts(conninfo)
                #expect(afterBad.students == before.students && afterBad.imports == before.imports)

                let good = try await Self.upload(client, jar: &jar, token: token, content: Self.pupilsFile([50, 51, 52]))
                #expect(good.status == .ok && good.text.contains("What the import would do"))
                #expect(good.text.contains("<dt>New</dt><dd>3</dd>"))
                let checksum = try #require(Self.hiddenChecksum(good.text))
                #expect(try Self.counts(conninfo).students == before.students)

                let confirmed = try await WebPagesTests.send(client, .post, "/imports/confirm", jar: &jar, form: "form_token=\(token)&file=\(checksum)")
                #expect(confirmed.status == .ok && confirmed.text.contains("3 new and 0 changed of 3 rows"))
                #expect(confirmed.text.contains("href=\"/pupils/\(makeUPN(50))\""))
                let afterConfirm = try Self.counts(conninfo)
                #expect(afterConfirm.students == before.students + 3 && afterConfirm.imports == before.imports + 1)

                // Confirming again: the ledger records it, the data do not change, and the page says so.
                let again = try await WebPagesTests.send(client, .post, "/imports/confirm", jar: &jar, form: "form_token=\(token)&file=\(checksum)")
                #expect(again.status == .ok && again.text.contains("Nothing changed") && again.text.contains("changed nothing"))
                #expect(try Self.counts(conninfo).students == afterConfirm.students)
                // Uploading it again is checked as unchanged, and names the earlier import.
                let reupload = try await Self.upload(client, jar: &jar, token: token, content: Self.pupilsFile([50, 51, 52]))
                #expect(reupload.text.contains("<dt>Unchanged</dt><dd>3</dd>") && reupload.text.contains("This file was imported before"))

                // With skip-invalid, the check names the bad row and leaves it out of the counts; confirming imports the rest.
                let skipping = try await Self.upload(
                    client, jar: &jar, token: token, content: Self.pupilsFile([70, 71, 72], wrongCheckLetterAt: 72), skipInvalid: true)
                // Serial 72 is line 4 (the header is line 1).
                #expect(skipping.status == .ok && skipping.text.contains("<th scope=\"row\">4</th><td data-label=\"Column\">upn</td>"))
                #expect(skipping.text.contains("<dt>New</dt><dd>2</dd>") && skipping.text.contains("<dt>Left out (invalid)</dt><dd>1</dd>"))
                let skippingChecksum = try #require(Self.hiddenChecksum(skipping.text))
                let skipped = try await WebPagesTests.send(client, .post, "/imports/confirm", jar: &jar, form: "form_token=\(token)&file=\(skippingChecksum)")
                #expect(skipped.status == .ok && skipped.text.contains("2 new and 0 changed of 3 rows"))
            }
            #expect(try Self.counts(conninfo).students == before.students + 5)
            let skipInvalid: Bool = try PostgresConnection(conninfo: conninfo).query(
                "SELECT skip_invalid FROM imports ORDER BY import_id DESC LIMIT 1").single().decode("skip_invalid")
            #expect(skipInvalid)
        }
    }

    /// An uploaded file holds pupils' data, so it is kept no longer than the session that checked
    /// it, and the audit log names it by checksum without copying its bytes.
    @Test func anUploadLeavesWithItsSessionAndItsBytesStayOutOfTheAuditLog() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            try WebPagesTests.account(fixture, "lead@a.example", .dataLead)
            let before = try Self.counts(conninfo)
            try await WebPagesTests.application(conninfo).test(.live) { client in
                let owner = try PostgresConnection(conninfo: conninfo)
                // Signed out: the session's upload goes with it.
                var jar = Jar()
                _ = try await WebPagesTests.signIn(client, email: "lead@a.example", jar: &jar)
                let form = try await WebPagesTests.send(client, .get, "/imports/new", jar: &jar)
                let token = try #require(WebPagesTests.formToken(form.text))
                let checked = try await Self.upload(client, jar: &jar, token: token, content: Self.pupilsFile([60, 61]))
                #expect(checked.status == .ok)
                let checksum = try #require(Self.hiddenChecksum(checked.text))
                #expect(try Self.counts(conninfo).uploads == before.uploads + 1)
                let audited: [String] = try owner.query(
                    "SELECT after::text AS after FROM audit_log WHERE table_name = 'web_uploads' AND action = 'insert' AND after->>'file_sha256' = $1",
                    [checksum]).rows.map { try $0.decode("after") }
                #expect(audited.count == 1 && audited.allSatisfy { $0.contains("pupils.csv") && !$0.contains("\"content\"") }, "\(audited)")
                let out = try await WebPagesTests.send(client, .post, "/sign-out", jar: &jar, form: "form_token=\(token)")
                #expect(out.status == .ok || out.status == .seeOther)
                #expect(try Self.counts(conninfo).uploads == before.uploads)

                // A session that ran out without being visited again: the next sign-in clears its upload.
                var second = Jar()
                _ = try await WebPagesTests.signIn(client, email: "lead@a.example", jar: &second)
                let secondForm = try await WebPagesTests.send(client, .get, "/imports/new", jar: &second)
                let secondToken = try #require(WebPagesTests.formToken(secondForm.text))
                let secondChecked = try await Self.upload(client, jar: &second, token: secondToken, content: Self.pupilsFile([62]))
                let secondChecksum = try #require(Self.hiddenChecksum(secondChecked.text))
                #expect(try Self.counts(conninfo).uploads == before.uploads + 1)
                try owner.query(
                    "UPDATE web_sessions SET expires_at = now() - interval '1 second' WHERE session_id = (SELECT session_id FROM web_uploads WHERE file_sha256 = $1)",
                    [secondChecksum])
                var third = Jar()
                _ = try await WebPagesTests.signIn(client, email: "lead@a.example", jar: &third)
                #expect(try Self.counts(conninfo).uploads == before.uploads)
                let deletions: [String] = try owner.query(
                    "SELECT before::text AS before FROM audit_log WHERE table_name = 'web_uploads' AND action = 'delete' AND before->>'file_sha256' IN ($1, $2)",
                    [checksum, secondChecksum]).rows.map { try $0.decode("before") }
                #expect(deletions.count == 2 && deletions.allSatisfy { !$0.contains("\"content\"") }, "\(deletions)")
            }
        }
    }

    @Test func aFileOverTheLimitIsRefusedWith413AndNothingIsKept() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            try WebPagesTests.account(fixture, "lead@a.example", .dataLead)
            var configuration = ServiceConfiguration(
                host: "127.0.0.1", port: 0, conninfo: try TestDatabase.asServiceLogin(conninfo), poolSize: 2, maximumBodyBytes: 4096)
            configuration.web = WebSettings()
            var logger = Logger(label: "gaptrack.web.test")
            logger.logLevel = .critical
            let before = try Self.counts(conninfo)
            try await buildApplication(ServiceDependencies(configuration: configuration), logger: logger).test(.live) { client in
                var jar = Jar()
                _ = try await WebPagesTests.signIn(client, email: "lead@a.example", jar: &jar)
                let form = try await WebPagesTests.send(client, .get, "/imports/new", jar: &jar)
                #expect(form.text.contains("Files up to 4 KB"))
                let token = try #require(WebPagesTests.formToken(form.text))
                let large = try await Self.upload(client, jar: &jar, token: token, content: Self.pupilsFile(Array(1...200)))
                #expect(large.status == .contentTooLarge)
                #expect(large.text.contains("larger than 4 KB"))
            }
            #expect(try Self.counts(conninfo).uploads == before.uploads)
        }
    }

    @Test func bothFormsNeedTheSessionsTokenAndOnlyADataLeadMayUpload() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            try WebPagesTests.account(fixture, "lead@a.example", .dataLead)
            try WebPagesTests.account(fixture, "staff@a.example", .staff)
            try WebPagesTests.account(fixture, "governor@a.example", .governor)
            let before = try Self.counts(conninfo)
            try await WebPagesTests.application(conninfo).test(.live) { client in
                var jar = Jar()
                _ = try await WebPagesTests.signIn(client, email: "lead@a.example", jar: &jar)
                let file = Self.pupilsFile([60])
                for token in [nil, String(repeating: "0", count: 64)] {
                    let refused = try await Self.upload(client, jar: &jar, token: token, content: file)
                    #expect(refused.status == .forbidden && refused.text.contains("This form was refused"))
                }
                let form = try await WebPagesTests.send(client, .get, "/imports/new", jar: &jar)
                let token = try #require(WebPagesTests.formToken(form.text))
                let checked = try await Self.upload(client, jar: &jar, token: token, content: file)
                let checksum = try #require(Self.hiddenChecksum(checked.text))
                let unsigned = try await WebPagesTests.send(client, .post, "/imports/confirm", jar: &jar, form: "file=\(checksum)")
                #expect(unsigned.status == .forbidden)
                // A checksum this session never checked (here, one letter changed) is not imported.
                let other = String(checksum.dropLast()) + (checksum.hasSuffix("a") ? "b" : "a")
                let unknown = try await WebPagesTests.send(client, .post, "/imports/confirm", jar: &jar, form: "form_token=\(token)&file=\(other)")
                #expect(unknown.status == .notFound && unknown.text.contains("no checked file"))
                #expect(try Self.counts(conninfo).students == before.students)

                for email in ["staff@a.example", "governor@a.example"] {
                    var other = Jar()
                    _ = try await WebPagesTests.signIn(client, email: email, jar: &other)
                    let page = try await WebPagesTests.send(client, .get, "/imports/new", jar: &other)
                    #expect(page.status == .notFound && !page.text.contains("Upload an import file"))
                    let home = try await WebPagesTests.send(client, .get, "/reports", jar: &other)
                    let ownToken = try #require(WebPagesTests.formToken(home.text))
                    let posted = try await Self.upload(client, jar: &other, token: ownToken, content: file)
                    #expect(posted.status == .notFound)
                    let confirmed = try await WebPagesTests.send(client, .post, "/imports/confirm", jar: &other, form: "form_token=\(ownToken)&file=\(checksum)")
                    #expect(confirmed.status == .notFound)
                }
            }
            let after = try Self.counts(conninfo)
            #expect(after.students == before.students && after.imports == before.imports && after.uploads == before.uploads + 1)
        }
    }
}
