import DisclosureControl
import Testing

@Suite("Disclosure audit: hand-worked tables")
struct HandWorkedTests {
    /// Year 11 by support type: tutoring 14, mentoring 3, language support 9; 26 in all.
    func supportRow() throws -> TableSet {
        var tables = TableSet()
        try tables.count("all", "All supported pupils", 26, isTotal: true)
        try tables.count("tutoring", "Tutoring, pupils", 14)
        try tables.count("mentoring", "Mentoring, pupils", 3)
        try tables.count("language", "Language support, pupils", 9)
        try tables.partition("all", into: ["tutoring", "mentoring", "language"])
        return tables
    }

    @Test("one suppressed figure in a row with a published total is recovered exactly")
    func oneSuppressedInRow() throws {
        var tables = try supportRow()
        tables.suppress("language")
        // 26 − 14 − 3 = 9.
        let audit = try DisclosureAuditor().audit(tables)
        #expect(audit.interval(of: "language") == FeasibleInterval(lower: 9, upper: 9))
        #expect(audit.findings.map(\.kind) == [.recoveredExactly])
        #expect(audit.findings.first?.cell == "language")
        #expect(audit.findings.first?.description == "Language support, pupils (9) can be worked out exactly from the published figures")
    }

    @Test("two suppressed figures in a row: protected when only the row links them")
    func twoSuppressedInRow() throws {
        var tables = try supportRow()
        tables.suppress("mentoring", "language")
        // mentoring + language = 26 − 14 = 12: each in [0, 12], 12 wide, more than 10.
        let audit = try DisclosureAuditor().audit(tables)
        #expect(audit.interval(of: "mentoring") == FeasibleInterval(lower: 0, upper: 12))
        #expect(audit.interval(of: "language") == FeasibleInterval(lower: 0, upper: 12))
        #expect(audit.passes)
    }

    @Test("two suppressed figures in a row are pinned when another table publishes one of them")
    func twoSuppressedPinnedByOtherTable() throws {
        var tables = try supportRow()
        // A second table splits mentoring by disadvantage: 2 disadvantaged, 1 other, both published
        // as the staff version would; the governors' table suppressed mentoring itself only.
        try tables.count("mentoring-dis", "Mentoring, disadvantaged pupils", 2)
        try tables.count("mentoring-other", "Mentoring, other pupils", 1)
        try tables.partition("mentoring", into: ["mentoring-dis", "mentoring-other"])
        tables.suppress("mentoring", "language")
        // mentoring = 2 + 1 = 3 exactly, then language = 26 − 14 − 3 = 9 exactly.
        let audit = try DisclosureAuditor().audit(tables)
        #expect(audit.interval(of: "mentoring") == FeasibleInterval(lower: 3, upper: 3))
        #expect(audit.interval(of: "language") == FeasibleInterval(lower: 9, upper: 9))
        #expect(audit.findings.map(\.cell) == ["mentoring", "language"])
    }

    @Test("an interval narrower than the threshold fails even when it is not a single value")
    func narrowInterval() throws {
        // Total 20 = 6 + 8 + 6; the first two suppressed: each in [0, 14]; then a known maximum
        // of 9 on the first (the reader knows only 9 pupils take that option) makes it [5, 9]:
        // 6 + 8 = 14, and the second is at most 14, the first at least 14 − 9 = 5.
        var tables = TableSet()
        try tables.count("total", "Total", 20, isTotal: true)
        try tables.add(Cell(id: "a", label: "Option A", value: 6, knownMaximum: 9))
        try tables.add(Cell(id: "b", label: "Option B", value: 8, knownMaximum: 9))
        try tables.count("c", "Option C", 6)
        try tables.partition("total", into: ["a", "b", "c"])
        tables.suppress("a", "b")
        let audit = try DisclosureAuditor().audit(tables)
        #expect(audit.interval(of: "a") == FeasibleInterval(lower: 5, upper: 9))
        #expect(audit.interval(of: "b") == FeasibleInterval(lower: 5, upper: 9))
        #expect(audit.findings.map(\.kind) == [.intervalTooNarrow, .intervalTooNarrow])
        #expect(audit.findings.first?.description == "Option A (6) can be narrowed to [5, 9] from the published figures; it must stay at least 10 wide")
    }

