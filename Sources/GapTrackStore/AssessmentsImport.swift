import GapTrackDomain
import Postgres

/// assessments.csv: one result per student per assessment point (docs/import-formats.md).
///
/// An assessment point is (provider, academic year, term, subject, assessment name) and has one
/// scale and the date it was first held; its results are checked against the scale's range here
/// and by the database. Natural key of a result: (assessment point, student); a new result for it
/// replaces the old one.
struct AssessmentsImport: TabularFormat {
    static let columns: [ImportColumn] = [
        ImportColumn("student", required: true), ImportColumn("subject", required: true),
        ImportColumn("assessment", required: true), ImportColumn("scale", required: true),
        // No MIS export has an academic year: `FileAcademicYear` gives rows without one theirs.
        ImportColumn("academic_year"), ImportColumn("term", required: true),
        ImportColumn("date", required: true), ImportColumn("result", required: true),
    ]
    static let stagingTable = "staged_results"
    /// A result names its assessment point by number (`AssessmentPoints.number`): the points of
    /// a file are few (18 in the benchmark's 11.3 million results), and an integer keeps the
    /// staging rows small and the repeated-result check a grouping on two integers.
    static let stagingColumns: [(name: String, type: String)] = [
        ("student", "text"), ("student_id", "bigint"), ("point_number", "integer"),
        ("assessed_on", "date"), ("score", "numeric"), ("result_text", "text"),
    ]

    private let providerKind: ProviderKind
    /// The provider's students, resolved here as the attendance import does, so that no
    /// statement has to rewrite every staged row to fill in the student's id.
    private let directory: StudentDirectory
    /// The year of rows without an academic_year (`FileAcademicYear`): given, or inferred from
    /// the results' dates.
    private let fileYear: AcademicYear?
    private var points = AssessmentPoints()
    private var students = Memo<String>()
    private var scales = Memo<AssessmentScale>()
    private var terms = Memo<Term>()
    private var dates = Memo<CalendarDate>()
    private var scores = Memo<Double>()

    init(context: ImportContext) throws {
        try self.init(context: context, fileYear: FileAcademicYear.resolve(context: context, yearColumn: "academic_year", dateColumns: ["date"]))
    }

    /// `fileYear`: the year of rows that name none, already resolved by the caller.
    init(context: ImportContext, fileYear: AcademicYear?) throws {
        providerKind = context.provider.kind
        directory = try StudentDirectory(providerID: context.providerID, connection: context.connection)
        self.fileYear = fileYear
    }

    /// What one result's assessment point is: from the row's columns (or `--fill`), and from a
    /// wide marksheet's header.
    struct PointFields {
        var subject: String?
        var name: String?
        var scale: AssessmentScale?
        var year: AcademicYear?
        var term: Term?
        var date: CalendarDate?
    }

    mutating func validate(_ row: inout RowContext) -> [String?]? {
        let student = student(&row)
        let fields = pointFields(&row, readSubject: true, readYear: true, readTerm: true)
        guard let resultText = row.required("result", expected: "the result on the scale"), let student else { return nil }
        return stage(&row, student: student, point: fields, result: resultText, resultColumn: "result")
    }

    /// The row's student, normalised (not yet looked up).
    mutating func student(_ row: inout RowContext) -> String? {
        let kind = providerKind
        return row.parse("student", required: true, expected: "the student's identifier") { (text: String) throws(FieldProblem) -> String in
            try students(text) { (text: String) throws(FieldProblem) -> String in try StudentIdentifiers.normalise(text, providerKind: kind) }
        }
    }

    /// The point's fields the row gives; each missing one is an error naming its column. A wide
    /// marksheet reads the subject, and the year and term where its headers give them, from the
    /// header instead.
    mutating func pointFields(_ row: inout RowContext, readSubject: Bool, readYear: Bool, readTerm: Bool) -> PointFields {
        var fields = PointFields()
        if readSubject { fields.subject = row.required("subject", expected: "a subject, e.g. maths") }
        fields.name = row.required("assessment", expected: "the assessment's name, e.g. Autumn mock")
        fields.scale = row.parse("scale", required: true, expected: "a scale") { (text: String) throws(FieldProblem) -> AssessmentScale in
            try scales(text, AssessmentResultRules.scale)
        }
        if readYear {
            fields.year = row.parse("academic_year", required: fileYear == nil, expected: "an academic year such as 2024/25", AssessmentResultRules.academicYear)
            if row.text("academic_year") == nil { fields.year = fileYear }
        }
        if readTerm {
            fields.term = row.parse("term", required: true, expected: "autumn, spring or summer") { (text: String) throws(FieldProblem) -> Term in
                try terms(text, AssessmentResultRules.term)
            }
        }
        fields.date = row.parse("date", required: true, expected: "the date it was taken") { (text: String) throws(FieldProblem) -> CalendarDate in
            try dates(text, AssessmentResultRules.date)
        }
        return fields
    }

