import GapStatistics
import TestSupport
import Testing

/// Funnel plot limits for the gap index (docs/methodology.md §5.7), against values worked by hand
/// and against the share of in-control schools a simulation puts outside them.
@Suite struct GapIndexFunnelTests {
    /// Target 3.0, 25% disadvantaged, a school of 100 (n_D = 25, n_O = 75):
    ///   A = 0.5 + 3/20 = 0.65;  Q1 = 0.65/1.35 = 0.481481;  Q2 = 2·0.4225/1.65 = 0.512121;
    ///   Var(A) = [0.65·0.35 + 24·(0.481481 − 0.4225) + 74·(0.512121 − 0.4225)] / (25·75)
    ///          = [0.2275 + 1.415556 + 6.631970] / 1875 = 0.00441335;
    ///   SE(index) = 20·√0.00441335 = 1.328660;
    ///   95%:   3 ± 1.959964·1.328660 = 3 ± 2.604126 → 0.395874 to 5.604126;
    ///   99.8%: 3 ± 3.090232·1.328660 = 3 ± 4.105870 → −1.105870 to 7.105870.
    @Test func limitsMatchTheHandWorkedValues() throws {
        let funnel = try GapIndexFunnel(target: 3.0, disadvantagedShare: 0.25)
        expectClose(funnel.standardError(cohortSize: 100), 1.328660, tolerance: 1e-6, "SE")
        let warning = funnel.limits(cohortSize: 100, level: 0.95)
        expectClose(warning.lower, 0.395874, tolerance: 1e-5, "95% lower")
        expectClose(warning.upper, 5.604126, tolerance: 1e-5, "95% upper")
        let alarm = funnel.limits(cohortSize: 100, level: 0.998)
        expectClose(alarm.lower, -1.105870, tolerance: 1e-5, "99.8% lower")
        expectClose(alarm.upper, 7.105870, tolerance: 1e-5, "99.8% upper")
        #expect(funnel.position(gap: 5.0, cohortSize: 100) == .within)
        #expect(funnel.position(gap: 6.0, cohortSize: 100) == .above95)
        #expect(funnel.position(gap: 7.2, cohortSize: 100) == .above998)
        #expect(funnel.position(gap: 0.2, cohortSize: 100) == .below95)
        #expect(funnel.position(gap: -1.2, cohortSize: 100) == .below998)
    }

    /// At no gap (A = ½) the variance is Mann–Whitney's under the null, (n + 1)/(12·n_D·n_O):
    /// n = 40, n_D = n_O = 20: 41/4800 = 0.00854167, SE = 20·√0.00854167 = 1.848423.
    @Test func atNoGapTheVarianceIsMannWhitneys() throws {
        let funnel = try GapIndexFunnel(target: 0, disadvantagedShare: 0.5)
        expectClose(funnel.standardError(cohortSize: 40), 1.848423, tolerance: 1e-6, "SE at A = 1/2")
        // The funnel narrows as the cohort grows: SE falls roughly as 1/√n.
        #expect(funnel.standardError(cohortSize: 400) < funnel.standardError(cohortSize: 40) / 3)
    }

    /// Schools whose true gap is the target: with normal scores shifted by δ, AUC = Φ(δ/√2), so
    /// δ = √2·Φ⁻¹(0.65) = 0.544925 gives A = 0.65 (index 3). About 5% of 4,000 such schools of
    /// 100 pupils fall outside the 95% limits and about 0.2% outside the 99.8% limits.
    @Test func inControlSchoolsFallOutsideAtTheNominalRates() throws {
        let funnel = try GapIndexFunnel(target: 3.0, disadvantagedShare: 0.25)
        let shift = 2.0.squareRoot() * Normal.quantile(0.65)
        expectClose(shift, 0.544925, tolerance: 1e-5, "shift")
        var generator = SeededGenerator(seed: 2005)
        var outside95 = 0
        var outside998 = 0
        let schools = 4000
        for _ in 0..<schools {
            let disadvantaged = normalSample(count: 25, mean: -shift, using: &generator)
            let others = normalSample(count: 75, using: &generator)
            let gap = try GapIndex(disadvantaged: disadvantaged, others: others).value
            switch funnel.position(gap: gap, cohortSize: 100) {
            case .within: break
            case .above95, .below95: outside95 += 1
            case .above998, .below998: outside95 += 1; outside998 += 1
            }
        }
        // Binomial SD at p = 0.05, n = 4000: √(0.05·0.95/4000) = 0.0034; four SDs either side.
        let share95 = Double(outside95) / Double(schools)
        #expect(share95 > 0.036 && share95 < 0.064, "share outside 95%: \(share95)")
        // At p = 0.002 the SD is 0.0007: at most 0.005 (four SDs above).
        let share998 = Double(outside998) / Double(schools)
        #expect(share998 < 0.005, "share outside 99.8%: \(share998)")
    }

    /// (2, SE 1, weight 1) and (4, SE 2, weight 3): mean (2 + 12)/4 = 3.5, SE √(1·1 + 9·4)/4 =
    /// √37/4 = 1.520691. Null precision of 25 and 75: 12·25·75/101 = 222.772277.
    @Test func pooledIsThePrecisionWeightedMean() throws {
        let pooled = try #require(GapIndexFunnel.pooled([(2, 1, 1), (4, 2, 3)]))
        expectClose(pooled.value, 3.5, "pooled value")
        expectClose(pooled.standardError, 1.520691, tolerance: 1e-6, "pooled SE")
        #expect(GapIndexFunnel.pooled([(1, 0.5, 0)]) == nil)
        expectClose(GapIndexFunnel.nullPrecision(disadvantaged: 25, others: 75), 222.772277, tolerance: 1e-6, "null precision")
    }

    @Test func refusesAFunnelWithoutBothGroups() {
        #expect(throws: StatisticsError.self) { try GapIndexFunnel(target: 1, disadvantagedShare: 0) }
        #expect(throws: StatisticsError.self) { try GapIndexFunnel(target: 12, disadvantagedShare: 0.3) }
    }
}
