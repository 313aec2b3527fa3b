import Foundation
import GapTrackService
import GapTrackStore
import HummingbirdTesting
import Postgres
import Testing

/// Attendance marks and assessment results are checked by the same rules through the CSV
/// imports and through POST /v1/attendance-marks and /v1/assessment-results: the same bad value
/// gets the same message (the CSV names the column, the API the JSON path).
@Suite struct MarkAndResultDoorsTests {
    /// A case: the column, its bad value as a CSV field, and as the JSON value a client sends.
    typealias Case = (column: String, csv: String, json: Any)

    /// Sends each case through the import of `kind` and as one item of the API's `list`, and
    /// compares the messages.
    static func compare(
        _ kind: ImportKind, base: [(column: String, value: String)], cases: [Case], uri: String, list: String,
        conninfo: String, token: String, client: some TestClientProtocol
    ) async throws {
        for example in cases {
            let imported = try #require(
                try CSVDoor.importing(kind, CSVDoor.row(base, example.column, example.csv), conninfo: conninfo),
                "\(kind.rawValue) \(example.column) '\(example.csv)' was imported")
            #expect(imported.column == example.column)
            #expect(imported.message.contains("'\(example.csv)'"), "\(imported.message) quotes the value")
            var item: [String: Any] = Dictionary(uniqueKeysWithValues: base.map { ($0.column, $0.value as Any) })
            item[example.column] = example.json
            let posted = try await client.call(.post, uri, token: token, json: json([list: [item]]))
            #expect(posted.status == .unprocessableContent, "\(posted.text)")
            #expect(CSVDoor.problems(posted) == ["\(list)[0].\(example.column)": imported.message], "\(uri) \(example.column)")
        }
    }

    /// The two schools' fixture and the service, with a data lead's token for school-a.
    static func withService(
        _ body: @escaping @Sendable (String, TwoProviders, String, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let token = try fixture.token("school-a", .dataLead)
            let (app, _) = makeApplication(conninfo: conninfo)
            try await app.test(.live) { client in try await body(conninfo, fixture, token, client) }
        }
    }

    @Test func attendanceMarksGetTheSameMessagesFromTheImportAndTheAPI() async throws {
        try await Self.withService { conninfo, fixture, token, client in
            let base: [(column: String, value: String)] = [
                ("student", fixture.studentA), ("date", "2025-01-06"), ("session", "AM"), ("code", "/"),
            ]
            try await Self.compare(
                .attendance, base: base,
                cases: [("date", "2025-02-30", "2025-02-30"), ("date", "2045-01-09", "2045-01-09"), ("session", "XM", "XM"),
                        ("code", "ZZ", "ZZ")],
                uri: "/v1/attendance-marks", list: "marks", conninfo: conninfo, token: token, client: client)
            let outside = try #require(try CSVDoor.importing(.attendance, CSVDoor.row(base, "date", "2045-01-09"), conninfo: conninfo))
            #expect(outside.message == "'2045-01-09' is outside the academic years gaptrack holds (2010/11 to 2040/41)")
            let session = try #require(try CSVDoor.importing(.attendance, CSVDoor.row(base, "session", "XM"), conninfo: conninfo))
            #expect(session.message == "'XM' is not a session; expected AM or PM")
        }
    }

    @Test func assessmentResultsGetTheSameMessagesFromTheImportAndTheAPI() async throws {
        try await Self.withService { conninfo, fixture, token, client in
            let base: [(column: String, value: String)] = [
                ("student", fixture.studentA), ("subject", "maths"), ("assessment", "Spring mock"), ("scale", "gcse"),
                ("academic_year", "2024/25"), ("term", "spring"), ("date", "2025-02-10"), ("result", "5"),
            ]
            try await Self.compare(
                .assessments, base: base,
                cases: [("scale", "shoe size", "shoe size"), ("academic_year", "2050/51", "2050/51"), ("term", "winter", "winter"),
                        ("date", "2025-13-01", "2025-13-01"), ("date", "2025-09-10", "2025-09-10"), ("result", "10", "10")],
                uri: "/v1/assessment-results", list: "results", conninfo: conninfo, token: token, client: client)
            let term = try #require(try CSVDoor.importing(.assessments, CSVDoor.row(base, "term", "winter"), conninfo: conninfo))
            #expect(term.message == "'winter' is not a term; expected autumn, spring or summer")
            let year = try #require(try CSVDoor.importing(.assessments, CSVDoor.row(base, "date", "2025-09-10"), conninfo: conninfo))
            #expect(year.message == "'2025-09-10' is not in academic year 2024/25 (01/08/2024 to 31/07/2025)")

            // The spellings the import accepts are accepted by the API as well.
            let imported = try CSVDoor.importing(
                .assessments, CSVDoor.row(CSVDoor.row(base, "scale", "gcse 9-1"), "term", "T2"), conninfo: conninfo)
            #expect(imported == nil, "\(imported.map(\.message) ?? "")")
            var item: [String: Any] = Dictionary(uniqueKeysWithValues: base.map { ($0.column, $0.value as Any) })
            item["scale"] = "gcse 9-1"
            item["term"] = "T2"
            item["assessment"] = "API mock"
            let posted = try await client.call(.post, "/v1/assessment-results", token: token, json: json(["results": [item]]))
            #expect(posted.status == .ok, "\(posted.text)")
        }
    }
}
