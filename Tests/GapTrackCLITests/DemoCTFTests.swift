import DemoData
import Foundation
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// `gaptrack demo generate --format ctf`, loaded with `gaptrack import ctf`: what the CTF carries
/// (pupils, FSM and SEN spells, EAL and in-care status on the file's date, KS2 scaled scores)
/// equals what the demo's CSV files load, pupil by pupil.
@Suite("The demo school as a Common Transfer File", .serialized)
struct DemoCTFTests {
    static let demo = ["--cohort-size", "30", "--year-groups", "7-11", "--attendance-days", "1", "--only", "school"]

    /// The same facts of two providers, keyed by UPN, so the two loads can be compared.
    static func facts(_ code: String, on connection: PostgresConnection, madeOn: String) throws -> [String: [String]] {
        let queries = [
            "students": "SELECT format('%s %s %s %s %s %s', s.upn, s.legal_surname, s.forename, s.date_of_birth, s.gender, s.ethnicity) AS f FROM students s JOIN providers p USING (provider_id) WHERE p.code = $1",
            "spells": "SELECT format('%s %s %s %s %s', s.upn, m.marker, coalesce(m.value, '-'), m.starts_on, coalesce(m.ends_on::text, 'open')) AS f FROM student_markers m JOIN students s USING (student_id) JOIN providers p ON p.provider_id = s.provider_id WHERE p.code = $1 AND m.marker IN ('fsm', 'sen')",
            "on the file's date": "SELECT format('%s %s', s.upn, m.marker) AS f FROM student_markers m JOIN students s USING (student_id) JOIN providers p ON p.provider_id = s.provider_id WHERE p.code = $1 AND m.marker IN ('eal', 'looked_after') AND m.spell @> $2::date",
            "ks2": "SELECT format('%s %s %s %s %s %s', s.upn, a.subject, a.academic_year, a.term, r.score, r.assessed_on) AS f FROM assessment_results r JOIN assessment_points a USING (assessment_point_id) JOIN students s USING (student_id) JOIN providers p ON p.provider_id = s.provider_id WHERE p.code = $1 AND a.name = 'KS2'",
        ]
        var facts: [String: [String]] = [:]
        for (name, sql) in queries {
            let parameters: [any PostgresEncodable] = sql.contains("$2") ? [code, madeOn] : [code]
            facts[name] = try connection.query(sql + " ORDER BY 1", parameters).rows.map { try $0.decode("f") }
        }
        return facts
    }

    @Test("the CTF of the demo school loads to the same pupils, spells and KS2 scores as its CSV files")
    func roundTrip() throws {
        let folder = DemoCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let generated = try GapTrackCommandLine.run(["demo", "generate", "--format", "ctf", "--out", folder.path] + Self.demo)
        let file = folder.appendingPathComponent("demo-academy").appendingPathComponent(SchoolCTFWriter.fileName)
        #expect(generated.first == "Wrote 180 pupils of Demo Academy as a Common Transfer File: \(file.path)")
        try TestDatabase.withMigratedDatabase { connection in
            let database = CommandTests.databaseOption(connection)
            _ = try GapTrackCommandLine.run(["demo", "load"] + Self.demo + database)
            _ = try GapTrackCommandLine.run(["provider", "add", "--code", "ctf-academy", "--name", "CTF Academy", "--kind", "school",
                                             "--urn", "123457", "--la-code", "801"] + database)
            let output = try GapTrackCommandLine.run(["import", "ctf", file.path, "--provider", "ctf-academy"] + database)
            #expect(output.contains { $0.hasPrefix("pupils-ctf.xml: 180 rows read, 180 inserted, 0 updated, 0 unchanged, 0 rejected (") })
            let madeOn = SchoolCTFWriter.madeOn.isoString
            let fromCSV = try Self.facts("demo-academy", on: connection, madeOn: madeOn)
            let fromCTF = try Self.facts("ctf-academy", on: connection, madeOn: madeOn)
            for name in fromCSV.keys.sorted() {
                #expect(fromCTF[name] == fromCSV[name], "\(name)")
            }
            #expect(fromCSV["students"]?.count == 180)
            #expect((fromCSV["spells"]?.count ?? 0) > 20)
            #expect((fromCSV["ks2"]?.count ?? 0) > 250)
            #expect((fromCSV["on the file's date"]?.count ?? 0) > 5)
            // The same file again changes nothing.
            let again = try GapTrackCommandLine.run(["import", "ctf", file.path, "--provider", "ctf-academy"] + database)
            #expect(again.contains { $0.hasPrefix("pupils-ctf.xml: 180 rows read, 0 inserted, 0 updated, 180 unchanged, 0 rejected (") })
        }
    }

    @Test("import ctf prints what it read but did not store")
    func printsNotices() throws {
        let folder = DemoCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("transfer.xml")
        try """
            <CTfile><Header><CTFversion>25.0</CTFversion><DateTime>2025-07-18T09:00:00</DateTime>
            <SourceSchool><LEA>801</LEA><Estab>2001</Estab></SourceSchool></Header><CTFpupilData>
            <Pupil><UPN>B801200005001</UPN><Surname>Okafor</Surname><Forename>Ada</Forename><DOB>2014-03-02</DOB><Gender>F</Gender>
            <Attendance><YearData><Year>2024</Year><SessionsPossible>380</SessionsPossible><SessionsAuthorised>2</SessionsAuthorised>
            <SessionsUnauthorised>0</SessionsUnauthorised></YearData></Attendance><Pet>cat</Pet></Pupil></CTFpupilData></CTfile>
            """.write(to: file, atomically: true, encoding: .utf8)
        try TestDatabase.withMigratedDatabase { connection in
            let database = CommandTests.databaseOption(connection)
            _ = try GapTrackCommandLine.run(["provider", "add", "--code", "ctf-school", "--name", "CTF School", "--kind", "school",
                                             "--urn", "123460", "--la-code", "801"] + database)
            let output = try GapTrackCommandLine.run(["import", "ctf", file.path, "--provider", "ctf-school"] + database)
            #expect(output.contains { $0.hasPrefix("transfer.xml: 1 rows read, 1 inserted, 0 updated, 0 unchanged, 0 rejected (") })
            #expect(output.contains { $0.hasPrefix("1 attendance summary (Attendance/YearData) checked but not stored") })
            #expect(output.contains("Elements the CTF specification does not define, ignored: CTfile/CTFpupilData/Pupil/Pet"))
        }
    }

    @Test("import ctf refuses the options that only CSV files have")
    func refusesCSVOptions() throws {
        #expect(throws: (any Error).self) { try GapTrackCommandLine.run(["import", "ctf", "x.xml", "--provider", "demo-academy", "--skip-invalid"]) }
        #expect(throws: (any Error).self) { try GapTrackCommandLine.run(["import", "ctf", "x.xml", "--provider", "demo-academy", "--preset", "sims"]) }
    }

    @Test("names in the CTF are escaped as XML")
    func escapesNames() {
        #expect(SchoolCTFWriter.escaped("O'Neill & <Sons> \"Ltd\"") == "O&apos;Neill &amp; &lt;Sons&gt; &quot;Ltd&quot;")
    }
}