    /// One result's staging fields, or nil after recording on `row` why not; a problem with the
    /// result itself names `resultColumn` (a wide marksheet's subject column).
    mutating func stage(_ row: inout RowContext, student: String, point fields: PointFields, result resultText: String,
                        resultColumn: String) -> [String?]? {
        var score: Double?
        if let scale = fields.scale {
            if let problem = TextLimit.result.problem(resultText), resultColumn != "result" {
                row.fail(resultColumn, problem)
                return nil
            }
            do throws(FieldProblem) {
                score = try scores(scale.rawValue + "\u{0}" + resultText) { (_: String) throws(FieldProblem) -> Double in
                    try AssessmentResultRules.score(resultText, on: scale)
                }
            } catch {
                row.fail(resultColumn, error.message)
            }
        }
        if let year = fields.year, let date = fields.date, let text = row.text("date") {
            do { try AssessmentResultRules.inYear(date, text: text, year: year) } catch { row.fail("date", error.message) }
        }
        guard row.isValid, let subject = fields.subject, let name = fields.name, let scale = fields.scale, let year = fields.year,
              let term = fields.term, let date = fields.date, let score else {
            return nil
        }
        let point = AssessmentPoints.Key(academicYear: year.description, term: term.rawValue, subject: subject, name: name)
        let number: Int
        switch points.number(of: point, scale: scale, line: row.line) {
        case .number(let found):
            number = found
        case .otherScale(let earlierScale, let earlierLine):
            row.fail("scale", "'\(row.text("scale")!)' differs from line \(earlierLine), which puts \(subject) '\(name)' (\(year) \(term)) on \(earlierScale.rawValue); an assessment has one scale")
            return nil
        }
        guard let studentID = studentID(&row, student: student) else { return nil }
        let scoreText = scale.isWholeNumber ? String(Int(score)) : Self.decimalText(resultText, score: score)
        return [student, studentID, String(number), date.isoString, scoreText, resultText]
    }

    /// The student's id, or nil after saying on `row` why the identifier names no one.
    func studentID(_ row: inout RowContext, student: String) -> String? {
        let rank = directory.rank(of: student)
        guard rank >= 0 else {
            row.fail("student", directory.lookUp(student).problem(student) ?? StudentLookup.unknownMessage(student))
            return nil
        }
        return String(directory.studentIDs[rank])
    }

    /// The score exactly as written when it is a plain decimal (so 67.35 stays 67.35, never a
    /// binary floating-point neighbour), else the parsed value.
    private static func decimalText(_ written: String, score: Double) -> String {
        var text = RowContext.trimmed(written)
        if text.hasSuffix("%") { text = RowContext.trimmed(String(text.dropLast())) }
        return Double(text) == score ? text : String(score)
    }

    /// The file's assessment points, for the checks and the merge.
    mutating func finishReading(errors: inout RowErrors, context: ImportContext) throws {
        try points.stage(connection: context.connection)
    }

    func databaseChecks(context: ImportContext) throws -> [RowError] {
        var errors: [RowError] = []
        // A second result for the same student on the same assessment point, found on the server,
        // so the client need not hold every key of a large file in memory. Grouping on the
        // resolved student also catches one pupil named by UPN on one line and ULN on another.
        let repeated = try context.connection.query(
            """
            SELECT s.line, s.student, p.subject, p.name, p.academic_year, p.term::text AS term, d.first_line
            FROM (SELECT point_number, student_id, min(line) AS first_line FROM staged_results
                  GROUP BY point_number, student_id HAVING count(*) > 1) d
            JOIN staged_results s ON s.point_number = d.point_number AND s.student_id = d.student_id AND s.line > d.first_line
            JOIN staged_points p ON p.point_number = d.point_number
            ORDER BY s.line
            """).rows
        for row in repeated {
            let (student, subject, name): (String, String, String) = (try row.decode("student"), try row.decode("subject"), try row.decode("name"))
            let (year, term): (String, String) = (try row.decode("academic_year"), try row.decode("term"))
            let first: Int = try row.decode("first_line")
            errors.append(RowError(fileName: context.fileName, line: try row.decode("line"), column: nil,
                                   message: "is a second result for '\(student)' in \(subject) '\(name)' (\(year) \(term)); the first is on line \(first)"))
        }
        // Points held on another scale first (a handful of rows), then, only if there are any,
        // their lines: with no clash, the staged results are not read at all.
        let clashing = try context.connection.query(
            """
            SELECT sp.point_number, p.scale::text AS held_scale, sp.scale::text AS file_scale
            FROM staged_points sp
            JOIN assessment_points p ON p.provider_id = $1 AND p.academic_year = sp.academic_year AND p.term = sp.term
                                    AND p.subject = sp.subject AND p.name = sp.name
            WHERE p.scale <> sp.scale
            """, [context.providerID]).rows
        var scalesOfPoint: [Int: (held: String, given: String)] = [:]
        for row in clashing {
            scalesOfPoint[try row.decode("point_number")] = (try row.decode("held_scale"), try row.decode("file_scale"))
        }
        guard !scalesOfPoint.isEmpty else { return errors }
        let lines = try context.connection.query(
            "SELECT line, point_number FROM staged_results WHERE point_number = ANY($1::integer[]) ORDER BY line",
            [scalesOfPoint.keys.sorted()]).rows
        for row in lines {
            let scales = scalesOfPoint[try row.decode("point_number")]!
            errors.append(RowError(fileName: context.fileName, line: try row.decode("line"), column: "scale",
                                   message: "'\(scales.given)' differs from the scale \(scales.held) this assessment already has; an assessment has one scale (give a new assessment a new name)"))
        }
        return errors
    }

