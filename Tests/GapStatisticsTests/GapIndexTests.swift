import GapStatistics
import TestSupport
import Testing

@Suite("DfE disadvantage gap index")
struct GapIndexTests {
    @Test("the worked example of docs/methodology.md §5: mean ranks 0.40 and 0.65, index 5.0")
    func workedExample() throws {
        // Sorted: 95 D(1) 98 D(2) 100 O(3) 101 O(4) 103 O(5) 104 D(6) 106 D(7) 108 O(8) 110 O(9) 112 O(10).
        // D ranks 1+2+6+7 = 16, mean 4, /10 = 0.40; O ranks 3+4+5+8+9+10 = 39, mean 6.5, /10 = 0.65.
        // Index 20 × (0.65 − 0.40) = 5.0.
        let index = try GapIndex(disadvantaged: [95, 98, 104, 106], others: [100, 101, 103, 108, 110, 112])
        expectClose(index.meanPercentileRankDisadvantaged, 0.40, tolerance: 1e-12)
        expectClose(index.meanPercentileRankOthers, 0.65, tolerance: 1e-12)
        expectClose(index.value, 5.0, tolerance: 1e-12)
        expectClose(index.rankGap, 0.25, tolerance: 1e-12)
        #expect(index.disadvantagedCount == 4)
        #expect(index.othersCount == 6)
        // Pairs (O, D) with O ahead: 100, 101, 103 beat 2 D each; 108, 110, 112 beat 4 each:
        // 6 + 12 = 18 of 24, AUC = 0.75 = 0.65 − 0.40 + 0.5.
        expectClose(index.probabilityOthersAhead, 0.75, tolerance: 1e-12)
    }

    @Test("DeLong standard error and interval of the worked example, by hand")
    func workedExampleDeLong() throws {
        // Placements of others (share of D below): 100, 101, 103 → 0.5; 108, 110, 112 → 1.
        // Mean 0.75; S10 = 6 × 0.25² / 5 = 0.075.
        // Placements of D (share of O above): 95, 98 → 1; 104, 106 → 0.5. S01 = 4 × 0.25² / 3 = 1/12.
        // Var(AUC) = 0.075/6 + (1/12)/4 = 0.0125 + 0.0208333 = 0.0333333; SE = 0.1825742.
        // SE(index) = 20 × 0.1825742 = 3.651484.
        // 95% CI for AUC: 0.75 ± 1.959964 × 0.1825742 = [0.392162, 1.107838]; the top is
        // clamped to 1, so the index interval is [20 × (0.392162 − 0.5), 20 × 0.5] = [−2.156777, 10].
        let index = try GapIndex(disadvantaged: [95, 98, 104, 106], others: [100, 101, 103, 108, 110, 112])
        let se = try #require(index.standardError)
        expectClose(se, 3.651_483_716_701_107, tolerance: 1e-9)
        let ci = try #require(index.confidenceInterval)
        expectClose(ci.lower, -2.156_776_574_868_626, tolerance: 1e-6)
        #expect(ci.upper == 10)
        #expect(ci.method == .deLong)
    }

    @Test("ties between groups count half, by hand")
    func tiesByHand() throws {
        // D = 1, 2; O = 2, 3. Sorted 1 D, 2 D, 2 O, 3 O; midranks 1, 2.5, 2.5, 4 over n = 4.
        // Mean rank D = (1 + 2.5)/2/4 = 0.4375; O = (2.5 + 4)/2/4 = 0.8125; index 20 × 0.375 = 7.5.
        // Pairs: (2,1) 1, (2,2) ½, (3,1) 1, (3,2) 1 → AUC 3.5/4 = 0.875.
        // Placements O: 2 → (1 + ½)/2 = 0.75, 3 → 1; S10 = 2 × 0.125² = 0.03125. D: 1 → 1, 2 → 0.75;
        // S01 = 0.03125. Var = 0.03125/2 + 0.03125/2 = 0.03125; SE(index) = 20 × 0.1767767 = 3.535534.
        let index = try GapIndex(disadvantaged: [2, 1], others: [3, 2])
        expectClose(index.meanPercentileRankDisadvantaged, 0.4375, tolerance: 1e-12)
        expectClose(index.meanPercentileRankOthers, 0.8125, tolerance: 1e-12)
        expectClose(index.value, 7.5, tolerance: 1e-12)
        expectClose(index.probabilityOthersAhead, 0.875, tolerance: 1e-12)
        expectClose(index.standardError, 3.535_533_905_932_738, tolerance: 1e-9)
    }

    @Test("complete separation reads 10 (and −10 the other way); identical groups read 0")
    func extremes() throws {
        #expect(try GapIndex(disadvantaged: [1, 2, 3], others: [4, 5]).value == 10)
        #expect(try GapIndex(disadvantaged: [4, 5], others: [1, 2, 3]).value == -10)
        #expect(try GapIndex(disadvantaged: [1, 2, 3], others: [3, 2, 1]).value == 0)
    }

