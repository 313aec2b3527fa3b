import GapStatistics
import Testing

@Suite("Gap index bootstrap")
struct GapIndexBootstrapTests {
    @Test("the same seed gives the same interval; another seed a slightly different one")
    func reproducible() throws {
        var generator = SeededGenerator(seed: 3)
        let d = normalSample(count: 60, using: &generator)
        let o = normalSample(count: 90, mean: 0.5, using: &generator)
        let first = try GapIndex.bootstrapInterval(disadvantaged: d, others: o, settings: BootstrapSettings(replicates: 500, seed: 77))
        let again = try GapIndex.bootstrapInterval(disadvantaged: d, others: o, settings: BootstrapSettings(replicates: 500, seed: 77))
        let other = try GapIndex.bootstrapInterval(disadvantaged: d, others: o, settings: BootstrapSettings(replicates: 500, seed: 78))
        #expect(first == again)
        #expect(first != other)
        #expect(first.method == .percentileBootstrap(replicates: 500, seed: 77))
        let index = try GapIndex(disadvantaged: d, others: o)
        #expect(first.contains(index.value))
    }

    @Test("on a large sample the bootstrap and DeLong intervals agree, with and without ties", arguments: [false, true])
    func agreesWithDeLong(gradesOnly: Bool) throws {
        // 2,000 per group, d = 0.5. Both intervals estimate the same sampling spread; with 1,000
        // replicates the bootstrap's ends carry a few per cent of Monte Carlo error, so each end
        // must lie within 15% of the DeLong half-width (about 0.4) of DeLong's. The tied case
        // rounds scores to whole grades on a 9-point scale (a third of pairs tie), which the
        // bootstrap must count as halves just as the index does.
        var generator = SeededGenerator(seed: 2_000)
        func grade(_ x: Double) -> Double { gradesOnly ? min(9, max(1, (5 + 1.5 * x).rounded())) : x }
        let d = normalSample(count: 2_000, using: &generator).map(grade)
        let o = normalSample(count: 2_000, mean: 0.5, using: &generator).map(grade)
        let index = try GapIndex(disadvantaged: d, others: o)
        let analytic = try #require(index.confidenceInterval)
        let bootstrap = try GapIndex.bootstrapInterval(
            disadvantaged: d, others: o, settings: BootstrapSettings(replicates: 1_000, seed: 9)
        )
        let halfWidth = analytic.width / 2
        expectClose(bootstrap.lower, analytic.lower, tolerance: 0.15 * halfWidth, "lower end")
        expectClose(bootstrap.upper, analytic.upper, tolerance: 0.15 * halfWidth, "upper end")
    }

    @Test("95% intervals cover the true index in at least 90 of 100 small samples")
    func coverage() throws {
        // 40 per group, d = 0.5, true index 20(Φ(0.5/√2) − ½) = 2.7633. Both the bootstrap and
        // DeLong intervals should cover it in about 95 of 100 samples; fewer than 90 would
        // mean a miscalculated spread (P(≤ 89 | 95%) ≈ 0.03).
        let truth = 2.763_263_901_682_369
        var generator = SeededGenerator(seed: 100)
        var bootstrapHits = 0
        var deLongHits = 0
        for replication in 0..<100 {
            let d = normalSample(count: 40, using: &generator)
            let o = normalSample(count: 40, mean: 0.5, using: &generator)
            let settings = BootstrapSettings(replicates: 500, seed: UInt64(replication))
            if try GapIndex.bootstrapInterval(disadvantaged: d, others: o, settings: settings).contains(truth) { bootstrapHits += 1 }
            if try #require(GapIndex(disadvantaged: d, others: o).confidenceInterval).contains(truth) { deLongHits += 1 }
        }
        #expect(bootstrapHits >= 90, "bootstrap covered \(bootstrapHits) of 100")
        #expect(deLongHits >= 90, "DeLong covered \(deLongHits) of 100")
    }

    @Test("refuses too few replicates")
    func settings() {
        #expect(throws: StatisticsError.self) {
            try GapIndex.bootstrapInterval(disadvantaged: [1, 2], others: [3, 4], settings: BootstrapSettings(replicates: 10, seed: 1))
        }
    }
}
