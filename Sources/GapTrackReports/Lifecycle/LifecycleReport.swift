/// The student lifecycle report: for each OfS stage, each year of entry and each characteristic,
/// the rate of the group and of its comparison group with Wilson intervals and the gap between
/// them with Newcombe's interval (docs/methodology.md §11). Made for one audience: staff see every
/// figure, small groups marked; governors and the public see `c` for small groups and whatever
/// would reveal them (docs/disclosure-control.md).
public struct LifecycleReport: Sendable, Codable, Equatable {
    public var providerCode: String
    public var providerName: String
    public var audience: ReportAudience
    /// The years of entry, oldest first.
    public var years: [String]
    /// The date the measures were taken on: a measure whose date is later is not yet known.
    public var asOf: String
    public var stages: [LifecycleStageSection]
    /// The imports the figures rest on.
    public var imports: [Int]
    public var notes: [String]
}

public struct LifecycleStageSection: Sendable, Codable, Equatable {
    public var stage: LifecycleStage
    public var title: String
    public var definition: String
    /// Students in the stage's population each year (entrants for access); nil when suppressed.
    public var totals: [LifecycleCount]
    public var rows: [LifecycleGapRow]
}

public struct LifecycleCount: Sendable, Codable, Equatable {
    public var year: String
    public var students: Int?
}

/// One characteristic in one year of entry at one stage.
public struct LifecycleGapRow: Sendable, Codable, Equatable {
    public var characteristic: String
    public var characteristicName: String
    public var year: String
    public var group: LifecycleRate
    public var comparison: LifecycleRate
    /// Comparison rate minus group rate, in percentage points: positive when the group does worse
    /// (or, for access, is under-represented). Nil when either rate is missing or withheld.
    public var gap: LifecycleGap?
}

public struct LifecycleRate: Sendable, Codable, Equatable {
    public var label: String
    /// Students in the group (the rate's denominator); nil when withheld (`c`).
    public var students: Int?
    /// Students with the outcome (the numerator); never printed for governors or the public.
    public var positive: Int?
    /// Percent, with its 95% Wilson interval; nil when withheld or the group is empty.
    public var percent: Double?
    public var lower: Double?
    public var upper: Double?
    /// Staff: fewer than 10 students, treat with care.
    public var isSmall: Bool
    /// Governors and public: withheld.
    public var isWithheld: Bool
}

public struct LifecycleGap: Sendable, Codable, Equatable {
    /// Percentage points, with its 95% Newcombe interval.
    public var points: Double
    public var lower: Double
    public var upper: Double
}