    @Test("a suppressed zero pinned by equal totals is zero inferable")
    func zeroInferable() throws {
        // Disadvantaged 31 = FSM Ever 6 31 + looked after, not FSM 0.
        var tables = TableSet()
        try tables.count("dis", "Disadvantaged", 31, isTotal: true)
        try tables.count("fsm", "FSM Ever 6", 31)
        try tables.count("lac", "Looked after, not FSM", 0)
        try tables.partition("dis", into: ["fsm", "lac"])
        PrimarySuppression().apply(to: &tables)
        let audit = try DisclosureAuditor().audit(tables)
        #expect(audit.interval(of: "lac") == FeasibleInterval(lower: 0, upper: 0))
        #expect(audit.findings.map(\.kind) == [.zeroInferable])
        #expect(audit.findings.first?.description == "Looked after, not FSM can be worked out to be 0 from the published figures")
    }

    @Test("a figure nothing limits from above has an open interval and passes")
    func unbounded() throws {
        var tables = TableSet()
        try tables.count("alone", "A group in no relation", 4)
        tables.suppress("alone")
        let audit = try DisclosureAuditor().audit(tables)
        #expect(audit.interval(of: "alone") == FeasibleInterval(lower: 0, upper: nil))
        #expect(audit.passes)
    }

    @Test("sums over small groups need 20% either side of their value; the lower side stops at zero")
    func sumProtection() throws {
        // Absent sessions: all 1,000 = group A 300 + group B 700. Both suppressed: each in
        // [0, 1000]: A needs ≤ 240 and ≥ 360, B ≤ 560 and ≥ 840: both pass.
        // With a known maximum of 340 on A (its possible sessions): A in [0, 340] fails
        // (needs ≥ 360), B in [660, 1000] fails (needs ≤ 560).
        func absence(maximumOfA: Int?) throws -> TableSet {
            var t = TableSet()
            try t.count("n", "Pupils", 15, isTotal: true)
            try t.count("na", "Group A, pupils", 6)
            try t.count("nb", "Group B, pupils", 9)
            try t.sum("all", "Absent sessions, all", 1000, unit: "sessions", over: "n", isTotal: true)
            try t.add(Cell(id: "a", label: "Absent sessions, A", value: 300, measure: .sum(unit: "sessions", group: "na"), knownMaximum: maximumOfA))
            try t.sum("b", "Absent sessions, B", 700, unit: "sessions", over: "nb")
            try t.partition("all", into: ["a", "b"])
            t.suppress("a", "b")
            return t
        }
        #expect(try DisclosureAuditor().audit(absence(maximumOfA: nil)).passes)
        let audit = try DisclosureAuditor().audit(absence(maximumOfA: 340))
        #expect(audit.interval(of: "a") == FeasibleInterval(lower: 0, upper: 340))
        #expect(audit.interval(of: "b") == FeasibleInterval(lower: 660, upper: 1000))
        #expect(audit.findings.map(\.cell) == ["a", "b"])
        #expect(audit.findings.first?.required == "from 240 or less to 360 or more")
    }

    @Test("a figure hidden only to protect another is reported but needs no protection of its own")
    func complementaryNotSensitive() throws {
        // 40 = 31 + 9: the 31 hidden with the 9. Both lie in [0, 40]; now publish a second split
        // of the 31 (20 + 11): it is pinned at 31, which discloses nothing (31 is not small), and
        // the 9 is then pinned too, which does.
        var tables = TableSet()
        try tables.count("all", "All", 40, isTotal: true)
        try tables.count("big", "Group A", 31)
        try tables.count("small", "Group B", 9)
        try tables.partition("all", into: ["big", "small"])
        tables.suppress("big", "small")
        #expect(try DisclosureAuditor().audit(tables).passes)
        try tables.count("big1", "Group A, first part", 20)
        try tables.count("big2", "Group A, second part", 11)
        try tables.partition("big", into: ["big1", "big2"])
        let audit = try DisclosureAuditor().audit(tables)
        #expect(audit.interval(of: "big") == FeasibleInterval(lower: 31, upper: 31))
        #expect(audit.findings.map(\.cell) == ["small"])
    }

