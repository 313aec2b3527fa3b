/// The anonymity threshold below which a figure is not published for governors or the public.
///
/// Threshold 10: the Social Mobility Commission's employer guidance is not to report below an
/// anonymity threshold of 10 (docs/methodology.md §5.6). A withheld figure is shown as `c`, as in
/// DfE statistical releases. Which figures are withheld, and which further figures go with them so
/// that none can be worked out, is the audience's shaping (docs/methodology.md §7.6).
public struct SuppressionRule: Sendable, Equatable {
    /// Figures from fewer students than this are suppressed.
    public var threshold: Int

    /// The Social Mobility Commission's anonymity threshold of 10.
    public static let standard = SuppressionRule(threshold: 10)

    public init(threshold: Int) {
        precondition(threshold > 0, "a suppression threshold is a positive number of students")
        self.threshold = threshold
    }
}

/// A figure as it may be published: its value, or `c` with the reason it was withheld.
public enum ReportedFigure<Value: Sendable>: Sendable {
    case value(Value)
    case suppressed(SuppressionReason)

    /// The mark DfE statistics print in place of a suppressed figure.
    public static var suppressionMark: String { "c" }

    public var value: Value? {
        if case let .value(value) = self { value } else { nil }
    }

    public var isSuppressed: Bool {
        if case .suppressed = self { true } else { false }
    }

    /// Applies `transform` to a shown value (e.g. rounding a percentage); keeps suppression.
    public func map<Other: Sendable>(_ transform: (Value) throws -> Other) rethrows -> ReportedFigure<Other> {
        switch self {
        case let .value(value): .value(try transform(value))
        case let .suppressed(reason): .suppressed(reason)
        }
    }
}

extension ReportedFigure: Equatable where Value: Equatable {}

extension ReportedFigure: CustomStringConvertible {
    /// The value as text, or `c`.
    public var description: String {
        switch self {
        case let .value(value): String(describing: value)
        case .suppressed: Self.suppressionMark
        }
    }
}

/// Why a figure was withheld. The reasons never carry the withheld count itself.
public enum SuppressionReason: Sendable, Equatable, CustomStringConvertible {
    /// Computed from fewer students than the threshold.
    case belowThreshold(threshold: Int)
    /// A gap or comparison where one group is smaller than the threshold.
    case groupBelowThreshold(group: String, threshold: Int)
    /// Withheld so that another suppressed cell cannot be recovered from the total.
    case protectsSuppressedCell

    public var description: String {
        switch self {
        case let .belowThreshold(threshold):
            "fewer than \(threshold) students"
        case let .groupBelowThreshold(group, threshold):
            "the \(group) group has fewer than \(threshold) students"
        case .protectsSuppressedCell:
            "withheld so that a suppressed figure cannot be worked out from the total"
        }
    }
}
