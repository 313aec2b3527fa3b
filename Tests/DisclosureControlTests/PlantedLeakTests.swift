import DisclosureControl
import Testing

/// The leaks found by probing the governors' reports with small planted groups, each rebuilt as a
/// small table set: the audit fails after primary suppression alone and passes after
/// complementary suppression.
@Suite("Disclosure audit: the planted leaks")
struct PlantedLeakTests {
    /// Checks what must hold of any protected result: it passes a fresh audit, and every figure
    /// primary suppression hid is still hidden.
    func expectProtected(_ result: ProtectedTables, primaries: [CellID], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let fresh = try DisclosureAuditor().audit(result.tables)
        #expect(fresh.passes, "still recoverable: \(fresh.findings.map(\.description))", sourceLocation: sourceLocation)
        #expect(fresh == result.audit, sourceLocation: sourceLocation)
        for id in primaries {
            #expect(result.tables[id]?.visibility == .suppressed, "\(id) was published", sourceLocation: sourceLocation)
        }
    }

    /// Year 11: 180 pupils; Disadvantaged 49 = FSM Ever 6 40 + looked after, not FSM 9;
    /// Others 131. Attendance: possible and absent sessions per group, with absence rates to one
    /// decimal place (14,700 possible and 2,000 absent for Disadvantaged: 13.6%).
    func lookedAfterTables() throws -> TableSet {
        var t = TableSet()
        try t.count("whole", "All pupils", 180, isTotal: true)
        try t.count("dis", "Disadvantaged", 49, isTotal: true)
        try t.count("others", "Others", 131)
        try t.count("fsm", "FSM Ever 6", 40)
        try t.count("lac", "Looked after, not FSM", 9)
        try t.partition("whole", into: ["dis", "others"])
        try t.partition("dis", into: ["fsm", "lac"])
        let groups: [(CellID, Int, Int)] = [("whole", 54000, 5400), ("dis", 14700, 2000), ("others", 39300, 3400), ("fsm", 12000, 1610), ("lac", 2700, 390)]
        for (group, possible, absent) in groups {
            let label = t[group]!.label
            try t.sum(CellID("\(group).possible"), "\(label), possible sessions", possible, unit: "sessions", over: group, isTotal: group == "whole" || group == "dis")
            try t.sum(CellID("\(group).absent"), "\(label), absent sessions", absent, unit: "sessions", over: group, isTotal: group == "whole" || group == "dis")
            let percent = (Double(absent) / Double(possible) * 1000).rounded() / 10
            try t.rate(CellID("\(group).rate"), "\(label), absence rate", numerator: CellID("\(group).absent"), denominator: CellID("\(group).possible"), percent: percent, decimals: 1)
        }
        for measure in ["possible", "absent"] {
            try t.partition(CellID("whole.\(measure)"), into: [CellID("dis.\(measure)"), CellID("others.\(measure)")])
            try t.partition(CellID("dis.\(measure)"), into: [CellID("fsm.\(measure)"), CellID("lac.\(measure)")])
        }
        return t
    }

    @Test("looked after 9 = Disadvantaged − FSM Ever 6, with its attendance")
    func lookedAfter() throws {
        var tables = try lookedAfterTables()
        let primaries = PrimarySuppression().apply(to: &tables)
        #expect(primaries == ["lac", "lac.possible", "lac.absent"])
        #expect(tables["lac.rate"]?.visibility == .suppressed)
        let before = try DisclosureAuditor().audit(tables)
        // 49 − 40 = 9; 14,700 − 12,000 = 2,700; 2,000 − 1,610 = 390.
        #expect(before.findings.map(\.cell) == ["lac", "lac.possible", "lac.absent"])
        #expect(before.findings.map(\.kind) == [.recoveredExactly, .recoveredExactly, .recoveredExactly])
        #expect(before.interval(of: "lac.absent") == FeasibleInterval(lower: 390, upper: 390))

        let result = try ComplementarySuppression().protect(tables)
        try expectProtected(result, primaries: primaries)
        #expect(!result.complementary.isEmpty)
        // A count of 9 hidden with FSM Ever 6 (40) under a published 49: [0, 49].
        #expect(result.audit.interval(of: "lac") == FeasibleInterval(lower: 0, upper: 49))
        // Whatever is hidden, a rate is never printed over a hidden numerator.
        for cell in result.tables.cells {
            guard case let .rate(numerator, _, _) = cell.measure, cell.visibility == .published else { continue }
            #expect(result.tables[numerator]?.visibility == .published, "\(cell.label) printed over a hidden numerator")
        }
    }

