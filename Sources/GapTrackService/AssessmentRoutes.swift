import Foundation
import GapTrackDomain
import Hummingbird
import Postgres

/// POST /v1/assessment-results: record results, as assessments.csv does. The assessment point
/// (subject, assessment, term) is created on first use; a student's result on a point replaces
/// the previous one.
struct AssessmentRoutes: Sendable {
    let dependencies: ServiceDependencies

    static let bodyFields: Set<String> = ["results"]
    static let resultFields: Set<String> = ["student", "subject", "assessment", "scale", "academic_year", "term", "date", "result"]
    static let largestBatch = 5_000

    struct Result: Sendable {
        let student: String
        let subject: String
        let assessment: String
        let scale: AssessmentScale
        let term: AcademicTerm
        let date: CalendarDate
        let result: String
        let score: Double
    }

    struct Outcome: Codable, Sendable {
        let received: Int
        let inserted: Int
        let updated: Int
        let unchanged: Int
    }

    func register(on group: RouterGroup<GapTrackRequestContext>) {
        group.post("assessment-results") { request, context in try await record(request, context) }
    }

    static func readResult(_ item: inout FieldReader) -> Result? {
        let student = item.text("student", required: true, maximumLength: 50)
        let subject = item.text("subject", required: true, maximumLength: 100)
        let assessment = item.text("assessment", required: true, maximumLength: 200)
        let scale = item.parsed("scale", required: true) { try AssessmentScale.parse($0) }
        let year = item.parsed("academic_year", required: true) { try AcademicYear(parsing: $0) }
        let term = item.parsed("term", required: true) { text -> Term in
            guard let term = Term(rawValue: text.lowercased()) else { throw TermError(text: text) }
            return term
        }
        let date = item.date("date", required: true)
        let resultText = item.text("result", required: true, maximumLength: 20)
        var score: Double?
        if let scale, let resultText {
            score = item.parsed("result") { _ in try scale.score(resultText) }
        }
        if let year, let date, !year.dateRange.contains(date) {
            item.report("date", .string(date.isoString), "is not in academic year \(year) (\(year.dateRange))")
        }
        guard let student, let subject, let assessment, let scale, let year, let term, let date, let resultText, let score,
            item.problems.isEmpty
        else { return nil }
        return Result(
            student: student, subject: subject, assessment: assessment, scale: scale, term: AcademicTerm(year: year, term: term),
            date: date, result: resultText, score: score)
    }

