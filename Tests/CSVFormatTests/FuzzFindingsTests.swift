import CSVFormat
import Testing

/// Inputs the libFuzzer harness (Fuzz/run.sh csv) found to break an invariant, kept so that the
/// fix stays in place.
@Suite struct FuzzFindingsTests {
    /// A first field that starts with U+FEFF was written bare, and read back without it: the
    /// reader takes those bytes at the start of a file for a byte order mark.
    @Test func aFieldStartingWithAByteOrderMarkSurvivesWritingAndReading() throws {
        let rows = [["\u{FEFF}nameo", "x"], ["\u{FEFF}", "\u{FEFF}"]]
        var writer = CSVWriter()
        writer.writeRows(rows)
        #expect(writer.string.hasPrefix("\"\u{FEFF}nameo\",x\n"))
        #expect(try CSVReader(bytes: writer.bytes).readAll().map(\.fields) == rows)
        var marked = CSVWriter(includeByteOrderMark: true)
        marked.writeRows(rows)
        #expect(try CSVReader(bytes: marked.bytes).readAll().map(\.fields) == rows)
        #expect(CSVWriter.needsQuoting("a\u{FEFF}") == false)
    }
}
