import Foundation
import GapTrackDomain
import GapTrackService
import GapTrackStore
import Hummingbird
import HummingbirdTesting
import Postgres
import Testing

/// "Exists but hidden from you" answers exactly as "does not exist" (docs/security.md, "No side
/// channels"): for a staff token, a restricted record it cannot see never causes a conflict, and
/// its id answers like an unknown one; ids cannot be counted.
@Suite struct SideChannelTests {
    /// What a client can tell apart in an answer: status, header fields and body, with the record
    /// ids in them replaced (and so the length, which counts the id's digits) and the date left out.
    static func shape(_ response: TestResponse, ids: [Int]) -> String {
        let headers = response.headers.filter { $0.name != .date && $0.name != .contentLength }
            .map { "\($0.name.canonicalName): \($0.value)" }.sorted()
        var text = "\(response.status.code) \(headers.joined(separator: "; ")) \(response.text)"
        for id in ids { text = text.replacingOccurrences(of: "\\b\(id)\\b", with: "ID", options: .regularExpression) }
        return text
    }

    static func records(_ conninfo: String, student: String, type: String, start: String) throws -> [(restricted: Bool, amount: String?)] {
        try PostgresConnection(conninfo: conninfo).query(
            """
            SELECT r.restricted, r.amount::text AS amount FROM support_records r JOIN students s USING (student_id)
            WHERE s.upn = $1 AND r.type = $2 AND r.starts_on = $3::date AND r.reference IS NULL ORDER BY r.restricted
            """, [student, type, start]
        ).rows.map { (try $0.decode("restricted"), try $0.decode("amount", as: String?.self)) }
    }

