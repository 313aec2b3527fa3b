/// Why a statistic could not be computed from the data given.
///
/// Messages are written for a school data lead: they say what was wrong and what would fix it.
public enum StatisticsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A group had no scores, so it has no mean and no rank.
    case emptyGroup(String)
    /// A group had fewer values than the statistic needs (a standard deviation needs two).
    case tooFewValues(group: String, found: Int, needed: Int)
    /// A score was NaN or infinite: a missing mark that was not filtered out.
    case nonFiniteValue(group: String, position: Int)
    /// Two lists that should pair up (scores and ages, pre and post) differ in length.
    case mismatchedLengths(first: String, firstCount: Int, second: String, secondCount: Int)
    /// The scores have no spread to standardise by; the text says which scores.
    case noSpread(String)
    /// A count below zero, or a numerator above its denominator.
    case invalidCount(String)
    /// A confidence level outside (0, 1).
    case invalidSetting(String)

    public var description: String {
        switch self {
        case let .emptyGroup(group):
            "the \(group) group has no scores; a gap needs at least one student in each group"
        case let .tooFewValues(group, found, needed):
            "the \(group) group has \(found) score\(found == 1 ? "" : "s"); this figure needs at least \(needed)"
        case let .nonFiniteValue(group, position):
            "the \(group) scores have a missing or non-numeric value at position \(position + 1); remove students without a score before computing"
        case let .mismatchedLengths(first, firstCount, second, secondCount):
            "\(firstCount) \(first) but \(secondCount) \(second); each student needs one of each"
        case let .noSpread(which):
            "\(which) are all equal, so there is no spread to measure the difference against"
        case let .invalidCount(detail):
            "invalid count: \(detail)"
        case let .invalidSetting(detail):
            "invalid setting: \(detail)"
        }
    }
}

/// Checks that every value is finite, naming the group and position of the first that is not.
func requireFinite(_ values: [Double], group: String) throws(StatisticsError) {
    if let position = values.firstIndex(where: { !$0.isFinite }) {
        throw .nonFiniteValue(group: group, position: position)
    }
}

func requireLevel(_ level: Double) throws(StatisticsError) {
    guard level > 0, level < 1 else {
        throw .invalidSetting("confidence level \(level) must lie strictly between 0 and 1, e.g. 0.95")
    }
}
