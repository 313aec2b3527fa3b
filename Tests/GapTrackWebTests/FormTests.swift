import Foundation
import GapTrackWeb
import Testing

@Suite struct FormBodyTests {
    @Test func readsRepeatedNamesEscapesAndSpaces() {
        let form = FormBody(query: "pupil=A1&pupil=B2&pupil=A1&staff=Ms+O%27Neill&note=caf%C3%A9&empty=&bad=%ZZ")
        #expect(form.values("pupil") == ["A1", "B2"])
        #expect(form.value("staff") == "Ms O'Neill")
        #expect(form.value("note") == "café")
        #expect(form.value("empty") == nil)
        // A malformed escape is kept as typed.
        #expect(form.value("bad") == "%ZZ")
        #expect(form.value("missing") == nil)
    }

    @Test func queryTextEscapesEverythingButUnreservedCharacters() {
        #expect(URLText.query("2024/25-autumn") == "2024%2F25-autumn")
        #expect(URLText.query("a b&c=d") == "a%20b%26c%3Dd")
    }
}

@Suite struct PageRendererTests {
    /// What a person typed reaches the page as text, never as markup.
    @Test func escapesWhatItIsGiven() {
        let page = PageRenderer.shared.page(
            "message", title: "<b>Title</b>", chrome: nil,
            context: ["heading": "<script>alert(1)</script>", "message": "\"quoted\" & <i>"])
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!page.contains("<script>"))
        #expect(page.contains("&lt;b&gt;Title&lt;/b&gt; – gaptrack"))
        #expect(page.contains("<a class=\"skip\" href=\"#main\">Skip to main content</a>"))
        #expect(page.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"))
    }

    @Test func embedsAReportPageScopedToItsContainer() {
        let parts = PageRenderer.embeddable(
            reportPage: "<html><head><style>\n:root { --a: 1; }\nbody { margin: 0; }\nheader { x: y; }\n</style></head><body>\n<h1>R</h1></body></html>")
        #expect(parts.body == "\n<h1>R</h1>")
        #expect(parts.style.contains(".report { margin: 0; }") && parts.style.contains(".report header { x: y; }"))
        #expect(!parts.style.contains("\nbody {"))
    }
}
