import DisclosureControl
import GapStatistics

/// Primary and complementary suppression of the counts of an impact report, for governors and
/// the public (docs/methodology.md §7.6); staff see every count.
///
/// Primary: a count of fewer than `rule.threshold` students (zero included) is withheld, as
/// everywhere in gaptrack (Social Mobility Commission anonymity threshold; DfE's `c`).
///
/// Complementary: the report's counts are tied by sums (participants = matched + unmatched +
/// without results, for each outcome; distinct students of a table's rows against its total).
/// They are described to `DisclosureControl` with those relations, and further counts are
/// withheld until the auditor can narrow no withheld count to fewer than 10 values: so
/// participants = matched no longer gives two withheld zeros away. The `protected` counts (the
/// numbers of matched students every estimate is read with, the participants) are taken only when
/// nothing else will do, the participants last.
struct CountSuppression {
    /// A sum: `total` = Σ `parts` (or, where the parts share students, at most it).
    struct Relation {
        var total: String
        var parts: [String]
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
    /// and the threshold, so that a zero stays visible), then whatever else the audit needs.
    /// `order` fixes the table order, so the result never depends on dictionary order. If the
    /// counts cannot be protected at all, every count is withheld.
    mutating func apply(counts: [String: Int], order: [String], relations: [Relation], protected: Set<String>, exempt: Set<String> = []) {
        guard audience.suppresses else { return }
        var tables = TableSet()
        var primary: [String] = []
        // Protected counts are taken after every other; among them the totals (the participants)
        // last, by placing them at the end of the table order that breaks ties.
        let totals = Set(relations.map(\.total)).intersection(protected)
        for key in order.filter({ !totals.contains($0) }) + order.filter(totals.contains) {
            guard let count = counts[key], (try? tables.count(CellID(key), key, count, isTotal: protected.contains(key))) != nil else { continue }
            let zeroAllowed = exempt.contains(key) && count == 0
            if count < rule.threshold, !zeroAllowed {
                tables.setVisibility(.suppressed, of: CellID(key))
                primary.append(key)
            }
        }
        for relation in relations { Self.relate(relation, counts: counts, in: &tables) }
        for key in primary { reasons[key] = .belowThreshold(threshold: rule.threshold) }
        do {
            let protectedTables = try ComplementarySuppression(auditor: DisclosureAuditor(threshold: rule.threshold)).protect(tables)
            for cell in protectedTables.tables.cells where cell.visibility == .suppressed && reasons[cell.id.rawValue] == nil {
                reasons[cell.id.rawValue] = .protectsSuppressedCell
            }
        } catch {
            for key in order where counts[key] != nil && reasons[key] == nil { reasons[key] = .protectsSuppressedCell }
        }
    }

    /// The relation as far as the true counts bear it out: a sum where they add up, else the
    /// inequality they satisfy (students of several rows counted once in the total).
    private static func relate(_ relation: Relation, counts: [String: Int], in tables: inout TableSet) {
        guard let total = counts[relation.total] else { return }
        let parts = relation.parts.filter { counts[$0] != nil }
        guard !parts.isEmpty else { return }
        let sum = parts.reduce(0) { $0 + counts[$1]! }
        let terms = [Term(CellID(relation.total), 1)] + parts.map { Term(CellID($0), -1) }
        let name = "\(relation.total) = " + parts.joined(separator: " + ")
        if sum == total {
            try? tables.partition(CellID(relation.total), into: parts.map { CellID($0) })
        } else if sum > total {
            try? tables.relate(LinearRelation(name + " (at most)", terms: terms, kind: .atMost))
        } else {
            try? tables.relate(LinearRelation(name + " (at least)", terms: terms.map { Term($0.cell, -$0.coefficient) }, kind: .atMost))
        }
    }

    func reason(_ key: String) -> SuppressionReason? { reasons[key] }

    /// `value` as a figure: shown, or withheld with this count's reason.
    func figure<Value: Sendable>(_ key: String, _ value: Value) -> ReportedFigure<Value> {
        reasons[key].map { .suppressed($0) } ?? .value(value)
    }
}
