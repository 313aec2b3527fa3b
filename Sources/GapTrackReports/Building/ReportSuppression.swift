import GapStatistics

/// Primary and secondary suppression across the cells of one table, with the notes a report
/// prints about what it withheld.
///
/// Primary: a cell counted from fewer than `rule.threshold` students (zero included) is
/// withheld. Secondary: where shown cells add up to a shown total (disadvantaged + others =
/// cohort; EHC plan + SEN support = SEN; the three SMC groups = those who declared; the spend of
/// each support type = all spend), one withheld cell could be worked out by subtraction, so the
/// smallest other cell is withheld too, and so on until no partition has exactly one withheld
/// cell (the method of `SuppressionRule.row`, applied to overlapping partitions until stable).
struct CellSuppression {
    /// A set of cells whose counts add up to `total`'s count (or to less: students in no cell).
    struct Partition {
        var cells: [String]
        var total: String
    }

    let rule: SuppressionRule
    private(set) var reasons: [String: SuppressionReason] = [:]

    init(rule: SuppressionRule) {
        self.rule = rule
    }

    /// Withholds every cell of `counts` below the threshold, then applies `partitions`.
    /// Cells are identified by key; `order` breaks ties between equally small cells so that
    /// the result never depends on dictionary order.
    mutating func apply(counts: [String: Int], order: [String], partitions: [Partition]) {
        for key in order where (counts[key] ?? 0) < rule.threshold && counts[key] != nil {
            reasons[key] = .belowThreshold(threshold: rule.threshold)
        }
        var changed = true
        while changed {
            changed = false
            for partition in partitions where counts[partition.total] != nil && reasons[partition.total] == nil {
                let present = partition.cells.filter { counts[$0] != nil }
                let withheld = present.filter { reasons[$0] != nil }
                guard withheld.count == 1 else { continue }
                let shown = present.filter { reasons[$0] == nil }
                let rank = { (key: String) in order.firstIndex(of: key) ?? Int.max }
                if let smallest = shown.min(by: { (counts[$0]!, rank($0)) < (counts[$1]!, rank($1)) }) {
                    reasons[smallest] = .protectsSuppressedCell
                } else {
                    reasons[partition.total] = .protectsSuppressedCell
                }
                changed = true
            }
        }
    }

    func reason(_ key: String) -> SuppressionReason? { reasons[key] }

    /// `value` as a figure: shown, or withheld with this cell's reason.
    func figure<Value: Sendable>(_ key: String, _ value: Value) -> ReportedFigure<Value> {
        reasons[key].map { .suppressed($0) } ?? .value(value)
    }
}

/// The suppression notes of a report, in the order the tables are printed, without duplicates.
struct SuppressionLog {
    private(set) var notes: [String] = []

    mutating func add(_ note: String) {
        if !notes.contains(note) { notes.append(note) }
    }

    /// "Group sizes, Looked after or previously looked after: fewer than 10 students."
    mutating func add(table: String, item: String, reason: SuppressionReason) {
        add("\(table), \(item): \(reason).")
    }
}
