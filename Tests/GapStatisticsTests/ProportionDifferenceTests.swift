import GapStatistics
import TestSupport
import Testing

@Suite("Difference of proportions (Newcombe's hybrid score interval)")
struct ProportionDifferenceTests {
    @Test("56/70 − 48/80: Newcombe's (1998) example (a), method 10 gives 0.0524 to 0.3339")
    func exampleA() throws {
        // Wilson for 56/70: (0.6917, 0.8660); for 48/80: (0.4907, 0.7000) (rounded).
        // lower = 0.2 − √((0.8 − 0.6917)² + (0.7000 − 0.6)²) = 0.2 − √(0.01173 + 0.01000) = 0.0526 ≈ 0.0524
        // with the unrounded limits; upper = 0.2 + √((0.8660 − 0.8)² + (0.6 − 0.4907)²) = 0.3339.
        let gap = ProportionDifference(try Proportion(count: 56, outOf: 70), minus: try Proportion(count: 48, outOf: 80))
        expectClose(gap.value, 0.2, tolerance: 1e-12)
        expectClose(gap.confidenceInterval.lower, 0.0524, tolerance: 5e-5)
        expectClose(gap.confidenceInterval.upper, 0.3339, tolerance: 5e-5)
        #expect(gap.confidenceInterval.method == .newcombe)
    }

    @Test("9/10 − 3/10: Newcombe's example (b), 0.1705 to 0.8090")
    func exampleB() throws {
        let gap = ProportionDifference(try Proportion(count: 9, outOf: 10), minus: try Proportion(count: 3, outOf: 10))
        expectClose(gap.value, 0.6, tolerance: 1e-12)
        expectClose(gap.confidenceInterval.lower, 0.1705, tolerance: 5e-5)
        expectClose(gap.confidenceInterval.upper, 0.8090, tolerance: 5e-5)
    }

    @Test("swapping the groups negates the gap and mirrors its interval")
    func symmetry() throws {
        let a = try Proportion(count: 56, outOf: 70), b = try Proportion(count: 48, outOf: 80)
        let forward = ProportionDifference(a, minus: b), backward = ProportionDifference(b, minus: a)
        expectClose(backward.value, -forward.value, tolerance: 1e-12)
        expectClose(backward.confidenceInterval.lower, -forward.confidenceInterval.upper, tolerance: 1e-12)
        expectClose(backward.confidenceInterval.upper, -forward.confidenceInterval.lower, tolerance: 1e-12)
    }
}
