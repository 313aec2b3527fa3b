@testable import DisclosureControl
import Testing

/// Views that can be subtracted from one another (docs/disclosure-control.md §7.7): siblings that
/// add up to the whole but for a few pupils, and a view nested in another. Each family is
/// protected view by view against the whole (the rule before) and as one breakdown (the rule now),
/// then attacked as a reader holding every view.
@Suite("Disclosure audit: breakdowns of views")
struct BreakdownTests {
    /// Atoms (FSM Ever 6 only, both, looked after only, others) plus absent sessions per atom.
    struct Atoms {
        var counts: [Int]
        var absent: [Int]

        static func + (a: Atoms, b: Atoms) -> Atoms {
            Atoms(counts: zip(a.counts, b.counts).map(+), absent: zip(a.absent, b.absent).map(+))
        }

        static func random(_ random: inout SplitMix, _ ranges: [ClosedRange<Int>]) -> Atoms {
            let counts = ranges.map { random.int($0) }
            return Atoms(counts: counts, absent: counts.map { random.int(0...($0 * 30)) })
        }

        var tables: TableSet { get throws { try LinkedReportTests.groups(counts, absent: absent) } }
    }

    /// Each view protected on its own, tied to the whole alone, as it was; the pattern it prints.
    static func protectedOneByOne(_ view: TableSet, whole: TableSet) throws -> TableSet {
        var tied = view
        try tied.tie(to: whole, matching: \.id.rawValue, threshold: 10)
        PrimarySuppression().apply(to: &tied)
        let protected = try ComplementarySuppression().protect(tied).tables
        var printed = view
        for cell in view.cells { printed.setVisibility(protected[cell.id]!.visibility, of: cell.id) }
        return printed
    }

    /// The reader's attack on a family of printed views.
    static func attack(
        whole: TableSet, views: [(name: String, tables: TableSet)], partitions: [BreakdownPartition]
    ) throws -> DisclosureAudit {
        try DisclosureAuditor().audit(TableSet.breakdown(whole: whole, views: views, partitions: partitions, matching: \.id.rawValue, threshold: 10))
    }

    /// Protects the breakdown as one, then checks it as the reader attacks it: nothing recoverable,
    /// every small left-over group kept at least 10 wide, no small group of a view printed.
    static func protectAsOne(
        whole: TableSet, views: [(name: String, tables: TableSet)], partitions: [BreakdownPartition], seed: UInt64
    ) throws -> Bool {
        var joint = try TableSet.breakdown(whole: whole, views: views, partitions: partitions, matching: \.id.rawValue, threshold: 10)
        PrimarySuppression().apply(to: &joint)
        let protected: ProtectedTables
        do { protected = try ComplementarySuppression().protect(joint) } catch {
            Issue.record("seed \(seed): \(error)")
            return false
        }
        // The reader's view: each view's printed pattern, read back and joined again.
        let printed = views.map { view in
            var tables = view.tables
            for cell in view.tables.cells {
                tables.setVisibility(protected.tables[CellID(TableSet.viewPrefix(view.name) + cell.id.rawValue)]!.visibility, of: cell.id)
            }
            return (view.name, tables)
        }
        let audit = try attack(whole: whole, views: printed, partitions: partitions)
        #expect(audit.passes, "seed \(seed): \(audit.findings)")
        for figure in audit.figures where figure.cell.rawValue.hasPrefix(TableSet.differencePrefix) {
            guard let cell = protected.tables[figure.cell], cell.measure == .pupils, cell.value < 10 else { continue }
            #expect((figure.interval.width ?? .max) >= 10, "seed \(seed): \(figure.label) in \(figure.interval)")
        }
        for cell in protected.tables.cells where cell.measure == .pupils && cell.value < 10 && cell.visibility == .published {
            Issue.record("seed \(seed): \(cell.label) printed")
        }
        return audit.passes
    }

