import Foundation
import GapTrackDomain
import GapTrackService
import GapTrackStore
import Hummingbird
import HummingbirdTesting
import Postgres
import TestDatabase
import Testing

/// The target and the planned entry and exit assessments in the web pages' support forms
/// (docs/methodology.md §6.6): offered as choices, checked by the rules `import support` and the
/// API use (`SupportRecordRules.plan`), shown on the pupil's timeline and changed from it.
@Suite struct WebSupportPlanTests {
    typealias Web = WebPagesTests

    /// Maths and English assessments of school-a in the autumn and summer of 2024/25.
    static func assessmentPoints(_ fixture: TwoProviders) throws {
        let owner = try PostgresConnection(conninfo: fixture.conninfo)
        for (subject, name, term) in [("maths", "Autumn test", "autumn"), ("maths", "Summer test", "summer"), ("English", "Summer test", "summer")] {
            try owner.query(
                "INSERT INTO assessment_points (provider_id, subject, name, scale, academic_year, term) VALUES ($1, $2, $3, 'gcse', '2024/25', $4::term_name)",
                [fixture.a, subject, name, term])
        }
    }

    /// A form value as a browser encodes it.
    static func encoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text }

    static func plan(_ conninfo: String) throws -> [String?] {
        let row = try PostgresConnection(conninfo: conninfo).query(
            """
            SELECT target_kind::text AS kind, target_subject, entry_assessment, exit_assessment FROM support_records
            WHERE type = 'tutoring' AND starts_on = '2024-10-08'
            """).single()
        return [try row.decode("kind"), try row.decode("target_subject"), try row.decode("entry_assessment"), try row.decode("exit_assessment")]
    }

    static func supportCount(_ conninfo: String) throws -> Int {
        try PostgresConnection(conninfo: conninfo).query("SELECT count(*) AS n FROM support_records").single().decode("n")
    }

    /// A data lead of school-a signed in, with school-a's assessment points.
    static func signedIn(_ body: @escaping @Sendable (String, TwoProviders, any TestClientProtocol, inout Web.Jar) async throws -> Void) async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            try Web.account(fixture, "lead@a.example", .dataLead)
            try Self.assessmentPoints(fixture)
            try await Web.application(conninfo).test(.live) { client in
                var jar = Web.Jar()
                _ = try await Web.signIn(client, email: "lead@a.example", jar: &jar)
                try await body(conninfo, fixture, client, &jar)
            }
        }
    }

    @Test func theFormOffersTheTargetAndPlannedAssessmentsAndRefusesAPlanTheImportWouldRefuse() async throws {
        try await Self.signedIn { conninfo, fixture, client, jar in
        let page = try await Web.send(client, .get, "/support/new", jar: &jar)
        for choice in [#"<option value="maths">"#, #"<option value="attendance">"#, #"<option value="maths:Autumn test@2024/25-autumn">"#,
                       #"id="entry_assessment""#, #"id="exit_assessment""#] {
            #expect(page.text.contains(choice), "\(choice)")
        }
        let token = try #require(Web.formToken(page.text))
        let base = "form_token=\(token)&pupil=\(fixture.studentA)&type=tutoring&start_date=2024-10-08&target=maths"
        let entry = "&entry_assessment=" + Self.encoded("maths:Autumn test@2024/25-autumn")
        // An exit in another subject is refused, naming the field, and nothing is written.
        let before = try Self.supportCount(conninfo)
        let wrong = try await Web.send(
            client, .post, "/support", jar: &jar, form: base + entry + "&exit_assessment=" + Self.encoded("English:Summer test@2024/25-summer"))
        #expect(wrong.status == .unprocessableContent)
        #expect(wrong.text.contains("Exit assessment: ") && wrong.text.contains("the target is maths"), "\(wrong.text.prefix(4000))")
        #expect(try Self.supportCount(conninfo) == before)
        // An exit before the entry, likewise (the rule the import applies).
        let backwards = try await Web.send(
            client, .post, "/support", jar: &jar,
            form: base + "&entry_assessment=" + Self.encoded("maths:Summer test@2024/25-summer")
                + "&exit_assessment=" + Self.encoded("maths:Autumn test@2024/25-autumn"))
        #expect(backwards.status == .unprocessableContent && backwards.text.contains("is not after the entry assessment"))
        // A good plan is stored as the API stores it.
        let recorded = try await Web.send(
            client, .post, "/support", jar: &jar, form: base + entry + "&exit_assessment=" + Self.encoded("maths:Summer test@2024/25-summer"))
        #expect(recorded.status == .ok && recorded.text.contains("1 record of tutoring recorded."))
        #expect(try Self.plan(conninfo) == ["subject", "maths", "Autumn test", "Summer test"])
        }
    }

    @Test func theTimelineShowsTheTargetAndItsChangeFormChangesOrClearsIt() async throws {
        try await Self.signedIn { conninfo, fixture, client, jar in
        let form = try await Web.send(client, .get, "/support/new", jar: &jar)
        let token = try #require(Web.formToken(form.text))
        _ = try await Web.send(
            client, .post, "/support", jar: &jar,
            form: "form_token=\(token)&pupil=\(fixture.studentA)&type=tutoring&start_date=2024-10-08&target=maths")
        let id: Int = try PostgresConnection(conninfo: conninfo).query(
            "SELECT support_id FROM support_records WHERE type = 'tutoring' AND starts_on = '2024-10-08'").single().decode("support_id")
        let timeline = try await Web.send(client, .get, "/pupils/\(fixture.studentA)", jar: &jar)
        #expect(timeline.text.contains(#"<td data-label="Target">maths"#), "\(timeline.text.prefix(6000))")
        #expect(timeline.text.contains(#"id="target-\#(id)" name="target" value="maths""#))

        // The change form's boxes hold what is stored; an assessment target replaces the subject.
        let assessment = "maths:Summer test@2024/25-summer"
        let changed = try await Web.send(
            client, .post, "/support/\(id)/change", jar: &jar,
            form: "form_token=\(token)&hours=&target=\(Self.encoded(assessment))&entry_assessment="
                + Self.encoded("maths:Autumn test@2024/25-autumn") + "&exit_assessment=")
        #expect(changed.status == .seeOther)
        #expect(try Self.plan(conninfo) == ["assessment", "maths", "Autumn test", "Summer test"])
        let after = try await Web.send(client, .get, "/pupils/\(fixture.studentA)", jar: &jar)
        #expect(after.text.contains("maths (Summer test), 2024/25 summer"))
        // A plan the rules refuse changes nothing and names the field.
        let refused = try await Web.send(
            client, .post, "/support/\(id)/change", jar: &jar,
            form: "form_token=\(token)&target=attendance&entry_assessment=" + Self.encoded("maths:Autumn test@2024/25-autumn"))
        #expect(refused.status == .unprocessableContent && refused.text.contains("Entry assessment: "), "\(refused.text.prefix(3000))")
        #expect(try Self.plan(conninfo) == ["assessment", "maths", "Autumn test", "Summer test"])
        // Emptied boxes clear the plan: the support is then not judged.
        let cleared = try await Web.send(
            client, .post, "/support/\(id)/change", jar: &jar, form: "form_token=\(token)&target=&entry_assessment=&exit_assessment=")
        #expect(cleared.status == .seeOther)
        #expect(try Self.plan(conninfo) == [nil, nil, nil, nil])
        let untargeted = try await Web.send(client, .get, "/pupils/\(fixture.studentA)", jar: &jar)
        #expect(untargeted.text.contains("Not named: its impact is not judged"))
        }
    }
}