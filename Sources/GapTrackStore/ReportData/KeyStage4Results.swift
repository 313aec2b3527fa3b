import Foundation
import GapTrackDomain
import Postgres

/// One compared group's counts at one GCSE-scale assessment (`report_ks4_headlines`): what the
/// grade 4+/5+ in English and maths and the Attainment 8 figures are made from
/// (docs/methodology.md §8.3).
public struct KeyStage4GroupCounts: Sendable, Equatable, Codable {
    /// Pupils of the group with any result at the assessment: the measures' denominator.
    public var pupils: Int
    /// Of them, those without an English or a maths result there; they count as not reaching the grade.
    public var withoutEnglishOrMaths: Int
    public var grade4: Int
    public var grade5: Int
    /// Σ and Σ² of the pupils' Attainment 8 points (only meaningful where the results cover the slots).
    public var attainment8Sum: Double
    public var attainment8SumOfSquares: Double

    public init(pupils: Int, withoutEnglishOrMaths: Int, grade4: Int, grade5: Int, attainment8Sum: Double = 0, attainment8SumOfSquares: Double = 0) {
        self.pupils = pupils
        self.withoutEnglishOrMaths = withoutEnglishOrMaths
        self.grade4 = grade4
        self.grade5 = grade5
        self.attainment8Sum = attainment8Sum
        self.attainment8SumOfSquares = attainment8SumOfSquares
    }

    public static let none = KeyStage4GroupCounts(pupils: 0, withoutEnglishOrMaths: 0, grade4: 0, grade5: 0)

    /// The two compared groups together: all pupils of the cohort with results at the assessment.
    public static func + (a: KeyStage4GroupCounts, b: KeyStage4GroupCounts) -> KeyStage4GroupCounts {
        KeyStage4GroupCounts(
            pupils: a.pupils + b.pupils, withoutEnglishOrMaths: a.withoutEnglishOrMaths + b.withoutEnglishOrMaths, grade4: a.grade4 + b.grade4,
            grade5: a.grade5 + b.grade5, attainment8Sum: a.attainment8Sum + b.attainment8Sum,
            attainment8SumOfSquares: a.attainment8SumOfSquares + b.attainment8SumOfSquares)
    }
}

/// A GCSE-scale assessment of the report's term holding English and maths results, with the
/// subjects it holds and the Attainment 8 slot each can fill (`ks4_subject_slot`, the one copy of that rule).
public struct KeyStage4Counts: Sendable, Equatable, Codable {
    /// The assessment's name ("GCSE", "Year 11 spring mock").
    public var assessment: String
    public var subjects: [String]
    /// Parallel to `subjects`: english, maths, ebacc or open.
    public var slots: [String]
    public var disadvantaged: KeyStage4GroupCounts
    public var others: KeyStage4GroupCounts

    public init(assessment: String, subjects: [String], slots: [String], disadvantaged: KeyStage4GroupCounts, others: KeyStage4GroupCounts) {
        self.assessment = assessment
        self.subjects = subjects
        self.slots = slots
        self.disadvantaged = disadvantaged
        self.others = others
    }
}

extension TermlyReportRepository {
    /// The KS4 headline counts of the loaded cohort for each GCSE-scale assessment of `term`
    /// with English and maths results; empty where there is none. Call inside `snapshot`, after `loadCohort`.
    public func keyStage4(providerID: Int, term: AcademicTerm) throws -> [KeyStage4Counts] {
        let rows = try connection.query(
            "SELECT * FROM report_ks4_headlines($1, $2, $3)", [providerID, term.year.description, term.term.rawValue]).rows
        var byAssessment: [(name: String, counts: KeyStage4Counts)] = []
        for row in rows {
            let name: String = try row.decode("assessment")
            let group = KeyStage4GroupCounts(
                pupils: try row.decode("pupils"), withoutEnglishOrMaths: try row.decode("without_english_or_maths"),
                grade4: try row.decode("grade_4"), grade5: try row.decode("grade_5"),
                attainment8Sum: try row.decode("attainment_8_sum"), attainment8SumOfSquares: try row.decode("attainment_8_sum_squares"))
            if byAssessment.last?.name != name {
                byAssessment.append((name, KeyStage4Counts(
                    assessment: name, subjects: try Self.textArray(row.decode("subjects")), slots: try Self.textArray(row.decode("slots")),
                    disadvantaged: .none, others: .none)))
            }
            if try row.decode("disadvantaged", as: Bool.self) {
                byAssessment[byAssessment.count - 1].counts.disadvantaged = group
            } else {
                byAssessment[byAssessment.count - 1].counts.others = group
            }
        }
        return byAssessment.map(\.counts)
    }

    private static func textArray(_ json: String) throws -> [String] {
        try JSONDecoder().decode([String].self, from: Data(json.utf8))
    }
}
