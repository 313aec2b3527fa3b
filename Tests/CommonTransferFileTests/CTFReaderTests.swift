@testable import CommonTransferFile
import Foundation
import GapTrackDomain
import Testing

/// Hand-written CTF snippets: each element read, each error with its path, malformed XML, and
/// the refusals that protect against hostile files.
struct CTFReaderTests {
    static let header = """
        <Header><DocumentName>Common Transfer File</DocumentName><CTFversion>25.0</CTFversion>
        <DateTime>2025-07-18T09:30:00</DateTime><DocumentQualifier>full</DocumentQualifier>
        <SourceSchool><LEA>801</LEA><Estab>2001</Estab><SchoolName>Oak Primary</SchoolName><AcademicYear>2024</AcademicYear></SourceSchool>
        <DestSchool><LEA>801</LEA><Estab>4001</Estab></DestSchool></Header>
        """

    static func file(_ pupils: String...) -> Data {
        Data("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CTfile>\n\(header)\n<CTFpupilData>\n\(pupils.joined(separator: "\n"))\n</CTFpupilData>\n</CTfile>\n".utf8)
    }

    static func pupil(upn: String = "B801200005001", dob: String = "2014-03-02", extra: String = "") -> String {
        "<Pupil><UPN>\(upn)</UPN><Surname>Okafor</Surname><Forename>Ada</Forename><DOB>\(dob)</DOB><Gender>F</Gender>\(extra)</Pupil>"
    }

    static let fullPupil = pupil(extra: """
        <BasicDetails><FormerUPN>M80120000500A</FormerUPN><NCyearActual>6</NCyearActual><Ethnicity>ABAN</Ethnicity>
          <Languages><Type><LanguageType>F</LanguageType><Language>BNG</Language></Type></Languages></BasicDetails>
        <FSMhistory><FSMreviewDate>2025-01-01</FSMreviewDate>
          <FSMinstance><FSMstartDate>2021-09-01</FSMstartDate><FSMendDate>2022-08-31</FSMendDate><UKCountry>ENG</UKCountry></FSMinstance>
          <FSMinstance><FSMstartDate>2023-01-10</FSMstartDate><UKCountry>ENG</UKCountry></FSMinstance></FSMhistory>
        <LookedAfter><InCare>true</InCare><CareAuthority>801</CareAuthority></LookedAfter>
        <SENhistory><SEN><StartDate>2022-09-01</StartDate><SENprovision>K</SENprovision></SEN>
          <SEN><StartDate>2024-01-15</StartDate><SENprovision>E</SENprovision></SEN></SENhistory>
        <Attendance><YearData><Year>2024</Year><SchoolLEA>801</SchoolLEA><SchoolEstab>2001</SchoolEstab>
          <SessionsPossible>380</SessionsPossible><SessionsAuthorised>12</SessionsAuthorised><SessionsUnauthorised>4</SessionsUnauthorised></YearData></Attendance>
        <StageAssessments><KeyStage><Stage>KS2</Stage>
          <StageAssessment><Year>2025</Year><Subject>ENG</Subject><Method>TT</Method><Component>RD</Component><Result>104</Result><ResultDate>2025-07-08</ResultDate></StageAssessment>
          <StageAssessment><Year>2025</Year><Subject>MAT</Subject><Method>TT</Method><Component>MAT</Component><Result>99</Result></StageAssessment>
          <StageAssessment><Year>2025</Year><Subject>ENG</Subject><Method>TT</Method><Component>GPS</Component><Result>111</Result></StageAssessment>
          <StageAssessment><Year>2025</Year><Subject>ENG</Subject><Method>TA</Method><Component>WR</Component><Result>EXS</Result></StageAssessment>
        </KeyStage></StageAssessments>
        <Address><Line1>1 Any Street</Line1></Address>
        <FavouriteColour>green</FavouriteColour>
        """)

