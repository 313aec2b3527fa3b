import GapStatistics
import Testing

@Suite("Linear regression with robust standard errors")
struct RegressionTests {
    /// x = 0…4, y = 1, 3, 2, 5, 4. By hand: x̄ = 2, ȳ = 3, Sxx = 10, Sxy = 8, so slope 0.8 and
    /// intercept 3 − 1.6 = 1.4. Residuals −0.4, 0.8, −1.0, 1.2, −0.6.
    /// HC0 variance of the slope: Σ (x − x̄)² e² / Sxx² = (4·0.16 + 0.64 + 0 + 1.44 + 4·0.36) / 100 = 0.0416;
    /// of the intercept, with (XᵀX)⁻¹ row (0.6, −0.2): Σ e² (0.6 − 0.2x)² = 0.0576 + 0.1024 + 0.04 + 0 + 0.0144 = 0.2144.
    /// HC1 multiplies both by n / (n − k) = 5/3: 0.069333 and 0.357333.
    @Test("a straight line through five points: coefficients and HC1 errors worked by hand")
    func simpleLine() throws {
        let fit = try LinearRegression.fit(design: (0...4).map { [1, Double($0)] }, outcomes: [1, 3, 2, 5, 4])
        #expect(abs(try #require(fit.coefficients[0]) - 1.4) < 1e-12)
        #expect(abs(try #require(fit.coefficients[1]) - 0.8) < 1e-12)
        #expect(abs(try #require(fit.standardErrors[1]) - (0.0416 * 5 / 3).squareRoot()) < 1e-12)
        #expect(abs(try #require(fit.standardErrors[0]) - (0.2144 * 5 / 3).squareRoot()) < 1e-12)
        let interval = try #require(fit.interval(1))
        #expect(abs(interval.lower - (0.8 - 1.959964 * (0.0416 * 5 / 3).squareRoot())) < 1e-5)
        #expect(interval.method == .robustRegression)
    }

    /// A 2×2 design saturated with its interaction: the treatment coefficient is the difference of
    /// the untreated stratum's cell means, 30/40 − 20/40 = 0.25, and its HC0 variance is that of a
    /// difference of two means, 0.75·0.25/40 + 0.5·0.5/40 = 0.0109375; HC1 multiplies by 120/116.
    @Test("a saturated 2×2 linear probability model gives the cell-mean difference and its variance")
    func saturatedTwoByTwo() throws {
        var design: [[Double]] = []
        var outcomes: [Double] = []
        func cell(treated: Bool, stratum: Bool, successes: Int, of n: Int) {
            for i in 0..<n {
                let t: Double = treated ? 1 : 0
                let s: Double = stratum ? 1 : 0
                design.append([1, t, s, t * s])
                outcomes.append(i < successes ? 1 : 0)
            }
        }
        cell(treated: true, stratum: false, successes: 30, of: 40)
        cell(treated: false, stratum: false, successes: 20, of: 40)
        cell(treated: true, stratum: true, successes: 18, of: 20)
        cell(treated: false, stratum: true, successes: 10, of: 20)
        let fit = try LinearRegression.fit(design: design, outcomes: outcomes)
        #expect(abs(try #require(fit.coefficients[1]) - 0.25) < 1e-12)
        #expect(abs(try #require(fit.standardErrors[1]) - (0.0109375 * 120 / 116).squareRoot()) < 1e-12)
        // Stratum 1: 0.9 − 0.5 = 0.4, so the interaction is 0.4 − 0.25.
        #expect(abs(try #require(fit.coefficients[3]) - 0.15) < 1e-12)
    }

    @Test("a column that repeats another is aliased, and the rest are fitted without it")
    func aliasedColumn() throws {
        let fit = try LinearRegression.fit(design: (0...4).map { [1, Double($0), 2 * Double($0)] }, outcomes: [1, 3, 2, 5, 4])
        #expect(fit.coefficients[2] == nil && fit.standardErrors[2] == nil && fit.interval(2) == nil)
        #expect(abs(try #require(fit.coefficients[1]) - 0.8) < 1e-12)
        #expect(fit.rank == 2)
    }

    @Test("mismatched rows and outcomes, and too few rows, are refused")
    func refusals() {
        #expect(throws: StatisticsError.self) { try LinearRegression.fit(design: [[1, 0], [1, 1]], outcomes: [1]) }
        #expect(throws: StatisticsError.self) { try LinearRegression.fit(design: [[1, 0], [1, 1]], outcomes: [1, 0]) }
    }

    /// Confounding with a known answer: support goes mostly to stratum "a", whose outcome is 0.3
    /// lower; within each stratum the supported are 0.1 higher. The raw difference is
    /// 0.66 − 0.74 = −0.08; adjusting for the stratum gives back 0.1 exactly, since the cell means
    /// fit the additive model exactly.
    @Test("adjusting for a categorical covariate recovers an effect the raw comparison hides")
    func adjustment() throws {
        var units: [RegressionAdjustedEffect.Unit] = []
        func add(_ n: Int, treated: Bool, stratum: String, mean: Double) {
            // Half at mean − 0.05, half at mean + 0.05: the cell mean is exact.
            for i in 0..<n {
                units.append(.init(treatments: [treated], categorical: [stratum], continuous: [],
                                   outcome: mean + (i % 2 == 0 ? -0.05 : 0.05)))
            }
        }
        add(80, treated: true, stratum: "a", mean: 0.6)
        add(20, treated: false, stratum: "a", mean: 0.5)
        add(20, treated: true, stratum: "b", mean: 0.9)
        add(80, treated: false, stratum: "b", mean: 0.8)
        // Raw: treated mean (80·0.6 + 20·0.9)/100 = 0.66; untreated (20·0.5 + 80·0.8)/100 = 0.74.
        let result = try RegressionAdjustedEffect.estimate(units)
        let effect = try #require(result.effects.first)
        #expect(abs(try #require(effect.estimate) - 0.1) < 1e-12)
        #expect(effect.treated == 100 && effect.untreated == 100)
        #expect(result.n == 200 && result.parameters == 3)
        #expect(try #require(effect.interval).contains(0.1))
    }
}