    /// Pupil premium spend, £: tutoring 12,000 (40 pupils), mentoring 5,000 (15), language
    /// support 1,800 (9 pupils). Funding sources: pupil premium grant 14,000, recovery premium
    /// 3,000, a local grant 1,800 that pays for language support only (the report says so).
    /// Inner type × fund spend is not printed; the reader knows which cells are empty.
    func supportTables() throws -> TableSet {
        var t = TableSet()
        try t.count("pupils", "Supported pupils", 64, isTotal: true)
        try t.count("tutoring.n", "Tutoring, pupils", 40)
        try t.count("mentoring.n", "Mentoring, pupils", 15)
        try t.count("language.n", "Language support, pupils", 9)
        try t.partition("pupils", into: ["tutoring.n", "mentoring.n", "language.n"])
        try t.sum("spend", "Support spend", 18800, unit: "£", over: "pupils", isTotal: true)
        try t.sum("tutoring", "Tutoring, spend", 12000, unit: "£", over: "tutoring.n")
        try t.sum("mentoring", "Mentoring, spend", 5000, unit: "£", over: "mentoring.n")
        try t.sum("language", "Language support, spend", 1800, unit: "£", over: "language.n")
        try t.sum("ppg", "Pupil premium grant", 14000, unit: "£", over: nil)
        try t.sum("recovery", "Recovery premium", 3000, unit: "£", over: nil)
        try t.sum("local", "Local language grant", 1800, unit: "£", over: nil)
        // Tutoring: 10,000 PPG + 2,000 recovery; mentoring: 4,000 PPG + 1,000 recovery;
        // language: 1,800 local only.
        let inner: [(CellID, Int)] = [("tutoring.ppg", 10000), ("tutoring.recovery", 2000), ("mentoring.ppg", 4000), ("mentoring.recovery", 1000), ("language.local", 1800)]
        for (id, value) in inner {
            try t.add(Cell(id: id, label: "\(id) spend", value: value, measure: .sum(unit: "£", group: nil), visibility: .unpublished))
        }
        try t.twoWayTable(
            inner: [["tutoring.ppg", "tutoring.recovery", nil], ["mentoring.ppg", "mentoring.recovery", nil], [nil, nil, "language.local"]],
            rowTotals: ["tutoring", "mentoring", "language"], columnTotals: ["ppg", "recovery", "local"], grandTotal: "spend"
        )
        return t
    }

    @Test("a support type recovered through a single-fund funding source")
    func singleFund() throws {
        var tables = try supportTables()
        let primaries = PrimarySuppression().apply(to: &tables)
        #expect(primaries == ["language.n", "language"])
        let before = try DisclosureAuditor().audit(tables)
        // 64 − 40 − 15 = 9 pupils; language spend = local grant = 1,800 (and 18,800 − 12,000 − 5,000).
        #expect(before.findings.map(\.cell) == ["language.n", "language"])
        #expect(before.interval(of: "language") == FeasibleInterval(lower: 1800, upper: 1800))

        let result = try ComplementarySuppression().protect(tables)
        try expectProtected(result, primaries: primaries)
        // Hand-worked: the 9 pupils are freed by mentoring (15), the cheapest detail beside them.
        // The spend is pinned twice (language = local grant; spend − the other funds = local), so
        // no single figure frees it; the first pair that does, in cost order, is the total spend
        // with the local grant. (Hiding the local grant, the PPG and tutoring would also do,
        // without the total: the greedy search does not find triples; docs/disclosure-control.md §7.6.)
        #expect(result.complementary == ["mentoring.n", "spend", "local"])
        #expect(result.audit.interval(of: "language.n") == FeasibleInterval(lower: 0, upper: 24))
        #expect(result.audit.interval(of: "language") == FeasibleInterval(lower: 0, upper: nil))
    }

