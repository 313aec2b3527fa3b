import DisjointSets
import GapTrackDomain
import Postgres

/// students.csv: a student and their enrolment in one academic year, with optional MIS snapshot
/// columns (FSM, SEN, EAL, ...) that become dated markers (docs/import-formats.md).
///
/// Natural keys: a student is matched by any of their identifiers at the provider; an enrolment
/// by (student, academic year). Rows of the file that share an identifier are the same student
/// (a student with rows for several years). Blank optional student fields (gender, ethnicity,
/// identifiers) never erase what is held; the enrolment's fields are replaced by the row's.
struct StudentsImport: TabularFormat {
    static let columns: [ImportColumn] = [
        ImportColumn("upn"), ImportColumn("uln"), ImportColumn("hesa_id"), ImportColumn("institution_id"),
        ImportColumn("legal_surname", required: true), ImportColumn("forename", required: true),
        ImportColumn("date_of_birth", required: true), ImportColumn("gender"), ImportColumn("ethnicity"),
        ImportColumn("academic_year"), ImportColumn("year_group"), ImportColumn("course"),
        ImportColumn("admission_date"), ImportColumn("start_date"), ImportColumn("leave_date"), ImportColumn("leave_reason"),
        ImportColumn("intake_year"),
        ImportColumn("sen_status"), ImportColumn("fsm"), ImportColumn("fsm_ever_6"), ImportColumn("eal"),
        ImportColumn("looked_after"), ImportColumn("pupil_premium"), ImportColumn("former_upn"), ImportColumn("form_group"),
    ]

    /// Free-text columns without a `TextLimit` of their own name: the identifier is a "student".
    static let textLimits: [(column: String, limit: TextLimit)] = [
        ("legal_surname", .other("legal_surname")), ("forename", .other("forename")), ("ethnicity", .other("ethnicity")),
        ("course", .other("course")), ("institution_id", .student),
    ]

    static let stagingTable = "staged_students"
    static let stagingColumns: [(name: String, type: String)] = [
        ("upn", "text"), ("uln", "text"), ("hesa_id", "text"), ("institution_id", "text"),
        ("legal_surname", "text"), ("forename", "text"), ("date_of_birth", "date"), ("gender", "text"), ("ethnicity", "text"),
        ("academic_year", "text"), ("year_group", "text"), ("course", "text"), ("start_date", "date"), ("leave_date", "date"),
        ("leave_reason", "leave_reason"), ("intake_year", "text"), ("as_of", "date"),
    ] + SnapshotColumns.staging + [
        ("former_upn", "text"), ("form_group", "text"),
        ("admission_date", "date"),
    ]
    static let workColumns: [(name: String, type: String)] = [
        ("grp", "integer"), ("student_id", "bigint"), ("new_student", "boolean NOT NULL DEFAULT false"),
    ]

    private let providerKind: ProviderKind
    private let asOf: CalendarDate?
    /// The year of rows without an academic_year (`FileAcademicYear`).
    private let fileYear: AcademicYear?
    /// What the within-file checks need of each valid row.
    private var keys: [RowKeys] = []
    private var snapshot = SnapshotColumns()

    private struct RowKeys {
        let line: Int
        let identifiers: [String?] // upn, uln, hesa_id, institution_id
        let academicYear: String
    }

    init(context: ImportContext) throws {
        providerKind = context.provider.kind
        asOf = context.options.asOf
        fileYear = try FileAcademicYear.resolve(context: context, yearColumn: "academic_year", dateColumns: ["start_date", "leave_date"])
    }