    func record(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let caller = try context.caller()
        try caller.require(.recordAssessments)
        var fields = FieldReader(try await dependencies.bodies.object(from: request, fields: Self.bodyFields))
        let results = fields.objects("results", maximumCount: Self.largestBatch, fields: Self.resultFields, Self.readResult)
        if let results {
            var seen: [String: Int] = [:]
            for (index, result) in results.enumerated() {
                let key = [result.student, result.subject, result.assessment, result.term.description].joined(separator: "|")
                if let first = seen[key] {
                    fields.report("results[\(index)]", nil, "repeats the result of results[\(first)] for the same student and assessment")
                } else {
                    seen[key] = index
                }
            }
        }
        try fields.finish()
        guard let results else { throw APIError.invalidFields([]) }

        let outcome = try await dependencies.database.run(as: caller, context: context) { connection -> Swift.Result<Outcome, APIError> in
            let ids = try connection.studentIDs(providerID: caller.providerID, identifiers: results.map(\.student))
            let unknown = zip(results.indices, ids).filter { $0.1 == nil }.map(\.0)
            guard unknown.isEmpty else {
                return .failure(.invalidFields(unknown.prefix(100).map {
                    FieldProblem(field: "results[\($0)].student", value: results[$0].student, message: "is not a student of \(caller.providerCode)")
                }))
            }
            // A point already held on another scale cannot take results on this one.
            let clashes = try connection.query(
                """
                SELECT DISTINCT i.position, p.scale::text AS held
                FROM unnest($2::text[], $3::text[], $4::text[], $5::term_name[], $6::assessment_scale[])
                     WITH ORDINALITY AS i(subject, name, academic_year, term, scale, position)
                JOIN assessment_points p ON p.provider_id = $1 AND p.subject = i.subject AND p.name = i.name
                                        AND p.academic_year = i.academic_year AND p.term = i.term AND p.scale <> i.scale
                ORDER BY i.position
                """,
                [caller.providerID] + Self.pointColumns(results)
            ).rows
            if !clashes.isEmpty {
                return .failure(.invalidFields(try clashes.prefix(100).map { row in
                    let index = try row.decode("position", as: Int.self) - 1
                    return FieldProblem(
                        field: "results[\(index)].scale", value: results[index].scale.rawValue,
                        message: "assessment '\(results[index].assessment)' in \(results[index].subject) is already recorded on the \(try row.decode("held", as: String.self)) scale")
                }))
            }
            try connection.query(
                """
                INSERT INTO assessment_points (provider_id, subject, name, academic_year, term, scale)
                SELECT DISTINCT $1::bigint, i.subject, i.name, i.academic_year, i.term, i.scale
                FROM unnest($2::text[], $3::text[], $4::text[], $5::term_name[], $6::assessment_scale[])
                     AS i(subject, name, academic_year, term, scale)
                ON CONFLICT (provider_id, academic_year, term, subject, name) DO NOTHING
                """,
                [caller.providerID] + Self.pointColumns(results))
            let rows = try connection.query(
                """
                INSERT INTO assessment_results AS r (assessment_point_id, scale, student_id, score, result_text, assessed_on)
                SELECT p.assessment_point_id, p.scale, i.student_id, i.score, i.result_text, i.assessed_on
                FROM unnest($2::text[], $3::text[], $4::text[], $5::term_name[], $6::assessment_scale[],
                            $7::bigint[], $8::numeric[], $9::text[], $10::date[])
                     AS i(subject, name, academic_year, term, scale, student_id, score, result_text, assessed_on)
                JOIN assessment_points p ON p.provider_id = $1 AND p.subject = i.subject AND p.name = i.name
                                        AND p.academic_year = i.academic_year AND p.term = i.term
                ON CONFLICT (assessment_point_id, student_id) DO UPDATE
                SET score = EXCLUDED.score, result_text = EXCLUDED.result_text, assessed_on = EXCLUDED.assessed_on,
                    import_id = NULL, updated_at = now()
                WHERE (r.score, r.result_text, r.assessed_on) IS DISTINCT FROM (EXCLUDED.score, EXCLUDED.result_text, EXCLUDED.assessed_on)
                RETURNING (xmax = 0) AS inserted
                """,
                [caller.providerID] + Self.pointColumns(results) + [
                    PostgresArray(ids.map { $0.map(String.init) }), PostgresArray(results.map { JSONValue.plain($0.score) }),
                    PostgresArray(results.map(\.result)), PostgresArray(results.map(\.date.isoString)),
                ]
            ).rows
            let inserted = try rows.filter { try $0.decode("inserted", as: Bool.self) }.count
            return .success(Outcome(
                received: results.count, inserted: inserted, updated: rows.count - inserted, unchanged: results.count - rows.count))
        }
        return try JSONResponse.make(try outcome.get())
    }

    static func pointColumns(_ results: [Result]) -> [any PostgresEncodable] {
        [
            PostgresArray(results.map(\.subject)), PostgresArray(results.map(\.assessment)),
            PostgresArray(results.map(\.term.year.description)), PostgresArray(results.map(\.term.term.rawValue)),
            PostgresArray(results.map(\.scale.rawValue)),
        ]
    }

    struct TermError: Error, CustomStringConvertible {
        let text: String
        var description: String { "'\(text)' is not a term; use autumn, spring or summer" }
    }
}
