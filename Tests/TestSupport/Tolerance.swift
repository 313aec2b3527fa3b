import GapStatistics
import Testing

/// Records a failure unless `actual` is within `tolerance` of `expected`, saying by how much.
/// A value on one side only is a failure (a figure that should exist and does not, or the
/// reverse); nil on both sides passes, so a refused figure can be checked the same way.
public func expectClose(
    _ actual: Double?, _ expected: Double?, tolerance: Double = 1e-9, _ what: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let actual, let expected else {
        #expect(
            actual == nil && expected == nil, "\(what): \(String(describing: actual)) against \(String(describing: expected))",
            sourceLocation: sourceLocation)
        return
    }
    #expect(
        abs(actual - expected) <= tolerance,
        "\(what): \(actual) differs from \(expected) by \(abs(actual - expected)), more than \(tolerance)",
        sourceLocation: sourceLocation)
}

/// `count` draws from N(mean, sd²), reproducible from the generator's seed.
public func normalSample(count: Int, mean: Double = 0, standardDeviation: Double = 1, using generator: inout SeededGenerator) -> [Double] {
    (0..<count).map { _ in Normal.sample(mean: mean, standardDeviation: standardDeviation, using: &generator) }
}
