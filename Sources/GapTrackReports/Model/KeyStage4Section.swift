import GapStatistics
import GapTrackDomain

/// The KS4 headline measures computed from the school's own GCSE-scale results at one
/// assessment, disadvantaged pupils against the others, beside the national pair of the same
/// year where one is published (docs/methodology.md §8.3, "From the school's own results").
///
/// Attainment 8 is a row only where the results held cover its eight slots; otherwise
/// `attainment8NotComputed` says what is missing, so that no partial figure is read as
/// Attainment 8. Progress 8 needs the DfE's KS2 prior-attainment estimates, which gaptrack does
/// not hold (§9), so `progress8NotComputed` always says why.
public struct KeyStage4Section: Sendable, Equatable, Codable {
    /// The assessment's name as the school's file gives it ("GCSE", "Year 11 spring mock").
    public var assessment: String
    /// Calendar year in which the report's academic year ends (2024/25 = 2025), the national pairs' year.
    public var resultsYear: Int
    public var rows: [KeyStage4Row]
    public var attainment8NotComputed: String?
    public var progress8NotComputed: String
    /// Pupils of each group without an English or a maths result at the assessment, in words.
    public var notes: [String]
    /// Staff reports: a group under the threshold, shown and marked (docs/methodology.md §7.6).
    public var treatWithCare: Bool?

    public init(
        assessment: String, resultsYear: Int, rows: [KeyStage4Row], attainment8NotComputed: String?, progress8NotComputed: String, notes: [String]
    ) {
        self.assessment = assessment
        self.resultsYear = resultsYear
        self.rows = rows
        self.attainment8NotComputed = attainment8NotComputed
        self.progress8NotComputed = progress8NotComputed
        self.notes = notes
    }

    /// "KS4 measures from the school's own results: GCSE".
    public var title: String { "KS4 measures from the school's own results: \(assessment)" }
}

/// One measure for the disadvantaged pupils, the others and all of them, each with its n, and
/// the gap (others − disadvantaged) with its interval.
public struct KeyStage4Row: Sendable, Equatable, Codable {
    public var measure: NationalPairFigure.Measure
    public var disadvantagedPupils: ReportedFigure<Int>
    public var othersPupils: ReportedFigure<Int>
    public var allPupils: ReportedFigure<Int>
    /// A percentage with its Wilson interval, or a mean Attainment 8 score with its t interval.
    public var disadvantaged: ReportedFigure<Estimate>
    public var others: ReportedFigure<Estimate>
    public var all: ReportedFigure<Estimate>
    /// Others − disadvantaged: percentage points with Newcombe's interval, or Attainment 8 points with Welch's.
    public var gap: ReportedFigure<Estimate>
    /// The national pair of the same results year, if one is published; nil otherwise.
    public var national: NationalPairFigure?

    public init(
        measure: NationalPairFigure.Measure, disadvantagedPupils: ReportedFigure<Int>, othersPupils: ReportedFigure<Int>, allPupils: ReportedFigure<Int>,
        disadvantaged: ReportedFigure<Estimate>, others: ReportedFigure<Estimate>, all: ReportedFigure<Estimate>, gap: ReportedFigure<Estimate>,
        national: NationalPairFigure?
    ) {
        self.measure = measure
        self.disadvantagedPupils = disadvantagedPupils
        self.othersPupils = othersPupils
        self.allPupils = allPupils
        self.disadvantaged = disadvantaged
        self.others = others
        self.all = all
        self.gap = gap
        self.national = national
    }

    /// "2023/24: 26.0% v. 53.4%", or "none published for 2024/25".
    public func nationalText(resultsYear: Int) -> String {
        guard let national else { return "none published for \(resultsYear - 1)/\(String(format2: resultsYear % 100))" }
        let suffix = measure.unit == "percent" ? "%" : ""
        return "\(national.periodText): \(national.groupText)\(suffix) v. \(national.othersText)\(suffix)"
    }
}
