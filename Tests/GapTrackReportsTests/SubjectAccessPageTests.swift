import Foundation
import GapTrackReports
import Testing

/// The subject-access page (docs/data-protection.md §5): every section, values as a person reads
/// them, and nothing a name could inject.
@Suite struct SubjectAccessPageTests {
    @Test("true and 1 stay apart, text is escaped, empty sections say so, and unknown keys are still shown")
    func page() throws {
        let json = """
            {"format": "gaptrack subject access export, version 1",
             "provider": {"code": "st-marys", "name": "St Mary's", "kind": "school"},
             "student": {"forename": "<script>alert(1)</script>", "legal_surname": "O'Neil & Sons", "upn": "B801200005001"},
             "legal_hold": null, "enrolments": [], "markers": [{"marker": "fsm", "starts_on": "2024-09-01", "ends_on": null}],
             "attendance": {"summary": [], "marks": [], "replaced_marks": []}, "results": [],
             "support": [{"restricted": true, "sessions": 1, "amount": 250.50}], "support_spend": 250.50,
             "audit_entries": [], "imports": [], "something_new": {"held": true}}
            """
        let html = try SubjectAccessPage.render(json: Data(json.utf8))
        #expect(html.contains("<td>250.5</td><td>yes</td><td>1</td>"))
        #expect(!html.contains("<script>"))
        #expect(html.contains("<h1>Everything held on &lt;script&gt;alert(1)&lt;/script&gt; O&#39;Neil &amp; Sons</h1>"))
        #expect(html.contains("<h2>Enrolments</h2>\n<p>None held.</p>"))
        #expect(html.contains("<h2>Legal hold</h2>\n<p>None held.</p>"))
        #expect(html.contains("<h2>something_new</h2>") && html.contains("<th>held</th><td>yes</td>"))
        #expect(html.contains("<td>B801200005001</td>"))
    }
}
