import GapTrackDomain
import Postgres

/// Assessment results written one batch at a time (POST /v1/assessment-results). The
/// assessment point (subject, assessment, term) is created on first use; a student's result on
/// a point replaces the previous one.
public struct AssessmentResults {
    let connection: PostgresConnection
    let providerID: Int

    public init(connection: PostgresConnection, providerID: Int) {
        self.connection = connection
        self.providerID = providerID
    }

    public struct Result: Sendable {
        public let studentID: Int
        public let subject: String
        public let assessment: String
        public let scale: AssessmentScale
        public let term: AcademicTerm
        public let date: CalendarDate
        public let result: String
        public let score: Double

        public init(
            studentID: Int, subject: String, assessment: String, scale: AssessmentScale, term: AcademicTerm, date: CalendarDate,
            result: String, score: Double
        ) {
            self.studentID = studentID
            self.subject = subject
            self.assessment = assessment
            self.scale = scale
            self.term = term
            self.date = date
            self.result = result
            self.score = score
        }
    }

    /// A result whose assessment point is already held on another scale.
    public struct ScaleClash: Sendable, Equatable {
        /// The result's position in the batch, from 0.
        public let index: Int
        public let heldScale: String
    }

    /// Results whose assessment point is already held on another scale: such a point cannot
    /// take results on this one.
    public func scaleClashes(_ results: [Result]) throws -> [ScaleClash] {
        try connection.query(
            """
            SELECT DISTINCT i.position, p.scale::text AS held
            FROM unnest($2::text[], $3::text[], $4::text[], $5::term_name[], $6::assessment_scale[])
                 WITH ORDINALITY AS i(subject, name, academic_year, term, scale, position)
            JOIN assessment_points p ON p.provider_id = $1 AND p.subject = i.subject AND p.name = i.name
                                    AND p.academic_year = i.academic_year AND p.term = i.term AND p.scale <> i.scale
            ORDER BY i.position
            """,
            [providerID] + Self.pointColumns(results)
        ).rows.map { row in
            ScaleClash(index: try row.decode("position", as: Int.self) - 1, heldScale: try row.decode("held"))
        }
    }

    /// Creates the points the batch names and writes its results, in two statements.
    public func record(_ results: [Result]) throws -> RecordedCounts {
        try connection.query(
            """
            INSERT INTO assessment_points (provider_id, subject, name, academic_year, term, scale)
            SELECT DISTINCT $1::bigint, i.subject, i.name, i.academic_year, i.term, i.scale
            FROM unnest($2::text[], $3::text[], $4::text[], $5::term_name[], $6::assessment_scale[])
                 AS i(subject, name, academic_year, term, scale)
            ON CONFLICT (provider_id, academic_year, term, subject, name) DO NOTHING
            """,
            [providerID] + Self.pointColumns(results))
        let rows = try connection.query(
            """
            INSERT INTO assessment_results AS r (provider_id, assessment_point_id, scale, student_id, score, result_text, assessed_on)
            SELECT p.provider_id, p.assessment_point_id, p.scale, i.student_id, i.score, i.result_text, i.assessed_on
            FROM unnest($2::text[], $3::text[], $4::text[], $5::term_name[], $6::assessment_scale[],
                        $7::bigint[], $8::numeric[], $9::text[], $10::date[])
                 AS i(subject, name, academic_year, term, scale, student_id, score, result_text, assessed_on)
            JOIN assessment_points p ON p.provider_id = $1 AND p.subject = i.subject AND p.name = i.name
                                    AND p.academic_year = i.academic_year AND p.term = i.term
            ON CONFLICT (provider_id, assessment_point_id, student_id) DO UPDATE
            SET score = EXCLUDED.score, result_text = EXCLUDED.result_text, assessed_on = EXCLUDED.assessed_on,
                import_id = NULL, updated_at = now()
            WHERE (r.score, r.result_text, r.assessed_on) IS DISTINCT FROM (EXCLUDED.score, EXCLUDED.result_text, EXCLUDED.assessed_on)
            RETURNING (xmax = 0) AS inserted
            """,
            [providerID] + Self.pointColumns(results) + [
                results.map(\.studentID), results.map { Self.scoreText($0.score) },
                results.map(\.result), results.map(\.date.isoString),
            ]
        ).rows
        let inserted = try rows.filter { try $0.decode("inserted", as: Bool.self) }.count
        return RecordedCounts(received: results.count, inserted: inserted, updated: rows.count - inserted, unchanged: results.count - rows.count)
    }

    private static func pointColumns(_ results: [Result]) -> [any PostgresEncodable] {
        [
            results.map(\.subject), results.map(\.assessment), results.map(\.term.year.description),
            results.map(\.term.term.rawValue), results.map(\.scale.rawValue),
        ]
    }

    /// Whole scores as integers ("7", not "7.0"), so the stored numeric has the scale the
    /// imports give it.
    private static func scoreText(_ score: Double) -> String {
        if score == score.rounded(), abs(score) < 1e15 { return String(Int(score)) }
        return "\(score)"
    }
}

/// The rules an assessment result's fields must meet, whichever door it comes in by:
/// assessments.csv and POST /v1/assessment-results read their fields through here, so the same
/// bad value gets the same message from each (docs/methodology.md §4).
public enum AssessmentResultRules {
    /// The format's short names (`ks2_scaled`, `standardised`) and every spelling the domain knows.
    public static func scale(_ text: String) throws(FieldProblem) -> AssessmentScale {
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

    public static func academicYear(_ text: String) throws(FieldProblem) -> AcademicYear { try FieldParsers.academicYear(text) }

    public static func term(_ text: String) throws(FieldProblem) -> Term { try FieldParsers.term(text) }

    public static func date(_ text: String) throws(FieldProblem) -> CalendarDate { try FieldParsers.date(text) }

    /// The result's score on its scale.
    public static func score(_ text: String, on scale: AssessmentScale) throws(FieldProblem) -> Double {
        do { return try scale.score(text) } catch { throw FieldProblem(String(describing: error)) }
    }

    /// A result is dated within its academic year; `text` is the date as it was sent.
    public static func inYear(_ date: CalendarDate, text: String, year: AcademicYear) throws(FieldProblem) {
        guard year.dateRange.contains(date) else {
            throw FieldProblem("'\(text)' is not in academic year \(year) (\(year.startDate.ukString) to \(year.endDate.ukString))")
        }
    }
}
