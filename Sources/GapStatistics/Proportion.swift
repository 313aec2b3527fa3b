/// A proportion (persistent absence rate, share reaching the expected standard) with
/// Wilson's score interval.
///
/// Why Wilson rather than p ± z·√(p(1 − p)/n): the simple interval collapses to a point at 0
/// and 100% and covers badly in small groups, exactly where school figures live. Wilson's
/// stays inside [0, 1] and keeps close to its nominal coverage (E. B. Wilson, "Probable
/// inference, the law of succession, and statistical inference", JASA 22(158), 1927,
/// 209–212; R. G. Newcombe, "Two-sided confidence intervals for the single proportion:
/// comparison of seven methods", Statistics in Medicine 17(8), 1998, 857–872, method 3).
///
/// With p = k/n and z the critical value:
/// centre = (p + z²/(2n)) / (1 + z²/n), half-width = z·√(p(1 − p)/n + z²/(4n²)) / (1 + z²/n).
public struct Proportion: Sendable, Equatable {
    public var count: Int
    public var total: Int
    /// count / total.
    public var value: Double
    public var confidenceInterval: ConfidenceInterval

    /// - Throws: `StatisticsError.invalidCount` unless 0 ≤ count ≤ total and total > 0.
    public init(count: Int, outOf total: Int, level: Double = 0.95) throws(StatisticsError) {
        try requireLevel(level)
        guard total > 0 else { throw .invalidCount("a proportion needs at least one student in its denominator") }
        guard count >= 0, count <= total else { throw .invalidCount("\(count) out of \(total) is not a proportion") }
        let n = Double(total)
        let p = Double(count) / n
        let z = Normal.criticalValue(level: level)
        let z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let halfWidth = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / denominator
        self.count = count
        self.total = total
        value = p
        // At k = 0 (or k = n) the lower (upper) end is exactly 0 (1) in exact arithmetic;
        // set it so, rather than print a rounding residue such as 1.4e-17.
        confidenceInterval = ConfidenceInterval(
            lower: count == 0 ? 0 : max(0, centre - halfWidth),
            upper: count == total ? 1 : min(1, centre + halfWidth),
            level: level, method: .wilson
        )
    }
}
