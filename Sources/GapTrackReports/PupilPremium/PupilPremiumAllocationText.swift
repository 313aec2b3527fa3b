import GapTrackDomain

extension PupilPremiumReview {
    /// The part of the school's allocation a governor may see when the total is withheld: the sum
    /// of the amounts printed beside it, which anyone can add up from the table, so it discloses
    /// nothing the table does not. The total itself is Σ rate × pupils over the grounds
    /// (a relation of the review's table set, docs/disclosure-control.md §7.2), and with the rates published and
    /// a few small grounds it pins those grounds' counts, which is why it is withheld
    /// (docs/methodology.md §6.5, §7.6).
    public var allocationShownToSchool: (amount: PoundsAndPence, grounds: [AllocationLine.Ground], withheld: [AllocationLine.Ground]) {
        let paid = allocation.filter { $0.ground.paidToSchool }
        let shown = paid.filter { $0.amount.value != nil }
        return (shown.reduce(.zero) { $0 + ($1.amount.value ?? .zero) }, shown.map(\.ground), paid.filter { $0.amount.isSuppressed }.map(\.ground))
    }

    /// One sentence on the allocation for the governors' pack: the total where it may be shown;
    /// otherwise what the grounds shown bring and which grounds are withheld, rather than a bare `c`.
    public var allocationSentence: String {
        let basis = "rates of \(rates.financialYearLabel), January census \(census.isoString)"
        if let total = allocationToSchool.value {
            return "Allocation to the school: \(total.formatted) (\(basis))."
        }
        let shown = allocationShownToSchool
        let withheld = shown.withheld.map(\.label).joined(separator: "; ")
        guard !shown.grounds.isEmpty else {
            return "Allocation to the school: not shown, since with the published rates it would give away the number of pupils "
                + "on grounds with fewer than \(suppressionThreshold) (\(withheld)); \(basis)."
        }
        return "Allocation to the school: \(shown.amount.formatted) from \(shown.grounds.map(\.label).joined(separator: "; ")), "
            + "plus the allocation for \(withheld), not shown since with the published rates it would give away how many pupils "
            + "those grounds have (\(basis))."
    }
}
