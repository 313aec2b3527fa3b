import Foundation
import Testing
import CSVFormat

/// Reads every row of `text`, returning (line, fields) pairs.
private func rows(_ text: String, skipBlankLines: Bool = true) throws -> [(Int, [String])] {
    try CSVReader(string: text, skipBlankLines: skipBlankLines).readAll().map { ($0.lineNumber, $0.fields) }
}

private func rows(bytes: [UInt8]) throws -> [(Int, [String])] {
    try CSVReader(bytes: bytes).readAll().map { ($0.lineNumber, $0.fields) }
}

private func expectRows(_ actual: [(Int, [String])], _ expected: [(Int, [String])],
                        sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.map(\.0) == expected.map(\.0), "line numbers", sourceLocation: sourceLocation)
    #expect(actual.map(\.1) == expected.map(\.1), "fields", sourceLocation: sourceLocation)
}

/// A temporary file that is removed when the test ends.
struct TemporaryFile: ~Copyable {
    let path: String

    init(contents: [UInt8]) {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("csvformat-test-\(UUID().uuidString).csv").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(contents))
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

@Suite("CSV reader")
struct CSVReaderTests {
    @Test("plain records with LF line endings")
    func plain() throws {
        expectRows(try rows("upn,name\nB801200005001,Ada\nQ801200005002,Ben\n"),
                   [(1, ["upn", "name"]), (2, ["B801200005001", "Ada"]), (3, ["Q801200005002", "Ben"])])
    }

    @Test("a final line break is optional")
    func trailingNewline() throws {
        let with = try rows("a,b\n1,2\n")
        let without = try rows("a,b\n1,2")
        expectRows(with, [(1, ["a", "b"]), (2, ["1", "2"])])
        expectRows(without, [(1, ["a", "b"]), (2, ["1", "2"])])
    }

    @Test("CRLF line endings, with and without a final CRLF")
    func crlf() throws {
        expectRows(try rows("a,b\r\n1,2\r\n"), [(1, ["a", "b"]), (2, ["1", "2"])])
        expectRows(try rows("a,b\r\n1,2"), [(1, ["a", "b"]), (2, ["1", "2"])])
        expectRows(try rows("a,\"b\"\r\n\"1\",2\r\n"), [(1, ["a", "b"]), (2, ["1", "2"])])
        // A final CR on its own ends the record; a CR inside a field is kept.
        expectRows(try rows("a,b\r"), [(1, ["a", "b"])])
        expectRows(try rows("a\rb,c\n"), [(1, ["a\rb", "c"])])
    }

    @Test("empty fields")
    func emptyFields() throws {
        expectRows(try rows(",,\n"), [(1, ["", "", ""])])
        expectRows(try rows("a,\n"), [(1, ["a", ""])])
        expectRows(try rows("a,"), [(1, ["a", ""])])
        expectRows(try rows(",a"), [(1, ["", "a"])])
        expectRows(try rows("\"\",x\n"), [(1, ["", "x"])])
        expectRows(try rows("\"\"\n"), [(1, [""])]) // a quoted empty field is a record, not a blank line
    }

    @Test("quoted fields with commas, doubled quotes and line breaks keep physical line numbers")
    func quotedFields() throws {
        let text = "id,note,amount\n"
            + "1,\"Smith, Jo\",5\n"
            + "2,\"said \"\"hello\"\"\",6\n"
            + "3,\"first line\nsecond line\nthird line\",7\n"
            + "4,plain,8\n"
        expectRows(try rows(text), [
            (1, ["id", "note", "amount"]),
            (2, ["1", "Smith, Jo", "5"]),
            (3, ["2", "said \"hello\"", "6"]),
            (4, ["3", "first line\nsecond line\nthird line", "7"]),
            (7, ["4", "plain", "8"]),
        ])
        // CRLF inside a quoted field is kept as written and counts as one line break.
        expectRows(try rows("a,\"x\r\ny\"\r\nb,c\r\n"), [(1, ["a", "x\r\ny"]), (3, ["b", "c"])])
        // A field that is only a doubled quote, and one that starts with one.
        expectRows(try rows("\"\"\"\",\"\"\"a\"\n"), [(1, ["\"", "\"a"])])
    }

    @Test("a quote inside an unquoted field is an ordinary character")
    func bareQuote() throws {
        expectRows(try rows("5'10\",ok\n"), [(1, ["5'10\"", "ok"])])
    }

    @Test("a UTF-8 byte order mark at the start is skipped, anywhere else it is kept")
    func byteOrderMark() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        expectRows(try rows(bytes: bom + Array("UPN,Name\nx,y\n".utf8)), [(1, ["UPN", "Name"]), (2, ["x", "y"])])
        expectRows(try rows(bytes: bom), [])
        expectRows(try rows(bytes: Array("a,".utf8) + bom + Array("b\n".utf8)), [(1, ["a", "\u{FEFF}b"])])
    }

    @Test("blank lines are skipped but still counted")
    func blankLines() throws {
        expectRows(try rows("a,b\n\n1,2\r\n\r\n3,4\n\n"), [(1, ["a", "b"]), (3, ["1", "2"]), (5, ["3", "4"])])
        expectRows(try rows("a\n\nb\n", skipBlankLines: false), [(1, ["a"]), (2, [""]), (3, ["b"])])
        expectRows(try rows(""), [])
        expectRows(try rows("\n\n"), [])
    }

    @Test("non-ASCII text survives")
    func unicode() throws {
        expectRows(try rows("name,amount\nZoë Brontë,£1,234\n\"Łukasz 👩🏽‍🎓\",x\n"),
                   [(1, ["name", "amount"]), (2, ["Zoë Brontë", "£1", "234"]), (3, ["Łukasz 👩🏽‍🎓", "x"])])
    }

