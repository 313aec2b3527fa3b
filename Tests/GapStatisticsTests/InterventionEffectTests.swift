import GapStatistics
import Testing

@Suite("Intervention effect (difference in differences)")
struct InterventionEffectTests {
    static let participants: [(pre: Double, post: Double)] = [(10, 14), (12, 15), (14, 20)]
    static let comparison: [(pre: Double, post: Double)] = [(11, 12), (13, 15), (15, 16), (9, 10)]

    @Test("effect size, Morris correction and delta-method SE, by hand")
    func handWorked() throws {
        // Participants: changes 4, 3, 6 (mean 4.333333, s² 2.333333); pre 10, 12, 14 (s² 4).
        // Comparison: changes 1, 2, 1, 1 (mean 1.25, s² 0.25); pre 11, 13, 15, 9 (s² 20/3).
        // Pooled pre variance = (2 × 4 + 3 × 20/3)/5 = 5.6, SD 2.366432.
        // ES = (4.333333 − 1.25)/2.366432 = 1.302946. c_p = 1 − 3/(4 × 5 − 1) = 16/19; 1.097218.
        // Var = (2.333333/3 + 0.25/4)/5.6 + 1.302946²/(2 × 5) = 0.150050 + 0.169767 = 0.319816;
        // SE 0.565523.
        let effect = try InterventionEffect(participants: Self.participants, comparison: Self.comparison)
        expectClose(effect.meanChangeParticipants, 13.0 / 3, tolerance: 1e-12)
        expectClose(effect.meanChangeComparison, 1.25, tolerance: 1e-12)
        expectClose(effect.pooledPreTestStandardDeviation, 5.6.squareRoot(), tolerance: 1e-12)
        expectClose(effect.effectSize, 1.302_946_142_706_463, tolerance: 1e-12)
        expectClose(effect.biasCorrectedEffectSize, 1.302_946_142_706_463 * 16 / 19, tolerance: 1e-12)
        expectClose(effect.standardError, 0.565_523_181_004_959_6, tolerance: 1e-12)
        #expect(effect.participantCount == 3)
        #expect(effect.comparisonCount == 4)
        #expect(effect.eefMonths.months == 12)
    }

    @Test("recovers a planted effect of 0.3 SD, and bootstrap agrees with the analytic interval")
    func plantedEffect() throws {
        // Pre N(100, 15²); post = pre + 5 + N(0, 8²), plus 0.3 × 15 = 4.5 for participants.
        // True effect 4.5/15 = 0.3. With 2,000 per group SE ≈ √((64/2000 × 2)/225) ≈ 0.017.
        var generator = SeededGenerator(seed: 1_234)
        func group(_ bonus: Double) -> [(pre: Double, post: Double)] {
            (0..<2_000).map { _ in
                let pre = Normal.sample(mean: 100, standardDeviation: 15, using: &generator)
                return (pre, pre + 5 + bonus + Normal.sample(standardDeviation: 8, using: &generator))
            }
        }
        let participants = group(4.5)
        let comparison = group(0)
        let effect = try InterventionEffect(participants: participants, comparison: comparison)
        expectClose(effect.effectSize, 0.3, tolerance: 0.07, "effect size")
        #expect(effect.confidenceInterval.contains(0.3))
        #expect(effect.eefMonths.months == 4)
        let bootstrap = try InterventionEffect.bootstrapInterval(
            participants: participants, comparison: comparison, settings: BootstrapSettings(replicates: 1_000, seed: 5)
        )
        let halfWidth = effect.confidenceInterval.width / 2
        expectClose(bootstrap.lower, effect.confidenceInterval.lower, tolerance: 0.15 * halfWidth, "lower end")
        expectClose(bootstrap.upper, effect.confidenceInterval.upper, tolerance: 0.15 * halfWidth, "upper end")
    }

    @Test("bootstrap intervals cover the true effect in at least 90 of 100 small studies")
    func coverage() throws {
        // 30 participants, 30 comparison students, true effect 0.4 (6 points on SD 15).
        var generator = SeededGenerator(seed: 55)
        var hits = 0
        for replication in 0..<100 {
            func group(_ bonus: Double) -> [(pre: Double, post: Double)] {
                (0..<30).map { _ in
                    let pre = Normal.sample(mean: 100, standardDeviation: 15, using: &generator)
                    return (pre, pre + 3 + bonus + Normal.sample(standardDeviation: 6, using: &generator))
                }
            }
            let settings = BootstrapSettings(replicates: 400, seed: UInt64(replication))
            let interval = try InterventionEffect.bootstrapInterval(participants: group(6), comparison: group(0), settings: settings)
            if interval.contains(0.4) { hits += 1 }
        }
        #expect(hits >= 90, "covered \(hits) of 100")
    }

    @Test("the same seed gives the same bootstrap interval")
    func reproducible() throws {
        let settings = BootstrapSettings(replicates: 200, seed: 42)
        let a = try InterventionEffect.bootstrapInterval(participants: Self.participants, comparison: Self.comparison, settings: settings)
        let b = try InterventionEffect.bootstrapInterval(participants: Self.participants, comparison: Self.comparison, settings: settings)
        #expect(a == b)
    }

    @Test("refuses groups of one and pre-tests with no spread")
    func errors() {
        #expect(throws: StatisticsError.tooFewValues(group: "participants", found: 1, needed: 2)) {
            try InterventionEffect(participants: [(1, 2)], comparison: Self.comparison)
        }
        #expect(throws: StatisticsError.noSpread("the pre-test scores")) {
            try InterventionEffect(participants: [(5, 6), (5, 7)], comparison: [(5, 5), (5, 6)])
        }
    }
}
