import DisclosureControl
import Testing

/// Which printed rates suppression hides: those over a numerator shown as `c` or over an
/// unprinted small group, never those over a column the table simply does not print
/// (docs/disclosure-control.md §7.2).
@Suite("Disclosure control: rates and their numerators")
struct RateNumeratorTests {
    /// Continuation of two groups: 40 entrants of whom 28 continued (70.0%), 6 entrants of whom 5
    /// continued (83.3%); 46 in all. Who continued is not printed, only the rate.
    func continuation() throws -> TableSet {
        var t = TableSet()
        try t.count("all", "Entrants", 46, isTotal: true)
        for (group, entrants, continued) in [("big", 40, 28), ("small", 6, 5)] {
            try t.count(CellID(group), "\(group), entrants", entrants)
            try t.add(Cell(id: CellID(group + ".k"), label: "\(group), continued", value: continued, visibility: .unpublished))
            try t.add(Cell(id: CellID(group + ".m"), label: "\(group), did not continue", value: entrants - continued, visibility: .unpublished))
            try t.partition(CellID(group), into: [CellID(group + ".k"), CellID(group + ".m")])
            let percent = (1000 * Double(continued) / Double(entrants)).rounded() / 10
            try t.rate(CellID(group + ".r"), "\(group), continuation rate", numerator: CellID(group + ".k"), denominator: CellID(group),
                       percent: percent, decimals: 1)
        }
        try t.partition("all", into: ["big", "small"])
        return t
    }

    @Test("a rate over an unprinted numerator of 10 or more stays printed; one over an unprinted small numerator is hidden")
    func unprintedNumerators() throws {
        var tables = try continuation()
        PrimarySuppression().apply(to: &tables)
        // 6 entrants: primary. 5 who continued is an unprinted group under 10: the rate would give it back.
        #expect(tables["small"]?.visibility == .suppressed)
        #expect(tables["small.r"]?.visibility == .suppressed)
        // 28 who continued is printed nowhere but is no small group: 70.0% stays.
        #expect(tables["big.r"]?.visibility == .published)
        let protected = try ComplementarySuppression().protect(tables)
        #expect(protected.audit.passes, "\(protected.audit.findings)")
        // 46 − 40 would give the six back: the total or the 40 goes too.
        #expect(protected.tables["all"]?.visibility == .suppressed || protected.tables["big"]?.visibility == .suppressed)
    }

    @Test("a rate whose numerator is shown as c is hidden, even over a printed denominator")
    func suppressedNumerator() throws {
        var t = TableSet()
        try t.count("n", "Entrants", 40, isTotal: true)
        try t.count("k", "Continued", 31)
        try t.rate("r", "Continuation rate", numerator: "k", denominator: "n", percent: 77.5, decimals: 1)
        t.suppress("k")
        PrimarySuppression().apply(to: &t)
        #expect(t["r"]?.visibility == .suppressed)
        #expect(t["n"]?.visibility == .published)
    }

    @Test("the auditor models a printed rate over an unprinted numerator: 70.0% of a printed 40 pins the 28 who continued")
    func auditorSeesTheRate() throws {
        var tables = try continuation()
        tables.suppress("small", "small.r")
        // Hide the 28 as if it were printed and suppressed: the rate 70.0% of 40 gives
        // 27.98 ≤ k ≤ 28.02, so k = 28 exactly.
        tables.suppress("big.k")
        let audit = try DisclosureAuditor().audit(tables)
        #expect(audit.interval(of: "big.k") == FeasibleInterval(lower: 28, upper: 28))
    }
}
