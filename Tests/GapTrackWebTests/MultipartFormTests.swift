import GapTrackWeb
import Testing

/// Reading a form with a file as Chromium sends it (RFC 7578).
@Suite struct MultipartFormTests {
    static let type = "multipart/form-data; boundary=----WebKitFormBoundaryAbC123"

    static func body(_ parts: [String]) -> [UInt8] {
        Array((parts.map { "------WebKitFormBoundaryAbC123\r\n" + $0 + "\r\n" }.joined() + "------WebKitFormBoundaryAbC123--\r\n").utf8)
    }

    @Test func fieldsAndAFileAreReadWithTheFilesBytesExactly() throws {
        let file = "upn,forename\r\nA123,Sam\n--not a boundary\r\n"
        let form = try MultipartForm(Self.body([
            "Content-Disposition: form-data; name=\"form_token\"\r\n\r\nabc",
            "Content-Disposition: form-data; name=\"file\"; filename=\"C:\\\\exports\\\\pupils.csv\"\r\nContent-Type: text/csv\r\n\r\n" + file,
            "Content-Disposition: form-data; name=\"kind\"\r\n\r\n students ",
        ]), contentType: Self.type)
        #expect(form.value("form_token") == "abc" && form.value("kind") == "students")
        let part = try #require(form.file("file"))
        // The folder a browser on Windows may send is dropped; the bytes are kept as sent, line ends and all.
        #expect(part.fileName == "pupils.csv" && part.content == Array(file.utf8))
        #expect(form.value("file") == nil && form.file("kind") == nil)
    }

    @Test func aFileNameMayHoldSemicolonsAndEscapedQuotes() throws {
        let form = try MultipartForm(Self.body([
            "Content-Disposition: form-data; name=\"file\"; filename=\"year 7; %22autumn%22.csv\"\r\n\r\nx",
        ]), contentType: Self.type)
        #expect(form.file("file")?.fileName == "year 7; \"autumn\".csv")
    }

    @Test func aFileFieldWithNoFileChosenIsNoFile() throws {
        let form = try MultipartForm(Self.body([
            "Content-Disposition: form-data; name=\"file\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n",
        ]), contentType: Self.type)
        #expect(form.file("file") == nil)
    }

    @Test func aBodyThatIsNotMultipartOrIsCutShortIsRefused() {
        #expect(throws: MultipartForm.Problem.notMultipart) { try MultipartForm(Array("a=b".utf8), contentType: "application/x-www-form-urlencoded") }
        let cut = Array(Self.body(["Content-Disposition: form-data; name=\"kind\"\r\n\r\nstudents"]).dropLast(40))
        #expect(throws: MultipartForm.Problem.malformed) { try MultipartForm(cut, contentType: Self.type) }
    }
}