    @Test("suppressed zeros deducible from equal totals")
    func zerosFromEqualTotals() throws {
        // Persistent absentees: Disadvantaged 12 = FSM Ever 6 12 + looked after 0; and in a
        // two-way table by year group, Year 10 and Year 11 each have 0 looked-after
        // persistent absentees while FSM's two cells (5, 7) add up to the FSM total.
        var t = TableSet()
        try t.count("dis", "Disadvantaged persistent absentees", 12, isTotal: true)
        try t.count("fsm", "FSM Ever 6 persistent absentees", 12, isTotal: true)
        try t.count("lac", "Looked after persistent absentees", 0, isTotal: true)
        try t.count("y10", "Year 10 disadvantaged persistent absentees", 5, isTotal: true)
        try t.count("y11", "Year 11 disadvantaged persistent absentees", 7, isTotal: true)
        try t.count("fsm.y10", "FSM Ever 6, Year 10", 5)
        try t.count("fsm.y11", "FSM Ever 6, Year 11", 7)
        try t.count("lac.y10", "Looked after, Year 10", 0)
        try t.count("lac.y11", "Looked after, Year 11", 0)
        try t.twoWayTable(
            inner: [["fsm.y10", "fsm.y11"], ["lac.y10", "lac.y11"]],
            rowTotals: ["fsm", "lac"], columnTotals: ["y10", "y11"], grandTotal: "dis"
        )
        let primaries = PrimarySuppression().apply(to: &t)
        #expect(primaries == ["lac", "y10", "y11", "fsm.y10", "fsm.y11", "lac.y10", "lac.y11"])
        // Everything under 10 is hidden, yet FSM 12 = Disadvantaged 12 leaves the looked-after row
        // at 0: lac = 12 − 12, and each of its cells lies in [0, lac].
        let before = try DisclosureAuditor().audit(t)
        #expect(before.findings.map(\.cell) == ["lac", "lac.y10", "lac.y11"])
        #expect(before.findings.allSatisfy { $0.kind == .zeroInferable })

        let result = try ComplementarySuppression().protect(t)
        try expectProtected(result, primaries: primaries)
    }

    @Test("impact: participants = matched gives away two suppressed zeros")
    func participantsEqualMatched() throws {
        // 34 participants: all 34 matched, 0 unmatched; by prior band low 0, middle 20, high 14.
        var t = TableSet()
        try t.count("participants", "Participants", 34, isTotal: true)
        try t.count("matched", "Matched participants", 34)
        try t.count("unmatched", "Unmatched participants", 0)
        try t.count("low", "Participants, low prior attainment", 0)
        try t.count("middle", "Participants, middle prior attainment", 20)
        try t.count("high", "Participants, high prior attainment", 14)
        try t.partition("participants", into: ["matched", "unmatched"])
        try t.partition("participants", into: ["low", "middle", "high"])
        let primaries = PrimarySuppression().apply(to: &t)
        #expect(primaries == ["unmatched", "low"])
        let before = try DisclosureAuditor().audit(t)
        #expect(before.findings.map(\.cell) == ["unmatched", "low"])
        #expect(before.findings.map(\.kind) == [.zeroInferable, .zeroInferable])

        let result = try ComplementarySuppression().protect(t)
        try expectProtected(result, primaries: primaries)
        // Hand-worked: unmatched's only published partner is matched (34; participants is a
        // total), giving [0, 34]; low's cheapest partner is high (14), giving [0, 14].
        #expect(result.complementary == ["matched", "high"])
        #expect(result.audit.interval(of: "unmatched") == FeasibleInterval(lower: 0, upper: 34))
        #expect(result.audit.interval(of: "low") == FeasibleInterval(lower: 0, upper: 14))
        // Same input, same output.
        #expect(try ComplementarySuppression().protect(t) == result)
    }
}
