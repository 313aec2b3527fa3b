import GapStatistics
import Testing

/// Records a failure unless `actual` is within `tolerance` of `expected`, saying by how much.
func expectClose(
    _ actual: Double, _ expected: Double, tolerance: Double, _ what: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(
        abs(actual - expected) <= tolerance,
        "\(what) \(actual) differs from \(expected) by \(abs(actual - expected)), more than \(tolerance)",
        sourceLocation: sourceLocation
    )
}

/// `count` draws from N(mean, sd²), reproducible from the generator's seed.
func normalSample(count: Int, mean: Double = 0, standardDeviation: Double = 1, using generator: inout SeededGenerator) -> [Double] {
    (0..<count).map { _ in Normal.sample(mean: mean, standardDeviation: standardDeviation, using: &generator) }
}

func pow2(_ x: Double) -> Double { x * x }
