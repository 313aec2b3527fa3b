import Foundation
import Testing
import CSVFormat
import struct GapStatistics.SplitMix64

@Suite("CSV tables with headers")
struct CSVTableTests {
    @Test("columns are looked up ignoring case and spaces")
    func lookup() throws {
        let table = try CSVTable(string: "\u{FEFF} UPN ,Date of Birth,FSM\nB801200005001,2015-03-04,Y\n")
        let record = try #require(table.records.first)
        #expect(record["upn"] == "B801200005001")
        #expect(record["DATE OF BIRTH"] == "2015-03-04")
        #expect(record["dateofbirth"] == "2015-03-04")
        #expect(record[" fsm "] == "Y")
        #expect(record["ethnicity"] == nil)
        #expect(record.lineNumber == 2)
        #expect(table.header.names == [" UPN ", "Date of Birth", "FSM"])
        #expect(try table.column("upn") == ["B801200005001"])
    }

    @Test("required and optional values")
    func values() throws {
        let table = try CSVTable(string: "upn,name,note\nB801200005001,  Ada ,\n")
        let record = try #require(table.records.first)
        #expect(try record.requiredValue("Name") == "Ada")
        #expect(record.optionalValue("note") == nil)
        #expect(record.optionalValue("absent column") == nil)
        #expect(throws: CSVError.emptyValue(column: "note", line: 2)) { try record.requiredValue("note") }
        #expect(throws: CSVError.missingColumns(["dob"], available: ["upn", "name", "note"])) { try record.requiredValue("dob") }
    }

    @Test("missing columns are listed together, with the columns found")
    func missingColumns() throws {
        let table = try CSVTable(string: "UPN,Name\n")
        #expect(table.records.isEmpty)
        #expect(throws: CSVError.missingColumns(["Date", "Code"], available: ["UPN", "Name"])) {
            try table.header.requireColumns(["upn", "Date", "Code"])
        }
        let message = CSVError.missingColumns(["Date", "Code"], available: ["UPN", "Name"]).description
        #expect(message == "the header is missing the columns 'Date', 'Code'; the columns found were 'UPN', 'Name'")
    }

    @Test("duplicate column names are rejected")
    func duplicateColumns() {
        #expect(throws: CSVError.duplicateColumn(name: "Upn", line: 1)) { try CSVTable(string: "UPN,Name,Upn\n") }
        #expect(throws: CSVError.duplicateColumn(name: "Date  of birth", line: 1)) {
            try CSVTable(string: "Date of birth,Date  of birth\n")
        }
    }

    @Test("a record with the wrong number of fields names its line")
    func wrongFieldCount() throws {
        let text = "upn,name\nB801200005001,\"Ada\nLovelace\"\nQ801200005002,Ben,extra\n"
        #expect(throws: CSVError.wrongFieldCount(line: 4, expected: 2, found: 3)) { try CSVTable(string: text) }
        let lenient = try CSVTable(string: text, requireMatchingFieldCount: false)
        #expect(lenient.records.map(\.lineNumber) == [2, 4])
        #expect(lenient.records[1][index: 2] == "extra")
    }

    @Test("an empty file has no header")
    func emptyFile() {
        #expect(throws: CSVError.missingHeader) { try CSVTable(string: "") }
        #expect(throws: CSVError.missingHeader) { try CSVTable(data: Data([0xEF, 0xBB, 0xBF])) }
    }

    @Test("streaming records from a file")
    func streaming() throws {
        let file = TemporaryFile(contents: Array("code,date\r\n/,2024-09-03\r\nN,2024-09-04\r\n".utf8))
        let reader = try CSVRecordReader(path: file.path)
        #expect(reader.header.names == ["code", "date"])
        var codes: [String] = []
        try reader.forEachRecord { codes.append($0["CODE"] ?? "?") }
        #expect(codes == ["/", "N"])
    }
}

@Suite("CSV writer")
struct CSVWriterTests {
    @Test("fields are quoted only when needed")
    func quoting() {
        #expect(CSVWriter.encodeField("plain") == "plain")
        #expect(CSVWriter.encodeField("") == "")
        #expect(CSVWriter.encodeField(" spaced ") == " spaced ")
        #expect(CSVWriter.encodeField("Smith, Jo") == "\"Smith, Jo\"")
        #expect(CSVWriter.encodeField("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVWriter.encodeField("two\nlines") == "\"two\nlines\"")
        #expect(CSVWriter.encodeField("cr\rhere") == "\"cr\rhere\"")
        #expect(CSVWriter.encodeField("£1,234.56") == "\"£1,234.56\"")
    }

    @Test("rows end with LF only")
    func lineEndings() {
        let text = CSVWriter.document(header: ["cohort", "gap"], rows: [["Year 11", "3.92"], ["Year 6", "c"]])
        #expect(text == "cohort,gap\nYear 11,3.92\nYear 6,c\n")
        #expect(!text.contains("\r"))
    }

    @Test("a row of one empty field is written as \"\" so it is not read back as a blank line")
    func singleEmptyField() throws {
        var writer = CSVWriter()
        writer.writeRow(["a"])
        writer.writeRow([""])
        writer.writeRow(["", ""])
        #expect(writer.string == "a\n\"\"\n,\n")
        let back = try CSVReader(string: writer.string).readAll().map(\.fields)
        #expect(back == [["a"], [""], ["", ""]])
    }

    @Test("the byte order mark is optional and off by default")
    func byteOrderMark() {
        #expect(CSVWriter().bytes.isEmpty)
        var writer = CSVWriter(includeByteOrderMark: true)
        writer.writeRow(["x"])
        #expect(writer.bytes == [0xEF, 0xBB, 0xBF, UInt8(ascii: "x"), UInt8(ascii: "\n")])
    }

    @Test("writing then reading gives the same rows")
    func roundTrip() throws {
        var generator = SplitMix64(seed: 42)
        let alphabet: [String] = ["a", "Z", "0", " ", ",", "\"", "\n", "\r\n", "é", "£", "👩🏽‍🎓", "\t", "'"]
        var rowsWritten: [[String]] = []
        for _ in 0..<500 {
            let fieldCount = Int(generator.next() % 5) + 2 // two or more fields, so no row is blank
            rowsWritten.append((0..<fieldCount).map { _ in
                (0..<Int(generator.next() % 6)).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }.joined()
            })
        }
        var writer = CSVWriter()
        writer.writeRows(rowsWritten)
        let back = try CSVReader(data: writer.data).readAll().map(\.fields)
        #expect(back == rowsWritten)
    }

    @Test("the file writer streams to disk and can be read back")
    func fileWriter() throws {
        let file = TemporaryFile(contents: [])
        let writer = try CSVFileWriter(path: file.path, bufferSize: 8)
        try writer.writeRow(["upn", "note"])
        for index in 0..<100 { try writer.writeRow(["B801200005001", "row \(index), with comma"]) }
        try writer.close()
        let table = try CSVTable(path: file.path)
        #expect(table.records.count == 100)
        #expect(table.records[99]["note"] == "row 99, with comma")
        #expect(table.records[99].lineNumber == 101)
    }

    @Test("a file that cannot be created is a clear error")
    func unwritable() {
        #expect(throws: CSVError.self) { try CSVFileWriter(path: "/nonexistent-folder/report.csv") }
    }
}