    @Test("a published rate and its denominator pin the numerator within rounding")
    func publishedRate() throws {
        // 137 absent of 2,000 possible sessions: 6.85%, printed 6.9% (one decimal place).
        // The reader knows 6.85% ≤ rate ≤ 6.95%: 137 ≤ absent ≤ 139.
        var tables = TableSet()
        try tables.count("n", "Pupils", 7)
        try tables.sum("absent", "Absent sessions", 137, unit: "sessions", over: "n")
        try tables.sum("possible", "Possible sessions", 2000, unit: "sessions", over: "n")
        try tables.rate("rate", "Absence rate", numerator: "absent", denominator: "possible", percent: 6.9, decimals: 1)
        tables.suppress("absent")
        let audit = try DisclosureAuditor().audit(tables)
        #expect(audit.interval(of: "absent") == FeasibleInterval(lower: 137, upper: 139))
        #expect(audit.findings.map(\.kind) == [.intervalTooNarrow])
    }

    @Test("the overlap of a union is a group too: a small unpublished overlap is protected")
    func unionOverlap() throws {
        // Disadvantaged 45 = FSM Ever 6 40 ∪ looked after 12, overlap 7 (unpublished).
        // All three published: overlap = 40 + 12 − 45 = 7 exactly.
        var tables = TableSet()
        try tables.count("dis", "Disadvantaged", 45, isTotal: true)
        try tables.count("fsm", "FSM Ever 6", 40)
        try tables.count("lac", "Looked after", 12)
        try tables.add(Cell(id: "both", label: "FSM Ever 6 and looked after", value: 7, visibility: .unpublished))
        try tables.union("dis", of: "fsm", "lac", overlap: "both")
        let audit = try DisclosureAuditor().audit(tables)
        #expect(audit.interval(of: "both") == FeasibleInterval(lower: 7, upper: 7))
        #expect(audit.findings.map(\.kind) == [.recoveredExactly])
        // Suppressing looked after: both = fsm + lac − dis = lac − 5, so lac ≥ 5; both ≤ lac
        // always holds; both ≤ fsm = 40 is the only upper limit: both ∈ [0, 40], lac ∈ [5, 45].
        tables.suppress("lac")
        let after = try DisclosureAuditor().audit(tables)
        #expect(after.interval(of: "both") == FeasibleInterval(lower: 0, upper: 40))
        #expect(after.interval(of: "lac") == FeasibleInterval(lower: 5, upper: 45))
        #expect(after.passes)
    }

    @Test("errors name the figure and say what is wrong")
    func errors() throws {
        var tables = TableSet()
        try tables.count("a", "Tutoring, pupils", 12)
        #expect(throws: DisclosureControlError.duplicateCell("a")) { try tables.count("a", "Again", 1) }
        #expect(throws: DisclosureControlError.negativeValue(label: "Minus", value: -1)) { try tables.count("m", "Minus", -1) }
        #expect(throws: DisclosureControlError.unknownCell("b", usedIn: "Tutoring, pupils = b")) {
            try tables.partition("a", into: ["b"])
        }
        try tables.count("b", "Mentoring, pupils", 5)
        let error = #expect(throws: DisclosureControlError.self) { try tables.partition("a", into: ["b"]) }
        #expect(error == .relationDoesNotHold("Tutoring, pupils = Mentoring, pupils"))
        #expect(error?.description == "the figures do not add up: Tutoring, pupils = Mentoring, pupils does not hold for the true values")
    }

    @Test("complementary suppression gives up, with a typed error, when nothing left to hide helps")
    func givesUp() throws {
        // Known to be at most 3 (three pupils are eligible): [0, 3] can never be 10 wide.
        var tables = TableSet()
        try tables.count("total", "Total", 25, isTotal: true)
        try tables.add(Cell(id: "small", label: "Care leavers", value: 2, knownMaximum: 3))
        try tables.count("rest", "Others", 23)
        try tables.partition("total", into: ["small", "rest"])
        PrimarySuppression().apply(to: &tables)
        let error = #expect(throws: DisclosureControlError.self) { try ComplementarySuppression().protect(tables) }
        #expect(error == .cannotProtect(label: "Care leavers", value: 2, interval: "[0, 3]"))
    }
}
