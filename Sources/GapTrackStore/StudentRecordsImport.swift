import GapTrackDomain
import Postgres

/// A student-record extract (HESA Data Futures / legacy Student record, or a SITS report): one row
/// per student per academic year of a course instance (docs/import-formats.md "Student records
/// (HESA / SITS)"). It fills the higher-education model (sql/013_higher_education.sql): the
/// student if new, the course, the instance with its entry characteristics and how it ended, and
/// the year with its mode and year of programme.
///
/// Natural keys: a student by HUSID, own student number or ULN; an instance by (student,
/// commencement date); a year by (instance, academic year). Entry fields are taken from the
/// earliest year that gives them and leaving fields from the latest, because extracts carry the
/// tariff on the first year's row and the leaving reason on the last.
struct StudentRecordsImport: TabularFormat {
    static let columns: [ImportColumn] = [
        ImportColumn("hesa_id"), ImportColumn("institution_id"), ImportColumn("uln"),
        ImportColumn("legal_surname", required: true), ImportColumn("forename", required: true),
        ImportColumn("date_of_birth", required: true), ImportColumn("gender"), ImportColumn("ethnicity"),
        ImportColumn("course", required: true), ImportColumn("course_title"), ImportColumn("course_level"), ImportColumn("cah_code"),
        ImportColumn("commencement_date", required: true), ImportColumn("academic_year"),
        ImportColumn("mode", required: true), ImportColumn("year_of_programme", required: true),
        ImportColumn("entry_qualification"), ImportColumn("tariff_points"),
        ImportColumn("imd_quintile"), ImportColumn("polar4_quintile"), ImportColumn("tundra_quintile"), ImportColumn("abcs_quintile"),
        ImportColumn("fsm_at_school"), ImportColumn("care_leaver"), ImportColumn("estranged"),
        ImportColumn("first_in_family"), ImportColumn("parental_education"), ImportColumn("disabled"),
        ImportColumn("leaving_date"), ImportColumn("rsnend"), ImportColumn("rsnengend"),
        ImportColumn("classification"), ImportColumn("progression"),
    ]

    /// Free-text columns and the longest value each takes: the students table's limits for the
    /// names and the student number (as `StudentsImport`'s), and the course tables' own
    /// (sql/013_higher_education.sql).
    static let textLimits: [(column: String, limit: TextLimit)] = StudentsImport.textLimits.filter { $0.column != "course" } + [
        ("course", TextLimit(field: "course", maximum: 60)), ("course_title", TextLimit(field: "course_title", maximum: 300)),
        ("entry_qualification", TextLimit(field: "entry_qualification", maximum: 10)),
    ]

    static let stagingTable = "staged_student_records"
    static let stagingColumns: [(name: String, type: String)] = [
        ("student_key", "text"), ("hesa_id", "text"), ("institution_id", "text"), ("uln", "text"),
        ("legal_surname", "text"), ("forename", "text"), ("date_of_birth", "date"), ("gender", "text"), ("ethnicity", "text"),
        ("course", "text"), ("course_title", "text"), ("course_level", "text"), ("cah_code", "text"),
        ("commenced_on", "date"), ("academic_year", "text"), ("mode", "he_study_mode"), ("mode_code", "text"),
        ("year_of_programme", "smallint"), ("entry_qualification", "text"), ("tariff_points", "integer"),
        ("imd_quintile", "smallint"), ("polar4_quintile", "smallint"), ("tundra_quintile", "smallint"), ("abcs_quintile", "smallint"),
        ("fsm_at_school", "boolean"), ("care_leaver", "boolean"), ("estranged", "boolean"), ("first_in_family", "boolean"),
        ("disabled", "boolean"), ("left_on", "date"), ("leaving_reason_code", "text"), ("leaving_code_list", "text"),
        ("leaving_outcome", "he_leaving_outcome"), ("classification", "he_classification"), ("progression", "he_progression"),
    ]
    static let workColumns: [(name: String, type: String)] = [("student_id", "bigint")]

    /// What the within-file checks need of each valid row.
    private var rows: [(line: Int, key: String, identifiers: [String?], year: String, commenced: String)] = []

    init(context: ImportContext) throws {}

