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
        ImportColumn("academic_year", required: true), ImportColumn("term", required: true),
        ImportColumn("date", required: true), ImportColumn("result", required: true),
    ]
    static let stagingTable = "staged_results"
    static let stagingColumns: [(name: String, type: String)] = [
        ("student", "text"), ("subject", "text"), ("name", "text"), ("scale", "assessment_scale"),
        ("academic_year", "text"), ("term", "term_name"), ("assessed_on", "date"), ("score", "numeric"), ("result_text", "text"),
    ]
    static let workColumns: [(name: String, type: String)] = [("student_id", "bigint"), ("assessment_point_id", "bigint")]

    private let providerKind: ProviderKind
    private var students = Memo<String>()
    private var scales = Memo<AssessmentScale>()
    private var terms = Memo<Term>()
    private var dates = Memo<CalendarDate>()
    private var scores = Memo<Double>()
    private var lineOfResult: [String: Int] = [:]
    private var scaleOfPoint: [String: (scale: AssessmentScale, line: Int)] = [:]

    init(context: ImportContext) throws {
        providerKind = context.provider.kind
    }

    /// The format's short names (`ks2_scaled`, `standardised`) and every spelling the domain knows.
    static func scale(_ text: String) throws(FieldProblem) -> AssessmentScale {
        switch ColumnMapping.key(text) {
        case "ks2scaled", "ks2": return .ks2ScaledScore
        case "standardised", "standardized", "standardisedscore": return .standardisedScore
        case "gcse", "gcse91": return .gcse
        default: break
        }
        do { return try AssessmentScale.parse(text) } catch {
            throw FieldProblem("'\(text)' is not a scale; expected ks2_scaled, gcse, standardised, percentage, he_mark or degree_class")
        }
    }

    mutating func validate(_ row: inout RowContext) -> [String?]? {
        let kind = providerKind
        let student = row.parse("student", required: true, expected: "the student's identifier") { (text: String) throws(FieldProblem) -> String in
            try students(text) { (text: String) throws(FieldProblem) -> String in try StudentIdentifiers.normalise(text, providerKind: kind) }
        }
        let subject = row.required("subject", expected: "a subject, e.g. maths")
        let name = row.required("assessment", expected: "the assessment's name, e.g. Autumn mock")
        let scale = row.parse("scale", required: true, expected: "a scale") { (text: String) throws(FieldProblem) -> AssessmentScale in
            try scales(text, Self.scale)
        }
        let year = row.parse("academic_year", required: true, expected: "an academic year such as 2024/25", FieldParsers.academicYear)
        let term = row.parse("term", required: true, expected: "autumn, spring or summer") { (text: String) throws(FieldProblem) -> Term in
            try terms(text, FieldParsers.term)
        }
        let date = row.parse("date", required: true, expected: "the date it was taken") { (text: String) throws(FieldProblem) -> CalendarDate in
            try dates(text, FieldParsers.date)
        }
        let resultText = row.required("result", expected: "the result on the scale")
        var score: Double?
        if let scale, let resultText {
            do throws(FieldProblem) {
                score = try scores(scale.rawValue + "\u{0}" + resultText) { (_: String) throws(FieldProblem) -> Double in
                    do { return try scale.score(resultText) } catch { throw FieldProblem(String(describing: error)) }
                }
            } catch {
                row.fail("result", error.message)
            }
        }
        if let year, let date, !year.dateRange.contains(date) {
            row.fail("date", "'\(row.text("date")!)' is not in academic year \(year) (\(year.startDate.ukString) to \(year.endDate.ukString))")
        }
        guard row.isValid, let student, let subject, let name, let scale, let year, let term, let date, let resultText, let score else {
            return nil
        }
        let point = "\(year)|\(term)|\(subject)|\(name)"
        if let earlier = scaleOfPoint[point], earlier.scale != scale {
            row.fail("scale", "'\(row.text("scale")!)' differs from line \(earlier.line), which puts \(subject) '\(name)' (\(year) \(term)) on \(earlier.scale.rawValue); an assessment has one scale")
            return nil
        }
        scaleOfPoint[point] = scaleOfPoint[point] ?? (scale, row.line)
        if let earlier = lineOfResult[point + "|" + student] {
            row.fail(nil, "is a second result for '\(student)' in \(subject) '\(name)' (\(year) \(term)); the first is on line \(earlier)")
            return nil
        }
        lineOfResult[point + "|" + student] = row.line
        let scoreText = scale.isWholeNumber ? String(Int(score)) : Self.decimalText(resultText, score: score)
        return [student, subject, name, scale.rawValue, year.description, term.rawValue, date.isoString, scoreText, resultText]
    }

    /// The score exactly as written when it is a plain decimal (so 67.35 stays 67.35, never a
    /// binary floating-point neighbour), else the parsed value.
    private static func decimalText(_ written: String, score: Double) -> String {
        var text = RowContext.trimmed(written)
        if text.hasSuffix("%") { text = RowContext.trimmed(String(text.dropLast())) }
        return Double(text) == score ? text : String(score)
    }

    func databaseChecks(context: ImportContext) throws -> [RowError] {
        var errors = try StudentIdentifiers.resolve(
            stagingTable: Self.stagingTable, providerID: context.providerID, fileName: context.fileName,
            columnName: "student", connection: context.connection)
        let clashes = try context.connection.query(
            """
            SELECT s.line, p.scale::text AS held_scale, s.scale::text AS file_scale
            FROM staged_results s
            JOIN assessment_points p ON p.provider_id = $1 AND p.academic_year = s.academic_year AND p.term = s.term
                                    AND p.subject = s.subject AND p.name = s.name
            WHERE p.scale <> s.scale ORDER BY s.line
            """, [context.providerID]).rows
        for row in clashes {
            let held: String = try row.decode("held_scale")
            let given: String = try row.decode("file_scale")
            errors.append(RowError(fileName: context.fileName, line: try row.decode("line"), column: "scale",
                                   message: "'\(given)' differs from the scale \(held) this assessment already has; an assessment has one scale (give a new assessment a new name)"))
        }
        return errors
    }

    func merge(importID: Int, context: ImportContext) throws {
        try context.connection.query(
            """
            INSERT INTO assessment_points AS p (provider_id, subject, name, scale, academic_year, term, held_on, import_id)
            SELECT $1::bigint, subject, name, scale, academic_year, term, min(assessed_on), $2::bigint FROM staged_results
            GROUP BY subject, name, scale, academic_year, term
            ON CONFLICT (provider_id, academic_year, term, subject, name) DO UPDATE SET held_on = EXCLUDED.held_on
            WHERE EXCLUDED.held_on < p.held_on
            """, [context.providerID, importID])
        try context.connection.query(
            """
            UPDATE staged_results s SET assessment_point_id = p.assessment_point_id
            FROM assessment_points p
            WHERE p.provider_id = $1 AND p.academic_year = s.academic_year AND p.term = s.term
              AND p.subject = s.subject AND p.name = s.name
            """, [context.providerID])
        try context.connection.query(
            """
            WITH written AS (
                INSERT INTO assessment_results AS r (assessment_point_id, scale, student_id, score, result_text, assessed_on, import_id)
                SELECT assessment_point_id, scale, student_id, score, result_text, assessed_on, $1 FROM staged_results
                ON CONFLICT (assessment_point_id, student_id) DO UPDATE SET
                    score = EXCLUDED.score, result_text = EXCLUDED.result_text, assessed_on = EXCLUDED.assessed_on,
                    import_id = EXCLUDED.import_id, updated_at = now()
                WHERE (r.score, r.result_text, r.assessed_on) IS DISTINCT FROM (EXCLUDED.score, EXCLUDED.result_text, EXCLUDED.assessed_on)
                RETURNING r.assessment_point_id, r.student_id, (r.xmax = 0) AS was_inserted
            )
            UPDATE staged_results s SET inserted = w.was_inserted, changed = true
            FROM written w WHERE w.assessment_point_id = s.assessment_point_id AND w.student_id = s.student_id
            """, [importID])
    }
}
