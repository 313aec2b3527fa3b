import CSVFormat
import Foundation
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

    /// A character of several bytes after a closing quote was named whole when the file was read
    /// at once, and as a broken '�' when a chunk boundary cut it.
    @Test func aCharacterAfterAClosingQuoteIsNamedWholeWhereverAChunkEnds() throws {
        let bytes: [UInt8] = Array("\"a\"".utf8) + [0xEF, 0xBB, 0xBF] + Array("x,y\n".utf8)
        let expected = CSVError.unexpectedCharacterAfterQuote(line: 1, character: "\u{FEFF}")
        #expect(throws: expected) { try CSVReader(bytes: bytes).readAll() }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-finding-\(UUID()).csv").path
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        defer { try? FileManager.default.removeItem(atPath: path) }
        for chunkSize in 4...9 {
            #expect(throws: expected, "chunks of \(chunkSize)") { try CSVReader(path: path, chunkSize: chunkSize).readAll() }
        }
    }
}
