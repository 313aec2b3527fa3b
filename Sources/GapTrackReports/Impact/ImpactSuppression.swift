import DisclosureControl
import GapStatistics

/// Which figures of an impact report are withheld, and why (docs/methodology.md §7.6); staff
/// read every figure.
///
/// For governors and the public the whole report is described to `DisclosureControl` as one
/// table set (`ImpactReportTables`: counts, spend by funding source and by type, uptake, and the
/// sums that tie them), every count under the threshold is withheld (zeros too, as everywhere in
/// gaptrack: Social Mobility Commission anonymity threshold; DfE's `c`), then further figures
/// until the auditor can narrow no withheld one below its protection level: so participants =
/// matched no longer gives two withheld zeros away, and a type's spend row no longer gives away
/// a withheld uptake count. A termly report's sections are withheld together with its own tables
/// (`TermlyReportShaping`), which hands the builder the result.
struct ImpactWithholding {
    let rule: SuppressionRule
    /// Why each figure is withheld, by its cell in `ImpactReportTables` (without a section prefix).
    private(set) var reasons: [String: SuppressionReason] = [:]

    /// Nothing withheld: the staff report.
    init(rule: SuppressionRule) {
        self.rule = rule
    }

    /// Withholding already decided (a termly report's section, protected with the report's tables).
    init(rule: SuppressionRule, reasons: [String: SuppressionReason]) {
        self.rule = rule
        self.reasons = reasons
    }

    /// The report of `data` protected on its own.
    init(rule: SuppressionRule, protecting data: ImpactData) {
        self.rule = rule
        guard let described = try? ImpactReportTables.describe(data) else {
            // Figures that cannot be described cannot be shown to be safe.
            reasons = ["*": .protectsSuppressedCell]
            return
        }
        for (id, reason) in ImpactReportTables.withhold(described.tables, threshold: rule.threshold, exemptZeros: described.exemptZeros) {
            reasons[id.rawValue] = reason
        }
    }

    func reason(_ cell: String) -> SuppressionReason? { reasons[cell] ?? reasons["*"] }

    /// A count of "participants and matching".
    func countReason(_ key: String) -> SuppressionReason? { reason("count.\(key)") }

    /// A spend row (`spend.all`, `spend.source0`, `spend.type1`): withheld whole when either its
    /// students or its spend is, since spend per student and one of them give the other.
    func rowReason(_ row: String) -> SuppressionReason? { reason("\(row).students") ?? reason("\(row).spend") }

    /// `value` as a count figure: shown, or withheld with this count's reason.
    func figure<Value: Sendable>(_ key: String, _ value: Value) -> ReportedFigure<Value> {
        countReason(key).map { .suppressed($0) } ?? .value(value)
    }
}