    @Test("sibling views: girls + boys + a few unrecorded = the whole; one by one most leak the few, as one breakdown none does")
    func siblings() throws {
        var leakedOneByOne = 0, smallLeftOver = 0
        let seeds: [UInt64] = Array(1...40)
        for seed in seeds {
            var random = SplitMix(seed: seed)
            let rest = Atoms.random(&random, [0...3, 0...1, 0...2, 0...4])
            let siblings = (0..<random.int(2...3)).map { _ in Atoms.random(&random, [10...50, 0...4, 0...9, 20...120]) }
            let whole = try siblings.reduce(rest, +).tables
            let views = try siblings.enumerated().map { ("view \($0.offset)", try $0.element.tables) }
            let partitions = [BreakdownPartition(parent: nil, parts: Array(views.indices), covers: false)]
            if rest.counts.reduce(0, +) < 10 { smallLeftOver += 1 }
            let before = try views.map { ($0.0, try Self.protectedOneByOne($0.1, whole: whole)) }
            if !(try Self.attack(whole: whole, views: before, partitions: partitions).passes) { leakedOneByOne += 1 }
            _ = try Self.protectAsOne(whole: whole, views: views, partitions: partitions, seed: seed)
        }
        #expect(smallLeftOver == seeds.count, "the generator plants a small left-over group every time")
        #expect(leakedOneByOne * 2 > seeds.count, "only \(leakedOneByOne) of \(seeds.count) families leaked one by one")
    }

    @Test("nested views: the inner view is the outer less a few; one by one most leak the few, as one breakdown none does")
    func nested() throws {
        var leakedOneByOne = 0
        let seeds: [UInt64] = Array(101...140)
        for seed in seeds {
            var random = SplitMix(seed: seed)
            let inner = Atoms.random(&random, [10...50, 0...4, 0...9, 20...120])
            let difference = Atoms.random(&random, [0...4, 0...1, 0...2, 0...2])
            let outside = Atoms.random(&random, [0...20, 0...2, 0...5, 10...100])
            let outer = inner + difference
            let whole = try (outer + outside).tables
            let views = [("inner", try inner.tables), ("outer", try outer.tables)]
            let partitions = [
                BreakdownPartition(parent: nil, parts: [0], covers: false), BreakdownPartition(parent: nil, parts: [1], covers: false),
                BreakdownPartition(parent: 1, parts: [0], covers: difference.counts.reduce(0, +) == 0),
            ]
            let before = try views.map { ($0.0, try Self.protectedOneByOne($0.1, whole: whole)) }
            if !(try Self.attack(whole: whole, views: before, partitions: partitions).passes) { leakedOneByOne += 1 }
            _ = try Self.protectAsOne(whole: whole, views: views, partitions: partitions, seed: seed)
        }
        #expect(leakedOneByOne * 2 > seeds.count, "only \(leakedOneByOne) of \(seeds.count) families leaked one by one")
    }

