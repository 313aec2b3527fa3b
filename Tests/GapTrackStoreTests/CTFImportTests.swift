import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// A temporary UPN for a test pupil: like `testUPN`, but ending in a letter.
func temporaryUPN(_ serial: Int) -> String {
    let letters = Array("ABCDEFGHJKLMNPQRTUVWXYZ")
    let body = "801" + "2000" + "24" + String(format: "%02d", serial % 100) + String(letters[serial % letters.count])
    return String(UPN.checkLetter(forCharacters2to13: Array(body))!) + body
}

/// A CTF file with the given `<Pupil>` elements, written to a fresh folder as transfer.xml.
func writeCTF(_ pupils: [String], madeOn: String = "2025-07-18") throws -> URL {
    let text = """
        <?xml version="1.0" encoding="UTF-8"?>
        <CTfile>
          <Header><DocumentName>Common Transfer File</DocumentName><CTFversion>25.0</CTFversion><DateTime>\(madeOn)T09:00:00</DateTime>
            <SourceSchool><LEA>801</LEA><Estab>2001</Estab></SourceSchool><DestSchool><LEA>801</LEA><Estab>4001</Estab></DestSchool></Header>
          <CTFpupilData>
        \(pupils.joined(separator: "\n"))
          </CTFpupilData>
        </CTfile>
        """
    return try writeCSV("transfer.xml", [text])
}

/// One `<Pupil>`: the required elements, then `extra`.
func ctfPupil(_ upn: String, surname: String = "Okafor", forename: String = "Ada", dob: String = "2013-03-02",
              extra: String = "") -> String {
    "<Pupil><UPN>\(upn)</UPN><Surname>\(surname)</Surname><Forename>\(forename)</Forename><DOB>\(dob)</DOB><Gender>F</Gender>\(extra)</Pupil>"
}

extension Importer {
    /// Imports a CTF that must be refused, and returns its problems.
    func refusedCTF(_ url: URL) throws -> [RowError] {
        do {
            _ = try load(.ctf, url, options: ImportOptions(maxErrorsShown: 1000))
        } catch ImportError.invalidTransferFile(_, let shown, _) {
            return shown
        }
        throw TestFailure("the import of \(url.lastPathComponent) succeeded but should have been refused")
    }
}

@Suite("Importing a Common Transfer File")
struct CTFImportTests {
    static let richExtra = """
        <BasicDetails><Ethnicity>ABAN</Ethnicity><Languages><Type><LanguageType>F</LanguageType><Language>BNG</Language></Type></Languages></BasicDetails>
        <FSMhistory><FSMinstance><FSMstartDate>2021-09-01</FSMstartDate><FSMendDate>2022-08-31</FSMendDate></FSMinstance>
          <FSMinstance><FSMstartDate>2023-01-10</FSMstartDate></FSMinstance></FSMhistory>
        <LookedAfter><InCare>true</InCare><CareAuthority>801</CareAuthority></LookedAfter>
        <SENhistory><SEN><StartDate>2022-09-01</StartDate><EndDate>2024-01-14</EndDate><SENprovision>K</SENprovision></SEN>
          <SEN><StartDate>2024-01-15</StartDate><SENprovision>E</SENprovision></SEN></SENhistory>
        <Attendance><YearData><Year>2024</Year><SessionsPossible>380</SessionsPossible><SessionsAuthorised>12</SessionsAuthorised><SessionsUnauthorised>4</SessionsUnauthorised></YearData></Attendance>
        <StageAssessments><KeyStage><Stage>KS2</Stage>
          <StageAssessment><Year>2024</Year><Subject>ENG</Subject><Method>TT</Method><Component>RD</Component><Result>104</Result><ResultDate>2024-05-14</ResultDate></StageAssessment>
          <StageAssessment><Year>2024</Year><Subject>MAT</Subject><Method>TT</Method><Component>MAT</Component><Result>99</Result><ResultDate>2024-05-15</ResultDate></StageAssessment>
        </KeyStage></StageAssessments>
        <Hobby>chess</Hobby>
        """

