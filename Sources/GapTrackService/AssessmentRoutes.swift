import Foundation
import GapTrackDomain
import GapTrackStore
import Hummingbird

/// POST /v1/assessment-results: record results, as assessments.csv does. The assessment point
/// (subject, assessment, term) is created on first use; a student's result on a point replaces
/// the previous one.
struct AssessmentRoutes: Sendable {
    let dependencies: ServiceDependencies

    static let bodyFields: Set<String> = ["results"]
    static let resultFields: Set<String> = ["student", "subject", "assessment", "scale", "academic_year", "term", "date", "result"]
    static let largestBatch = 5_000

    struct Result: Sendable {
        let student: StudentIdentifier
        let subject: String
        let assessment: String
        let scale: AssessmentScale
        let term: AcademicTerm
        let date: CalendarDate
        let result: String
        let score: Double
    }

    func register(on group: RouterGroup<GapTrackRequestContext>) {
        group.post("assessment-results") { request, context in try await record(request, context) }
    }

    static func readResult(_ item: inout FieldReader) -> Result? {
        let student = item.text("student", required: true).map(StudentIdentifier.init)
        let subject = item.text("subject", required: true)
        let assessment = item.text("assessment", required: true)
        let scale = item.checked("scale", required: true, AssessmentResultRules.scale)
        let year = item.checked("academic_year", required: true, AssessmentResultRules.academicYear)
        let term = item.checked("term", required: true, AssessmentResultRules.term)
        let date = item.checked("date", required: true, AssessmentResultRules.date)
        let resultText = item.text("result", required: true)
        var score: Double?
        if let scale, resultText != nil {
            score = item.checked("result") { (text: String) throws(FieldProblem) in try AssessmentResultRules.score(text, on: scale) }
        }
        if let year, let date {
            _ = item.checked("date") { (text: String) throws(FieldProblem) in try AssessmentResultRules.inYear(date, text: text, year: year) }
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
                let key = [result.student.value, result.subject, result.assessment, result.term.description].joined(separator: "|")
                if let first = seen[key] {
                    fields.report("results[\(index)]", nil, "repeats the result of results[\(first)] for the same student and assessment")
                } else {
                    seen[key] = index
                }
            }
        }
        try fields.finish()
        guard let results else { throw APIError.invalidFields([]) }

        let outcome = try await dependencies.database.run(as: caller, context: context) { connection -> Swift.Result<RecordedCounts, APIError> in
            let lookups = try Students(connection: connection).lookUp(results.map(\.student), providerID: caller.providerID)
            let problems = AttendanceRoutes.studentProblems(lookups, identifiers: results.map(\.student), list: "results")
            guard problems.isEmpty else { return .failure(.invalidFields(problems)) }
            let store = AssessmentResults(connection: connection, providerID: caller.providerID)
            let rows = zip(results, lookups).map { result, lookup in
                AssessmentResults.Result(
                    studentID: lookup.studentID!, subject: result.subject, assessment: result.assessment, scale: result.scale,
                    term: result.term, date: result.date, result: result.result, score: result.score)
            }
            // A point already held on another scale cannot take results on this one.
            let clashes = try store.scaleClashes(rows)
            if !clashes.isEmpty {
                return .failure(.invalidFields(clashes.prefix(100).map { clash in
                    let result = results[clash.index]
                    return FieldProblem(
                        field: "results[\(clash.index)].scale", value: result.scale.rawValue,
                        message: "assessment '\(result.assessment)' in \(result.subject) is already recorded on the \(clash.heldScale) scale")
                }))
            }
            return .success(try store.record(rows))
        }
        return try JSONResponse.make(try outcome.get())
    }
}
