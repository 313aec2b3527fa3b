/// The difference of two independent proportions (a continuation gap: one group's rate minus
/// another's), with Newcombe's hybrid score interval (docs/methodology.md §11.7).
///
/// Why not the simple p1 − p2 ± z·√(p1q1/n1 + p2q2/n2): it overshoots ±1 and covers badly when a
/// rate is near 0 or 100%, which continuation rates (often above 90%) are. Newcombe's method 10
/// combines the two Wilson intervals: with each group's Wilson limits (l, u),
/// lower = d − √((p1 − l1)² + (u2 − p2)²), upper = d + √((u1 − p1)² + (p2 − l2)²)
/// (R. G. Newcombe, "Interval estimation for the difference between independent proportions:
/// comparison of eleven methods", Statistics in Medicine 17(8), 1998, 873–890, method 10).
public struct ProportionDifference: Sendable, Equatable {
    public var first: Proportion
    public var second: Proportion
    /// first − second, as a proportion (0.05 is five percentage points).
    public var value: Double
    public var confidenceInterval: ConfidenceInterval

    /// Both proportions must have been made at the same confidence level.
    public init(_ first: Proportion, minus second: Proportion) {
        let d = first.value - second.value
        let (l1, u1) = (first.confidenceInterval.lower, first.confidenceInterval.upper)
        let (l2, u2) = (second.confidenceInterval.lower, second.confidenceInterval.upper)
        let lowerSpread = ((first.value - l1) * (first.value - l1) + (u2 - second.value) * (u2 - second.value)).squareRoot()
        let upperSpread = ((u1 - first.value) * (u1 - first.value) + (second.value - l2) * (second.value - l2)).squareRoot()
        self.first = first
        self.second = second
        value = d
        confidenceInterval = ConfidenceInterval(lower: d - lowerSpread, upper: d + upperSpread,
                                                level: first.confidenceInterval.level, method: .newcombe)
    }
}
