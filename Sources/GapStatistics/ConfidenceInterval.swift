/// A confidence interval, with the method that made it, so that a report can say how its
/// uncertainty was worked out (docs/methodology.md §5: "always report n … and a 95% confidence interval").
public struct ConfidenceInterval: Sendable, Equatable, CustomStringConvertible {
    public var lower: Double
    public var upper: Double
    /// The confidence level, e.g. 0.95.
    public var level: Double
    public var method: IntervalMethod

    public init(lower: Double, upper: Double, level: Double, method: IntervalMethod) {
        self.lower = lower
        self.upper = upper
        self.level = level
        self.method = method
    }

    public var width: Double { upper - lower }

    public func contains(_ value: Double) -> Bool {
        lower <= value && value <= upper
    }

    public var description: String {
        let percent = (level * 100).rounded() == level * 100 ? String(Int(level * 100)) : String(level * 100)
        return "\(percent)% CI \(lower) to \(upper) (\(method))"
    }
}

/// How an interval was computed, in words a report can print.
public enum IntervalMethod: Sendable, Equatable, CustomStringConvertible {
    /// DeLong's variance of the Mann–Whitney AUC, for the gap index.
    case deLong
    /// Welch's t interval for a difference of means with unequal variances.
    case welch
    /// Normal interval with the Hedges and Olkin large-sample variance of Hedges' g.
    case hedgesOlkin
    /// Normal interval from a first-order (delta-method) variance.
    case deltaMethod
    /// Wilson's score interval for a proportion.
    case wilson
    /// The interval's ends converted through a lookup table (EEF months bands).
    case convertedBands
    /// Newcombe's hybrid score interval for a difference of two independent proportions.
    case newcombe
    /// Normal interval from a regression coefficient's heteroskedasticity-robust (HC1) standard error.
    case robustRegression

    public var description: String {
        switch self {
        case .deLong: "DeLong variance"
        case .welch: "Welch t"
        case .hedgesOlkin: "Hedges–Olkin variance"
        case .deltaMethod: "delta method"
        case .wilson: "Wilson score"
        case .convertedBands: "interval ends converted through the bands"
        case .newcombe: "Newcombe hybrid score"
        case .robustRegression: "regression with robust (HC1) standard errors"
        }
    }
}
