import GapStatistics
import GapTrackDomain

/// One measure over this and earlier terms, e.g. the gap index in maths.
public struct TrendSeries: Sendable, Equatable, Codable {
    /// Stable id, e.g. `gap_index:maths`, `attendance_gap`.
    public var id: String
    public var label: String
    public var unit: FigureUnit
    /// Oldest first; the last point is the report's own term when it has data.
    public var points: [TrendPoint]

    public init(id: String, label: String, unit: FigureUnit, points: [TrendPoint]) {
        self.id = id
        self.label = label
        self.unit = unit
        self.points = points
    }
}

public struct TrendPoint: Sendable, Equatable, Codable {
    public var term: AcademicTerm
    public var value: ReportedFigure<Estimate>
    public var disadvantagedStudents: ReportedFigure<Int>
    public var otherStudents: ReportedFigure<Int>

    public init(term: AcademicTerm, value: ReportedFigure<Estimate>, disadvantagedStudents: ReportedFigure<Int>, otherStudents: ReportedFigure<Int>) {
        self.term = term
        self.value = value
        self.disadvantagedStudents = disadvantagedStudents
        self.otherStudents = otherStudents
    }
}

/// A published national figure beside this cohort's nearest equivalent, if it has one.
///
/// Only like is compared with like in the wording: a school's termly gap index on its own
/// assessment is not the national key-stage index, and the report says so.
public struct NationalComparison: Sendable, Equatable, Codable {
    public var national: NationalFigure
    /// This cohort's figure on the same measure, e.g. its gap index in the subject closest to
    /// the national measure; nil when the cohort has none.
    public var local: ReportedFigure<Estimate>?
    /// What `local` is, e.g. "gap index, maths (Autumn mock), 2024/25 autumn".
    public var localLabel: String?

    public init(national: NationalFigure, local: ReportedFigure<Estimate>?, localLabel: String?) {
        self.national = national
        self.local = local
        self.localLabel = localLabel
    }
}