    @Test func aHiddenRecordWithTheSameStudentTypeAndDateIsAsIfThereWereNone() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let staff = try fixture.token("school-a", .staff)
            let dataLead = try fixture.token("school-a", .dataLead)
            let (app, _) = makeApplication(conninfo: conninfo)
            try await app.test(.live) { client in
                // The fixture's restricted housing support of restrictedStudentA, hidden from staff.
                func create(_ student: String, token: String) async throws -> TestResponse {
                    try await client.call(.post, "/v1/support-records", token: token, json: json([
                        "student": student, "type": "housing_support", "start_date": "2024-09-10", "amount": "80.00"]))
                }
                let overHidden = try await create(fixture.restrictedStudentA, token: staff)
                let overNothing = try await create(fixture.studentA, token: staff)
                #expect(overHidden.status == .created, "\(overHidden.text)")
                #expect(overNothing.status == .created, "\(overNothing.text)")
                let hiddenCase = try #require(overHidden.object["id"] as? Int)
                let emptyCase = try #require(overNothing.object["id"] as? Int)
                // The same answer in every part but the record's own values.
                let masked = { (response: TestResponse, id: Int, student: String) in
                    Self.shape(response, ids: [id]).replacingOccurrences(of: student, with: "STUDENT")
                        .replacingOccurrences(of: #""(created_at|updated_at)":"[^"]*""#, with: "", options: .regularExpression)
                }
                #expect(masked(overHidden, hiddenCase, fixture.restrictedStudentA) == masked(overNothing, emptyCase, fixture.studentA))
                #expect(overHidden.object["restricted"] as? Bool == false)

                // A duplicate the caller can see is still a conflict, naming the record.
                let again = try await create(fixture.restrictedStudentA, token: staff)
                #expect(again.status == .conflict, "\(again.text)")
                #expect(again.errorMessage?.contains("(id \(hiddenCase))") == true)
                // A data lead sees both kinds, so either is a duplicate for it.
                let byDataLead = try await create(fixture.restrictedStudentA, token: dataLead)
                #expect(byDataLead.status == .conflict, "\(byDataLead.text)")
            }
            let stored = try Self.records(conninfo, student: fixture.restrictedStudentA, type: "housing_support", start: "2024-09-10")
            #expect(stored.map(\.restricted) == [false, true])
            #expect(stored.map(\.amount) == ["80.00", "120.00"])
        }
    }

    @Test func aHiddenRecordsReferenceIsFreeForACallerWhoCannotSeeIt() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let staff = try fixture.token("school-a", .staff)
            let dataLead = try fixture.token("school-a", .dataLead)
            let (app, _) = makeApplication(conninfo: conninfo)
            try await app.test(.live) { client in
                func create(_ reference: String, token: String, restricted: Bool = false) async throws -> TestResponse {
                    try await client.call(.post, "/v1/support-records", token: token, json: json([
                        "reference": reference, "student": fixture.studentA, "type": "mentoring", "start_date": "2025-01-06",
                        "restricted": restricted]))
                }
                #expect(try await create("SAFE-7", token: dataLead, restricted: true).status == .created)
                #expect(try await create("SAFE-10", token: dataLead, restricted: true).status == .created)
                let overHidden = try await create("SAFE-7", token: staff)
                #expect(overHidden.status == .created, "\(overHidden.text)")
                let own = try #require(overHidden.object["id"] as? Int)
                let again = try await create("SAFE-7", token: staff)
                #expect(again.status == .conflict)
                #expect(again.errorMessage == "a support record with the same reference 'SAFE-7' already exists (id \(own)); change it with PATCH /v1/support-records/\(own)")

                // Changing a reference to a hidden record's is no conflict either.
                let other = try await create("SAFE-9", token: staff)
                let otherID = try #require(other.object["id"] as? Int)
                let renamed = try await client.call(.patch, "/v1/support-records/\(otherID)", token: staff, json: json(["reference": "SAFE-10"]))
                #expect(renamed.status == .ok, "\(renamed.text)")
                // ... while one to the caller's own visible record still is.
                let clash = try await client.call(.patch, "/v1/support-records/\(otherID)", token: staff, json: json(["reference": "SAFE-7"]))
                #expect(clash.status == .conflict, "\(clash.text)")
            }
        }
    }

    @Test func aHiddenRecordsIdAnswersExactlyLikeAnUnknownOne() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let staff = try fixture.token("school-a", .staff)
            let owner = try PostgresConnection(conninfo: conninfo)
            let hidden: Int = try owner.query(
                "SELECT support_id FROM support_records WHERE provider_id = $1 AND restricted", [fixture.a]).single().decode("support_id")
            let otherProviders: Int = try owner.query(
                "SELECT min(support_id) AS id FROM support_records WHERE provider_id = $1", [fixture.b]).single().decode("id")
            let unknown = 4_503_599_627_370_497
            #expect(try owner.query("SELECT count(*) AS n FROM support_records WHERE support_id = $1", [unknown]).single().decode("n", as: Int.self) == 0)
            let (app, _) = makeApplication(conninfo: conninfo)
            try await app.test(.live) { client in
                for (method, suffix, body) in [
                    (HTTPRequest.Method.get, "", nil), (.head, "", nil), (.patch, "", json(["staff": "Mr Jones"])),
                    (.post, "/end", json(["end_date": "2025-07-18"])),
                ] as [(HTTPRequest.Method, String, String?)] {
                    var answers: [String] = []
                    for id in [hidden, otherProviders, unknown] {
                        let response = try await client.call(method, "/v1/support-records/\(id)\(suffix)", token: staff, json: body)
                        #expect(response.status == .notFound, "\(method) \(id)\(suffix): \(response.text)")
                        answers.append(Self.shape(response, ids: [id]))
                    }
                    #expect(Set(answers).count == 1, "\(method) \(suffix): \(answers)")
                }
            }
            // Nothing was changed through the hidden id.
            let staffName: String? = try owner.query("SELECT staff FROM support_records WHERE support_id = $1", [hidden]).single().decode("staff")
            #expect(staffName == nil)
        }
    }

    @Test func newIdsAreRandomNotACount() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let staff = try fixture.token("school-a", .staff)
            let (app, _) = makeApplication(conninfo: conninfo)
            let ids = try await app.test(.live) { client -> [Int] in
                var ids: [Int] = []
                for day in 1...12 {
                    let created = try await client.call(.post, "/v1/support-records", token: staff, json: json([
                        "student": fixture.studentA, "type": "mentoring", "start_date": String(format: "2025-03-%02d", day)]))
                    #expect(created.status == .created, "\(created.text)")
                    ids.append(try #require(created.object["id"] as? Int))
                }
                return ids
            }
            #expect(Set(ids).count == 12)
            // Twelve ids in creation order are sorted one time in 12! (about 2 in a billion).
            #expect(ids != ids.sorted())
            #expect(ids.allSatisfy { $0 >= 1 && $0 <= 1 << 53 }, "every id is exact in a JSON number")
            #expect(ids.max()! - ids.min()! > 1 << 30, "spread over the whole range, not a block: \(ids)")
            #expect(zip(ids, ids.dropFirst()).allSatisfy { abs($1 - $0) > 1 })
        }
    }

    @Test func reimportingARecordThatIsNowRestrictedUpdatesItInsteadOfAddingATwin() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let row: [(column: String, value: String)] = [
                ("student", fixture.restrictedStudentA), ("type", "housing_support"), ("start_date", "2024-09-10"), ("amount", "150.00")]
            #expect(try CSVDoor.importing(.support, row, conninfo: conninfo) == nil)
            let stored = try Self.records(conninfo, student: fixture.restrictedStudentA, type: "housing_support", start: "2024-09-10")
            #expect(stored.map(\.restricted) == [true])
            #expect(stored.map(\.amount) == ["150.00"])
        }
    }
}
