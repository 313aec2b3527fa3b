import GapStatistics
import Testing

@Suite("Suppression of small numbers")
struct SuppressionTests {
    let rule = SuppressionRule.standard

    @Test("primary: figures from fewer than 10 students are shown as c")
    func primary() {
        #expect(rule.threshold == 10)
        #expect(rule.figure(42.5, count: 10) == .value(42.5))
        #expect(rule.figure(42.5, count: 9) == .suppressed(.belowThreshold(threshold: 10)))
        #expect(rule.figure(42.5, count: 9).description == "c")
        #expect(rule.figure(7, count: 12).description == "7")
    }

    @Test("a gap needs both groups to reach 10")
    func gaps() {
        #expect(rule.gapFigure(3.9, disadvantagedCount: 10, othersCount: 10) == .value(3.9))
        #expect(rule.gapFigure(3.9, disadvantagedCount: 9, othersCount: 200).isSuppressed)
        #expect(rule.gapFigure(3.9, disadvantagedCount: 200, othersCount: 9) == .suppressed(.groupBelowThreshold(group: "other", threshold: 10)))
    }

    @Test("secondary: one small cell in a row takes the next smallest with it")
    func secondary() throws {
        // 25, 3, 40 of 68: 3 is primary; alone it could be worked out as 68 − 25 − 40, so the
        // next smallest, 25, is suppressed too. 40 and the total stay.
        let row = try rule.row(counts: [25, 3, 40], total: 68)
        #expect(row.cells == [.suppressed(.protectsSuppressedCell), .suppressed(.belowThreshold(threshold: 10)), .value(40)])
        #expect(row.total == .value(68))
        #expect(row.cells.map(\.description) == ["c", "c", "40"])
    }

    @Test("two small cells already protect each other; no small cell needs nothing")
    func noSecondaryNeeded() throws {
        let two = try rule.row(counts: [25, 3, 4, 40], total: 72)
        #expect(two.cells.map(\.isSuppressed) == [false, true, true, false])
        let none = try rule.row(counts: [12, 15], total: 27)
        #expect(none.cells == [.value(12), .value(15)])
    }

    @Test("zero counts are suppressed, and ties for next smallest take the first")
    func zerosAndTies() throws {
        let zero = try rule.row(counts: [0, 50], total: 50)
        #expect(zero.cells.map(\.isSuppressed) == [true, true])
        #expect(zero.total == .value(50))
        let tie = try rule.row(counts: [3, 20, 20], total: 43)
        #expect(tie.cells.map(\.isSuppressed) == [true, true, false])
    }

    @Test("a small total is suppressed with its cells; a one-cell row hides its total")
    func smallTotals() throws {
        let small = try rule.row(counts: [2, 3], total: 5)
        #expect(small.total.isSuppressed)
        #expect(small.cells.allSatisfy { $0.isSuppressed })
        let single = try rule.row(counts: [4], total: 30)
        #expect(single.cells[0].isSuppressed)
        #expect(single.total == .suppressed(.protectsSuppressedCell))
    }

    @Test("no row of random counts leaves a lone suppressed cell beside a shown total")
    func recoveryProperty() throws {
        var generator = SeededGenerator(seed: 10)
        for _ in 0..<500 {
            let counts = (0..<(1 + generator.index(below: 6))).map { _ in generator.index(below: 40) }
            let total = counts.reduce(0, +) + generator.index(below: 3)
            let row = try rule.row(counts: counts, total: total)
            let hidden = row.cells.filter(\.isSuppressed).count
            #expect(row.total.isSuppressed || hidden != 1, "counts \(counts) total \(total)")
            for (count, cell) in zip(counts, row.cells) where count < 10 {
                #expect(cell.isSuppressed, "count \(count) shown in \(counts)")
            }
        }
    }

    @Test("reasons never repeat the withheld number")
    func reasonsDoNotDisclose() {
        let figure = rule.figure(3, count: 3)
        guard case let .suppressed(reason) = figure else { Issue.record("not suppressed"); return }
        #expect(reason.description == "fewer than 10 students")
        #expect(!reason.description.contains("3"))
    }

    @Test("map keeps suppression and transforms shown values")
    func mapping() {
        let percent = rule.figure(0.4567, count: 40).map { ($0 * 1000).rounded() / 10 }
        #expect(percent == .value(45.7))
        #expect(rule.figure(0.4567, count: 4).map { $0 * 100 }.isSuppressed)
        #expect(rule.figure(0.4567, count: 4).value == nil)
    }

    @Test("refuses negative counts and a total below the sum")
    func errors() {
        #expect(throws: StatisticsError.self) { try rule.row(counts: [5, -1], total: 10) }
        #expect(throws: StatisticsError.self) { try rule.row(counts: [20, 20], total: 30) }
    }
}
