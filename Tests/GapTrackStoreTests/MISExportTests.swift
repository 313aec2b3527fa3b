import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// MIS pupil exports as they come (docs/import-formats.md, "MIS presets and where their names
/// come from"): headers exactly as each vendor's documentation names the fields, no
/// academic_year column, admission dates from years before the export.
@Suite("MIS exports as they come")
struct MISExportTests {
    static let year2024 = AcademicYear(startYear: 2024)

    /// The enrolment and on-roll date stored for one pupil.
    static func dates(_ connection: PostgresConnection, upn: String) throws -> (academicYear: String, start: String, admission: String?) {
        let row = try connection.query(
            """
            SELECT e.academic_year, e.start_date::text AS start, s.admission_date::text AS admission
            FROM students s JOIN enrolments e USING (student_id) WHERE s.upn = $1
            """, [upn]).single()
        return (try row.decode("academic_year"), try row.decode("start"), try row.decode("admission"))
    }

    /// SIMS: Surname, Forename, Preferred Surname/Forename, Date of Birth (YYYY-MM-DD), Gender
    /// (M/F), Year Group, Registration Group, Free School Meal Eligibility and Pupil Premium
    /// Eligibility (T/F), SEN Provisions, Admission Date. The pupils joined in Year 7, years before
    /// the 2024/25 export: the old code refused every row (no academic_year column; the admission
    /// date taken as this year's enrolment start).
    @Test func aSIMSExportLoadsWithItsAdmissionDatesAsOnRollDates() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let header = "UPN,Surname,Forename,Preferred Surname,Preferred Forename,Date of Birth,Gender,Year Group,Registration Group,Admission Date,Free School Meal Eligibility,Pupil Premium Eligibility,SEN Provisions"
            // Years 7 to 11: admitted on 1 September of the year they entered Year 7, so
            // Year 11 (serial % 5 == 4) joined on 2020-09-01.
            let rows = (0..<10).map { serial in
                let yearGroup = 7 + serial % 5
                let joined = 2024 - (yearGroup - 7)
                return "\(testUPN(serial)),Legal\(serial),Given\(serial),Known\(serial),Nick\(serial),\(joined - 11)-05-0\(1 + serial % 9),\(serial % 2 == 0 ? "F" : "M"),\(yearGroup),\(yearGroup)A,\(joined)-09-01,\(serial % 3 == 0 ? "T" : "F"),\(serial % 3 == 0 ? "T" : "F"),\(["N", "K", "E"][serial % 3])"
            }
            let file = try writeCSV("SIMS pupils.csv", [header] + rows)
            let importer = Importer(connection: connection)
            let summary = try importer.load(.students, file, options: ImportOptions(mapping: ColumnMapping(presets: [.sims]), academicYear: Self.year2024))
            #expect(summary.inserted == 10)
            #expect(summary.ignoredColumns == ["Preferred Surname", "Preferred Forename"])
            // Year 11, admitted 2020-09-01: on roll since then; the 2024/25 enrolment starts on the year's first day.
            let year11 = try Self.dates(connection, upn: testUPN(4))
            #expect(year11.academicYear == "2024/25")
            #expect(year11.start == "2024-08-01")
            #expect(year11.admission == "2020-09-01")
            // Year 7, admitted 2024-09-01, inside the year: the enrolment starts that day.
            let year7 = try Self.dates(connection, upn: testUPN(5))
            #expect(year7.start == "2024-09-01")
            #expect(year7.admission == "2024-09-01")
            let pupil = try connection.query("SELECT forename, legal_surname FROM students WHERE upn = $1", [testUPN(4)]).single()
            #expect(try pupil.decode("forename") == "Given4", "the legal Forename, not the Preferred Forename")
            #expect(try pupil.decode("legal_surname") == "Legal4")
            #expect(try connection.query("SELECT form_group FROM enrolments e JOIN students s USING (student_id) WHERE s.upn = $1", [testUPN(4)]).single().decode("form_group") == "11A")
            // Serials 0, 3, 6, 9 are FSM and PP (4 each); SEN K for 1, 4, 7 and E for 2, 5, 8.
            let markers = try connection.query("SELECT marker::text AS marker, count(*) AS n FROM student_markers GROUP BY marker").rows
            let counts = Dictionary(uniqueKeysWithValues: try markers.map { (try $0.decode("marker") as String, try $0.decode("n") as Int) })
            #expect(counts == ["fsm": 4, "pupil_premium": 4, "sen": 6])
            // The same file again changes nothing.
            let again = try importer.load(.students, file, options: ImportOptions(mapping: ColumnMapping(presets: [.sims]), academicYear: Self.year2024))
            #expect(again.inserted == 0 && again.updated == 0)
        }
    }

    /// Without --academic-year, admission dates alone do not say which year the export is for
    /// (a Year 11 joined four years ago): refused, naming the option; nothing written.
    @Test func aFileWithOnlyAdmissionDatesNeedsTheAcademicYear() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let file = try writeCSV("pupils.csv", [
                "UPN,Surname,Forename,Date of Birth,Year Group,Admission Date",
                "\(testUPN(1)),A,B,2009-03-01,11,2020-09-01",
                "\(testUPN(2)),C,D,2013-03-01,7,2024-09-02",
            ])
            do {
                _ = try Importer(connection: connection).load(.students, file, options: ImportOptions(mapping: ColumnMapping(presets: [.sims])))
                Issue.record("should need --academic-year")
            } catch let error as ImportError {
                #expect(error.description.hasPrefix("pupils.csv does not say which academic year it is for: it has no academic_year column"))
                #expect(error.description.contains("--academic-year 2024/25"))
            }
            #expect(try count(connection, "students") == 0)
            #expect(try count(connection, "imports") == 0)
        }
    }

    /// Enrolment start dates that all fall in one year name it; dates in two years do not.
    @Test func theAcademicYearIsInferredFromStartDatesWhenTheyNameOneYear() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            let header = "upn,legal_surname,forename,date_of_birth,year_group,start_date,leave_date"
            let oneYear = try writeCSV("students.csv", [header,
                "\(testUPN(1)),A,B,2013-03-01,7,2025-09-03,",
                "\(testUPN(2)),C,D,2013-04-01,7,2026-01-05,2026-07-20"])
            #expect(try importer.load(.students, oneYear).inserted == 2)
            #expect(try Self.dates(connection, upn: testUPN(2)).academicYear == "2025/26")
            let twoYears = try writeCSV("students.csv", [header,
                "\(testUPN(3)),A,B,2013-03-01,7,2025-09-03,",
                "\(testUPN(4)),C,D,2013-04-01,8,2024-09-02,"])
            do {
                _ = try importer.load(.students, twoYears)
                Issue.record("two years should be refused")
            } catch let error as ImportError {
                #expect(error.description.contains("its 'start_date' or 'leave_date' dates fall in 2 academic years (2024/25 to 2025/26)"))
                #expect(error.description.contains("--academic-year"))
            }
            // The option settles it, and a row's own academic_year still wins over it.
            let mixed = try writeCSV("students.csv", ["upn,legal_surname,forename,date_of_birth,year_group,admission_date,academic_year",
                "\(testUPN(5)),A,B,2013-03-01,7,2023-09-04,",
                "\(testUPN(6)),C,D,2012-03-01,8,2023-09-04,2023/24"])
            #expect(try importer.load(.students, mixed, options: ImportOptions(academicYear: Self.year2024)).inserted == 2)
            #expect(try Self.dates(connection, upn: testUPN(5)) == ("2024/25", "2024-08-01", "2023-09-04"))
            #expect(try Self.dates(connection, upn: testUPN(6)) == ("2023/24", "2023-09-04", "2023-09-04"))
        }
    }

    /// An admission date after the year's end cannot be this year's pupil; a start_date before the
    /// admission date cannot be either. Each error names the line and the file's own column.
    @Test func anAdmissionAfterTheYearIsAnErrorNamingLineAndColumn() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let file = try writeCSV("pupils.csv", [
                "UPN,Surname,Forename,Date of Birth,Year Group,Admission Date,start_date",
                "\(testUPN(1)),A,B,2013-03-01,7,2024-09-02,",
                "\(testUPN(2)),C,D,2013-03-01,7,2025-09-01,",
                "\(testUPN(3)),E,F,2013-03-01,7,2024-10-01,2024-09-02",
                "\(testUPN(4)),G,H,2013-03-01,7,,",
            ])
            let errors = try Importer(connection: connection).rejected(.students, file, options: ImportOptions(
                mapping: ColumnMapping(presets: [.sims]), maxErrorsShown: 100, academicYear: Self.year2024))
            #expect(errors.map(\.description) == [
                "pupils.csv line 3, column 'Admission Date': '2025-09-01' is after the end of academic year 2024/25 (31/07/2025); a pupil admitted then belongs in that year's file",
                "pupils.csv line 4, column 'start_date': '2024-09-02' is before the admission date 01/10/2024; a pupil cannot be enrolled before joining the school",
                "pupils.csv line 5: has neither an admission_date (the day the pupil joined the school) nor a start_date (the day this enrolment began); give one",
            ])
            #expect(try count(connection, "students") == 0)
        }
    }

    /// Arbor: Forename and Surname with the known-as names beside them, Sex, Date of Birth, UPN,
    /// Ethnicity; Year Group, Registration Form and Enrolment Start Date (unconfirmed, §9).
    @Test func anArborExportLoads() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let file = try writeCSV("Arbor students.csv", [
                "UPN,Forename,Surname,KnownAsFirstName,KnownAsLastName,Sex,Date of Birth,Ethnicity,Year Group,Registration Form,Enrolment Start Date",
                "\(testUPN(1)),Amelia,Stone,Millie,Stone,Female,12/03/2010,WBRI,Year 10,10S,02/09/2021",
                "\(testUPN(2)),Omar,Haddad,,,Male,01/11/2012,AOTH,Year 8,8H,03/09/2024",
            ])
            let summary = try Importer(connection: connection).load(.students, file, options: ImportOptions(mapping: ColumnMapping(presets: [.arbor]), academicYear: Self.year2024))
            #expect(summary.inserted == 2)
            #expect(summary.ignoredColumns == ["KnownAsFirstName", "KnownAsLastName"])
            #expect(try Self.dates(connection, upn: testUPN(1)) == ("2024/25", "2024-08-01", "2021-09-02"))
            #expect(try Self.dates(connection, upn: testUPN(2)) == ("2024/25", "2024-09-03", "2024-09-03"))
            let pupil = try connection.query("SELECT forename, gender, ethnicity FROM students WHERE upn = $1", [testUPN(1)]).single()
            #expect(try pupil.decode("forename") == "Amelia")
            #expect(try pupil.decode("gender") == "F")
            #expect(try pupil.decode("ethnicity") == "WBRI")
        }
    }

    /// Bromcom: Firstname / Lastname with Preferred Firstname beside them, Date of Birth, Tutor
    /// Group, Year Group, Student ID; Admission Date (unconfirmed, §9).
    @Test func aBromcomExportLoads() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let file = try writeCSV("Bromcom.csv", [
                "Student ID,UPN,Firstname,Preferred Firstname,Lastname,Date of Birth,Gender,Year Group,Tutor Group,Admission Date",
                "4411,\(testUPN(1)),Joseph,Joe,Barnes,2011-06-30,M,9,9JB,2022-09-05",
            ])
            let summary = try Importer(connection: connection).load(.students, file, options: ImportOptions(mapping: ColumnMapping(presets: [.bromcom]), academicYear: Self.year2024))
            #expect(summary.inserted == 1)
            #expect(summary.ignoredColumns == ["Student ID", "Preferred Firstname"])
            #expect(try connection.query("SELECT forename FROM students").single().decode("forename") == "Joseph")
            #expect(try Self.dates(connection, upn: testUPN(1)) == ("2024/25", "2024-08-01", "2022-09-05"))
        }
    }

    /// ScholarPack: the census item names its pupil reports show (all unconfirmed, §9).
    @Test func aScholarPackExportLoads() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let file = try writeCSV("ScholarPack.csv", [
                "UPN,Surname,Forename,Date of Birth,Gender,Year,Class,Date of Admission,FSM,SEN Status,EAL",
                "\(testUPN(1)),Khan,Aisha,2018-02-14,F,R,Robins,2022-09-06,Y,K,Y",
                "\(testUPN(2)),Lee,Sam,2014-10-01,M,5,Owls,2019-09-04,N,N,N",
            ])
            let summary = try Importer(connection: connection).load(.students, file, options: ImportOptions(mapping: ColumnMapping(presets: [.scholarpack]), academicYear: AcademicYear(startYear: 2022)))
            #expect(summary.inserted == 2)
            #expect(try Self.dates(connection, upn: testUPN(1)) == ("2022/23", "2022-09-06", "2022-09-06"))
            #expect(try Self.dates(connection, upn: testUPN(2)) == ("2022/23", "2022-08-01", "2019-09-04"))
            #expect(try connection.query("SELECT year_group, form_group FROM enrolments ORDER BY year_group").rows.map { try $0.decode("form_group") as String } == ["Owls", "Robins"])
        }
    }
}
