/// The name of one figure in a published table set, unique within the set ("fsm-ever-6.count").
///
/// Cells are named by the report that publishes them; the names only need to be stable, so that
/// the same tables give the same suppression (docs/disclosure-control.md §7.2).
public struct CellID: Hashable, Comparable, Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }

    public static func < (lhs: CellID, rhs: CellID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { rawValue }
}

/// What a figure measures, which decides how much protection it needs when it is suppressed.
///
/// A count of pupils needs an interval as wide as the anonymity threshold; a sum (sessions,
/// pounds) needs one that is wide relative to its size (docs/disclosure-control.md §7.3).
public enum Measure: Sendable, Equatable {
    /// A number of pupils or students.
    case pupils
    /// A sum over pupils (sessions, hours, pounds), in whole units of `unit`.
    /// `group` is the count of pupils it is summed over, if the table set has it: a sum over a
    /// group under the threshold is suppressed with the group.
    case sum(unit: String, group: CellID?)
    /// A percentage numerator / denominator × 100 as printed, times 10^decimals (6.9% to one
    /// place is 69). Not linear, so not audited itself: while it is printed the reader knows the
    /// numerator within rounding of the denominator, and it is hidden whenever its numerator is.
    case rate(numerator: CellID, denominator: CellID, decimals: Int)
}

/// Whether a figure is printed, shown as `c`, or not part of the output at all.
public enum Visibility: Sendable, Equatable {
    /// Printed: an attacker knows its value.
    case published
    /// Shown as `c`: an attacker knows only that it exists and the relations it is in.
    case suppressed
    /// Not printed anywhere, but tied to printed figures by a relation (the overlap of FSM Ever 6
    /// and looked after, a fund's spend on one support type). An attacker can reason about it;
    /// when it is a group under the threshold it must be protected like a suppressed cell.
    case unpublished
}

/// One figure of a published table set, with its true value.
///
/// Values are whole numbers: counts, sessions, and money in whole pounds (or pence, if the report
/// prints pence). The auditor rounds its intervals inward to whole numbers because of this
/// (docs/disclosure-control.md §7.4).
public struct Cell: Sendable, Equatable {
    public let id: CellID
    /// How the figure is named in messages ("Looked after, pupils").
    public let label: String
    public let value: Int
    public let measure: Measure
    public var visibility: Visibility
    /// A total (of a partition, a table's margin): suppressing it hides more than a detail cell,
    /// so complementary suppression takes it only when nothing else will do.
    public let isTotal: Bool
    /// The largest value an attacker knows the figure can take (a group is no larger than its
    /// cohort), if known. Every figure is known to be at least 0.
    public internal(set) var knownMaximum: Int?
    /// The value of a figure of another report that contains this one (the whole cohort's, for a
    /// filtered view's): any part of a group is at most the group, which tells a reader nothing
    /// new, so the protection a sum is asked for stops there (`ProtectionLevel`).
    public internal(set) var containedIn: Int?

    public init(
        id: CellID, label: String, value: Int, measure: Measure = .pupils, visibility: Visibility = .published,
        isTotal: Bool = false, knownMaximum: Int? = nil
    ) {
        self.id = id
        self.label = label
        self.value = value
        self.measure = measure
        self.visibility = visibility
        self.isTotal = isTotal
        self.knownMaximum = knownMaximum
    }

    /// A sum cell (sessions, pounds) summed over the pupils counted by `group`.
    public var group: CellID? {
        if case let .sum(_, group) = measure { group } else { nil }
    }

    var isCount: Bool { measure == .pupils }

    var isRate: Bool {
        if case .rate = measure { true } else { false }
    }
}
