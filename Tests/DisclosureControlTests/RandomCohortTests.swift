@testable import DisclosureControl
import Testing

/// Random cohorts with small groups planted in partitions, in unions, in two-way tables and in
/// single-fund support types; every one must pass the audit after complementary suppression.
@Suite("Disclosure audit: random cohorts")
struct RandomCohortTests {
    /// One cohort's report tables, built bottom-up so that every relation holds.
    static func cohort(seed: UInt64) throws -> TableSet {
        var random = SplitMix(seed: seed)
        var t = TableSet()
        // Groups: FSM Ever 6 and looked after overlap; small groups are common on purpose.
        let fsmOnly = random.int(0...50), both = random.int(0...4), lacOnly = random.int(0...8)
        let others = random.int(3...150)
        let fsm = fsmOnly + both, lac = lacOnly + both, dis = fsmOnly + both + lacOnly
        try t.count("whole", "All pupils", dis + others, isTotal: true)
        try t.count("dis", "Disadvantaged", dis, isTotal: true)
        try t.count("others", "Others", others)
        try t.count("fsm", "FSM Ever 6", fsm)
        try t.count("lac", "Looked after", lac)
        try t.add(Cell(id: "both", label: "FSM Ever 6 and looked after", value: both, visibility: .unpublished))
        try t.partition("whole", into: ["dis", "others"])
        try t.union("dis", of: "fsm", "lac", overlap: "both")

        // Attendance: possible and absent sessions of the four atomic groups, added up.
        func sessions(_ pupils: Int) -> (possible: Int, absent: Int) {
            let possible = pupils * 300 - random.int(0...(pupils * 20))
            return (possible, random.int(0...(possible / 4)))
        }
        let atoms = [sessions(fsmOnly), sessions(both), sessions(lacOnly), sessions(others)]
        for (index, measure) in ["possible", "absent"].enumerated() {
            let v = atoms.map { index == 0 ? $0.possible : $0.absent }
            let values: [(CellID, Int)] = [
                ("whole", v[0] + v[1] + v[2] + v[3]), ("dis", v[0] + v[1] + v[2]), ("others", v[3]),
                ("fsm", v[0] + v[1]), ("lac", v[1] + v[2]),
            ]
            for (group, value) in values {
                try t.sum(CellID("\(group).\(measure)"), "\(t[group]!.label), \(measure) sessions", value, unit: "sessions", over: group, isTotal: group == "whole" || group == "dis")
            }
            try t.add(Cell(id: CellID("both.\(measure)"), label: "Both, \(measure) sessions", value: v[1], measure: .sum(unit: "sessions", group: "both"), visibility: .unpublished))
            try t.partition(CellID("whole.\(measure)"), into: [CellID("dis.\(measure)"), CellID("others.\(measure)")])
            try t.union(CellID("dis.\(measure)"), of: CellID("fsm.\(measure)"), CellID("lac.\(measure)"), overlap: CellID("both.\(measure)"))
        }
        for group in ["whole", "dis", "others", "fsm", "lac"] {
            let possible = t[CellID("\(group).possible")]!.value, absent = t[CellID("\(group).absent")]!.value
            guard possible > 0 else { continue }
            let percent = (Double(absent) / Double(possible) * 1000).rounded() / 10
            try t.rate(CellID("\(group).rate"), "\(t[CellID(group)]!.label), absence rate", numerator: CellID("\(group).absent"), denominator: CellID("\(group).possible"), percent: percent, decimals: 1)
        }

        // Attainment bands by group: a two-way table on the same group counts.
        var bandTotals = [0, 0, 0]
        var inner: [[CellID?]] = []
        for group in ["dis", "others"] {
            var remaining = t[CellID(group)]!.value
            var row: [CellID?] = []
            for band in 0..<3 {
                let value = band == 2 ? remaining : random.int(0...remaining)
                remaining -= value
                bandTotals[band] += value
                let id = CellID("\(group).band\(band)")
                try t.count(id, "\(t[CellID(group)]!.label), band \(band + 1)", value)
                row.append(id)
            }
            inner.append(row)
        }
        for band in 0..<3 { try t.count(CellID("band\(band)"), "Band \(band + 1)", bandTotals[band], isTotal: true) }
        try t.twoWayTable(inner: inner, rowTotals: ["dis", "others"], columnTotals: ["band0", "band1", "band2"], grandTotal: "whole")

        // Support types and their funding sources; some types use one fund only.
        let typeCount = random.int(2...4), fundCount = random.int(2...3)
        var fundSpend = [Int](repeating: 0, count: fundCount)
        var spendGrid: [[Int]] = []
        var supportPupils = 0
        for type in 0..<typeCount {
            let pupils = random.chance(0.4) ? random.int(1...9) : random.int(10...40)
            supportPupils += pupils
            let spend = pupils * random.int(50...400)
            var row = [Int](repeating: 0, count: fundCount)
            if random.chance(0.5) {
                row[random.int(0...(fundCount - 1))] = spend
            } else {
                let first = random.int(0...(fundCount - 1)), second = (first + 1) % fundCount
                row[first] = random.int(0...spend)
                row[second] = spend - row[first]
            }
            for fund in 0..<fundCount { fundSpend[fund] += row[fund] }
            spendGrid.append(row)
            try t.count(CellID("type\(type).pupils"), "Support type \(type + 1), pupils", pupils)
            try t.sum(CellID("type\(type)"), "Support type \(type + 1), spend", spend, unit: "£", over: CellID("type\(type).pupils"))
        }
        try t.count("support.pupils", "Support places", supportPupils, isTotal: true)
        try t.partition("support.pupils", into: (0..<typeCount).map { CellID("type\($0).pupils") })
        try t.sum("spend", "Support spend", fundSpend.reduce(0, +), unit: "£", over: "support.pupils", isTotal: true)
        let funds = (0..<fundCount).filter { fundSpend[$0] > 0 }
        for fund in funds { try t.sum(CellID("fund\(fund)"), "Fund \(fund + 1)", fundSpend[fund], unit: "£", over: nil) }
        var spendInner: [[CellID?]] = []
        for (type, row) in spendGrid.enumerated() {
            var cells: [CellID?] = []
            for fund in funds {
                guard row[fund] > 0 else { cells.append(nil); continue }
                let id = CellID("type\(type).fund\(fund)")
                try t.add(Cell(id: id, label: "Support type \(type + 1) from fund \(fund + 1)", value: row[fund], measure: .sum(unit: "£", group: nil), visibility: .unpublished))
                cells.append(id)
            }
            spendInner.append(cells)
        }
        try t.twoWayTable(inner: spendInner, rowTotals: (0..<typeCount).map { CellID("type\($0)") }, columnTotals: funds.map { CellID("fund\($0)") }, grandTotal: "spend")
        return t
    }