    mutating func validate(_ row: inout RowContext) -> [String?]? {
        let hesaID = row.parse("hesa_id", expected: "a HESA student identifier (HUSID)", StudentIdentifiers.hesaID)
        row.checkLimits(Self.textLimits)
        let institutionID = row.text("institution_id").map(StudentIdentifier.normalised)
        let uln = row.parse("uln", expected: "a ULN", StudentIdentifiers.uln)
        if row.text("hesa_id") == nil && institutionID == nil && row.text("uln") == nil {
            row.fail(nil, "has no student identifier; give at least one of HUSID (hesa_id), the student number (institution_id) and ULN")
        }
        let surname = row.required("legal_surname", expected: "the student's legal surname")
        let forename = row.required("forename", expected: "the student's forename")
        let birth = row.parse("date_of_birth", required: true, expected: "a date of birth", FieldParsers.date)
        let sex = row.parse("gender", expected: "F, M or X", StudentRecordsCodes.sex)
        let course = row.required("course", expected: "the course code")
        let level = row.parse("course_level", expected: "a level of study", StudentRecordsCodes.courseLevel)
        let cah = row.parse("cah_code", expected: "a CAH code") { (text: String) throws(FieldProblem) -> String in
            guard text.wholeMatch(of: /CAH[0-9]{2}(-[0-9]{2}){0,2}/) != nil else {
                throw FieldProblem("'\(String(text.prefix(20)))' is not a Common Aggregation Hierarchy code; expected e.g. CAH17 or CAH17-01-01")
            }
            return text
        }
        let commenced = row.parse("commencement_date", required: true, expected: "the date the course began", FieldParsers.date)
        let mode = row.parse("mode", required: true, expected: "FT or PT, or a HESA mode code", StudentRecordsCodes.mode)
        let yearOfProgramme = row.parse("year_of_programme", required: true, expected: "a year of programme 1 to 15") { (text: String) throws(FieldProblem) -> Int in
            guard let value = Int(text), (1...15).contains(value) else {
                throw FieldProblem("'\(String(text.prefix(20)))' is not a year of programme; expected a whole number 1 to 15")
            }
            return value
        }
        var year = row.parse("academic_year", expected: "an academic year such as 2024/25", FieldParsers.academicYear)
        // Without an academic-year column the row's year is the entry year plus the year of
        // programme (docs/import-formats.md).
        if year == nil, row.text("academic_year") == nil, let commenced, let yearOfProgramme {
            year = AcademicYear(startYear: AcademicYear(containing: commenced).startYear + yearOfProgramme - 1)
        }
        let tariff = row.parse("tariff_points", expected: "UCAS tariff points 0 to 999") { (text: String) throws(FieldProblem) -> Int in
            guard let value = Int(text), (0...999).contains(value) else {
                throw FieldProblem("'\(String(text.prefix(20)))' is not a tariff; expected whole UCAS tariff points 0 to 999")
            }
            return value
        }
        let entryQualification = row.text("entry_qualification")
        let quintiles = ["imd_quintile", "polar4_quintile", "tundra_quintile", "abcs_quintile"].map {
            row.parse($0, expected: "a quintile 1 to 5", StudentRecordsCodes.quintile)
        }
        let fsm = row.parse("fsm_at_school", expected: "Y or N", StudentRecordsCodes.yesNoOrCode) ?? nil
        let careLeaver = row.parse("care_leaver", expected: "Y or N", StudentRecordsCodes.yesNoOrCode) ?? nil
        let estranged = row.parse("estranged", expected: "Y or N", StudentRecordsCodes.yesNoOrCode) ?? nil
        var firstInFamily = row.parse("first_in_family", expected: "Y or N", StudentRecordsCodes.yesNoOrCode) ?? nil
        if firstInFamily == nil {
            firstInFamily = row.parse("parental_education", expected: "01 or 02", StudentRecordsCodes.firstInFamilyFromParentalEducation) ?? nil
        }
        let disabled = row.parse("disabled", expected: "Y or N", StudentRecordsCodes.disabled) ?? nil
        let left = row.parse("leaving_date", expected: "the date the student left", FieldParsers.date)
        var leaving: (code: String, outcome: String, list: String)?
        if row.text("rsnend") != nil && row.text("rsnengend") != nil {
            row.fail("rsnengend", "the row has both RSNEND and RSNENGEND; give the leaving reason in one of them")
        } else {
            for (column, list) in [("rsnend", StudentRecordsCodes.LeavingCodeList.rsnend), ("rsnengend", .rsnengend)] {
                if let reason = row.parse(column, expected: "a \(list.rawValue) code", { (text: String) throws(FieldProblem) in
                    try StudentRecordsCodes.leavingOutcome(text, list: list)
                }) {
                    leaving = (reason.code, reason.outcome, list.rawValue)
                }
            }
        }
        let classification = row.parse("classification", expected: "a degree classification", StudentRecordsCodes.classification)
        let progression = row.parse("progression", expected: "a progression outcome", StudentRecordsCodes.progression)
        if let commenced, let birth, birth >= commenced {
            row.fail("date_of_birth", "'\(row.text("date_of_birth")!)' is not before the commencement date \(commenced.ukString)")
        }
        if let commenced, let left, left < commenced {
            row.fail("leaving_date", "'\(row.text("leaving_date")!)' is before the commencement date \(commenced.ukString)")
        }
        if left != nil && leaving == nil && row.isValid {
            row.fail("leaving_date", "is given but there is no leaving reason; give RSNEND or RSNENGEND with the date the student left")
        }
        if left == nil && leaving != nil {
            row.fail(row.text("rsnend") != nil ? "rsnend" : "rsnengend", "is given but the leaving date is empty; a leaving reason needs the date the student left")
        }
        if let year, let commenced, year.endDate < commenced {
            row.fail("academic_year", "'\(year)' ends before the commencement date \(commenced.ukString)")
        }
        guard row.isValid, let surname, let forename, let birth, let course, let commenced, let mode, let yearOfProgramme, let year else {
            return nil
        }
        let key = hesaID.map { "h:" + $0 } ?? institutionID.map { "i:" + $0 } ?? "u:" + uln!
        rows.append((row.line, key, [hesaID, institutionID, uln], year.description, commenced.isoString))
        return [
            key, hesaID, institutionID, uln, surname, forename, birth.isoString, sex, row.text("ethnicity"),
            course, row.text("course_title"), level, cah, commenced.isoString, year.description, mode, row.text("mode"),
            String(yearOfProgramme), entryQualification, tariff.map(String.init),
        ] + quintiles.map { $0.map(String.init) } + [
            fsm.map(String.init), careLeaver.map(String.init), estranged.map(String.init), firstInFamily.map(String.init),
            disabled.map(String.init), left?.isoString, leaving?.code, leaving?.list, leaving?.outcome, classification, progression,
        ]
    }

