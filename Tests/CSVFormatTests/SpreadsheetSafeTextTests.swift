import CSVFormat
import Testing

@Suite("Spreadsheet-safe text (CSV formula injection)")
struct SpreadsheetSafeTextTests {
    @Test("text that starts a formula gets a leading quote", arguments: [
        "=HYPERLINK(\"http://example.invalid\",\"Open\")", "+SUM(A1:A9)", "-2+3", "@SUM(1)", "\t=1+1", "\r=1+1", "=", "-", "+", "@",
        "-0.42)", "-1e5", "--1", "-1.2.3", "- 1", "+.",
    ])
    func guarded(text: String) {
        #expect(SpreadsheetSafeText.needsGuard(text))
        #expect(SpreadsheetSafeText.cell(text) == "'" + text)
        #expect(!SpreadsheetSafeText.needsGuard(SpreadsheetSafeText.cell(text)))
    }

    @Test("numbers, negative ones included, are written as they are", arguments: [
        "-0.42", "-3", "+1.5", "0.00", "12345.7", "-.5", "7.",
    ])
    func numbers(text: String) {
        #expect(!SpreadsheetSafeText.needsGuard(text))
        #expect(SpreadsheetSafeText.cell(text) == text)
    }

    @Test("other text is written as it is", arguments: [
        "", "demo-academy", "St Mary's", "c", "2024/25-summer", "1-2", "a=b", " =1+1", "'=already quoted", "tutoring", "ab12ef",
    ])
    func plainText(text: String) {
        #expect(SpreadsheetSafeText.cell(text) == text)
    }

    @Test("the guard survives CSV quoting and reads back as the typed text after its quote")
    func throughTheWriter() throws {
        let hostile = "=HYPERLINK(\"http://example.invalid\",\"Open\")"
        let text = CSVWriter.document(header: ["provider", "value"], rows: [[hostile, "-0.42"]].map { $0.map(SpreadsheetSafeText.cell) })
        #expect(text == "provider,value\n\"'=HYPERLINK(\"\"http://example.invalid\"\",\"\"Open\"\")\",-0.42\n")
        let rows = try CSVReader(string: text).readAll()
        #expect(rows.last?.fields == ["'" + hostile, "-0.42"])
    }

    @Test("CSVWriter itself changes nothing: import files that gaptrack reads back keep their data")
    func writerLeavesDataAlone() throws {
        let fields = ["=not a formula here", "-0.42", "+44 20 7946 0000", "@handle"]
        let text = CSVWriter.document(header: ["a", "b", "c", "d"], rows: [fields])
        #expect(text == "a,b,c,d\n=not a formula here,-0.42,+44 20 7946 0000,@handle\n")
        #expect(try CSVReader(string: text).readAll().last?.fields == fields)
    }
}
