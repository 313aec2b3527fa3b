import GapStatistics
import TestSupport
import Testing

@Suite("Standardised gap (Hedges' g)")
struct StandardisedGapTests {
    @Test("pooled SD, correction J and Hedges–Olkin interval, by hand")
    func handWorked() throws {
        // D = 2, 4, 6 (mean 4, s² 4, n 3); O = 5, 7, 9, 11, 13 (mean 9, s² 10, n 5).
        // Pooled variance = (4 × 10 + 2 × 4)/6 = 8, s_p = 2.828427. d = 5/2.828427 = 1.767767.
        // J = 1 − 3/(4 × 8 − 9) = 1 − 3/23 = 0.8695652. g = 1.537189.
        // Var(d) = 8/15 + 1.767767²/(2 × 8) = 0.533333 + 0.195313 = 0.728646.
        // Var(g) = 0.8695652² × 0.728646 = 0.550960, SE = 0.742267.
        let gap = try StandardisedGap(disadvantaged: [2, 4, 6], others: [5, 7, 9, 11, 13])
        expectClose(gap.pooledStandardDeviation, 8.0.squareRoot(), tolerance: 1e-12)
        expectClose(gap.cohensD, 1.767_766_952_966_369, tolerance: 1e-12)
        expectClose(gap.correction, 20.0 / 23, tolerance: 1e-12)
        expectClose(gap.hedgesG, 1.537_188_654_753_364, tolerance: 1e-12)
        expectClose(gap.standardError, 0.742_267_426_590_437, tolerance: 1e-12)
        expectClose(gap.confidenceInterval.lower, 1.537_188_654_753_364 - 1.959_963_984_540_054 * 0.742_267_426_590_437, tolerance: 1e-9)
        #expect(gap.confidenceInterval.method == .hedgesOlkin)
    }

    @Test("large normal samples recover the planted shift d", arguments: [(0.25, UInt64(21)), (0.8, UInt64(22))])
    func recoversShift(shift: Double, seed: UInt64) throws {
        // 20,000 per group: SE(g) ≈ √(2/20000) ≈ 0.01; tolerance 4 SE. Scores on a 100 ± 15 scale.
        var generator = SeededGenerator(seed: seed)
        let d = normalSample(count: 20_000, mean: 100, standardDeviation: 15, using: &generator)
        let o = normalSample(count: 20_000, mean: 100 + 15 * shift, standardDeviation: 15, using: &generator)
        let gap = try StandardisedGap(disadvantaged: d, others: o)
        expectClose(gap.hedgesG, shift, tolerance: 0.04, "g")
        #expect(gap.confidenceInterval.contains(gap.hedgesG))
        expectClose(gap.standardError, (2.0 / 20_000 + shift * shift / 80_000).squareRoot(), tolerance: 1e-3)
    }

    @Test("refuses groups with no spread")
    func noSpread() {
        #expect(throws: StatisticsError.self) { try StandardisedGap(disadvantaged: [5, 5], others: [5, 5, 5]) }
    }
}