    mutating func validate(_ row: inout RowContext) -> [String?]? {
        let upn = row.parse("upn", expected: "a UPN", StudentIdentifiers.upn)
        // The UPN the pupil had before (usually a temporary one): links the records (docs/methodology.md §2.4).
        let formerUPN = row.parse("former_upn", expected: "a UPN", StudentIdentifiers.upn)
        if let upn, let formerUPN, upn == formerUPN {
            row.fail("former_upn", "'\(formerUPN)' is the same as the upn; a former UPN is the one the pupil had before")
        }
        let uln = row.parse("uln", expected: "a ULN", StudentIdentifiers.uln)
        let hesaID = row.parse("hesa_id", expected: "a HESA student identifier", StudentIdentifiers.hesaID)
        // Stored in the form every door looks it up by (`StudentIdentifier`).
        let institutionID = row.text("institution_id").map(StudentIdentifier.normalised)
        if row.text("upn") == nil && row.text("uln") == nil && row.text("hesa_id") == nil && institutionID == nil {
            row.fail(nil, "has no student identifier; give at least one of upn, uln, hesa_id and institution_id")
        }
        // The service's limit for these fields, which sql/020_text_limits.sql also holds the tables to.
        row.checkLimits(Self.textLimits)
        let surname = row.required("legal_surname", expected: "the student's legal surname")
        let forename = row.required("forename", expected: "the student's forename")
        let birth = row.parse("date_of_birth", required: true, expected: "a date of birth", FieldParsers.date)
        let gender = row.parse("gender", expected: "F, M, X or U", FieldParsers.gender)
        let year = row.text("academic_year") == nil
            ? fileYear : row.parse("academic_year", expected: "an academic year such as 2024/25", FieldParsers.academicYear)
        let yearGroup = row.parse("year_group", required: providerKind == .school,
                                  expected: "a year group (R, 1 to 14), which a school's students need", FieldParsers.yearGroup)
        let course = row.text("course")
        if providerKind != .school && course == nil {
            row.fail("course", "is empty; a \(providerKind)'s students need a course or programme code")
        }
        // The on-roll date: the day the pupil joined the school, often years before this enrolment.
        let admission = row.parse("admission_date", expected: "the date the pupil joined the school", FieldParsers.date)
        var start = row.parse("start_date", expected: "the enrolment's start date", FieldParsers.date)
        if row.text("start_date") == nil && row.text("admission_date") == nil {
            row.fail(nil, "has neither an admission_date (the day the pupil joined the school) nor a start_date (the day this enrolment began); give one")
        }
        let leave = row.parse("leave_date", expected: "a date", FieldParsers.date)
        let leaveReason = row.parse("leave_reason", expected: "a leave reason", FieldParsers.leaveReason)
        let intake = row.parse("intake_year", expected: "an academic year", FieldParsers.academicYear)
        if let year, let admission {
            if admission > year.endDate {
                row.fail("admission_date", "'\(row.text("admission_date")!)' is after the end of academic year \(year) (\(year.endDate.ukString)); a pupil admitted then belongs in that year's file")
            } else if start == nil {
                // Admitted before this year: on roll from the year's first day (docs/import-formats.md).
                start = max(admission, year.startDate)
            }
        }
        if let admission, let start, start < admission {
            row.fail("start_date", "'\(row.text("start_date")!)' is before the admission date \(admission.ukString); a pupil cannot be enrolled before joining the school")
        }
        if let year {
            if let start, row.text("start_date") != nil, !year.dateRange.contains(start) {
                row.fail("start_date", "'\(row.text("start_date")!)' is not in academic year \(year) (\(year.startDate.ukString) to \(year.endDate.ukString))")
            }
            if let leave, leave > year.endDate {
                row.fail("leave_date", "'\(row.text("leave_date")!)' is after the end of academic year \(year) (\(year.endDate.ukString)); record later years on their own rows")
            }
            if let intake, intake > year {
                row.fail("intake_year", "'\(intake)' is after the row's academic year \(year); the intake year is when the student started the course")
            }
        }
        if let start, let leave, leave < start {
            row.fail("leave_date", "'\(row.text("leave_date")!)' is before the start date \(start.ukString)")
        }
        if let joined = admission ?? start, let birth, birth >= joined {
            row.fail("date_of_birth", "'\(row.text("date_of_birth")!)' is not before the \(admission == nil ? "start" : "admission") date \(joined.ukString)")
        }
        if leaveReason != nil && row.text("leave_date") == nil {
            row.fail("leave_reason", "is given but leave_date is empty; a leave reason needs the date the student left")
        }
        let flags = snapshot.read(&row)
        // The registration group of this enrolment (docs/methodology.md §7.8); blank keeps the one held.
        let formGroup = row.parse("form_group", expected: "a form group of up to 32 characters, e.g. 11B") { (text: String) throws(FieldProblem) -> String in
            guard text.count <= 32 else { throw FieldProblem("'\(text.prefix(40))…' is longer than 32 characters; a form group is a short name such as 11B") }
            return text
        }
        guard row.isValid, let surname, let forename, let birth, let year, let start else { return nil }
        keys.append(RowKeys(line: row.line, identifiers: [upn, uln, hesaID, institutionID], academicYear: year.description))
        let snapshotDate = asOf ?? start
        return [
            upn, uln, hesaID, institutionID, surname, forename, birth.isoString, gender, row.text("ethnicity"),
            year.description, yearGroup, course, start.isoString, leave?.isoString, leaveReason, intake?.description,
            snapshotDate.isoString,
        ] + flags + [formerUPN, formGroup, admission?.isoString]
    }

