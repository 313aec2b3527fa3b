import GapStatistics

/// Groups whose counts add up to another's (disadvantaged + others = cohort; EHC plan + SEN
/// support = SEN), or to less (students in no quintile): relations a reader of the group tables
/// knows (`TermlyReportTables`).
struct GroupPartition {
    var cells: [String]
    var total: String
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
