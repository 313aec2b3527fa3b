import CSVFormat
import Foundation
import Testing

/// The byte scanner is the one CSV parser: the reader's strings and the attendance import's
/// bytes come from the same records.
@Suite struct CSVByteScannerTests {
    static let tricky = "\u{FEFF}student,note\r\nA1,\"two\nlines, \"\"quoted\"\"\"\r\n\r\nB2,plain\rstill\nC3,\"\"\n"

    func scanned(_ text: String, skipBlankLines: Bool = true) throws -> [(line: Int, fields: [String], fieldLines: [Int])] {
        var records: [(line: Int, fields: [String], fieldLines: [Int])] = []
        try CSVByteScanner(bytes: Array(text.utf8), skipBlankLines: skipBlankLines).forEachRecord { line, fields, bytes, unescaped in
            records.append((line, fields.map { $0.string(in: bytes, unescaped: unescaped) }, fields.map(\.line)))
            return true
        }
        return records
    }

    @Test func recordsAndLinesMatchTheReader() throws {
        let records = try scanned(Self.tricky)
        #expect(records.map(\.line) == [1, 2, 5, 6])
        #expect(records.map(\.fields) == [
            ["student", "note"], ["A1", "two\nlines, \"quoted\""], ["B2", "plain\rstill"], ["C3", ""],
        ])
        #expect(records[1].fieldLines == [2, 2])
        let read = try CSVReader(string: Self.tricky).readAll()
        #expect(read.map(\.lineNumber) == records.map(\.line))
        #expect(read.map(\.fields) == records.map(\.fields))
        #expect(try scanned(Self.tricky, skipBlankLines: false).map(\.line) == [1, 2, 4, 5, 6])
    }

    @Test func stoppingEarlyAndErrorsNameTheirLine() throws {
        var seen = 0
        try CSVByteScanner(bytes: Array("a\nb\nc\n".utf8)).forEachRecord { _, _, _, _ in
            seen += 1
            return seen < 2
        }
        #expect(seen == 2)
        #expect(throws: CSVError.unterminatedQuote(line: 2)) { try scanned("a\nb,\"open\nstill open\n") }
        #expect(throws: CSVError.unexpectedCharacterAfterQuote(line: 1, character: "é")) { try scanned("\"x\"é,y\n") }
    }

    /// The attendance import reads 4 MB chunks; records that straddle a chunk come out whole.
    @Test func recordsAcrossChunkBoundariesComeOutWhole() throws {
        let lines = (0..<500).map { "S\($0),\"q\"\"\($0)\",2024-09-\(10 + $0 % 9)" }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("scanner-\(UUID().uuidString).csv")
        try (lines.joined(separator: "\r\n") + "\r\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        for chunkSize in [4, 7, 64, 1 << 20] {
            var fields: [[String]] = []
            try CSVByteScanner(path: file.path, chunkSize: chunkSize).forEachRecord { _, record, bytes, unescaped in
                fields.append(record.map { $0.string(in: bytes, unescaped: unescaped) })
                return true
            }
            #expect(fields.count == 500)
            #expect(fields[123] == ["S123", "q\"123", "2024-09-\(10 + 123 % 9)"], "chunk size \(chunkSize)")
        }
    }
}