    static func threePupils() -> [String] {
        [ctfPupil(testUPN(1), extra: richExtra), ctfPupil(testUPN(2), surname: "O'Neill", forename: "Liam"),
         ctfPupil(testUPN(3), surname: "Patel", forename: "Riya", extra: "<FSMhistory><FSMinstance><FSMstartDate>2024-09-02</FSMstartDate></FSMinstance></FSMhistory>")]
    }

    @Test func loadsPupilsMarkersAndKS2AndReimportChangesNothing() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let file = try writeCTF(Self.threePupils())
            let importer = Importer(connection: connection)
            let first = try importer.load(.ctf, file)
            #expect((first.rowsRead, first.inserted, first.updated, first.unchanged, first.rejected) == (3, 3, 0, 0, 0))
            #expect(try count(connection, "students") == 3)
            let markers = try connection.query(
                """
                SELECT string_agg(format('%s %s %s %s %s', m.marker, coalesce(m.value, '-'), m.starts_on, coalesce(m.ends_on::text, 'open'), m.source),
                                  ', ' ORDER BY m.marker, m.starts_on) AS spells
                FROM student_markers m JOIN students s USING (student_id) WHERE s.upn = $1
                """, [testUPN(1)]).single().decode("spells") as String
            #expect(markers == "fsm - 2021-09-01 2022-08-31 spell, fsm - 2023-01-10 open spell, looked_after - 2025-07-18 2025-07-31 snapshot, "
                    + "eal - 2025-07-18 2025-07-31 snapshot, sen K 2022-09-01 2024-01-14 spell, sen E 2024-01-15 open spell")
            let results = try connection.query(
                """
                SELECT string_agg(format('%s %s %s %s %s', p.subject, p.name, p.academic_year, p.term, r.score), ', ' ORDER BY p.subject) AS r
                FROM assessment_results r JOIN assessment_points p USING (assessment_point_id)
                """).single().decode("r") as String
            #expect(results == "maths KS2 2023/24 summer 99, reading KS2 2023/24 summer 104")
            #expect(try connection.query("SELECT ethnicity FROM students WHERE upn = $1", [testUPN(1)]).single().decode("ethnicity") == "ABAN")
            // What was read but not stored is said, once.
            #expect(first.notices.contains { $0.hasPrefix("1 attendance summary (Attendance/YearData) checked but not stored") })
            #expect(first.notices.contains("Elements the CTF specification does not define, ignored: CTfile/CTFpupilData/Pupil/Hobby"))
            // The ledger records the file as a ctf import with its checksum and counts.
            let ledger = try connection.query("SELECT kind::text AS kind, file_name, file_sha256, rows_read, rows_inserted FROM imports").single()
            #expect(try ledger.decode("kind") == "ctf")
            #expect(try ledger.decode("file_name") == "transfer.xml")
            #expect(try ledger.decode("file_sha256") == SHA256.hexDigest(ofFileAt: file).hex)
            #expect(try (ledger.decode("rows_read") as Int, ledger.decode("rows_inserted") as Int) == (3, 3))

            let before = try databaseFingerprint(connection).replacingOccurrences(of: #"imports=\S+"#, with: "", options: .regularExpression)
            let second = try importer.load(.ctf, file)
            #expect((second.inserted, second.updated, second.unchanged) == (0, 0, 3))
            #expect(second.previousImport?.importID == first.importID)
            let after = try databaseFingerprint(connection).replacingOccurrences(of: #"imports=\S+"#, with: "", options: .regularExpression)
            #expect(before == after, "re-importing the same CTF must not change a single data row")
        }
    }

    @Test func aBadPupilInTheMiddleLoadsNothing() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            var pupils = Self.threePupils()
            pupils[1] = ctfPupil(testUPN(2), extra: "<FSMhistory><FSMinstance><FSMstartDate>2021-02-30</FSMstartDate></FSMinstance></FSMhistory>")
            let before = try databaseFingerprint(connection)
            let errors = try Importer(connection: connection).refusedCTF(try writeCTF(pupils))
            #expect(errors.count == 1)
            #expect(errors.first?.description.contains("transfer.xml line ") == true)
            #expect(errors.first?.message == "CTfile/CTFpupilData/Pupil[2]/FSMhistory/FSMinstance[1]/FSMstartDate: '2021-02-30' is not valid; expected a date written YYYY-MM-DD")
            #expect(try databaseFingerprint(connection) == before, "nothing, not even a ledger row, is written")
            let message = try #require(throws: ImportError.self) { try Importer(connection: connection).load(.ctf, try writeCTF(pupils)) }.description
            #expect(message.hasSuffix("\nNothing was imported from transfer.xml: correct this in the MIS and export the CTF again."))
        }
    }

    /// A spell the store disagrees with is found by the database, named by its element, and
    /// nothing of the file is written.
    @Test func aSpellOverlappingAHeldOneLoadsNothing() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            _ = try importer.load(.students, try writeCSV("students.csv", studentLines(4)))
            _ = try importer.load(.markers, try writeCSV("markers.csv", ["student,marker,value,start_date,end_date", "\(testUPN(3)),fsm,,2024-06-01,"]))
            let before = try databaseFingerprint(connection)
            let errors = try importer.refusedCTF(try writeCTF(Self.threePupils()))
            #expect(errors.map(\.message) == [
                "CTfile/CTFpupilData/Pupil[3]/FSMhistory/FSMinstance[1]: the FSM spell 2024-09-02 to open overlaps the one held from 2024-06-01 to open (import 2); correct the dates in the MIS or in the held markers",
            ])
            #expect(try databaseFingerprint(connection) == before)
        }
    }

    @Test func dryRunCountsAndWritesNothing() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let before = try databaseFingerprint(connection)
            let summary = try Importer(connection: connection).load(.ctf, try writeCTF(Self.threePupils()), options: ImportOptions(dryRun: true))
            #expect(summary.dryRun)
            #expect((summary.rowsRead, summary.inserted, summary.updated, summary.unchanged) == (3, 3, 0, 0))
            #expect(try databaseFingerprint(connection) == before)
        }
    }

    @Test func malformedXMLNamesLineAndColumnAndLoadsNothing() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let url = try writeCSV("broken.xml", ["<?xml version=\"1.0\"?>", "<CTfile><Header>", "<CTFversion>25</CTFversion", "</Header></CTfile>"])
            let errors = try Importer(connection: connection).refusedCTF(url)
            #expect(errors.count == 1)
            #expect(errors[0].line == 3 || errors[0].line == 4)
            #expect(errors[0].message.hasPrefix("column "))
            #expect(errors[0].message.contains("not well-formed XML"))
            #expect(try count(connection, "imports") == 0)
        }
    }

    /// The issue's failure: a pupil with a temporary UPN, then the same pupil with the permanent
    /// UPN (and the temporary one as FormerUPN), made two pupils. Now it is one, with its history.
    @Test func aTemporaryUPNThenThePermanentOneIsOnePupil() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            let temporary = temporaryUPN(5)
            _ = try importer.load(.ctf, try writeCTF([ctfPupil(temporary, extra: "<FSMhistory><FSMinstance><FSMstartDate>2023-01-10</FSMstartDate></FSMinstance></FSMhistory>")]))
            let held = try connection.query("SELECT upn, upn_is_temporary FROM students").single()
            #expect(try held.decode("upn_is_temporary") == true)

            let permanent = testUPN(5)
            let second = try importer.load(.ctf, try writeCTF([ctfPupil(permanent, extra: "<BasicDetails><FormerUPN>\(temporary)</FormerUPN></BasicDetails>")]))
            #expect((second.inserted, second.updated) == (0, 1))
            let pupil = try connection.query("SELECT upn, upn_is_temporary, array_to_string(former_upns, ',') AS former FROM students").single()
            #expect(try count(connection, "students") == 1)
            #expect(try pupil.decode("upn") == permanent)
            #expect(try pupil.decode("upn_is_temporary") == false)
            #expect(try pupil.decode("former") == temporary)
            #expect(try count(connection, "student_markers") == 1, "the FSM history recorded under the temporary UPN stays with the pupil")

            // An old file that still has the temporary UPN finds the same pupil and does not put it back.
            let again = try importer.load(.ctf, try writeCTF([ctfPupil(temporary)]))
            #expect((again.inserted, again.updated, again.unchanged) == (0, 0, 1))
            #expect(try connection.query("SELECT upn FROM students").single().decode("upn") == permanent)
        }
    }

    /// The same through students.csv with a former_upn column: the cohort does not grow.
    @Test func aFormerUPNColumnKeepsTheCohortTheSame() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            let header = "upn,legal_surname,forename,date_of_birth,gender,academic_year,year_group,start_date"
            let temporary = temporaryUPN(7)
            _ = try importer.load(.students, try writeCSV("students.csv", [header, "\(temporary),Okafor,Ada,2013-03-02,F,2024/25,7,2024-09-02"]))
            #expect(try connection.query("SELECT upn_is_temporary FROM students").single().decode("upn_is_temporary") == true)
            let summary = try importer.load(.students, try writeCSV("students.csv", [
                header + ",former_upn", "\(testUPN(7)),Okafor,Ada,2013-03-02,F,2024/25,7,2024-09-02,\(temporary)",
            ]))
            #expect((summary.inserted, summary.updated) == (0, 1))
            #expect(try count(connection, "students") == 1)
            #expect(try count(connection, "enrolments") == 1, "the year 7 cohort of 2024/25 still counts the pupil once")
            let pupil = try connection.query("SELECT upn, array_to_string(former_upns, ',') AS former, upn_is_temporary FROM students").single()
            #expect(try pupil.decode("upn") == testUPN(7))
            #expect(try pupil.decode("former") == temporary)
            #expect(try pupil.decode("upn_is_temporary") == false)
            // The first file again changes nothing and keeps the permanent UPN.
            let again = try importer.load(.students, try writeCSV("students.csv", [header, "\(temporary),Okafor,Ada,2013-03-02,F,2024/25,7,2024-09-02"]))
            #expect((again.inserted, again.updated) == (0, 0))
            #expect(try connection.query("SELECT upn FROM students").single().decode("upn") == testUPN(7))
        }
    }

    @Test func probableDuplicatesAreReportedNotMerged() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            _ = try importer.load(.ctf, try writeCTF([ctfPupil(temporaryUPN(9), surname: "Nowak", forename: "Ola")]))
            let summary = try importer.load(.ctf, try writeCTF([ctfPupil(testUPN(9), surname: "NOWAK", forename: "Ola")]))
            #expect(summary.inserted == 1)
            #expect(try count(connection, "students") == 2, "reported, never merged")
            #expect(summary.notices.contains { $0.hasPrefix("Probable duplicate, not merged: Ola NOWAK (born 2013-03-02) is held as \(testUPN(9)) and as \(temporaryUPN(9))") })
            // The students file reports them too.
            let csv = try importer.load(.students, try writeCSV("students.csv", [
                "upn,legal_surname,forename,date_of_birth,gender,academic_year,year_group,start_date",
                "\(testUPN(10)),Nowak,Ola,2013-03-02,F,2024/25,7,2024-09-02",
            ]))
            #expect(csv.notices.count == 2)
        }
    }

    @Test func manyProbableDuplicatesAreCountedBeyondTheFirstTwenty() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            let originals = studentLines(22)
            _ = try importer.load(.students, try writeCSV("students.csv", originals))
            let namesakes = [originals[0]] + (0..<22).map { originals[$0 + 1].replacingOccurrences(of: testUPN($0), with: testUPN(500 + $0)) }
            let summary = try importer.load(.students, try writeCSV("students.csv", namesakes))
            #expect(summary.inserted == 22)
            #expect(summary.notices.count == 21)
            #expect(summary.notices.last == "2 more probable duplicates (same name and date of birth, another identifier) not shown")
        }
    }
}