    @Test("after complementary suppression nothing suppressed can be narrowed, and no small group is published")
    func randomCohorts() throws {
        var leakedBefore = 0
        let seeds: [UInt64] = Array(1...200)
        for seed in seeds {
            var tables = try Self.cohort(seed: seed)
            let primaries = PrimarySuppression().apply(to: &tables)
            if !(try DisclosureAuditor().audit(tables).passes) { leakedBefore += 1 }
            let result = try ComplementarySuppression().protect(tables)
            let audit = try DisclosureAuditor().audit(result.tables)
            #expect(audit.passes, "seed \(seed): \(audit.findings.map(\.description))")
            for id in primaries {
                #expect(result.tables[id]?.visibility == .suppressed, "seed \(seed): \(id) published")
            }
            // Every count under 10 that is printed anywhere is hidden.
            for cell in result.tables.cells where cell.measure == .pupils && cell.value < 10 {
                #expect(cell.visibility != .published, "seed \(seed): \(cell.label) = \(cell.value) printed")
            }
            for cell in result.tables.cells {
                guard case let .rate(numerator, _, _) = cell.measure, cell.visibility == .published else { continue }
                #expect(result.tables[numerator]?.visibility == .published, "seed \(seed): \(cell.label) printed over a hidden numerator")
            }
            if seed % 20 == 0 {
                #expect(try ComplementarySuppression().protect(tables) == result, "seed \(seed): not deterministic")
            }
        }
        // The generator plants small groups on purpose: most cohorts must leak before protection,
        // or this test would not be testing anything.
        #expect(leakedBefore * 2 > seeds.count, "only \(leakedBefore) of \(seeds.count) cohorts leaked before protection")
    }

    @Test("searching candidates by sets hides exactly the figures the one-by-one search hides")
    func setSearchChoosesAsOneByOne() throws {
        var needingSeveral = 0
        for seed in UInt64(1)...60 {
            var tables = try Self.cohort(seed: seed)
            PrimarySuppression().apply(to: &tables)
            var plain = ComplementarySuppression()
            plain.triesOneByOne = true
            let bySets = try ComplementarySuppression().protect(tables)
            let oneByOne = try plain.protect(tables)
            #expect(bySets.complementary == oneByOne.complementary, "seed \(seed)")
            #expect(bySets.tables == oneByOne.tables, "seed \(seed)")
            if bySets.complementary.count > 1 { needingSeveral += 1 }
        }
        // The cohorts must need several complementary cells, or the order of the search would not matter.
        #expect(needingSeveral > 20, "only \(needingSeveral) cohorts needed more than one complementary cell")
        var random = SplitMix(seed: 2026)
        var large = try randomTwoWayTable(rows: 12, columns: 15, using: &random) { $0.chance(0.1) ? $0.int(0...9) : $0.int(10...60) }
        PrimarySuppression().apply(to: &large)
        var plain = ComplementarySuppression()
        plain.triesOneByOne = true
        #expect(try ComplementarySuppression().protect(large).complementary == plain.protect(large).complementary)
    }

    @Test("a larger table: 12 groups × 15 support weeks with margins, groups of 0 to 9 pupils planted in a tenth of the cells")
    func largerTable() throws {
        var random = SplitMix(seed: 2026)
        var t = try randomTwoWayTable(rows: 12, columns: 15, using: &random) { $0.chance(0.1) ? $0.int(0...9) : $0.int(10...60) }
        let primaries = PrimarySuppression().apply(to: &t)
        #expect(primaries.count >= 10)
        #expect(!(try DisclosureAuditor().audit(t).passes))
        let result = try ComplementarySuppression().protect(t)
        #expect(try DisclosureAuditor().audit(result.tables).passes)
        for id in primaries { #expect(result.tables[id]?.visibility == .suppressed, "\(id) published") }
        // No total is hidden when details will do, and here they do.
        #expect(result.complementary.allSatisfy { !(result.tables[$0]?.isTotal ?? true) })
    }
}
