/// Percentile ranks of a cohort's scores: the scale on which the DfE gap index is measured.
///
/// Each score's rank is its position when the cohort is sorted from lowest to highest
/// (1 = lowest); tied scores share the average of the positions they occupy ("midranks"),
/// and every rank is divided by the cohort size, so ranks lie in (0, 1] and the highest
/// score has rank 1. This is the definition used by the DfE's disadvantage gap index
/// (DfE, "Measuring disadvantaged pupils' attainment gaps over time", Statistical Working
/// Paper SFR 40/2014, and docs/methodology.md §5).
///
/// Averaging tied positions makes the ranks independent of the order students were listed
/// in, so the same cohort always gives the same figures.
public struct PercentileRanks: Sendable, Equatable {
    /// One percentile rank per score, in the order the scores were given.
    public let values: [Double]

    /// - Throws: `StatisticsError.emptyGroup` for no scores, `.nonFiniteValue` for a NaN or
    ///   infinite score.
    /// - Complexity: O(n log n): one sort.
    public init(scores: [Double]) throws(StatisticsError) {
        guard !scores.isEmpty else { throw .emptyGroup("cohort") }
        try requireFinite(scores, group: "cohort")
        let n = scores.count
        let order = sortedOrder(scores)
        var ranks = [Double](repeating: 0, count: n)
        var start = 0
        while start < n {
            var end = start + 1
            while end < n, scores[order[end]] == scores[order[start]] { end += 1 }
            // Positions start+1 ... end (1-based) share their average, (start + 1 + end) / 2.
            let midrank = Double(start + 1 + end) / 2
            for position in start..<end { ranks[order[position]] = midrank / Double(n) }
            start = end
        }
        values = ranks
    }
}

/// The indices of `scores` in ascending order of score. The order among equal scores is
/// whatever the sort leaves; every caller works with tie blocks, so it does not matter.
func sortedOrder(_ scores: [Double]) -> [Int] {
    var pairs = [(Double, Int)]()
    pairs.reserveCapacity(scores.count)
    for (index, score) in scores.enumerated() { pairs.append((score, index)) }
    pairs.sort { $0.0 < $1.0 }
    return pairs.map(\.1)
}