    /// Points first (created, or moved to an earlier first date), then results: a plain INSERT,
    /// in primary-key order, for points that have no results yet (a first load cannot conflict,
    /// skips the speculative insertion of an upsert, and appends to the key's index; timings in
    /// BENCHMARKS.md), an upsert of only the new and changed results for the others.
    func merge(importID: Int, context: ImportContext) throws -> (inserted: Int, updated: Int)? {
        try context.connection.query(
            """
            WITH held AS (SELECT point_number, min(assessed_on) AS held_on FROM staged_results GROUP BY point_number)
            INSERT INTO assessment_points AS p (provider_id, subject, name, scale, academic_year, term, held_on, import_id)
            SELECT $1::bigint, sp.subject, sp.name, sp.scale, sp.academic_year, sp.term, held.held_on, $2::bigint
            FROM staged_points sp JOIN held USING (point_number)
            ON CONFLICT (provider_id, academic_year, term, subject, name) DO UPDATE SET held_on = EXCLUDED.held_on
            WHERE EXCLUDED.held_on < p.held_on
            """, [context.providerID, importID])
        try context.connection.query(
            """
            UPDATE staged_points sp SET assessment_point_id = p.assessment_point_id,
                has_results = EXISTS (SELECT FROM assessment_results r WHERE r.provider_id = $1 AND r.assessment_point_id = p.assessment_point_id)
            FROM assessment_points p
            WHERE p.provider_id = $1 AND p.academic_year = sp.academic_year AND p.term = sp.term
              AND p.subject = sp.subject AND p.name = sp.name
            """, [context.providerID])
        let inserted = try context.connection.query(
            """
            INSERT INTO assessment_results (provider_id, assessment_point_id, scale, student_id, score, result_text, assessed_on, import_id)
            SELECT $2, sp.assessment_point_id, sp.scale, s.student_id, s.score, s.result_text, s.assessed_on, $1
            FROM staged_results s JOIN staged_points sp ON sp.point_number = s.point_number AND NOT sp.has_results
            ORDER BY sp.assessment_point_id, s.student_id
            """, [importID, context.providerID]).affectedRows
        let upserted = try context.connection.query(
            """
            WITH written AS (
                INSERT INTO assessment_results AS r (provider_id, assessment_point_id, scale, student_id, score, result_text, assessed_on, import_id)
                SELECT $2, sp.assessment_point_id, sp.scale, s.student_id, s.score, s.result_text, s.assessed_on, $1
                FROM staged_results s JOIN staged_points sp ON sp.point_number = s.point_number AND sp.has_results
                -- Only new and changed results reach the upsert: one join, instead of a
                -- speculative insertion and a conflict for every unchanged row of a re-import.
                LEFT JOIN assessment_results held
                  ON held.provider_id = $2 AND held.assessment_point_id = sp.assessment_point_id AND held.student_id = s.student_id
                WHERE (held.score, held.result_text, held.assessed_on) IS DISTINCT FROM (s.score, s.result_text, s.assessed_on)
                ON CONFLICT (provider_id, assessment_point_id, student_id) DO UPDATE SET
                    score = EXCLUDED.score, result_text = EXCLUDED.result_text, assessed_on = EXCLUDED.assessed_on,
                    import_id = EXCLUDED.import_id, updated_at = now()
                WHERE (r.score, r.result_text, r.assessed_on) IS DISTINCT FROM (EXCLUDED.score, EXCLUDED.result_text, EXCLUDED.assessed_on)
                RETURNING (r.xmax = 0) AS was_inserted
            )
            SELECT count(*) FILTER (WHERE was_inserted) AS inserted, count(*) FILTER (WHERE NOT was_inserted) AS updated FROM written
            """, [importID, context.providerID]).single()
        return (inserted + (try upserted.decode("inserted") as Int), try upserted.decode("updated"))
    }
}