    @Test func readsTheHeader() throws {
        let document = try CTFReader.read(Self.file(Self.pupil()))
        #expect(document.header.version == "25.0")
        #expect(document.header.madeOn == CalendarDate(year: 2025, month: 7, day: 18)!)
        #expect(document.header.sourceLA == "801")
        #expect(document.header.sourceEstab == "2001")
        #expect(document.header.sourceSchoolName == "Oak Primary")
        #expect(document.header.destinationLA == "801")
        #expect(document.header.destinationEstab == "4001")
        #expect(document.pupils.count == 1)
    }

    @Test func readsEveryElementOfAPupil() throws {
        let document = try CTFReader.read(Self.file(Self.fullPupil))
        let pupil = try #require(document.pupils.first)
        #expect(pupil.upn.value == "B801200005001")
        #expect(pupil.formerUPN?.value == "M80120000500A")
        #expect(pupil.formerUPN?.isTemporary == true)
        #expect(pupil.upn.isTemporary == false)
        #expect(pupil.surname == "Okafor" && pupil.forename == "Ada" && pupil.gender == "F")
        #expect(pupil.dateOfBirth == CalendarDate(year: 2014, month: 3, day: 2)!)
        #expect(pupil.ethnicity == "ABAN" && pupil.yearGroup == "6")
        #expect(pupil.firstLanguage == "BNG" && pupil.isEAL == true)
        #expect(pupil.fsmSpells.map(\.start.isoString) == ["2021-09-01", "2023-01-10"])
        #expect(pupil.fsmSpells.map { $0.end?.isoString } == ["2022-08-31", nil])
        #expect(pupil.fsmSpells.allSatisfy { $0.country == "ENG" })
        // The K spell has no end date: it lasts until the E spell starts.
        #expect(pupil.senSpells.map { "\($0.value!) \($0.start.isoString) \($0.end?.isoString ?? "-")" }
                == ["K 2022-09-01 2024-01-14", "E 2024-01-15 -"])
        #expect(pupil.inCare == true && pupil.careAuthority == "801")
        #expect(pupil.attendance.map { "\($0.path) \($0.year) \($0.sessionsPossible) \($0.sessionsAuthorised) \($0.sessionsUnauthorised)" }
                == ["CTfile/CTFpupilData/Pupil[1]/Attendance/YearData[1] 2024 380 12 4"])
        #expect(pupil.ks2Scores.map { "\($0.subject) \($0.score) \($0.academicYear) \($0.date.isoString)" } == [
            "reading 104 2024/25 2025-07-08", "maths 99 2024/25 2025-07-01", "grammar, punctuation and spelling 111 2024/25 2025-07-01",
        ])
        #expect(document.resultsNotRead == 1)
        // Address is defined by the specification and deliberately not read; FavouriteColour is not defined.
        #expect(document.undefinedElements == ["CTfile/CTFpupilData/Pupil/FavouriteColour"])
    }

    @Test func derivesEALFromTheFirstLanguage() throws {
        func eal(_ code: String) throws -> Bool? {
            let extra = "<BasicDetails><Languages><Type><LanguageType>F</LanguageType><Language>\(code)</Language></Type></Languages></BasicDetails>"
            return try CTFReader.read(Self.file(Self.pupil(extra: extra))).pupils[0].isEAL
        }
        #expect(try eal("ENG") == false)
        #expect(try eal("ENB") == false)
        #expect(try eal("POL") == true)
        #expect(try eal("OTB") == true)
        #expect(try eal("NOT") == nil)
        #expect(try eal("REF") == nil)
    }

    /// Each error names the element path, quotes the value and says what was expected.
    @Test(arguments: [
        ("<FSMhistory><FSMinstance><FSMstartDate>2021-09-01</FSMstartDate></FSMinstance><FSMinstance><FSMstartDate>2024-13-01</FSMstartDate></FSMinstance></FSMhistory>",
         "CTfile/CTFpupilData/Pupil[2]/FSMhistory/FSMinstance[2]/FSMstartDate", "'2024-13-01' is not valid; expected a date written YYYY-MM-DD"),
        ("<FSMhistory><FSMinstance><FSMstartDate>2021-09-01</FSMstartDate><FSMendDate>2021-08-01</FSMendDate></FSMinstance></FSMhistory>",
         "CTfile/CTFpupilData/Pupil[2]/FSMhistory/FSMinstance[1]/FSMendDate", "is before FSMstartDate"),
        ("<FSMhistory><FSMinstance><FSMstartDate>2021-09-01</FSMstartDate><UKCountry>FRA</UKCountry></FSMinstance></FSMhistory>",
         "CTfile/CTFpupilData/Pupil[2]/FSMhistory/FSMinstance[1]/UKCountry", "'FRA' is not valid; expected ENG, WLS, SCT or NIR"),
        ("<FSMhistory><FSMinstance><FSMstartDate>2021-09-01</FSMstartDate></FSMinstance><FSMinstance><FSMstartDate>2022-01-01</FSMstartDate></FSMinstance></FSMhistory>",
         "CTfile/CTFpupilData/Pupil[2]/FSMhistory/FSMinstance[2]", "overlaps"),
        ("<FSMhistory><FSMinstance><FSMendDate>2021-09-01</FSMendDate></FSMinstance></FSMhistory>",
         "CTfile/CTFpupilData/Pupil[2]/FSMhistory/FSMinstance[1]/FSMstartDate", "is missing"),
        ("<SENhistory><SEN><StartDate>2022-09-01</StartDate><SENprovision>S</SENprovision></SEN></SENhistory>",
         "CTfile/CTFpupilData/Pupil[2]/SENhistory/SEN[1]/SENprovision", "'S' is not valid; expected E (EHC plan), K (SEN support) or N"),
        ("<BasicDetails><FormerUPN>B801200005009</FormerUPN></BasicDetails>",
         "CTfile/CTFpupilData/Pupil[2]/BasicDetails/FormerUPN", "wrong check letter"),
        ("<BasicDetails><Languages><Type><LanguageType>F</LanguageType><Language>english</Language></Type></Languages></BasicDetails>",
         "CTfile/CTFpupilData/Pupil[2]/BasicDetails/Languages/Type[1]/Language", "'english' is not valid"),
        ("<LookedAfter><InCare>maybe</InCare></LookedAfter>",
         "CTfile/CTFpupilData/Pupil[2]/LookedAfter/InCare", "'maybe' is not valid; expected true or false"),
        ("<LookedAfter><InCare>true</InCare><CareAuthority>80</CareAuthority></LookedAfter>",
         "CTfile/CTFpupilData/Pupil[2]/LookedAfter/CareAuthority", "'80' is not valid; expected a three-digit local authority number"),
        ("<Attendance><YearData><Year>2024</Year><SessionsPossible>10</SessionsPossible><SessionsAuthorised>8</SessionsAuthorised><SessionsUnauthorised>4</SessionsUnauthorised></YearData></Attendance>",
         "CTfile/CTFpupilData/Pupil[2]/Attendance/YearData[1]", "add up to more than the 10 sessions possible"),
        ("<Attendance><YearData><Year>2024</Year><SessionsPossible>-3</SessionsPossible><SessionsAuthorised>0</SessionsAuthorised><SessionsUnauthorised>0</SessionsUnauthorised></YearData></Attendance>",
         "CTfile/CTFpupilData/Pupil[2]/Attendance/YearData[1]/SessionsPossible", "'-3' is not valid; expected a whole number of sessions"),
        ("<StageAssessments><KeyStage><Stage>KS2</Stage><StageAssessment><Year>2025</Year><Subject>MAT</Subject><Method>TT</Method><Component>MAT</Component><Result>140</Result></StageAssessment></KeyStage></StageAssessments>",
         "CTfile/CTFpupilData/Pupil[2]/StageAssessments/KeyStage[1]/StageAssessment[1]/Result", "'140' is not a KS2 scaled score; expected a whole number from 80 to 120"),
    ])
    func namesThePathOfABadElement(snippet: String, path: String, message: String) throws {
        let error = #expect(throws: CTFError.self) {
            try CTFReader.read(Self.file(Self.pupil(), Self.pupil(upn: "Q801200005002", extra: snippet)))
        }
        guard case .invalid(let problems) = error else {
            Issue.record("expected element problems, got \(String(describing: error))")
            return
        }
        #expect(problems.count == 1)
        #expect(problems.first?.path == path)
        #expect(problems.first?.message.contains(message) == true, "\(problems.first?.message ?? "")")
        #expect(problems.first.map { $0.line > 1 } == true)
    }

    @Test func aMissingRequiredElementIsAnError() throws {
        let noDOB = "<Pupil><UPN>B801200005001</UPN><Surname>Okafor</Surname><Forename>Ada</Forename><Gender>F</Gender></Pupil>"
        let error = #expect(throws: CTFError.self) { try CTFReader.read(Self.file(noDOB)) }
        guard case .invalid(let problems) = error else { Issue.record("expected problems"); return }
        #expect(problems.map(\.path) == ["CTfile/CTFpupilData/Pupil[1]/DOB"])
        #expect(problems[0].message.contains("is missing"))
    }

    @Test func quotesAtMostFortyCharactersOfAValue() throws {
        let long = String(repeating: "x", count: 300)
        let error = #expect(throws: CTFError.self) { try CTFReader.read(Self.file(Self.pupil(dob: long))) }
        guard case .invalid(let problems) = error else { Issue.record("expected problems"); return }
        #expect(problems[0].message.contains("'" + String(repeating: "x", count: 40) + "…'"))
        #expect(!problems[0].message.contains(String(repeating: "x", count: 41)))
    }

    @Test func theSameUPNTwiceIsAnError() throws {
        let error = #expect(throws: CTFError.self) { try CTFReader.read(Self.file(Self.pupil(), Self.pupil())) }
        guard case .invalid(let problems) = error else { Issue.record("expected problems"); return }
        #expect(problems.map(\.path) == ["CTfile/CTFpupilData/Pupil[2]"])
        #expect(problems[0].message.contains("CTfile/CTFpupilData/Pupil[1] also has"))
    }

    @Test func malformedXMLGivesTheParsersLineAndColumn() throws {
        let text = "<?xml version=\"1.0\"?>\n<CTfile>\n<Header>\n<CTFversion>25.0</CTFversio>\n</Header>\n</CTfile>\n"
        let error = #expect(throws: CTFError.self) { try CTFReader.read(Data(text.utf8)) }
        guard case .malformed(let line, let column, let reason) = error else { Issue.record("expected malformed, got \(String(describing: error))"); return }
        #expect(line == 4)
        #expect(column > 0)
        #expect(reason == "an end tag does not match the element it closes")
    }

    @Test func anotherRootElementIsNotACTF() throws {
        let error = #expect(throws: CTFError.self) { try CTFReader.read(Data("<Message><Header/></Message>".utf8)) }
        #expect(error == .notACommonTransferFile(root: "Message"))
    }

    /// Foundation's XMLParser on Linux crashed the process (a NULL strlen) on a processing
    /// instruction without data, `<?xm?>` in place of the XML declaration (found by Fuzz/run.sh
    /// ctf). A CTF has no processing instruction, so any but the declaration is refused, naming its
    /// line; a `<?` inside a comment or a CDATA section is text and is left alone.
    @Test func refusesProcessingInstructionsBeforeTheParserSeesThem() throws {
        let body = String(decoding: Self.file(Self.pupil()), as: UTF8.self)
        let withoutDeclaration = body.hasPrefix("<?xml") ? String(body[body.range(of: "?>")!.upperBound...]) : body
        #expect(throws: CTFError.processingInstruction(line: 1)) { try CTFReader.read(Data(("<?xm?>" + withoutDeclaration).utf8)) }
        #expect(throws: CTFError.processingInstruction(line: 2)) {
            try CTFReader.read(Data(("<?xml version=\"1.0\"?>\n<?target?>" + withoutDeclaration).utf8))
        }
        #expect(throws: CTFError.processingInstruction(line: 1)) {
            try CTFReader.read(Data(("<?xml-stylesheet href=\"a.xsl\"?>" + withoutDeclaration).utf8))
        }
        // An unclosed declaration hiding one (Fuzz/corpus/ctf/unclosed-declaration-hiding-a-processing-instruction.xml):
        // the crash the fuzzer found next.
        #expect(throws: CTFError.processingInstruction(line: 1)) {
            try CTFReader.read(Data(("<?xml version=\"1.0<x><?xm?>\n" + withoutDeclaration).utf8))
        }
        let found = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/corpus/ctf/unclosed-declaration-hiding-a-processing-instruction.xml")
        #expect(throws: CTFError.processingInstruction(line: 1)) { try CTFReader.read(try Data(contentsOf: found)) }
        // The declaration itself, and "<?" in a comment or CDATA, are not processing instructions.
        #expect(XMLTreeBuilder.processingInstructionLine(in: Data("<?xml version=\"1.0\"?><!-- <?x?> --><a><![CDATA[<?y?>]]></a>".utf8)) == nil)
        _ = try CTFReader.read(Data(body.utf8))
    }

    /// An external entity would read a file from the importing machine into the database; an
    /// internal one can expand exponentially. A CTF has no document type declaration, so any is refused.
    @Test func refusesEntitiesAndDocumentTypes() throws {
        let secret = FileManager.default.temporaryDirectory.appendingPathComponent("ctf-secret-\(UUID().uuidString).txt")
        try "TOPSECRET".write(to: secret, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: secret) }
        let external = """
            <?xml version="1.0"?>
            <!DOCTYPE CTfile [ <!ENTITY secret SYSTEM "file://\(secret.path)"> ]>
            <CTfile>\(Self.header)<CTFpupilData><Pupil><UPN>B801200005001</UPN><Surname>&secret;</Surname><Forename>Ada</Forename><DOB>2014-03-02</DOB><Gender>F</Gender></Pupil></CTFpupilData></CTfile>
            """
        #expect(throws: CTFError.documentTypeDeclaration(line: 2)) { try CTFReader.read(Data(external.utf8)) }
        let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>\n<CTfile>&lol2;</CTfile>"
        #expect(throws: CTFError.documentTypeDeclaration(line: 2)) { try CTFReader.read(Data(laughs.utf8)) }
        // An undeclared entity reference is simply not well-formed.
        let undeclared = String(decoding: Self.file(Self.pupil(extra: "<BasicDetails><Ethnicity>&secret;</Ethnicity></BasicDetails>")), as: UTF8.self)
        #expect(throws: CTFError.self) { try CTFReader.read(Data(undeclared.utf8)) }
    }

    /// Found by Fuzz/run.sh ctf: a byte that is not UTF-8 in an element name stopped the whole
    /// process inside Foundation's XMLParser. The file is refused first, naming where the byte is.
    @Test func refusesBytesThatAreNotUTF8BeforeParsing() throws {
        var bytes = Array(Self.file(Self.pupil()))
        let name = Array("<Surname>".utf8)
        let at = try #require((0...(bytes.count - name.count)).first { Array(bytes[$0..<($0 + name.count)]) == name })
        bytes.insert(0xD6, at: at + 4)  // <Sur\xD6name>
        let line = bytes[..<at].filter { $0 == 0x0A }.count + 1
        let lineStart = (bytes[..<at].lastIndex(of: 0x0A) ?? -1) + 1
        let column = String(decoding: bytes[lineStart..<(at + 4)], as: UTF8.self).unicodeScalars.count + 1
        #expect(throws: CTFError.notUTF8(line: line, column: column)) { try CTFReader.read(Data(bytes)) }
        // The same file in UTF-8 is read.
        #expect(try CTFReader.read(Self.file(Self.pupil())).pupils.count == 1)
    }

    @Test func refusesFilesOverTheLimits() throws {
        #expect(throws: CTFError.tooLarge(bytes: Self.file(Self.pupil()).count, limit: 100)) {
            try CTFReader.read(Self.file(Self.pupil()), limits: CTFLimits(maximumBytes: 100))
        }
        let deep = "<CTfile>" + String(repeating: "<a>", count: 40) + String(repeating: "</a>", count: 40) + "</CTfile>"
        let error = #expect(throws: CTFError.self) { try CTFReader.read(Data(deep.utf8)) }
        guard case .tooDeep(_, _, let limit) = error else { Issue.record("expected too deep"); return }
        #expect(limit == 32)
    }
}