    @Test("an unterminated quote names the line where the quote opened")
    func unterminatedQuote() throws {
        let reader = CSVReader(string: "a,b\n1,2\n3,\"never closed\n4,5\n")
        #expect(try reader.nextRow()?.lineNumber == 1)
        #expect(try reader.nextRow()?.lineNumber == 2)
        #expect(throws: CSVError.unterminatedQuote(line: 3)) { try reader.nextRow() }
        #expect(CSVError.unterminatedQuote(line: 3).description.hasPrefix("line 3: "))
    }

    @Test("text after a closing quote is an error naming the line")
    func textAfterQuote() {
        #expect(throws: CSVError.unexpectedCharacterAfterQuote(line: 2, character: "x")) {
            try CSVReader(string: "a,b\n\"1\"x,2\n").readAll()
        }
        #expect(throws: CSVError.unexpectedCharacterAfterQuote(line: 3, character: "!")) {
            try CSVReader(string: "a\n\"multi\nline\"!\n").readAll()
        }
    }

    @Test("invalid UTF-8 is an error naming the line of the bad byte")
    func invalidUTF8() {
        let latin1Name: [UInt8] = Array("id,name\n1,Zo".utf8) + [0xEB] + Array("\n".utf8) // ë in Latin-1
        #expect(throws: CSVError.invalidUTF8(line: 2)) { try CSVReader(bytes: latin1Name).readAll() }
        let inQuotedField: [UInt8] = Array("id,note\n1,\"ok\nstill ok\nbad ".utf8) + [0xFF] + Array("\"\n".utf8)
        #expect(throws: CSVError.invalidUTF8(line: 4)) { try CSVReader(bytes: inQuotedField).readAll() }
        let truncatedSequence: [UInt8] = Array("a,".utf8) + [0xE2, 0x82] + Array("\n".utf8)
        #expect(throws: CSVError.invalidUTF8(line: 1)) { try CSVReader(bytes: truncatedSequence).readAll() }
    }

    @Test("UTF-8 is checked strictly: overlong forms, surrogates and code points above U+10FFFF are invalid",
          arguments: [[0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
                      [0xF5, 0x80, 0x80, 0x80], [0x80], [0xF0, 0x9F, 0x98]] as [[UInt8]])
    func strictUTF8(bad: [UInt8]) {
        #expect(throws: CSVError.invalidUTF8(line: 2)) { try CSVReader(bytes: Array("h\nx".utf8) + bad).readAll() }
    }

    @Test("the longest and edge-case valid sequences are accepted")
    func validUTF8Edges() throws {
        // U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFD, U+10000, U+10FFFF
        let text = "\u{80}\u{7FF},\u{800}\u{D7FF}\u{E000}\u{FFFD},\u{10000}\u{10FFFF}"
        expectRows(try rows(bytes: Array(text.utf8)), [(1, ["\u{80}\u{7FF}", "\u{800}\u{D7FF}\u{E000}\u{FFFD}", "\u{10000}\u{10FFFF}"])])
    }

    @Test("reading a file in small chunks gives the same rows as reading it whole", arguments: [4, 5, 6, 7, 11, 64, 1 << 20])
    func chunkBoundaries(chunkSize: Int) throws {
        // Every special sequence lands across a chunk boundary for some chunk size.
        let text = "\u{FEFF}id,\"note\",x\r\n1,\"a \"\"quoted\"\" word, and more\",y\r\n2,\"line one\r\nline two\nline three\",\r\n"
            + "3,Zoë,\"\"\"\"\n\n4,\"\",\"end\"\r\n5,last,z"
        let file = TemporaryFile(contents: Array(text.utf8))
        let expected = try rows(text)
        let reader = try CSVReader(path: file.path, chunkSize: chunkSize)
        let actual = try reader.readAll().map { ($0.lineNumber, $0.fields) }
        expectRows(actual, expected)
        expectRows(actual, [
            (1, ["id", "note", "x"]),
            (2, ["1", "a \"quoted\" word, and more", "y"]),
            (3, ["2", "line one\r\nline two\nline three", ""]),
            (6, ["3", "Zoë", "\""]),
            (8, ["4", "", "end"]),
            (9, ["5", "last", "z"]),
        ])
    }

    @Test("a record longer than a chunk is read whole")
    func longRecord() throws {
        let long = String(repeating: "abcdefghij", count: 1_000)
        let text = "a,\"\(long)\n\(long)\",b\nnext,row,here\n"
        let file = TemporaryFile(contents: Array(text.utf8))
        let rowsRead = try CSVReader(path: file.path, chunkSize: 16).readAll()
        #expect(rowsRead.count == 2)
        #expect(rowsRead[0].fields[1].utf8.count == 20_001)
        #expect(rowsRead[1].lineNumber == 3)
    }

    @Test("a missing file is a clear error")
    func missingFile() {
        #expect(throws: CSVError.cannotOpen(path: "/nonexistent/attendance.csv", reason: "no such file")) {
            try CSVReader(path: "/nonexistent/attendance.csv")
        }
    }

    @Test("forEachRow streams and stops on the body's error")
    func forEachRow() throws {
        struct Stop: Error {}
        var seen: [Int] = []
        #expect(throws: Stop.self) {
            try CSVReader(string: "a\nb\nc\n").forEachRow { row in
                seen.append(row.lineNumber)
                if row.lineNumber == 2 { throw Stop() }
            }
        }
        #expect(seen == [1, 2])
    }
}
