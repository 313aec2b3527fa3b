import GapStatistics
import TestSupport
import Testing

@Suite("Normal distribution")
struct NormalDistributionTests {
    // Reference values from standard normal tables (Abramowitz and Stegun, table 26.1).
    @Test("Φ matches table values", arguments: [
        (0.0, 0.5),
        (1.0, 0.841_344_746_068_542_9),
        (-1.0, 0.158_655_253_931_457_1),
        (1.96, 0.975_002_104_851_779_5),
        (-3.0, 0.001_349_898_031_630_093),
        (0.5 / 2.0.squareRoot(), 0.638_163_195_084_118_5),
    ])
    func cdf(x: Double, expected: Double) {
        expectClose(Normal.cdf(x), expected, tolerance: 1e-12, "Φ(\(x))")
    }

    @Test("Φ⁻¹ matches table values", arguments: [
        (0.5, 0.0),
        (0.975, 1.959_963_984_540_054),
        (0.995, 2.575_829_303_548_901),
        (0.05, -1.644_853_626_951_472),
        (0.001, -3.090_232_306_167_813),
    ])
    func quantile(p: Double, expected: Double) {
        expectClose(Normal.quantile(p), expected, tolerance: 1e-12, "Φ⁻¹(\(p))")
    }

    @Test("Φ⁻¹ inverts Φ across the range, including the far tails")
    func roundTrip() {
        for x in stride(from: -8.0, through: 8.0, by: 0.25) {
            let p = Normal.cdf(x)
            // Relative precision of p is lost near 1, so check the upper half through 1 − p.
            let back = x <= 0 ? Normal.quantile(p) : -Normal.quantile(Normal.cdf(-x))
            expectClose(back, x, tolerance: 1e-9, "Φ⁻¹(Φ(\(x)))")
        }
        #expect(Normal.quantile(0) == -.infinity)
        #expect(Normal.quantile(1) == .infinity)
        #expect(Normal.quantile(1.5).isNaN)
        expectClose(Normal.criticalValue(level: 0.95), 1.959_963_984_540_054, tolerance: 1e-12)
        expectClose(Normal.criticalValue(level: 0.90), 1.644_853_626_951_472, tolerance: 1e-12)
    }

    @Test("Box–Muller draws have mean 0, variance 1 and 2.5% below −1.96")
    func boxMuller() {
        var generator = SeededGenerator(seed: 31_415)
        let n = 200_000
        let draws = normalSample(count: n, using: &generator)
        let mean = draws.reduce(0, +) / Double(n)
        let variance = draws.reduce(0) { $0 + pow2($1 - mean) } / Double(n - 1)
        let lowerTail = Double(draws.filter { $0 < -1.96 }.count) / Double(n)
        // SEs: mean 1/√n ≈ 0.0022; variance √(2/n) ≈ 0.0032; tail √(0.025·0.975/n) ≈ 0.00035.
        expectClose(mean, 0, tolerance: 0.009, "mean")
        expectClose(variance, 1, tolerance: 0.013, "variance")
        expectClose(lowerTail, 0.025, tolerance: 0.0014, "share below −1.96")
        var shifted = SeededGenerator(seed: 1)
        let scaled = normalSample(count: 50_000, mean: 100, standardDeviation: 15, using: &shifted)
        expectClose(scaled.reduce(0, +) / 50_000, 100, tolerance: 0.3, "scaled mean")
    }
}
