import GapStatistics
import TestSupport
import Testing

@Suite("Percentile ranks")
struct PercentileRanksTests {
    @Test("ranks by hand, with ties taking the average position")
    func handWorked() throws {
        // Scores 50, 30, 40, 40, 60 sorted: 30 (1), 40 (2), 40 (3), 50 (4), 60 (5).
        // The two 40s share (2 + 3)/2 = 2.5. Divided by n = 5:
        // 50 → 4/5 = 0.8, 30 → 0.2, 40 → 2.5/5 = 0.5, 40 → 0.5, 60 → 1.0.
        let ranks = try PercentileRanks(scores: [50, 30, 40, 40, 60])
        #expect(ranks.values == [0.8, 0.2, 0.5, 0.5, 1.0])
    }

    @Test("all scores equal share the middle rank (n + 1)/2n")
    func allTied() throws {
        // Four equal scores share (1 + 2 + 3 + 4)/4 = 2.5, over 4 = 0.625.
        #expect(try PercentileRanks(scores: [7, 7, 7, 7]).values == [0.625, 0.625, 0.625, 0.625])
        #expect(try PercentileRanks(scores: [3]).values == [1.0])
    }

    @Test("agrees with the counting definition on random scores with many ties, in any order")
    func countingDefinition() throws {
        var generator = SeededGenerator(seed: 5)
        let scores = (0..<300).map { _ in Double(generator.index(below: 25)) }
        let ranks = try PercentileRanks(scores: scores).values
        let n = Double(scores.count)
        for (i, score) in scores.enumerated() {
            // rank = (number below + (number equal + 1)/2) / n, counted pair by pair.
            let below = Double(scores.filter { $0 < score }.count)
            let equal = Double(scores.filter { $0 == score }.count)
            expectClose(ranks[i], (below + (equal + 1) / 2) / n, tolerance: 1e-12, "rank of student \(i)")
        }
        let reversed = try PercentileRanks(scores: scores.reversed()).values
        #expect(reversed == ranks.reversed())
    }

    @Test("rejects an empty cohort and missing scores")
    func errors() {
        #expect(throws: StatisticsError.emptyGroup("cohort")) { try PercentileRanks(scores: []) }
        #expect(throws: StatisticsError.nonFiniteValue(group: "cohort", position: 1)) {
            try PercentileRanks(scores: [1, .nan, 3])
        }
    }
}
