import GapStatistics

/// What a published figure measures. The unit fixes how many decimals every renderer prints,
/// so that the same report always gives the same bytes, whatever format it is written in.
///
/// Precision follows the publications the figures are compared with: DfE prints the gap index
/// to 2 decimals; EPI prints months of learning to 1 decimal; DfE absence statistics print
/// rates to 1 decimal.
public enum FigureUnit: String, Sendable, Hashable, Codable, CaseIterable {
    /// The DfE disadvantage gap index (−10 to 10).
    case gapIndex = "gap_index"
    /// A mean percentile rank on the 0–1 scale.
    case percentileRank = "percentile_rank"
    case months
    /// A percentage, 0–100.
    case percent
    /// A difference of two percentages.
    case percentagePoints = "percentage_points"
    /// Points on the assessment's own scale (scaled score, GCSE grade, mark).
    case scorePoints = "score_points"
    /// A standardised effect size (Hedges' g).
    case effectSize = "effect_size"
    case hours
    /// A rate of change per month (a slope), which is small and needs more decimals.
    case ratePerMonth = "rate_per_month"

    /// Decimals printed and kept in JSON.
    public var decimals: Int {
        switch self {
        case .gapIndex, .scorePoints, .effectSize: 2
        case .percentileRank: 3
        case .months, .percent, .percentagePoints, .hours: 1
        case .ratePerMonth: 5
        }
    }

    /// What follows a number in running text and tables ("12.5%", "3.1 pp").
    public var suffix: String {
        switch self {
        case .percent: "%"
        case .percentagePoints: " pp"
        default: ""
        }
    }

    /// The unit in words, for CSV and chart axes.
    public var label: String {
        switch self {
        case .gapIndex: "gap index"
        case .percentileRank: "percentile rank (0-1)"
        case .months: "months of learning"
        case .percent: "percent"
        case .percentagePoints: "percentage points"
        case .scorePoints: "score points"
        case .effectSize: "standard deviations (Hedges' g)"
        case .hours: "hours"
        case .ratePerMonth: "per month"
        }
    }
}

/// A computed figure with its confidence interval, if it has one.
///
/// The full-precision value is kept in memory (tests compare it with the GapStatistics
/// reference); it is rounded to `unit.decimals` whenever it is printed or encoded, so that the
/// last bits of a floating-point sum, which PostgreSQL's parallel aggregates may add in a
/// different order from run to run, never reach a published report.
public struct Estimate: Sendable, Equatable {
    public var value: Double
    public var lower: Double?
    public var upper: Double?
    public var unit: FigureUnit
    /// How the interval was made, e.g. "DeLong variance"; nil when there is no interval.
    public var intervalMethod: String?

    public init(_ value: Double, unit: FigureUnit) {
        self.value = value
        self.unit = unit
    }

    public init(_ value: Double, unit: FigureUnit, interval: ConfidenceInterval?) {
        self.value = value
        self.unit = unit
        if let interval {
            lower = interval.lower
            upper = interval.upper
            intervalMethod = interval.method.description
        }
    }

    public init(_ value: Double, unit: FigureUnit, lower: Double, upper: Double, method: String) {
        self.value = value
        self.unit = unit
        self.lower = lower
        self.upper = upper
        intervalMethod = method
    }

    public var hasInterval: Bool { lower != nil && upper != nil }

    /// The value as printed, e.g. "3.92" or "94.1%".
    public var text: String { FixedDecimal.format(value, decimals: unit.decimals) + unit.suffix }

    /// The value without its unit suffix, e.g. "94.1".
    public var plainText: String { FixedDecimal.format(value, decimals: unit.decimals) }

    /// "2.10 to 4.05", or nil without an interval.
    public var intervalText: String? {
        guard let lower, let upper else { return nil }
        return FixedDecimal.format(lower, decimals: unit.decimals) + " to " + FixedDecimal.format(upper, decimals: unit.decimals)
    }

    /// The same estimate with every number rounded as it is published.
    public var rounded: Estimate {
        var copy = self
        copy.value = FixedDecimal.round(value, decimals: unit.decimals)
        copy.lower = lower.map { FixedDecimal.round($0, decimals: unit.decimals) }
        copy.upper = upper.map { FixedDecimal.round($0, decimals: unit.decimals) }
        return copy
    }
}

extension Estimate: Codable {
    enum CodingKeys: String, CodingKey {
        case value, lower, upper, unit, intervalMethod
    }

    /// Encodes the published (rounded) numbers; see the type's documentation.
    public func encode(to encoder: any Encoder) throws {
        let published = rounded
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(published.value, forKey: .value)
        try container.encodeIfPresent(published.lower, forKey: .lower)
        try container.encodeIfPresent(published.upper, forKey: .upper)
        try container.encode(unit, forKey: .unit)
        try container.encodeIfPresent(intervalMethod, forKey: .intervalMethod)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        value = try container.decode(Double.self, forKey: .value)
        lower = try container.decodeIfPresent(Double.self, forKey: .lower)
        upper = try container.decodeIfPresent(Double.self, forKey: .upper)
        unit = try container.decode(FigureUnit.self, forKey: .unit)
        intervalMethod = try container.decodeIfPresent(String.self, forKey: .intervalMethod)
    }
}

extension ReportedFigure {
    /// The figure's text in a table cell: its value, or `c`.
    func cell(_ text: (Value) -> String) -> String {
        switch self {
        case let .value(value): text(value)
        case .suppressed: Self.suppressionMark
        }
    }
}

extension ReportedFigure<Estimate> {
    /// "3.92", or `c`.
    public var text: String { cell(\.text) }
    /// "2.10 to 4.05", "" without an interval, or `c`.
    public var intervalText: String { cell { $0.intervalText ?? "" } }
}

extension ReportedFigure<Int> {
    /// "1240", or `c`: for CSV.
    public var text: String { cell { String($0) } }
    /// "1,240", or `c`: for tables people read.
    public var groupedText: String { cell { FixedDecimal.grouped($0) } }
}