    @Test("the list-of-students form gives the same result as two arrays")
    func studentListForm() throws {
        let students: [(score: Double, isDisadvantaged: Bool)] = [
            (100, false), (95, true), (101, false), (98, true), (103, false),
            (104, true), (108, false), (106, true), (110, false), (112, false),
        ]
        let fromList = try GapIndex(scores: students)
        let fromArrays = try GapIndex(disadvantaged: [95, 98, 104, 106], others: [100, 101, 103, 108, 110, 112])
        #expect(fromList == fromArrays)
    }

    @Test("matches brute-force pairwise AUC, midranks and DeLong placements on tied random data")
    func bruteForce() throws {
        var generator = SeededGenerator(seed: 11)
        let d = (0..<37).map { _ in Double(generator.index(below: 12)) }
        let o = (0..<53).map { _ in Double(generator.index(below: 12) + 2) }
        let index = try GapIndex(disadvantaged: d, others: o)
        func psi(_ x: Double, _ y: Double) -> Double { x > y ? 1 : (x == y ? 0.5 : 0) }
        let v10 = o.map { oScore in d.reduce(0) { $0 + psi(oScore, $1) } / Double(d.count) }
        let v01 = d.map { dScore in o.reduce(0) { $0 + psi($1, dScore) } / Double(o.count) }
        let auc = v10.reduce(0, +) / Double(o.count)
        func sampleVariance(_ v: [Double]) -> Double {
            let m = v.reduce(0, +) / Double(v.count)
            return v.reduce(0) { $0 + pow2($1 - m) } / Double(v.count - 1)
        }
        let deLongVariance = sampleVariance(v10) / Double(o.count) + sampleVariance(v01) / Double(d.count)
        expectClose(index.probabilityOthersAhead, auc, tolerance: 1e-12, "AUC")
        expectClose(index.value, 20 * (auc - 0.5), tolerance: 1e-10, "index = 20(AUC − ½)")
        expectClose(index.standardError, 20 * deLongVariance.squareRoot(), tolerance: 1e-10, "DeLong SE")
        let all = d + o
        func midrank(_ x: Double) -> Double {
            (Double(all.filter { $0 < x }.count) + (Double(all.filter { $0 == x }.count) + 1) / 2) / Double(all.count)
        }
        expectClose(index.meanPercentileRankDisadvantaged, d.map(midrank).reduce(0, +) / Double(d.count), tolerance: 1e-12)
        expectClose(index.meanPercentileRankOthers, o.map(midrank).reduce(0, +) / Double(o.count), tolerance: 1e-12)
    }

    // Two normal groups with equal SD, others shifted up by d SD: P(O > D) = Φ(d/√2), so the
    // index is 20(Φ(d/√2) − ½) = 1.403, 2.763, 5.205 for d = 0.25, 0.5, 1 (docs/methodology.md §5).
    // With 50,000 per group the index's SE is about 0.04; the tolerance is 4 SE.
    @Test("large normal samples recover 20(Φ(d/√2) − ½)", arguments: [
        (0.25, 1.403, UInt64(1)), (0.5, 2.763, UInt64(2)), (1.0, 5.205, UInt64(3)),
    ])
    func normalGroups(shift: Double, expected: Double, seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let d = normalSample(count: 50_000, using: &generator)
        let o = normalSample(count: 50_000, mean: shift, using: &generator)
        let index = try GapIndex(disadvantaged: d, others: o)
        expectClose(index.value, expected, tolerance: 0.16, "index for d = \(shift)")
        let se = try #require(index.standardError)
        #expect(se > 0.02 && se < 0.06, "SE \(se) should be about 0.04 at this size")
    }

    @Test("a national-size cohort of 600,000 scores, unequal groups")
    func nationalCohort() throws {
        // 180,000 disadvantaged (30%), 420,000 others shifted by d = 0.5: the index is 2.763
        // whatever the group sizes. SE ≈ 0.013 here, so 0.06 is over 4 SE.
        var generator = SeededGenerator(seed: 600_000)
        let d = normalSample(count: 180_000, using: &generator)
        let o = normalSample(count: 420_000, mean: 0.5, using: &generator)
        let index = try GapIndex(disadvantaged: d, others: o)
        expectClose(index.value, 2.763, tolerance: 0.06)
        expectClose(index.rankGap, index.probabilityOthersAhead - 0.5, tolerance: 1e-9, "rank gap = AUC − ½")
    }

    @Test("refuses empty groups, missing scores and a bad level; no interval for a group of one")
    func errors() throws {
        #expect(throws: StatisticsError.emptyGroup("disadvantaged")) { try GapIndex(disadvantaged: [], others: [1]) }
        #expect(throws: StatisticsError.emptyGroup("others")) { try GapIndex(disadvantaged: [1], others: []) }
        #expect(throws: StatisticsError.nonFiniteValue(group: "others", position: 0)) {
            try GapIndex(disadvantaged: [1], others: [.infinity])
        }
        #expect(throws: StatisticsError.self) { try GapIndex(disadvantaged: [1], others: [2], level: 1.5) }
        let single = try GapIndex(disadvantaged: [1], others: [2, 3])
        #expect(single.value == 10)
        #expect(single.standardError == nil)
        #expect(single.confidenceInterval == nil)
    }
}