    /// Rows of one student must name them the same way, and give one row per instance and year.
    mutating func finishReading(errors: inout RowErrors, context: ImportContext) throws {
        var keyOfIdentifier: [String: (key: String, line: Int)] = [:]
        var lineOfYear: [String: Int] = [:]
        let names = ["HUSID", "student number", "ULN"]
        for row in rows {
            for (kind, identifier) in row.identifiers.enumerated() {
                guard let identifier else { continue }
                let tag = "\(kind):\(identifier)"
                if let earlier = keyOfIdentifier[tag], earlier.key != row.key {
                    errors.add(line: row.line, column: nil,
                               "its \(names[kind]) '\(identifier)' is on line \(earlier.line) with other identifiers; every row of one student must give the same identifiers")
                } else if keyOfIdentifier[tag] == nil {
                    keyOfIdentifier[tag] = (row.key, row.line)
                }
            }
            let yearTag = "\(row.key) \(row.commenced) \(row.year)"
            if let earlier = lineOfYear[yearTag] {
                errors.add(line: row.line, column: nil,
                           "the same student, course start and academic year \(row.year) are already on line \(earlier); one row per student per year of a course")
            } else {
                lineOfYear[yearTag] = row.line
            }
        }
    }

    /// Matches each student to the one already held by any identifier; identifiers that belong to
    /// two different students are an error on the row.
    func databaseChecks(context: ImportContext) throws -> [RowError] {
        try context.connection.query(
            """
            CREATE TEMP TABLE student_record_matches ON COMMIT DROP AS
            SELECT s.student_key, array_agg(DISTINCT st.student_id ORDER BY st.student_id) AS student_ids
            FROM staged_student_records s
            JOIN students st ON st.provider_id = $1
                 AND (st.hesa_id = s.hesa_id OR st.institution_id = s.institution_id OR st.uln = s.uln)
            GROUP BY s.student_key
            """, [context.providerID])
        try context.connection.execute(
            """
            UPDATE staged_student_records s SET student_id = m.student_ids[1]
            FROM student_record_matches m WHERE m.student_key = s.student_key AND cardinality(m.student_ids) = 1
            """)
        return try context.connection.query(
            """
            SELECT s.line, array_to_string(m.student_ids, ', ') AS ids
            FROM staged_student_records s JOIN student_record_matches m ON m.student_key = s.student_key
            WHERE cardinality(m.student_ids) > 1 ORDER BY s.line
            """).rows.map { row in
                RowError(fileName: context.fileName, line: try row.decode("line"), column: nil,
                         message: "its identifiers belong to different students already held (student ids \(try row.decode("ids") as String)); correct the HUSID, student number or ULN in the student record system or the file")
            }
    }

    func merge(importID: Int, context: ImportContext) throws -> (inserted: Int, updated: Int)? {
        try StudentRecordsMerge(connection: context.connection, providerID: context.providerID, importID: importID).run()
        return nil
    }
}
