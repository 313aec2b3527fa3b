/// How much uncertainty a suppressed figure must keep for a reader who combines everything
/// published (docs/disclosure-control.md §7.3).
///
/// - A count of pupils is protected when its feasible interval is at least `countWidth` wide
///   (default 10, the anonymity threshold). Since counts are at least 0, such an interval always
///   reaches 10 or more, so a reader cannot even tell that the group is under the threshold,
///   let alone how many pupils are in it.
/// - A sum (sessions, pounds) is protected when its interval reaches at least `sumMargin`
///   (default 20%) of its true value below it and above it: Hundepool et al.'s lower and upper
///   protection levels, set as a share of the cell as in the p% rule. Below zero is impossible,
///   so the lower requirement is capped at the value itself; a part of a figure printed elsewhere
///   (a filtered view's sessions, part of the whole cohort's) is at most that figure, which is no
///   disclosure, so the upper requirement is capped there (`Cell.containedIn`).
/// - Any suppressed figure whose interval is a single value fails, whatever the settings: it
///   has been recovered exactly (for a zero: "zero inferable").
public struct ProtectionLevel: Sendable, Equatable {
    public let countWidth: Int
    public let sumMargin: Double

    public init(countWidth: Int = 10, sumMargin: Double = 0.2) {
        self.countWidth = countWidth
        self.sumMargin = sumMargin
    }

    /// The threshold of 10 (the anonymity threshold; DfE's `c`) and a 20% margin for sums.
    public static let standard = ProtectionLevel()

    /// The interval a figure's interval must cover, for messages and checks:
    /// for counts a width, for sums the values it must reach on each side.
    func requirement(for cell: Cell) -> Requirement {
        switch cell.measure {
        case .pupils:
            return .width(countWidth)
        case .sum:
            let margin = Double(cell.value) * sumMargin
            let below = max(0, Int((Double(cell.value) - margin).rounded(.down)))
            let above = min(Int((Double(cell.value) + margin).rounded(.up)), cell.containedIn ?? .max)
            return .reach(below: below, above: above)
        case .rate:
            // Not audited: a rate is protected through its numerator, hidden with it.
            return .width(0)
        }
    }

    enum Requirement: Equatable {
        case width(Int)
        case reach(below: Int, above: Int)

        func isMet(by interval: FeasibleInterval) -> Bool {
            switch self {
            case let .width(width):
                guard let upper = interval.upper else { return true }
                return upper - interval.lower >= width
            case let .reach(below, above):
                return interval.lower <= below && (interval.upper.map { $0 >= above } ?? true)
            }
        }

        var description: String {
            switch self {
            case let .width(width): "at least \(width) wide"
            case let .reach(below, above): "from \(below) or less to \(above) or more"
            }
        }
    }
}