    /// Groups the rows that are one student (shared identifiers), and rejects a group whose rows
    /// disagree about an identifier or that has two rows for one academic year.
    mutating func finishReading(errors: inout RowErrors, context: ImportContext) throws {
        var sets = DisjointSets(count: keys.count)
        func root(_ index: Int) -> Int { sets.root(of: index) }
        var firstRowWith: [String: Int] = [:]
        for (index, key) in keys.enumerated() {
            for (kind, identifier) in key.identifiers.enumerated() {
                guard let identifier else { continue }
                let tag = "\(kind):\(identifier)"
                if let other = firstRowWith[tag] {
                    sets.join(index, into: other)
                } else {
                    firstRowWith[tag] = index
                }
            }
        }
        let names = ["UPN", "ULN", "HESA id", "institution id"]
        var members: [Int: [Int]] = [:]
        for index in keys.indices { members[root(index), default: []].append(index) }
        var groupOfLine: [(line: Int, group: Int)] = []
        for (group, indices) in members {
            for (kind, name) in names.enumerated() {
                let values = Set(indices.compactMap { keys[$0].identifiers[kind] })
                guard values.count > 1 else { continue }
                let lines = indices.map { keys[$0].line }.sorted()
                for index in indices where keys[index].identifiers[kind] != nil {
                    errors.add(line: keys[index].line, column: nil,
                               "rows \(lines.map(String.init).joined(separator: ", ")) share an identifier, so they are one student, but give different \(name)s (\(values.sorted().map { "'\($0)'" }.joined(separator: ", "))); correct the identifiers")
                }
            }
            var lineOfYear: [String: Int] = [:]
            for index in indices.sorted(by: { keys[$0].line < keys[$1].line }) {
                let key = keys[index]
                if let earlier = lineOfYear[key.academicYear] {
                    errors.add(line: key.line, column: nil,
                               "the same student already has a row for \(key.academicYear) on line \(earlier); one enrolment per student per academic year")
                } else {
                    lineOfYear[key.academicYear] = key.line
                }
                groupOfLine.append((key.line, group))
            }
        }
        try context.connection.execute("CREATE TEMP TABLE student_groups (line integer PRIMARY KEY, grp integer NOT NULL) ON COMMIT DROP")
        try context.connection.copyIn("COPY student_groups (line, grp) FROM STDIN") { writer in
            for entry in groupOfLine { try writer.writeRow([String(entry.line), String(entry.group)]) }
        }
        try context.connection.execute("UPDATE staged_students s SET grp = g.grp FROM student_groups g WHERE g.line = s.line")
    }

    /// Matches each group of rows to the student already held, by any identifier; a group whose
    /// identifiers belong to two different students is an error on each of its rows.
    func databaseChecks(context: ImportContext) throws -> [RowError] {
        try context.connection.query(
            """
            CREATE TEMP TABLE student_matches ON COMMIT DROP AS
            SELECT grp, array_agg(DISTINCT student_id ORDER BY student_id) AS student_ids FROM (
                SELECT s.grp, st.student_id FROM staged_students s JOIN students st ON st.provider_id = $1 AND st.upn = s.upn
                UNION ALL
                SELECT s.grp, st.student_id FROM staged_students s JOIN students st ON st.provider_id = $1 AND st.upn = s.former_upn
                UNION ALL
                SELECT s.grp, f.student_id FROM staged_students s
                JOIN (SELECT student_id, unnest(former_upns) AS upn FROM students
                      WHERE provider_id = $1 AND former_upns <> '{}') f ON f.upn = s.upn
                UNION ALL
                SELECT s.grp, st.student_id FROM staged_students s JOIN students st ON st.provider_id = $1 AND st.uln = s.uln
                UNION ALL
                SELECT s.grp, st.student_id FROM staged_students s JOIN students st ON st.provider_id = $1 AND st.hesa_id = s.hesa_id
                UNION ALL
                SELECT s.grp, st.student_id FROM staged_students s JOIN students st ON st.provider_id = $1 AND st.institution_id = s.institution_id
            ) m GROUP BY grp
            """, [context.providerID])
        try context.connection.execute(
            """
            UPDATE staged_students s SET student_id = m.student_ids[1]
            FROM student_matches m WHERE m.grp = s.grp AND cardinality(m.student_ids) = 1;
            ANALYZE staged_students
            """)
        let conflicts = try context.connection.query(
            """
            SELECT s.line, array_to_string(m.student_ids, ', ') AS ids
            FROM staged_students s JOIN student_matches m ON m.grp = s.grp
            WHERE cardinality(m.student_ids) > 1 ORDER BY s.line
            """).rows
        return try conflicts.map { row in
            RowError(fileName: context.fileName, line: try row.decode("line"), column: nil,
                     message: "its identifiers belong to different students already held (student ids \(try row.decode("ids") as String)): one identifier is probably on the wrong student; correct it in the MIS or the file")
        } + MarkerReconciliation.snapshotContradictions(snapshotSQL: StudentsMerge.snapshotColumns, context: context)
    }

    func merge(importID: Int, context: ImportContext) throws -> (inserted: Int, updated: Int)? {
        try StudentsMerge(connection: context.connection, providerID: context.providerID, importID: importID).run()
        return nil
    }

    func notices(context: ImportContext) throws -> [String] {
        try ProbableDuplicates.find(.stagedStudents, providerID: context.providerID, connection: context.connection)
    }
}
