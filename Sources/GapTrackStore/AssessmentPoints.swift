import GapTrackDomain
import Postgres

/// The assessment points an assessments file names, numbered in the order they first appear.
///
/// Why: a file of 11.3 million results names 18 points; each staged result carries the point's
/// number instead of its four text fields, and the server finds repeated results by grouping on
/// (point number, student id). The scale is checked here, per point, with the line that first
/// gave it.
struct AssessmentPoints {
    /// The natural key of an assessment point within a provider (the unique key of `assessment_points`).
    struct Key: Hashable {
        let academicYear: String
        let term: String
        let subject: String
        let name: String
    }

    /// The point's number, or the scale and line that first gave the point another scale.
    enum Lookup {
        case number(Int)
        case otherScale(AssessmentScale, line: Int)
    }

    private var numbers: [Key: (number: Int, scale: AssessmentScale, line: Int)] = [:]
    private var order: [(key: Key, scale: AssessmentScale)] = []

    mutating func number(of key: Key, scale: AssessmentScale, line: Int) -> Lookup {
        if let known = numbers[key] {
            return known.scale == scale ? .number(known.number) : .otherScale(known.scale, line: known.line)
        }
        let number = order.count
        numbers[key] = (number, scale, line)
        order.append((key, scale))
        return .number(number)
    }

    /// Writes the points to the temporary table `staged_points`, which the checks and the merge
    /// join to `staged_results`; the merge fills in each point's id and whether it holds results.
    func stage(connection: PostgresConnection) throws {
        try connection.execute(
            """
            CREATE TEMP TABLE staged_points (point_number integer PRIMARY KEY, subject text NOT NULL, name text NOT NULL,
                scale assessment_scale NOT NULL, academic_year text NOT NULL, term term_name NOT NULL,
                assessment_point_id bigint, has_results boolean NOT NULL DEFAULT false) ON COMMIT DROP
            """)
        try connection.copyIn("COPY staged_points (point_number, subject, name, scale, academic_year, term) FROM STDIN") { writer in
            for (number, point) in order.enumerated() {
                try writer.writeRow([String(number), point.key.subject, point.key.name, point.scale.rawValue,
                                     point.key.academicYear, point.key.term])
            }
        }
        try connection.execute("ANALYZE staged_points")
    }
}
