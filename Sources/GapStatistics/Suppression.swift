/// Suppression of small numbers, so that no published figure identifies a student.
///
/// Threshold 10: the Social Mobility Commission's employer guidance is not to report below an
/// anonymity threshold of 10 (docs/methodology.md §5). A suppressed cell is shown as `c`, as in DfE
/// statistical releases ("c" for confidential).
///
/// Two kinds of suppression:
/// - primary: a figure computed from fewer than `threshold` students; a gap, which compares
///   two groups, needs both groups to reach the threshold;
/// - secondary: when exactly one cell of a row is suppressed and the row's total is shown,
///   the suppressed cell could be recovered by subtraction, so the next smallest cell is
///   suppressed too (known in statistical disclosure control as secondary or complementary
///   suppression).
public struct SuppressionRule: Sendable, Equatable {
    /// Figures from fewer students than this are suppressed.
    public var threshold: Int

    /// The Social Mobility Commission's anonymity threshold of 10.
    public static let standard = SuppressionRule(threshold: 10)

    public init(threshold: Int) {
        precondition(threshold > 0, "a suppression threshold is a positive number of students")
        self.threshold = threshold
    }

    /// A figure computed from `count` students: shown only if `count` ≥ threshold.
    public func figure<Value: Sendable>(_ value: Value, count: Int) -> ReportedFigure<Value> {
        count >= threshold ? .value(value) : .suppressed(.belowThreshold(threshold: threshold))
    }

    /// A gap between disadvantaged students and others: shown only if both groups reach the
    /// threshold, since a gap reveals something about each group.
    public func gapFigure<Value: Sendable>(_ value: Value, disadvantagedCount: Int, othersCount: Int) -> ReportedFigure<Value> {
        if disadvantagedCount < threshold {
            return .suppressed(.groupBelowThreshold(group: "disadvantaged", threshold: threshold))
        }
        if othersCount < threshold {
            return .suppressed(.groupBelowThreshold(group: "other", threshold: threshold))
        }
        return .value(value)
    }

    /// Primary and secondary suppression of one row of counts and its total.
    ///
    /// Zero counts are suppressed like any count below the threshold: "none of this group"
    /// discloses as much about a named cohort as "three of them".
    /// The total may exceed the sum of the cells (students in no listed category); secondary
    /// suppression is applied all the same, since that remainder may be published elsewhere.
    /// - Throws: `StatisticsError.invalidCount` for a negative count or a total below the sum.
    public func row(counts: [Int], total: Int) throws(StatisticsError) -> SuppressedRow {
        if let negative = counts.firstIndex(where: { $0 < 0 }) {
            throw .invalidCount("cell \(negative + 1) of the row is negative (\(counts[negative]))")
        }
        let sum = counts.reduce(0, +)
        guard total >= sum else {
            throw .invalidCount("the row total \(total) is smaller than the sum of its cells (\(sum))")
        }
        var cells: [ReportedFigure<Int>] = counts.map { figure($0, count: $0) }
        var totalFigure = figure(total, count: total)
        let suppressedCount = cells.filter(\.isSuppressed).count
        if !totalFigure.isSuppressed, suppressedCount == 1 {
            let candidates = counts.indices.filter { !cells[$0].isSuppressed }
            if let smallest = candidates.min(by: { counts[$0] < counts[$1] }) {
                cells[smallest] = .suppressed(.protectsSuppressedCell)
            } else {
                // A one-cell row: its total is the cell.
                totalFigure = .suppressed(.protectsSuppressedCell)
            }
        }
        return SuppressedRow(cells: cells, total: totalFigure)
    }
}

/// A row after suppression: its cells in the order given, and its total.
public struct SuppressedRow: Sendable, Equatable {
    public var cells: [ReportedFigure<Int>]
    public var total: ReportedFigure<Int>
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