    @Test("breakdown by hand: 37 girls and 41 boys of 80 leave 2; the left-over cell is the difference and its sums follow it")
    func byHand() throws {
        var girls = TableSet(), boys = TableSet(), whole = TableSet()
        try girls.count("n", "Pupils", 37)
        try girls.sum("n.absent", "Absent", 300, unit: "sessions", over: "n")
        try boys.count("n", "Pupils", 41)
        try boys.sum("n.absent", "Absent", 310, unit: "sessions", over: "n")
        try whole.count("n", "Pupils", 80)
        try whole.sum("n.absent", "Absent", 640, unit: "sessions", over: "n")
        let views = [("F", girls), ("M", boys)]
        let partition = [BreakdownPartition(parent: nil, parts: [0, 1], covers: false)]
        let joint = try TableSet.breakdown(whole: whole, views: views, partitions: partition, matching: \.id.rawValue, threshold: 10)
        let left = try #require(joint.cells.first { $0.id.rawValue.hasPrefix(TableSet.differencePrefix) && $0.measure == .pupils })
        #expect(left.value == 2 && left.visibility == .unpublished)
        let leftAbsent = try #require(joint.cells.first { $0.id.rawValue.hasPrefix(TableSet.differencePrefix) && $0.measure != .pupils })
        #expect(leftAbsent.value == 30 && leftAbsent.group == left.id)
        // Both views printed: 80 − 37 − 41 = 2 and 640 − 300 − 310 = 30, recovered exactly.
        let audit = try DisclosureAuditor().audit(joint)
        #expect(audit.findings.map(\.value).sorted() == [2, 30] && audit.findings.allSatisfy { $0.kind == .recoveredExactly })
        // Covering partitions add no left-over cell: 37 + 43 = 80 is a plain sum.
        var boys43 = TableSet()
        try boys43.count("n", "Pupils", 43)
        try boys43.sum("n.absent", "Absent", 340, unit: "sessions", over: "n")
        let covering = try TableSet.breakdown(
            whole: whole, views: [("F", girls), ("M", boys43)], partitions: [BreakdownPartition(parent: nil, parts: [0, 1], covers: true)],
            matching: \.id.rawValue, threshold: 10)
        #expect(!covering.cells.contains { $0.id.rawValue.hasPrefix(TableSet.differencePrefix) })
        #expect(covering.relations.count == 2)
        // Protected as one: the pupils of one view withheld, the 2 in a range at least 10 wide.
        var protectedJoint = joint
        PrimarySuppression().apply(to: &protectedJoint)
        let protected = try ComplementarySuppression().protect(protectedJoint)
        #expect(protected.audit.passes)
        #expect((protected.audit.interval(of: left.id)?.width ?? .max) >= 10)
    }

    @Test("what the whole cohort pins is excused only where the view's own figures leave it protected: 56 − 50 bounds 4 + 2 within one view")
    func linkedExcuseNeedsTheViewsOwnFiguresToProtect() throws {
        // View A: 56 pupils = X 4 + Z 2 + Y 50; view B: 44 = 0 + 0 + 44. The whole: 100 = 6 + 94, its
        // X and Z under 10 (untied). With everything withheld, the whole alone gives A's X ≤ 100 − 94.
        func view(_ n: Int, _ x: Int, _ z: Int, _ y: Int) throws -> TableSet {
            var t = TableSet()
            try t.count("n", "Pupils", n, isTotal: true)
            try t.count("x", "Group X", x)
            try t.count("z", "Group Z", z)
            try t.count("y", "Group Y", y)
            try t.partition("n", into: ["x", "z", "y"])
            return t
        }
        let whole = try view(100, 4, 2, 94)
        let joint = try TableSet.breakdown(
            whole: whole, views: [("A", view(56, 4, 2, 50)), ("B", view(44, 0, 0, 44))],
            partitions: [BreakdownPartition(parent: nil, parts: [0, 1], covers: true)], matching: \.id.rawValue, threshold: 10)
        #expect(joint.restsOnAnotherReport)
        let x = CellID(TableSet.viewPrefix("A") + "x")
        // A prints 56 and 50, withholds 4 and 2 (B's zeros withheld too): by its own figures alone
        // X lies in [0, 6], and so it does with the whole's: the excuse must not cover it.
        var printed = joint
        for id in ["A", "B"].flatMap({ v in ["x", "z"].map { CellID(TableSet.viewPrefix(v) + $0) } }) { printed.setVisibility(.suppressed, of: id) }
        let audit = try DisclosureAuditor().audit(printed)
        let finding = try #require(audit.findings.first { $0.cell == x })
        #expect(finding.interval == FeasibleInterval(lower: 0, upper: 6) && finding.againstOwnRelations)
        // Complementary suppression widens what the view's own figures give; the whole's bound stays.
        var shaped = joint
        PrimarySuppression().apply(to: &shaped)
        let protected = try ComplementarySuppression().protect(shaped)
        #expect(protected.audit.passes, "\(protected.audit.findings)")
        #expect(protected.audit.interval(of: x) == FeasibleInterval(lower: 0, upper: 6))
        let own = try AttackerSystem(protected.tables, ownRelationsOnly: true).interval(of: x)
        #expect((own.width ?? .max) >= 10, "\(own)")
    }
}
