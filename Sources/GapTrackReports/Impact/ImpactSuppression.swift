import GapStatistics

/// Primary and secondary suppression of the counts of an impact report.
///
/// Primary: a count of fewer than `rule.threshold` students (zero included) is withheld, as
/// everywhere in gaptrack (Social Mobility Commission anonymity threshold; DfE's `c`).
///
/// Secondary: the report's counts are tied by sums (participants = with results + without;
/// with results = matched + unmatched; spend of all sources = total spend). Whenever exactly one
/// member of such a sum is withheld, it could be worked out from the others, so another member is
/// withheld too, until no sum has exactly one withheld member. Unlike `CellSuppression`, which
/// always sacrifices the smallest other cell, this one spares the `protected` counts where it
/// can (the numbers of matched students that every estimate must be read with) and withholds the
/// smallest unprotected member instead; a protected count is withheld only when nothing else will do.
struct CountSuppression {
    /// A sum: `total` = Σ `parts`.
    struct Relation {
        var total: String
        var parts: [String]

        var members: [String] { [total] + parts }
    }

    let rule: SuppressionRule
    /// Staff read every count (docs/methodology.md §7.6): nothing is withheld for them.
    let audience: ReportAudience
    private(set) var reasons: [String: SuppressionReason] = [:]

    init(rule: SuppressionRule, audience: ReportAudience) {
        self.rule = rule
        self.audience = audience
    }

    /// Withholds every count below the threshold (those in `exempt` only when they are between 1
    /// and the threshold, so that a zero stays visible), then resolves `relations`. `order` breaks
    /// ties between equal counts, so the result never depends on dictionary order.
    mutating func apply(counts: [String: Int], order: [String], relations: [Relation], protected: Set<String>, exempt: Set<String> = []) {
        guard audience.suppresses else { return }
        for key in order {
            guard let count = counts[key] else { continue }
            let zeroAllowed = exempt.contains(key) && count == 0
            if count < rule.threshold, !zeroAllowed { reasons[key] = .belowThreshold(threshold: rule.threshold) }
        }
        let rank = { (key: String) in order.firstIndex(of: key) ?? Int.max }
        var changed = true
        while changed {
            changed = false
            for relation in relations {
                let present = relation.members.filter { counts[$0] != nil }
                guard present.filter({ reasons[$0] != nil }).count == 1 else { continue }
                let shown = present.filter { reasons[$0] == nil }
                let candidates = shown.filter { !protected.contains($0) }
                let pool = candidates.isEmpty ? shown : candidates
                guard let chosen = pool.min(by: { (counts[$0]!, rank($0)) < (counts[$1]!, rank($1)) }) else { continue }
                reasons[chosen] = .protectsSuppressedCell
                changed = true
            }
        }
    }

    func reason(_ key: String) -> SuppressionReason? { reasons[key] }

    /// `value` as a figure: shown, or withheld with this count's reason.
    func figure<Value: Sendable>(_ key: String, _ value: Value) -> ReportedFigure<Value> {
        reasons[key].map { .suppressed($0) } ?? .value(value)
    }
}
