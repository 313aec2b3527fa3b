@testable import DisclosureControl
import Testing

@Suite("Disclosure audit: the linear program")
struct LinearProgramTests {
    @Test("a textbook optimum")
    func textbook() throws {
        // max x + y, x + 2y ≤ 4, 3x + y ≤ 6: the corner where both bind, x = 8/5, y = 6/5, 14/5.
        var program = LinearProgram(variableCount: 2)
        program.add([1, 2], .atMost, 4)
        program.add([3, 1], .atMost, 6)
        let region = try #require(try FeasibleRegion(program))
        let minimum = try #require(try region.minimum(of: [-1, -1]))
        #expect(abs(-minimum - 2.8) < 1e-12)
        let x = try region.range(of: 0)
        #expect(abs(x.lower) < 1e-12 && abs((x.upper ?? .nan) - 2) < 1e-12)
    }

    @Test("equalities need phase 1; an impossible system is reported as such")
    func phaseOne() throws {
        // x + y = 10, x − y = 4: x = 7, y = 3 only.
        var program = LinearProgram(variableCount: 2)
        program.add([1, 1], .equal, 10)
        program.add([1, -1], .equal, 4)
        let region = try #require(try FeasibleRegion(program))
        let y = try region.range(of: 1)
        #expect(abs(y.lower - 3) < 1e-9 && abs((y.upper ?? .nan) - 3) < 1e-9)
        // x + y = 10 and x + y ≤ 8 cannot both hold.
        var impossible = LinearProgram(variableCount: 2)
        impossible.add([1, 1], .equal, 10)
        impossible.add([1, 1], .atMost, 8)
        #expect(try FeasibleRegion(impossible) == nil)
    }

    @Test("a redundant equality (the same total twice) is dropped, not fatal")
    func redundantRow() throws {
        var program = LinearProgram(variableCount: 2)
        program.add([1, 1], .equal, 12)
        program.add([2, 2], .equal, 24)
        let region = try #require(try FeasibleRegion(program))
        let x = try region.range(of: 0)
        #expect(abs(x.lower) < 1e-9 && abs((x.upper ?? .nan) - 12) < 1e-9)
    }

    @Test("Beale's degenerate example, on which the textbook pivot rule cycles, ends at −5/4")
    func bealeCycling() throws {
        // min −3/4 x4 + 20 x5 − 1/2 x6 + 6 x7 subject to
        // 1/4 x4 − 8 x5 − x6 + 9 x7 ≤ 0, 1/2 x4 − 12 x5 − 1/2 x6 + 3 x7 ≤ 0, x6 ≤ 1.
        // Optimum −5/4 at x4 = 1, x6 = 1 (Beale 1955; Chvátal, Linear Programming, 1983, ch. 3).
        var program = LinearProgram(variableCount: 4)
        program.add([0.25, -8, -1, 9], .atMost, 0)
        program.add([0.5, -12, -0.5, 3], .atMost, 0)
        program.add([0, 0, 1, 0], .atMost, 1)
        let region = try #require(try FeasibleRegion(program))
        let minimum = try #require(try region.minimum(of: [-0.75, 20, -0.5, 6]))
        #expect(abs(minimum + 1.25) < 1e-12)
    }

    @Test("an objective with no limit is reported as unbounded")
    func unbounded() throws {
        var program = LinearProgram(variableCount: 2)
        program.add([1, -1], .atMost, 3)
        let region = try #require(try FeasibleRegion(program))
        #expect(try region.minimum(of: [-1, 0]) == nil)
        #expect(try region.range(of: 0).upper == nil)
    }

    /// A random 2 × 3 table with margins and grand total ≤ 12, 2 to 4 hidden figures.
    func randomTwoWayTable(_ random: inout SplitMix) throws -> TableSet {
        var t = try DisclosureControlTests.randomTwoWayTable(rows: 2, columns: 3, using: &random) { $0.int(0...2) }
        let candidates = t.cells.map(\.id).filter { $0 != "all" }
        let hiddenCount = random.int(2...4)
        for id in candidates.shuffled(using: &random).prefix(hiddenCount) { t.suppress(id) }
        return t
    }

    @Test("on two-way tables the rounded LP interval equals the whole-number range, by enumeration")
    func bruteForceTwoWay() throws {
        // Tables with margins have a totally unimodular constraint matrix, so every corner of the
        // LP is a whole-number table: the intervals must coincide exactly.
        var random = SplitMix(seed: 13)
        for _ in 0..<20 {
            let tables = try randomTwoWayTable(&random)
            let exact = bruteForceIntervals(tables, bound: tables["all"]!.value)
            let audit = try DisclosureAuditor().audit(tables)
            for figure in audit.figures {
                let range = try #require(exact[figure.cell])
                #expect(figure.interval == FeasibleInterval(lower: range.lowerBound, upper: range.upperBound), "\(figure.cell) in \(tables.suppressed)")
            }
        }
    }

    @Test("with a union and a rounded rate the LP interval contains the whole-number range")
    func bruteForceContains() throws {
        // Disadvantaged = FSM ∪ looked after with an overlap, and absent sessions behind a printed
        // rate: not totally unimodular, so the LP is a relaxation: it must contain every whole-number
        // solution (it may be wider).
        var random = SplitMix(seed: 31)
        for _ in 0..<15 {
            let fsm = random.int(2...7), lac = random.int(1...5), both = random.int(0...min(fsm, lac))
            var t = TableSet()
            try t.count("dis", "Disadvantaged", fsm + lac - both, isTotal: true)
            try t.count("fsm", "FSM Ever 6", fsm)
            try t.count("lac", "Looked after", lac)
            try t.add(Cell(id: "both", label: "Both", value: both, visibility: .unpublished))
            try t.union("dis", of: "fsm", "lac", overlap: "both")
            let possible = random.int(6...12), absent = random.int(0...possible)
            try t.sum("possible", "Possible sessions", possible, unit: "sessions", over: "lac")
            try t.sum("absent", "Absent sessions", absent, unit: "sessions", over: "lac")
            let percent = (Double(absent) / Double(possible) * 100).rounded()
            try t.rate("rate", "Absence rate", numerator: "absent", denominator: "possible", percent: percent, decimals: 0)
            for id in [CellID("lac"), "possible", "absent"].shuffled(using: &random).prefix(random.int(1...2)) { t.suppress(id) }
            if random.chance(0.5) { t.suppress("fsm") }
            let exact = bruteForceIntervals(t, bound: 16)
            let audit = try DisclosureAuditor().audit(t)
            for figure in audit.figures {
                let range = try #require(exact[figure.cell])
                let upper = figure.interval.upper ?? Int.max
                #expect(figure.interval.lower <= range.lowerBound && upper >= range.upperBound, "\(figure.cell): LP \(figure.interval) v whole numbers \(range)")
            }
        }
    }
}
